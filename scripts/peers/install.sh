#!/usr/bin/env bash
# Makes the git-ignored virtual environment with the pinned NNCF the peer scripts run
# (on first use only) and prints its folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=.deps/peers
if [ ! -x "$venv/bin/python" ]; then
    echo "peers: installing NNCF into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q nncf==3.4.0 openvino==2026.4.1 opencv-python-headless==5.0.0.93 pillow==13.0.0 numpy==2.4.6 >&2
fi
echo "$venv"
