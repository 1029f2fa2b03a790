#!/usr/bin/env python3
"""A fake Hugging Face Hub on loopback, for tests.

Serves the repos under ROOT (ROOT/ORG/NAME/<files>) in the Hub's URL scheme, as the real Hub does
for `huggingface_hub` and for Seer:

  GET  /api/models/ORG/NAME/revision/REV   {"id", "sha", "siblings": [{"rfilename"}]}
  GET  /api/models/ORG/NAME/tree/REV       [{"type": "file", "path", "size", "oid", "lfs"?}]
  HEAD|GET /ORG/NAME/resolve/REV/FILE      small files: 200 with ETag (git blob sha1) and X-Repo-Commit;
                                           LFS files (*.safetensors, *.bin): 302 to /lfs/SHA256 on
                                           another origin (localhost instead of 127.0.0.1) with
                                           X-Linked-Etag (the sha256), X-Linked-Size, X-Repo-Commit
  HEAD|GET /lfs/SHA256                     the bytes, like a CDN: no Hub headers

Each repo has one commit (a hash of its files), reachable as `main` or by the hash. Byte ranges
(`Range: bytes=N-`) are honoured. Errors carry X-Error-Code (RepoNotFound, RevisionNotFound,
EntryNotFound) as the Hub's do.

Options:
  --token T              every Hub request must carry `Authorization: Bearer T` (else 401)
  --log FILE             one JSON line per request: method, path, range, auth
  --cut FILE:BYTES       the first GET of FILE's bytes sends BYTES bytes, then drops the connection
  --corrupt FILE         FILE's bytes are served with one byte changed (same length)
  --fail WHAT:STATUS:N   the first N requests for WHAT (a file name, or `api`) answer STATUS

Prints the port it listens on (it binds port 0) on the first line of stdout. Exits on SIGTERM,
or when its stdin reaches end of file (so a test that dies takes its server with it).
"""

import argparse
import hashlib
import json
import os
import signal
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

LFS_SUFFIXES = (".safetensors", ".bin", ".pt", ".onnx", ".msgpack")


class Repo:
    """The files of ROOT/ORG/NAME and their hashes, read once at start."""

    def __init__(self, folder):
        self.files = {}
        for dirpath, _, names in os.walk(folder, followlinks=True):
            for name in names:
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, folder).replace(os.sep, "/")
                with open(path, "rb") as f:
                    data = f.read()
                self.files[rel] = {
                    "path": path,
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "git_sha1": hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest(),
                    "lfs": rel.endswith(LFS_SUFFIXES),
                }
        digest = hashlib.sha1()
        for rel in sorted(self.files):
            digest.update(f"{rel}\0{self.files[rel]['sha256']}\n".encode())
        self.commit = digest.hexdigest()

    def pointer_sha1(self, info):
        pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{info['sha256']}\nsize {info['size']}\n"
        return hashlib.sha1(pointer.encode()).hexdigest()


