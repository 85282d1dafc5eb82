"""rdbgen - write small RDB files by hand, in the legacy encodings older Redis versions
wrote and Redis 7.0 still loads, so tests can feed them to redis-server (the oracle) and to
vigil-server and compare.

    w = RdbWriter(version=9)
    w.aux("redis-ver", "5.0.0")
    w.select_db(0)
    w.key(TYPE_LIST_ZIPLIST, "l", w_str(ziplist([b"a", 1, 300])))
    open(path, "wb").write(w.finish())

Formats follow Redis's rdb.c, ziplist.c and zipmap.c:
  length    00xxxxxx | 01xxxxxx yyyyyyyy (BE) | 0x80 + u32 BE | 0x81 + u64 BE
  string    length + bytes (the special 11xxxxxx int/LZF forms are not needed here)
  double    (type 3 scores) one length byte + ASCII, or 253 nan / 254 +inf / 255 -inf
  checksum  CRC-64/Jones (reflected, poly 0xad93d23594c935a9, init 0), u64 LE after EOF
"""

import struct

TYPE_STRING = 0
TYPE_LIST = 1
TYPE_SET = 2
TYPE_ZSET = 3
TYPE_HASH = 4
TYPE_HASH_ZIPMAP = 9
TYPE_LIST_ZIPLIST = 10
TYPE_ZSET_ZIPLIST = 12
TYPE_HASH_ZIPLIST = 13
TYPE_LIST_QUICKLIST = 14

OP_AUX = 0xFA
OP_RESIZEDB = 0xFB
OP_EXPIRETIME_MS = 0xFC
OP_SELECTDB = 0xFE
OP_EOF = 0xFF


def _crc64_table():
    poly = 0x95AC9329AC4BC9B5  # 0xad93d23594c935a9 bit-reversed (reflected algorithm)
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC64_TABLE = _crc64_table()


def crc64(data, crc=0):
    """Redis's crc64 (Jones): crc64(b"123456789") == 0xe9c6d914c4b8d9ca."""
    t = _CRC64_TABLE
    for b in data:
        crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


def _b(x):
    return x.encode() if isinstance(x, str) else bytes(x)


def w_len(n):
    if n < 1 << 6:
        return bytes([n])
    if n < 1 << 14:
        return bytes([0x40 | n >> 8, n & 0xFF])
    if n < 1 << 32:
        return b"\x80" + struct.pack(">I", n)
    return b"\x81" + struct.pack(">Q", n)


def w_str(s):
    s = _b(s)
    return w_len(len(s)) + s


def w_double_str(score):
    """A type-3 score: 'inf', '-inf', 'nan' use the special bytes, anything else (a float,
    an int or a string such as b'1.5') is written as ASCII."""
    if score in ("inf", float("inf")):
        return b"\xfe"
    if score in ("-inf", float("-inf")):
        return b"\xff"
    if score == "nan":
        return b"\xfd"
    s = _b(score if isinstance(score, (str, bytes)) else repr(score))
    assert len(s) < 253
    return bytes([len(s)]) + s


# ---- ziplist ------------------------------------------------------------------------------

INT_ENCODINGS = {  # encoding byte -> (payload bytes, min, max)
    0xFE: (1, -(1 << 7), (1 << 7) - 1),
    0xC0: (2, -(1 << 15), (1 << 15) - 1),
    0xF0: (3, -(1 << 23), (1 << 23) - 1),
    0xD0: (4, -(1 << 31), (1 << 31) - 1),
    0xE0: (8, -(1 << 63), (1 << 63) - 1),
}


def zl_int(v, enc=None):
    """An integer entry; enc forces an encoding (0xFE int8, 0xC0 int16, 0xF0 int24,
    0xD0 int32, 0xE0 int64, 'imm' for the 0..12 immediate form), else the smallest."""
    return ("int", v, enc)


def zl_str(s, form=None):
    """A string entry; form forces 1, 2 or 5 length-header bytes."""
    return ("str", _b(s), form)


