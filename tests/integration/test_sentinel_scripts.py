#!/usr/bin/env python3
"""vigil-sentinel's scripts, run for real (shell scripts the test writes into a temp dir):

- notification-script: +new-epoch and +switch-master (events without instance details) reach
  it after a SENTINEL FAILOVER, on the leader and on the observer.
- notification-script: SIGSTOP of the primary (down-after 1000 ms) → the script gets
  `+sdown` and `master mymaster 127.0.0.1 <port>` as its two arguments; a run exiting 1 is
  retried (SENTINEL DEBUG script-retry-delay) and shows in PENDING-SCRIPTS as scheduled with
  its retry-num, until the 10th try ends it with `-script-error <path> 0 1`; exit 3 gives
  `-script-error <path> 0 3` at once; a sleeping run is killed after script-max-runtime
  (`-script-timeout <path> <pid>`, the pid gone) and retried; INFO's counters follow.
- the queue: 16 running at most, 256 queued at most, the oldest pending one dropped.
- client-reconfig-script: after SENTINEL FAILOVER the leader's script gets
  `mymaster leader start <old-ip> <old-port> <new-ip> <new-port>`, the other sentinel's
  `mymaster observer start ...` (it learns the switch from a hello).
Scripts that sleep run in their own process group (pgid = pid, as the sentinel starts them);
the test kills the groups it saw at the end. Env: VIGIL_SERVER, VIGIL_SENTINEL.
"""
import os
import signal
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import (  # noqa: E402
    Sentinel, Server, TempDirs, run_checks_stopping, sentinel_binary, vigil_binary,
    wait_until)

import redis  # noqa: E402 - Debian's python3-redis

NAME = "mymaster"


def r(port):
    return redis.Redis(host="127.0.0.1", port=port, socket_timeout=5, decode_responses=True)


def write_script(path, body):
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def lines(path):
    try:
        with open(path) as f:
            return f.read().splitlines()
    except OSError:
        return []


def pending(st):
    out = []
    for job in r(st.port).execute_command("SENTINEL", "PENDING-SCRIPTS"):
        d = job if isinstance(job, dict) else dict(zip(job[::2], job[1::2]))
        out.append(d)
    return out


def log_text(st):
    out = ""
    for n in ("stdout.log", "stderr.log"):
        try:
            with open(os.path.join(st.dir, n), errors="replace") as f:
                out += f.read()
        except OSError:
            pass
    return out


def events(st, name):
    out = []
    for line in log_text(st).splitlines():
        i = line.find(f" {name} ")
        if i >= 0:
            out.append(line[i + len(name) + 2:].strip())
    return out


