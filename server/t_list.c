/* t_list.c - the list type. Placeholder: its module lands with its commands. */
#include "common/vg.h"
#include "server/commands.h"
#include "server/object.h"

static void list_free_value(Kv *kv) {
    VG_UNUSED(kv);
}

static void *list_dup_value(const Kv *kv) {
    return kv->v.ptr;
}

static size_t list_memory_usage(const Kv *kv, long long samples) {
    VG_UNUSED(kv);
    VG_UNUSED(samples);
    return 0;
}

static void list_digest(const Kv *kv, ObjDigest d) {
    VG_UNUSED(kv);
    VG_UNUSED(d);
}

const TypeOps list_type_ops = {list_free_value, list_dup_value, list_memory_usage, list_digest};

const CmdSpec list_commands[] = {
    CMD_SPEC_END,
};