def _zl_payload(item):
    if isinstance(item, int):
        item = zl_int(item)
    elif isinstance(item, (str, bytes, bytearray)):
        item = zl_str(item)
    kind, v, opt = item
    if kind == "str":
        n = len(v)
        form = opt or (1 if n <= 63 else 2 if n <= 16383 else 5)
        if form == 1:
            assert n <= 63
            hdr = bytes([n])
        elif form == 2:
            assert n <= 16383
            hdr = bytes([0x40 | n >> 8, n & 0xFF])
        else:
            hdr = b"\x80" + struct.pack(">I", n)
        return hdr + v
    enc = opt
    if enc is None:
        if 0 <= v <= 12:
            enc = "imm"
        else:
            enc = next(e for e, (_, lo, hi) in INT_ENCODINGS.items() if lo <= v <= hi)
    if enc == "imm":
        assert 0 <= v <= 12
        return bytes([0xF1 + v])
    size, lo, hi = INT_ENCODINGS[enc]
    assert lo <= v <= hi, (v, enc)
    return bytes([enc]) + (v & ((1 << (8 * size)) - 1)).to_bytes(size, "little")


def ziplist(items, big_prevlen_at=(), count=None):
    """A ziplist blob. items: bytes/str (string), int (integer, smallest encoding) or
    zl_str()/zl_int() for a forced form. Entries whose index is in big_prevlen_at get the
    5-byte back link even when 1 byte would do. count overrides zllen (65535 = unknown)."""
    body = b""
    prev_raw = 0
    last = 10
    for i, item in enumerate(items):
        if prev_raw < 254 and i not in big_prevlen_at:
            prev = bytes([prev_raw])
        else:
            prev = b"\xfe" + struct.pack("<I", prev_raw)
        entry = prev + _zl_payload(item)
        last = 10 + len(body)
        body += entry
        prev_raw = len(entry)
    n = len(items) if count is None else count
    total = 10 + len(body) + 1
    return struct.pack("<IIH", total, last, min(n, 0xFFFF)) + body + b"\xff"


# ---- zipmap -------------------------------------------------------------------------------


def _zm_len(n):
    return bytes([n]) if n < 254 else b"\xfe" + struct.pack("<I", n)


def zipmap(pairs, free=0, count=None):
    """A zipmap blob of (field, value) pairs; free unused bytes follow every value."""
    body = b""
    for f, v in pairs:
        f, v = _b(f), _b(v)
        body += _zm_len(len(f)) + f + _zm_len(len(v)) + bytes([free]) + v + b"\0" * free
    n = len(pairs) if count is None else count
    return bytes([min(n, 254)]) + body + b"\xff"


# ---- values -------------------------------------------------------------------------------


def list_of_strings(items):
    """Type 1 (linked list) payload."""
    return w_len(len(items)) + b"".join(w_str(x) for x in items)


def zset_string_scores(pairs):
    """Type 3 payload: (member, score) pairs, scores as ASCII or inf/-inf."""
    return w_len(len(pairs)) + b"".join(w_str(m) + w_double_str(s) for m, s in pairs)


def quicklist_of_ziplists(blobs):
    """Type 14 payload: a node count, then each node's ziplist as a string."""
    return w_len(len(blobs)) + b"".join(w_str(b) for b in blobs)


class RdbWriter:
    def __init__(self, version=9):
        self.buf = bytearray(b"REDIS%04d" % version)

    def aux(self, k, v):
        self.buf += bytes([OP_AUX]) + w_str(k) + w_str(v)

    def select_db(self, n):
        self.buf += bytes([OP_SELECTDB]) + w_len(n)

    def resize_db(self, keys, expires):
        self.buf += bytes([OP_RESIZEDB]) + w_len(keys) + w_len(expires)

    def key(self, rdbtype, key, payload, expire_ms=None):
        """payload is the value's bytes as they follow the key (blob types: w_str(blob))."""
        if expire_ms is not None:
            self.buf += bytes([OP_EXPIRETIME_MS]) + struct.pack("<q", expire_ms)
        self.buf += bytes([rdbtype]) + w_str(key) + payload

    def finish(self, checksum=True):
        self.buf += bytes([OP_EOF])
        crc = crc64(bytes(self.buf)) if checksum else 0
        return bytes(self.buf) + struct.pack("<Q", crc)


if __name__ == "__main__":
    assert crc64(b"123456789") == 0xE9C6D914C4B8D9CA
    print("crc64 ok")
