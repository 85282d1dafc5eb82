#!/usr/bin/python3
"""test_clients.py - real Redis clients against vigil-server: redis-cli (commands, --stat,
--bigkeys, --no-raw INFO), redis-benchmark and redis-py (Debian's python3-redis 4.3.4, which
speaks RESP2 and sends no HELLO).

Run with Debian's /usr/bin/python3 (the pyenv python3 on PATH has no redis module):
    VIGIL_SERVER=build/bin/vigil-server /usr/bin/python3 tests/integration/test_clients.py
VIGIL_SERVER=/usr/bin/redis-server runs the same checks against the reference.

The server (itlib.Server) runs on a free loopback port in a temp dir and is stopped by PID
(TERM, then KILL after 10 s) in a finally block; its logs are scanned for sanitizer reports.
Every wait is bounded. Exit status 1 if any check failed.
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import Server, run_checks, vigil_binary  # noqa: E402


def run(args, timeout=30):
    return subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=timeout)


class Checks:
    def __init__(self, port):
        self.port = port
        self.cli = ["redis-cli", "-h", "127.0.0.1", "-p", str(port)]

    def check_cli_set_get(self):
        r = run(self.cli + ["set", "a", "b"])
        assert r.returncode == 0 and r.stdout == b"OK\n", f"set: rc {r.returncode} {r.stdout!r}"
        r = run(self.cli + ["get", "a"])
        assert r.returncode == 0 and r.stdout == b"b\n", f"get: rc {r.returncode} {r.stdout!r}"
        r = run(self.cli + ["get", "nosuchkey"])
        assert r.stdout == b"\n", f"get missing: {r.stdout!r}"  # nil prints empty in raw mode
        r = run(self.cli + ["--no-raw", "get", "nosuchkey"])
        assert r.stdout == b"(nil)\n", f"get missing (--no-raw): {r.stdout!r}"
        r = run(self.cli + ["incr", "a"])
        assert r.stdout.startswith(b"ERR value is not an integer"), f"incr: {r.stdout!r}"

    def check_cli_stat(self):
        # redis-cli --stat prints once a second and only stops on a signal; stdbuf keeps its
        # lines when its stdout is a pipe and timeout's SIGTERM ends it.
        r = run(["timeout", "3", "stdbuf", "-oL"] + self.cli + ["--stat"], timeout=15)
        out = r.stdout.decode(errors="replace")
        assert r.returncode == 124, f"--stat ended by itself (rc {r.returncode}):\n{out}"
        assert "------- data ------ --------------------- load" in out, f"no header:\n{out}"
        assert re.search(r"^keys\s+mem\s+clients\s+blocked\s+requests\s+connections", out, re.M), \
            f"no column line:\n{out}"
        rows = re.findall(r"^\d+\s+[\d.]+[BKMG]?\s+\d+\s+\d+\s+\d+ \(\+\d+\)\s+\d+", out, re.M)
        assert rows, f"no data line:\n{out}"
        assert "ERR" not in out and "rror" not in out, f"error in --stat:\n{out}"

    def check_cli_bigkeys(self):
        import redis
        r = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)
        r.mset({f"bk:{i}": "x" * (i * 10) for i in range(1, 101)})
        res = run(self.cli + ["--bigkeys"], timeout=30)
        out = res.stdout.decode(errors="replace")
        assert res.returncode == 0, f"--bigkeys rc {res.returncode}:\n{out}"
        assert "-------- summary -------" in out, f"no summary:\n{out}"
        assert re.search(r"Sampled \d+ keys in the keyspace!", out), f"no sample count:\n{out}"
        assert "Biggest string found '\"bk:100\"' has 1000 bytes" in out, f"wrong biggest:\n{out}"
        assert "ERR" not in out, f"error in --bigkeys:\n{out}"

    def check_cli_info(self):
        r = run(self.cli + ["--no-raw", "info", "server"])
        out = r.stdout.decode(errors="replace")
        assert r.returncode == 0, f"info rc {r.returncode}:\n{out}"
        assert "# Server" in out and "redis_version:" in out and "tcp_port:" in out, out
        assert f"tcp_port:{self.port}" in out, f"tcp_port is not {self.port}:\n{out}"

    def check_benchmark(self):
        r = run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(self.port),
                 "-t", "set,get,incr,mset", "-n", "20000", "-q"], timeout=90)
        out = r.stdout.decode(errors="replace")
        final = [ln.strip() for ln in re.split(r"[\r\n]", out) if "requests per second" in ln]
        assert r.returncode == 0, f"redis-benchmark rc {r.returncode}:\n{out}"
        assert "ERR" not in out and "error" not in out.lower(), f"errors:\n{out}"
        for test in ("SET", "GET", "INCR", "MSET (10 keys)"):
            line = next((ln for ln in final if ln.startswith(test + ":")), None)
            assert line, f"no result line for {test}:\n{out}"
            rps = float(re.search(r":\s*([\d.]+) requests per second", line).group(1))
            assert rps > 1000, f"{test}: implausible {rps} requests per second"
            print(f"  {line}")

    def check_redis_py(self):
        import redis
        r = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)
        assert r.ping() is True
        assert r.set("py:s", "hello") is True
        assert r.get("py:s") == b"hello"
        assert r.get("py:missing") is None
        assert r.incr("py:n") == 1 and r.incr("py:n", 41) == 42
        assert r.expire("py:s", 100) is True
        ttl = r.ttl("py:s")
        assert 0 < ttl <= 100, f"ttl {ttl}"
        assert r.ttl("py:n") == -1 and r.ttl("py:missing") == -2
        for i in range(50):
            r.set(f"py:scan:{i}", i)
        keys = set(r.scan_iter(match="py:scan:*", count=7))
        assert keys == {f"py:scan:{i}".encode() for i in range(50)}, f"scan_iter: {len(keys)} keys"
        p = r.pipeline(transaction=False)
        p.set("py:p1", "1").set("py:p2", "2").incr("py:p1").get("py:p1").mget("py:p1", "py:p2")
        assert p.execute() == [True, True, 2, b"2", [b"2", b"2"]]
        assert r.mget("py:p1", "py:missing", "py:p2") == [b"2", None, b"2"]
        info = r.info()
        assert info["redis_version"] and info["tcp_port"] == self.port, "info fields"
        assert "connected_clients" in r.info("clients")
        clients = r.client_list()
        assert clients and all("addr" in c and "id" in c for c in clients), f"client_list {clients}"
        assert r.config_get("maxmemory") == {"maxmemory": "0"}, r.config_get("maxmemory")
        try:
            r.execute_command("NOSUCHCOMMAND")
            raise AssertionError("unknown command did not raise")
        except redis.ResponseError as e:
            assert str(e).startswith("unknown command"), str(e)

    def check_memory_commands(self):
        """MEMORY STATS's map has Redis 7.0's fields in its order (redis-py parses the map, and
        the PING after it shows the frame held exactly what its header announced), with a
        db.N entry per non-empty database; MEMORY USAGE grows with the value."""
        import redis
        r = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)
        r.set("mem:k", "v")
        stats = r.memory_stats()
        assert r.ping() is True
        names = [k for k in stats if not k.startswith("db.")]
        assert names == [
            "peak.allocated", "total.allocated", "startup.allocated", "replication.backlog",
            "clients.slaves", "clients.normal", "cluster.links", "aof.buffer", "lua.caches",
            "functions.caches", "overhead.total", "keys.count", "keys.bytes-per-key",
            "dataset.bytes", "dataset.percentage", "peak.percentage", "allocator.allocated",
            "allocator.active", "allocator.resident", "allocator-fragmentation.ratio",
            "allocator-fragmentation.bytes", "allocator-rss.ratio", "allocator-rss.bytes",
            "rss-overhead.ratio", "rss-overhead.bytes", "fragmentation",
            "fragmentation.bytes"], names
        assert "db.0" in stats and stats["keys.count"] >= 1, stats
        small = r.memory_usage("mem:k")
        r.set("mem:k", "x" * 10000)
        big = r.memory_usage("mem:k")
        assert 0 < small < big and big >= 10000, (small, big)
        assert r.memory_usage("mem:missing") is None
        r.delete("mem:k")

    def check_latencystats(self):
        import redis
        r = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5, decode_responses=True)
        r.set_response_callback("INFO", lambda resp, **kw: resp)  # the raw text, not a dict

        def latency_lines():
            text = r.execute_command("INFO", "latencystats")
            assert text.startswith("# Latencystats\r\n"), f"no header:\n{text}"
            return re.findall(r"^latency_percentiles_usec_([^:]+):(.*?)\r?$", text, re.M)

        assert r.config_get("latency-tracking") == {"latency-tracking": "yes"}
        assert r.config_get("latency-tracking-info-percentiles") == \
            {"latency-tracking-info-percentiles": "50 99 99.9"}
        r.config_resetstat()
        for i in range(200):
            r.set(f"lat:{i}", "v" * i)
            r.get(f"lat:{i}")
        r.config_get("maxmemory")
        lines = dict(latency_lines())
        m = re.fullmatch(r"p50=(\d+\.\d{3}),p99=(\d+\.\d{3}),p99\.9=(\d+\.\d{3})",
                         lines.get("set", ""))
        assert m, f"no well-formed set line: {lines}"
        p50, p99, p999 = (float(v) for v in m.groups())
        assert 1.0 <= p50 <= p99 <= p999, f"set percentiles out of order: {m.group(0)}"
        assert "get" in lines and "config|get" in lines, f"missing commands: {lines}"
        # Same commands, same order as commandstats (INFO itself was not done yet above).
        stats = r.execute_command("INFO", "commandstats")
        called = [n for n in re.findall(r"^cmdstat_([^:]+):", stats, re.M) if n != "info"]
        assert [n for n, _ in latency_lines() if n != "info"] == called, \
            f"order differs from commandstats:\n{latency_lines()}\n{called}"

        r.config_set("latency-tracking-info-percentiles", "0 99.5")
        assert re.fullmatch(r"p0=\d+\.\d{3},p99\.5=\d+\.\d{3}", dict(latency_lines())["set"])
        r.config_set("latency-tracking-info-percentiles", "50 99 99.9")

        # Off: nothing is printed or recorded; RESETSTAT drops the histograms, so once
        # tracking is back on only the CONFIG SET that turned it on is there.
        r.config_set("latency-tracking", "no")
        r.config_resetstat()
        r.set("lat:off", "1")
        r.get("lat:off")
        assert latency_lines() == [], f"printed while off: {latency_lines()}"
        r.config_set("latency-tracking", "yes")
        assert [n for n, _ in latency_lines()] == ["config|set"], latency_lines()


def main():
    binary = vigil_binary()
    for tool in ("redis-cli", "redis-benchmark", "timeout", "stdbuf"):
        if not shutil.which(tool):
            print(f"{tool} not found", file=sys.stderr)
            return 2
    server = Server(binary)
    try:
        def server_alive(name):
            if server.proc.poll() is not None:
                return f"server exited (status {server.proc.returncode}) during {name}"
            return None
        failures = run_checks(Checks(server.port), sys.argv[1:], server_alive)
    finally:
        failures_stop = [f"server: {p}" for p in server.stop()]
    if failures_stop:
        print("\n".join(failures_stop))
    return 1 if failures or failures_stop else 0


if __name__ == "__main__":
    sys.exit(main())
