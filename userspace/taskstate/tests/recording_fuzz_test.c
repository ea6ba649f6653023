// SPDX-License-Identifier: GPL-2.0
/*
 * The recording fuzz corpus: a recording with every kind of event (fork,
 * thread, the nine transitions, exec, reaped, lost records, wait sites,
 * wakers, a task that never blocks), mutated from a fixed, printed seed
 * into NR_MUTANTS files: flipped bits, fields set to extremes, records
 * swapped (time going backwards), truncations, and the same for its JSON
 * lines.  show --summary, timeline and export run on each: every run
 * exits 0 or 1 (refused, with a message), never by a signal.  Under
 * make asan any sanitizer report (exit 66) fails it too.
 *
 * Reproduce a run with TASKSTATE_FUZZ_SEED=<seed>.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "lib/recording.h"
#include "lib/tests/run_tool.h"

#define NR_MUTANTS	560
#define MAX_EV		32
#define RECORD		sizeof(struct taskstate_event)

static uint64_t rng;

/* xorshift64*: the same files for the same seed. */
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static size_t add(struct taskstate_event *e, size_t n, unsigned int tr,
		  unsigned int from, unsigned int to, unsigned int cause,
		  char letter, int pid, int tgid, int other, uint64_t ts)
{
	struct taskstate_event *x = &e[n];

	memset(x, 0, sizeof(*x));
	x->size = sizeof(*x);
	x->kind = TASKSTATE_KIND_EVENT;
	x->transition = tr;
	x->from = from;
	x->to = to;
	x->cause = cause;
	x->linux_state = letter;
	x->pid = pid;
	x->tgid = tgid;
	x->other_pid = other;
	x->ts_ns = ts;
	x->cpu = pid & 1;
	x->prev_state_ns = 1000;
	snprintf(x->comm, sizeof(x->comm), "task%d", pid);
	if (other)
		snprintf(x->other_comm, sizeof(x->other_comm), "task%d", other);
	if (to == TASKSTATE_BLOCKED)
		strcpy(x->wait_site, pid & 1 ? "pipe_read" : "do_msgrcv");
	return n + 1;
}

/* The base recording: two processes, a thread, a killed task, a lost record. */
static size_t base(struct taskstate_event *e)
{
	enum { NEW = TASKSTATE_NEW, RDY = TASKSTATE_READY, RUN = TASKSTATE_RUNNING,
	       BLK = TASKSTATE_BLOCKED, EXT = TASKSTATE_EXIT, NON = TASKSTATE_NONE };
	uint64_t t = 1000000;
	size_t n = 0;

	n = add(e, n, TASKSTATE_TR_CREATE, NON, NEW, TASKSTATE_CAUSE_FORK, 'R', 20, 20, 10, t += 500);
	n = add(e, n, TASKSTATE_TR_ADMIT, NEW, RDY, TASKSTATE_CAUSE_CREATED, 'R', 20, 20, 0, t += 500);
	n = add(e, n, TASKSTATE_TR_DISPATCH, RDY, RUN, TASKSTATE_CAUSE_DISPATCH, 'R', 20, 20, 0, t += 500);
	n = add(e, n, TASKSTATE_TR_NONE, RUN, RUN, TASKSTATE_CAUSE_EXEC, 'R', 20, 20, 0, t += 500);
	n = add(e, n, TASKSTATE_TR_CREATE, NON, NEW, TASKSTATE_CAUSE_THREAD, 'R', 21, 20, 20, t += 500);
	n = add(e, n, TASKSTATE_TR_ADMIT, NEW, RDY, TASKSTATE_CAUSE_CREATED, 'R', 21, 20, 0, t += 500);
	n = add(e, n, TASKSTATE_TR_BLOCK, RUN, BLK, TASKSTATE_CAUSE_SLEEP, 'S', 20, 20, 0, t += 500);
	n = add(e, n, TASKSTATE_TR_DISPATCH, RDY, RUN, TASKSTATE_CAUSE_DISPATCH, 'R', 21, 20, 0, t += 500);
	n = add(e, n, TASKSTATE_TR_WAKE, BLK, RDY, TASKSTATE_CAUSE_WAKEUP, 'R', 20, 20, 21, t += 500);
	n = add(e, n, TASKSTATE_TR_PREEMPT, RUN, RDY, TASKSTATE_CAUSE_PREEMPTED, 'R', 21, 20, 20, t += 500);
	n = add(e, n, TASKSTATE_TR_DISPATCH, RDY, RUN, TASKSTATE_CAUSE_DISPATCH, 'R', 20, 20, 0, t += 500);
	n = add(e, n, TASKSTATE_TR_BLOCK, RUN, BLK, TASKSTATE_CAUSE_IO, 'D', 21, 20, 0, t += 500);
	e[n] = e[0];
	e[n].kind = TASKSTATE_KIND_LOST;
	e[n].lost = 3;
	n++;
	n = add(e, n, TASKSTATE_TR_KILL_BLOCKED, BLK, EXT, TASKSTATE_CAUSE_KILLED, 'Z', 21, 20, 20, t += 500);
	e[n - 1].signal = 9;
	n = add(e, n, TASKSTATE_TR_CREATE, NON, NEW, TASKSTATE_CAUSE_FORK, 'R', 30, 30, 20, t += 500);
	n = add(e, n, TASKSTATE_TR_ADMIT, NEW, RDY, TASKSTATE_CAUSE_CREATED, 'R', 30, 30, 0, t += 500);
	n = add(e, n, TASKSTATE_TR_KILL_READY, RDY, EXT, TASKSTATE_CAUSE_KILLED, 'Z', 30, 30, 20, t += 500);
	e[n - 1].signal = 15;
	n = add(e, n, TASKSTATE_TR_NONE, EXT, NON, TASKSTATE_CAUSE_REAPED, 'X', 30, 30, 20, t += 500);
	/* A task that never blocks: no wait site, no waker to sort. */
	n = add(e, n, TASKSTATE_TR_EXIT, RUN, EXT, TASKSTATE_CAUSE_ERROR, 'Z', 20, 20, 0, t += 500);
	e[n - 1].exit_code = 3;
	n = add(e, n, TASKSTATE_TR_NONE, EXT, NON, TASKSTATE_CAUSE_REAPED, 'X', 20, 20, 10, t += 500);
	return n;
}

