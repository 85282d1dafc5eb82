/* cmd_sentinel.c - the SENTINEL command family (skeleton: filled by the commands work). */
#include "common/resp_writer.h"
#include "sentinel/front.h"
#include "sentinel/sentinel.h"

#include <string.h>
#include <strings.h>

void cmd_sentinel(SClient *c, int argc, RespArg *argv) {
    VG_UNUSED(argc);
    if (argv[1].len == 4 && !strncasecmp(argv[1].ptr, "myid", 4)) {
        resp_bulk(&c->out, sentinel.myid, SENTINEL_ID_LEN);
        return;
    }
    sc_reply_error(c, "ERR unknown subcommand '%.*s'. Try SENTINEL HELP.", (int)argv[1].len,
                   argv[1].ptr);
}

void sentinel_info_section(Buf *out) {
    VG_UNUSED(out);
}
