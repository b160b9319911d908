#!/usr/bin/env bash
# The container test, from a bare machine: a Debian bookworm base image made with
# debootstrap (cached), the calib image (docker/Dockerfile), then a calibration with
# docker/compose.yaml (1 coordinator, 3 workers, CURVE on) during which one worker
# container is stopped; its int8 IR must be byte-identical to `calib run` in one process
# on the same inputs. Prints the image size and a worker container's start-up time.
# Removes its containers, network and files; keeps the base and calib images.
#   ./scripts/container-test.sh
# Environment: IMAGES (example images, default 48), WORKERS (default 3), BASE_IMAGE and
# IMAGE (the names of the base and the calib image).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

BASE_IMAGE=${BASE_IMAGE:-localhost/calib-base:bookworm-slim}
IMAGE=${IMAGE:-localhost/calib:latest}
PROJECT=calibtest
IMAGES=${IMAGES:-48}
WORKERS=${WORKERS:-3}
COMPOSE=(podman-compose -f "$ROOT/docker/compose.yaml" -p "$PROJECT")
START=$SECONDS

say() { echo "container-test: $*"; }
# Seconds since the `date +%s.%N` time $1, to the hundredth.
since() { awk -v now="$(date +%s.%N)" -v then="$1" 'BEGIN { printf "%.2f", now - then }'; }
fail() { echo "container-test: FAILED: $*" >&2; exit 1; }

# --- tools -------------------------------------------------------------------------
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
missing=()
for tool in podman runc debootstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq podman runc debootstrap >/dev/null
fi
command -v podman-compose >/dev/null || { say "installing podman-compose"; python3 -m pip install -q podman-compose; }

WORK=$(mktemp -d /tmp/calib-container-test.XXXXXX)
# crun fails on this machine's hybrid cgroups; the limits are what calib's sockets need.
cat >"$WORK/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
CONF
export CONTAINERS_CONF=$WORK/containers.conf

