#!/usr/bin/env python3
"""vigil-sentinel's observing half (sentinel/link.c, sentinel/monitor.c), through real
processes: a vigil-server primary with two vigil replicas, watched by three vigil-sentinels
(quorum 2, down-after 1000 ms).
Events are read from each sentinel's log (stdout.log), which carries every event's text.

- discovery: every sentinel finds both replicas from the primary's INFO (+slave) and the two
  other sentinels from the hellos on the servers' __sentinel__:hello channel (+sentinel);
- hellos: a hello published on the primary with a higher current epoch is adopted
  (+new-epoch) and its unknown sender becomes a sentinel (+sentinel), which never answers
  and so goes +sdown; a hello PUBLISHed to one sentinel (as a peer does) raises its epoch,
  and its own hellos carry the epoch to the other two;
- down detection: SIGSTOP of the primary -> +sdown on all three; +odown "#quorum n/2" once
  the sentinels answer is-master-down-by-addr; SIGCONT -> -sdown (and -odown); a killed
  replica -> +sdown slave; a killed sentinel -> +sdown sentinel on the others;
- TILT: a sentinel stopped for 3 s logs +tilt on waking;
- interop: Debian's redis-sentinel and two vigil-sentinels on one primary discover each
  other through hellos, and a vigil-sentinel reaches ODOWN 2/2 with redis-sentinel's
  is-master-down-by-addr answer;
- links: each sentinel holds one named cmd and one pubsub connection per server
  (CLIENT LIST); auth-pass is used (a wrong one makes the master +sdown);
- INFO: a replica turned master is reported (-role-change, verbose level);
- config update: a hello carrying a higher config epoch and another address for the master
  makes a sentinel switch (+config-update-from, +switch-master with both addresses, the old
  primary re-added as a replica); a churn of such hellos switching back and forth (links
  freed inside their own callbacks: the sanitizer build checks the lifetimes).
The servers run with replica-priority 0, so that the failover (when built in) can start but
never replaces the stopped primary.
Env: VIGIL_SERVER, VIGIL_SENTINEL (REDIS_SENTINEL for the interop check).
"""
import os
import re
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import (  # noqa: E402 - the shared fixture
    REDIS_SENTINEL, Sentinel, Server, call, connect, keep_dirs, read_reply, run_checks_stopping,
    sentinel_binary, vigil_binary, wait_until)

NAME = "mymaster"
OPTS = {"down-after-milliseconds": 1000, "failover-timeout": 600000}


