#!/usr/bin/env bash
# Sets everything up on a fresh machine, then builds calib and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/pretrained-models.sh   # networks with real weights for the conversion tests
# Headless Chromium renders the report page in the report test and the live health page, as a user's browser would.
if ! dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "ok installed"; then
  echo "test: installing chromium"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
./scripts/lint-deploy.sh   # Kubernetes, Slurm and Grafana recipes (offline linters)
swift build   # the calib and ov-serialize executables the tests run
swift test
