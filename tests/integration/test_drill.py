#!/usr/bin/env python3
"""deploy/vigil-drill in the fast suite (< 60 s):
- kill9 with --wait 1 against a trio the drill starts on free ports: exit 0, summary.txt,
  report.html (with an inline <svg>), events.tsv and writes.tsv written; the summary names a
  new primary other than the old one, agreeing sentinels, 0 acknowledged writes lost, the old
  primary back as a replica; the events hold +switch-master from every sentinel.
- manual (SENTINEL FAILOVER) with --wait 1: the sentinel fences the old primary (writes
  paused, the chosen replica caught up, the old primary demoted with the promotion), so
  not one WAIT-confirmed write is lost, the gap stays under a second, and the old primary
  rejoins with a partial resync.
- a drill whose expectation cannot hold exits 1 and says which one: sentinel-loss with quorum
  3 (two sentinels left can never reach ODOWN, so no failover).
- staging mode refuses the scenarios that need to own processes (exit 2, clear message).
Env: VIGIL_SERVER (the drill takes vigil-server and vigil-sentinel from its directory).
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import TempDirs, run_checks, vigil_binary  # noqa: E402

# ---- shared with test_slow_drill.py: run the drill, parse its summary ----------------------
# The binaries come from $VIGIL_SERVER's directory, the output goes to a temp dir, and the
# drill timers keep runs short (SENTINEL DEBUG info-period 1000, repl-diskless-sync-delay 0).
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DRILL = os.path.join(ROOT, "deploy", "vigil-drill")
FAST = ("--info-period", "1000", "--server-opt", "repl-diskless-sync-delay=0")


class Run:
    def __init__(self, rc, out, dir_):
        self.rc, self.out, self.dir = rc, out, dir_

    def field(self, pattern):
        """The first group of `pattern` in the output (asserted present)."""
        m = re.search(pattern, self.out, re.M)
        assert m, f"/{pattern}/ not in the drill's output:\n{self.out}"
        return m.group(1)

    def __repr__(self):
        return f"exit {self.rc}\n{self.out}"


def drill(dirs, scenario, *args, timeout=150):
    out = dirs.tmp()
    cmd = [DRILL, scenario, "--bin-dir", os.path.dirname(vigil_binary()), "--out", out,
           *FAST, *args]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=timeout)
    print(f"    $ vigil-drill {scenario} {' '.join(args)} -> exit {p.returncode}")
    return Run(p.returncode, p.stdout, out)


def temp_dirs():
    return TempDirs("vigil-drill-test-")


# ---- the fast checks -----------------------------------------------------------------------


class Checks:
    def __init__(self):
        self.dirs = temp_dirs()

    def check_kill9_with_wait(self):
        r = drill(self.dirs, "kill9", "--wait", "1", "--duration", "12", "--fault-at", "2")
        assert r.rc == 0, r
        for f in ("summary.txt", "report.html", "events.tsv", "writes.tsv"):
            assert os.path.getsize(os.path.join(r.dir, f)) > 0, f
        with open(os.path.join(r.dir, "report.html")) as f:
            page = f.read()
        assert "<svg" in page and "</svg>" in page and "+switch-master" in page
        with open(os.path.join(r.dir, "summary.txt")) as f:
            assert f.read().strip() in r.out
        old = r.field(r"^old primary: (\S+)$")
        new = r.field(r"^new primary: (\S+)$")
        assert new != old and new.startswith("127.0.0.1:"), r
        assert r.field(r"^sentinels agree: (\w+)") == "yes", r
        assert r.field(r"^acknowledged writes lost: (\d+)") == "0", r
        assert int(r.field(r"writes: \d+ attempted, (\d+) acknowledged")) > 100, r
        assert r.field(r"^servers reporting role master: (\d+)") == "1", r
        assert r.field(r"^old primary a replica of the new primary, link up: ([\d.]+) s")
        assert r.field(r"^result: (\w+)") == "PASS"
        with open(os.path.join(r.dir, "events.tsv")) as f:
            switches = {line.split("\t")[1] for line in f if "\t+switch-master\t" in line}
        assert len(switches) == 3, switches
        print("    " + r.field(r"^(client-visible unavailability.*)$"))
        print("    " + r.field(r"^(\s+\+switch-master.*)$").strip())

    def check_manual_fenced(self):
        r = drill(self.dirs, "manual", "--wait", "1", "--duration", "8", "--fault-at", "2")
        assert r.rc == 0, r
        assert r.field(r"^acknowledged writes lost: (\d+)") == "0", r
        assert r.field(r"^sentinels agree: (\w+)") == "yes", r
        gap = float(r.field(r"^client-visible unavailability[^:]*: ([\d.]+) s"))
        assert gap < 1.0, r
        assert r.field(r"^old primary a replica of the new primary, link up: [\d.]+ s after "
                       r"its return \(resync: (\w+)\)") == "partial", r
        print("    " + r.field(r"^(client-visible unavailability.*)$"))

    def check_failed_expectation_exits_1(self):
        r = drill(self.dirs, "sentinel-loss", "--quorum", "3", "--duration", "5",
                  "--fault-at", "1.5", "--failover-bound", "3", "--settle-bound", "5")
        assert r.rc == 1, r
        assert "EXPECTATION FAILED: no failover within 3 s of the fault" in r.out, r
        assert r.field(r"^result: (\w+)") == "FAIL"

    def check_staging_refuses_owned_scenarios(self):
        p = subprocess.run([DRILL, "kill9", "--sentinels", "127.0.0.1:1",
                            "--master-name", "m"], capture_output=True, text=True, timeout=20)
        assert p.returncode == 2 and "needs to own the processes" in p.stderr, p
        p = subprocess.run([DRILL, "manual", "--sentinels", "127.0.0.1:1",
                            "--master-name", "m", "--out", self.dirs.tmp()],
                           capture_output=True, text=True, timeout=20)
        assert p.returncode == 2 and "no sentinel of 127.0.0.1:1 knows m" in p.stderr, p
        p = subprocess.run([DRILL, "--help"], capture_output=True, text=True, timeout=20)
        assert p.returncode == 0 and "--base-port" in p.stdout and "partition" in p.stdout

    def stop_all(self, _name=None):
        return None


def main_of(checks_class):
    """Runs the checks named on the command line (all by default); their temp dirs go."""
    checks = checks_class()
    try:
        failures = run_checks(checks, sys.argv[1:])
    finally:
        checks.dirs.cleanup()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main_of(Checks))
