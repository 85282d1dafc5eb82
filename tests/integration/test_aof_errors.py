#!/usr/bin/python3
"""test_aof_errors.py - the AOF when things go wrong.

  truncated_tail      a half-written last command: loaded with Redis's warnings (and the
                      offset), the file cut back to the last whole command
  truncated_refused   the same with aof-load-truncated no: the server refuses to start
  garbage_middle      garbage between commands: refused, "Bad file format" with the offset
  missing_file        a manifest naming a file that does not exist: refused
  killed_rewrite      the rewrite child killed with SIGKILL: status err, nothing lost, no temp
  disk_full           a small tmpfs fills: aof_last_write_status:err and -MISCONF "Errors
                      writing to the AOF file: No space left on device"; once space is freed
                      the buffered writes go out and writes work again (needs root: mount)

Run: VIGIL_SERVER=build/bin/vigil-server /usr/bin/python3 tests/integration/test_aof_errors.py
"""
import os
import signal
import subprocess
import sys
import time

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import (  # noqa: E402 - the shared fixture
    TempDirs, free_port, run_checks, vigil_binary, wait_until)
from test_aof import Proc, assert_reloads, assert_same, dataset  # noqa: E402 - same process helper


def incr_path(d, seq=1):
    return os.path.join(d, "appendonlydir", f"appendonly.aof.{seq}.incr.aof")


