#!/bin/bash
# bench/bench.sh - vigil-server next to Debian's redis-server: throughput, server CPU time per
# request, and memory per key. A script to run by hand, not a test.
#
# How to run (a Release build gives meaningful numbers; Debug/sanitizer builds do not):
#   cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2
#   bench/bench.sh                      # uses $VIGIL_SERVER or build/bin/vigil-server
#   bench/bench.sh path/to/vigil-server
#   ROUNDS=5 N=200000 NP=2000000 KEYS=500000 bench/bench.sh
#
# What it does: starts both servers on free 127.0.0.1 ports in a temp dir (persistence off:
# --save '' --appendonly no; --enable-debug-command yes), then ROUNDS rounds (default 3),
# alternating which server goes first, of redis-benchmark rows:
#   SET, GET, INCR, MSET   -c 50 -n N (100000)           -r 100000 (random keys)
#   SET, GET               -c 50 -n NP (1000000) -P 16   -r 100000
#   LPUSH, LPOP, SADD, HSET, ZADD, LRANGE_100 (first 100 of a list redis-benchmark fills
#   first), ZRANGE 0 99 of a 1000-member sorted set   -c 50 -n N -r 100000
# For each row it prints the median ops/s of each server over the rounds, the ratio
# vigil/redis, and each server's CPU time per request in microseconds (utime+stime of the
# server PID from /proc/PID/stat before and after the row, divided by the requests; medians).
# Then it FLUSHALLs both, loads KEYS (1000000) keys with 16-byte values (DEBUG POPULATE on
# both if both have it, else the same pipelined SET stream through redis-cli --pipe) and
# prints used_memory before/after and bytes per key; then AGG (100000) hashes of 10 small
# fields and AGG sorted sets of 10 members each, loaded with redis-cli --pipe, with bytes
# per key (the compact listpack encodings on both servers). Both servers are stopped by PID on
# exit (TERM, then KILL after 10 s), whatever happens. On 2 cores the client competes with
# the server for CPU: compare the two columns, not the absolute numbers.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
N=${N:-100000}
NP=${NP:-1000000}
KEYS=${KEYS:-1000000}
AGG=${AGG:-100000}
CLK_TCK=$(getconf CLK_TCK)

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init bench "${1:-}"

