#!/usr/bin/env bash
# Fetches networks with real pretrained weights that ship inside PyPI packages, for the
# tests of `calib convert` (the first two) and calibration accuracy against NNCF (all):
#   .deps/pretrained/ppocr-det.onnx   PP-OCRv4 text detector (ONNX; rapidocr-onnxruntime 1.4.4)
#   .deps/pretrained/blazeface.tflite BlazeFace short-range face detector (TFLite; mediapipe 0.10.14)
#   .deps/pretrained/ppocr-cls.onnx   PP-OCR text direction classifier (ONNX; rapidocr-onnxruntime)
#   .deps/pretrained/palm.tflite      palm detector, lite (TFLite; mediapipe)
#   .deps/pretrained/pose.tflite      pose detector (TFLite; mediapipe)
# The wheels and the files taken from them are pinned by SHA-256; nothing is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=.deps/pretrained
download=.deps/download
mkdir -p "$dir" "$download"

# fetch WHEEL SHA256 PIP-SPEC MEMBER TARGET MEMBER-SHA256 [PLATFORM]
fetch() {
    local wheel=$1 wheel_sha=$2 spec=$3 member=$4 target=$5 member_sha=$6 platform=${7:-}
    if [ -f "$dir/$target" ] && echo "$member_sha  $dir/$target" | sha256sum -c --status; then return; fi
    if [ ! -f "$download/$wheel" ] || ! echo "$wheel_sha  $download/$wheel" | sha256sum -c --status; then
        echo "pretrained-models: downloading $spec"
        rm -f "$download/$wheel"
        python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
            ${platform:+--platform "$platform"} -d "$download" "$spec"
    fi
    echo "$wheel_sha  $download/$wheel" | sha256sum -c --status || { echo "pretrained-models: sha256 mismatch for $wheel"; exit 1; }
    unzip -p "$download/$wheel" "$member" > "$dir/$target.partial"
    echo "$member_sha  $dir/$target.partial" | sha256sum -c --status || { echo "pretrained-models: sha256 mismatch for $member"; exit 1; }
    mv "$dir/$target.partial" "$dir/$target"
}

fetch rapidocr_onnxruntime-1.4.4-py3-none-any.whl \
    971d7d5f223a7a808662229df1ef69893809d8457d834e6373d3854bc1782cbf rapidocr-onnxruntime==1.4.4 \
    rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx ppocr-det.onnx \
    d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9
fetch mediapipe-0.10.14-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl \
    a807328339e7356fda0bb14df12fedbf1d33bdf81649c5f8666b0026b1cc30b4 mediapipe==0.10.14 \
    mediapipe/modules/face_detection/face_detection_short_range.tflite blazeface.tflite \
    bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8 manylinux_2_17_x86_64
fetch rapidocr_onnxruntime-1.4.4-py3-none-any.whl \
    971d7d5f223a7a808662229df1ef69893809d8457d834e6373d3854bc1782cbf rapidocr-onnxruntime==1.4.4 \
    rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx ppocr-cls.onnx \
    e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c
fetch mediapipe-0.10.14-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl \
    a807328339e7356fda0bb14df12fedbf1d33bdf81649c5f8666b0026b1cc30b4 mediapipe==0.10.14 \
    mediapipe/modules/palm_detection/palm_detection_lite.tflite palm.tflite \
    e9a4aaddf90dda56a87235303cf00e4c2d3fb28725f68fd88772997dac905c18 manylinux_2_17_x86_64
fetch mediapipe-0.10.14-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl \
    a807328339e7356fda0bb14df12fedbf1d33bdf81649c5f8666b0026b1cc30b4 mediapipe==0.10.14 \
    mediapipe/modules/pose_detection/pose_detection.tflite pose.tflite \
    9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c manylinux_2_17_x86_64
echo "pretrained-models: ready in $dir"
