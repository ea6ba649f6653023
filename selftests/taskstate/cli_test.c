// SPDX-License-Identifier: GPL-2.0
/*
 * userspace/taskstate/taskstate as a user runs it: trace records exactly a command's
 * process tree with every classic transition ipclab states promises, a
 * recording reads back, COMMAND's exit status is taskstate's, the timeline
 * is well-formed SVG with a row per task, and bad input gets one line and
 * exit status 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "ts_selftest.h"
#include "lib/decode.h"
#include "lib/recording.h"
#include "lib/util.h"

/* Long enough for ipclab states under TCG, short of the harness's 30 s. */
#define RUN_TIMEOUT_S	25

static char repo[PATH_MAX];
static char tool[PATH_MAX + 32];

/* The repository root: two levels above this test program. */
static void find_tool(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return;
	exe[n] = '\0';
	snprintf(repo, sizeof(repo), "%s/../..", dirname(exe));
	snprintf(tool, sizeof(tool), "%s/userspace/taskstate/taskstate", repo);
}

struct run {
	int status;		/* exit status, 128+N if killed, -1 on timeout */
	char out[128], err[128];	/* files holding stdout and stderr */
};

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);

		if (!r)
			break;
		n += r;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* Run taskstate with @args (NULL-terminated), from the repository root. */
