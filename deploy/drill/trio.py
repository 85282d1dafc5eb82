"""trio.py - the processes a vigil-drill run owns: three vigil-servers (a primary and two
replicas configured as configs/primary.ini and replica-N.ini) and three vigil-sentinels
(quorum 2 by default, short drill timers), each in its own directory under the output dir,
started and stopped by PID. For the partition scenario the primary runs inside a Linux
network namespace (Netns) joined to the host by a veth pair; the cut is made with routing
rules on both sides, so no firewall tool is needed.
"""
import ctypes
import os
import signal
import socket
import subprocess
import time

import redis

from drill.common import log, wait_until


def die_with_parent():
    """In a child: the kernel kills it if the drill dies without stopping it."""
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)


def ports_free(host, ports):
    for p in ports:
        s = socket.socket()
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, p))
        except OSError:
            return False
        finally:
            s.close()
    return True


def pick_base_port(count, seed_rng):
    """A base port with `count` consecutive free loopback ports after it."""
    for _ in range(200):
        base = seed_rng.randrange(20000, 60000)
        if ports_free("127.0.0.1", range(base, base + count)):
            return base
    raise RuntimeError("no run of free ports found")


def client(host, port, timeout=1.0):
    return redis.Redis(host=host, port=port, socket_timeout=timeout,
                       socket_connect_timeout=timeout, decode_responses=True)


def answers(host, port):
    try:
        return client(host, port, 0.5).ping()
    except (redis.RedisError, OSError):
        return False


