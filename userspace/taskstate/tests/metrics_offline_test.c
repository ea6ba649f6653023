// SPDX-License-Identifier: GPL-2.0
/*
 * taskstate metrics where the module is not loaded (the host that builds
 * it), and its bad usage (issue 19): exit 1 with the load hint, the
 * textfile left as it was, nothing listening; one line and exit 2 for a
 * bad option.  The real scrapes are in selftests/taskstate/fleet_test.c.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/tests/run_tool.h"

FIXTURE(m) {
	char dir[64], prom[128];
	struct result r;
};

FIXTURE_SETUP(m)
{
	FILE *f;

	strcpy(self->dir, "/tmp/metrics_offline_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->prom, sizeof(self->prom), "%s/taskstate.prom", self->dir);
	f = fopen(self->prom, "w");
	ASSERT_NE(NULL, f);
	fputs("taskstate_sessions 7\n", f);
	fclose(f);
}

FIXTURE_TEARDOWN(m)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd))
		TH_LOG("could not remove %s", self->dir);
}

static void expect_untouched(struct __test_metadata *_metadata, FIXTURE_DATA(m) *self)
{
	char buf[128] = "", cmd[256];
	FILE *f = fopen(self->prom, "r");

	ASSERT_NE(NULL, f);
	EXPECT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	EXPECT_STREQ("taskstate_sessions 7\n", buf);
	snprintf(cmd, sizeof(cmd), "test \"$(ls -A '%s')\" = taskstate.prom", self->dir);
	EXPECT_EQ(0, system(cmd)) TH_LOG("something else was written in %s", self->dir);
}

TEST_F(m, without_the_module_says_load_it_and_writes_nothing)
{
	const char *const print[] = { "metrics", NULL };
	const char *const textfile[] = { "metrics", "--textfile", self->dir, NULL };
	const char *const listen[] = { "metrics", "--listen", "127.0.0.1:1", NULL };
	const char *const *cmds[] = { print, textfile, listen };

	if (!access("/proc/taskstate/transitions", F_OK))
		SKIP(return, "the module is loaded here");
	for (size_t i = 0; i < 3; i++) {
		run_tool(_metadata, &self->r, "taskstate", cmds[i]);
		EXPECT_EQ(1, self->r.status) TH_LOG("%s", self->r.err);
		EXPECT_NE(NULL, strstr(self->r.err, "load the module")) TH_LOG("%s", self->r.err);
		EXPECT_EQ('\0', self->r.out[0]);
		/* One line. */
		EXPECT_EQ(strlen(self->r.err) - 1, strcspn(self->r.err, "\n"));
	}
	expect_untouched(_metadata, self);
}

TEST_F(m, bad_usage_is_one_line_and_exit_2)
{
	const char *const both[] = { "metrics", "--textfile", self->dir, "--listen", "9100", NULL };
	const char *const port[] = { "metrics", "--listen", "127.0.0.1:http", NULL };
	const char *const big[] = { "metrics", "--listen", "65536", NULL };
	const char *const host[] = { "metrics", "--listen", "localhost:9100", NULL };
	const char *const extra[] = { "metrics", "now", NULL };
	const char *const unknown[] = { "metrics", "--interval", NULL };
	const char *const *cmds[] = { both, port, big, host, extra, unknown };

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		run_tool(_metadata, &self->r, "taskstate", cmds[i]);
		EXPECT_EQ(2, self->r.status) TH_LOG("%s: %s", cmds[i][1], self->r.err);
		EXPECT_EQ(0, strncmp(self->r.err, "taskstate: metrics: ", 20))
			TH_LOG("%s", self->r.err);
		EXPECT_EQ(strlen(self->r.err) - 1, strcspn(self->r.err, "\n"));
	}
	expect_untouched(_metadata, self);
}

TEST_F(m, help_names_every_metric)
{
	static const char *const names[] = {
		"taskstate_transitions_total", "taskstate_lost_events_total",
		"taskstate_record_evictions_total", "taskstate_tasks",
		"taskstate_sessions", "taskstate_info", "--textfile", "--listen",
	};
	const char *const help[] = { "metrics", "--help", NULL };

	run_tool(_metadata, &self->r, "taskstate", help);
	EXPECT_EQ(0, self->r.status);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		EXPECT_NE(NULL, strstr(self->r.out, names[i])) TH_LOG("%s", names[i]);
	}
}

TEST_HARNESS_MAIN
