// SPDX-License-Identifier: GPL-2.0
/*
 * taskstate export --perfetto-proto (issue 19), on the host: a recording
 * written here, exported, and decoded by the real protoc (Debian's
 * protobuf-compiler) with the tree's perfetto_trace.proto.  Every event
 * must come out as the ftrace event the kernel would have recorded, in
 * the recording's order, with its pid, prev_state and timestamp; every
 * event also as an instant named after its transition.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "lib/recording.h"
#include "lib/tests/run_tool.h"

#define PROTO_DIR	TS_TOP_DIR "/userspace/taskstate"

static struct taskstate_event ev(unsigned int tr, unsigned int from, unsigned int to,
				 unsigned int cause, char letter, int pid, int cpu,
				 uint64_t ts, int other)
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
	e.cpu = cpu;
	e.ts_ns = ts;
	e.other_pid = other;
	snprintf(e.comm, sizeof(e.comm), "t%d", pid);
	if (other)
		snprintf(e.other_comm, sizeof(e.other_comm), "t%d", other);
	return e;
}

/*
 * A parent (10) forks a child (20) that runs, is preempted, exits with
 * status 3 and is reaped; the parent blocks in a pipe, is woken by the
 * child, execs, blocks on I/O; three events are lost on CPU 1.
 */
static size_t scenario(struct taskstate_event *e)
{
	size_t n = 0;

	e[n++] = ev(TASKSTATE_TR_CREATE, TASKSTATE_NONE, TASKSTATE_NEW,
		    TASKSTATE_CAUSE_FORK, 'R', 20, 0, 1000, 10);
	e[n++] = ev(TASKSTATE_TR_ADMIT, TASKSTATE_NEW, TASKSTATE_READY,
		    TASKSTATE_CAUSE_CREATED, 'R', 20, 0, 2000, 0);
	/* One sched_switch: 10 out (S, in pipe_read), 20 in. */
	e[n] = ev(TASKSTATE_TR_BLOCK, TASKSTATE_RUNNING, TASKSTATE_BLOCKED,
		  TASKSTATE_CAUSE_SLEEP, 'S', 10, 0, 3000, 0);
	strcpy(e[n++].wait_site, "pipe_read");
	e[n++] = ev(TASKSTATE_TR_DISPATCH, TASKSTATE_READY, TASKSTATE_RUNNING,
		    TASKSTATE_CAUSE_DISPATCH, 'R', 20, 0, 3000, 0);
	/* Preempted by a task the recording leaves out (30). */
	e[n++] = ev(TASKSTATE_TR_PREEMPT, TASKSTATE_RUNNING, TASKSTATE_READY,
		    TASKSTATE_CAUSE_PREEMPTED, 'R', 20, 0, 4000, 30);
	e[n++] = ev(TASKSTATE_TR_WAKE, TASKSTATE_BLOCKED, TASKSTATE_READY,
		    TASKSTATE_CAUSE_WAKEUP, 'R', 10, 1, 5000, 20);
	e[n++] = ev(TASKSTATE_TR_DISPATCH, TASKSTATE_READY, TASKSTATE_RUNNING,
		    TASKSTATE_CAUSE_DISPATCH, 'R', 10, 1, 6000, 0);
	e[n++] = ev(TASKSTATE_TR_NONE, TASKSTATE_RUNNING, TASKSTATE_RUNNING,
		    TASKSTATE_CAUSE_EXEC, 'R', 10, 1, 6500, 0);
	e[n++] = ev(TASKSTATE_TR_BLOCK, TASKSTATE_RUNNING, TASKSTATE_BLOCKED,
		    TASKSTATE_CAUSE_IO, 'D', 10, 1, 7000, 0);
	memset(&e[n], 0, sizeof(e[n]));
	e[n].size = sizeof(e[n]);
	e[n].kind = TASKSTATE_KIND_LOST;
	e[n].cpu = 1;
	e[n].lost = 3;
	e[n++].ts_ns = 7500;
	e[n++] = ev(TASKSTATE_TR_DISPATCH, TASKSTATE_READY, TASKSTATE_RUNNING,
		    TASKSTATE_CAUSE_DISPATCH, 'R', 20, 0, 8000, 0);
	e[n] = ev(TASKSTATE_TR_EXIT, TASKSTATE_RUNNING, TASKSTATE_EXIT,
		  TASKSTATE_CAUSE_ERROR, 'Z', 20, 0, 9000, 0);
	e[n++].exit_code = 3;
	e[n++] = ev(TASKSTATE_TR_NONE, TASKSTATE_EXIT, TASKSTATE_NONE,
		    TASKSTATE_CAUSE_REAPED, 'X', 20, 1, 9500, 10);
	return n;
}

