/* sentinel_version.c - the sentinel's name and version strings (a placeholder module until
 * the sentinel issue gives the library its real modules). */
#include "sentinel/sentinel_version.h"

const char *sentinel_version(void) {
    return VIGIL_SENTINEL_VERSION;
}
