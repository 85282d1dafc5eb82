#!/usr/bin/env bash
# trio.sh - run the local deployment on 127.0.0.1 in the foreground; Ctrl-C stops every
# process it started (by PID).
#
# The full trio (primary 7379, replicas 7380/7381, sentinels 27379-27381, quorum 2) comes
# with the replication and sentinel issues; today it starts the primary, vigil-server on
# 127.0.0.1:7379, with its data under DATADIR (default: ./run).
#
#   deploy/trio.sh [DATADIR]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/bin/vigil-server
[ -x "$bin" ] || { echo "trio: $bin is missing: run deploy/setup.sh first" >&2; exit 1; }
data=$(realpath -m "${1:-run}")
mkdir -p "$data/primary"

pids=()
stop_all() {
    trap - INT TERM EXIT
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
}
trap stop_all INT TERM EXIT

"$bin" configs/primary.ini --dir "$data/primary" --logfile "$data/primary/vigil.log" &
pids+=($!)

for _ in $(seq 100); do
    redis-cli -p 7379 ping >/dev/null 2>&1 && break
    kill -0 "${pids[0]}" 2>/dev/null || { echo "trio: vigil-server exited; see $data/primary/vigil.log" >&2; exit 1; }
    sleep 0.1
done

cat <<MSG
Vigil is running (data and logs in $data):
  primary   127.0.0.1:7379   redis-cli -p 7379
Press Ctrl-C to stop.
MSG
wait "${pids[0]}"
