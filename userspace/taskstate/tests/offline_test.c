// SPDX-License-Identifier: GPL-2.0
/*
 * The taskstate subcommands that need no module (show, timeline, export,
 * diagram), run on the host as a user runs them: the binary next to this
 * directory, a recording written here.  What -o does to what it points at,
 * options after FILE, and counts that are not numbers (issue 16).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "lib/recording.h"
#include "lib/tests/run_tool.h"

/* One event of @pid from @from to @to at @ts. */
static struct taskstate_event ev(unsigned int tr, unsigned int from, unsigned int to,
				 unsigned int cause, char letter, int pid, uint64_t ts)
{
	struct taskstate_event e;

	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.kind = TASKSTATE_KIND_EVENT;
	e.transition = tr;
	e.from = from;
	e.to = to;
	e.cause = cause;
	e.linux_state = letter;
	e.pid = e.tgid = pid;
	e.ts_ns = ts;
	snprintf(e.comm, sizeof(e.comm), "t%d", pid);
	return e;
}

FIXTURE(off) {
	char dir[64];
	char rec[128];		/* a small valid recording */
	char out[128];		/* dir/out: nothing there yet */
	struct result r;
};

FIXTURE_SETUP(off)
{
	struct taskstate_event e[] = {
		ev(TASKSTATE_TR_CREATE, TASKSTATE_NONE, TASKSTATE_NEW,
		   TASKSTATE_CAUSE_FORK, 'R', 10, 1000),
		ev(TASKSTATE_TR_ADMIT, TASKSTATE_NEW, TASKSTATE_READY,
		   TASKSTATE_CAUSE_CREATED, 'R', 10, 2000),
		ev(TASKSTATE_TR_DISPATCH, TASKSTATE_READY, TASKSTATE_RUNNING,
		   TASKSTATE_CAUSE_DISPATCH, 'R', 10, 3000),
		/* Never blocked: no wait site, no waker (qsort of nothing). */
		ev(TASKSTATE_TR_EXIT, TASKSTATE_RUNNING, TASKSTATE_EXIT,
		   TASKSTATE_CAUSE_EXIT, 'Z', 10, 9000),
	};
	struct ts_recording_writer *w;

	strcpy(self->dir, "/tmp/offline_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->rec, sizeof(self->rec), "%s/r.tsrec", self->dir);
	snprintf(self->out, sizeof(self->out), "%s/out", self->dir);
	w = ts_recording_create(self->rec);
	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, ts_recording_write(w, e, sizeof(e) / sizeof(e[0])));
	ASSERT_EQ(0, ts_recording_commit(w));
}

FIXTURE_TEARDOWN(off)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd))
		TH_LOG("could not remove %s", self->dir);
}

/* The three ways of -o OUT, each given the path @out. */
static void write_each(struct __test_metadata *_metadata, FIXTURE_DATA(off) *self,
		       const char *out, int want_status)
{
	const char *const timeline[] = { "timeline", self->rec, "-o", out, NULL };
	const char *const export[] = { "export", "--perfetto", self->rec, "-o", out, NULL };
	const char *const diagram[] = { "diagram", "-", "-o", out, NULL };
	const char *const *cmds[] = { timeline, export, diagram };
	char table[160];

	/* diagram reads its table from a file: the nine lines, zero each. */
	snprintf(table, sizeof(table), "%s/table", self->dir);
	{
		FILE *f = fopen(table, "w");

		ASSERT_NE(NULL, f);
		fputs("1 none->new 0\n2 new->ready 0\n3 ready->running 0\n"
		      "4 running->exit 0\n5 running->ready 0\n6 running->blocked 0\n"
		      "7 blocked->ready 0\n8 ready->exit 0\n9 blocked->exit 0\n", f);
		fclose(f);
	}
	for (size_t i = 0; i < 3; i++) {
		const char *args[8];
		size_t k;

		for (k = 0; cmds[i][k]; k++)
			args[k] = strcmp(cmds[i][k], "-") ? cmds[i][k] : table;
		args[k] = NULL;
		run_tool(_metadata, &self->r, "taskstate", args);
		EXPECT_EQ(want_status, self->r.status) TH_LOG("%s: %s", args[0], self->r.err);
		if (want_status)
			EXPECT_NE(NULL, strstr(self->r.err, "Is a directory"))
				TH_LOG("%s: %s", args[0], self->r.err);
	}
}

/* Issue 16 #1: -o SYMLINK replaced the link with a file of its own. */
TEST_F(off, o_symlink_writes_its_target_and_stays_a_link)
{
	char target[160];
	struct stat st;

	snprintf(target, sizeof(target), "%s/target", self->dir);
	ASSERT_EQ(0, symlink("target", self->out));
	write_each(_metadata, self, self->out, 0);
	ASSERT_EQ(0, lstat(self->out, &st));
	EXPECT_TRUE(S_ISLNK(st.st_mode));
	ASSERT_EQ(0, stat(target, &st));
	EXPECT_LT(0, st.st_size);
}

