#!/usr/bin/env bash
# Installs what calib needs to build and run, and nothing that is already there:
# the Debian C libraries (ZeroMQ, libjpeg-turbo, libpng) and the OpenVINO runtime
# (with its IR, ONNX and TFLite frontends, for `calib convert`) unpacked from its
# pinned PyPI wheel into .deps/openvino (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

OPENVINO_VERSION=2026.4.1
OPENVINO_WHEEL=openvino-2026.4.1-22982-cp311-cp311-manylinux_2_28_x86_64.whl
OPENVINO_SHA256=2d22b1da03f7caf74df30e9f6417d0ab2f637e4a38e08e1dcd294d2c37407aaf
OPENVINO_SO=2641
DEPS=.deps/openvino
# What the unpacked runtime holds; a change here unpacks it again.
STAMP="$OPENVINO_VERSION frontends: ir onnx tflite"

say() { echo "setup: $*"; }

missing=()
for pkg in libzmq3-dev libturbojpeg0-dev libpng-dev unzip; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -f "$DEPS/VERSION" ] || [ "$(cat "$DEPS/VERSION")" != "$STAMP" ]; then
  mkdir -p .deps/download
  wheel=.deps/download/$OPENVINO_WHEEL
  if [ ! -f "$wheel" ] || ! echo "$OPENVINO_SHA256  $wheel" | sha256sum -c --status; then
    say "downloading openvino==$OPENVINO_VERSION wheel"
    rm -f "$wheel"
    python3 -m pip download --quiet --no-deps --only-binary=:all: \
      --python-version 3.11 --platform manylinux_2_28_x86_64 \
      -d .deps/download "openvino==$OPENVINO_VERSION"
  fi
  echo "$OPENVINO_SHA256  $wheel" | sha256sum -c --status \
    || { say "sha256 mismatch for $wheel"; exit 1; }
  say "unpacking OpenVINO C API and CPU runtime into $DEPS"
  rm -rf "$DEPS" .deps/unpack
  unzip -q "$wheel" 'openvino/include/*' \
    "openvino/libs/libopenvino.so.$OPENVINO_SO" "openvino/libs/libopenvino_c.so.$OPENVINO_SO" \
    "openvino/libs/libopenvino_ir_frontend.so.$OPENVINO_SO" \
    "openvino/libs/libopenvino_onnx_frontend.so.$OPENVINO_SO" \
    "openvino/libs/libopenvino_tensorflow_lite_frontend.so.$OPENVINO_SO" \
    'openvino/libs/libopenvino_intel_cpu_plugin.so' 'openvino/libs/libtbb.so.12' \
    -d .deps/unpack
  mv .deps/unpack/openvino "$DEPS"
  rmdir .deps/unpack
  ln -sf "libopenvino_c.so.$OPENVINO_SO" "$DEPS/libs/libopenvino_c.so"
  ln -sf "libopenvino.so.$OPENVINO_SO" "$DEPS/libs/libopenvino.so"
  echo "$STAMP" > "$DEPS/VERSION"
fi
say "ready (OpenVINO $OPENVINO_VERSION in $DEPS)"
