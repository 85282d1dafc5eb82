/* digest.c - DEBUG DIGEST's mixing functions (see digest.h). */
#include "server/digest.h"

#include "common/hash.h"

void digest_xor(Digest d, const void *p, size_t len) {
    Sha1 s;
    uint8_t h[20];
    sha1_init(&s);
    sha1_update(&s, p, len);
    sha1_final(&s, h);
    for (int i = 0; i < 20; i++)
        d[i] ^= h[i];
}

void digest_mix(Digest d, const void *p, size_t len) {
    Sha1 s;
    digest_xor(d, p, len);
    sha1_init(&s);
    sha1_update(&s, d, 20);
    sha1_final(&s, d);
}

void digest_mix_u32(Digest d, uint32_t v) {
    uint8_t be[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    digest_mix(d, be, sizeof(be));
}
