/* hash.h - hash functions: SipHash-1-2 (dict keys, keyed), SHA-1 (DEBUG DIGEST), CRC64
 * (RDB checksums later, Jones polynomial as Redis). */
#ifndef VIGIL_COMMON_HASH_H
#define VIGIL_COMMON_HASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-1-2 of in[0..len) under a 16-byte key; the _nocase form hashes as if every ASCII
 * letter were lowercase, so keys equal under strcasecmp hash alike. */
uint64_t hash_siphash(const void *in, size_t len, const uint8_t key[16]);
uint64_t hash_siphash_nocase(const void *in, size_t len, const uint8_t key[16]);

/* SHA-1 (FIPS 180-4), streaming: init, any number of updates, final. count is in bytes. */
typedef struct Sha1 {
    uint32_t state[5];
    uint64_t count;
    uint8_t buffer[64];
} Sha1;
void sha1_init(Sha1 *s);
void sha1_update(Sha1 *s, const void *data, size_t len);
void sha1_final(Sha1 *s, uint8_t digest[20]);

/* CRC-64/Jones as Redis's RDB trailer: reflected, poly 0xad93d23594c935a9, init 0, no final
 * xor. Pass 0 to start and the previous result to continue over more bytes. */
uint64_t hash_crc64(uint64_t crc, const void *p, size_t len);

#endif