class Proc:
    """One server or sentinel: its config, dir, log and process."""

    def __init__(self, kind, name, binary, host, port, workdir, conf_text, prefix=(),
                 extra=()):
        self.kind, self.name, self.binary = kind, name, binary
        self.host, self.port = host, port
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, f"{name}.ini")
        self.logfile = os.path.join(self.dir, f"{name}.log")
        with open(self.conf, "w") as f:
            f.write(conf_text)
        self.prefix = list(prefix)
        self.extra = list(extra)
        self.proc = None
        self.stopped = False  # SIGSTOPped

    def addr(self):
        return (self.host, self.port)

    def start(self, timeout=20):
        out = open(os.path.join(self.dir, "stdout.log"), "ab")
        self.proc = subprocess.Popen([*self.prefix, self.binary, self.conf, *self.extra],
                                     stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                     cwd=self.dir, preexec_fn=die_with_parent)
        out.close()
        if not wait_until(lambda: self.proc.poll() is not None or answers(self.host, self.port),
                          timeout, 0.05) or self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} did not start on {self.host}:{self.port}; "
                               f"see {self.logfile}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        if self.alive():
            os.kill(self.proc.pid, sig)

    def kill9(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stop(self):
        if not self.alive():
            return
        if self.stopped:
            self.signal(signal.SIGCONT)
            self.stopped = False
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def log_size(self):
        try:
            return os.path.getsize(self.logfile)
        except OSError:
            return 0

    def log_since(self, offset):
        try:
            with open(self.logfile, errors="replace") as f:
                f.seek(offset)
                return f.read()
        except OSError:
            return ""


def server_ini(host, port, d, priority, replicaof=None, protected=True):
    """configs/primary.ini and replica-N.ini, on the drill's address and port."""
    return f"""# written by vigil-drill from configs/primary.ini / replica-N.ini
[server]
bind = {host}
port = {port}
protected-mode = {"yes" if protected else "no"}
loglevel = notice
tcp-keepalive = 300
timeout = 0
logfile = {d}/{os.path.basename(d)}.log
dir = {d}

[memory]
maxmemory = 256mb
maxmemory-policy = noeviction

[persistence]
save = 3600 1 300 100 60 10000
appendonly = yes
appendfsync = everysec

[replication]
{f"replicaof = {replicaof[0]} {replicaof[1]}" if replicaof else ""}
replica-read-only = yes
replica-serve-stale-data = yes
repl-backlog-size = 64mb
min-replicas-to-write = 1
min-replicas-max-lag = 10
replica-priority = {priority}
"""


def sentinel_ini(host, port, d, name, mhost, mport, opts):
    return f"""# written by vigil-drill from configs/sentinel-N.ini, with drill timers
[sentinel]
bind = {host}
port = {port}
dir = {d}
logfile = {d}/{os.path.basename(d)}.log
loglevel = notice

[monitor {name}]
host = {mhost}
port = {mport}
quorum = {opts.quorum}
down-after-milliseconds = {opts.down_after}
failover-timeout = {opts.failover_timeout}
parallel-syncs = 1
"""


class Netns:
    """A network namespace for the primary, joined to the host by a veth pair:
    host side HOST (the trio's address) and WRITER (the writer's source address), namespace
    side NS (the primary). cut() blackholes HOST<->NS in both directions with policy rules
    (host: from HOST to NS; namespace: to HOST), so the writer, coming from WRITER, still
    reaches the primary while the sentinels and replicas do not. heal() removes the rules."""

    PREF = 7391

    def __init__(self, tag):
        n = 16 + os.getpid() % 200
        self.ns = f"vigil-drill-{tag}"
        self.veth_host = f"vdh{tag}"[:15]
        self.veth_ns = f"vdn{tag}"[:15]
        self.host_ip = f"10.213.{n}.1"
        self.ns_ip = f"10.213.{n}.2"
        self.writer_ip = f"10.213.{n}.3"
        self.created = False
        self.is_cut = False

    @staticmethod
    def ip(*args, check=True):
        r = subprocess.run(["ip", *args], stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=10)
        if check and r.returncode != 0:
            raise RuntimeError(f"ip {' '.join(args)}: {r.stderr.strip()}")
        return r

    def create(self):
        self.ip("netns", "add", self.ns)
        self.created = True
        self.ip("link", "add", self.veth_host, "type", "veth", "peer", "name", self.veth_ns)
        self.ip("link", "set", self.veth_ns, "netns", self.ns)
        self.ip("addr", "add", f"{self.host_ip}/24", "dev", self.veth_host)
        self.ip("addr", "add", f"{self.writer_ip}/32", "dev", self.veth_host)
        self.ip("link", "set", self.veth_host, "up")
        self.ip("-n", self.ns, "addr", "add", f"{self.ns_ip}/24", "dev", self.veth_ns)
        self.ip("-n", self.ns, "link", "set", self.veth_ns, "up")
        self.ip("-n", self.ns, "link", "set", "lo", "up")
        # the host side answers on HOST once the address is no longer tentative
        wait_until(lambda: "tentative" not in self.ip("addr", "show", self.veth_host).stdout,
                   5, 0.05)

    def prefix(self):
        return ["ip", "netns", "exec", self.ns]

    def cut(self):
        self.ip("rule", "add", "pref", str(self.PREF), "from", self.host_ip, "to", self.ns_ip,
                "blackhole")
        self.ip("-n", self.ns, "rule", "add", "pref", str(self.PREF), "to", self.host_ip,
                "blackhole")
        self.is_cut = True

    def heal(self):
        if not self.is_cut:
            return
        self.ip("rule", "del", "pref", str(self.PREF), check=False)
        self.ip("-n", self.ns, "rule", "del", "pref", str(self.PREF), check=False)
        self.is_cut = False

    def remove(self):
        self.heal()
        if self.created:
            self.ip("link", "del", self.veth_host, check=False)
            self.ip("netns", "del", self.ns, check=False)
            self.created = False


class Trio:
    """Three servers and three sentinels on consecutive ports from `base`: servers base ..
    base+2, sentinels base+3 .. base+5."""

    def __init__(self, opts, workdir, base, netns=None):
        self.opts = opts
        self.name = opts.master_name
        self.netns = netns
        host = netns.host_ip if netns else "127.0.0.1"
        phost = netns.ns_ip if netns else host
        self.host = host
        server = os.path.join(opts.bin_dir, "vigil-server")
        sentinel = os.path.join(opts.bin_dir, "vigil-sentinel")
        for b in (server, sentinel):
            if not os.access(b, os.X_OK):
                raise SystemExit(f"vigil-drill: {b} is missing (build first, or --bin-dir)")
        extra = []
        for kv in opts.server_opt:
            k, _, v = kv.partition("=")
            extra += [f"--{k}", *v.split()]
        prios = opts.priorities
        self.servers = [Proc("server", "primary", server, phost, base, workdir,
                             server_ini(phost, base, os.path.join(workdir, "primary"),
                                        100, protected=not netns),
                             prefix=netns.prefix() if netns else (), extra=extra)]
        for i in (1, 2):
            n = f"replica-{i}"
            self.servers.append(Proc("server", n, server, host, base + i, workdir,
                                     server_ini(host, base + i, os.path.join(workdir, n),
                                                prios[i - 1], (phost, base),
                                                protected=not netns), extra=extra))
        self.sentinels = []
        for i in (1, 2, 3):
            n = f"sentinel-{i}"
            self.sentinels.append(Proc("sentinel", n, sentinel, host, base + 2 + i, workdir,
                                       sentinel_ini(host, base + 2 + i,
                                                    os.path.join(workdir, n), self.name,
                                                    phost, base, opts)))

    def all(self):
        return self.servers + self.sentinels

    def start(self):
        for s in self.servers:
            s.start()
        p = self.servers[0]
        if not wait_until(lambda: self._in_sync(), 60, 0.1):
            raise RuntimeError("the replicas did not sync with the primary within 60 s")
        for st in self.sentinels:
            self.start_sentinel(st)
        if not wait_until(self._sentinels_ready, 60, 0.1):
            raise RuntimeError("the sentinels did not discover each other and the replicas "
                               "within 60 s")
        log(f"trio ready: primary {p.host}:{p.port}, replicas "
            f"{', '.join(str(s.port) for s in self.servers[1:])}, sentinels "
            f"{', '.join(str(s.port) for s in self.sentinels)}")

    def start_sentinel(self, st):
        st.start()
        if self.opts.info_period:
            client(st.host, st.port).execute_command(
                "SENTINEL", "DEBUG", "info-period", self.opts.info_period)

    def _in_sync(self):
        try:
            pi = client(*self.servers[0].addr()).info("replication")
            if int(pi.get("connected_slaves", 0)) != 2:
                return False
            for s in self.servers[1:]:
                ri = client(*s.addr()).info("replication")
                if ri.get("master_link_status") != "up":
                    return False
            return True
        except (redis.RedisError, OSError):
            return False

    def _sentinels_ready(self):
        try:
            for st in self.sentinels:
                m = client(*st.addr()).execute_command("SENTINEL", "MASTER", self.name)
                if not isinstance(m, dict):
                    m = dict(zip(m[::2], m[1::2]))
                if int(m["num-slaves"]) != 2 or int(m["num-other-sentinels"]) != 2:
                    return False
            return True
        except (redis.RedisError, OSError, KeyError):
            return False

    def by_addr(self, addr):
        for s in self.servers:
            if s.addr() == addr:
                return s
        return None

    def stop(self):
        for p in reversed(self.all()):
            try:
                p.stop()
            except Exception as e:  # noqa: BLE001 - keep stopping the others
                log(f"stopping {p.name}: {e}")
