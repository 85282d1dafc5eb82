"""observe.py - what vigil-drill watches while a fault runs: the Writer (a client that finds
the primary through the sentinels, confirms it with ROLE, and writes unique increasing values
at a steady rate, recording every acknowledgement and failure with its time and address),
an EventListener per sentinel (PSUBSCRIBE * before the fault, every event timestamped), and
a Poller (INFO replication of each server a few times a second, for rejoin times).
"""
import socket
import threading

import redis

from drill.common import now


class SourceConnection(redis.connection.Connection):
    """A redis-py connection from a chosen source address (the partition's writer side)."""

    def __init__(self, *args, source_ip=None, **kwargs):
        self.source_ip = source_ip
        super().__init__(*args, **kwargs)

    def _connect(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            if self.source_ip:
                sock.bind((self.source_ip, 0))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(self.socket_connect_timeout)
            sock.connect((self.host, self.port))
            sock.settimeout(self.socket_timeout)
            return sock
        except OSError:
            sock.close()
            raise


def sentinel_client(addr, timeout=0.5):
    return redis.Redis(host=addr[0], port=addr[1], socket_timeout=timeout,
                       socket_connect_timeout=timeout, decode_responses=True)


def master_addr(st_addr, name, timeout=0.5):
    """GET-MASTER-ADDR-BY-NAME on one sentinel: (host, port), or None."""
    try:
        a = sentinel_client(st_addr, timeout).execute_command(
            "SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)
        return (a[0], int(a[1])) if a else None
    except (redis.RedisError, OSError, ValueError, IndexError):
        return None


class Writer(threading.Thread):
    """Writes n = 1, 2, ... as MULTI SET <prefix>:<n> n; RPUSH <prefix>:list n; EXEC, `rate`
    times a second, with optional WAIT 1 <wait_ms>. records: (t, n, ok, addr, error); ok
    means acknowledged (EXEC succeeded and, with --wait, WAIT returned >= 1)."""

    def __init__(self, sentinels, name, rate, wait, wait_ms, prefix, timeout, source_ip=None):
        super().__init__(daemon=True)
        self.sentinels, self.name, self.rate = list(sentinels), name, rate
        self.wait, self.wait_ms, self.prefix = wait, wait_ms, prefix
        # WAIT blocks up to wait_ms on the server: the socket must outlast it
        self.timeout = timeout + (wait_ms / 1000.0 if wait else 0)
        self.source_ip = source_ip
        self.records = []
        self.discoveries = []  # (t, addr or None, why)
        self.stop_event = threading.Event()
        self.conn = None
        self.addr = None
        self.n = 0

    def _connect(self, addr):
        pool = redis.ConnectionPool(connection_class=SourceConnection, host=addr[0],
                                    port=addr[1], socket_timeout=self.timeout,
                                    socket_connect_timeout=self.timeout,
                                    source_ip=self.source_ip, decode_responses=True)
        return redis.Redis(connection_pool=pool)

    def discover(self):
        """Asks the sentinels in turn; the address must answer ROLE master."""
        why = "no sentinel answered"
        for st in self.sentinels:
            addr = master_addr(st, self.name)
            if addr is None:
                continue
            try:
                c = self._connect(addr)
                role = c.execute_command("ROLE")
                if role and role[0] == "master":
                    self.conn, self.addr = c, addr
                    self.discoveries.append((now(), addr, f"from sentinel {st[1]}"))
                    return True
                why = f"{addr[0]}:{addr[1]} reports role {role[0] if role else '?'}"
                c.close()
            except (redis.RedisError, OSError) as e:
                why = f"{addr[0]}:{addr[1]}: {e}"
        self.discoveries.append((now(), None, why))
        return False

    def run(self):
        period = 1.0 / self.rate
        nxt = now()
        while not self.stop_event.is_set():
            if self.conn is None and not self.discover():
                self.records.append((now(), None, False, None, "discovery failed"))
                self.stop_event.wait(min(0.1, period * 2))
                continue
            self.n += 1
            n = self.n
            try:
                p = self.conn.pipeline(transaction=True)
                p.set(f"{self.prefix}:{n}", n)
                p.rpush(f"{self.prefix}:list", n)
                p.execute()
                ok, err = True, None
                if self.wait:
                    got = int(self.conn.execute_command("WAIT", self.wait, self.wait_ms))
                    if got < self.wait:
                        ok, err = False, f"WAIT {self.wait}: {got}"
                self.records.append((now(), n, ok, self.addr, err))
            except (redis.RedisError, OSError) as e:
                self.records.append((now(), n, False, self.addr, str(e) or type(e).__name__))
                try:
                    self.conn.close()
                except Exception:  # noqa: BLE001 - the connection is dropped anyway
                    pass
                self.conn = None
            nxt += period
            delay = nxt - now()
            if delay > 0:
                self.stop_event.wait(delay)
            elif delay < -1.0:
                nxt = now()  # fell behind (a long stall): do not burst to catch up

    def stop(self):
        self.stop_event.set()
        self.join(timeout=30)


class EventListener(threading.Thread):
    """PSUBSCRIBE * on one sentinel; events: (t, index, channel, payload). Reconnects (every
    0.5 s) when the sentinel goes away, recording a `~link-lost` pseudo-event."""

    def __init__(self, index, addr, events, lock):
        super().__init__(daemon=True)
        self.index, self.addr, self.events, self.lock = index, addr, events, lock
        self.stop_event = threading.Event()
        self.ready = threading.Event()

    def _subscribe(self):
        c = redis.Redis(host=self.addr[0], port=self.addr[1], socket_timeout=2,
                        socket_connect_timeout=0.5, decode_responses=True)
        ps = c.pubsub()
        ps.psubscribe("*")
        deadline = now() + 2
        while now() < deadline:
            m = ps.get_message(timeout=0.2)
            if m and m["type"] == "psubscribe":
                return ps
        raise redis.ConnectionError("no psubscribe confirmation")

    def run(self):
        ps = None
        while not self.stop_event.is_set():
            try:
                if ps is None:
                    ps = self._subscribe()
                    self.ready.set()
                m = ps.get_message(timeout=0.2)
                if m and m["type"] == "pmessage":
                    with self.lock:
                        self.events.append((now(), self.index, m["channel"], m["data"]))
            except (redis.RedisError, OSError, ValueError):
                if ps is not None:
                    with self.lock:
                        self.events.append((now(), self.index, "~link-lost", ""))
                    try:
                        ps.close()
                    except Exception:  # noqa: BLE001
                        pass
                ps = None
                self.stop_event.wait(0.5)
        if ps is not None:
            try:
                ps.close()
            except Exception:  # noqa: BLE001
                pass

    def stop(self):
        self.stop_event.set()
        self.join(timeout=5)


class Poller(threading.Thread):
    """INFO replication of the given addresses every `period` s: samples[(host, port)] =
    [(t, role, master_host, master_port, link_status)]; role None when it did not answer."""

    def __init__(self, addrs, period=0.25, source_ip=None):
        super().__init__(daemon=True)
        self.addrs = list(addrs)
        self.period = period
        self.source_ip = source_ip
        self.samples = {a: [] for a in self.addrs}
        self.stop_event = threading.Event()

    def _info(self, addr):
        pool = redis.ConnectionPool(connection_class=SourceConnection, host=addr[0],
                                    port=addr[1], socket_timeout=0.3,
                                    socket_connect_timeout=0.3, source_ip=self.source_ip,
                                    decode_responses=True)
        c = redis.Redis(connection_pool=pool)
        try:
            return c.info("replication")
        finally:
            pool.disconnect()

    def run(self):
        while not self.stop_event.is_set():
            for a in self.addrs:
                try:
                    i = self._info(a)
                    s = (now(), i.get("role"), i.get("master_host"),
                         int(i["master_port"]) if "master_port" in i else None,
                         i.get("master_link_status"))
                except (redis.RedisError, OSError, ValueError):
                    s = (now(), None, None, None, None)
                self.samples[a].append(s)
            self.stop_event.wait(self.period)

    def stop(self):
        self.stop_event.set()
        self.join(timeout=10)

    def first_replica_of(self, addr, master, after):
        """First time after `after` that addr was a replica of master with its link up."""
        for t, role, mh, mp, link in self.samples.get(addr, []):
            if t >= after and role == "slave" and (mh, mp) == master and link == "up":
                return t
        return None
