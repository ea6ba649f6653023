// SPDX-License-Identifier: GPL-2.0
/*
 * Many readers at once: 32 sessions, each following its own child, each
 * get that child's events and nothing else.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "ts_selftest.h"
#include "lib/stream.h"
#include "lib/util.h"

#define READERS 32

FIXTURE(readers) {
	struct ts_stream *s[READERS];
	pid_t kid[READERS];
	int go[2];
};

FIXTURE_SETUP(readers)
{
	self->go[0] = self->go[1] = -1;
	if (access(TS_DEV_PATH, F_OK))
		SKIP(return, MODULE_MISSING);
	ASSERT_EQ(0, pipe2(self->go, O_CLOEXEC));
	for (int i = 0; i < READERS; i++) {
		char c;

		self->kid[i] = fork();
		ASSERT_LE(0, self->kid[i]);
		if (self->kid[i] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(self->go[1]);
			if (read(self->go[0], &c, 1) != 1)
				_exit(1);
			for (int j = 0; j < 3; j++)
				usleep(1000);
			_exit(0);
		}
	}
}

FIXTURE_TEARDOWN(readers)
{
	for (int i = 0; i < READERS; i++) {
		if (self->kid[i] > 0) {
			kill(self->kid[i], SIGKILL);
			waitpid(self->kid[i], NULL, 0);
		}
		ts_stream_close(self->s[i]);
	}
	if (self->go[0] >= 0) {
		close(self->go[0]);
		close(self->go[1]);
	}
}

TEST_F(readers, each_session_gets_exactly_its_task)
{
	static struct taskstate_event ev[TS_STREAM_BATCH];
	pid_t pid[READERS];
	char go[READERS];
	uint64_t lost = 0;
	long total = 0;

	RETURN_IF_SETUP_SKIPPED();

	for (int i = 0; i < READERS; i++) {
		struct taskstate_filter f;

		self->s[i] = ts_stream_open(NULL, 0);
		ASSERT_NE(NULL, self->s[i]) TH_LOG("session %d: %s", i,
						   strerror(errno));
		ASSERT_EQ(0, ts_filter_pids(&f, TASKSTATE_FILTER_PIDS,
					    &self->kid[i], 1));
		ASSERT_EQ(0, ts_stream_set_filter(self->s[i], &f));
		ASSERT_EQ(0, ts_stream_set_buffer(self->s[i], 256));
		ASSERT_EQ(0, ts_stream_start(self->s[i]));
	}
	memcpy(pid, self->kid, sizeof(pid));
	memset(go, 'g', sizeof(go));
	ASSERT_EQ(READERS, write(self->go[1], go, sizeof(go)));
	for (int i = 0; i < READERS; i++) {
		int status;

		ASSERT_EQ(self->kid[i], waitpid(self->kid[i], &status, 0));
		EXPECT_EQ(0, status);
		self->kid[i] = 0;
	}

	for (int i = 0; i < READERS; i++) {
		uint64_t deadline = now_ns() + TS_MS(10000) * 1000000ull;
		struct taskstate_stats st;
		int events = 0, strangers = 0;
		bool exited = false, reaped = false;
		ssize_t n;

		while (!reaped && now_ns() < deadline) {
			n = ts_stream_read(self->s[i], ev, TS_STREAM_BATCH, 200);
			ASSERT_LE(0, n) TH_LOG("session %d: %s", i, strerror(-n));
			for (ssize_t k = 0; k < n; k++) {
				if (ev[k].kind != TASKSTATE_KIND_EVENT)
					continue;
				if (ev[k].pid != pid[i]) {
					strangers++;
					continue;
				}
				events++;
				exited |= ev[k].to == TASKSTATE_EXIT;
				reaped |= ev[k].cause == TASKSTATE_CAUSE_REAPED;
			}
		}
		ASSERT_EQ(0, ts_stream_stats(self->s[i], &st));
		EXPECT_EQ(0, strangers) TH_LOG("session %d", i);
		EXPECT_TRUE(exited) TH_LOG("session %d: no exit", i);
		EXPECT_TRUE(reaped) TH_LOG("session %d: no reap", i);
		/* Woken by go, dispatched, three sleeps, exit, reap. */
		EXPECT_LE(8, events) TH_LOG("session %d", i);
		EXPECT_EQ(0, st.lost);
		EXPECT_EQ(st.produced, st.delivered) TH_LOG("session %d", i);
		total += events;
		lost += st.lost;
	}
	TH_LOG("%d sessions, each with its own pid filter: %ld events, all "
	       "their own; %llu lost", READERS, total, (unsigned long long)lost);
}

TEST_HARNESS_MAIN
