#!/bin/bash
# bench/persist.sh - what persistence costs, vigil-server next to Debian's redis-server:
# SET throughput per AOF policy, BGSAVE time and RDB size, and start-up load time.
# A script to run by hand, not a test.
#
# How to run (a Release build gives meaningful numbers; Debug/sanitizer builds do not):
#   cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2
#   bench/persist.sh                     # uses $VIGIL_SERVER or build/bin/vigil-server
#   bench/persist.sh path/to/vigil-server
#   ROUNDS=3 N=200000 KEYS=1000000 bench/persist.sh
#
# What it does, each server on a free 127.0.0.1 port in its own temp dir (--save ''
# --enable-debug-command yes), the two servers measured one after the other, never at once:
#   1. SET throughput: redis-benchmark -t set -c 50 -n N (200000) -r 100000, with -P 1 and
#      -P 16, under four configurations, each on freshly started servers, ROUNDS (3) rounds
#      alternating which server goes first; medians, and every round's figure:
#        appendonly no | appendonly yes + appendfsync no | everysec | always
#      (the AOF rows measure the write path: feed, write(2) before replies, fsync per policy;
#      on tmpfs fsync is free, so run it where /tmp is a real disk to see `always`).
#   2. BGSAVE of KEYS (1000000) keys made by DEBUG POPULATE: wall time from BGSAVE to
#      rdb_bgsave_in_progress:0, polled every 10 ms on one connection (INFO's
#      rdb_last_bgsave_time_sec has a 1 s resolution), checking rdb_last_bgsave_status:ok,
#      and the size of dump.rdb.
#   3. Start-up load of that dump.rdb: the server is stopped (no save: save '') and started
#      again on the same dir; time from exec to the first PING answered +PONG (not
#      -LOADING), polled every 10 ms, plus the server's own "DB loaded from disk" figure and
#      the DBSIZE it ends with.
# A step a server cannot do (vigil before its RDB loader, say) prints its error instead of
# a figure. Both servers are stopped by PID on exit (TERM, then KILL after 10 s).
set -euo pipefail

ROUNDS=${ROUNDS:-3}
N=${N:-200000}
KEYS=${KEYS:-1000000}

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init persist "${1:-}"

tmp=$(mktemp -d /tmp/vigil-persist-XXXXXX)
declare -A pid port
stop_one() { # name: TERM, then KILL after 10 s
    local name=$1 p i
    p=${pid[$name]:-}
    [ -n "$p" ] || return 0
    if kill -TERM "$p" 2>/dev/null; then
        for ((i = 0; i < 100; i++)); do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
    fi
    wait "$p" 2>/dev/null || true
    pid[$name]=
}
stop_all() {
    local name
    for name in "${!pid[@]}"; do stop_one "$name"; done
    rm -rf "$tmp"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

cli() { # name args...
    local name=$1
    shift
    redis-cli -h 127.0.0.1 -p "${port[$name]}" "$@"
}

# wait_pong PORT START_NS PID: prints the ms from START_NS (date +%s%N) to the first +PONG
# (-LOADING and refused connections are polled again every 10 ms, for 600 s at most);
# fails at once if PID exits (a file it refuses to load).
wait_pong() {
    "$PY" - "$1" "$2" "$3" <<'EOF'
import socket, sys, time
port, start_ns, pid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def alive():  # an exited child stays a zombie until bash reaps it
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
deadline = time.monotonic() + 600
while time.monotonic() < deadline and alive():
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"PING\r\n")
            if s.recv(64).startswith(b"+PONG"):
                print("%.0f" % ((time.time_ns() - start_ns) / 1e6))
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.01)
sys.exit(1)
EOF
}

start() { # name binary dir extra-args...: starts and waits for +PONG; prints ms to ready
    local name=$1 b=$2 dir=$3 t0
    shift 3
    port[$name]=$(free_port)
    mkdir -p "$dir"
    t0=$(date +%s%N)
    "$b" --bind 127.0.0.1 --port "${port[$name]}" --dir "$dir" --save '' \
        --enable-debug-command yes "$@" >>"$dir/log" 2>&1 &
    pid[$name]=$!
    if ! wait_pong "${port[$name]}" "$t0" "${pid[$name]}"; then
        echo "persist: $name ($b) did not start:" >&2
        tail -20 "$dir/log" >&2
        return 1
    fi
    kill -0 "${pid[$name]}" 2>/dev/null || { echo "persist: $name exited" >&2; return 1; }
}

set_rps() { # name extra-flags -> ops/s of redis-benchmark SET
    local name=$1 out r
    shift
    out=$(redis-benchmark -h 127.0.0.1 -p "${port[$name]}" -c 50 -n "$N" -r 100000 "$@" \
        --csv -t set 2>&1) || { echo "persist: redis-benchmark failed on $name: $out" >&2; exit 1; }
    r=$(printf '%s\n' "$out" | awk -F'"' 'NR > 1 && $4 != "" {print $4; exit}')
    [ -n "$r" ] || { echo "persist: no result from $name: $out" >&2; exit 1; }
    printf '%.0f' "$r"
}

echo "redis-server: $("$REDIS" --version | head -1)"
echo "vigil-server: $("$VIGIL" --version 2>/dev/null | head -1) ($VIGIL)"
echo "data dirs under $tmp ($(df -T "$tmp" | awk 'NR == 2 {print $2}'))"
echo