static void run_tool(struct run *r, const char *const *args)
{
	const char *argv[32] = { tool };
	time_t deadline = time(NULL) + RUN_TIMEOUT_S;
	int status, i;
	pid_t pid;

	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	snprintf(r->out, sizeof(r->out), "/tmp/cli_test.%d.out", getpid());
	snprintf(r->err, sizeof(r->err), "/tmp/cli_test.%d.err", getpid());
	pid = fork();
	if (pid == 0) {
		int o = open(r->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(r->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int n = open("/dev/null", O_RDONLY);

		dup2(n, 0);
		dup2(o, 1);
		dup2(e, 2);
		if (chdir(repo))
			_exit(126);
		execv(tool, (char **)argv);
		_exit(126);
	}
	r->status = -1;
	if (pid < 0)
		return;
	while (time(NULL) < deadline) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid) {
			r->status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
							  WEXITSTATUS(status);
			return;
		}
		usleep(20000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Parse JSON lines; the number of records, or -1 at a bad line. */
static int parse_lines(char *text, struct taskstate_event *ev, int max)
{
	int n = 0;

	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		if (n == max || ts_event_parse_json(l, &ev[n], NULL))
			return -1;
		n++;
	}
	return n;
}

FIXTURE(cli) {
	struct run r;
	struct taskstate_event *ev;
};

FIXTURE_SETUP(cli)
{
	find_tool();
	if (access("/dev/taskstate", F_OK))
		SKIP(return, MODULE_MISSING);
	ASSERT_EQ(0, access(tool, X_OK)) TH_LOG("%s: build it with make", tool);
	self->ev = calloc(100000, sizeof(*self->ev));
	ASSERT_NE(NULL, self->ev);
}

FIXTURE_TEARDOWN(cli)
{
	unlink(self->r.out);
	unlink(self->r.err);
	free(self->ev);
}

static bool in_set(const pid_t *set, int n, pid_t pid)
{
	for (int i = 0; i < n; i++)
		if (set[i] == pid)
			return true;
	return false;
}

TEST_F(cli, trace_ipclab_states_records_its_tree_only)
{
	const char *args[] = { "trace", "--json", "-q", "--", "sh", "-c",
			       "exec userspace/ipclab/ipclab states >/dev/null", NULL };
	int counts[TASKSTATE_NR_TRANSITIONS] = { 0 };
	pid_t tree[256];
	int n, ntree = 0;
	bool root_reaped = false;
	char *text;

	RETURN_IF_SETUP_SKIPPED();
	run_tool(&self->r, args);
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", slurp(self->r.err, NULL));
	text = slurp(self->r.out, NULL);
	ASSERT_NE(NULL, text);
	n = parse_lines(text, self->ev, 100000);
	ASSERT_LT(0, n) TH_LOG("not JSON lines");
	/* The command's pid is the first event's: the session began with it. */
	tree[ntree++] = self->ev[0].pid;
	for (int i = 0; i < n; i++) {
		const struct taskstate_event *e = &self->ev[i];

		ASSERT_EQ(TASKSTATE_KIND_EVENT, e->kind) TH_LOG("events lost");
		if (e->transition == TASKSTATE_TR_CREATE) {
			/* A fork joins the tree only from inside it. */
			ASSERT_TRUE(in_set(tree, ntree, e->other_pid))
				TH_LOG("pid %d forked by %d, outside the tree",
				       e->pid, e->other_pid);
			ASSERT_LT(ntree, 256);
			tree[ntree++] = e->pid;
		}
		ASSERT_TRUE(in_set(tree, ntree, e->pid))
			TH_LOG("event of pid %d (%s), not of the tree", e->pid, e->comm);
		ASSERT_TRUE(in_set(tree, ntree, e->tgid));
		counts[e->transition]++;
		if (e->cause == TASKSTATE_CAUSE_REAPED && e->pid == tree[0])
			root_reaped = true;
	}
	/* ipclab states forks three children; each went through its story. */
	EXPECT_EQ(4, ntree);
	for (int k = TASKSTATE_TR_CREATE; k < TASKSTATE_NR_TRANSITIONS; k++) {
		EXPECT_LT(0, counts[k]) TH_LOG("no transition %d", k);
	}
	EXPECT_EQ(3, counts[TASKSTATE_TR_CREATE]);
	EXPECT_TRUE(root_reaped) TH_LOG("the command's reap was not waited for");
	free(text);
}

TEST_F(cli, recording_round_trips_through_show)
{
	const char *rec_path = "/tmp/cli_test.tsrec", *json_path = "/tmp/cli_test.json";
	const char *trace[] = { "trace", "-q", "-o", rec_path, "--", "sh", "-c",
				"sleep 0.05; true", NULL };
	const char *show_json[] = { "show", "--json", rec_path, NULL };
	const char *trace_json[] = { "trace", "--json", "-q", "--", "sh", "-c",
				     "sleep 0.05", NULL };
	const char *show_again[] = { "show", "--json", json_path, NULL };
	struct stat st;
	size_t len, len2;
	char *a, *b;
	int n;

	RETURN_IF_SETUP_SKIPPED();
	run_tool(&self->r, trace);
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", slurp(self->r.err, NULL));
	ASSERT_EQ(0, stat(rec_path, &st));
	ASSERT_EQ(0, (st.st_size - sizeof(struct ts_recording_header)) %
		     sizeof(struct taskstate_event));
	run_tool(&self->r, show_json);
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", slurp(self->r.err, NULL));
	a = slurp(self->r.out, &len);
	n = parse_lines(a, self->ev, 100000);
	EXPECT_EQ((long)((st.st_size - sizeof(struct ts_recording_header)) /
			 sizeof(struct taskstate_event)), n);
	EXPECT_LT(0, n);
	free(a);
	unlink(rec_path);

	/* trace --json > f; show --json f gives f back, byte for byte. */
	run_tool(&self->r, trace_json);
	ASSERT_EQ(0, self->r.status);
	ASSERT_EQ(0, rename(self->r.out, json_path));
	run_tool(&self->r, show_again);
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", slurp(self->r.err, NULL));
	a = slurp(json_path, &len);
	b = slurp(self->r.out, &len2);
	EXPECT_LT(0, len);
	EXPECT_EQ(len, len2);
	EXPECT_EQ(0, strcmp(a, b));
	free(a);
	free(b);
	unlink(json_path);
}

TEST_F(cli, trace_p_follows_a_running_process_until_it_exits)
{
	char pid_arg[16];
	const char *args[] = { "trace", "--json", "-q", "-p", pid_arg, NULL };
	/* Long enough for trace to start and attach first. */
	struct timespec ts = { TS_MS(800) / 1000, TS_MS(800) % 1000 * 1000000L };
	bool exited = false;
	int n, status;
	char *text;
	pid_t pid;

	RETURN_IF_SETUP_SKIPPED();
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		nanosleep(&ts, NULL);
		_exit(3);
	}
	snprintf(pid_arg, sizeof(pid_arg), "%d", pid);
	/* The child stays a zombie until then: its exit event ends the trace. */
	run_tool(&self->r, args);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", slurp(self->r.err, NULL));
	text = slurp(self->r.out, NULL);
	n = parse_lines(text, self->ev, 100000);
	ASSERT_LT(0, n);
	for (int i = 0; i < n; i++) {
		ASSERT_EQ(pid, self->ev[i].tgid);
		if (self->ev[i].to == TASKSTATE_EXIT &&
		    self->ev[i].cause == TASKSTATE_CAUSE_ERROR)
			exited = self->ev[i].exit_code == 3;
	}
	EXPECT_TRUE(exited);
	free(text);
}

TEST_F(cli, exit_status_is_the_commands)
{
	const char *seven[] = { "trace", "-q", "-o", "/tmp/cli_test.7", "--",
				"sh", "-c", "exit 7", NULL };
	const char *killed[] = { "trace", "-q", "-o", "/tmp/cli_test.9", "--",
				 "sh", "-c", "kill -9 $$", NULL };

	/* The reader at SCHED_FIFO; the command at the normal policy (0). */
	const char *realtime[] = { "trace", "-q", "--realtime", "10", "-o",
				   "/tmp/cli_test.rt", "--", "sh", "-c",
				   "set -- $(cat /proc/$$/stat); exit $((7 + ${41}))",
				   NULL };

	RETURN_IF_SETUP_SKIPPED();
	run_tool(&self->r, seven);
	EXPECT_EQ(7, self->r.status);
	run_tool(&self->r, killed);
	EXPECT_EQ(128 + SIGKILL, self->r.status);
	if (geteuid() == 0) {
		run_tool(&self->r, realtime);
		EXPECT_EQ(7, self->r.status) TH_LOG("the command's policy: %d",
						    self->r.status - 7);
		unlink("/tmp/cli_test.rt");
	}
	unlink("/tmp/cli_test.7");
	unlink("/tmp/cli_test.9");
}

TEST_F(cli, timeline_is_well_formed_svg_with_a_row_per_task)
{
	const char *rec_path = "/tmp/cli_test_tl.tsrec", *svg = "/tmp/cli_test.svg";
	const char *trace[] = { "trace", "-q", "-o", rec_path, "--", "sh", "-c",
				"exec userspace/ipclab/ipclab states >/dev/null", NULL };
	const char *timeline[] = { "timeline", rec_path, "-o", svg, NULL };
	struct ts_recording rec;
	pid_t pids[256];
	int npids = 0, rows = 0;
	char *text, *p;

	RETURN_IF_SETUP_SKIPPED();
	run_tool(&self->r, trace);
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", slurp(self->r.err, NULL));
	run_tool(&self->r, timeline);
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", slurp(self->r.err, NULL));
	ASSERT_EQ(0, ts_recording_load(rec_path, &rec, NULL));
	for (size_t i = 0; i < rec.n; i++)
		if (rec.ev[i].kind == TASKSTATE_KIND_EVENT &&
		    !in_set(pids, npids, rec.ev[i].pid) && npids < 256)
			pids[npids++] = rec.ev[i].pid;
	ts_recording_free(&rec);
	text = slurp(svg, NULL);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(0, strncmp(text, "<?xml", 5));
	for (p = text; (p = strstr(p, "<g class=\"task\"")); p++)
		rows++;
	EXPECT_EQ(npids, rows);
	free(text);
	if (!access("/usr/bin/xmllint", X_OK)) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "/usr/bin/xmllint --noout %s", svg);
		EXPECT_EQ(0, system(cmd));
	} else {
		TH_LOG("no xmllint: well-formedness not checked");
	}
	unlink(rec_path);
	unlink(svg);
}

