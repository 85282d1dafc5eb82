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
    systemd)
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

labels='unit|integration|fuzz'
[ "$mode" = slow ] && labels='unit|integration|fuzz|slow'

echo "setup: tests, release build"
ctest --test-dir build --output-on-failure -j"$jobs" -L "$labels"

echo "setup: tests, ASan+UBSan build"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DVIGIL_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" -L "$labels"
