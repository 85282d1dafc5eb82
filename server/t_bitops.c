/* t_bitops.c - bitmap commands over string values: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP.
 *
 * Bits are numbered from the most significant bit of byte 0 (bit 7 of byte 0 is offset 0),
 * as in Redis. A missing key reads as an endless run of zero bits. Writes turn the value
 * into a raw string (db_make_raw) grown with zero bytes; BITOP stores a raw string too.
 * Ranges of BITCOUNT and BITPOS are inclusive, negative counts from the end, and are in
 * bytes unless BIT is given. Counting and searching run over 8-byte words.
 * Replies, error texts and the order of checks follow Redis 7.0. */
#include "common/mem.h"
#include "common/util.h"
#include "server/client.h"
#include "server/commands.h"
#include "server/db.h"
#include "server/notify.h"
#include "server/object.h"
#include "server/reply.h"
#include "server/server.h"

#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------
 * Helpers */

/* Words compare as Redis compares them, as C strings: bytes after a NUL are ignored. */
static bool opt_is(const RespArg *a, const char *word) {
    const char *nul = memchr(a->ptr, '\0', a->len);
    RespArg s = {a->ptr, nul ? (size_t)(nul - a->ptr) : a->len};
    return arg_is(&s, word);
}

/* A read lookup: 0 with *out (NULL when absent), or nonzero after a WRONGTYPE reply. */
static int bits_read_or_reply(Client *c, Kv **out) {
    Kv *kv = db_lookup_read(c->db, c->argv[1].ptr, c->argv[1].len, LOOKUP_NONE);
    if (kv && kv->type != OBJ_STRING) {
        reply_wrongtype(c);
        return -1;
    }
    *out = kv;
    return 0;
}

