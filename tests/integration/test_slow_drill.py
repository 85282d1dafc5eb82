#!/usr/bin/env python3
"""deploy/vigil-drill's other scenarios (label slow; about two minutes), each against a trio
the drill starts on free ports, with the drill timers of test_drill.py:
- sigstop (5 s) with --wait 1: a failover, 0 acknowledged writes lost, the old primary a
  replica of the new one after SIGCONT.
- partition (root only; skipped with the reason printed otherwise): with --wait 1, 0
  acknowledged writes lost; without WAIT, the primary cut off from the sentinels and
  replicas keeps acknowledging the writer on its side and the drill reports them as split
  brain, lost after the heal (the Jepsen result), with the exit status still 0 (no WAIT, no
  loss expectation).
- replica-restart with --wait 1: no failover, the primary unchanged, the replica back.
- sentinel-loss with --wait 1: two sentinels of three fail over; the third, restarted,
  agrees.
- manual (SENTINEL FAILOVER): a failover without +sdown, the old primary a replica after
  (the fast suite runs it with --wait 1).
- staging mode (--sentinels) against a trio this test starts with the drill's own Trio:
  manual, and sigstop emulated with DEBUG SLEEP (enable-debug-command local), --wait 1.
Env: VIGIL_SERVER, VIGIL_SENTINEL.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_drill import DRILL, ROOT, Run, drill, main_of, temp_dirs, vigil_binary  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402
import types  # noqa: E402

import redis  # noqa: E402 - Debian's python3-redis

sys.path.insert(0, os.path.join(ROOT, "deploy"))
from drill.trio import Trio, pick_base_port  # noqa: E402


def failed_over(r):
    old = r.field(r"^old primary: (\S+)$")
    new = r.field(r"^new primary: (\S+)$")
    assert new != old, r
    assert r.field(r"^sentinels agree: (\w+)") == "yes", r
    assert r.field(r"^servers reporting role master: (\d+)") == "1", r
    assert r.field(r"^old primary a replica of the new primary, link up: ([\d.]+) s"), r
    return old, new


class Checks:
    def __init__(self):
        self.dirs = temp_dirs()

    def check_sigstop(self):
        r = drill(self.dirs, "sigstop", "--wait", "1", "--fault-seconds", "5",
                  "--duration", "14")
        assert r.rc == 0, r
        failed_over(r)
        assert r.field(r"^acknowledged writes lost: (\d+)") == "0", r
        print("    " + r.field(r"^(\s+\+switch-master.*)$").strip())

    def check_partition(self):
        if os.geteuid() != 0:
            print("    SKIPPED: the partition scenario needs root (network namespaces)")
            return
        r = drill(self.dirs, "partition", "--wait", "1", "--fault-seconds", "6",
                  "--duration", "15")
        assert r.rc == 0, r
        failed_over(r)
        assert r.field(r"^new primary: (\S+)$").startswith("10.213."), r
        assert r.field(r"^acknowledged writes lost: (\d+)") == "0", r
        r = drill(self.dirs, "partition", "--fault-seconds", "6", "--duration", "15")
        assert r.rc == 0, r
        failed_over(r)
        split = int(r.field(r"^split brain: (\d+) writes acknowledged by the old primary"))
        lost = int(r.field(r"^acknowledged writes lost: (\d+)"))
        # 6 s at 50 writes/s on the cut-off side; nearly all discarded by the resync
        assert split > 100 and lost > 100, r
        print(f"    without WAIT: {split} writes acknowledged by the cut-off primary, "
              f"{lost} lost")

    def check_replica_restart(self):
        r = drill(self.dirs, "replica-restart", "--wait", "1", "--fault-seconds", "3",
                  "--duration", "10")
        assert r.rc == 0, r
        assert r.field(r"^new primary: \S+ \((unchanged)\)$"), r
        assert r.field(r"^acknowledged writes lost: (\d+)") == "0", r
        assert r.field(r"^\S+ a replica of the new primary, link up: ([\d.]+) s"), r
        assert r.field(r"^\s+\+switch-master\s+(\S+)") == "-", r

    def check_sentinel_loss(self):
        r = drill(self.dirs, "sentinel-loss", "--wait", "1", "--duration", "12")
        assert r.rc == 0, r
        failed_over(r)
        assert r.field(r"^acknowledged writes lost: (\d+)") == "0", r
        assert r.out.count(" -> " + r.field(r"^new primary: (\S+)$")) == 3, r

    def check_manual(self):
        r = drill(self.dirs, "manual", "--duration", "10")
        assert r.rc == 0, r
        failed_over(r)
        assert r.field(r"^\s+\+sdown\s+(\S+)") == "-", r
        assert r.field(r"^\s+\+elected-leader\s+(\S+)") != "-", r
        print("    " + r.field(r"^(acknowledged writes lost.*)$"))

    def check_staging(self):
        o = types.SimpleNamespace(
            master_name="mymaster", bin_dir=os.path.dirname(vigil_binary()), quorum=2,
            server_opt=["enable-debug-command=local", "repl-diskless-sync-delay=0"],
            priorities=[100, 110], down_after=1500, failover_timeout=10000, info_period=1000)
        trio = Trio(o, self.dirs.tmp(), pick_base_port(6, random.Random()))
        try:
            trio.start()
            sts = ",".join(f"{h}:{p}" for h, p in (st.addr() for st in trio.sentinels))
            for args in (("manual", "--duration", "8"),
                         ("sigstop", "--wait", "1", "--fault-seconds", "4", "--duration", "12")):
                out = self.dirs.tmp()
                p = subprocess.run([DRILL, *args, "--sentinels", sts, "--master-name",
                                    "mymaster", "--out", out], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   timeout=120)
                r = Run(p.returncode, p.stdout, out)
                print(f"    $ vigil-drill {' '.join(args)} --sentinels ... -> exit {r.rc}")
                assert r.rc == 0, r
                old = r.field(r"^old primary: (\S+)$")
                assert r.field(r"^new primary: (\S+)$") != old, r
                assert r.field(r"^sentinels agree: (\w+)") == "yes", r
                assert r.field(r"^old primary a replica of the new primary, link up: "
                               r"([\d.]+) s"), r
                if args[0] == "sigstop":
                    assert "DEBUG SLEEP 4 on the primary" in r.out, r
                    assert r.field(r"^acknowledged writes lost: (\d+)") == "0", r
                port = int(r.field(r"^new primary: \S+:(\d+)$"))
                keys = redis.Redis(port=port, socket_timeout=5).keys("drill:*")
                assert keys == [], keys  # staging runs delete their keys
        finally:
            trio.stop()


if __name__ == "__main__":
    sys.exit(main_of(Checks))
