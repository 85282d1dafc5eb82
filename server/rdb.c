/* rdb.c - the RDB format (see rdb.h). Placeholder: the format lands in its own change. */
#include "server/rdb.h"

#include "common/vg.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

int rdb_save_fd(int fd, const RdbSaveInfo *rsi, bool in_child) {
    VG_UNUSED(fd);
    VG_UNUSED(rsi);
    VG_UNUSED(in_child);
    errno = ENOSYS;
    return -1;
}

int rdb_save_file(const char *path, const RdbSaveInfo *rsi, bool in_child) {
    VG_UNUSED(path);
    VG_UNUSED(rsi);
    VG_UNUSED(in_child);
    errno = ENOSYS;
    return -1;
}

int rdb_load_file(const char *path, RdbLoadInfo *info, char *err, size_t errlen) {
    VG_UNUSED(info);
    struct stat st;
    if (stat(path, &st) != 0) return RDB_LOAD_NOT_FOUND;
    snprintf(err, errlen, "%s: RDB loading is not implemented yet", path);
    return RDB_LOAD_FAILED;
}

int rdb_load_fd(int fd, const char *name, RdbLoadInfo *info, long long *consumed, char *err,
                size_t errlen) {
    VG_UNUSED(fd);
    VG_UNUSED(info);
    *consumed = 0;
    snprintf(err, errlen, "%s: RDB loading is not implemented yet", name);
    return RDB_LOAD_FAILED;
}
