#!/usr/bin/python3
"""test_pubsub.py - Pub/Sub between connections (compat/pubsub.txt covers the replies one
connection can see on its own):

  resp2_delivery     SUBSCRIBE a b confirms each channel with the running count; PUBLISH
                     returns the receiver count and the subscriber gets [message, ch, payload]
  resp3_delivery     the same as RESP3 push frames ('>'), and a RESP3 subscriber may run GET
  pattern_delivery   PSUBSCRIBE delivers [pmessage, pattern, channel, payload]; a client
                     subscribed to the channel and a matching pattern receives both
  introspection      CLIENT LIST sub=/psub= and flag P, INFO pubsub_channels/patterns,
                     PUBSUB NUMSUB/NUMPAT/CHANNELS
  close_unsubscribes a subscriber that disconnects leaves every channel and pattern
  obuf_limit         a subscriber that never reads is closed by the pubsub class of
                     client-output-buffer-limit (logged and counted as Redis does), while a
                     subscriber on the same channel that keeps up gets every message and
                     stays subscribed
  redis_py           redis-py's pubsub() API (subscribe, psubscribe, get_message)

Run: VIGIL_SERVER=build/bin/vigil-server /usr/bin/python3 tests/integration/test_pubsub.py
"""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import (  # noqa: E402 - the shared fixture
    Server, call, cmd, connect, read_reply, run_checks, wait_until, vigil_binary)







def push(kind, *items):
    """The expected frame: kind is b'*' (RESP2) or b'>' (RESP3)."""
    out = kind + b"%d\r\n" % len(items)
    for it in items:
        if isinstance(it, int):
            out += b":%d\r\n" % it
        else:
            it = it.encode() if isinstance(it, str) else it
            out += b"$%d\r\n%s\r\n" % (len(it), it)
    return out


def numsub(s, channel):
    r = call(s, "PUBSUB", "NUMSUB", channel)
    return int(r.split(b"\r\n")[-2][1:])


