/* sentinel_version.h - the sentinel's version string. */
#ifndef VIGIL_SENTINEL_VERSION_H
#define VIGIL_SENTINEL_VERSION_H

#define VIGIL_SENTINEL_VERSION "0.1.0"

const char *sentinel_version(void);

#endif