def start_fails(binary, d, *opts):
    """Start a server expected to refuse: its exit code and log."""
    log = os.path.join(d, "refused.log")
    if os.path.exists(log):
        os.unlink(log)
    conf = os.path.join(d, "refused.ini")
    with open(conf, "w") as f:
        f.write(f"[server]\nbind = 127.0.0.1\nport = {free_port()}\n")
    p = subprocess.Popen([binary, conf, "--dir", d, "--save", "", "--logfile", log,
                          *[str(o) for o in opts]], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        rc = p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait(timeout=10)
        raise AssertionError("the server started although it should have refused")
    with open(log, errors="replace") as f:
        return rc, f.read()


class Checks(TempDirs):
    def __init__(self, binary):
        self.binary = binary
        super().__init__("vigil-aoferr-")

    def written(self):
        """A dir with an AOF of a few keys, and the data."""
        d = self.tmp()
        p = Proc(self.binary, d, "--appendonly", "yes", "--aof-use-rdb-preamble", "no")
        try:
            for i in range(20):
                p.r.set(b"k%d" % i, b"v%d" % i)
            p.r.rpush(b"l", b"a", b"b")
            want = dataset(p.r)
        finally:
            p.stop()
        return d, want

    def check_truncated_tail(self):
        d, want = self.written()
        good = os.path.getsize(incr_path(d))
        with open(incr_path(d), "ab") as f:
            f.write(b"*3\r\n$3\r\nSET\r\n$4\r\nlost\r\n$5\r\nval")
        p = Proc(self.binary, d, "--appendonly", "yes")
        try:
            assert_same(dataset(p.r), want)
            logs = p.logs()
            assert "!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!" in logs, logs
            assert f"!!! Truncating the AOF appendonly.aof.1.incr.aof at offset {good} !!!" in logs, logs
            assert "AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled" in logs
            assert os.path.getsize(incr_path(d)) == good
            p.r.set(b"new", b"1")  # appended after the cut: the file is whole again
            want[(0, b"new")] = ("string", b"1", False, -1)
        finally:
            p.stop()
        # an unterminated MULTI at the end counts as truncated too
        with open(incr_path(d), "ab") as f:
            f.write(b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$2\r\ntx\r\n$1\r\n1\r\n")
        p = Proc(self.binary, d, "--appendonly", "yes")
        try:
            assert_same(dataset(p.r), want)
            assert "Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof" in p.logs()
        finally:
            p.stop()

    def check_truncated_refused(self):
        d, _ = self.written()
        with open(incr_path(d), "ab") as f:
            f.write(b"*3\r\n$3\r\nSET\r\n$4\r\nlo")
        size = os.path.getsize(incr_path(d))
        rc, log = start_fails(self.binary, d, "--appendonly", "yes", "--aof-load-truncated", "no")
        assert rc != 0, rc
        assert "Unexpected end of file reading the append only file appendonly.aof.1.incr.aof" in log, log
        assert os.path.getsize(incr_path(d)) == size  # untouched

    def check_garbage_middle(self):
        d, _ = self.written()
        with open(incr_path(d), "rb") as f:
            data = f.read()
        cut = data.index(b"*3\r\n$3\r\nSET\r\n$2\r\nk5\r\n")
        with open(incr_path(d), "wb") as f:
            f.write(data[:cut] + b"this is not a command\r\n" + data[cut:])
        rc, log = start_fails(self.binary, d, "--appendonly", "yes")
        assert rc != 0, rc
        assert ("Bad file format reading the append only file appendonly.aof.1.incr.aof: make a "
                "backup of your AOF file, then use ./vigil-check-aof --fix "
                "<filename.manifest>") in log, log
        assert f"The last valid command of appendonly.aof.1.incr.aof ends at offset {cut}" in log, log

    def check_missing_file(self):
        d, _ = self.written()
        os.unlink(incr_path(d))
        rc, log = start_fails(self.binary, d, "--appendonly", "yes")
        assert rc != 0 and "The AOF file appendonly.aof.1.incr.aof doesn't exist" in log, log

    def check_killed_rewrite(self):
        d = self.tmp()
        p = Proc(self.binary, d, "--appendonly", "yes", "--aof-use-rdb-preamble", "no")
        try:
            for i in range(3000):
                p.r.set(b"k%d" % i, i)
            p.r.config_set("rdb-key-save-delay", 2000)  # 6 s of child work
            p.r.execute_command("BGREWRITEAOF")
            assert p.info()["aof_rewrite_in_progress"] == 1
            with open(f"/proc/{p.proc.pid}/task/{p.proc.pid}/children") as f:
                kids = [int(x) for x in f.read().split()]
            assert len(kids) == 1, kids
            p.r.set(b"during", b"1")
            os.kill(kids[0], signal.SIGKILL)
            assert wait_until(lambda: p.info()["aof_rewrite_in_progress"] == 0, 10)
            info = p.info()
            assert info["aof_last_bgrewrite_status"] == "err", info
            assert info["aof_rewrites_consecutive_failures"] == 1 and info["aof_rewrites"] == 0
            p.r.set(b"after", b"1")
            want = dataset(p.r)
            assert "Background AOF rewrite terminated by signal" in p.logs()
        finally:
            p.stop()
        assert not [f for f in os.listdir(d) if f.startswith("temp-")], os.listdir(d)
        assert_reloads(self.binary, d, want)

    def check_disk_full(self):
        mnt = self.tmp()
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt],
                           capture_output=True, text=True)
        assert r.returncode == 0, f"cannot mount a tmpfs (needs root): {r.stderr}"
        p = None
        try:
            d = os.path.join(mnt, "data")
            os.mkdir(d)
            p = Proc(self.binary, d, "--appendonly", "yes", "--aof-use-rdb-preamble", "no")
            # leave about 100 kB free
            filler = os.path.join(mnt, "filler")
            st = os.statvfs(mnt)
            with open(filler, "wb") as f:
                f.write(b"\0" * (st.f_bavail * st.f_frsize - 100 * 1024))
            acked = {}
            err = None
            for i in range(100):
                try:
                    p.r.set(b"big%d" % i, b"x" * 20000)
                    acked[b"big%d" % i] = True
                except redis.ResponseError as e:
                    err = str(e)
                    break
            assert err == "MISCONF Errors writing to the AOF file: No space left on device", err
            assert p.info()["aof_last_write_status"] == "err"
            assert p.info()["aof_buffer_length"] > 0
            try:
                p.r.ping()
                raise AssertionError("PING was accepted during a disk error")
            except redis.ResponseError as e:
                assert str(e).startswith("MISCONF Errors writing to the AOF file"), e
            assert p.r.get(b"big0") == b"x" * 20000  # reads still work
            os.unlink(filler)
            assert wait_until(lambda: p.info()["aof_last_write_status"] == "ok", 5), p.info()
            assert p.r.set(b"after", b"1")
            want = dataset(p.r)
            assert len(acked) >= 2 and all((0, k) in want for k in acked)
            assert "AOF write error looks solved, Redis can write again." in p.logs()
            p.stop()
            p = Proc(self.binary, d, "--appendonly", "yes")
            assert_same(dataset(p.r), want)
        finally:
            if p:
                p.stop()
            subprocess.run(["umount", mnt], check=False)


def main():
    checks = Checks(vigil_binary())
    try:
        return 1 if run_checks(checks, sys.argv[1:]) else 0
    finally:
        checks.cleanup()


if __name__ == "__main__":
    sys.exit(main())
