// SPDX-License-Identifier: GPL-2.0
/*
 * The tools in Chinese, with the module loaded (po/lang-test.sh covers
 * what needs no module, on the host): ipclab states and taskstate trace
 * with --lang zh use the seed note's terms, their JSON lines stay English
 * and ASCII (every event line reads back with ts_event_parse_json()), and
 * the command trace runs sees LANGUAGE as the user left it.  The VM's
 * environment is LANG=C.UTF-8 with only C and C.UTF-8 generated, as on a
 * fresh Debian.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "ts_selftest.h"
#include "lib/decode.h"

#define RUN_TIMEOUT_S	25

static char repo[PATH_MAX];

static void find_repo(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return;
	exe[n] = '\0';
	snprintf(repo, sizeof(repo), "%s/../..", dirname(exe));
}

struct run {
	int status;		/* exit status, 128+N if killed, -1 on timeout */
	char *out, *err;	/* what it wrote, NUL-terminated */
};

static char *slurp_fd(int fd)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	ssize_t r;

	if (!buf)
		return NULL;
	lseek(fd, 0, SEEK_SET);
	while ((r = read(fd, buf + n, cap - n - 1)) > 0) {
		n += r;
		if (n + 1 == cap) {
			char *bigger = realloc(buf, cap * 2);

			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
	}
	buf[n] = '\0';
	return buf;
}

/*
 * Run @argv (a path relative to the repository) from the repository root,
 * in a fixed environment: a user with LANG=C.UTF-8 and nothing else set.
 */
static void run(struct run *r, const char *const *argv)
{
	static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
				      "LANG=C.UTF-8", "HOME=/tmp", NULL };
	time_t deadline = time(NULL) + RUN_TIMEOUT_S;
	int out = open("/tmp", O_TMPFILE | O_RDWR, 0600);
	int err = open("/tmp", O_TMPFILE | O_RDWR, 0600);
	int status;
	pid_t pid;

	r->status = -1;
	r->out = r->err = NULL;
	if (out < 0 || err < 0)
		return;
	pid = fork();
	if (pid == 0) {
		int n = open("/dev/null", O_RDONLY);

		dup2(n, 0);
		dup2(out, 1);
		dup2(err, 2);
		if (chdir(repo))
			_exit(126);
		execve(argv[0], (char **)argv, envp);
		_exit(126);
	}
	while (pid > 0 && time(NULL) < deadline) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			r->status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
							  WEXITSTATUS(status);
			break;
		}
		usleep(20000);
	}
	if (pid > 0 && r->status == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	r->out = slurp_fd(out);
	r->err = slurp_fd(err);
	close(out);
	close(err);
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static bool ascii_only(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* Event lines that read back, or -1 at the first one that does not. */
static int event_lines(char *text, const char *skip_prefix)
{
	struct taskstate_event ev;
	int n = 0;

	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		if (skip_prefix && !strncmp(l, skip_prefix, strlen(skip_prefix)))
			continue;
		if (ts_event_parse_json(l, &ev, NULL))
			return -1;
		n++;
	}
	return n;
}

FIXTURE(i18n) {
	struct run r;
};

FIXTURE_SETUP(i18n)
{
	find_repo();
	if (access("/dev/taskstate", F_OK))
		SKIP(return, MODULE_MISSING);
	self->r.out = self->r.err = NULL;
}

FIXTURE_TEARDOWN(i18n)
{
	run_free(&self->r);
}

TEST_F(i18n, ipclab_states_speaks_the_notes_terms)
{
	static const char *const words[] = {
		"新建态", "就绪态", "运行态", "阻塞态", "退出态",
		"空->新建", "运行->阻塞", "阻塞->就绪", "就绪->退出",
		"阻塞->退出", "九种状态转换",
	};
	const char *const argv[] = { "userspace/ipclab/ipclab", "--lang", "zh",
				     "states", NULL };

	RETURN_IF_SETUP_SKIPPED();
	run(&self->r, argv);
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++) {
		const char *w = words[i];

		EXPECT_NE(NULL, strstr(self->r.out, w))
			TH_LOG("no '%s' in:\n%s", w, self->r.out);
	}
	/* No English state words left in the transition table. */
	EXPECT_EQ(NULL, strstr(self->r.out, "running->blocked"));
}

TEST_F(i18n, ipclab_states_json_stays_english)
{
	const char *const argv[] = { "userspace/ipclab/ipclab", "states", "--json",
				     "--lang", "zh", NULL };
	char *summary;

	RETURN_IF_SETUP_SKIPPED();
	run(&self->r, argv);
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_TRUE(ascii_only(self->r.out)) TH_LOG("%s", self->r.out);
	summary = strstr(self->r.out, "{\"summary\": {\"command\": \"states\", "
				      "\"transitions\": {\"none->new\": ");
	ASSERT_NE(NULL, summary) TH_LOG("%s", self->r.out);
	EXPECT_NE(NULL, strstr(summary, "\"blocked->exit\": "));
	EXPECT_LT(10, event_lines(self->r.out, "{\"summary\""))
		TH_LOG("an event line does not read back as English JSON");
}

TEST_F(i18n, trace_text_in_chinese_json_in_english)
{
	const char *const text[] = { "userspace/taskstate/taskstate", "--lang", "zh",
				     "trace", "--", "true", NULL };
	const char *const json[] = { "userspace/taskstate/taskstate", "trace", "--json",
				     "--lang=zh", "--", "true", NULL };

	RETURN_IF_SETUP_SKIPPED();
	run(&self->r, text);
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	/* trace follows the command from its exec: no fork event of its own. */
	EXPECT_NE(NULL, strstr(self->r.out, "就绪态 -> 运行态 被调度"))
		TH_LOG("%s", self->r.out);
	EXPECT_NE(NULL, strstr(self->r.out, "运行态 -> 退出态 正常完成"))
		TH_LOG("%s", self->r.out);
	/* The per-task summary on stderr. */
	EXPECT_NE(NULL, strstr(self->r.err, "个事件")) TH_LOG("%s", self->r.err);
	run_free(&self->r);

	run(&self->r, json);
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_TRUE(ascii_only(self->r.out));
	EXPECT_LT(3, event_lines(self->r.out, NULL)) TH_LOG("%s", self->r.out);
	EXPECT_NE(NULL, strstr(self->r.err, "个事件")) TH_LOG("%s", self->r.err);
}

/* --lang zh is taskstate's: the traced command gets the user's LANGUAGE. */
TEST_F(i18n, trace_leaves_the_commands_language_alone)
{
	const char *const argv[] = { "userspace/taskstate/taskstate", "--lang", "zh",
				     "trace", "-q", "--",
				     "sh", "-c", "echo \"[${LANGUAGE-unset}]\"",
				     NULL };

	RETURN_IF_SETUP_SKIPPED();
	run(&self->r, argv);
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_NE(NULL, strstr(self->r.out, "[unset]")) TH_LOG("%s", self->r.out);
}

TEST_HARNESS_MAIN
