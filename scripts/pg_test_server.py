"""A throwaway PostgreSQL server with pgvector, for the tests of `seer … --db postgres://…`.

    python3 scripts/pg_test_server.py DATA_DIR

Starts the server that the PyPI package pgserver carries (initialising DATA_DIR), checks that
pgvector is there, prints one line, the connection URI, then waits until its standard input
closes (the test is done, or died), stops the server and deletes DATA_DIR. Run as root,
pgserver runs PostgreSQL as a system user of its own: PostgreSQL refuses to run as root.
"""

import sys
from pathlib import Path

import pgserver


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: pg_test_server.py DATA_DIR")
    data = Path(sys.argv[1]).resolve()
    data.mkdir(parents=True, exist_ok=True)
    with pgserver.get_server(data, cleanup_mode="delete") as server:
        server.psql("CREATE EXTENSION IF NOT EXISTS vector;")
        version = server.psql("SELECT extversion FROM pg_extension WHERE extname = 'vector';")
        if "0." not in version:
            sys.exit(f"pgserver's PostgreSQL has no pgvector: {version!r}")
        print(server.get_uri(), flush=True)
        sys.stdin.read()  # returns at end of input: the caller closed the pipe or exited


if __name__ == "__main__":
    main()
