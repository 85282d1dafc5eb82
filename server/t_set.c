/* t_set.c - the set type. Placeholder: its module lands with its commands. */
#include "common/vg.h"
#include "server/commands.h"
#include "server/object.h"

static void set_free_value(Kv *kv) {
    VG_UNUSED(kv);
}

static void *set_dup_value(const Kv *kv) {
    return kv->v.ptr;
}

static size_t set_memory_usage(const Kv *kv, long long samples) {
    VG_UNUSED(kv);
    VG_UNUSED(samples);
    return 0;
}

static void set_digest(const Kv *kv, ObjDigest d) {
    VG_UNUSED(kv);
    VG_UNUSED(d);
}

const TypeOps set_type_ops = {set_free_value, set_dup_value, set_memory_usage, set_digest};

const CmdSpec set_commands[] = {
    CMD_SPEC_END,
};
