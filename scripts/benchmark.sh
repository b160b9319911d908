#!/usr/bin/env bash
# The benchmarks, each against a baseline in the same run, on the 1200x1200 example:
#  1. statistics collection against plain FP32 inference (same threads, same images):
#     extremes reduced in the graph (pot, minmax) and whole tensors with histograms
#     (quantile, kl, mse), each as s/image and ratio (each pass between two passes of
#     plain inference, ROUNDS rounds, the median); the histogram kernel's speed, peak
#     memory, the per-node-type profile; then NNCF's ratio to plain inference on the same
#     images (each the slope between 4 and IMAGES images, so start-up cancels, taken in
#     turns for ROUNDS rounds). The same at 300x300 without NNCF (RESOLUTIONS).
#  2. `calib run --workers 2` (1 thread each) against one worker with 2 threads, same
#     images, empty model caches: wall times, ratio, each worker's start-up (model
#     received, read, compiled) from its log, output bytes compared;
#  3. one coordinator against simulated workers (in a process of their own) returning
#     statistics of this model's size: 256 fetching the 80 MB model, 256 and 1024 with
#     the model cached; makespan against the ideal, false deaths, CPU per result, merge
#     throughput, peak memory. SIM_TRANSFER_1024=1 also runs 1024 fetching the model
#     (82 GB over loopback, about a minute).
# PARTS=1,2,3 (default all), IMAGES (collection, default 12), ROUNDS (default 2), RUN_IMAGES (default 24),
# RESOLUTIONS (part 1, default "1200 300"), NNCF=0 to skip NNCF.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
IMAGES=${IMAGES:-12}
RUN_IMAGES=${RUN_IMAGES:-24}
PARTS=${PARTS:-1,2,3}
swift build -c release --product calib
calib=.build/release/calib
mkdir -p example
[ -f example/ssd-resnet34_1200.xml ] || $calib example-model --resolution 1200 --output example/ssd-resnet34_1200.xml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Seconds `"$@"` takes, its output thrown away.
timed() {
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null 2>&1
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}

if [[ ,$PARTS, == *,1,* ]]; then
    $calib example-images --count "$IMAGES" --output example/bench-images > /dev/null
    for resolution in ${RESOLUTIONS:-1200 300}; do
        model=example/ssd-resnet34_$resolution.xml
        [ -f "$model" ] || $calib example-model --resolution "$resolution" --output "$model" > /dev/null
        echo "== 1. statistics collection against plain FP32 inference, ${resolution}x$resolution, $IMAGES images"
        $calib benchmark --model "$model" --data example/bench-images --threads "${THREADS:-2}" --rounds "${ROUNDS:-2}" --profile | tee "$out/bench.txt"
        if [ "$resolution" = 1200 ] && [ "${NNCF:-1}" = 1 ] && ((IMAGES > 4)); then
            echo "== 1b. NNCF 3.4.0 (DefaultQuantization, fast bias correction) on the same images and model"
            venv=$(scripts/peers/install.sh)
            # NNCF's seconds per image against plain inference's, each the slope between 4
            # and IMAGES images (start-up, image reading and saving cancel), taken in turns
            # (plain, NNCF, plain, NNCF) for ROUNDS rounds so that a drifting machine
            # slows both alike; the median of the rounds' ratios.
            nncf() { timed "$venv/bin/python" scripts/peers/nncf_quantize.py "$model" example/bench-images "$1" "$out/nncf_$1.xml"; }
            plain() { timed "$calib" infer --model "$model" --data example/bench-images --subset "$1" --threads "${THREADS:-2}"; }
            for round in $(seq "${ROUNDS:-2}"); do
                plain_few=$(plain 4)
                nncf_few=$(nncf 4)
                plain_all=$(plain "$IMAGES")
                nncf_all=$(nncf "$IMAGES")
                awk -v pf="$plain_few" -v nf="$nncf_few" -v pa="$plain_all" -v na="$nncf_all" -v n="$IMAGES" -v r="$round" 'BEGIN {
                    plain = (pa - pf) / (n - 4); nncf = (na - nf) / (n - 4)
                    printf "round %d: plain inference (calib infer) %.1f s with 4 images, %.1f s with %d: %.3f s/image; NNCF %.1f and %.1f s: %.3f s/image; ratio %.3f\n", r, pf, pa, n, plain, nf, na, nncf, nncf / plain }'
            done | tee "$out/nncf.txt"
            awk '{ print $NF }' "$out/nncf.txt" | sort -n | awk '{ ratios[NR] = $1 } END {
                median = (ratios[int((NR + 1) / 2)] + ratios[int(NR / 2) + 1]) / 2
                printf "NNCF: ratio %.3f to plain inference (median of %d rounds)\n", median, NR }'
        fi
    done
fi

if [[ ,$PARTS, == *,2,* ]]; then
    echo "== 2. --workers 2 (1 thread each) against 1 worker with 2 threads, $RUN_IMAGES images"
    $calib example-images --count "$RUN_IMAGES" --output example/run-images > /dev/null
    common=(run --model example/ssd-resnet34_1200.xml --data example/run-images --threads 2 --shard-size 1)
    # Each run starts with empty model caches: start-up (transfer, digest, compile) included.
    for workers in 1 2; do
        start=$(date +%s.%N)
        XDG_CACHE_HOME="$out/cache-$workers" $calib "${common[@]}" --workers "$workers" --output "$out/w$workers.xml" \
            > /dev/null 2> "$out/w$workers.log"
        end=$(date +%s.%N)
        awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }' > "$out/w$workers.seconds"
    done
    one=$(cat "$out/w1.seconds") two=$(cat "$out/w2.seconds")
    same=$(cmp -s "$out/w1.bin" "$out/w2.bin" && cmp -s "$out/w1.xml" "$out/w2.xml" && echo identical || echo DIFFERENT)
    echo "1 worker, 2 threads:    $one s"
    echo "2 workers, 1 thread:    $two s"
    awk -v a="$one" -v b="$two" 'BEGIN { printf "ratio 2 workers/1 worker: %.3f\n", b / a }'
    echo "output bytes:           $same"
    echo "worker start-up (from their logs):"
    grep -h "ready after" "$out/w1.log" "$out/w2.log" | sed 's/^.*\] /  /'
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
