#!/usr/bin/env bash
# Sets up what Seer needs and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/tests/setup_test.sh
swift build --build-tests
swift test --skip-build --disable-xctest   # all tests use Swift Testing