/* Issue 16 #1: -o FIFO replaced the FIFO; its reader got nothing. */
TEST_F(off, o_fifo_is_written_through)
{
	struct stat st;
	char buf[4096];
	ssize_t n, got = 0;
	int rfd;

	ASSERT_EQ(0, mkfifo(self->out, 0600));
	/* Hold a reader open so that every writer's open() goes through. */
	rfd = open(self->out, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, rfd);
	write_each(_metadata, self, self->out, 0);
	while ((n = read(rfd, buf, sizeof(buf))) > 0)
		got += n;
	close(rfd);
	EXPECT_LT(0, got);
	ASSERT_EQ(0, lstat(self->out, &st));
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

/* Issue 16 #1: -o DIR said "Read-only file system" (or worse). */
TEST_F(off, o_directory_says_is_a_directory)
{
	write_each(_metadata, self, self->dir, 1);
}

/* A regular file is still replaced whole, with no temporary left. */
TEST_F(off, o_regular_file_is_replaced_without_temporaries)
{
	char cmd[256];

	write_each(_metadata, self, self->out, 0);
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls '%s' | grep tmp)\"", self->dir);
	EXPECT_EQ(0, system(cmd));
}

/* Issue 16 #2: 'show FILE --json' said "one FILE only". */
TEST_F(off, show_takes_options_after_file)
{
	const char *const json[] = { "show", self->rec, "--json", NULL };
	const char *const sum[] = { "show", self->rec, "--summary", NULL };
	const char *const two[] = { "show", self->rec, self->rec, NULL };

	run_tool(_metadata, &self->r, "taskstate", json);
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_EQ('{', self->r.out[0]);
	run_tool(_metadata, &self->r, "taskstate", sum);
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_NE(NULL, strstr(self->r.out, "running"));
	run_tool(_metadata, &self->r, "taskstate", two);
	EXPECT_EQ(2, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "one FILE only"));
}

/* Issue 16 #8: a count of -5 was drawn as 18446744073709551611. */
TEST_F(off, diagram_refuses_a_negative_count_with_its_line)
{
	char table[160];
	const char *const args[] = { "diagram", table, "-o", self->out, NULL };
	FILE *f;

	snprintf(table, sizeof(table), "%s/table", self->dir);
	f = fopen(table, "w");
	ASSERT_NE(NULL, f);
	fputs("1 none->new 3\n2 new->ready 3\n3 ready->running -5\n"
	      "4 running->exit 0\n5 running->ready 0\n6 running->blocked 0\n"
	      "7 blocked->ready 0\n8 ready->exit 0\n9 blocked->exit 0\n", f);
	fclose(f);
	run_tool(_metadata, &self->r, "taskstate", args);
	EXPECT_EQ(1, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "line 3")) TH_LOG("%s", self->r.err);
	EXPECT_EQ(-1, access(self->out, F_OK));
}

/* Issue 16 #9: without the module diagram said only ENOENT. */
TEST_F(off, diagram_without_the_module_says_load_it)
{
	const char *const args[] = { "diagram", "-o", self->out, NULL };

	if (!access("/proc/taskstate/transitions", F_OK))
		SKIP(return, "the module is loaded here");
	run_tool(_metadata, &self->r, "taskstate", args);
	EXPECT_EQ(1, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "load the module")) TH_LOG("%s", self->r.err);
}

/*
 * Issue 16 #3: trace and stat of a command that cannot run exited 1; the
 * help promises a shell's 127 (not found) and 126 (found, not
 * executable).  Checked before the module is needed, so on the host too.
 */
TEST_F(off, a_command_that_cannot_run_is_127_or_126)
{
	static const char *const cmds[] = { "trace", "stat" };
	char noexec[160];
	FILE *f;

	snprintf(noexec, sizeof(noexec), "%s/noexec", self->dir);
	f = fopen(noexec, "w");
	ASSERT_NE(NULL, f);
	fputs("#!/bin/sh\n", f);
	fclose(f);
	ASSERT_EQ(0, chmod(noexec, 0644));
	for (size_t i = 0; i < 2; i++) {
		const char *const missing[] = { cmds[i], "--", "no-such-command-ts16", NULL };
		const char *const slash[] = { cmds[i], "--", "/no/such/file", NULL };
		const char *const plain[] = { cmds[i], "--", noexec, NULL };
		const char *const dir[] = { cmds[i], "--", self->dir, NULL };

		run_tool(_metadata, &self->r, "taskstate", missing);
		EXPECT_EQ(127, self->r.status) TH_LOG("%s", self->r.err);
		EXPECT_NE(NULL, strstr(self->r.err, "not found")) TH_LOG("%s", self->r.err);
		run_tool(_metadata, &self->r, "taskstate", slash);
		EXPECT_EQ(127, self->r.status) TH_LOG("%s", self->r.err);
		/* root may read and write it, but x is still missing. */
		run_tool(_metadata, &self->r, "taskstate", plain);
		EXPECT_EQ(126, self->r.status) TH_LOG("%s", self->r.err);
		run_tool(_metadata, &self->r, "taskstate", dir);
		EXPECT_EQ(126, self->r.status) TH_LOG("%s", self->r.err);
	}
}

