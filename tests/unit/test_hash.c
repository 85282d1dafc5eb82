/* test_hash.c - SipHash-1-2, SHA-1 and CRC-64/Jones against reference vectors.
 *
 * SipHash-1-2 has no published vector set, so the suite carries a plain, byte-at-a-time
 * SipHash-c-d written from the paper, proves it on the official SipHash-2-4 vectors, and then
 * compares hash_siphash with it at c=1, d=2 over many lengths and keys. */
#include "common/hash.h"

#include <check.h>

#include "check_main.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reference SipHash-c-d ------------------------------------------------------------- */

static uint64_t rotl(uint64_t x, int b) {
    return (x << b) | (x >> (64 - b));
}

static void ref_round(uint64_t v[4]) {
    v[0] += v[1];
    v[1] = rotl(v[1], 13) ^ v[0];
    v[0] = rotl(v[0], 32);
    v[2] += v[3];
    v[3] = rotl(v[3], 16) ^ v[2];
    v[0] += v[3];
    v[3] = rotl(v[3], 21) ^ v[0];
    v[2] += v[1];
    v[1] = rotl(v[1], 17) ^ v[2];
    v[2] = rotl(v[2], 32);
}

static uint64_t ref_siphash(const uint8_t *in, size_t len, const uint8_t key[16], int c, int d) {
    uint64_t k0 = 0, k1 = 0;
    for (int i = 0; i < 8; i++) {
        k0 |= (uint64_t)key[i] << (8 * i);
        k1 |= (uint64_t)key[8 + i] << (8 * i);
    }
    uint64_t v[4] = {k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
                     k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL};
    size_t nblocks = len / 8 + 1; /* the last block always exists and carries len */
    for (size_t blk = 0; blk < nblocks; blk++) {
        uint64_t m = 0;
        for (size_t i = 0; i < 8; i++) {
            size_t pos = blk * 8 + i;
            if (pos < len) m |= (uint64_t)in[pos] << (8 * i);
        }
        if (blk == nblocks - 1) m |= (uint64_t)(len & 0xff) << 56;
        v[3] ^= m;
        for (int r = 0; r < c; r++)
            ref_round(v);
        v[0] ^= m;
    }
    v[2] ^= 0xff;
    for (int r = 0; r < d; r++)
        ref_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* Official SipHash-2-4 vectors: key 00..0f, message 00..(n-1) for n = 0..63. */
static const uint64_t sip24_vectors[64] = {
    0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
    0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL, 0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL,
    0x93f5f5799a932462ULL, 0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
    0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL, 0xa129ca6149be45e5ULL,
    0x3f2acc7f57c29bdbULL, 0x699ae9f52cbe4794ULL, 0x4bc1b3f0968dd39cULL, 0xbb6dc91da77961bdULL,
    0xbed65cf21aa2ee98ULL, 0xd0f2cbb02e3b67c7ULL, 0x93536795e3a33e88ULL, 0xa80c038ccd5ccec8ULL,
    0xb8ad50c6f649af94ULL, 0xbce192de8a85b8eaULL, 0x17d835b85bbb15f3ULL, 0x2f2e6163076bcfadULL,
    0xde4daaaca71dc9a5ULL, 0xa6a2506687956571ULL, 0xad87a3535c49ef28ULL, 0x32d892fad841c342ULL,
    0x7127512f72f27cceULL, 0xa7f32346f95978e3ULL, 0x12e0b01abb051238ULL, 0x15e034d40fa197aeULL,
    0x314dffbe0815a3b4ULL, 0x027990f029623981ULL, 0xcadcd4e59ef40c4dULL, 0x9abfd8766a33735cULL,
    0x0e3ea96b5304a7d0ULL, 0xad0c42d6fc585992ULL, 0x187306c89bc215a9ULL, 0xd4a60abcf3792b95ULL,
    0xf935451de4f21df2ULL, 0xa9538f0419755787ULL, 0xdb9acddff56ca510ULL, 0xd06c98cd5c0975ebULL,
    0xe612a3cb9ecba951ULL, 0xc766e62cfcadaf96ULL, 0xee64435a9752fe72ULL, 0xa192d576b245165aULL,
    0x0a8787bf8ecb74b2ULL, 0x81b3e73d20b49b6fULL, 0x7fa8220ba3b2eceaULL, 0x245731c13ca42499ULL,
    0xb78dbfaf3a8d83bdULL, 0xea1ad565322a1a0bULL, 0x60e61c23a3795013ULL, 0x6606d7e446282b93ULL,
    0x6ca4ecb15c5f91e1ULL, 0x9f626da15c9625f3ULL, 0xe51b38608ef25f57ULL, 0x958a324ceb064572ULL,
};

static void seq_bytes(uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)i;
}