# The container of compose service $1.
service() {
  podman ps -a --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.service=$1" \
    --format '{{.Names}}'
}
# Removes the project's containers, workers first (they depend on the coordinator;
# `podman-compose down` knows only one replica of a scaled service), then its network.
remove_project() {
  local name
  for name in worker coordinator; do
    service "$name" | xargs -r podman rm -f -t 10 >/dev/null 2>&1 || true
  done
  "${COMPOSE[@]}" down >/dev/null 2>&1 || true
}
cleanup() {
  local status=$?
  remove_project
  podman rm -f calibtest-startup >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

# --- base image (cached) -----------------------------------------------------------
if podman image exists "$BASE_IMAGE"; then
  say "base image $BASE_IMAGE exists"
else
  say "making $BASE_IMAGE with debootstrap --variant=minbase bookworm"
  rootfs=$WORK/rootfs
  $SUDO debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$WORK/debootstrap.log" \
    || fail "debootstrap (log: $WORK/debootstrap.log)"
  # As the slim images do: packages installed later leave no documentation or manuals.
  $SUDO tee "$rootfs/etc/dpkg/dpkg.cfg.d/slim" >/dev/null <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
DPKG
  $SUDO tar -C "$rootfs" --numeric-owner --exclude=./var/cache/apt/archives/*.deb --exclude=./var/lib/apt/lists/* \
    --exclude=./usr/share/doc --exclude=./usr/share/man --exclude=./usr/share/info --exclude=./usr/share/locale \
    -c . | podman import --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
  $SUDO rm -rf "$rootfs"
fi

# --- calib image -------------------------------------------------------------------
BASE=$BASE_IMAGE PODMAN_BUILD_ARGS=--pull=never ./scripts/container-image.sh "$IMAGE"
size=$(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{ printf "%.1f MB", $1 / 1e6 }')
# The image has no ldd (Debian keeps it in libc-dev-bin); the loader lists the same.
unresolved=$(podman run --rm --entrypoint sh "$IMAGE" -c \
  'for f in /opt/calib/bin/calib /opt/calib/lib/*.so*; do /lib64/ld-linux-x86-64.so.2 --list "$f"; done | grep "not found" || true')
[ -z "$unresolved" ] || fail "libraries missing in the image: $unresolved"
CALIB=$ROOT/.build/release/calib

# --- inputs, keys, and the reference run in one process ------------------------------
JOB=$WORK/job
KEYS=$WORK/keys
mkdir -p "$JOB/out" "$KEYS" "$WORK/reference"
"$CALIB" example-model --resolution 300 --output "$JOB/model.xml" >/dev/null
"$CALIB" example-images --count "$IMAGES" --output "$JOB/images" >/dev/null
"$CALIB" keygen --output "$KEYS/coordinator.key" --name coordinator >/dev/null
"$CALIB" keygen --output "$KEYS/worker.key" --name worker >/dev/null
cat "$KEYS/worker.key.pub" "$KEYS/coordinator.key.pub" >"$KEYS/authorized_keys"
chown 10001:10001 "$KEYS"/*.key "$JOB/out"
say "reference: calib run in one process on $IMAGES images"
nice -n 10 "$CALIB" run --model "$JOB/model.xml" --data "$JOB/images" --output "$WORK/reference/model-int8.xml" \
  >/dev/null 2>"$WORK/reference.log" || fail "calib run: $(tail -3 "$WORK/reference.log")"

# --- a worker container's start-up: from `podman run` to its first heartbeat --------
# The worker rewrites its liveness file on every heartbeat, the first right after its
# hello; the file lies in a folder shared with the host, watched every 10 ms.
mkdir -p "$WORK/live"
chown 10001:10001 "$WORK/live"
startup=$(
  begin=$(date +%s.%N)
  podman run -d --name calibtest-startup --network none -v "$WORK/live:/live" "$IMAGE" \
    worker --connect tcp://127.0.0.1:5555 --no-cache --liveness-file /live/alive >/dev/null
  until grep -q "images" "$WORK/live/alive" 2>/dev/null; do sleep 0.01; done
  since "$begin"
)
stop_begin=$(date +%s.%N)
podman stop -t 10 calibtest-startup >/dev/null
stop_seconds=$(since "$stop_begin")
[ "$(podman inspect --format '{{.State.ExitCode}}' calibtest-startup)" = 0 ] || fail "an idle worker stopped with SIGTERM did not exit 0"
podman rm calibtest-startup >/dev/null

# --- the calibration with compose: the coordinator stopped, resumed, a worker stopped --
export CALIB_JOB=$JOB CALIB_KEYS=$KEYS CALIB_IMAGE=$IMAGE
OUTPUT=$JOB/out/model-int8.xml
# The coordinator's status (JSON), asked inside its container with its own key pair.
status() {
  local coordinator
  coordinator=$(service coordinator | head -1)
  [ -n "$coordinator" ] || return 1
  podman exec "$coordinator" calib status --connect tcp://127.0.0.1:5555 --json --timeout 2 \
    --secret-key /run/secrets/coordinator_key --server-key /run/secrets/coordinator_key_pub 2>/dev/null
}
# Polls the status until the Python expression $1 over `s` (the status) is truthy and
# prints its value; fails after 120 s or when compose (pid $2) has ended.
wait_for() {
  local value
  for _ in $(seq 600); do
    value=$(status | python3 -c "import json, sys; s = json.load(sys.stdin); v = $1; print(v if v else '')" 2>/dev/null || true)
    if [ -n "$value" ]; then echo "$value"; return 0; fi
    kill -0 "$2" 2>/dev/null || break
    sleep 0.2
  done
  fail "the status never showed $1 (compose log: $(tail -q -n 5 "$WORK"/compose-*.log))"
}
# Not --abort-on-container-exit: a stopped worker would stop the whole run, and so
# would the workers leaving when the coordinator says goodbye, before it writes the IR.
# Waits for compose (pid $1) to end; fails after 600 s.
wait_compose() {
  for _ in $(seq 3000); do
    if ! kill -0 "$1" 2>/dev/null; then wait "$1" || true; return 0; fi
    sleep 0.2
  done
  fail "compose still running after 600 s: $(tail -q -n 5 "$WORK"/compose-*.log)"
}
up() { "${COMPOSE[@]}" up --scale worker="$WORKERS" >"$WORK/compose-$1.log" 2>&1; }

say "podman-compose up: 1 coordinator, $WORKERS workers, CURVE; the coordinator is stopped mid-run"
compose_begin=$SECONDS
up 1 &
compose=$!
wait_for 's["imagesDone"] >= 3' "$compose" >/dev/null
coordinator=$(service coordinator)
stop_begin=$(date +%s.%N)
podman stop -t 10 "$coordinator" >/dev/null
coordinator_stop=$(since "$stop_begin")
coordinator_status=$(podman inspect --format '{{.State.ExitCode}}' "$coordinator")
left=$(cd "$JOB/out" && ls -A)
remove_project
wait "$compose" || true
[ "$coordinator_status" = 143 ] || fail "the stopped coordinator exited $coordinator_status, not 143 (SIGTERM)"
awk -v s="$coordinator_stop" 'BEGIN { exit !(s < 9) }' || fail "the coordinator took $coordinator_stop s to stop: killed, not terminated"
[ "$left" = "model-int8.xml.journal" ] || fail "a stopped coordinator must leave its journal and nothing else, not: $left"
say "stopped the coordinator mid-run after $coordinator_stop s: exit 143, out/ holds only its journal"

say "podman-compose up again: the coordinator resumes its journal; a worker is stopped mid-run"
up 2 &
compose=$!
# The worker to stop: one that is computing a shard and has finished one already.
host=$(wait_for '([w["host"] for w in s["workers"] if w["state"] == "working" and w["imagesDone"] >= 1] or [""])[0]' "$compose")
victim=$(podman ps --filter "id=$host" --format '{{.Names}}')
[ -n "$victim" ] || fail "no container has the id $host"
# Both roles' health checks, asked by hand (podman runs them from systemd timers, which
# this machine may not have).
for name in $(service coordinator) $(service worker); do
  podman healthcheck run "$name" >/dev/null 2>&1 || fail "health check of $name: $(podman healthcheck run "$name" 2>&1)"
done
stop_mid=$(date +%s.%N)
podman stop -t 10 "$victim" >/dev/null
victim_stop=$(since "$stop_mid")
victim_status=$(podman inspect --format '{{.State.ExitCode}}' "$victim")
victim_log=$(podman logs "$victim" 2>&1)
say "stopped $victim mid-run: exit $victim_status after $victim_stop s; it said:"
grep -E "SIGTERM|goodbye" <<<"$victim_log" | sed 's/^/    /'
wait_compose "$compose"
compose_seconds=$((SECONDS - compose_begin))
resumed=$(grep -Eo "resumed from journal [^ ]+: [1-9][0-9]* of [0-9]+ shards" "$WORK/compose-2.log") \
  || fail "the second coordinator did not take up the journal: $(grep -i journal "$WORK/compose-2.log")"
coordinator_status=$(podman inspect --format '{{.State.ExitCode}}' "$(service coordinator)")
[ "$coordinator_status" = 0 ] || fail "the coordinator exited $coordinator_status: $(tail -20 "$WORK/compose-2.log")"
say "the second coordinator took ${resumed#resumed from journal *: } from the journal"
for name in $(service worker); do
  [ "$(podman inspect --format '{{.State.ExitCode}}' "$name")" = 0 ] || fail "worker $name did not exit 0"
done
[ "$victim_status" = 0 ] || fail "the stopped worker exited $victim_status: $victim_log"
grep -q "said goodbye to the coordinator" <<<"$victim_log" || fail "the stopped worker did not say goodbye: $victim_log"
for part in xml bin; do
  cmp "${OUTPUT%.xml}.$part" "$WORK/reference/model-int8.$part" \
    || fail "the int8 .$part from compose differs from calib run's"
done

say "PASS: compose calibration ($WORKERS workers, CURVE; coordinator stopped and resumed, a worker stopped) gives the bytes of calib run"
say "image $IMAGE: $size"
say "worker container start-up (podman run to first heartbeat, after its hello): ${startup} s"
say "idle worker stop (podman stop, SIGTERM to exit 0): ${stop_seconds} s"
say "compose calibration, both runs: ${compose_seconds} s; whole test: $((SECONDS - START)) s"