static void write_all(struct __test_metadata *_metadata, const char *path,
		      const void *buf, size_t len)
{
	FILE *f = fopen(path, "w");

	ASSERT_NE(NULL, f);
	ASSERT_EQ(len, fwrite(buf, 1, len, f));
	ASSERT_EQ(0, fclose(f));
}

/* One mutation of @buf (@len bytes, the records after @start) in place. */
static size_t mutate(unsigned char *buf, size_t len, size_t start, bool text)
{
	size_t span = len - start, at;
	unsigned int kind = rnd() % 5;

	if (!span)
		return len;
	at = start + rnd() % span;
	switch (kind) {
	case 0:		/* a few flipped bits */
		for (int i = 1 + rnd() % 8; i > 0; i--)
			buf[start + rnd() % span] ^= 1u << (rnd() % 8);
		break;
	case 1: {	/* a field to an extreme */
		static const unsigned char fill[] = { 0x00, 0xff, 0x80, 0x7f };
		size_t w = 1u << (rnd() % 4);

		if (text) {
			static const char *const words[] = {
				"-5", "18446744073709551615", "-9223372036854775808",
				"\"\"", "null", "1e999", "\"\\u0000\"", "{", "}" };
			const char *wd = words[rnd() % (sizeof(words) / sizeof(words[0]))];
			size_t l = strlen(wd);

			if (at + l <= len)
				memcpy(buf + at, wd, l);
			break;
		}
		if (at + w > len)
			w = len - at;
		memset(buf + at, fill[rnd() % 4], w);
		break;
	}
	case 2:		/* two records swapped: time goes backwards */
		if (!text && span >= 2 * RECORD) {
			size_t nr = span / RECORD, a = rnd() % nr, b = rnd() % nr;
			unsigned char tmp[RECORD];

			memcpy(tmp, buf + start + a * RECORD, RECORD);
			memcpy(buf + start + a * RECORD, buf + start + b * RECORD, RECORD);
			memcpy(buf + start + b * RECORD, tmp, RECORD);
		}
		break;
	case 3:		/* truncated anywhere */
		return at;
	default:	/* one byte anything */
		buf[at] = rnd();
		break;
	}
	return len;
}

