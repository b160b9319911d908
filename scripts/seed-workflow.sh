#!/usr/bin/env bash
# The seed's three steps (../shared/seed/) with calib alone, on the built-in example:
#   1. the network as ONNX (MLPerf's resnet34-ssd1200.onnx, written by calib) with the
#      single [1,N,7] output the seed's modify_onnx_model.py adds;
#   2. `calib convert` with the seed's Model Optimizer options (FP16, mean, scale, shape);
#   3. `calib run -c` with the users' POT configuration, only its data_source changed,
#      on example images named after MLPerf's calibration list with a COCO instances file;
# then `calib eval -c` shows the int8 IR running on int8 kernels in OpenVINO.
#
#   scripts/seed-workflow.sh [POT-CONFIG.json [cali.txt]]   (RESOLUTION=1200 IMAGES=8)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh >/dev/null
config=${1:-../shared/reference/ssd_resnet34_1200_int8_simplified.json}
list=${2:-../shared/reference/coco_cal_images_list.txt}
for file in "$config" "$list"; do
    [ -f "$file" ] || { echo "seed-workflow: $file not found: give your POT configuration and cali.txt as arguments" >&2; exit 2; }
done
config=$(realpath "$config") list=$(realpath "$list")
RESOLUTION=${RESOLUTION:-1200}
IMAGES=${IMAGES:-8}
swift build -c release --product calib >/dev/null
calib=$(pwd)/.build/release/calib
work=out/seed-workflow
rm -rf "$work" && mkdir -p "$work/FP16" "$work/annotations" && cd "$work"

echo "== 1. the network as ONNX (written by calib, as MLPerf publishes it)"
$calib example-model --resolution "$RESOLUTION" --output resnet34-ssd1200.onnx
echo "== 2. calib convert with the seed's Model Optimizer options"
$calib convert resnet34-ssd1200.onnx --output FP16/ssd-resnet34_fp16_3outputs.xml --input image \
    --mean-values 123.675,116.28,103.53 --scale-values 58.395,57.12,57.375 --input-shape "1,3,$RESOLUTION,$RESOLUTION" --fp16
$calib prepare --single-output FP16/ssd-resnet34_fp16_3outputs.xml --output FP16/ssd-resnet34_fp16.xml
echo "== 3. images named after MLPerf's list, their COCO instances, and the POT configuration"
$calib example-images --count "$IMAGES" --names "$list" --output train2017 \
    --instances annotations/cali_instances_train2017.json
# Only the paths change (and the resize, when the example is not made at 1200).
sed -e 's|"/data/coco/train2017"|"train2017"|' -e "s|\"size\": 1200|\"size\": $RESOLUTION|" "$config" > config.json
diff "$config" config.json || true
$calib run -c config.json --output-dir results
echo "== the int8 IR in OpenVINO"
$calib eval -c config.json --model results/optimized/ssd-resnet34_int8.xml
