#!/usr/bin/env bash
# setup.sh - on Debian 12, as root: install what is missing, build, and (with --test) run
# every test: the unit, integration and fuzz-replay suites in the normal build, then again
# in an ASan+UBSan build. This is the README's test command and what .ci/run calls.
#
#   deploy/setup.sh            install missing packages, build into build/
#   deploy/setup.sh --test     ... and run every fast test (both builds)
#   deploy/setup.sh --slow     ... and the slow drills too (ctest label "slow")
set -euo pipefail
cd "$(dirname "$0")/.."

mode=build
case "${1:-}" in
--test) mode=test ;;
--slow) mode=slow ;;
"") ;;
*) echo "usage: $0 [--test|--slow]" >&2; exit 2 ;;
esac

packages=(build-essential cmake pkg-config libev-dev libhiredis-dev libjemalloc-dev
    libinih-dev liblzf-dev check liblua5.1-0-dev redis-server redis-tools redis-sentinel python3-redis procps
    systemd iproute2)
# systemd: systemd-analyze verifies the units; iproute2: the drill's partition scenario.
# node and npm run the Node Sentinel clients of test_sentinel_clients.py; Debian's packages
# only when the commands are missing (a NodeSource nodejs already bundles npm and conflicts
# with Debian's npm package)
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: run as root (or install these packages first)" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq </dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi

jobs=2
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"

[ "$mode" = build ] && exit 0

# The Node clients (ioredis, node-redis), at the versions package-lock.json pins, into
# tests/integration/clients/node_modules; again only when the lockfile changed. Needs the
# npm registry; without it test_sentinel_clients.py fails and says so.
clients=tests/integration/clients
if [ ! -f "$clients/node_modules/.package-lock.json" ] ||
    [ "$clients/package-lock.json" -nt "$clients/node_modules/.package-lock.json" ]; then
    echo "setup: npm ci in $clients"
    (cd "$clients" && npm ci --no-audit --no-fund --loglevel=error) ||
        echo "setup: npm ci failed: integration.sentinel_clients will fail" >&2
fi

labels='unit|integration|fuzz'
[ "$mode" = slow ] && labels='unit|integration|fuzz|slow'

echo "setup: tests, release build"
ctest --test-dir build --output-on-failure -j"$jobs" -L "$labels"

echo "setup: tests, ASan+UBSan build"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DVIGIL_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" -L "$labels"
