/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One run of a taskstate tool (userspace/ipclab/ipclab,
 * userspace/taskstate/taskstate) as a child process, its stdout and stderr
 * in memfds.  A fixture holds the struct ts_run, so its teardown releases
 * the child, the descriptors and the buffers whatever assertion failed.
 * Include after kselftest_harness.h.
 */
#ifndef TS_RUN_H
#define TS_RUN_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TS_RUN_MAX_OUT	(4 << 20)

struct ts_run {
	int out, err;		/* memfds */
	pid_t pid;		/* the running child; 0 once reaped */
	pid_t started;		/* its pid, kept after the reaping */
	int status;
	char *outbuf, *errbuf;	/* NUL-terminated, after ts_run_finish() */
};

static inline void ts_run_init(struct ts_run *r)
{
	memset(r, 0, sizeof(*r));
	r->out = r->err = -1;
}

/* Kill and reap a child still running, free everything; ready for reuse. */
static inline void ts_run_release(struct ts_run *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
	}
	if (r->out >= 0)
		close(r->out);
	if (r->err >= 0)
		close(r->err);
	free(r->outbuf);
	free(r->errbuf);
	ts_run_init(r);
}

/*
 * userspace/@tool/@tool, found from this program's own place in the tree
 * (selftests/taskstate/), so a test runs from any directory.
 */
static inline void ts_tool_path(char *path, size_t len, const char *tool)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0) {
		snprintf(path, len, "userspace/%s/%s", tool, tool);
		return;
	}
	exe[n] = '\0';
	snprintf(path, len, "%s/../../userspace/%s/%s", dirname(exe), tool,
		 tool);
}

/* Start userspace/@tool/@tool with @argv (argv[0] is passed as given). */
static inline void ts_run_start(struct __test_metadata *_metadata,
				struct ts_run *r, const char *tool,
				char *const argv[])
{
	char path[PATH_MAX];

	ts_run_release(r);
	ts_tool_path(path, sizeof(path), tool);
	r->out = memfd_create("ts-run-out", MFD_CLOEXEC);
	r->err = memfd_create("ts-run-err", MFD_CLOEXEC);
	ASSERT_LE(0, r->out);
	ASSERT_LE(0, r->err);
	r->pid = fork();
	ASSERT_LE(0, r->pid);
	r->started = r->pid;
	if (r->pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull < 0 || dup2(devnull, 0) < 0 ||
		    dup2(r->out, 1) < 0 || dup2(r->err, 2) < 0)
			_exit(127);
		execv(path, argv);
		_exit(127);
	}
}

static inline char *ts_run_slurp(int fd)
{
	char *buf = calloc(1, TS_RUN_MAX_OUT + 1);
	ssize_t n, len = 0;

	if (!buf || lseek(fd, 0, SEEK_SET) < 0)
		return buf;
	while (len < TS_RUN_MAX_OUT &&
	       (n = read(fd, buf + len, TS_RUN_MAX_OUT - len)) > 0)
		len += n;
	return buf;
}

/* Wait for the child's end and take what it printed. */
static inline void ts_run_finish(struct __test_metadata *_metadata,
				 struct ts_run *r)
{
	ASSERT_EQ(r->pid, waitpid(r->pid, &r->status, 0));
	r->pid = 0;
	r->outbuf = ts_run_slurp(r->out);
	r->errbuf = ts_run_slurp(r->err);
	ASSERT_NE(NULL, r->outbuf);
	ASSERT_NE(NULL, r->errbuf);
}

/*
 * The children of process @pid, forked by any of its threads, lowest pid
 * (the first forked, barring pid wrap) first; at most @max.  From each
 * process's ppid in /proc/PID/stat: /proc/PID/task/TID/children needs
 * CONFIG_PROC_CHILDREN, which a defconfig kernel such as check-debug's
 * lacks.
 */
static inline int ts_children(pid_t pid, pid_t *kids, int max)
{
	DIR *d = opendir("/proc");
	pid_t all[256];
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < (int)(sizeof(all) / sizeof(*all))) {
		pid_t child = atoi(e->d_name), ppid;
		char path[64], buf[512], *p = NULL;
		FILE *f;

		if (child <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", child);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f))
			p = strrchr(buf, ')');	/* the comm may hold anything */
		fclose(f);
		if (p && sscanf(p + 1, " %*c %d", &ppid) == 1 && ppid == pid)
			all[n++] = child;
	}
	closedir(d);
	for (int i = 1; i < n; i++) {
		for (int j = i; j > 0 && all[j - 1] > all[j]; j--) {
			pid_t t = all[j];

			all[j] = all[j - 1];
			all[j - 1] = t;
		}
	}
	if (n > max)
		n = max;
	memcpy(kids, all, n * sizeof(*kids));
	return n;
}

static inline bool ts_exited_with(int status, int code)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

/*
 * Run userspace/@tool with @argv (in @r) and expect what every command
 * does with bad usage: exit status 2, nothing on stdout, and one line on
 * stderr that starts with @prefix.
 */
static inline void ts_expect_bad_usage(struct __test_metadata *_metadata,
				       struct ts_run *r, const char *tool,
				       char *const argv[], const char *prefix)
{
	const char *nl;

	ts_run_start(_metadata, r, tool, argv);
	ts_run_finish(_metadata, r);
	EXPECT_TRUE(ts_exited_with(r->status, 2))
		TH_LOG("%s %s: status %#x", argv[1], argv[2] ?: "", r->status);
	EXPECT_EQ(0, strlen(r->outbuf))
		TH_LOG("%s %s: stdout '%s'", argv[1], argv[2] ?: "", r->outbuf);
	nl = strchr(r->errbuf, '\n');
	EXPECT_TRUE(nl && !nl[1] && !strncmp(r->errbuf, prefix, strlen(prefix)))
		TH_LOG("%s %s: stderr '%s'", argv[1], argv[2] ?: "", r->errbuf);
}

static inline void ts_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

#endif
