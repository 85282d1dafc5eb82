/* digest.h - the SHA-1 mixing DEBUG DIGEST is built from (Redis's scheme, so equal datasets
 * give Redis's digest whatever the insertion order):
 *   digest_mix(d, data)  d ^= SHA1(data); d = SHA1(d)   order-sensitive (list elements)
 *   digest_xor(d, data)  d ^= SHA1(data)                order-free (set members, keys)
 * Each type module digests its own elements (TypeOps.digest, object.h); cmd_server.c adds
 * the key names, types, TTL markers and databases. */
#ifndef VIGIL_SERVER_DIGEST_H
#define VIGIL_SERVER_DIGEST_H

#include <stddef.h>
#include <stdint.h>

typedef uint8_t Digest[20];

void digest_xor(Digest d, const void *p, size_t len);
void digest_mix(Digest d, const void *p, size_t len);
void digest_mix_u32(Digest d, uint32_t v); /* as 4 big-endian bytes */

#endif
