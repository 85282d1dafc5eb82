/* cmd_client.c - placeholder: the client command group. */
#include "server/commands.h"

const CmdSpec client_commands[] = {
    CMD_SPEC_END,
};
