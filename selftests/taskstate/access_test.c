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
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <signal.h>
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

/* As a dev_group member: no more than the default buffer. */
static int ask_for_a_bigger_buffer(void *arg)
{
	struct ts_stream *s = ts_stream_open(NULL, 0);

	(void)arg;
	if (!s)
		return 10;
	if (ts_stream_set_buffer(s, 8192) != -EPERM)
		return 11;
	if (ts_stream_set_buffer(s, 4096))
		return 12;
	if (ts_stream_set_buffer(s, 64))
		return 13;
	ts_stream_close(s);
	return 0;
}

struct foreign {
	pid_t root_pid;		/* writes to @pipe_wr: wakes our reader */
	int pipe_rd;
	int go_wr;		/* the root writer starts on a byte here */
};

/*
 * As a dev_group member: a child of ours reads a pipe that a root process
 * writes, so root wakes it.  The wakeups are ours to see; the root waker
 * is not: no other_pid or other_comm of it.  And a non-dumpable child of
 * ours (as a setuid program is) blocks with no wait site shown.
 */
static int watch_foreign_wakers(void *arg)
{
	static struct taskstate_event ev[TS_STREAM_BATCH];
	const struct foreign *w = arg;
	uint64_t deadline = now_ns() + 10000000000ull;
	struct ts_stream *s = ts_stream_open(NULL, 0);
	int wakeups = 0, sited = 0, hidden = 0, exited = 0;
	bool own_parent = false;
	pid_t reader, secret;
	char c;

	if (!s)
		return 10;
	if (ts_stream_start(s))
		return 11;
	/* Dropping root made us undumpable, as a setuid program; not our child. */
	prctl(PR_SET_DUMPABLE, 1);
	reader = fork();
	if (reader == 0) {
		for (int i = 0; i < 20; i++)
			if (read(w->pipe_rd, &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	secret = fork();
	if (secret == 0) {
		prctl(PR_SET_DUMPABLE, 0);
		for (int i = 0; i < 20; i++)
			usleep(1000);
		_exit(0);
	}
	if (write(w->go_wr, "g", 1) != 1)
		return 12;
	while (now_ns() < deadline) {
		ssize_t n = ts_stream_read(s, ev, TS_STREAM_BATCH, 300);

		if (n < 0)
			return 13;
		if (exited == 2)
			break;
		for (ssize_t i = 0; i < n; i++) {
			if (ev[i].kind != TASKSTATE_KIND_EVENT)
				continue;
			if (ev[i].other_pid == w->root_pid)
				return 14;	/* named root's task */
			if ((ev[i].pid == reader || ev[i].pid == secret) &&
			    ev[i].to == TASKSTATE_EXIT)
				exited++;
			if (ev[i].pid == reader &&
			    ev[i].transition == TASKSTATE_TR_WAKE)
				wakeups++;
			/* Our own parent is ours to see: not blanked too. */
			if (ev[i].pid == reader &&
			    ev[i].transition == TASKSTATE_TR_CREATE)
				own_parent = ev[i].other_pid == getpid();
			if (ev[i].pid == reader &&
			    ev[i].transition == TASKSTATE_TR_BLOCK)
				sited += ev[i].wait_site[0] != '\0';
			if (ev[i].pid == secret &&
			    ev[i].transition == TASKSTATE_TR_BLOCK) {
				if (ev[i].wait_site[0])
					return 15;	/* a private site */
				hidden++;
			}
		}
	}
	waitpid(reader, NULL, 0);
	waitpid(secret, NULL, 0);
	ts_stream_close(s);
	/* Root's bytes woke it: at least once, however the two raced. */
	if (!wakeups)
		return 16;
	if (!sited)
		return 17;	/* sites are shown at all */
	if (!hidden)
		return 18;
	if (!own_parent)
		return 19;
	return 0;
}

/* Settings written through a descriptor root opened and handed down. */
static int write_through(void *arg)
{
	const int *fds = arg;

	if (write(fds[0], "wait_sites=1", 12) != -1 || errno != EPERM)
		return 1;
	if (write(fds[1], "reset", 5) != -1 || errno != EPERM)
		return 2;
	return 0;
}

TEST_F(access, a_group_reader_is_not_told_of_other_users)
{
	char params[64];
	struct foreign w;
	int data[2], go[2];
	char c;

	RETURN_IF_SETUP_SKIPPED();

	snprintf(params, sizeof(params), "dev_mode=0666 dev_group=%d",
		 READERS_GID);
	self->reloaded = true;
	ASSERT_EQ(0, reload(self->ko, params)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, as_nobody(READERS_GID, ask_for_a_bigger_buffer, NULL));

	ASSERT_EQ(0, pipe(data));
	ASSERT_EQ(0, pipe(go));
	w.root_pid = fork();
	ASSERT_LE(0, w.root_pid);
	if (w.root_pid == 0) {
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		for (int i = 0; i < 20; i++) {
			usleep(2000);
			if (write(data[1], "x", 1) != 1)
				_exit(2);
		}
		_exit(0);
	}
	w.pipe_rd = data[0];
	w.go_wr = go[1];
	EXPECT_EQ(0, as_nobody(READERS_GID, watch_foreign_wakers, &w));
	kill(w.root_pid, SIGKILL);
	waitpid(w.root_pid, NULL, 0);
}

TEST_F(access, settings_need_privilege_when_written_too)
{
	char before[512], after[512];
	int fds[2];
	FILE *f;

	RETURN_IF_SETUP_SKIPPED();

	f = fopen("/proc/taskstate/config", "re");
	ASSERT_NE(NULL, f);
	before[fread(before, 1, sizeof(before) - 1, f)] = '\0';
	fclose(f);
	fds[0] = open("/proc/taskstate/config", O_WRONLY | O_CLOEXEC);
	fds[1] = open("/proc/taskstate/transitions", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fds[0]);
	ASSERT_LE(0, fds[1]);
	EXPECT_EQ(0, as_nobody(-1, write_through, fds));
	close(fds[0]);
	close(fds[1]);
	f = fopen("/proc/taskstate/config", "re");
	ASSERT_NE(NULL, f);
	after[fread(after, 1, sizeof(after) - 1, f)] = '\0';
	fclose(f);
	EXPECT_STREQ(before, after);
}

struct crowd {
	int report;		/* nobody writes its two counts here */
	int release;		/* and holds its sessions until a byte comes */
};

/* Open sessions until refused: how many, or -1 on another error. */
static int open_until_refused(int *fds, int max)
{
	int n;

	for (n = 0; n < max; n++) {
		fds[n] = open(TS_DEV_PATH, O_RDONLY | O_CLOEXEC);
		if (fds[n] < 0)
			return errno == ENOMEM ? n : -1;
	}
	return -1;
}

/*
 * As a dev_group member: take all the descendant-following bits allowed
 * (small sessions), then all the buffer memory allowed; report both
 * counts, then hold everything until released.
 */
static int crowd_in(void *arg)
{
	const struct crowd *c = arg;
	static int followers[128], hogs[256];
	int counts[2] = { 0, 0 };
	pid_t me = getpid();
	char ch;

	for (int i = 0; i < 128; i++) {
		struct taskstate_filter f;
		__u32 records = TASKSTATE_BUFFER_MIN;

		followers[i] = open(TS_DEV_PATH, O_RDONLY | O_CLOEXEC);
		if (followers[i] < 0 ||
		    ioctl(followers[i], TASKSTATE_IOC_SET_BUFFER, &records))
			return 20;
		ts_filter_pids(&f, TASKSTATE_FILTER_DESCENDANTS, &me, 1);
		if (ioctl(followers[i], TASKSTATE_IOC_SET_FILTER, &f)) {
			if (errno != ENOSPC)
				return 21;
			break;
		}
		counts[1]++;
	}
	counts[0] = open_until_refused(hogs, 256);
	if (counts[0] < 0)
		return 22;
	if (write(c->report, counts, sizeof(counts)) != sizeof(counts))
		return 23;
	if (read(c->release, &ch, 1) != 1)
		return 24;
	return 0;
}

/*
 * Readers without privilege fill at most half of buffer_memory_mb and
 * hold at most half of the descendant-following bits: root still opens
 * and follows.
 */
TEST_F(access, group_readers_cannot_crowd_out_root)
{
	int report[2], release[2], counts[2], status;
	char params[64], saved[32] = "";
	struct ts_stream *s;
	struct taskstate_filter f;
	struct crowd c;
	pid_t nobody, me = getpid();
	char line[64];

	RETURN_IF_SETUP_SKIPPED();

	snprintf(params, sizeof(params), "dev_mode=0666 dev_group=%d",
		 READERS_GID);
	self->reloaded = true;
	ASSERT_EQ(0, reload(self->ko, params)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, ts_config_get("buffer_memory_mb", saved, sizeof(saved)));
	ASSERT_EQ(0, ts_write_file(TS_CONFIG, "buffer_memory_mb=16"));

	ASSERT_EQ(0, pipe(report));
	ASSERT_EQ(0, pipe(release));
	c.report = report[1];
	c.release = release[0];
	nobody = fork();
	ASSERT_LE(0, nobody);
	if (nobody == 0) {
		drop_privileges(READERS_GID);
		_exit(crowd_in(&c));
	}
	ASSERT_EQ(sizeof(counts), read(report[0], counts, sizeof(counts)));
	TH_LOG("nobody got %d sessions, %d following descendants", counts[0],
	       counts[1]);
	EXPECT_LT(0, counts[0]);
	EXPECT_EQ(sizeof(long) * 8 / 2, (size_t)counts[1]);

	s = ts_stream_open(NULL, 0);
	EXPECT_NE(NULL, s) TH_LOG("root kept out: %s", strerror(errno));
	if (s) {
		ASSERT_EQ(0, ts_filter_pids(&f, TASKSTATE_FILTER_DESCENDANTS,
					    &me, 1));
		EXPECT_EQ(0, ts_stream_set_filter(s, &f));
		ts_stream_close(s);
	}
	ASSERT_EQ(1, write(release[1], "x", 1));
	ASSERT_EQ(nobody, waitpid(nobody, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("nobody's side failed at check %d", WEXITSTATUS(status));
	snprintf(line, sizeof(line), "buffer_memory_mb=%s", saved);
	ts_write_file(TS_CONFIG, line);
}

TEST_HARNESS_MAIN
