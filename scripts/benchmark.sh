#!/usr/bin/env bash
# The benchmarks, each against a baseline in the same run, on the 1200x1200 example:
#  1. statistics collection against plain FP32 inference (same threads): ratio, histogram
#     kernel speed, peak memory, and the per-node-type profile of plain against probed;
#  2. `calib run --workers 2` against one worker with 2 threads, same images: wall times
#     and ratio, output bytes compared;
#  3. one coordinator against simulated workers (in a process of their own) returning
#     statistics of this model's size: 256 fetching the 80 MB model, 256 and 1024 with
#     the model cached; makespan against the ideal, false deaths, CPU per result, merge
#     throughput, peak memory. SIM_TRANSFER_1024=1 also runs 1024 fetching the model
#     (82 GB over loopback, about a minute).
# PARTS=1,2,3 (default all), IMAGES (collection, default 8), RUN_IMAGES (default 6).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
IMAGES=${IMAGES:-8}
RUN_IMAGES=${RUN_IMAGES:-6}
PARTS=${PARTS:-1,2,3}
swift build -c release --product calib
calib=.build/release/calib
mkdir -p example
[ -f example/ssd-resnet34_1200.xml ] || $calib example-model --resolution 1200 --output example/ssd-resnet34_1200.xml

if [[ ,$PARTS, == *,1,* ]]; then
    echo "== 1. statistics collection against plain FP32 inference"
    $calib example-images --count "$IMAGES" --output example/bench-images
    $calib benchmark --model example/ssd-resnet34_1200.xml --data example/bench-images --threads "${THREADS:-2}" --profile
fi

if [[ ,$PARTS, == *,2,* ]]; then
    echo "== 2. --workers 2 (1 thread each) against 1 worker with 2 threads, $RUN_IMAGES images"
    $calib example-images --count "$RUN_IMAGES" --output example/run-images
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
    timed() {
        local start end
        start=$(date +%s.%N)
        "$@" > /dev/null 2>&1
        end=$(date +%s.%N)
        awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }'
    }
    common=(run --model example/ssd-resnet34_1200.xml --data example/run-images --threads 2 --shard-size 1)
    # Each run starts with empty model caches: start-up (transfer, digest, compile) included.
    one=$(XDG_CACHE_HOME="$out/cache-one" timed $calib "${common[@]}" --workers 1 --output "$out/one.xml")
    two=$(XDG_CACHE_HOME="$out/cache-two" timed $calib "${common[@]}" --workers 2 --output "$out/two.xml")
    same=$(cmp -s "$out/one.bin" "$out/two.bin" && cmp -s "$out/one.xml" "$out/two.xml" && echo identical || echo DIFFERENT)
    echo "1 worker, 2 threads:    $one s"
    echo "2 workers, 1 thread:    $two s"
    awk -v a="$one" -v b="$two" 'BEGIN { printf "ratio 2 workers/1 worker: %.2f\n", b / a }'
    echo "output bytes:           $same"
fi

if [[ ,$PARTS, == *,3,* ]]; then
    simulate() {
        echo "== 3. one coordinator, $1 simulated workers, $2 images, ${*:3}"
        $calib benchmark-coordinator --workers "$1" --images "$2" --shard-size 2 --seconds-per-image 1 "${@:3}" 2> /dev/null
    }
    simulate 256 1024
    simulate 256 1024 --model-cached
    simulate 1024 4096 --model-cached
    [ "${SIM_TRANSFER_1024:-0}" = 1 ] && simulate 1024 4096
fi
