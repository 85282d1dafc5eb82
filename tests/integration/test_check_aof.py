"""test_check_aof.py - vigil-check-aof on real and damaged AOF files, its verdicts compared
with Debian's redis-check-aof 7.0 on the same bytes.

Files: a multi-part AOF written by the reference redis-server (RDB and RESP bases), small
RESP files built here, the same cut at every byte, garbage in the middle, an unterminated
MULTI, broken manifests. Checks the exit status, the "AOF analyzed" figures, what --fix
(with --yes, an answer on stdin, or no stdin) does to the file, and, when vigil-server has
its AOF, that the server loads the fixed file.
Env: VIGIL_CHECK_AOF, VIGIL_SERVER, REDIS_SERVER (ctest sets them).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itlib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD_BIN = os.path.join(HERE, "..", "..", "build", "bin")
CHECK = os.environ.get("VIGIL_CHECK_AOF", os.path.join(BUILD_BIN, "vigil-check-aof"))
VIGIL = os.environ.get("VIGIL_SERVER", os.path.join(BUILD_BIN, "vigil-server"))
REDIS = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")
REDIS_CHECK = "/usr/bin/redis-check-aof"
ANALYZED = re.compile(rb"AOF analyzed: filename=(.*?), size=(\d+), ok_up_to=(\d+), "
                      rb"ok_up_to_line=(\d+), diff=(\d+)")


def run(tool, *args, stdin=None):
    """(exit status, output) of one checker run, bounded in time; stdin: bytes to answer
    with, or None for no stdin at all (/dev/null)."""
    p = subprocess.run([tool, *args], input=stdin,
                       stdin=subprocess.DEVNULL if stdin is None else None,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    assert not any(m.encode() in p.stdout for m in itlib.SANITIZER_MARKS), p.stdout
    return p.returncode, p.stdout


def analyzed(out):
    """[(filename, size, ok_up_to, diff)] per "AOF analyzed" line (ok_up_to_line differs
    from redis-check-aof's on purpose: see vigil-check-aof.c)."""
    return [(m[0].decode(), int(m[1]), int(m[2]), int(m[4])) for m in ANALYZED.findall(out)]


def resp(*args):
    return itlib.cmd(*args)


SAMPLE = (resp("SELECT", "0") + resp("SET", "k1", "v1") + resp("RPUSH", "list", "a", "b", "c")
          + b"#TS:1700000000\r\n" + resp("MULTI") + resp("SET", "k2", "two")
          + resp("INCR", "n") + resp("EXEC") + resp("SET", "bin", b"\r\n\x00\xff")
          + resp("DEL", "k1"))


class Checks:
    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="vigil-check-aof-")
        self.n = 0

    def path(self, data, name=None):
        self.n += 1
        p = os.path.join(self.tmp, name or f"f{self.n}.aof")
        with open(p, "wb") as f:
            f.write(data)
        return p

    def both(self, path):
        """Run both checkers on copies of path (neither fixes); return their results."""
        return run(CHECK, path), run(REDIS_CHECK, path)

    def check_valid_sample(self):
        p = self.path(SAMPLE)
        (rc, out), (rrc, rout) = self.both(p)
        assert rc == 0 and rrc == 0, (out, rout)
        assert b"is valid" in out, out
        assert analyzed(out) == [(p, len(SAMPLE), len(SAMPLE), 0)], out
        assert analyzed(out) == analyzed(rout), (out, rout)

    def check_every_cut_agrees_with_redis(self):
        """The sample cut at each byte: both say invalid (or valid exactly at command
        boundaries outside MULTI) with the same ok_up_to; vigil's --fix --yes leaves a file
        that both then call valid, holding exactly the whole commands before the cut."""
        starts = command_starts(SAMPLE)
        for cut in range(1, len(SAMPLE)):
            p = self.path(SAMPLE[:cut], "cut.aof")
            (rc, out), (rrc, rout) = self.both(p)
            assert rc == rrc, (cut, out, rout)
            a, r = analyzed(out), analyzed(rout)
            assert [x[1:] for x in a] == [x[1:] for x in r], (cut, out, rout)
            good = max(s for s in starts if s <= cut)
            assert a[0][2] == good, (cut, a, good)
            assert (rc == 0) == (good == cut), (cut, out)
            rc, out = run(CHECK, "--fix", "--yes", p)
            assert rc == 0, (cut, out)
            with open(p, "rb") as f:
                assert f.read() == SAMPLE[:good], cut
            assert run(REDIS_CHECK, p)[0] == 0, cut

    def check_unterminated_multi_is_a_fixable_tail(self):
        data = resp("SET", "a", "1") + resp("MULTI") + resp("SET", "b", "2")
        p = self.path(data)
        (rc, out), (rrc, rout) = self.both(p)
        assert rc == 1 and rrc == 1, (out, rout)
        assert b"Reached EOF before reading EXEC for MULTI" in out, out
        good = len(resp("SET", "a", "1"))
        assert analyzed(out)[0][2:] == (good, len(data) - good), out
        assert analyzed(out)[0][1:] == analyzed(rout)[0][1:], (out, rout)
        rc, out = run(CHECK, "--fix", "--yes", p)
        assert rc == 0 and b"Successfully truncated AOF" in out, out
        assert os.path.getsize(p) == good

    def check_garbage_in_the_middle_is_not_fixed(self):
        head = resp("SET", "a", "1") + resp("SET", "b", "2")
        data = head + b"*2\r\n$3\r\nGET\r\nXX\r\n" + resp("SET", "c", "3") * 20
        p = self.path(data)
        (rc, out), (rrc, rout) = self.both(p)
        assert rc == 1 and rrc == 1, (out, rout)
        assert analyzed(out)[0][2] == len(head) == analyzed(rout)[0][2], (out, rout)
        assert b"Expected prefix '$'" in out, out
        rc, out = run(CHECK, "--fix", "--yes", p)
        assert rc == 1, out
        assert f"offset {len(head)}".encode() in out, out
        with open(p, "rb") as f:
            assert f.read() == data  # untouched
        # a line that is not a command at all
        data = head + b"hello\r\n" + resp("SET", "c", "3")
        p = self.path(data)
        rc, out = run(CHECK, p)
        assert rc == 1 and b"format error" in out and analyzed(out)[0][2] == len(head), out
        assert run(REDIS_CHECK, p)[0] == 1
        # a zero-argument command: refused by the loaders, so by the checker too
        p = self.path(head + b"*0\r\n" + resp("SET", "c", "3"))
        rc, out = run(CHECK, p)
        assert rc == 1 and analyzed(out)[0][2] == len(head), out

    def check_fix_asks_first(self):
        data = resp("SET", "a", "1") + b"*3\r\n$3\r\nSET\r\n$1\r\nb"
        p = self.path(data)
        rc, out = run(CHECK, "--fix", p)  # no stdin: no
        assert rc == 1 and b"Continue? [y/N]:" in out and b"Aborting..." in out, out
        assert os.path.getsize(p) == len(data)
        rc, out = run(CHECK, "--fix", p, stdin=b"n\n")
        assert rc == 1 and os.path.getsize(p) == len(data), out
        rc, out = run(CHECK, "--fix", p, stdin=b"y\n")
        assert rc == 0 and b"Successfully truncated AOF" in out, out
        assert os.path.getsize(p) == len(resp("SET", "a", "1"))
        rc, out = run(CHECK, "--nonsense", p)
        assert rc == 1 and b"Usage:" in out, out

    def check_redis_multipart_dirs(self):
        """AOF directories written by redis-server itself (RDB base, then RESP base after a
        rewrite with aof-use-rdb-preamble no): valid for both checkers; a cut tail in the
        last incr file is fixed, a cut in the base is refused (not the last file)."""
        for preamble in ("yes", "no"):
            d = redis_aof_dir(self.tmp, preamble)
            manifest = os.path.join(d, "appendonly.aof.manifest")
            (rc, out), (rrc, rout) = self.both(manifest)
            assert rc == 0 and rrc == 0, (out, rout)
            assert b"All AOF files and manifest are valid" in out, out
            assert analyzed(out) == analyzed(rout), (out, rout)
            assert b"BASE AOF" in out and b"INCR AOF" in out, out
            if preamble == "yes":
                assert b"RDB preamble is OK" in out, out
                self.rdb_base_cases(d)
            incr = [f for f in sorted(os.listdir(d)) if f.endswith(".incr.aof")][-1]
            ipath = os.path.join(d, incr)
            size = os.path.getsize(ipath)
            with open(ipath, "ab") as f:
                f.write(b"*3\r\n$3\r\nSET\r\n$4\r\nhalf")
            rc, out = run(CHECK, manifest)
            assert rc == 1 and b"is not valid" in out, out
            rc, out = run(CHECK, "--fix", "--yes", manifest)
            assert rc == 0 and os.path.getsize(ipath) == size, out
            assert run(REDIS_CHECK, manifest)[0] == 0
            if preamble == "no":
                base = [f for f in os.listdir(d) if ".base." in f][0]
                bpath = os.path.join(d, base)
                with open(bpath, "ab") as f:
                    f.write(b"*1\r\n$4\r\nPI")
                rc, out = run(CHECK, "--fix", "--yes", manifest)
                assert rc == 1 and b"because it is not the last file" in out, out
            shutil.rmtree(os.path.dirname(d), ignore_errors=True)

    def rdb_base_cases(self, d):
        """An RDB base from redis-server: with a RESP tail (the old-style preamble AOF, one
        file) both checkers agree, also when the tail is cut; a damaged RDB is refused."""
        base = [f for f in os.listdir(d) if f.endswith(".base.rdb")][0]
        with open(os.path.join(d, base), "rb") as f:
            rdb = f.read()
        p = self.path(rdb + SAMPLE, "preamble.aof")
        (rc, out), (rrc, rout) = self.both(p)
        assert rc == 0 and rrc == 0, (out, rout)
        assert analyzed(out) == analyzed(rout) == [(p, len(rdb) + len(SAMPLE),
                                                    len(rdb) + len(SAMPLE), 0)], (out, rout)
        p = self.path(rdb + SAMPLE[:-5], "preamble.aof")
        (rc, out), (rrc, rout) = self.both(p)
        assert rc == 1 and rrc == 1, (out, rout)
        assert analyzed(out)[0][1:] == analyzed(rout)[0][1:], (out, rout)
        bad = bytearray(rdb)
        bad[len(bad) // 2] ^= 0xFF  # inside the data: the CRC at least no longer matches
        p = self.path(bytes(bad) + SAMPLE, "preamble.aof")
        (rc, out), (rrc, rout) = self.both(p)
        assert rc == 1 and rrc == 1, (out, rout)
        assert b"RDB preamble of AOF file is not sane" in out, out
        assert b"AOF analyzed" not in out, out

    def check_manifest_errors(self):
        d = tempfile.mkdtemp(dir=self.tmp)
        good = resp("SET", "a", "1")
        for name in ("appendonly.aof.1.base.aof", "appendonly.aof.1.incr.aof",
                     "appendonly.aof.2.incr.aof"):
            with open(os.path.join(d, name), "wb") as f:
                f.write(good)
        m = os.path.join(d, "appendonly.aof.manifest")
        cases = [
            ("file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof "
             "seq 1\n", 2, b"Invalid AOF manifest file format"),
            ("# comment\nfile appendonly.aof.1.base.aof seq 1 type b\n"
             "file appendonly.aof.2.incr.aof seq 2 type i\n"
             "file appendonly.aof.1.incr.aof seq 1 type i\n", 4,
             b"Found a non-monotonic sequence number"),
            ("file appendonly.aof.1.base.aof seq 1 type b\n"
             "file appendonly.aof.1.base.aof seq 1 type b\n", 2,
             b"Found duplicate base file information"),
            ("file appendonly.aof.1.incr.aof seq 1 type x\n", 1, b"Unknown AOF file type"),
            ("file ../x.aof seq 1 type i\n", 1, b"File can't be a path, just a filename"),
            ("file appendonly.aof.1.incr.aof seq 1 type i\n\n", 2,
             b"Invalid AOF manifest file format"),
        ]
        for text, line, err in cases:
            with open(m, "w") as f:
                f.write(text)
            rc, out = run(CHECK, m)
            assert rc == 1, (text, out)
            assert f"at line {line}\n".encode() in out and err in out, (text, out)
            assert run(REDIS_CHECK, m)[0] == 1, text
        with open(m, "w") as f:
            f.write("file appendonly.aof.1.base.aof seq 1 type b\n"
                    "file appendonly.aof.9.incr.aof seq 9 type i\n")
        rc, out = run(CHECK, m)
        assert rc == 1 and b"Cannot open file" in out, out
        with open(m, "w") as f:
            f.write("file appendonly.aof.1.base.aof seq 1 type b\n"
                    "file old.aof seq 1 type h\n"
                    "file appendonly.aof.1.incr.aof seq 1 type i\n"
                    "file appendonly.aof.2.incr.aof seq 2 type i\n")
        (rc, out), (rrc, rout) = self.both(m)
        assert rc == 0 and rrc == 0, (out, rout)
        assert len(analyzed(out)) == 3 and analyzed(out) == analyzed(rout), (out, rout)

    def check_server_loads_fixed_aof(self):
        """Cut the tail of vigil's own AOF, fix it, restart: the whole commands are there."""
        keep = tempfile.mkdtemp(dir=self.tmp)
        # a RESP base: this check is about the incremental file's tail
        args = ("--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--dir", keep)
        srv = itlib.Server(VIGIL, extra=args + ("--appendfsync", "always"))
        try:
            s = itlib.connect(srv.port)
            for i in range(50):
                assert itlib.call(s, "SET", f"key:{i}", i) == b"+OK\r\n"
            s.close()
        finally:
            srv.proc.kill()  # kill -9: no shutdown flush, the file is what fsync left
            srv.proc.wait(timeout=10)
            problems = srv.stop()
        assert not problems, problems
        d = os.path.join(keep, "appendonlydir")
        manifest = os.path.join(d, "appendonly.aof.manifest")
        if not os.path.exists(manifest):
            print("SKIP check_server_loads_fixed_aof: vigil-server writes no AOF yet")
            return
        incr = [f for f in sorted(os.listdir(d)) if f.endswith(".incr.aof")][-1]
        ipath = os.path.join(d, incr)
        size = os.path.getsize(ipath)
        os.truncate(ipath, size - 3)  # the last SET loses its end
        assert run(CHECK, manifest)[0] == 1
        rc, out = run(CHECK, "--fix", "--yes", manifest)
        assert rc == 0, out
        srv = itlib.Server(VIGIL, extra=args)
        try:
            s = itlib.connect(srv.port)
            assert itlib.call(s, "DBSIZE") == b":49\r\n"
            assert itlib.call(s, "GET", "key:48") == b"$2\r\n48\r\n"
            assert itlib.call(s, "EXISTS", "key:49") == b":0\r\n"
        finally:
            problems = srv.stop()
        assert not problems, problems


def command_starts(data):
    """Offsets where a whole command (or annotation) ends outside MULTI, plus 0: the
    ok_up_to a checker must report for a cut at or after each."""
    starts, pos, multi = [0], 0, False
    while pos < len(data):
        if data[pos:pos + 1] == b"#":  # both checkers accept a cut annotation
            end = data.index(b"\n", pos) + 1
            starts.extend(range(pos + 1, end))
            pos = end
        else:
            end = data.index(b"\r\n", pos)
            argc = int(data[pos + 1:end])
            pos = end + 2
            first = None
            for _ in range(argc):
                end = data.index(b"\r\n", pos)
                n = int(data[pos + 1:end])
                arg = data[end + 2:end + 2 + n]
                first = arg if first is None else first
                pos = end + 2 + n + 2
            if first.upper() == b"MULTI":
                multi = True
            elif first.upper() == b"EXEC":
                multi = False
        if not multi:
            starts.append(pos)
    return starts


def redis_aof_dir(tmp, preamble):
    """A redis-server AOF directory: writes, BGREWRITEAOF (base in RDB or RESP form per
    aof-use-rdb-preamble), more writes; the server is stopped by PID. Returns the dir."""
    srv = itlib.Server(REDIS, extra=("--appendonly", "yes", "--aof-use-rdb-preamble", preamble))
    keep = tempfile.mkdtemp(dir=tmp)
    try:
        s = itlib.connect(srv.port)
        for i in range(20):
            itlib.call(s, "SET", f"k{i}", "v" * i)
        itlib.call(s, "RPUSH", "l", "a", "b")
        assert itlib.call(s, "BGREWRITEAOF").startswith(b"+")

        def done():
            info = itlib.call(s, "INFO", "persistence")
            return (b"aof_rewrite_in_progress:0" in info
                    and b"aof_rewrite_scheduled:0" in info)
        assert itlib.wait_until(done, 20)
        for i in range(10):
            itlib.call(s, "INCR", "counter")
        s.sendall(itlib.cmd("MULTI") + itlib.cmd("SET", "x", "1") + itlib.cmd("SET", "y", "2")
                  + itlib.cmd("EXEC"))
        for _ in range(4):
            itlib.read_reply(s)
        s.close()
        shutil.copytree(os.path.join(srv.dir, "appendonlydir"),
                        os.path.join(keep, "appendonlydir"))
    finally:
        problems = srv.stop()
    assert not problems, problems
    return os.path.join(keep, "appendonlydir")


def main():
    for tool in (CHECK, REDIS_CHECK, REDIS):
        if not os.access(tool, os.X_OK):
            print(f"missing {tool}", file=sys.stderr)
            return 2
    checks = Checks()
    try:
        failures = itlib.run_checks(checks, only=sys.argv[1:])
    finally:
        shutil.rmtree(checks.tmp, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