/* What the kernel's ftrace would have recorded, one line per event. */
static const char *const want_ftrace[] = {
	"1000 cpu0 pid10 sched_process_fork parent_pid=10 child_pid=20",
	"2000 cpu0 pid10 sched_wakeup_new pid=20 success=1 target_cpu=0",
	"3000 cpu0 pid10 sched_switch prev_pid=10 prev_state=1 next_pid=20",
	"4000 cpu0 pid20 sched_switch prev_pid=20 prev_state=256 next_pid=30",
	"5000 cpu1 pid20 sched_wakeup pid=10 success=1 target_cpu=1",
	"6000 cpu1 pid0 sched_switch prev_pid=0 prev_state=0 next_pid=10",
	"6500 cpu1 pid10 sched_process_exec pid=10 old_pid=10",
	"7000 cpu1 pid10 sched_switch prev_pid=10 prev_state=2 next_pid=0",
	"lost cpu1",
	"8000 cpu0 pid0 sched_switch prev_pid=0 prev_state=0 next_pid=20",
	"9000 cpu0 pid20 sched_process_exit pid=20 tgid=20",
	"9500 cpu1 pid10 sched_process_free pid=20",
};

static const char *const want_instants[] = {
	"none->new", "new->ready", "running->blocked", "ready->running",
	"running->ready", "blocked->ready", "ready->running", "exec",
	"running->blocked", "lost events", "ready->running", "running->exit",
	"reaped",
};

/* What protoc printed, reduced to the lines above. */
struct decoded {
	char ftrace[64][320];
	size_t nr_ftrace;
	char instants[64][32];
	size_t nr_instants;
	size_t nr_processes, nr_threads, nr_slices;
	char text[1 << 16];	/* the start of protoc's output, for the log */
};

static void cp(char *dst, size_t size, const char *s)
{
	size_t n = strnlen(s, size - 1);

	memcpy(dst, s, n);
	dst[n] = '\0';
}

static int val(const char *line, const char *key, const char **v)
{
	size_t n = strlen(key);

	while (*line == ' ')
		line++;
	if (strncmp(line, key, n) || line[n] != ':')
		return 0;
	*v = line + n + 2;
	return 1;
}