# ---- 1. SET throughput per AOF policy ----
configs=("appendonly no|--appendonly no"
    "aof fsync no|--appendonly yes --appendfsync no"
    "aof everysec|--appendonly yes --appendfsync everysec"
    "aof always|--appendonly yes --appendfsync always")
declare -A res=()
for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then order=(redis vigil); else order=(vigil redis); fi
    for idx in "${!configs[@]}"; do
        IFS='|' read -r _ args <<<"${configs[$idx]}"
        for name in "${order[@]}"; do
            b=$REDIS
            [ "$name" = vigil ] && b=$VIGIL
            rm -rf "${tmp:?}/$name"
            # shellcheck disable=SC2086 # args is a word list on purpose
            if start "$name" "$b" "$tmp/$name" $args >/dev/null; then
                res[$name,$idx,1,$round]=$(set_rps "$name" -P 1)
                res[$name,$idx,16,$round]=$(set_rps "$name" -P 16)
            else
                res[$name,$idx,1,$round]=0
                res[$name,$idx,16,$round]=0
            fi
            stop_one "$name"
        done
    done
    echo "round $round/$ROUNDS done" >&2
done
printf '%-16s %-6s %12s %12s %7s   %s\n' "config" "SET" "redis ops/s" "vigil ops/s" "v/r" \
    "(medians of $ROUNDS rounds; redis rounds / vigil rounds)"
printf '%-16s %-6s %12s %12s %7s\n' "------" "---" "-----------" "-----------" "---"
for idx in "${!configs[@]}"; do
    IFS='|' read -r label _ <<<"${configs[$idx]}"
    for p in 1 16; do
        declare -a rr=() vr=()
        for ((round = 1; round <= ROUNDS; round++)); do
            rr+=("${res[redis,$idx,$p,$round]}")
            vr+=("${res[vigil,$idx,$p,$round]}")
        done
        mr=$(median "${rr[@]}")
        mv=$(median "${vr[@]}")
        printf '%-16s %-6s %12s %12s %7.2f   %s / %s\n' "$label" "-P $p" "$mr" "$mv" \
            "$(awk -v a="$mv" -v b="$mr" 'BEGIN {print (b > 0 ? a / b : 0)}')" "${rr[*]}" "${vr[*]}"
    done
done
echo

# ---- 2. BGSAVE of KEYS keys, 3. loading it at start-up ----
# bgsave_ms PORT: BGSAVE, then poll INFO persistence every 10 ms; prints "ms status"
bgsave_ms() {
    "$PY" - "$1" <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
f = s.makefile("rb")
def call(*args):
    s.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
    line = f.readline()
    if line[:1] == b"$":
        return f.read(int(line[1:]) + 2)[:-2]
    return line.rstrip(b"\r\n")
t0 = time.monotonic()
reply = call(b"BGSAVE")
if not reply.startswith(b"+"):
    print("error", reply.decode(errors="replace")); sys.exit(0)
deadline = t0 + 1200
while time.monotonic() < deadline:
    info = dict(l.split(":", 1) for l in call(b"INFO", b"persistence").decode().split("\r\n")
                if ":" in l)
    if info.get("rdb_bgsave_in_progress") == "0":
        print("%.0f %s" % ((time.monotonic() - t0) * 1000, info.get("rdb_last_bgsave_status")))
        sys.exit(0)
    time.sleep(0.01)
print("timeout")
EOF
}

printf '%-8s %12s %14s %12s %16s %10s\n' "server" "BGSAVE ms" "dump.rdb bytes" "load ms" \
    "log: loaded in" "DBSIZE"
printf '%-8s %12s %14s %12s %16s %10s\n' "------" "---------" "--------------" "-------" \
    "--------------" "------"
for name in redis vigil; do
    b=$REDIS
    [ "$name" = vigil ] && b=$VIGIL
    dir=$tmp/$name-rdb
    rm -rf "$dir"
    start "$name" "$b" "$dir" --appendonly no >/dev/null || continue
    pop=$(cli "$name" debug populate "$KEYS" key 16 2>&1)
    [ "$pop" = OK ] || { echo "persist: DEBUG POPULATE on $name: $pop" >&2; stop_one "$name"; continue; }
    read -r save_ms status <<<"$(bgsave_ms "${port[$name]}")"
    [ "$save_ms" = error ] && echo "persist: $name BGSAVE: $status" >&2 && status=error
    size=$(stat -c %s "$dir/dump.rdb" 2>/dev/null || echo "-")
    [ "$status" = ok ] || save_ms="$save_ms($status)"
    stop_one "$name"
    load_ms=failed dbsize=-
    if [ ! -f "$dir/dump.rdb" ]; then
        load_ms=no-file
    elif start "$name" "$b" "$dir" --appendonly no >"$tmp/load_ms" 2>/dev/null; then
        load_ms=$(cat "$tmp/load_ms")
        dbsize=$(cli "$name" dbsize)
    else
        echo "persist: $name did not load its dump.rdb: $(grep ' # ' "$dir/log" | tail -1)" >&2
    fi
    stop_one "$name"
    loaded=$(grep -o 'DB loaded from disk: [0-9.]* seconds' "$dir/log" | tail -1 | awk '{print $5 " s"}' || true)
    printf '%-8s %12s %14s %12s %16s %10s\n' "$name" "$save_ms" "$size" "$load_ms" \
        "${loaded:--}" "$dbsize"
done
