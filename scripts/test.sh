#!/usr/bin/env bash
# Sets up what Seer needs and runs the whole test suite, then lists how long each suite took.
# swift test's own closing line stays the last line of the output (CI reads it).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/setup.sh
scripts/tests/setup_test.sh
setup_done=$(date +%s)
swift build --build-tests
build_done=$(date +%s)
# All tests use Swift Testing. The filter passes its output through as it comes, except the
# last line, which it holds back to print after the table of suite times.
# The server suites run on their own, after the rest: the CLI and model suites block Swift
# Testing's few cooperative threads (one per core) for seconds at a time, waiting on child
# processes or computing in a debug build, and in-process servers starved behind them into
# their 60 s request timeout. The CLI suite's one in-process server test joins them.
in_process_servers='SeerServerTests|indexAndServeTakeTheNewFamily'
{ status=0
  swift test --skip-build --disable-xctest --skip "$in_process_servers" || status=$?
  swift test --skip-build --disable-xctest --filter "$in_process_servers" || status=$?
  exit $status; } 2>&1 | awk -v setup=$((setup_done - start)) -v build=$((build_done - setup_done)) -v started="$build_done" '
    function flush() { if (held != "") { print held; fflush() } }
    { flush(); held = $0 }
    # "✔ Suite "Name" passed after 1.234 seconds." / "✘ Suite Name failed after 1.234 seconds with 2 issues."
    /Suite .* (passed|failed) after [0-9.]+ seconds/ {
        name = $0; sub(/^[^S]*Suite /, "", name); sub(/ (passed|failed) after.*/, "", name); gsub(/^"|"$/, "", name)
        secs = $0; sub(/.* after /, "", secs); sub(/ seconds.*/, "", secs)
        n++; names[n] = name; times[n] = secs + 0; failed[n] = ($0 ~ / failed after/)
    }
    END {
        "date +%s" | getline now
        print ""
        print "Suite times (wall clock; suites run in parallel, so they overlap):"
        # Longest first (a selection sort: portable awk has no sort).
        for (i = 1; i <= n; i++) order[i] = i
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (times[order[j]] > times[order[i]]) { t = order[i]; order[i] = order[j]; order[j] = t }
        for (i = 1; i <= n; i++) printf "  %8.1f s  %s%s\n", times[order[i]], names[order[i]], failed[order[i]] ? "  (failed)" : ""
        printf "setup %d s, build %d s, tests %d s, total %d s\n", setup, build, now - started, setup + build + now - started
        flush()
    }'
