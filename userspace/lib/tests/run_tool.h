/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the host tests of the tools (taskstate/tests, ipclab/tests): run the
 * tool built next to the test's directory, as a user would, and keep what
 * it printed.  Include after kselftest_harness.h.
 */
#ifndef TS_RUN_TOOL_H
#define TS_RUN_TOOL_H

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* What one run printed and how it ended. */
struct result {
	int status;		/* exit status, 128+N if killed by signal N */
	char out[65536], err[4096];
};

static inline void run_tool_slurp(int fd, char *buf, size_t size)
{
	ssize_t n, got = 0;

	lseek(fd, 0, SEEK_SET);
	while ((size_t)got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += n;
	buf[got] = '\0';
	close(fd);
}

/*
 * Run @tool (a test in TOOL/tests/ runs TOOL/TOOL) with @args (at most 14,
 * NULL-terminated), English messages, stdin /dev/null, stdout to the file
 * @stdout_path (r->out stays empty) or, if NULL, into r->out.
 */
static inline void run_tool_out(struct __test_metadata *_metadata, struct result *r,
				const char *tool, const char *const args[],
				const char *stdout_path)
{
	char exe[PATH_MAX], path[PATH_MAX + 64];
	const char *argv[16] = { tool };
	posix_spawn_file_actions_t fa;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int out = memfd_create("out", 0), err = memfd_create("err", 0);
	int i, status;
	pid_t pid;

	ASSERT_LT(0, n);
	exe[n] = '\0';
	snprintf(path, sizeof(path), "%s/../%s", dirname(exe), tool);
	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	ASSERT_LE(0, out);
	ASSERT_LE(0, err);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (stdout_path)
		posix_spawn_file_actions_addopen(&fa, 1, stdout_path, O_WRONLY, 0);
	else
		posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_adddup2(&fa, err, 2);
	setenv("LANGUAGE", "en", 1);
	setenv("LC_ALL", "C", 1);
	ASSERT_EQ(0, posix_spawn(&pid, path, &fa, NULL, (char **)argv, environ));
	posix_spawn_file_actions_destroy(&fa);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	r->status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
	run_tool_slurp(out, r->out, sizeof(r->out));
	run_tool_slurp(err, r->err, sizeof(r->err));
}

static inline void run_tool(struct __test_metadata *_metadata, struct result *r,
			    const char *tool, const char *const args[])
{
	run_tool_out(_metadata, r, tool, args, NULL);
}

#endif
