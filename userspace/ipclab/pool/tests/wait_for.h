/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Waiting in the library's host tests: for a condition that another
 * thread or process makes true, never for a fixed time that is assumed
 * to be enough.  Header-only, so that the TSan builds (which compile the
 * pool sources into each test) need nothing more.
 */
#ifndef TASKSTATE_TESTS_WAIT_FOR_H
#define TASKSTATE_TESTS_WAIT_FOR_H

#include <errno.h>
#include <stdbool.h>
#include <time.h>

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Poll @cond (an expression) every millisecond for up to 5 s. */
#define WAIT_FOR(cond) ({					\
	double __end = now_s() + 5;				\
	bool __ok;						\
	while (!(__ok = (cond)) && now_s() < __end)		\
		sleep_ms(1);					\
	__ok; })

#endif
