#!/usr/bin/env bash
# Sets everything up on a fresh machine, then builds calib and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/pretrained-models.sh   # networks with real weights for the conversion tests
swift build   # the calib and ov-serialize executables the tests run
swift test
