#!/usr/bin/env bash
# Sets everything up on a fresh machine, then builds calib and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
swift build   # the calib and ov-serialize executables the tests run
swift test