/*
 * What the Trace Event Format requires of each phase used, checked with
 * Python's json module (python3 -m json.tool parses the same way).
 */
static const char perfetto_check[] =
"import json, sys\n"
"d = json.load(open(sys.argv[1]))\n"
"ev = d['traceEvents']\n"
"need = {'M': ['name', 'pid', 'tid', 'args'], 'X': ['name', 'pid', 'tid', 'ts', 'dur'],\n"
"        's': ['name', 'id', 'pid', 'tid', 'ts'], 'f': ['name', 'id', 'pid', 'tid', 'ts', 'bp']}\n"
"for e in ev:\n"
"    for k in need[e['ph']]:\n"
"        assert k in e, (k, e)\n"
"    if e['ph'] == 'M': assert e['args']['name'], e\n"
"    if e['ph'] == 'X': assert e['dur'] >= 0 and e['name'] in ('new', 'ready', 'running', 'blocked', 'exit'), e\n"
"ph = [e['ph'] for e in ev]\n"
"assert ph.count('s') == ph.count('f') > 0 and 'X' in ph and 'M' in ph, ph\n";

TEST_F(cli, perfetto_export_is_trace_event_json)
{
	const char *rec_path = "/tmp/cli_test_pf.tsrec", *out = "/tmp/cli_test_pf.json";
	const char *trace[] = { "trace", "-q", "-o", rec_path, "--", "sh", "-c",
				"sleep 0.05; sleep 0.05", NULL };
	const char *export[] = { "export", "--perfetto", rec_path, "-o", out, NULL };
	char cmd[512];
	FILE *f;

	RETURN_IF_SETUP_SKIPPED();
	run_tool(&self->r, trace);
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", slurp(self->r.err, NULL));
	run_tool(&self->r, export);
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", slurp(self->r.err, NULL));
	if (access("/usr/bin/python3", X_OK)) {
		TH_LOG("no python3: the JSON is not checked");
	} else {
		f = fopen("/tmp/cli_test_pf.py", "w");
		ASSERT_NE(NULL, f);
		fputs(perfetto_check, f);
		fclose(f);
		snprintf(cmd, sizeof(cmd),
			 "/usr/bin/python3 -m json.tool %s >/dev/null && /usr/bin/python3 /tmp/cli_test_pf.py %s",
			 out, out);
		EXPECT_EQ(0, system(cmd));
		unlink("/tmp/cli_test_pf.py");
	}
	unlink(rec_path);
	unlink(out);
}