class Checks:
    def __init__(self, binary):
        self.binary = binary
        self.srv = Server(binary)
        self.port = self.srv.port

    def check_resp2_delivery(self):
        sub, pub = connect(self.port), connect(self.port)
        sub.sendall(cmd("SUBSCRIBE", "a", "b"))
        assert read_reply(sub) == push(b"*", "subscribe", "a", 1)
        assert read_reply(sub) == push(b"*", "subscribe", "b", 2)
        assert call(pub, "PUBLISH", "a", "hello") == b":1\r\n"
        assert read_reply(sub) == push(b"*", "message", "a", "hello")
        assert call(pub, "PUBLISH", "zzz", "x") == b":0\r\n"
        big = b"x" * 100000
        assert call(pub, "PUBLISH", "b", big) == b":1\r\n"
        assert read_reply(sub) == push(b"*", "message", "b", big)
        sub.sendall(cmd("UNSUBSCRIBE", "a", "b"))
        assert read_reply(sub) == push(b"*", "unsubscribe", "a", 1)
        assert read_reply(sub) == push(b"*", "unsubscribe", "b", 0)
        assert call(sub, "GET", "k") == b"$-1\r\n"  # back to normal mode
        sub.close()
        pub.close()

    def check_resp3_delivery(self):
        sub, pub = connect(self.port), connect(self.port)
        assert call(sub, "HELLO", "3").startswith(b"%7\r\n")
        assert call(sub, "SUBSCRIBE", "r3") == push(b">", "subscribe", "r3", 1)
        assert call(sub, "GET", "k") == b"_\r\n"
        assert call(pub, "PUBLISH", "r3", "m") == b":1\r\n"
        assert read_reply(sub) == push(b">", "message", "r3", "m")
        # a RESP3 subscriber publishing to itself gets the push before the count
        sub.sendall(cmd("PUBLISH", "r3", "self"))
        assert read_reply(sub) == push(b">", "message", "r3", "self")
        assert read_reply(sub) == b":1\r\n"
        sub.close()
        pub.close()

    def check_pattern_delivery(self):
        sub, both, pub = connect(self.port), connect(self.port), connect(self.port)
        assert call(sub, "PSUBSCRIBE", "news.*") == push(b"*", "psubscribe", "news.*", 1)
        assert call(both, "SUBSCRIBE", "news.it") == push(b"*", "subscribe", "news.it", 1)
        assert call(both, "PSUBSCRIBE", "news.?t") == push(b"*", "psubscribe", "news.?t", 2)
        assert call(pub, "PUBLISH", "news.it", "ciao") == b":3\r\n"
        assert read_reply(sub) == push(b"*", "pmessage", "news.*", "news.it", "ciao")
        got = {read_reply(both), read_reply(both)}
        assert got == {push(b"*", "message", "news.it", "ciao"),
                       push(b"*", "pmessage", "news.?t", "news.it", "ciao")}, got
        assert call(pub, "PUBLISH", "news", "none") == b":0\r\n"
        assert call(pub, "PUBLISH", "news.fr", "salut") == b":1\r\n"
        assert read_reply(sub) == push(b"*", "pmessage", "news.*", "news.fr", "salut")
        for s in (sub, both, pub):
            s.close()

    def check_introspection(self):
        sub, ctl = connect(self.port), connect(self.port)
        sub.sendall(cmd("SUBSCRIBE", "i1", "i2"))
        read_reply(sub), read_reply(sub)
        assert call(sub, "PSUBSCRIBE", "i*") == push(b"*", "psubscribe", "i*", 3)
        line = call(ctl, "CLIENT", "LIST", "TYPE", "pubsub").decode()
        assert " sub=2 psub=1 " in line and " flags=P " in line, line
        info = call(ctl, "INFO", "stats").decode()
        assert "pubsub_channels:2\r\n" in info and "pubsub_patterns:1\r\n" in info, info
        assert call(ctl, "PUBSUB", "NUMPAT") == b":1\r\n"
        assert numsub(ctl, "i1") == 1
        chans = call(ctl, "PUBSUB", "CHANNELS", "i*")
        assert chans.startswith(b"*2\r\n") and b"i1" in chans and b"i2" in chans, chans
        sub.sendall(cmd("UNSUBSCRIBE"))
        read_reply(sub), read_reply(sub)
        line = call(ctl, "CLIENT", "LIST", "TYPE", "pubsub").decode()
        assert " sub=0 psub=1 " in line, line
        sub.close()
        ctl.close()

    def check_close_unsubscribes(self):
        sub, ctl = connect(self.port), connect(self.port)
        assert call(sub, "SUBSCRIBE", "gone") == push(b"*", "subscribe", "gone", 1)
        assert call(sub, "PSUBSCRIBE", "gone*") == push(b"*", "psubscribe", "gone*", 2)
        sub.close()
        assert wait_until(lambda: numsub(ctl, "gone") == 0, 5)
        assert call(ctl, "PUBLISH", "gone", "x") == b":0\r\n"
        assert call(ctl, "PUBSUB", "NUMPAT") == b":0\r\n"
        ctl.close()

    def check_obuf_limit(self):
        ctl = connect(self.port, timeout=10)
        assert call(ctl, "CONFIG", "SET", "client-output-buffer-limit",
                    "pubsub 1mb 512kb 60") == b"+OK\r\n"
        sub = socket.socket()
        sub.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sub.connect(("127.0.0.1", self.port))
        sub.sendall(cmd("SUBSCRIBE", "flood"))
        good = connect(self.port, timeout=10)  # a subscriber that keeps up
        good.sendall(cmd("SUBSCRIBE", "flood"))
        read_reply(good)
        assert wait_until(lambda: numsub(ctl, "flood") == 2, 5)
        chunk = b"y" * 50000
        message = cmd("message", "flood", chunk)  # a RESP2 push is the same multibulk
        sent = 0
        for _ in range(100):  # about 5 MB, far above the 1 MB hard limit
            ctl.sendall(cmd("PUBLISH", "flood", chunk))
            receivers = read_reply(ctl)
            sent += 1
            assert read_reply(good) == message, "the healthy subscriber missed a message"
            if receivers == b":1\r\n":
                break
        assert wait_until(lambda: numsub(ctl, "flood") == 1, 5), "slow subscriber not closed"
        # the healthy one is still subscribed and served, and so are ordinary clients
        ctl.sendall(cmd("PUBLISH", "flood", "after"))
        assert read_reply(ctl) == b":1\r\n"
        assert read_reply(good) == cmd("message", "flood", "after")
        good.close()
        stats = call(ctl, "INFO", "stats")
        assert b"client_output_buffer_limit_disconnections:1\r\n" in stats or \
            b"client_output_buffer_limit_disconnections" not in stats, stats
        assert wait_until(lambda: "for overcoming of output buffer limits" in self.srv.logs(),
                          5), self.srv.logs()
        assert call(ctl, "PING") == b"+PONG\r\n", "server did not survive"
        assert call(ctl, "CONFIG", "GET", "client-output-buffer-limit") == (
            b"*2\r\n$26\r\nclient-output-buffer-limit\r\n$65\r\n"
            b"normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 524288 60\r\n")
        assert call(ctl, "CONFIG", "SET", "client-output-buffer-limit",
                    "pubsub 33554432 8388608 60") == b"+OK\r\n"
        sub.close()
        ctl.close()

    def check_redis_py(self):
        import redis
        r = redis.Redis(port=self.port, socket_timeout=5)
        p = r.pubsub()
        p.subscribe("py")
        p.psubscribe("py.*")
        msgs = []
        assert wait_until(lambda: msgs.append(p.get_message(timeout=0.1)) or
                          sum(1 for m in msgs if m) >= 2, 5), msgs
        assert r.publish("py", "one") == 1
        assert r.publish("py.x", "two") == 1
        got = []
        assert wait_until(lambda: got.append(p.get_message(timeout=0.1)) or
                          sum(1 for m in got if m) >= 2, 5), got
        got = [m for m in got if m]
        assert got[0]["type"] == "message" and got[0]["data"] == b"one", got
        assert got[1]["type"] == "pmessage" and got[1]["pattern"] == b"py.*", got
        assert got[1]["channel"] == b"py.x" and got[1]["data"] == b"two", got
        assert r.pubsub_numsub("py") == [(b"py", 1)]
        assert r.pubsub_numpat() == 1
        p.close()
        assert wait_until(lambda: r.pubsub_numpat() == 0, 5)
        r.close()

    def stop(self):
        return self.srv.stop()


def main():
    binary = vigil_binary()
    checks = Checks(binary)

    def alive(name):
        return None if checks.srv.proc.poll() is None else f"server died after {name}"
    try:
        failures = run_checks(checks, sys.argv[1:], after_each=alive)
    finally:
        problems = checks.stop()
    for p in problems:
        print(f"FAIL {p}")
    return 1 if failures or problems else 0


if __name__ == "__main__":
    sys.exit(main())
