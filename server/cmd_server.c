/* cmd_server.c - placeholder: the server command group. */
#include "server/commands.h"

const CmdSpec server_commands[] = {
    CMD_SPEC_END,
};
