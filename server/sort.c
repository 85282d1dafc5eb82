/* sort.c - SORT and SORT_RO. Placeholder until the aggregate types land. */
#include "server/commands.h"

const CmdSpec sort_commands[] = {
    CMD_SPEC_END,
};
