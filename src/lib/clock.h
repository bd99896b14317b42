/*
 * Time units, and the library's one way to read a clock. The units are
 * portable (the Windows client's formatters use them); reading a clock is
 * Linux's: the Windows client only formats times its driver gives it.
 */
#ifndef PN_CLOCK_H
#define PN_CLOCK_H
#include <stdint.h>

#define PN_NS_PER_US ((int64_t)1000)
#define PN_NS_PER_MS ((int64_t)1000000)
#define PN_NS_PER_SEC ((int64_t)1000000000)

#if defined(__linux__)
#include <time.h>
/* Clock id's time in ns: CLOCK_MONOTONIC (the BPF records' clock),
 * CLOCK_REALTIME (wall time) or CLOCK_BOOTTIME. */
uint64_t pn__clock_ns(clockid_t id);
#endif
#endif
