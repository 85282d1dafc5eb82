#!/usr/bin/python3
"""test_cmdline.py - vigil-server's command line, config file and log file, from outside:

  version_help       --version and --help exit 0 and say what they are
  check_config       --check-config accepts a good file and reports a bad one with
                     file:line, exiting non-zero without listening
  bad_override       an unknown --name or a bad value exits non-zero before listening
  override_wins      --name value overrides the file (CONFIG GET shows it)
  rewrite            CONFIG SET + CONFIG REWRITE update the INI in place, keep comments and
                     order, and add new options to their section
  shipped_configs    every configs/*.ini passes --check-config (servers with vigil-server,
                     sentinel-*.ini with vigil-sentinel)
  logfile_reopen     after the log file is moved away (logrotate without copytruncate), the
                     next line lands in a new file at the configured path

Run: VIGIL_SERVER=build/bin/vigil-server /usr/bin/python3 tests/integration/test_cmdline.py
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import Server, free_port, run_checks, wait_until  # noqa: E402

BIN = os.environ.get("VIGIL_SERVER", "")


def run(args, timeout=10):
    return subprocess.run([BIN, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=timeout)


def redis_cli(port, *args):
    r = subprocess.run(["redis-cli", "-p", str(port), *args], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=10)
    return r.stdout.decode().strip()


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def port_is_listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


class Checks:
    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="vigil-cmdline-")

    def check_version_help(self):
        r = run(["--version"])
        assert r.returncode == 0 and r.stdout.startswith(b"vigil-server v="), r.stdout
        r = run(["--help"])
        assert r.returncode == 0 and b"Usage: vigil-server" in r.stdout, r.stdout

    def check_check_config(self):
        good = os.path.join(self.tmp, "good.ini")
        write(good, "# a comment\n[server]\nport = 7777\n[memory]\nmaxmemory = 2gb\n")
        r = run([good, "--check-config"])
        assert r.returncode == 0, r.stdout
        bad = os.path.join(self.tmp, "bad.ini")
        write(bad, "[server]\nport = 7777\n\n[memory]\nmaxmemory = lots\n")
        r = run([bad, "--check-config"])
        out = r.stdout.decode()
        assert r.returncode != 0, out
        assert f"{bad}:5:" in out and "maxmemory" in out, out
        write(bad, "[server]\nnosuchoption = 1\n")
        r = run([bad, "--check-config"])
        assert r.returncode != 0 and f"{bad}:2:" in r.stdout.decode(), r.stdout

    def check_shipped_configs(self):
        confdir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "configs")
        names = sorted(n for n in os.listdir(confdir) if n.endswith(".ini"))
        assert "primary.ini" in names and "sentinel-1.ini" in names, names
        sentinel = os.environ.get("VIGIL_SENTINEL", "")
        for name in names:
            binary = sentinel if name.startswith("sentinel") else BIN
            if not binary:
                continue
            r = subprocess.run([binary, os.path.join(confdir, name), "--check-config"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=10)
            assert r.returncode == 0, (name, r.stdout)

    def check_bad_override(self):
        port = free_port()
        for args in (["--port", str(port), "--nosuch", "1"], ["--port", str(port), "--hz", "x"],
                     ["--port", "99999"]):
            r = run(args)
            assert r.returncode != 0, f"{args}: exited 0"
            assert b"command line" in r.stdout or b"port" in r.stdout, r.stdout
        assert not port_is_listening(port)

    def check_override_wins(self):
        srv = Server(BIN, ("--maxmemory", "5mb", "--save", ""))
        try:
            assert redis_cli(srv.port, "config", "get", "maxmemory") == "maxmemory\n5242880"
            assert redis_cli(srv.port, "config", "get", "save") == "save"
        finally:
            assert not srv.stop()

    def check_rewrite(self):
        srv = Server(BIN)
        conf = os.path.join(srv.dir, "vigil.ini")
        try:
            with open(conf) as f:
                before = f.read()
            assert redis_cli(srv.port, "config", "set", "maxmemory", "10mb",
                             "slowlog-max-len", "7") == "OK"
            assert redis_cli(srv.port, "config", "rewrite") == "OK"
            with open(conf) as f:
                after = f.read()
            assert "maxmemory = 10485760" in after, after
            assert "slowlog-max-len = 7" in after, after
            assert after.index("[server]") < after.index("slowlog-max-len"), after
            for line in before.splitlines():
                if line.startswith(("[", "#", "port", "bind")):
                    assert line in after, f"lost {line!r}:\n{after}"
            r = run([conf, "--check-config"])
            assert r.returncode == 0, r.stdout
        finally:
            assert not srv.stop()

    def check_logfile_reopen(self):
        log = os.path.join(self.tmp, "vigil.log")
        srv = Server(BIN, ("--logfile", log, "--loglevel", "verbose"))
        try:
            assert wait_until(lambda: os.path.exists(log), 5)
            os.rename(log, log + ".1")
            redis_cli(srv.port, "ping")  # "Accepted ..." at verbose level
            assert wait_until(lambda: os.path.exists(log), 5), "no new log file"
            with open(log) as f:
                assert "Accepted" in f.read()
        finally:
            assert not srv.stop()


def main():
    if not BIN:
        print("set VIGIL_SERVER to the vigil-server binary", file=sys.stderr)
        return 2
    checks = Checks()
    try:
        failures = run_checks(checks, sys.argv[1:])
    finally:
        shutil.rmtree(checks.tmp, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
