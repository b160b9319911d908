#!/usr/bin/env bash
# Builds the calib container image (docker/Dockerfile) from a release build on this
# host: stages the executable, the Swift runtime libraries it links and the OpenVINO
# libraries a worker needs into a build context, then runs `podman build`.
#   ./scripts/container-image.sh [IMAGE]     # default localhost/calib:latest
# Environment: BASE (the Dockerfile's base image), PODMAN_BUILD_ARGS (extra arguments,
# e.g. --pull=never).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${1:-localhost/calib:latest}
BASE=${BASE:-docker.io/library/debian:bookworm-slim}
CONTEXT=.build/container-context
OPENVINO_LIBS=.deps/openvino/libs
# What a worker loads: the C API and the core (linked), TBB (linked by the core), the
# CPU plugin and the IR frontend (loaded by name from the core's folder).
OPENVINO_NEEDED=(libopenvino_c.so.2641 libopenvino.so.2641 libtbb.so.12 libopenvino_intel_cpu_plugin.so
  libopenvino_ir_frontend.so.2641)

say() { echo "container-image: $*"; }

./scripts/setup.sh >/dev/null
say "swift build -c release --product calib"
nice -n 10 swift build -c release --product calib >/dev/null
executable=.build/release/calib

rm -rf "$CONTEXT"
mkdir -p "$CONTEXT/bin" "$CONTEXT/lib"
cp "$executable" "$CONTEXT/bin/calib"
strip --strip-unneeded "$CONTEXT/bin/calib"
for name in "${OPENVINO_NEEDED[@]}"; do
  cp "$OPENVINO_LIBS/$name" "$CONTEXT/lib/"
done
# The Swift runtime: every library ldd resolves into the toolchain's own folder.
toolchain_libs=$(cd "$(dirname "$(readlink -f "$(command -v swift)")")/../lib/swift/linux" && pwd)
swift_libs=$(ldd "$executable" | awk -v dir="$toolchain_libs/" 'index($3, dir) == 1 { print $3 }')
[ -n "$swift_libs" ] || { say "ldd found no Swift runtime libraries of $executable in $toolchain_libs"; exit 1; }
for lib in $swift_libs; do cp "$lib" "$CONTEXT/lib/"; done
say "context: $(du -sh "$CONTEXT" | cut -f1) ($(find "$CONTEXT/lib" -type f | wc -l) libraries)"

previous=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
# shellcheck disable=SC2086 # PODMAN_BUILD_ARGS is a list of words.
nice -n 10 podman build --format docker --build-arg "BASE=$BASE" ${PODMAN_BUILD_ARGS:-} \
  -f docker/Dockerfile -t "$IMAGE" "$CONTEXT"
# The image this build replaced would be left untagged: remove it (kept when a container uses it).
if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect --format '{{.Id}}' "$IMAGE")" ]; then
  podman rmi "$previous" >/dev/null 2>&1 || true
fi
say "built $IMAGE: $(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{ printf "%.1f MB", $1 / 1e6 }')"