static void decode(struct __test_metadata *_metadata, const char *pftrace,
		   const char *txt, struct decoded *d)
{
	char cmd[1024], line[512], cur[160] = "", kind[48] = "", ts[32] = "",
	     pid[16] = "", cpu[16] = "", type[32] = "", name[32] = "";
	bool in_event = false, in_track = false;
	size_t got;
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 "protoc --proto_path='%s' --decode=perfetto.protos.Trace "
		 "perfetto_trace.proto <'%s' >'%s'", PROTO_DIR, pftrace, txt);
	ASSERT_EQ(0, system(cmd)) TH_LOG("protoc could not decode %s (scripts/deps "
					 "installs protobuf-compiler)", pftrace);
	memset(d, 0, sizeof(*d));
	f = fopen(txt, "r");
	ASSERT_NE(NULL, f);
	got = fread(d->text, 1, sizeof(d->text) - 1, f);
	d->text[got] = '\0';
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		const char *v;

		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "  ftrace_events {")) {
			cpu[0] = '\0';
		} else if (!strncmp(line, "    cpu: ", 9)) {
			cp(cpu, sizeof(cpu), line + 9);
		} else if (!strcmp(line, "    lost_events: true")) {
			snprintf(d->ftrace[d->nr_ftrace++], sizeof(d->ftrace[0]), "lost cpu%s", cpu);
		} else if (!strcmp(line, "    event {")) {
			in_event = true;
			kind[0] = ts[0] = pid[0] = cur[0] = '\0';
		} else if (in_event && !strcmp(line, "    }")) {
			in_event = false;
			ASSERT_GT(64, d->nr_ftrace);
			snprintf(d->ftrace[d->nr_ftrace++], sizeof(d->ftrace[0]), "%s cpu%s pid%s %s%s",
				 ts, cpu, pid, kind, cur);
		} else if (in_event && !strncmp(line, "      ", 6) && line[6] != ' ') {
			if (val(line, "timestamp", &v))
				cp(ts, sizeof(ts), v);
			else if (val(line, "pid", &v))
				cp(pid, sizeof(pid), v);
			else if (strstr(line, " {"))
				snprintf(kind, sizeof(kind), "%.*s",
					 (int)(strstr(line, " {") - line - 6), line + 6);
		} else if (in_event && !strncmp(line, "        ", 8) &&
			   !strchr(line, '"')) {
			size_t l = strlen(cur);
			const char *k = line + 8;
			const char *colon = strchr(k, ':');

			if (colon)
				snprintf(cur + l, sizeof(cur) - l, " %.*s=%s",
					 (int)(colon - k), k, colon + 2);
		} else if (!strcmp(line, "  track_event {")) {
			in_track = true;
			type[0] = name[0] = '\0';
		} else if (in_track && !strcmp(line, "  }")) {
			in_track = false;
			if (!strcmp(type, "TYPE_INSTANT")) {
				ASSERT_GT(64, d->nr_instants);
				snprintf(d->instants[d->nr_instants++], 32, "%s", name);
			} else if (!strcmp(type, "TYPE_SLICE_BEGIN")) {
				d->nr_slices++;
			}
		} else if (in_track && !strncmp(line, "    type: ", 10)) {
			cp(type, sizeof(type), line + 10);
		} else if (in_track && !strncmp(line, "    name: \"", 11)) {
			snprintf(name, sizeof(name), "%.*s", (int)strlen(line + 11) - 1,
				 line + 11);
		} else if (!strcmp(line, "    processes {")) {
			d->nr_processes++;
		} else if (!strcmp(line, "    threads {")) {
			d->nr_threads++;
		}
	}
	fclose(f);
}

FIXTURE(pf) {
	char dir[64];
	char rec[128], out[128], txt[128];
	struct taskstate_event e[32];
	size_t n;
	struct result r;
	struct decoded d;
};

FIXTURE_SETUP(pf)
{
	struct ts_recording_writer *w;

	strcpy(self->dir, "/tmp/perfetto_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->rec, sizeof(self->rec), "%s/r.tsrec", self->dir);
	snprintf(self->out, sizeof(self->out), "%s/out.pftrace", self->dir);
	snprintf(self->txt, sizeof(self->txt), "%s/out.txt", self->dir);
	self->n = scenario(self->e);
	w = ts_recording_create(self->rec);
	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, ts_recording_write(w, self->e, self->n));
	ASSERT_EQ(0, ts_recording_commit(w));
}

FIXTURE_TEARDOWN(pf)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd))
		TH_LOG("could not remove %s", self->dir);
}

static void export(struct __test_metadata *_metadata, FIXTURE_DATA(pf) *self,
		   const char *rec)
{
	const char *const args[] = { "export", "--perfetto-proto", rec, "-o",
				      self->out, NULL };

	run_tool(_metadata, &self->r, "taskstate", args);
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	decode(_metadata, self->out, self->txt, &self->d);
}

TEST_F(pf, every_event_is_the_ftrace_event_in_order)
{
	size_t want = sizeof(want_ftrace) / sizeof(want_ftrace[0]);

	export(_metadata, self, self->rec);
	EXPECT_EQ(want, self->d.nr_ftrace) TH_LOG("%.2000s", self->d.text);
	for (size_t i = 0; i < want && i < self->d.nr_ftrace; i++)
		EXPECT_STREQ(want_ftrace[i], self->d.ftrace[i]);
}

