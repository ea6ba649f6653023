// SPDX-License-Identifier: GPL-2.0
/*
 * Who may see what: without privilege, /dev/taskstate and the writable
 * procfs files are closed, and a reader let in through dev_group sees only
 * tasks of its own uid, in the stream and in /proc/taskstate/tasks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "ts_selftest.h"
#include "lib/stream.h"
#include "lib/util.h"

#define NOBODY		65534
#define READERS_GID	4242

FIXTURE(access) {
	char ko[PATH_MAX];
	bool reloaded;
};

static int reload(const char *ko, const char *params)
{
	int fd, ret;

	if (syscall(SYS_delete_module, "taskstate", O_NONBLOCK))
		return -1;
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, params, 0);
	close(fd);
	return ret;
}

FIXTURE_SETUP(access)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (access(TS_DEV_PATH, F_OK))
		SKIP(return, MODULE_MISSING);
	if (geteuid() != 0)
		SKIP(return, "needs root to drop to an unprivileged uid");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = '\0';
	snprintf(self->ko, sizeof(self->ko), "%s/../../kmod/taskstate.ko",
		 dirname(exe));
}

FIXTURE_TEARDOWN(access)
{
	if (self->reloaded)
		reload(self->ko, "");
}

/* In a child: become nobody, in group @gid if not -1. */
static void drop_privileges(gid_t gid)
{
	gid_t groups[1] = { gid };

	if (setgroups(gid == (gid_t)-1 ? 0 : 1, groups) ||
	    setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		_exit(90);
}

/* Run @fn as nobody in a child; its exit status. */
static int as_nobody(gid_t gid, int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		drop_privileges(gid);
		_exit(fn(arg));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int refused(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno == EACCES;
}

/* 0, or the number of the check that failed. */
static int try_closed_doors(void *arg)
{
	(void)arg;
	if (!refused(TS_DEV_PATH, O_RDONLY))
		return 1;
	if (!refused("/proc/taskstate/config", O_WRONLY))
		return 2;
	if (!refused("/proc/taskstate/transitions", O_WRONLY))
		return 3;
	return 0;
}

TEST_F(access, unprivileged_cannot_open_the_device_or_write_settings)
{
	char before[512], after[512];
	FILE *f;

	RETURN_IF_SETUP_SKIPPED();

	f = fopen("/proc/taskstate/config", "re");
	ASSERT_NE(NULL, f);
	before[fread(before, 1, sizeof(before) - 1, f)] = '\0';
	fclose(f);
	EXPECT_EQ(0, as_nobody(-1, try_closed_doors, NULL));
	f = fopen("/proc/taskstate/config", "re");
	ASSERT_NE(NULL, f);
	after[fread(after, 1, sizeof(after) - 1, f)] = '\0';
	fclose(f);
	EXPECT_STREQ(before, after);
}

/* Is there a line for @pid in /proc/taskstate/tasks?  -1 on error. */
static int tasks_has(pid_t pid)
{
	char line[512];
	int found = 0, p;
	FILE *f = fopen("/proc/taskstate/tasks", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%d", &p) == 1 && p == pid)
			found = 1;
	fclose(f);
	return found;
}

struct watch {
	pid_t root_pid;		/* a busy root process that must stay unseen */
};

/* As a dev_group member: only our own uid's tasks, in stream and table. */
static int watch_own_tasks(void *arg)
{
	static struct taskstate_event ev[TS_STREAM_BATCH];
	const struct watch *w = arg;
	uint64_t deadline = now_ns() + 10000000000ull;
	struct ts_stream *s = ts_stream_open(NULL, 0);
	bool saw_child_exit = false;
	pid_t child;
	ssize_t n;

	if (!s)
		return 10;
	if (ts_stream_start(s))
		return 11;
	child = fork();
	if (child == 0) {
		for (int i = 0; i < 5; i++)
			usleep(1000);
		_exit(0);
	}
	while (!saw_child_exit && now_ns() < deadline) {
		n = ts_stream_read(s, ev, TS_STREAM_BATCH, 200);
		if (n < 0)
			return 12;
		for (ssize_t i = 0; i < n; i++) {
			if (ev[i].kind != TASKSTATE_KIND_EVENT)
				continue;
			if (ev[i].tgid == w->root_pid)
				return 13;	/* saw root's task */
			if (ev[i].pid == child && ev[i].to == TASKSTATE_EXIT)
				saw_child_exit = true;
		}
	}
	waitpid(child, NULL, 0);
	ts_stream_close(s);
	if (!saw_child_exit)
		return 14;
	if (tasks_has(getpid()) != 1)
		return 15;
	if (tasks_has(w->root_pid) != 0)
		return 16;
	return 0;
}

TEST_F(access, a_group_reader_sees_only_its_own_tasks)
{
	char params[64];
	struct watch w;
	pid_t busy;

	RETURN_IF_SETUP_SKIPPED();

	snprintf(params, sizeof(params), "dev_mode=0666 dev_group=%d",
		 READERS_GID);
	self->reloaded = true;
	ASSERT_EQ(0, reload(self->ko, params)) TH_LOG("%s", strerror(errno));

	/* A root process that keeps sleeping and waking meanwhile. */
	busy = fork();
	ASSERT_LE(0, busy);
	if (busy == 0) {
		for (;;)
			usleep(1000);
	}
	w.root_pid = busy;
	EXPECT_EQ(0, as_nobody(READERS_GID, watch_own_tasks, &w));
	/* Outside the group, the door stays closed. */
	EXPECT_EQ(0, as_nobody(-1, try_closed_doors, NULL));
	kill(busy, SIGKILL);
	waitpid(busy, NULL, 0);
}

TEST_HARNESS_MAIN
