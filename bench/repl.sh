#!/bin/bash
# bench/repl.sh - what replication costs, vigil-server next to Debian's redis-server:
# SET throughput on a primary with 0, 1 and 2 replicas, and the time a new replica takes
# to full-sync 1,000,000 keys. A script to run by hand, not a test.
#
#   bench/repl.sh                        # uses $VIGIL_SERVER or build/bin/vigil-server
#   ROUNDS=3 N=300000 KEYS=1000000 bench/repl.sh
#
# Each server family replicates from itself (vigil from vigil, redis from redis), every
# process on a free 127.0.0.1 port in its own temp dir with --save '' and
# --repl-diskless-sync-delay 0; families run one after the other, never at once.
#   1. SET: redis-benchmark -t set -c 50 -n N -r 100000 -P 16 on the primary, with 0, 1
#      and 2 replicas attached and in sync; ROUNDS rounds, medians. Also the CPU time
#      (user + system, from /proc) the primary and its first replica spend per 1,000,000
#      SETs: on a 2-core machine four busy processes share the cores, so throughput with
#      replicas measures the scheduler as much as the servers, and CPU per op does not.
#   2. Full sync: the primary holds KEYS keys (DEBUG POPULATE); a replica starts and the
#      time from its start to master_link_status:up (polled every 10 ms) is measured,
#      diskless (the default) and from disk.
# Every process is stopped by PID on exit (TERM, then KILL after 10 s).
set -euo pipefail

ROUNDS=${ROUNDS:-3}
N=${N:-300000}
KEYS=${KEYS:-1000000}

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init repl "${1:-}"

tmp=$(mktemp -d /tmp/vigil-repl-XXXXXX)
pids=()
stop_all() {
    local p i
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do
        for ((i = 0; i < 100; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    pids=()
}
trap 'stop_all; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# start BIN PORT [args...]: a server in its own dir; waits for PONG (or LOADING) for 30 s
start() {
    local bin=$1 p=$2 d
    shift 2
    d=$(mktemp -d "$tmp/n-XXXXXX")
    "$bin" --port "$p" --bind 127.0.0.1 --dir "$d" --save '' --enable-debug-command yes \
        --repl-diskless-sync-delay 0 "$@" >"$d/out.log" 2>&1 &
    pids+=($!)
    local i
    for ((i = 0; i < 3000; i++)); do
        redis-cli -p "$p" ping 2>/dev/null | grep -q -e PONG -e LOADING && return 0
        sleep 0.01
    done
    echo "repl: $bin did not start on $p" >&2
    exit 1
}

link_up() { redis-cli -p "$1" info replication | grep -q 'master_link_status:up'; }
wait_link() { # port: wait for the link to be up, 600 s at most
    local i
    for ((i = 0; i < 60000; i++)); do link_up "$1" && return 0; sleep 0.01; done
    echo "repl: replica on $1 never synced" >&2
    exit 1
}

cpu_ms() { # pid: user + system CPU time so far, in ms
    awk -v hz="$(getconf CLK_TCK)" '{printf "%d", ($14 + $15) * 1000 / hz}' "/proc/$1/stat"
}

set_rate() { # port
    redis-benchmark -p "$1" -t set -c 50 -n "$N" -r 100000 -P 16 -q 2>/dev/null |
        tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1 | cut -d' ' -f1 |
        cut -d. -f1
}

declare -A rate sync_ms cpu_p cpu_r
for family in redis vigil; do
    bin=$REDIS
    [ $family = vigil ] && bin=$VIGIL
    for nrep in 0 1 2; do
        samples=() cp=() cr=()
        for ((round = 1; round <= ROUNDS; round++)); do
            pp=$(free_port)
            start "$bin" "$pp"
            for ((r = 0; r < nrep; r++)); do
                rp=$(free_port)
                start "$bin" "$rp" --replicaof 127.0.0.1 "$pp"
                wait_link "$rp"
            done
            p0=$(cpu_ms "${pids[0]}") r0=0
            ((nrep > 0)) && r0=$(cpu_ms "${pids[1]}")
            samples+=("$(set_rate "$pp")")
            sleep 0.5 # the replicas finish applying the stream
            cp+=($((($(cpu_ms "${pids[0]}") - p0) * 1000000 / N)))
            ((nrep > 0)) && cr+=($((($(cpu_ms "${pids[1]}") - r0) * 1000000 / N)))
            stop_all
        done
        rate[$family,$nrep]=$(median "${samples[@]}")
        cpu_p[$family,$nrep]=$(median "${cp[@]}")
        ((nrep > 0)) && cpu_r[$family,$nrep]=$(median "${cr[@]}")
        echo "$family SET with $nrep replicas: ${samples[*]}" >&2
    done
    for mode in yes no; do
        pp=$(free_port)
        start "$bin" "$pp" --repl-diskless-sync "$mode"
        redis-cli -p "$pp" debug populate "$KEYS" >/dev/null
        rp=$(free_port)
        t0=$(date +%s%N)
        start "$bin" "$rp" --replicaof 127.0.0.1 "$pp"
        wait_link "$rp"
        t1=$(date +%s%N)
        sync_ms[$family,$mode]=$(((t1 - t0) / 1000000))
        [ "$(redis-cli -p "$rp" dbsize)" = "$KEYS" ] || { echo "repl: $family replica lost keys" >&2; exit 1; }
        stop_all
    done
done

printf '%-24s %12s %12s %6s\n' "SET -P 16 (ops/s)" redis vigil v/r
for nrep in 0 1 2; do
    r=${rate[redis,$nrep]} v=${rate[vigil,$nrep]}
    printf '%-24s %12s %12s %6s\n' "$nrep replicas" "$r" "$v" \
        "$(awk -v a="$v" -v b="$r" 'BEGIN {printf "%.2f", a / b}')"
done
printf '\n%-24s %12s %12s %6s\n' "CPU ms per 1M SETs" redis vigil v/r
for nrep in 0 1 2; do
    for who in primary replica; do
        [ $who = replica ] && ((nrep == 0)) && continue
        if [ $who = primary ]; then r=${cpu_p[redis,$nrep]} v=${cpu_p[vigil,$nrep]}
        else r=${cpu_r[redis,$nrep]} v=${cpu_r[vigil,$nrep]}; fi
        printf '%-24s %12s %12s %6s\n' "$who, $nrep replicas" "$r" "$v" \
            "$(awk -v a="$v" -v b="$r" 'BEGIN {printf "%.2f", a / b}')"
    done
done
printf '\n%-24s %12s %12s %6s\n' "full sync of $KEYS keys" "redis ms" "vigil ms" v/r
for mode in yes no; do
    label="diskless"
    [ $mode = no ] && label="from disk"
    r=${sync_ms[redis,$mode]} v=${sync_ms[vigil,$mode]}
    printf '%-24s %12s %12s %6s\n' "$label" "$r" "$v" \
        "$(awk -v a="$v" -v b="$r" 'BEGIN {printf "%.2f", a / b}')"
done