class Checks:
    def __init__(self):
        self.procs = []
        self.tmp = TempDirs("vigil-scripts-")
        self.groups = set()  # script process groups to kill at the end

    def server(self, extra=()):
        s = Server(vigil_binary(), extra)
        self.procs.append(s)
        return s

    def sentinel(self, monitors, options=None):
        st = Sentinel(sentinel_binary(), monitors, options)
        self.procs.append(st)
        return st

    def note_running(self, st):
        for j in pending(st):
            if j["flags"] == "running" and int(j["pid"]) > 0:
                self.groups.add(int(j["pid"]))

    def stop_all(self, _name=None):
        problems = []
        for s in self.procs:
            if s.proc and s.proc.poll() is None:
                try:
                    s.proc.send_signal(signal.SIGCONT)  # a stopped primary must see TERM
                except OSError:
                    pass
            problems += s.stop()
        self.procs = []
        for pgid in self.groups:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except OSError:
                pass
        self.groups = set()
        self.tmp.cleanup()
        return "; ".join(problems) or None

    def check_notification_retry_error_timeout(self):
        d = self.tmp.tmp()
        calls = os.path.join(d, "calls")
        script = os.path.join(d, "notify.sh")
        # +sdown: "retry me"; +odown: hangs (killed); -sdown: a hard error
        write_script(script, f'echo "$$|$1|$2" >> {calls}\n'
                             'case "$1" in\n'
                             '  +sdown) exit 1 ;;\n'
                             '  +odown) exec sleep 30 ;;\n'
                             '  -sdown) exit 3 ;;\n'
                             'esac\nexit 0\n')
        primary = self.server()
        st = self.sentinel([(NAME, "127.0.0.1", primary.port, 1,
                             {"down-after-milliseconds": 1000,
                              "failover-timeout": 60000,
                              "notification-script": script})])
        s = r(st.port)
        # +monitor at start ran the script once and it exited 0: gone from the queue
        mon = f"+monitor|master {NAME} 127.0.0.1 {primary.port} quorum 1"
        assert wait_until(lambda: any(l.endswith(mon) for l in lines(calls)), 5), lines(calls)
        assert wait_until(lambda: pending(st) == [], 5), pending(st)
        assert s.execute_command("SENTINEL", "DEBUG", "script-retry-delay", 10,
                                 "script-max-runtime", 500) == "OK"
        os.kill(primary.proc.pid, signal.SIGSTOP)
        sdown = f"+sdown|master {NAME} 127.0.0.1 {primary.port}"

        def sdown_runs():
            return [l for l in lines(calls) if l.split("|", 1)[1] == sdown]
        assert wait_until(lambda: len(sdown_runs()) >= 1, 5), lines(calls)
        # retried: shows as scheduled with its try count
        seen = {}

        def retried():
            self.note_running(st)
            for j in pending(st):
                if j["argv"] == [script, "+sdown", sdown.split("|")[1]] \
                        and j["flags"] == "scheduled" and int(j["retry-num"]) >= 2:
                    seen.update(j)
                    return True
            return False
        assert wait_until(retried, 10, 0.02), pending(st)
        assert int(seen["pid"]) == 0 and int(seen["run-delay"]) >= 0, seen
        info = s.info("sentinel")
        assert info["sentinel_scripts_queue_length"] >= 1, info
        # the hanging +odown run: killed at 500 ms with -script-timeout naming its pid
        odown_pids = []

        def timed_out():
            self.note_running(st)
            pids = [l.split("|")[0] for l in lines(calls) if l.split("|")[1] == "+odown"]
            odown_pids[:] = pids
            return any(e == f"{script} {p}" for p in pids for e in events(st, "-script-timeout"))
        assert wait_until(timed_out, 10, 0.02), (events(st, "-script-timeout"), lines(calls))
        killed = int(odown_pids[0])
        assert wait_until(lambda: not os.path.exists(f"/proc/{killed}"), 3), killed
        # a killed run is retried too (Redis: a signal means "retry")
        assert wait_until(lambda: len([l for l in lines(calls) if "|+odown|" in l]) >= 2, 10,
                          0.05), lines(calls)
        # the 10th failed +sdown try ends it: -script-error <path> <signal 0> <exit 1>
        assert wait_until(lambda: f"{script} 0 1" in events(st, "-script-error"), 30, 0.1), \
            (events(st, "-script-error"), sdown_runs())
        assert len(sdown_runs()) == 10, sdown_runs()
        # exit 3 is not retried: -script-error <path> 0 3 after one run
        os.kill(primary.proc.pid, signal.SIGCONT)
        assert wait_until(lambda: f"{script} 0 3" in events(st, "-script-error"), 10, 0.05), \
            events(st, "-script-error")
        assert len([l for l in lines(calls) if "|-sdown|" in l]) == 1, lines(calls)
        self.note_running(st)

    def check_queue_limit(self):
        d = self.tmp.tmp()
        calls = os.path.join(d, "calls")
        script = os.path.join(d, "block.sh")
        write_script(script, f'echo "$$|$1" >> {calls}\nexec sleep 20\n')
        primary = self.server()
        st = self.sentinel([(NAME, "127.0.0.1", primary.port, 1, {"notification-script": script})])
        s = r(st.port)
        # every RESET is a WARNING event (+reset-master): 300 jobs, blocked scripts
        p = s.pipeline(transaction=False)
        for _ in range(300):
            p.execute_command("SENTINEL", "RESET", NAME)
        p.execute()
        try:
            def full():
                info = s.info("sentinel")
                return info["sentinel_running_scripts"] == 16 and \
                    info["sentinel_scripts_queue_length"] == 256
            assert wait_until(full, 10, 0.05), s.info("sentinel")
            self.note_running(st)
            jobs = pending(st)
            assert len(jobs) == 256, len(jobs)
            running = [j for j in jobs if j["flags"] == "running"]
            assert len(running) == 16 and all(int(j["pid"]) > 0 and int(j["run-time"]) >= 0
                                              and j["retry-num"] == "1" for j in running), running
            assert all(j["pid"] == "0" and j["retry-num"] == "0"
                       for j in jobs if j["flags"] == "scheduled")
            assert "Script queue full" in log_text(st)
            assert wait_until(lambda: len(lines(calls)) == 16, 5), lines(calls)
            time.sleep(0.3)
            assert len(lines(calls)) == 16, lines(calls)  # never more than 16 at once
        finally:
            self.note_running(st)

    def check_client_reconfig(self):
        d = self.tmp.tmp()
        outs, scripts, notes, nscripts = [], [], [], []
        for k in range(2):
            outs.append(os.path.join(d, f"reconf{k}"))
            scripts.append(os.path.join(d, f"reconf{k}.sh"))
            write_script(scripts[k], f'echo "$@" >> {outs[k]}\n')
            notes.append(os.path.join(d, f"notify{k}"))
            nscripts.append(os.path.join(d, f"notify{k}.sh"))
            write_script(nscripts[k], f'echo "$@" >> {notes[k]}\n')
        opts = ("--repl-diskless-sync-delay", "0")
        primary = self.server(opts)
        replicas = [self.server(("--replicaof", "127.0.0.1", str(primary.port), *opts))
                    for _ in range(2)]
        assert wait_until(lambda: all(r(x.port).info("replication").get("master_link_status")
                                      == "up" for x in replicas), 15)
        sts = [self.sentinel([(NAME, "127.0.0.1", primary.port, 1,
                               {"down-after-milliseconds": 1000, "failover-timeout": 10000,
                                "client-reconfig-script": scripts[k],
                                "notification-script": nscripts[k]})]) for k in range(2)]
        for st in sts:
            r(st.port).execute_command("SENTINEL", "DEBUG", "info-period", 1000)

        def ready():
            for st in sts:
                m = r(st.port).execute_command("SENTINEL", "MASTER", NAME)
                m = m if isinstance(m, dict) else dict(zip(m[::2], m[1::2]))
                if m["num-slaves"] != "2" or m["num-other-sentinels"] != "1":
                    return False
            return True
        assert wait_until(ready, 20, 0.1)
        assert r(sts[0].port).execute_command("SENTINEL", "FAILOVER", NAME) == "OK"
        assert wait_until(lambda: len(events(sts[0], "+switch-master")) == 1 and
                          len(events(sts[1], "+switch-master")) == 1, 25, 0.1), \
            (events(sts[0], "+switch-master"), events(sts[1], "+switch-master"))
        sw = events(sts[0], "+switch-master")[0].split()
        new_port = int(sw[4])
        assert new_port in (replicas[0].port, replicas[1].port), sw
        start = f"127.0.0.1 {primary.port} 127.0.0.1 {new_port}"
        assert wait_until(lambda: lines(outs[0]) == [f"{NAME} leader start {start}"], 5), \
            lines(outs[0])
        assert wait_until(lambda: lines(outs[1]) == [f"{NAME} observer start {start}"], 5), \
            lines(outs[1])
        # events without instance details still run their master's notification script, as
        # Redis's do: the new epoch on both sides, the switch on both
        for k in range(2):
            assert wait_until(lambda k=k: "+new-epoch 1" in lines(notes[k]) and
                              f"+switch-master {NAME} {start}" in lines(notes[k]), 5), \
                lines(notes[k])


if __name__ == "__main__":
    sys.exit(run_checks_stopping(Checks()))
