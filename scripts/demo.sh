#!/usr/bin/env bash
# Sets everything up, then runs calib's main job on the built-in example: the
# ssd-resnet34 example IR at 1200x1200, a few dozen COCO-named example images, and a
# full calibration (POT DefaultQuantization, performance preset) by a coordinator and
# two local worker processes, writing the int8 IR.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
RESOLUTION=${RESOLUTION:-1200}
IMAGES=${IMAGES:-24}
# Local worker processes, a CPU group each; their health shows on the progress line. With
# the default method they cost what one process does; with --save-stats or a histogram
# method, a few seconds more start-up (README, "Distributed runtime, measured").
WORKERS=${WORKERS:-2}
echo "demo: building calib (release; a few minutes the first time)"
swift build -c release --product calib --quiet
calib=.build/release/calib
mkdir -p example/int8
$calib example-model --resolution "$RESOLUTION" --output "example/ssd-resnet34_$RESOLUTION.xml"
names=../shared/reference/coco_cal_images_list.txt  # MLPerf's calibration list, where present
if [ -f "$names" ]; then
  $calib example-images --count "$IMAGES" --names "$names" --output example/images
else
  $calib example-images --count "$IMAGES" --output example/images
fi
$calib run --model "example/ssd-resnet34_$RESOLUTION.xml" --data example/images --subset "$IMAGES" \
  --output "example/int8/ssd-resnet34_${RESOLUTION}_int8.xml" --workers "$WORKERS"