/* Issue 16 #9: the bare list of subcommands forgot diagram. */
TEST_F(off, the_bare_command_lists_every_subcommand)
{
	const char *const none[] = { NULL };

	run_tool(_metadata, &self->r, "taskstate", none);
	EXPECT_EQ(2, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "diagram")) TH_LOG("%s", self->r.err);
}

/* Issue 16 #9: show --help cited design.md, which is not in the repository. */
TEST_F(off, no_help_cites_a_document_that_is_not_here)
{
	static const char *const cmds[] = { "trace", "stat", "show", "timeline",
					    "export", "top", "diagram" };

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const char *const args[] = { cmds[i], "--help", NULL };

		run_tool(_metadata, &self->r, "taskstate", args);
		EXPECT_EQ(0, self->r.status);
		EXPECT_EQ(NULL, strstr(self->r.out, "design.md")) TH_LOG("%s --help", cmds[i]);
	}
}

/* Issue 16 #9: --lang zh without a catalogue silently stayed English. */
TEST_F(off, lang_zh_without_a_catalogue_says_so)
{
	const char *const args[] = { "--lang", "zh", "show", "--help", NULL };

	setenv("TASKSTATE_LOCALEDIR", self->dir, 1);
	run_tool(_metadata, &self->r, "taskstate", args);
	unsetenv("TASKSTATE_LOCALEDIR");
	EXPECT_EQ(0, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "no Chinese catalogue")) TH_LOG("%s", self->r.err);
}

/* Issue 16 #10: rows by role; a Chinese picture speaks Chinese. */
TEST_F(off, timeline_labels_roles_and_follows_the_language)
{
	const char *const en[] = { "timeline", self->rec, "-o", "-", "--role", "10=producer",
				   NULL };
	const char *const zh[] = { "--lang", "zh", "timeline", self->rec, "-o", "-", NULL };
	const char *const bad[] = { "timeline", self->rec, "-o", "-", "--role", "producer",
				    NULL };

	run_tool(_metadata, &self->r, "taskstate", en);
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_NE(NULL, strstr(self->r.out, ">10 producer (t10)<")) TH_LOG("%.2000s", self->r.out);
	EXPECT_NE(NULL, strstr(self->r.out, "time since the first event"));
	setenv("TASKSTATE_LOCALEDIR", TS_TOP_DIR "/po/build/locale", 1);
	run_tool(_metadata, &self->r, "taskstate", zh);
	unsetenv("TASKSTATE_LOCALEDIR");
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_NE(NULL, strstr(self->r.out, "自第一个事件起的时间")) TH_LOG("%.2000s", self->r.out);
	EXPECT_EQ(NULL, strstr(self->r.out, "time since the first event"));
	run_tool(_metadata, &self->r, "taskstate", bad);
	EXPECT_EQ(2, self->r.status);
}

/* Issue 16 #10: the diagram has a key to the Linux state letters. */
TEST_F(off, diagram_has_a_key_to_the_letters)
{
	char table[160];
	const char *const args[] = { "diagram", table, "-o", "-", NULL };
	static const char *const keys[] = { "R running", "S sleeping", "D waiting",
					    "T stopped", "t stopped by a tracer", "Z zombie",
					    "X dead" };
	FILE *f;

	snprintf(table, sizeof(table), "%s/table", self->dir);
	f = fopen(table, "w");
	ASSERT_NE(NULL, f);
	fputs("1 none->new 1\n2 new->ready 1\n3 ready->running 1\n4 running->exit 1\n"
	      "5 running->ready 1\n6 running->blocked 1\n7 blocked->ready 1\n"
	      "8 ready->exit 1\n9 blocked->exit 1\n", f);
	fclose(f);
	run_tool(_metadata, &self->r, "taskstate", args);
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		EXPECT_NE(NULL, strstr(self->r.out, keys[i])) TH_LOG("no '%s'", keys[i]);
	}
}

TEST_HARNESS_MAIN