START_TEST(test_reference_matches_siphash24_vectors) {
    uint8_t key[16], msg[64];
    seq_bytes(key, 16);
    seq_bytes(msg, 64);
    for (size_t n = 0; n < 64; n++)
        ck_assert_uint_eq(ref_siphash(msg, n, key, 2, 4), sip24_vectors[n]);
}
END_TEST

START_TEST(test_siphash12_matches_reference) {
    uint8_t key[16], msg[300];
    srand(7);
    for (int round = 0; round < 20; round++) {
        for (size_t i = 0; i < 16; i++)
            key[i] = (uint8_t)rand();
        for (size_t i = 0; i < sizeof(msg); i++)
            msg[i] = (uint8_t)rand();
        for (size_t n = 0; n <= sizeof(msg); n++) {
            ck_assert_uint_eq(hash_siphash(msg, n, key), ref_siphash(msg, n, key, 1, 2));
        }
    }
}
END_TEST

START_TEST(test_siphash12_differs_from_siphash24) {
    uint8_t key[16], msg[64];
    seq_bytes(key, 16);
    seq_bytes(msg, 64);
    for (size_t n = 0; n < 64; n++)
        ck_assert_uint_ne(hash_siphash(msg, n, key), sip24_vectors[n]);
}
END_TEST

START_TEST(test_siphash_key_changes_hash) {
    uint8_t k1[16] = {0}, k2[16] = {0};
    k2[15] = 1;
    ck_assert_uint_ne(hash_siphash("hello", 5, k1), hash_siphash("hello", 5, k2));
    ck_assert_uint_ne(hash_siphash("hello", 5, k1), hash_siphash("hellp", 5, k1));
    ck_assert_uint_ne(hash_siphash("", 0, k1), hash_siphash("\0", 1, k1));
}
END_TEST