TEST_F(cli, top_prints_plain_snapshots_off_a_terminal)
{
	const char *top[] = { "top", "-n", "2", "-d", "0.2", "-l", "5", NULL };
	char *out, *p;
	int snapshots = 0;

	RETURN_IF_SETUP_SKIPPED();
	run_tool(&self->r, top);
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", slurp(self->r.err, NULL));
	out = slurp(self->r.out, NULL);
	ASSERT_NE(NULL, out);
	for (p = out; (p = strstr(p, "taskstate top - ")); p++)
		snapshots++;
	EXPECT_EQ(2, snapshots);
	EXPECT_NE(NULL, strstr(out, "WAIT_SITE"));
	EXPECT_EQ(NULL, strchr(out, '\033')) TH_LOG("terminal codes in a file");
	free(out);
}

/*
 * Issue 16: a row's running/ready/blocked shares added up to more than
 * 100% (a block ending in the interval landed whole in it), and a row
 * said "blocked R".  With tasks that spin, sleep and do both, every row
 * of three snapshots adds up to 100 +- 0.5 (or shows '-' for a task new
 * or gone throughout), and its state agrees with its letter.
 */
TEST_F(cli, top_rows_add_up_and_state_matches_letter)
{
	const char *top[] = { "top", "-n", "3", "-d", "0.3", "-l", "100000", NULL };
	pid_t load[3];
	char *out, *line, *save = NULL;
	int rows = 0;

	RETURN_IF_SETUP_SKIPPED();
	for (int i = 0; i < 3; i++) {
		load[i] = fork();
		ASSERT_LE(0, load[i]);
		if (load[i] == 0) {
			for (;;) {
				uint64_t until = now_ns() + (i ? 3000000ull * i : 50000000ull);

				/* 0 spins, 1 and 2 spin a little and sleep. */
				while (now_ns() < until)
					;
				if (i)
					usleep(20000 * i);
			}
		}
	}
	run_tool(&self->r, top);
	for (int i = 0; i < 3; i++) {
		kill(load[i], SIGKILL);
		waitpid(load[i], NULL, 0);
	}
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", slurp(self->r.err, NULL));
	out = slurp(self->r.out, NULL);
	ASSERT_NE(NULL, out);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char comm[32], state[16], letter[4], run[16], ready[16], blocked[16];
		int pid, tgid;
		bool r_ok, s_ok;

		if (sscanf(line, "%d %d %31s %15s %3s %15s %15s %15s", &pid, &tgid, comm,
			   state, letter, run, ready, blocked) != 8)
			continue;
		rows++;
		if (!strcmp(run, "-")) {
			EXPECT_TRUE(!strcmp(state, "new") || !strcmp(state, "exit"))
				TH_LOG("no shares but %s: %s", state, line);
		} else {
			double sum = atof(run) + atof(ready) + atof(blocked);

			EXPECT_TRUE(sum >= 99.5 && sum <= 100.5) TH_LOG("sum %.1f: %s", sum, line);
		}
		r_ok = letter[0] == 'R' && (!strcmp(state, "ready") || !strcmp(state, "running") ||
					    !strcmp(state, "new"));
		s_ok = strchr("SDTtIP", letter[0]) && !strcmp(state, "blocked");
		EXPECT_TRUE(r_ok || s_ok || (strchr("ZX", letter[0]) && !strcmp(state, "exit")))
			TH_LOG("state and letter disagree: %s", line);
	}
	EXPECT_LT(10, rows) TH_LOG("%s", out);
	free(out);
}