/* SETBIT/GETBIT offsets: a strict integer, >= 0, with its byte below proto-max-bulk-len. */
static int bit_offset_or_reply(Client *c, const RespArg *a, uint64_t *out) {
    long long v;
    if (!util_str_to_ll(a->ptr, a->len, &v) || v < 0 || (v >> 3) >= cfg.proto_max_bulk_len) {
        reply_error(c, ERRT_BIT_OFFSET);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

/* The key's value as a raw string of at least `len` bytes (new bytes are zero), created
 * when absent; *grown says whether it was created or lengthened. NULL after a WRONGTYPE
 * reply. */
static Kv *bits_grow_or_reply(Client *c, size_t len, bool *grown) {
    const RespArg *key = &c->argv[1];
    Kv *kv = db_lookup_write(c->db, key->ptr, key->len);
    if (kv && kv->type != OBJ_STRING) {
        reply_wrongtype(c);
        return NULL;
    }
    if (!kv) {
        kv = kv_new_raw(key->ptr, key->len, NULL, 0, len);
        db_add(c->db, kv);
    } else {
        kv = db_make_raw(c->db, kv, len);
    }
    RawStr *s = kv_raw(kv);
    *grown = s->len < len;
    if (s->len < len) {
        memset(s->data + s->len, 0, len - s->len);
        s->len = len;
        s->data[len] = '\0';
    }
    return kv;
}

static int bit_at(const unsigned char *p, uint64_t bit) {
    return (p[bit >> 3] >> (7 - (bit & 7))) & 1;
}

/* Set bits in p[0..n). */
static long long popcount_bytes(const unsigned char *p, size_t n) {
    long long count = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        count += __builtin_popcountll(w);
    }
    for (; i < n; i++)
        count += __builtin_popcount(p[i]);
    return count;
}

/* Set bits among bit offsets [from, to] of p (from <= to). */
static long long popcount_bit_range(const unsigned char *p, uint64_t from, uint64_t to) {
    uint64_t first = from >> 3, last = to >> 3;
    long long count = popcount_bytes(p + first, (size_t)(last - first + 1));
    unsigned char head = (unsigned char)(0xff00u >> (from & 7));   /* bits before `from` */
    unsigned char tail = (unsigned char)(0xffu >> ((to & 7) + 1)); /* bits after `to` */
    count -= __builtin_popcount(p[first] & head);
    count -= __builtin_popcount(p[last] & tail);
    return count;
}

/* The first bit equal to `bit` among offsets [from, to] of p, or -1. Whole bytes that
 * cannot hold it are skipped a word at a time. */
static long long bit_find(const unsigned char *p, uint64_t from, uint64_t to, int bit) {
    uint64_t i = from;
    for (; i <= to && (i & 7); i++)
        if (bit_at(p, i) == bit) return (long long)i;
    if (i > to) return -1;
    size_t b = (size_t)(i >> 3), end = (size_t)((to + 1) >> 3);
    uint64_t skip_word = bit ? 0 : UINT64_MAX;
    unsigned char skip_byte = bit ? 0 : 0xff;
    while (b + 8 <= end) {
        uint64_t w;
        memcpy(&w, p + b, 8);
        if (w != skip_word) break;
        b += 8;
    }
    while (b < end && p[b] == skip_byte)
        b++;
    for (i = (uint64_t)b << 3; i <= to; i++)
        if (bit_at(p, i) == bit) return (long long)i;
    return -1;
}

/* A range as BITCOUNT and BITPOS take it: start/end inclusive over `total` units, negative
 * from the end, clamped to the value. False when it is empty. */
static bool range_normalize(long long *start, long long *end, long long total) {
    if (*start < 0) *start += total;
    if (*end < 0) *end += total;
    if (*start < 0) *start = 0;
    if (*end < 0) *end = 0;
    if (*end >= total) *end = total - 1;
    return *start <= *end;
}

/* BYTE|BIT unit word; nonzero after a syntax error reply. */
static int bit_unit_or_reply(Client *c, const RespArg *a, bool *isbit) {
    if (opt_is(a, "bit")) {
        *isbit = true;
    } else if (opt_is(a, "byte")) {
        *isbit = false;
    } else {
        reply_syntax_error(c);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * SETBIT, GETBIT */

/* SETBIT key offset value: replies the bit's previous value. As in Redis 7.0, setting a
 * bit to the value it already has is not a modification (unless the string grew). */
static void cmd_setbit(Client *c) {
    uint64_t off;
    long long on;
    bool grown;
    if (bit_offset_or_reply(c, &c->argv[2], &off) != 0) return;
    if (!util_str_to_ll(c->argv[3].ptr, c->argv[3].len, &on) || (on & ~1LL)) {
        reply_error(c, ERRT_BIT_VALUE);
        return;
    }
    Kv *kv = bits_grow_or_reply(c, (size_t)(off >> 3) + 1, &grown);
    if (!kv) return;
    unsigned char *byte = (unsigned char *)kv_raw(kv)->data + (off >> 3);
    unsigned char mask = (unsigned char)(1u << (7 - (off & 7)));
    int old = (*byte & mask) != 0;
    if (on)
        *byte |= mask;
    else
        *byte &= (unsigned char)~mask;
    if (grown || old != on) {
        db_signal_modified(c->db, c->argv[1].ptr, c->argv[1].len);
        notify_keyspace_event(NOTIFY_STRING, "setbit", c->argv[1].ptr, c->argv[1].len, c->db->id);
    }
    reply_int(c, old);
}

/* GETBIT key offset: bits past the end are 0. */
static void cmd_getbit(Client *c) {
    uint64_t off;
    Kv *kv;
    if (bit_offset_or_reply(c, &c->argv[2], &off) != 0) return;
    if (bits_read_or_reply(c, &kv) != 0) return;
    if (!kv) {
        reply_int(c, 0);
        return;
    }
    char nb[32];
    size_t len;
    const unsigned char *p = (const unsigned char *)kv_str(kv, &len, nb);
    reply_int(c, (off >> 3) < len ? bit_at(p, off) : 0);
}

/* ------------------------------------------------------------------------------------------
 * BITCOUNT key [start end [BYTE|BIT]] - Redis looks the key up before parsing the range, so
 * a missing key replies 0 whatever the arguments, and it replies 0 for two negative indexes
 * with start > end before it reads the unit word (BITCOUNT k -1 -2 FOO is 0, not an error). */

static void cmd_bitcount(Client *c) {
    Kv *kv;
    if (bits_read_or_reply(c, &kv) != 0) return;
    if (!kv) {
        reply_int(c, 0);
        return;
    }
    char nb[32];
    size_t len;
    const unsigned char *p = (const unsigned char *)kv_str(kv, &len, nb);
    if (c->argc == 2) {
        reply_int(c, popcount_bytes(p, len));
        return;
    }
    if (c->argc != 4 && c->argc != 5) {
        reply_syntax_error(c);
        return;
    }
    long long start, end;
    bool isbit = false;
    if (arg_to_ll_or_reply(c, &c->argv[2], &start, NULL) != 0) return;
    if (arg_to_ll_or_reply(c, &c->argv[3], &end, NULL) != 0) return;
    if (start < 0 && end < 0 && start > end) {
        reply_int(c, 0);
        return;
    }
    if (c->argc == 5 && bit_unit_or_reply(c, &c->argv[4], &isbit) != 0) return;
    long long total = isbit ? (long long)len * 8 : (long long)len;
    if (!range_normalize(&start, &end, total)) {
        reply_int(c, 0);
        return;
    }
    uint64_t from = (uint64_t)(isbit ? start : start * 8);
    uint64_t to = (uint64_t)(isbit ? end : end * 8 + 7);
    reply_int(c, popcount_bit_range(p, from, to));
}

/* ------------------------------------------------------------------------------------------
 * BITPOS key bit [start [end [BYTE|BIT]]]
 *
 * Looking for a 0 without an explicit end treats the value as followed by zeros, so "not
 * found" is the first bit past the value; with an explicit end it is -1 (Redis's rule). */

typedef struct BitposArgs {
    int bit;
    long long start, end; /* in units (bytes or bits) until normalized */
    bool end_given, isbit;
} BitposArgs;

/* Parse start, BYTE|BIT, end in Redis's order. */
static int bitpos_range_or_reply(Client *c, BitposArgs *a, size_t len) {
    if (c->argc > 6) {
        reply_syntax_error(c);
        return -1;
    }
    a->start = 0;
    a->end = (long long)len - 1;
    if (c->argc == 3) return 0;
    if (arg_to_ll_or_reply(c, &c->argv[3], &a->start, NULL) != 0) return -1;
    if (c->argc == 6 && bit_unit_or_reply(c, &c->argv[5], &a->isbit) != 0) return -1;
    if (c->argc >= 5) {
        if (arg_to_ll_or_reply(c, &c->argv[4], &a->end, NULL) != 0) return -1;
        a->end_given = true;
    }
    return 0;
}

static void cmd_bitpos(Client *c) {
    BitposArgs a = {0};
    long long bit;
    if (arg_to_ll_or_reply(c, &c->argv[2], &bit, NULL) != 0) return;
    if (bit != 0 && bit != 1) {
        reply_error(c, "ERR The bit argument must be 1 or 0.");
        return;
    }
    a.bit = (int)bit;
    Kv *kv;
    if (bits_read_or_reply(c, &kv) != 0) return;
    if (!kv) {
        reply_int(c, a.bit ? -1 : 0);
        return;
    }
    char nb[32];
    size_t len;
    const unsigned char *p = (const unsigned char *)kv_str(kv, &len, nb);
    if (bitpos_range_or_reply(c, &a, len) != 0) return;
    long long total = a.isbit ? (long long)len * 8 : (long long)len;
    if (!range_normalize(&a.start, &a.end, total)) {
        reply_int(c, -1);
        return;
    }
    uint64_t from = (uint64_t)(a.isbit ? a.start : a.start * 8);
    uint64_t to = (uint64_t)(a.isbit ? a.end : a.end * 8 + 7);
    long long pos = bit_find(p, from, to, a.bit);
    if (pos < 0 && a.bit == 0 && !a.end_given) pos = (long long)to + 1;
    reply_int(c, pos);
}

/* ------------------------------------------------------------------------------------------
 * BITOP AND|OR|XOR|NOT destkey key [key ...]
 *
 * Missing keys and the tails of shorter strings read as zero bytes. The result, as long as
 * the longest source, is built in a new raw value before the destination is replaced, so
 * the destination may also be a source. An empty result deletes the destination. */

enum {
    BITOP_AND,
    BITOP_OR,
    BITOP_XOR,
    BITOP_NOT
};

static int bitop_parse_or_reply(Client *c, int *op) {
    const RespArg *a = &c->argv[1];
    if (opt_is(a, "and")) {
        *op = BITOP_AND;
    } else if (opt_is(a, "or")) {
        *op = BITOP_OR;
    } else if (opt_is(a, "xor")) {
        *op = BITOP_XOR;
    } else if (opt_is(a, "not")) {
        *op = BITOP_NOT;
    } else {
        reply_syntax_error(c);
        return -1;
    }
    if (*op == BITOP_NOT && c->argc != 4) {
        reply_error(c, "ERR BITOP NOT must be called with a single source key.");
        return -1;
    }
    return 0;
}

/* dst[0..n) op= src[0..n), a word at a time. */
static void bitop_apply(int op, unsigned char *dst, const unsigned char *src, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t d, s;
        memcpy(&d, dst + i, 8);
        memcpy(&s, src + i, 8);
        d = op == BITOP_AND ? d & s : op == BITOP_OR ? d | s : d ^ s;
        memcpy(dst + i, &d, 8);
    }
    for (; i < n; i++) {
        unsigned char s = src[i];
        dst[i] = op == BITOP_AND ? dst[i] & s : op == BITOP_OR ? dst[i] | s : dst[i] ^ s;
    }
}

/* Fold every source into res (maxlen bytes, zeroed). */
static void bitop_compute(int op, Kv **src, int n, unsigned char *res, size_t maxlen) {
    for (int k = 0; k < n; k++) {
        char nb[32];
        size_t len = 0;
        const unsigned char *p = src[k] ? (const unsigned char *)kv_str(src[k], &len, nb) : NULL;
        if (op == BITOP_NOT) {
            for (size_t i = 0; i < len; i++)
                res[i] = (unsigned char)~p[i];
        } else if (k == 0) {
            if (len) memcpy(res, p, len);
        } else {
            if (len) bitop_apply(op, res, p, len);
            if (op == BITOP_AND) memset(res + len, 0, maxlen - len); /* x & 0 */
        }
    }
}

/* Look the sources up into src[]; their longest length in *maxlen. Nonzero after a
 * WRONGTYPE reply. */
static int bitop_sources_or_reply(Client *c, Kv **src, size_t *maxlen) {
    *maxlen = 0;
    for (int k = 0; k < c->argc - 3; k++) {
        const RespArg *key = &c->argv[k + 3];
        src[k] = db_lookup_read(c->db, key->ptr, key->len, LOOKUP_NONE);
        if (!src[k]) continue;
        if (src[k]->type != OBJ_STRING) {
            reply_wrongtype(c);
            return -1;
        }
        *maxlen = VG_MAX(*maxlen, kv_strlen(src[k]));
    }
    return 0;
}

static void bitop_store(Client *c, int op, Kv **src, size_t maxlen) {
    const RespArg *dest = &c->argv[2];
    if (maxlen == 0) {
        if (!db_delete(c->db, dest->ptr, dest->len)) return;
        db_signal_modified(c->db, dest->ptr, dest->len);
        notify_keyspace_event(NOTIFY_GENERIC, "del", dest->ptr, dest->len, c->db->id);
        return;
    }
    Kv *kv = kv_new_raw(dest->ptr, dest->len, NULL, 0, maxlen);
    RawStr *s = kv_raw(kv);
    memset(s->data, 0, maxlen);
    bitop_compute(op, src, c->argc - 3, (unsigned char *)s->data, maxlen);
    s->len = maxlen;
    s->data[maxlen] = '\0';
    db_set(c->db, kv, false);
    db_signal_modified(c->db, dest->ptr, dest->len);
    notify_keyspace_event(NOTIFY_STRING, "set", dest->ptr, dest->len, c->db->id);
}

static void cmd_bitop(Client *c) {
    int op;
    size_t maxlen;
    if (bitop_parse_or_reply(c, &op) != 0) return;
    Kv **src = mem_alloc(sizeof(Kv *) * (size_t)(c->argc - 3));
    if (bitop_sources_or_reply(c, src, &maxlen) == 0) {
        bitop_store(c, op, src, maxlen);
        reply_int(c, (long long)maxlen);
    }
    mem_free(src);
}

/* clang-format off */
const CmdSpec bitops_commands[] = {
    {"setbit",   cmd_setbit,    4, CMD_WRITE | CMD_DENYOOM,  KEYS(1, 1, 1),  "bitmap", NULL, "Sets or clears the bit at offset in the string value stored at key", "2.2.0", "key offset value"},
    {"getbit",   cmd_getbit,    3, CMD_READONLY | CMD_FAST,  KEYS(1, 1, 1),  "bitmap", NULL, "Returns the bit value at offset in the string value stored at key", "2.2.0", "key offset"},
    {"bitcount", cmd_bitcount, -2, CMD_READONLY,             KEYS(1, 1, 1),  "bitmap", NULL, "Count set bits in a string", "2.6.0", "key [start end [BYTE|BIT]]"},
    {"bitpos",   cmd_bitpos,   -3, CMD_READONLY,             KEYS(1, 1, 1),  "bitmap", NULL, "Find first bit set or clear in a string", "2.8.7", "key bit [start [end [BYTE|BIT]]]"},
    {"bitop",    cmd_bitop,    -4, CMD_WRITE | CMD_DENYOOM,  KEYS(2, -1, 1), "bitmap", NULL, "Perform bitwise operations between strings", "2.6.0", "operation destkey key [key ...]"},
    CMD_SPEC_END,
};
/* clang-format on */