class State:
    def __init__(self, args):
        self.repos = {}
        for org in sorted(os.listdir(args.root)):
            for name in sorted(os.listdir(os.path.join(args.root, org))):
                self.repos[f"{org}/{name}"] = Repo(os.path.join(args.root, org, name))
        self.by_sha256 = {}
        for repo in self.repos.values():
            for rel, info in repo.files.items():
                self.by_sha256[info["sha256"]] = (rel, info)
        self.token = args.token
        self.log_path = args.log
        self.cuts = {}
        for spec in args.cut:
            name, count = spec.rsplit(":", 1)
            self.cuts[name] = int(count)
        self.corrupt = set(args.corrupt)
        self.failures = {}
        for spec in args.fail:
            what, status, count = spec.rsplit(":", 2)
            self.failures[what] = [int(status), int(count)]
        self.lock = threading.Lock()

    def log(self, entry):
        if self.log_path:
            with self.lock, open(self.log_path, "a") as f:
                f.write(json.dumps(entry) + "\n")

    def take_failure(self, what):
        with self.lock:
            failure = self.failures.get(what)
            if failure and failure[1] > 0:
                failure[1] -= 1
                return failure[0]
        return None

    def take_cut(self, name):
        with self.lock:
            return self.cuts.pop(name, None)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeHub/1"

    def log_message(self, *args):
        pass

    @property
    def state(self):
        return self.server.state

    def do_HEAD(self):
        self.handle_request(body=False)

    def do_GET(self):
        self.handle_request(body=True)

    def handle_request(self, body):
        path = unquote(urlsplit(self.path).path)
        self.state.log({
            "method": self.command,
            "path": path,
            "range": self.headers.get("Range"),
            "auth": self.headers.get("Authorization"),
        })
        parts = path.strip("/").split("/")
        if parts[0] == "lfs" and len(parts) == 2:
            return self.serve_lfs(parts[1], body)
        if self.state.token and self.headers.get("Authorization") != f"Bearer {self.state.token}":
            return self.error(401, "Unauthorized", "Invalid credentials in Authorization header")
        if parts[:2] == ["api", "models"] and len(parts) >= 6 and parts[4] in ("revision", "tree"):
            return self.serve_api(f"{parts[2]}/{parts[3]}", parts[4], "/".join(parts[5:]), body)
        if len(parts) >= 5 and parts[2] == "resolve":
            return self.serve_resolve(f"{parts[0]}/{parts[1]}", parts[3], "/".join(parts[4:]), body)
        self.error(404, None, "no such route")

    def find(self, repo_id, revision):
        repo = self.state.repos.get(repo_id)
        if repo is None:
            self.error(404, "RepoNotFound", f"Repository {repo_id} not found")
            return None
        if revision not in ("main", repo.commit):
            self.error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
            return None
        return repo

    def serve_api(self, repo_id, kind, revision, body):
        failure = self.state.take_failure("api")
        if failure:
            return self.error(failure, None, "injected failure")
        repo = self.find(repo_id, revision)
        if repo is None:
            return
        if kind == "revision":
            payload = {
                "id": repo_id,
                "modelId": repo_id,
                "sha": repo.commit,
                "private": False,
                "siblings": [{"rfilename": rel} for rel in sorted(repo.files)],
            }
        else:
            payload = []
            for rel in sorted(repo.files):
                info = repo.files[rel]
                entry = {"type": "file", "path": rel, "size": info["size"], "oid": info["git_sha1"]}
                if info["lfs"]:
                    entry["lfs"] = {"oid": info["sha256"], "size": info["size"], "pointerSize": 134}
                payload.append(entry)
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def serve_resolve(self, repo_id, revision, rel, body):
        failure = self.state.take_failure(rel)
        if failure:
            return self.error(failure, None, "injected failure")
        repo = self.find(repo_id, revision)
        if repo is None:
            return
        info = repo.files.get(rel)
        if info is None:
            return self.error(404, "EntryNotFound", f"{rel} does not exist on {revision}")
        if info["lfs"]:
            host_port = self.server.server_address[1]
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{host_port}/lfs/{info['sha256']}")
            self.send_header("X-Repo-Commit", repo.commit)
            self.send_header("ETag", f'"{repo.pointer_sha1(info)}"')
            self.send_header("X-Linked-Etag", f'"{info["sha256"]}"')
            self.send_header("X-Linked-Size", str(info["size"]))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.serve_bytes(rel, info, body, {"ETag": f'"{info["git_sha1"]}"', "X-Repo-Commit": repo.commit})

    def serve_lfs(self, sha256, body):
        found = self.state.by_sha256.get(sha256)
        if found is None:
            return self.error(404, None, "no such object")
        rel, info = found
        self.serve_bytes(rel, info, body, {"ETag": f'"cdn-{info["sha256"][:16]}"'})

    def serve_bytes(self, rel, info, body, headers):
        with open(info["path"], "rb") as f:
            data = f.read()
        if rel in self.state.corrupt:
            middle = len(data) // 2
            data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]
        start = 0
        range_header = self.headers.get("Range")
        if range_header and range_header.startswith("bytes=") and range_header.endswith("-"):
            start = int(range_header[len("bytes="):-1])
            if start >= len(data):
                return self.error(416, None, "range not satisfiable")
        chunk = data[start:]
        self.send_response(206 if start else 200)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Accept-Ranges", "bytes")
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(chunk)))
        self.end_headers()
        if not body:
            return
        cut = self.state.take_cut(rel)
        if cut is not None:
            self.wfile.write(chunk[:cut])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.wfile.write(chunk)

    def error(self, status, code, message):
        data = json.dumps({"error": message}).encode()
        self.send_response(status)
        if code:
            self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def exit_at_end_of_stdin():
    while sys.stdin.buffer.read(4096):
        pass
    os._exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root")
    parser.add_argument("--token")
    parser.add_argument("--log")
    parser.add_argument("--cut", action="append", default=[])
    parser.add_argument("--corrupt", action="append", default=[])
    parser.add_argument("--fail", action="append", default=[])
    args = parser.parse_args()
    # A parent may have blocked SIGTERM in the thread that spawned us: undo that.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=exit_at_end_of_stdin, daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.state = State(args)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
