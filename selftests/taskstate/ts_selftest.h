/* SPDX-License-Identifier: GPL-2.0 */
/* What the taskstate selftests share on top of kselftest_harness.h. */
#ifndef TS_SELFTEST_H
#define TS_SELFTEST_H

#define MODULE_MISSING \
	"module not loaded: load kmod/taskstate.ko (make check runs the tests in a VM)"

/*
 * The 6.1 harness still runs a test whose FIXTURE_SETUP called SKIP();
 * every test body of a fixture that can skip starts with this.
 */
#define RETURN_IF_SETUP_SKIPPED()		\
	do {					\
		if (_metadata->skip)		\
			return;			\
	} while (0)

#endif
