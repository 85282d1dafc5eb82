/* t_zset.c - the sorted-set type. Placeholder: its module lands with its commands. */
#include "common/vg.h"
#include "server/commands.h"
#include "server/object.h"

static void zset_free_value(Kv *kv) {
    VG_UNUSED(kv);
}

static void *zset_dup_value(const Kv *kv) {
    return kv->v.ptr;
}

static size_t zset_memory_usage(const Kv *kv, long long samples) {
    VG_UNUSED(kv);
    VG_UNUSED(samples);
    return 0;
}

static void zset_digest(const Kv *kv, ObjDigest d) {
    VG_UNUSED(kv);
    VG_UNUSED(d);
}

const TypeOps zset_type_ops = {zset_free_value, zset_dup_value, zset_memory_usage, zset_digest};

const CmdSpec zset_commands[] = {
    CMD_SPEC_END,
};