START_TEST(test_siphash_nocase_equals_lowercased) {
    uint8_t key[16];
    seq_bytes(key, 16);
    const char *words[] = {"",
                           "A",
                           "Hello",
                           "HELLO WORLD, MiXeD 123 @[`{",
                           "ClUsTeR-SlOtS-XYZ",
                           "\xc3\x80\xff\x7f"
                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ"};
    for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
        size_t n = strlen(words[w]);
        char lower[128];
        for (size_t i = 0; i < n; i++) {
            char c = words[w][i];
            lower[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        }
        ck_assert_uint_eq(hash_siphash_nocase(words[w], n, key), hash_siphash(lower, n, key));
        ck_assert_uint_eq(hash_siphash_nocase(lower, n, key), hash_siphash(lower, n, key));
    }
    /* Bytes outside A-Z are untouched: '@' and '`' border the letters. */
    ck_assert_uint_ne(hash_siphash_nocase("@", 1, key), hash_siphash_nocase("`", 1, key));
    ck_assert_uint_ne(hash_siphash_nocase("[", 1, key), hash_siphash_nocase("{", 1, key));
}
END_TEST

/* ---- SHA-1 ----------------------------------------------------------------------------- */

static void sha1_hex(const void *data, size_t len, char out[41]) {
    Sha1 s;
    uint8_t d[20];
    sha1_init(&s);
    sha1_update(&s, data, len);
    sha1_final(&s, d);
    for (int i = 0; i < 20; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

START_TEST(test_sha1_known_vectors) {
    char hex[41];
    sha1_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
    sha1_hex("", 0, hex);
    ck_assert_str_eq(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha1_hex(two, strlen(two), hex);
    ck_assert_str_eq(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    sha1_hex("The quick brown fox jumps over the lazy dog", 43, hex);
    ck_assert_str_eq(hex, "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12");
}
END_TEST

START_TEST(test_sha1_million_a_in_chunks) {
    static char chunk[1000];
    memset(chunk, 'a', sizeof(chunk));
    Sha1 s;
    uint8_t d[20];
    char hex[41];
    sha1_init(&s);
    for (int i = 0; i < 1000; i++)
        sha1_update(&s, chunk, sizeof(chunk));
    sha1_final(&s, d);
    for (int i = 0; i < 20; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    ck_assert_str_eq(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}
END_TEST

START_TEST(test_sha1_split_updates_match_one_shot) {
    uint8_t msg[200];
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 31 + 7);
    for (size_t len = 0; len <= sizeof(msg); len += 7) {
        Sha1 one;
        uint8_t want[20];
        sha1_init(&one);
        sha1_update(&one, msg, len);
        sha1_final(&one, want);
        for (size_t cut = 0; cut <= len; cut += 3) {
            Sha1 two;
            uint8_t got[20];
            sha1_init(&two);
            sha1_update(&two, msg, cut);
            sha1_update(&two, msg + cut, 0);
            sha1_update(&two, msg + cut, len - cut);
            sha1_final(&two, got);
            ck_assert_mem_eq(got, want, 20);
        }
    }
}
END_TEST

/* ---- CRC-64 ---------------------------------------------------------------------------- */

static uint64_t ref_crc64(uint64_t crc, const uint8_t *p, size_t len) {
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc & 1) ? (crc >> 1) ^ 0x95ac9329ac4bc9b5ULL : crc >> 1;
    }
    return crc;
}

START_TEST(test_crc64_check_value) {
    ck_assert_uint_eq(hash_crc64(0, "123456789", 9), 0xe9c6d914c4b8d9caULL);
    ck_assert_uint_eq(hash_crc64(0, "", 0), 0);
    ck_assert_uint_eq(hash_crc64(0x1234, "", 0), 0x1234);
}
END_TEST

START_TEST(test_crc64_slice_by_8_matches_bitwise) {
    uint8_t buf[1031];
    srand(11);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)rand();
    for (size_t off = 0; off < 8; off++) { /* misaligned starts */
        for (size_t len = 0; len + off <= sizeof(buf); len += 13) {
            ck_assert_uint_eq(hash_crc64(0, buf + off, len), ref_crc64(0, buf + off, len));
        }
    }
}
END_TEST

START_TEST(test_crc64_chains_across_calls) {
    const char *s = "The quick brown fox jumps over the lazy dog, twice over the lazy dog.";
    size_t n = strlen(s);
    uint64_t whole = hash_crc64(0, s, n);
    for (size_t cut = 0; cut <= n; cut++) {
        uint64_t part = hash_crc64(0, s, cut);
        ck_assert_uint_eq(hash_crc64(part, s + cut, n - cut), whole);
    }
}
END_TEST

static Suite *hash_suite(void) {
    Suite *s = suite_create("hash");
    TCase *sip = tcase_create("siphash");
    tcase_add_test(sip, test_reference_matches_siphash24_vectors);
    tcase_add_test(sip, test_siphash12_matches_reference);
    tcase_add_test(sip, test_siphash12_differs_from_siphash24);
    tcase_add_test(sip, test_siphash_key_changes_hash);
    tcase_add_test(sip, test_siphash_nocase_equals_lowercased);
    suite_add_tcase(s, sip);
    TCase *sha = tcase_create("sha1");
    tcase_add_test(sha, test_sha1_known_vectors);
    tcase_add_test(sha, test_sha1_million_a_in_chunks);
    tcase_add_test(sha, test_sha1_split_updates_match_one_shot);
    suite_add_tcase(s, sha);
    TCase *crc = tcase_create("crc64");
    tcase_add_test(crc, test_crc64_check_value);
    tcase_add_test(crc, test_crc64_slice_by_8_matches_bitwise);
    tcase_add_test(crc, test_crc64_chains_across_calls);
    suite_add_tcase(s, crc);
    return s;
}

int main(void) {
    return check_run_suite(hash_suite());
}
