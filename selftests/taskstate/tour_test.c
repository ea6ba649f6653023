// SPDX-License-Identifier: GPL-2.0
/*
 * The tour (docs/tour.md.in, docs/tour.zh.md.in) stays true: every command
 * in it still runs, prints the lines its text relies on (@pick, @expect,
 * @match) and draws its picture.  scripts/docs --check does the work; this
 * test runs it in the VM make check has already booted, so a broken tour
 * command fails make check.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ts_selftest.h"

FIXTURE(tour) {
	char repo[PATH_MAX];
};

FIXTURE_SETUP(tour)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	ASSERT_LT(0, n);
	exe[n] = '\0';
	/* The repository root: two levels above this test program. */
	snprintf(self->repo, sizeof(self->repo), "%s/../..", dirname(exe));
}

FIXTURE_TEARDOWN(tour)
{
}

/*
 * The tour takes under a minute under TCG, about six on the debug kernel;
 * leave room for a busy host.
 */
TEST_F_TIMEOUT(tour, every_command_runs_and_prints_what_the_text_relies_on,
	       280 * TS_TIME_SCALE)
{
	char cmd[PATH_MAX + 64], *line = NULL;
	size_t cap = 0;
	FILE *p;
	int status;

	if (access("/dev/taskstate", F_OK))
		SKIP(return, "no /dev/taskstate: load kmod/taskstate.ko");
	if (geteuid())
		SKIP(return, "the tour's commands need root");
	snprintf(cmd, sizeof(cmd), "cd '%s' && scripts/docs --check 2>&1", self->repo);
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	/*
	 * Its TAP as comments: the runner and scripts/check count only this
	 * test's own result, the script's lines are the details.
	 */
	while (getline(&line, &cap, p) > 0) {
		printf("# %s", line);
		/* The harness runs this in a child that may not flush at exit. */
		fflush(stdout);
	}
	free(line);
	status = pclose(p);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("scripts/docs --check failed: a tour command broke, or no longer prints what docs/tour*.md.in expect");
	}
}

TEST_HARNESS_MAIN