/* Writes @line to /proc/taskstate/config; 0 or -errno. */
static int set_config(const char *line)
{
	int fd = open("/proc/taskstate/config", O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, line, strlen(line)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* wait_sites in /proc/taskstate/config: 0, 1, or -1 if unknown. */
static int get_wait_sites(void)
{
	FILE *f = fopen("/proc/taskstate/config", "re");
	char line[128];
	int v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "wait_sites=", 11))
			v = atoi(line + 11);
	fclose(f);
	return v;
}

/*
 * Issue 16: with wait_sites=0 (the module's default) the column is all
 * '-' and top did not say why.  The setting is put back as it was.
 */
TEST_F(cli, top_says_when_wait_sites_are_off)
{
	const char *top[] = { "top", "-n", "1", "-d", "0.1", "-l", "3", NULL };
	char *on, *off, restore[32];
	int was = get_wait_sites();

	RETURN_IF_SETUP_SKIPPED();
	if (geteuid())
		SKIP(return, "changing wait_sites needs root");
	ASSERT_LE(0, was);
	snprintf(restore, sizeof(restore), "wait_sites=%d\n", was);
	ASSERT_EQ(0, set_config("wait_sites=1\n"));
	run_tool(&self->r, top);
	on = slurp(self->r.out, NULL);
	set_config("wait_sites=0\n");
	run_tool(&self->r, top);
	off = slurp(self->r.out, NULL);
	ASSERT_EQ(0, set_config(restore));
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", slurp(self->r.err, NULL));
	ASSERT_NE(NULL, on);
	ASSERT_NE(NULL, off);
	EXPECT_EQ(NULL, strstr(on, "Wait sites are off")) TH_LOG("%s", on);
	EXPECT_NE(NULL, strstr(off, "Wait sites are off")) TH_LOG("%s", off);
	EXPECT_NE(NULL, strstr(off, "echo wait_sites=1 > /proc/taskstate/config"));
	free(on);
	free(off);
}

TEST_F(cli, bad_input_gets_one_line)
{
	static const struct {
		const char *args[6];
		int status;
	} cases[] = {
		{ { NULL }, 2 },
		{ { "frobnicate", NULL }, 2 },
		{ { "--frobnicate", NULL }, 2 },
		{ { "trace", NULL }, 2 },
		{ { "trace", "--bogus", "--", "true", NULL }, 2 },
		{ { "trace", "-o", NULL }, 2 },
		{ { "trace", "--filter", "cause=nonsense", "--", "true", NULL }, 2 },
		{ { "trace", "--filter", "color=red", "--", "true", NULL }, 2 },
		{ { "trace", "-p", "abc", NULL }, 2 },
		{ { "trace", "-p", "1", "--", "true", NULL }, 2 },
		{ { "trace", "--realtime", "0", "--", "true", NULL }, 2 },
		{ { "trace", "--realtime", "100", "--", "true", NULL }, 2 },
		{ { "stat", "--realtime", "fifo", "--", "true", NULL }, 2 },
		{ { "stat", NULL }, 2 },
		{ { "show", NULL }, 2 },
		{ { "timeline", NULL }, 2 },
		{ { "export", NULL }, 2 },
		{ { "top", "--bogus", NULL }, 2 },
		{ { "trace", "-p", "999999999", NULL }, 1 },
		{ { "trace", "--", "/nonexistent/command", NULL }, 127 },
		{ { "show", "/nonexistent/recording", NULL }, 1 },
		{ { "show", "/proc/self/status", NULL }, 1 },
	};

	RETURN_IF_SETUP_SKIPPED();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *err, *out;
		size_t olen;

		run_tool(&self->r, cases[i].args);
		err = slurp(self->r.err, NULL);
		out = slurp(self->r.out, &olen);
		EXPECT_EQ(cases[i].status, self->r.status)
			TH_LOG("case %zu (%s %s): %s", i,
			       cases[i].args[0] ?: "", cases[i].args[0] ?
			       cases[i].args[1] ?: "" : "", err);
		EXPECT_EQ(1, count_lines(err)) TH_LOG("case %zu: %s", i, err);
		EXPECT_EQ(0, strncmp(err, "taskstate: ", 11));
		EXPECT_EQ(0, olen) TH_LOG("case %zu wrote to stdout", i);
		free(err);
		free(out);
	}
}

TEST_HARNESS_MAIN
