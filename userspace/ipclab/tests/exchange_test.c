// SPDX-License-Identifier: GPL-2.0
/*
 * Every ipclab mechanism on the host, untraced (no module needed): the
 * exchange arrives intact with processes and with threads.  Under make asan this is where LeakSanitizer and UBSan see
 * ipclab itself (issue 16: a 64-byte leak per --threads receiver).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <unistd.h>
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

/* Issue 16: "1 messages". */
TEST(one_message_is_singular)
{
	const char *const args[] = { "pipe", "-n", "1", "--interval", "0", "--quiet", NULL };
	struct result r;

	run_tool(_metadata, &r, "ipclab", args);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.out, "pipe: 1 message of 64 bytes")) TH_LOG("%s", r.out);
}

/* Issue 16: 'ipclab pipe > /dev/full' exited 0. */
TEST(a_write_error_on_stdout_is_exit_1)
{
	const char *const run[] = { "pipe", "-n", "1", "--interval", "0", NULL };
	const char *const help[] = { "--help", NULL };
	struct result r;

	if (access("/dev/full", W_OK))
		SKIP(return, "no /dev/full");
	run_tool_out(_metadata, &r, "ipclab", run, "/dev/full");
	EXPECT_EQ(1, r.status) TH_LOG("%s", r.err);
	EXPECT_NE(NULL, strstr(r.err, "ipclab: write to stdout")) TH_LOG("%s", r.err);
	run_tool_out(_metadata, &r, "ipclab", help, "/dev/full");
	EXPECT_EQ(1, r.status) TH_LOG("%s", r.err);
}

TEST_HARNESS_MAIN
