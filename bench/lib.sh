# bench/lib.sh - what the bench scripts share: the two servers compared, the tools they
# need, free ports and medians. Sourced by bench.sh, persist.sh and repl.sh.
PY=/usr/bin/python3

# bench_init NAME [VIGIL]: sets VIGIL (argument, $VIGIL_SERVER or the build tree) and REDIS
# ($REDIS_SERVER or Debian's), and exits 2 naming what is missing.
bench_init() {
    local name=$1 here tool
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    VIGIL=${2:-${VIGIL_SERVER:-$here/../build/bin/vigil-server}}
    REDIS=${REDIS_SERVER:-/usr/bin/redis-server}
    for tool in "$VIGIL" "$REDIS" redis-cli redis-benchmark "$PY"; do
        command -v "$tool" >/dev/null || { echo "$name: $tool not found" >&2; exit 2; }
    done
}

free_port() {
    "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

median() { # numbers... (lower middle for an even count)
    printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}