tmp=$(mktemp -d /tmp/vigil-bench-XXXXXX)
declare -A pid port
stop_all() {
    local name p i
    for name in "${!pid[@]}"; do
        p=${pid[$name]}
        kill -TERM "$p" 2>/dev/null || continue
        for ((i = 0; i < 100; i++)); do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

cli() { # name args...
    local name=$1
    shift
    redis-cli -h 127.0.0.1 -p "${port[$name]}" "$@"
}

start() { # name binary
    local name=$1 bin=$2 i
    port[$name]=$(free_port)
    mkdir -p "$tmp/$name"
    "$bin" --bind 127.0.0.1 --port "${port[$name]}" --dir "$tmp/$name" --save '' \
        --appendonly no --enable-debug-command yes >"$tmp/$name/log" 2>&1 &
    pid[$name]=$!
    for ((i = 0; i < 100; i++)); do
        [ "$(cli "$name" ping 2>/dev/null)" = PONG ] && return 0
        kill -0 "${pid[$name]}" 2>/dev/null || break
        sleep 0.1
    done
    echo "bench: $name ($bin) did not start:" >&2
    cat "$tmp/$name/log" >&2
    exit 1
}

cpu_ticks() { # pid -> utime+stime in clock ticks (fields 14 and 15; comm may hold spaces)
    sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

# Row definitions: label | redis-benchmark test (or "cmd:" and a command line) | requests |
# extra flags
rows=("SET|set|$N|" "GET|get|$N|" "INCR|incr|$N|" "MSET (10 keys)|mset|$N|"
    "SET -P 16|set|$NP|-P 16" "GET -P 16|get|$NP|-P 16"
    "LPUSH|lpush|$N|" "LPOP|lpop|$N|" "SADD|sadd|$N|" "HSET|hset|$N|" "ZADD|zadd|$N|"
    "LRANGE_100|lrange_100|$N|" "ZRANGE 0 99|cmd:ZRANGE zbench 0 99|$N|")
declare -A rps cpu

run_row() { # name row-index round
    local name=$1 idx=$2 round=$3 label test n flags out before after r
    IFS='|' read -r label test n flags <<<"${rows[$idx]}"
    before=$(cpu_ticks "${pid[$name]}")
    local what=(-t "$test")
    # shellcheck disable=SC2206 # a custom command line is split into its words on purpose
    [[ $test == cmd:* ]] && what=(${test#cmd:})
    # shellcheck disable=SC2086 # flags is a word list on purpose
    out=$(redis-benchmark -h 127.0.0.1 -p "${port[$name]}" -c 50 -n "$n" -r 100000 $flags \
        --csv "${what[@]}" 2>&1) || { echo "bench: redis-benchmark failed on $name: $out" >&2; exit 1; }
    after=$(cpu_ticks "${pid[$name]}")
    r=$(printf '%s\n' "$out" | awk -F'"' 'NR > 1 && $4 != "" {print $4; exit}')
    [ -n "$r" ] || { echo "bench: no result from $name for $label: $out" >&2; exit 1; }
    rps[$name,$idx,$round]=$r
    cpu[$name,$idx,$round]=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$n" \
        'BEGIN {printf "%.3f", t / hz * 1e6 / n}')
}

start redis "$REDIS"
start vigil "$VIGIL"
for name in redis vigil; do # the sorted set the ZRANGE row reads
    seq 1 1000 | awk '{printf "ZADD zbench %d member:%d\n", $1, $1}' | cli "$name" >/dev/null
done
echo "redis-server: $("$REDIS" --version | head -1)"
echo "vigil-server: $("$VIGIL" --version 2>/dev/null | head -1) ($VIGIL)"
echo "rounds=$ROUNDS  -c 50  -r 100000  n=$N (pipelined n=$NP)  CPU per request = server utime+stime"
echo

for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then order=(redis vigil); else order=(vigil redis); fi
    for idx in "${!rows[@]}"; do
        for name in "${order[@]}"; do
            run_row "$name" "$idx" "$round"
        done
    done
    echo "round $round/$ROUNDS done" >&2
done

printf '%-16s %12s %12s %7s %12s %12s\n' "test" "redis ops/s" "vigil ops/s" "v/r" "redis us/req" \
    "vigil us/req"
printf '%-16s %12s %12s %7s %12s %12s\n' "----" "-----------" "-----------" "---" "------------" \
    "------------"
for idx in "${!rows[@]}"; do
    IFS='|' read -r label _ _ _ <<<"${rows[$idx]}"
    declare -a rr=() vr=() rc=() vc=()
    for ((round = 1; round <= ROUNDS; round++)); do
        rr+=("${rps[redis,$idx,$round]}")
        vr+=("${rps[vigil,$idx,$round]}")
        rc+=("${cpu[redis,$idx,$round]}")
        vc+=("${cpu[vigil,$idx,$round]}")
    done
    mr=$(median "${rr[@]}")
    mv=$(median "${vr[@]}")
    printf '%-16s %12.0f %12.0f %7.2f %12.3f %12.3f\n' "$label" "$mr" "$mv" \
        "$(awk -v a="$mv" -v b="$mr" 'BEGIN {print (b > 0 ? a / b : 0)}')" \
        "$(median "${rc[@]}")" "$(median "${vc[@]}")"
    printf '%-16s %s\n' "" "redis rounds: ${rr[*]}   vigil rounds: ${vr[*]}"
done
echo

# ---- memory per key ----
used_memory() {
    cli "$1" info memory | tr -d '\r' | awk -F: '$1 == "used_memory" {print $2}'
}

loader_stream() { # KEYS "SET key:i <16 bytes>" commands in RESP, for redis-cli --pipe
    awk -v n="$KEYS" 'BEGIN {
        for (i = 0; i < n; i++) {
            k = "key:" i
            v = sprintf("%016d", i)
            printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$16\r\n%s\r\n", length(k), k, v
        }
    }'
}

method=populate
for name in redis vigil; do
    cli "$name" flushall >/dev/null
    if ! cli "$name" debug populate 0 key 16 2>&1 | grep -q '^OK$'; then method=pipe; fi
done
printf '%-8s %14s %14s %14s %10s   (%d keys, 16-byte values, %s)\n' "server" "used_memory" \
    "after load" "delta" "bytes/key" "$KEYS" \
    "$([ $method = populate ] && echo 'DEBUG POPULATE' || echo 'SET via redis-cli --pipe')"
for name in redis vigil; do
    cli "$name" flushall >/dev/null
    before=$(used_memory "$name")
    if [ $method = populate ]; then
        cli "$name" debug populate "$KEYS" key 16 >/dev/null
    else
        loader_stream | cli "$name" --pipe >"$tmp/pipe.log" 2>&1 ||
            { echo "bench: loading $name failed:" >&2; cat "$tmp/pipe.log" >&2; exit 1; }
    fi
    after=$(used_memory "$name")
    dbsize=$(cli "$name" dbsize)
    [ "$dbsize" = "$KEYS" ] || echo "bench: warning: $name holds $dbsize keys, not $KEYS" >&2
    printf '%-8s %14s %14s %14s %10.1f\n' "$name" "$before" "$after" "$((after - before))" \
        "$(awk -v d=$((after - before)) -v n="$KEYS" 'BEGIN {print d / n}')"
done

# ---- memory per aggregate: AGG small hashes and AGG small sorted sets ----
agg_stream() { # kind: hash | zset -> AGG commands of 10 fields/members each, as RESP
    awk -v n="$AGG" -v kind="$1" 'BEGIN {
        for (i = 0; i < n; i++) {
            k = kind ":" i
            printf "*22\r\n"
            if (kind == "hash") printf "$4\r\nHSET\r\n"; else printf "$4\r\nZADD\r\n"
            printf "$%d\r\n%s\r\n", length(k), k
            for (j = 0; j < 10; j++) {
                f = "field:" j; v = sprintf("value-%06d", i)
                if (kind == "hash") {
                    printf "$%d\r\n%s\r\n$%d\r\n%s\r\n", length(f), f, length(v), v
                } else {
                    s = sprintf("%d.5", j); m = "member:" j
                    printf "$%d\r\n%s\r\n$%d\r\n%s\r\n", length(s), s, length(m), m
                }
            }
        }
    }'
}
echo
printf '%-14s %14s %14s %10s   (%d keys of 10 fields/members)\n' "server" "used_memory" \
    "delta" "bytes/key" "$AGG"
for kind in hash zset; do
    for name in redis vigil; do
        cli "$name" flushall >/dev/null
        before=$(used_memory "$name")
        agg_stream "$kind" | cli "$name" --pipe >"$tmp/pipe.log" 2>&1 ||
            { echo "bench: loading $name failed:" >&2; cat "$tmp/pipe.log" >&2; exit 1; }
        after=$(used_memory "$name")
        enc=$(cli "$name" object encoding "$kind:0")
        printf '%-14s %14s %14s %10.1f   (%s)\n' "$name $kind" "$after" "$((after - before))" \
            "$(awk -v d=$((after - before)) -v n="$AGG" 'BEGIN {print d / n}')" "$enc"
    done
done
