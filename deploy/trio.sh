#!/usr/bin/env bash
# trio.sh - run the local deployment on 127.0.0.1 in the foreground: three servers (7379
# primary, 7380 and 7381 its replicas) and three sentinels (27379-27381, quorum 2) from
# configs/, each with its data and log under DATADIR (default: ./run). It waits until the
# replicas are in sync and the sentinels agree, prints how to connect, and stays in the
# foreground; Ctrl-C stops every process it started (by PID).
#
#   deploy/trio.sh [DATADIR]
set -euo pipefail
cd "$(dirname "$0")/.."
server=build/bin/vigil-server
sentinel=build/bin/vigil-sentinel
for b in "$server" "$sentinel"; do
    [ -x "$b" ] || { echo "trio: $b is missing: run deploy/setup.sh first" >&2; exit 1; }
done
command -v redis-cli >/dev/null || { echo "trio: redis-cli is missing (redis-tools)" >&2; exit 1; }
data=$(realpath -m "${1:-run}")

pids=()
names=()
stop_all() {
    trap - INT TERM EXIT
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
}
trap stop_all INT TERM EXIT

# Each process runs from its own copy of its config, made on the first start: a server's
# CONFIG REWRITE (which the sentinels send with every promotion or repointing) rewrites the
# copy, never configs/, and a restarted trio resumes the topology it had.
start() { # name binary config
    local name=$1 bin=$2 conf="$data/$1/$1.ini"
    mkdir -p "$data/$name"
    [ -f "$conf" ] || cp "$3" "$conf"
    "$bin" "$conf" --dir "$data/$name" --logfile "$data/$name/$name.log" &
    pids+=($!)
    names+=("$name")
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.2 s; every started process
# must stay alive meanwhile.
wait_for() {
    local secs=$1 what=$2
    shift 2
    for _ in $(seq $((secs * 5))); do
        "$@" && return 0
        for i in "${!pids[@]}"; do
            kill -0 "${pids[$i]}" 2>/dev/null || {
                echo "trio: ${names[$i]} exited; see $data/${names[$i]}/${names[$i]}.log" >&2
                exit 1
            }
        done
        sleep 0.2
    done
    echo "trio: timed out waiting for $what (logs under $data)" >&2
    exit 1
}

pong() { # port
    [ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ]
}

info_field() { # port field
    redis-cli -p "$1" info replication 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"
}

# The primary is whatever the sentinels agree on: 7379 on a first start; after a failover a
# restarted trio resumes the topology the sentinels left (they demote a returning old
# primary that comes back believing it is one).
primary=
replicas_in_sync() {
    [ -n "$primary" ] && [ "$(info_field "$primary" role)" = master ] || return 1
    local off
    off=$(info_field "$primary" master_repl_offset)
    [ "$(info_field "$primary" connected_slaves)" = 2 ] || return 1
    for p in 7379 7380 7381; do
        [ "$p" = "$primary" ] && continue
        [ "$(info_field $p master_port)" = "$primary" ] || return 1
        [ "$(info_field $p master_link_status)" = up ] || return 1
        [ "$(info_field $p slave_repl_offset)" = "$off" ] || return 1
    done
}

sentinels_agree() {
    primary=$(redis-cli -p 27379 sentinel get-master-addr-by-name mymaster 2>/dev/null |
        sed -n 2p)
    [ -n "$primary" ] || return 1
    for p in 27379 27380 27381; do
        redis-cli -p $p sentinel get-master-addr-by-name mymaster 2>/dev/null |
            tr '\n' ' ' | grep -q "^127.0.0.1 $primary \$" || return 1
        redis-cli -p $p sentinel ckquorum mymaster 2>/dev/null | grep -q '^OK 3 usable' || return 1
        [ "$(redis-cli -p $p sentinel replicas mymaster 2>/dev/null | grep -c '^name$')" = 2 ] ||
            return 1
    done
}

start primary "$server" configs/primary.ini
start replica-1 "$server" configs/replica-1.ini
start replica-2 "$server" configs/replica-2.ini
for p in 7379 7380 7381; do wait_for 30 "the server on $p" pong $p; done
for n in 1 2 3; do start "sentinel-$n" "$sentinel" "configs/sentinel-$n.ini"; done
wait_for 60 "the sentinels to agree" sentinels_agree
wait_for 60 "the replicas to sync" replicas_in_sync

others=()
for p in 7379 7380 7381; do [ "$p" = "$primary" ] || others+=("$p"); done
cat <<MSG
Vigil is running (data and logs in $data):
  primary    127.0.0.1:$primary          redis-cli -p $primary
  replicas   127.0.0.1:${others[0]}, :${others[1]}   redis-cli -p ${others[0]} info replication
  sentinels  127.0.0.1:27379-27381   redis-cli -p 27379 SENTINEL GET-MASTER-ADDR-BY-NAME mymaster
Press Ctrl-C to stop.
MSG
wait
