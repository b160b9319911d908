#!/usr/bin/env bash
# Coverage-guided fuzzing of calib's decoders with libFuzzer (not part of CI).
#
#   scripts/fuzz.sh TARGET SECONDS   fuzz one target: message statistics journal ir image
#   scripts/fuzz.sh all SECONDS      fuzz every target, one after the other
#   scripts/fuzz.sh seeds            rewrite Tests/Fuzz/Corpus with the project's encoders
#
# SwiftPM cannot build libFuzzer binaries, so this compiles the module sources a target
# needs with `swiftc -sanitize=fuzzer,address` into .build-fuzz/ (git-ignored). A run
# starts from the committed seeds plus what earlier runs found (.build-fuzz/corpus/),
# with the target's dictionary from Tests/Fuzz/Dictionaries/ if it has one,
# prints executions and crashes, and exits non-zero when it found a crash, hang or
# out-of-memory, whose input it keeps in .build-fuzz/crashes/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly build=.build-fuzz
readonly targets=(message statistics journal ir image)
# Low priority: the machine is shared.
readonly nice=(nice -n 15)

usage() {
    echo "usage: $0 {message|statistics|journal|ir|image|all} SECONDS | $0 seeds" >&2
    exit 2
}

# The sources of a module, as far as the fuzz targets need it: Protocol without
# ZeroMQ, Coordinator's journal and Worker's images without OpenVINO. swift-crypto is not
# built here: its SHA-256 is stood in for by Core's (the same digests), which is all the
# decoders under test need.
module_sources() {
    case $1 in
        Core) find Sources/Core -name '*.swift' ;;
        Protocol)
            find Sources/Protocol/Messages Sources/Protocol/Transfer -name '*.swift'
            echo Sources/Protocol/Files/PosixFile.swift
            echo Tests/Fuzz/Support/CryptoSHA256.swift
            ;;
        Coordinator) find Sources/Coordinator/Journal -name '*.swift' ;;
        Worker) find Sources/Worker/Images Sources/Worker/Files -name '*.swift' ;;
    esac | sort
}

# The modules a target's file imports, dependencies first.
target_modules() {
    case $1 in
        message) echo Core Protocol ;;
        statistics | ir) echo Core ;;
        journal) echo Core Protocol Coordinator ;;
        image) echo Core Protocol Worker ;;
        seeds) echo Core Protocol Coordinator Worker ;;
    esac
}

target_file() {
    case $1 in
        message) echo Tests/Fuzz/Targets/MessageFuzz.swift ;;
        statistics) echo Tests/Fuzz/Targets/StatisticsFuzz.swift ;;
        journal) echo Tests/Fuzz/Targets/JournalFuzz.swift ;;
        ir) echo Tests/Fuzz/Targets/IRFuzz.swift ;;
        image) echo Tests/Fuzz/Targets/ImageFuzz.swift ;;
        seeds) echo Tests/Fuzz/Seeds/SeedCorpusWriter.swift ;;
    esac
}

# Compiles the C target CPNGShim (libpng's regular API, which the Worker's PNG decoder
# calls) into FOLDER with the C flags that match FLAGS, and writes its module map there.
build_png_shim() {
    local folder=$1 sanitize=$2
    local object=$folder/CPNGShim.o source=Sources/CPNGShim/CPNGShim.c
    mkdir -p "$folder/CPNGShim"
    printf 'module CPNGShim {\n    header "%s"\n    link "png16"\n    export *\n}\n' \
        "$PWD/Sources/CPNGShim/include/CPNGShim.h" >"$folder/CPNGShim/module.modulemap"
    if [[ -f $object && $object -nt $source ]]; then
        return
    fi
    echo "compiling CPNGShim ($folder)"
    local flags=(-O1 -c)
    [[ -n $sanitize ]] && flags+=("-fsanitize=$sanitize")
    "${nice[@]}" clang "${flags[@]}" -I Sources/CPNGShim/include "$source" -o "$object"
}

