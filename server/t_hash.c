/* t_hash.c - the hash type. Placeholder: its module lands with its commands. */
#include "common/vg.h"
#include "server/commands.h"
#include "server/object.h"

static void hash_free_value(Kv *kv) {
    VG_UNUSED(kv);
}

static void *hash_dup_value(const Kv *kv) {
    return kv->v.ptr;
}

static size_t hash_memory_usage(const Kv *kv, long long samples) {
    VG_UNUSED(kv);
    VG_UNUSED(samples);
    return 0;
}

static void hash_digest(const Kv *kv, ObjDigest d) {
    VG_UNUSED(kv);
    VG_UNUSED(d);
}

const TypeOps hash_type_ops = {hash_free_value, hash_dup_value, hash_memory_usage, hash_digest};

const CmdSpec hash_commands[] = {
    CMD_SPEC_END,
};
