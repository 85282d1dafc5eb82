/* clock.h - the two clocks: monotonic for intervals and timeouts, wall for TTLs and logs. */
#ifndef VIGIL_COMMON_CLOCK_H
#define VIGIL_COMMON_CLOCK_H

#include <stdint.h>

int64_t clock_mono_ms(void);
int64_t clock_mono_us(void);
int64_t clock_wall_ms(void);
int64_t clock_wall_us(void);

#endif