TEST_F(pf, every_event_is_an_instant_named_by_its_transition)
{
	size_t want = sizeof(want_instants) / sizeof(want_instants[0]);

	export(_metadata, self, self->rec);
	ASSERT_EQ(self->n, want);
	EXPECT_EQ(want, self->d.nr_instants);
	for (size_t i = 0; i < want && i < self->d.nr_instants; i++)
		EXPECT_STREQ(want_instants[i], self->d.instants[i]);
	/* What the module knows and ftrace does not, as annotations. */
	EXPECT_NE(NULL, strstr(self->d.text, "string_value: \"pipe_read\""));
	/* protoc prints fields by number: the value (4) before the name (10). */
	EXPECT_NE(NULL, strstr(self->d.text, "int_value: 3\n      name: \"exit_code\""))
		TH_LOG("%.3000s", self->d.text);
	/* Two threads, each its own process; classic states as slices. */
	EXPECT_EQ(2, self->d.nr_processes);
	EXPECT_EQ(2, self->d.nr_threads);
	EXPECT_LT(4, self->d.nr_slices);
	/* The parent of 20 is 10, as its fork said. */
	EXPECT_NE(NULL, strstr(self->d.text, "pid: 20\n      ppid: 10\n"));
	/* prev_state's layout is told by the kernel release. */
	EXPECT_NE(NULL, strstr(self->d.text, "sysname: \"Linux\""));
}

/* A JSON-lines recording is a recording too: the same trace comes out. */
TEST_F(pf, json_lines_give_the_same_trace)
{
	char json[160], cmd[512];
	const char *const show[] = { "show", self->rec, "--json", NULL };
	size_t want = sizeof(want_ftrace) / sizeof(want_ftrace[0]);

	snprintf(json, sizeof(json), "%s/r.jsonl", self->dir);
	run_tool_out(_metadata, &self->r, "taskstate", show, NULL);
	ASSERT_EQ(0, self->r.status);
	{
		FILE *f = fopen(json, "w");

		ASSERT_NE(NULL, f);
		fputs(self->r.out, f);
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "test -s '%s'", json);
	ASSERT_EQ(0, system(cmd));
	export(_metadata, self, json);
	EXPECT_EQ(want, self->d.nr_ftrace);
	for (size_t i = 0; i < want && i < self->d.nr_ftrace; i++)
		EXPECT_STREQ(want_ftrace[i], self->d.ftrace[i]);
}

/* A corrupted recording: refused with the offset, nothing written. */
TEST_F(pf, a_corrupted_recording_is_refused_with_its_offset)
{
	const char *const args[] = { "export", "--perfetto-proto", self->rec, "-o",
				      self->out, NULL };
	char cmd[256];

	/* Cut the last record in half. */
	ASSERT_EQ(0, truncate(self->rec, sizeof(struct ts_recording_header) +
			      (self->n - 1) * sizeof(struct taskstate_event) + 10));
	run_tool(_metadata, &self->r, "taskstate", args);
	EXPECT_EQ(1, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "byte ")) TH_LOG("%s", self->r.err);
	EXPECT_EQ(-1, access(self->out, F_OK));
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s' | grep -v r.tsrec)\"", self->dir);
	EXPECT_EQ(0, system(cmd)) TH_LOG("a file was left in %s", self->dir);
}

TEST_F(pf, bad_usage_is_one_line_and_exit_2)
{
	const char *const two[] = { "export", "--perfetto-proto", "--chrome-json",
				    self->rec, "-o", self->out, NULL };
	const char *const no_o[] = { "export", "--perfetto-proto", self->rec, NULL };
	const char *const help[] = { "export", "--help", NULL };

	run_tool(_metadata, &self->r, "taskstate", two);
	EXPECT_EQ(2, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "one format only"));
	run_tool(_metadata, &self->r, "taskstate", no_o);
	EXPECT_EQ(2, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "OUT.pftrace"));
	EXPECT_EQ(-1, access(self->out, F_OK));
	run_tool(_metadata, &self->r, "taskstate", help);
	EXPECT_EQ(0, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.out, "--perfetto-proto"));
}

TEST_HARNESS_MAIN
