"""test_sentinel_state.py - vigil-sentinel's state file (<dir>/sentinel-state) across restarts.

Checked through the wire and on disk: a restart keeps the sentinel id, the current epoch and
its vote, masters added by SENTINEL MONITOR, masters removed by SENTINEL REMOVE (even those
of the config), SENTINEL SET and CONFIG SET values, learned replicas and sentinels; the
config file's bytes never change; a master whose config address changed starts fresh; a
corrupt state file stops the start with "file:line: what"; a state file that cannot be
written makes SET/FLUSHCONFIG answer "Failed to save config file. Check server logs.".
Run with /usr/bin/python3; VIGIL_SERVER and VIGIL_SENTINEL name the binaries.
"""
import hashlib
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402
from itlib import call, connect  # noqa: E402
from test_sentinel_commands import VigilSentinel, pairs  # noqa: E402

PEER = "d" * 40
VOTED = "e" * 40


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def master(s, name):
    return dict(pairs(call(s, "sentinel", "master", name)))


class Checks:
    def __init__(self):
        self.procs = []

    def setup(self):
        self.primary = itlib.Server(itlib.vigil_binary())
        self.procs.append(self.primary)
        self.replica = itlib.Server(itlib.vigil_binary(),
                                    extra=["--replicaof", "127.0.0.1", str(self.primary.port)])
        self.procs.append(self.replica)

    def sentinel(self, monitors, state_text=None):
        s = VigilSentinel(monitors, state_text=state_text)
        self.procs.append(s)
        return s

    def stop_all(self):
        problems = []
        for p in reversed(self.procs):
            problems += p.stop()
        self.procs = []
        return "; ".join(problems) or None

    def mon(self, port=None, quorum=1):
        return ("mymaster", "127.0.0.1", port or self.primary.port, quorum,
                {"down-after-milliseconds": 2000})

    def check_restart_keeps_state(self):
        p = self.primary.port
        learned = (f"version 1\ncurrent-epoch 7\nmaster mymaster\n"
                   f"  origin config 127.0.0.1 {p}\n  address 127.0.0.1 {p}\n"
                   f"  config-epoch 3\n  vote {VOTED} 7\n"
                   f"  known-replica 127.0.0.1 {self.replica.port}\n"
                   f"  known-sentinel 127.0.0.1 1 {PEER}\n")
        gone = ("gone", "127.0.0.1", 2, 1, {})
        s = self.sentinel([self.mon(), gone], learned)
        conf_hash = sha(s.conf)
        c = connect(s.port)
        myid = call(c, "sentinel", "myid")
        assert len(myid) == len(b"$40\r\n") + 40 + 2, myid
        assert call(c, "sentinel", "monitor", "added", "127.0.0.1", "3", "2") == b"+OK\r\n"
        assert call(c, "sentinel", "set", "added", "auth-pass", "a b\"c", "quorum", "3",
                    "failover-timeout", "12345") == b"+OK\r\n"
        assert call(c, "sentinel", "set", "mymaster", "quorum", "2",
                    "down-after-milliseconds", "1500") == b"+OK\r\n"
        assert call(c, "sentinel", "remove", "gone") == b"+OK\r\n"
        assert call(c, "sentinel", "config", "set", "announce-ip", "10.0.0.5") == b"+OK\r\n"
        c.close()
        for _ in range(2):  # twice: a restart from a state written by a restarted sentinel
            s.restart()
            c = connect(s.port)
            assert call(c, "sentinel", "myid") == myid
            m = master(c, "mymaster")
            assert (m["quorum"], m["down-after-milliseconds"], m["config-epoch"]) == \
                ("2", "1500", "3"), m
            assert (m["num-slaves"], m["num-other-sentinels"]) == ("1", "1"), m
            a = master(c, "added")
            assert (a["ip"], a["port"], a["quorum"], a["failover-timeout"]) == \
                ("127.0.0.1", "3", "3", "12345"), a
            assert call(c, "sentinel", "master", "gone") == \
                b"-ERR No such master with that name\r\n"
            assert call(c, "sentinel", "config", "get", "announce-ip") == \
                b"*2\r\n$11\r\nannounce-ip\r\n$8\r\n10.0.0.5\r\n"
            # the vote of epoch 7 is remembered: a second candidate in 7 gets the same answer
            v = call(c, "sentinel", "is-master-down-by-addr", "127.0.0.1", str(p), "7", PEER)
            assert VOTED.encode() in v and v.endswith(b":7\r\n"), v
            c.close()
        state = open(os.path.join(s.dir, "sentinel-state")).read()
        assert "current-epoch 7" in state and f"vote {VOTED} 7" in state, state
        assert 'set auth-pass "a b\\"c"' in state, state
        assert sha(s.conf) == conf_hash, "the config file was written"

    def check_config_address_change_starts_fresh(self):
        p = self.primary.port
        learned = (f"version 1\ncurrent-epoch 4\nmaster mymaster\n"
                   f"  origin config 127.0.0.1 {p}\n  address 127.0.0.1 {self.replica.port}\n"
                   f"  config-epoch 4\n  vote * 0\n  set quorum 3\n"
                   f"  known-replica 127.0.0.1 {p}\n")
        s = self.sentinel([self.mon()], learned)
        c = connect(s.port)
        m = master(c, "mymaster")
        assert (m["port"], m["config-epoch"], m["quorum"]) == \
            (str(self.replica.port), "4", "3"), m
        assert call(c, "sentinel", "get-master-addr-by-name", "mymaster").endswith(
            b"%d\r\n" % self.replica.port)
        c.close()
        s.halt()
        # the operator points the config elsewhere: the learned state no longer applies
        with open(s.conf) as f:
            text = f.read()
        with open(s.conf, "w") as f:
            f.write(text.replace(f"port = {p}\n", "port = 4242\n"))
        s.spawn()
        c = connect(s.port)
        m = master(c, "mymaster")
        assert (m["port"], m["config-epoch"], m["quorum"], m["num-slaves"]) == \
            ("4242", "0", "1", "0"), m
        c.close()
        assert "starting fresh from the config" in s.logs()

    def check_corrupt_state_refused(self):
        s = self.sentinel([self.mon()])
        s.halt()
        path = os.path.join(s.dir, "sentinel-state")
        good = open(path).read()
        lines = good.splitlines()
        for bad_line, what in (("current-epoch x", "bad epoch"),
                               ("frobnicate 1", "unknown keyword 'frobnicate'"),
                               ("known-replica 127.0.0.1 5",
                                "'known-replica' outside a master block"),
                               ('myid "unclosed', "unbalanced quotes")):
            bad = lines[:4] + [bad_line] + lines[4:]
            with open(path, "w") as f:
                f.write("\n".join(bad) + "\n")
            try:
                s.spawn()
                raise AssertionError(f"started with a corrupt state ({bad_line})")
            except RuntimeError as e:
                assert f"sentinel-state:5: {what}" in str(e), str(e)
            assert s.proc.returncode == 1, s.proc.returncode
        with open(path, "w") as f:
            f.write(good)
        s.spawn()  # and the good one is accepted again

    def check_unwritable_state(self):
        s = self.sentinel([self.mon()])
        c = connect(s.port)
        # a non-empty directory where the file should be: rename() over it fails (even for
        # root, which ignores permission bits)
        path = os.path.join(s.dir, "sentinel-state")
        os.unlink(path)
        os.mkdir(path)
        open(os.path.join(path, "x"), "w").close()
        err = b"-ERR Failed to save config file. Check server logs.\r\n"
        assert call(c, "sentinel", "set", "mymaster", "quorum", "2") == err
        assert master(c, "mymaster")["quorum"] == "2"  # applied all the same, as Redis does
        assert call(c, "sentinel", "flushconfig") == err
        assert call(c, "sentinel", "config", "set", "announce-port", "7") == err
        assert "Failed to save the sentinel state" in s.logs()
        shutil.rmtree(path)
        assert call(c, "sentinel", "flushconfig") == b"+OK\r\n"
        assert "set quorum 2" in open(path).read()
        c.close()


def main():
    checks = Checks()
    return itlib.run_checks_shared(checks, checks.stop_all)


if __name__ == "__main__":
    sys.exit(main())
