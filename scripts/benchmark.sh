#!/usr/bin/env bash
# Statistics collection against plain FP32 inference on the 1200x1200 example model,
# same threads, one run; prints the ratio, the histogram kernel speed and peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
IMAGES=${IMAGES:-8}
swift build -c release --product calib
calib=.build/release/calib
mkdir -p example
[ -f example/ssd-resnet34_1200.xml ] || $calib example-model --resolution 1200 --output example/ssd-resnet34_1200.xml
$calib example-images --count "$IMAGES" --output example/bench-images
$calib benchmark --model example/ssd-resnet34_1200.xml --data example/bench-images --threads "${THREADS:-2}"