# Compiles MODULE into FOLDER (a .swiftmodule and one object) with FLAGS, unless the
# object is newer than every source.
build_module() {
    local module=$1 folder=$2
    shift 2
    local sources
    mapfile -t sources < <(module_sources "$module")
    local object=$folder/$module.o
    if [[ -f $object && -z $(find "${sources[@]}" -newer "$object") ]]; then
        return
    fi
    echo "compiling $module ($folder)"
    "${nice[@]}" swiftc "$@" -parse-as-library -wmo -module-name "$module" -I "$folder" \
        -I Sources/CTurboJPEG -I Sources/CPNG -I "$folder/CPNGShim" \
        -emit-module -emit-module-path "$folder/$module.swiftmodule" -c "${sources[@]}" -o "$object"
}

# Builds the executable of TARGET (a fuzz target, or `seeds`) and prints its path.
build_target() {
    local target=$1 folder flags
    local modules objects=() sanitize
    if [[ $target == seeds ]]; then
        folder=$build/plain
        flags=(-O)
        sanitize=""
    else
        folder=$build/fuzzer
        flags=(-O '-sanitize=fuzzer,address')
        sanitize=fuzzer-no-link,address
    fi
    mkdir -p "$folder"
    read -ra modules <<<"$(target_modules "$target")"
    if [[ " ${modules[*]} " == *" Worker "* ]]; then
        build_png_shim "$folder" "$sanitize" >&2
        objects+=("$folder/CPNGShim.o")
    fi
    for module in "${modules[@]}"; do
        build_module "$module" "$folder" "${flags[@]}" >&2
        objects+=("$folder/$module.o")
    done
    local executable=$folder/$target
    "${nice[@]}" swiftc "${flags[@]}" -use-ld=lld -parse-as-library -I "$folder" -I Sources/CTurboJPEG -I Sources/CPNG \
        -I "$folder/CPNGShim" \
        "$(target_file "$target")" "${objects[@]}" -o "$executable" >&2
    echo "$executable"
}

# Fuzzes TARGET for SECONDS; returns non-zero when libFuzzer found a problem.
fuzz() {
    local target=$1 seconds=$2
    local executable corpus=$build/corpus/$target crashes=$build/crashes/$target log=$build/logs/$target.log
    executable=$(build_target "$target")
    mkdir -p "$corpus" "$crashes" "$(dirname "$log")"
    cp -n Tests/Fuzz/Corpus/"$target"/* "$corpus"/
    echo "fuzzing $target for $seconds s (log: $log)"
    local options=()
    if [[ -f Tests/Fuzz/Dictionaries/$target.dict ]]; then
        options+=(-dict="Tests/Fuzz/Dictionaries/$target.dict")
    fi
    local status=0
    # Leak checking is off: the Swift runtime keeps metadata caches for the whole
    # process, which are not leaks; timeouts and memory limits stay on. Swift's own
    # backtracer is off so a trap reaches libFuzzer's handler, which keeps the input.
    ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no "${nice[@]}" "$executable" "$corpus" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$crashes/" "${options[@]}" >"$log" 2>&1 || status=$?
    local executions rate found
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    found=$(find "$crashes" -type f | wc -l)
    echo "$target: ${executions:-?} executions, ${rate:-?} exec/s, corpus $(find "$corpus" -type f | wc -l) files," \
        "$found crash inputs in $crashes, libFuzzer exit $status"
    if ((status != 0)); then
        grep -m 5 -E 'ERROR|Fatal error|SUMMARY|Test unit written' "$log" >&2 || true
    fi
    return "$status"
}

case ${1:-} in
    seeds)
        (($# == 1)) || usage
        writer=$(build_target seeds)
        "$writer" Tests/Fuzz/Corpus
        ;;
    all)
        (($# == 2)) || usage
        failed=0
        for target in "${targets[@]}"; do
            fuzz "$target" "$2" || failed=1
        done
        exit "$failed"
        ;;
    message | statistics | journal | ir | image)
        (($# == 2)) || usage
        fuzz "$1" "$2"
        ;;
    *) usage ;;
esac