FIXTURE(fuzz) {
	char dir[64];
	struct result r;
};

FIXTURE_SETUP(fuzz)
{
	strcpy(self->dir, "/tmp/recording_fuzz.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(fuzz)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd))
		TH_LOG("could not remove %s", self->dir);
}

/* Every subcommand that reads a recording, on @path: 0 or 1, no signal. */
static int check_one(struct __test_metadata *_metadata, FIXTURE_DATA(fuzz) *self,
		     const char *path, unsigned int i)
{
	char out[96];
	const char *const show[] = { "show", path, "--summary", NULL };
	const char *const timeline[] = { "timeline", path, "-o", out, NULL };
	const char *const export[] = { "export", "--perfetto", path, "-o", out, NULL };
	const char *const *cmds[] = { show, timeline, export };
	int bad = 0;

	snprintf(out, sizeof(out), "%s/out", self->dir);
	for (size_t c = 0; c < 3; c++) {
		run_tool(_metadata, &self->r, "taskstate", cmds[c]);
		if (self->r.status != 0 && self->r.status != 1) {
			TH_LOG("mutant %u: %s exit %d: %.2000s", i, cmds[c][0],
			       self->r.status, self->r.err);
			bad++;
		} else if (self->r.status == 1 && strncmp(self->r.err, "taskstate: ", 11)) {
			TH_LOG("mutant %u: %s refused without a message: %.200s", i,
			       cmds[c][0], self->r.err);
			bad++;
		}
	}
	return bad;
}

TEST_F_TIMEOUT(fuzz, every_mutant_is_read_or_refused, 600)
{
	const char *env = getenv("TASKSTATE_FUZZ_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : 0x16f022c0ffeeull;
	struct taskstate_event e[MAX_EV];
	size_t n = base(e), len, jlen;
	unsigned char *bin, *json, *buf;
	char path[96], jpath[96], mpath[96];
	unsigned int refused = 0, bad = 0;
	struct ts_recording_writer *w;
	FILE *f;

	rng = seed ?: 1;
	TH_LOG("seed 0x%llx (set TASKSTATE_FUZZ_SEED to repeat), %d mutants",
	       (unsigned long long)seed, NR_MUTANTS);
	snprintf(path, sizeof(path), "%s/base.tsrec", self->dir);
	snprintf(jpath, sizeof(jpath), "%s/base.json", self->dir);
	snprintf(mpath, sizeof(mpath), "%s/mutant", self->dir);
	w = ts_recording_create(path);
	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, ts_recording_write(w, e, n));
	ASSERT_EQ(0, ts_recording_commit(w));
	/* The unmutated files are read without complaint. */
	ASSERT_EQ(0, check_one(_metadata, self, path, 0));
	{
		const char *const args[] = { "show", path, "--json", NULL };

		run_tool(_metadata, &self->r, "taskstate", args);
		ASSERT_EQ(0, self->r.status);
		write_all(_metadata, jpath, self->r.out, strlen(self->r.out));
		ASSERT_EQ(0, check_one(_metadata, self, jpath, 0));
	}
	len = sizeof(struct ts_recording_header) + n * RECORD;
	jlen = strlen(self->r.out);
	bin = malloc(len);
	json = malloc(jlen);
	buf = malloc(len > jlen ? len : jlen);
	ASSERT_NE(NULL, bin);
	ASSERT_NE(NULL, json);
	ASSERT_NE(NULL, buf);
	memcpy(json, self->r.out, jlen);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(len, fread(bin, 1, len, f));
	fclose(f);

	for (unsigned int i = 1; i <= NR_MUTANTS && !bad; i++) {
		bool text = i % 4 == 0;
		size_t l = text ? jlen : len;

		memcpy(buf, text ? json : bin, l);
		for (int k = 1 + rnd() % 3; k > 0; k--)
			l = mutate(buf, l, text ? 0 : sizeof(struct ts_recording_header), text);
		write_all(_metadata, mpath, buf, l);
		bad += check_one(_metadata, self, mpath, i);
		refused += self->r.status == 1;
	}
	TH_LOG("%u of %d mutants refused by export, the rest read", refused, NR_MUTANTS);
	free(bin);
	free(json);
	free(buf);
	EXPECT_EQ(0, bad);
}

TEST_HARNESS_MAIN
