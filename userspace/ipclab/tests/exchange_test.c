// SPDX-License-Identifier: GPL-2.0
/*
 * Every ipclab mechanism on the host, untraced (no module needed): the
 * exchange arrives intact with processes and with threads.  Under make asan this is where LeakSanitizer and UBSan see
 * ipclab itself (issue 16: a 64-byte leak per --threads receiver).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"
#include "lib/tests/run_tool.h"

FIXTURE(mech) {
	struct result r;
};

FIXTURE_VARIANT(mech) {
	const char *name;
};

#define MECH(id, str) \
	FIXTURE_VARIANT_ADD(mech, id) { .name = str }
MECH(pipe, "pipe");
MECH(fifo, "fifo");
MECH(sysv_msg, "sysv-msg");
MECH(posix_mq, "posix-mq");
MECH(sysv_shm, "sysv-shm");
MECH(posix_shm, "posix-shm");
MECH(sysv_sem, "sysv-sem");
MECH(posix_sem, "posix-sem");
MECH(unix_stream, "unix-stream");
MECH(unix_dgram, "unix-dgram");
MECH(socketpair, "socketpair");
MECH(tcp, "tcp");
MECH(signal, "signal");

FIXTURE_SETUP(mech)
{
}

FIXTURE_TEARDOWN(mech)
{
}

TEST_F(mech, arrives_intact_with_processes_and_threads)
{
	const char *const procs[] = { variant->name, "-n", "3", "--interval", "0",
				      "--quiet", NULL };
	const char *const threads[] = { variant->name, "-n", "3", "--interval", "0",
					"--quiet", "--threads", NULL };

	run_tool(_metadata, &self->r, "ipclab", procs);
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_NE(NULL, strstr(self->r.out, "checksums match")) TH_LOG("%s", self->r.out);
	run_tool(_metadata, &self->r, "ipclab", threads);
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_NE(NULL, strstr(self->r.out, "checksums match")) TH_LOG("%s", self->r.out);
}

TEST_HARNESS_MAIN