def log_text(st):
    try:
        with open(os.path.join(st.dir, "stdout.log"), errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        raise AssertionError(f"{st.dir} vanished under a running sentinel") from None


def has_event(st, pattern):
    """pattern: a regex matched against the sentinel's log."""
    return re.search(pattern, log_text(st)) is not None


def wait_event(st, pattern, timeout=10):
    assert wait_until(lambda: has_event(st, pattern), timeout, 0.05), \
        f"no {pattern!r} in the log of sentinel :{st.port}:\n{log_text(st)[-3000:]}"


def myid(st):
    s = connect(st.port)
    try:
        return read_bulk(call(s, "SENTINEL", "MYID"))
    finally:
        s.close()


def read_bulk(raw):
    assert raw.startswith(b"$"), raw
    return raw.split(b"\r\n")[1].decode()


def answers_is_master_down(st, port):
    """Does this sentinel implement SENTINEL is-master-down-by-addr (the commands work)?"""
    s = connect(st.port)
    try:
        return call(s, "SENTINEL", "is-master-down-by-addr", "127.0.0.1", port, 0,
                    "*").startswith(b"*3")
    finally:
        s.close()


def details(kind, name, port, master_port=None):
    d = rf"{kind} {re.escape(name)} 127\.0\.0\.1 {port}"
    if master_port is not None:
        d += rf" @ {NAME} 127\.0\.0\.1 {master_port}"
    return d


class Checks:
    def __init__(self):
        self.servers = []
        self.sentinels = []
        self.group = None

    def stop_all(self, name=None):
        problems = []
        for p in self.sentinels + self.servers:
            problems += p.stop()
        self.sentinels, self.servers, self.group = [], [], None
        return "; ".join(problems) or None

    def server(self, *extra):
        # no replica can be promoted: a stopped primary goes down (SDOWN, ODOWN, even an
        # election) but is never replaced, so its return is seen as -sdown / -odown
        s = Server(vigil_binary(), extra=("--replica-priority", "0", *extra))
        self.servers.append(s)
        return s

    def sentinel(self, port, binary=None, opts=OPTS, quorum=2, options=None):
        st = Sentinel(binary or sentinel_binary(), [(NAME, "127.0.0.1", port, quorum, opts)],
                      options)
        self.sentinels.append(st)
        return st

    def trio(self):
        """Primary + 2 replicas + 3 vigil-sentinels, discovery done."""
        if self.group:
            return self.group
        p = self.server()
        r1 = self.server("--replicaof", "127.0.0.1", str(p.port))
        r2 = self.server("--replicaof", "127.0.0.1", str(p.port))
        sts = [self.sentinel(p.port) for _ in range(3)]
        ids = [myid(st) for st in sts]
        for st in sts:
            for r in (r1, r2):
                wait_event(st, r"\+slave " + details("slave", f"127.0.0.1:{r.port}", r.port,
                                                     p.port))
        for i, st in enumerate(sts):
            for j, other in enumerate(sts):
                if i != j:
                    wait_event(st, r"\+sentinel " + details("sentinel", ids[j], other.port,
                                                            p.port))
        self.group = (p, r1, r2, sts, ids)
        return self.group

    def check_discovery(self):
        p, r1, r2, sts, ids = self.trio()
        for st in sts:
            text = log_text(st)
            # each peer and replica announced once, not on every hello
            assert len(re.findall(r"\+sentinel sentinel", text)) == 2, text
            assert len(re.findall(r"\+slave slave", text)) == 2, text
            assert "+sdown" not in text, text
        # every sentinel holds a named command and Pub/Sub connection on each server
        for srv in (p, r1, r2):
            s = connect(srv.port)
            try:
                s.sendall(b"*2\r\n$6\r\nCLIENT\r\n$4\r\nLIST\r\n")
                clients = read_reply(s).decode()
            finally:
                s.close()
            for i in ids:
                for kind in ("cmd", "pubsub"):
                    assert clients.count(f"name=sentinel-{i[:8]}-{kind} ") == 1, clients

    def check_hello_epoch_and_unknown_sender(self):
        p, r1, r2, sts, ids = self.trio()
        fake_id = "f" * 40
        s = connect(p.port)
        try:
            hello = f"127.0.0.1,1,{fake_id},7,{NAME},127.0.0.1,{p.port},0"
            assert call(s, "PUBLISH", "__sentinel__:hello", hello).startswith(b":")
            # junk must be ignored: wrong field count, unknown master
            call(s, "PUBLISH", "__sentinel__:hello", "1,2,3")
            call(s, "PUBLISH", "__sentinel__:hello",
                 f"127.0.0.1,2,{'e' * 40},9,nosuch,127.0.0.1,{p.port},0")
        finally:
            s.close()
        for st in sts:
            wait_event(st, r"\+new-epoch 7\n")
            wait_event(st, r"\+sentinel " + details("sentinel", fake_id, 1, p.port))
            # port 1 never answers: the fake peer goes down after down-after
            wait_event(st, r"\+sdown " + details("sentinel", fake_id, 1, p.port), 10)
            assert "new-epoch 9" not in log_text(st)
            assert "nosuch" not in log_text(st)

    def check_epoch_spreads_through_sentinel_hellos(self):
        """A hello PUBLISHed to one sentinel (as a peer does) raises its epoch; its own
        hellos then carry the epoch to the others."""
        p, r1, r2, sts, ids = self.trio()
        peer = "d" * 40
        s = connect(sts[0].port)
        try:
            reply = call(s, "PUBLISH", "__sentinel__:hello",
                         f"127.0.0.1,1,{peer},8,{NAME},127.0.0.1,{p.port},0")
        finally:
            s.close()
        if not reply.startswith(b":"):
            print(f"     (the front does not take PUBLISH yet: {reply!r})")
            return
        wait_event(sts[0], r"\+sentinel " + details("sentinel", peer, 1, p.port))
        for st in sts:
            wait_event(st, r"\+new-epoch 8\n")
        # the others heard of the epoch, not of the peer: it talked to sts[0] only
        for st in sts[1:]:
            assert peer not in log_text(st), log_text(st)

    def check_primary_stopped_sdown_odown(self):
        p, r1, r2, sts, ids = self.trio()
        voting = answers_is_master_down(sts[0], p.port)
        os.kill(p.proc.pid, signal.SIGSTOP)
        try:
            for st in sts:
                wait_event(st, r"\+sdown " + details("master", NAME, p.port) + r"\n", 10)
            if voting:
                assert wait_until(lambda: any(has_event(st, r"\+odown " + details(
                    "master", NAME, p.port) + r" #quorum [23]/2\n") for st in sts), 10, 0.05), \
                    [log_text(st)[-2000:] for st in sts]
            else:
                print("     (sentinels do not answer is-master-down-by-addr yet: "
                      "ODOWN 2/2 is checked by the interop check)")
        finally:
            os.kill(p.proc.pid, signal.SIGCONT)
        for st in sts:
            wait_event(st, r"-sdown " + details("master", NAME, p.port) + r"\n", 10)
            if has_event(st, r"\+odown"):
                wait_event(st, r"-odown " + details("master", NAME, p.port) + r"\n", 10)

    def check_replica_killed(self):
        p, r1, r2, sts, ids = self.trio()
        r2.stop()
        self.servers.remove(r2)
        for st in sts:
            wait_event(st, r"\+sdown " + details("slave", f"127.0.0.1:{r2.port}", r2.port,
                                                 p.port), 10)
        assert not any(has_event(st, r"\+sdown slave 127\.0\.0\.1:%d" % r1.port)
                       for st in sts)

    def check_sentinel_killed(self):
        p, r1, r2, sts, ids = self.trio()
        gone = sts[2]
        gone.stop()
        self.sentinels.remove(gone)
        for st in sts[:2]:
            wait_event(st, r"\+sdown " + details("sentinel", ids[2], gone.port, p.port), 10)

    def check_tilt(self):
        p, r1, r2, sts, ids = self.trio()
        st = sts[0]
        os.kill(st.proc.pid, signal.SIGSTOP)
        time.sleep(3)
        os.kill(st.proc.pid, signal.SIGCONT)
        wait_event(st, r"\+tilt #tilt mode entered\n", 5)
        # observing goes on in TILT: it still answers and keeps its links
        s = connect(st.port)
        try:
            assert call(s, "PING") == b"+PONG\r\n"
        finally:
            s.close()

    def check_interop_with_redis_sentinel(self):
        self.stop_all()
        p = self.server()
        r = self.server("--replicaof", "127.0.0.1", str(p.port))
        red = self.sentinel(p.port, REDIS_SENTINEL)
        vig = [self.sentinel(p.port) for _ in range(2)]
        rid, vids = myid(red), [myid(v) for v in vig]
        for v in vig:
            wait_event(v, r"\+sentinel " + details("sentinel", rid, red.port, p.port), 15)
            wait_event(v, r"\+slave " + details("slave", f"127.0.0.1:{r.port}", r.port, p.port))
        for vid, v in zip(vids, vig):
            wait_event(red, r"\+sentinel " + details("sentinel", vid, v.port, p.port), 15)
        # redis-sentinel lists both vigil-sentinels as healthy peers
        s = connect(red.port)
        try:
            s.sendall(b"*3\r\n$8\r\nSENTINEL\r\n$9\r\nSENTINELS\r\n$8\r\nmymaster\r\n")
            raw = read_reply(s)
        finally:
            s.close()
        for vid in vids:
            assert vid.encode() in raw, raw
        # ODOWN through redis-sentinel's is-master-down-by-addr answer
        os.kill(p.proc.pid, signal.SIGSTOP)
        try:
            for v in vig:
                wait_event(v, r"\+odown " + details("master", NAME, p.port) +
                           r" #quorum [23]/2\n", 10)
        finally:
            os.kill(p.proc.pid, signal.SIGCONT)
        for v in vig:
            wait_event(v, r"-odown " + details("master", NAME, p.port) + r"\n", 10)

    def check_config_update_from_hello(self):
        self.stop_all()
        p = self.server()
        r = self.server("--replicaof", "127.0.0.1", str(p.port))
        st = self.sentinel(p.port)
        wait_event(st, r"\+slave " + details("slave", f"127.0.0.1:{r.port}", r.port, p.port))
        peer = "a" * 40
        s = connect(p.port)
        try:
            hello = f"127.0.0.1,1,{peer},3,{NAME},127.0.0.1,{r.port},3"
            call(s, "PUBLISH", "__sentinel__:hello", hello)
        finally:
            s.close()
        wait_event(st, r"\+config-update-from " + details("sentinel", peer, 1, p.port))
        wait_event(st, rf"\+switch-master {NAME} 127\.0\.0\.1 {p.port} 127\.0\.0\.1 {r.port}\n")
        # the old primary is now a replica of the group
        wait_event(st, r"\+slave " + details("slave", f"127.0.0.1:{p.port}", p.port, r.port))
        s = connect(st.port)
        try:
            s.sendall(b"*3\r\n$8\r\nSENTINEL\r\n$23\r\nGET-MASTER-ADDR-BY-NAME\r\n"
                      b"$8\r\nmymaster\r\n")
            raw = read_reply(s)
        finally:
            s.close()
        if raw.startswith(b"*2"):  # once the commands work
            assert str(r.port).encode() in raw, raw

    def check_role_change_seen_in_info(self):
        self.stop_all()
        p = self.server()
        r = self.server("--replicaof", "127.0.0.1", str(p.port))
        st = self.sentinel(p.port, options={"loglevel": "verbose"})
        wait_event(st, r"\+slave " + details("slave", f"127.0.0.1:{r.port}", r.port, p.port))
        s = connect(r.port)
        try:
            assert call(s, "REPLICAOF", "NO", "ONE") == b"+OK\r\n"
        finally:
            s.close()
        # INFO every 10 s by default: the first poll after the change shows it
        wait_event(st, r"-role-change " + details("slave", f"127.0.0.1:{r.port}", r.port,
                                                  p.port) + r" new reported role is master\n",
                   15)

    def check_switch_churn(self):
        """Hellos switching the master back and forth (each switch rebuilds every link,
        some while their callbacks run) and a sender changing address: the sentinel stays
        up (the sanitizer build checks the links' lifetimes) and ends on the last config."""
        self.stop_all()
        p = self.server()
        r = self.server("--replicaof", "127.0.0.1", str(p.port))
        st = self.sentinel(p.port)
        wait_event(st, r"\+slave " + details("slave", f"127.0.0.1:{r.port}", r.port, p.port))
        socks = [connect(p.port), connect(r.port)]
        peer = "b" * 40
        try:
            for epoch in range(1, 21):
                target = (r, p)[epoch % 2]
                hello = (f"127.0.0.1,{100 + epoch},{peer},{epoch},{NAME},127.0.0.1,"
                         f"{target.port},{epoch}")
                for s in socks:
                    call(s, "PUBLISH", "__sentinel__:hello", hello)
                time.sleep(0.05 if epoch % 3 else 0.3)
        finally:
            for s in socks:
                s.close()
        # Pub/Sub drops what arrives while a link is being rebuilt, so the last word is
        # repeated until heard: epoch 21 names the primary
        last = f"127.0.0.1,121,{peer},21,{NAME},127.0.0.1,{p.port},21"

        def settled():
            s = connect(r.port)
            try:
                call(s, "PUBLISH", "__sentinel__:hello", last)
            finally:
                s.close()
            switches = re.findall(rf"\+switch-master {NAME} \S+ \d+ 127\.0\.0\.1 (\d+)\n",
                                  log_text(st))
            return (switches[-1] if switches else str(p.port)) == str(p.port) and \
                "+new-epoch 21" in log_text(st)
        assert wait_until(settled, 10, 0.2), log_text(st)[-3000:]
        assert len(re.findall(r"\+switch-master", log_text(st))) >= 5, log_text(st)
        wait_event(st, r"\+sentinel-address-switch " + details("master", NAME, r"\d+") +
                   rf" ip 127\.0\.0\.1 port \d+ for {peer}\n")
        s = connect(st.port)
        try:
            assert call(s, "PING") == b"+PONG\r\n"
        finally:
            s.close()
        # and it still watches the group: the replica is found again under the primary
        wait_event(st, r"\+slave " + details("slave", f"127.0.0.1:{r.port}", r.port, p.port))
    def check_auth_pass(self):
        """auth-pass is used on the master and its replicas: with it the group looks healthy;
        with a wrong one every PING is refused (-NOAUTH is not a valid reply) -> +sdown."""
        self.stop_all()
        pw = ("--requirepass", "s3cret", "--masterauth", "s3cret")
        p = self.server(*pw)
        r = self.server(*pw, "--replicaof", "127.0.0.1", str(p.port))
        good = self.sentinel(p.port, opts=dict(OPTS, **{"auth-pass": "s3cret"}))
        bad = self.sentinel(p.port, opts=dict(OPTS, **{"auth-pass": "wrong"}))
        wait_event(good, r"\+slave " + details("slave", f"127.0.0.1:{r.port}", r.port, p.port))
        wait_event(bad, r"\+sdown " + details("master", NAME, p.port) + r"\n", 10)
        # the good one had the same time to fail, and a little more
        assert not wait_until(lambda: has_event(good, r"\+sdown"), 1, 0.1), log_text(good)
        assert not has_event(bad, r"\+slave"), log_text(bad)


def main():
    # every dir of this file's processes under one root, removed as a whole at the end
    tempfile.tempdir = tempfile.mkdtemp(prefix="vigil-smon-")
    try:
        return run_checks_stopping(Checks())
    finally:
        root, tempfile.tempdir = tempfile.tempdir, None
        if not keep_dirs():
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
