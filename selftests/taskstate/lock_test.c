// SPDX-License-Identifier: GPL-2.0
/*
 * userspace/ipclab/ipclab lock, run as a subprocess with --json: without a lock
 * the counter comes out wrong (or, should a run not race, the report says
 * so consistently); every lock makes it exact; a contended mutex blocks
 * in a futex wait and a spinlock never does; bad usage is exit 2 and one
 * line.  The values need no module; the blocking does (SKIP without it).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "ts_selftest.h"
#include "ts_run.h"

#define MAX_OBJECTS	16

/* One ipclab lock run and the JSON objects it printed, one per variant. */
struct lab_run {
	struct ts_run t;
	char *lines;		/* a copy of t.outbuf, cut into lines */
	char *obj[MAX_OBJECTS];
	int nr;
};

static void run_init(struct lab_run *r)
{
	ts_run_init(&r->t);
	r->lines = NULL;
	r->nr = 0;
}

static void run_release(struct lab_run *r)
{
	ts_run_release(&r->t);
	free(r->lines);
	run_init(r);
}

FIXTURE(lock) {
	struct lab_run r;
};

FIXTURE_SETUP(lock)
{
	run_init(&self->r);
}

FIXTURE_TEARDOWN(lock)
{
	run_release(&self->r);
}

/* Run ipclab with @argv to its end; split its objects. */
static void run(struct __test_metadata *_metadata, struct lab_run *r,
		char *const argv[])
{
	char *line, *save = NULL;

	run_release(r);
	ts_run_start(_metadata, &r->t, "ipclab", argv);
	ts_run_finish(_metadata, &r->t);
	r->lines = strdup(r->t.outbuf);
	ASSERT_NE(NULL, r->lines);
	for (line = strtok_r(r->lines, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "{\"command\": \"lock\"", 18))
			continue;
		ASSERT_GT(MAX_OBJECTS, r->nr);
		r->obj[r->nr++] = line;
	}
}

/* The number after "KEY": in @obj; false when the key is not there. */
static bool num(const char *obj, const char *key, long *v)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\": ", key);
	p = strstr(obj, k);
	if (!p)
		return false;
	*v = strtol(p + strlen(k), NULL, 10);
	return true;
}

static bool flag(const char *obj, const char *key)
{
	char k[64];

	snprintf(k, sizeof(k), "\"%s\": true", key);
	return strstr(obj, k) != NULL;
}

/*
 * How often the threads blocked in a futex wait (any futex_wait* site, or
 * futex_do_wait as 7.2 names it).
 */
static long futex_blocks(const char *obj)
{
	const char *p = strstr(obj, "\"wait_sites\": {");
	const char *end = p ? strchr(p, '}') : NULL;
	long n = 0;

	while (p && (p = strstr(p, "\"futex_")) && p < end) {
		bool wait = !strncmp(p, "\"futex_wait", 11) ||
			    !strncmp(p, "\"futex_do_wait\"", 15);

		p = strchr(p, ':');
		if (wait)
			n += strtol(p + 1, NULL, 10);
	}
	return n;
}

/* final, expected, off_by and correct agree with one another. */
static void consistent(struct __test_metadata *_metadata, const char *obj)
{
	long final, expected, off_by;

	ASSERT_TRUE(num(obj, "final", &final)) TH_LOG("%s", obj);
	ASSERT_TRUE(num(obj, "expected", &expected)) TH_LOG("%s", obj);
	ASSERT_TRUE(num(obj, "off_by", &off_by)) TH_LOG("%s", obj);
	EXPECT_EQ(final - expected, off_by) TH_LOG("%s", obj);
	EXPECT_EQ(off_by == 0, flag(obj, "correct")) TH_LOG("%s", obj);
}

/*
 * Without a lock, on one CPU and yielding between the read and the write
 * of every update, each thread overwrites what the other did meanwhile:
 * the total is wrong.  Should the scheduler not switch inside an update
 * in some run, the report must still say what happened consistently.
 */
TEST_F(lock, no_lock_loses_updates)
{
	char *argv[] = { "ipclab", "lock", "--variant", "none", "--yield",
			 "--one-cpu", "--loops", "500", "--json", NULL };
	long final, expected;

	run(_metadata, &self->r, argv);
	ASSERT_TRUE(ts_exited_with(self->r.t.status, 0))
		TH_LOG("status %#x, stderr %s", self->r.t.status, self->r.t.errbuf);
	ASSERT_EQ(1, self->r.nr) TH_LOG("%s", self->r.t.outbuf);
	consistent(_metadata, self->r.obj[0]);
	ASSERT_TRUE(num(self->r.obj[0], "final", &final));
	ASSERT_TRUE(num(self->r.obj[0], "expected", &expected));
	EXPECT_EQ(0, expected);
	/* Never beyond what the updates can reach. */
	EXPECT_GE(500, labs(final));
	if (final == expected)
		TH_LOG("this run did not race (final %ld): only consistency checked",
		       final);
	else
		EXPECT_FALSE(flag(self->r.obj[0], "correct"));
}

/* Every variant with a lock (or atomics, or a barrier) ends exact. */
FIXTURE(locked) {
	struct lab_run r;
};

FIXTURE_SETUP(locked)
{
	run_init(&self->r);
}

FIXTURE_TEARDOWN(locked)
{
	run_release(&self->r);
}

FIXTURE_VARIANT(locked) {
	const char *name;
	long expected;		/* with 3 threads of 300 updates */
};

/* Two adders, one subtracter: 300 more additions than subtractions. */
FIXTURE_VARIANT_ADD(locked, mutex) { .name = "mutex", .expected = 300 };
FIXTURE_VARIANT_ADD(locked, spinlock) { .name = "spinlock", .expected = 300 };
FIXTURE_VARIANT_ADD(locked, rwlock) { .name = "rwlock", .expected = 300 };
FIXTURE_VARIANT_ADD(locked, atomic) { .name = "atomic", .expected = 300 };
FIXTURE_VARIANT_ADD(locked, sem) { .name = "sem", .expected = 300 };
/* Consumers take everything the producers made: the slot ends empty. */
FIXTURE_VARIANT_ADD(locked, condvar) { .name = "condvar", .expected = 0 };
FIXTURE_VARIANT_ADD(locked, barrier) { .name = "barrier", .expected = 300 };

TEST_F(locked, is_exact)
{
	char *argv[] = { "ipclab", "lock", "--variant", (char *)variant->name,
			 "--threads", "3", "--loops", "300", "--json", NULL };
	long final, expected;

	run(_metadata, &self->r, argv);
	ASSERT_TRUE(ts_exited_with(self->r.t.status, 0))
		TH_LOG("status %#x, stderr %s", self->r.t.status, self->r.t.errbuf);
	ASSERT_EQ(1, self->r.nr) TH_LOG("%s", self->r.t.outbuf);
	ASSERT_NE(NULL, strstr(self->r.obj[0], variant->name));
	consistent(_metadata, self->r.obj[0]);
	ASSERT_TRUE(num(self->r.obj[0], "final", &final));
	ASSERT_TRUE(num(self->r.obj[0], "expected", &expected));
	EXPECT_EQ(variant->expected, expected) TH_LOG("%s", self->r.obj[0]);
	EXPECT_EQ(expected, final) TH_LOG("%s", self->r.obj[0]);
	EXPECT_TRUE(flag(self->r.obj[0], "correct"));
}

/*
 * A mutex held across a yield on one CPU: the other thread finds it taken
 * and sleeps in the kernel's futex wait until the holder lets go.
 */
TEST_F(lock, contended_mutex_blocks_in_a_futex_wait)
{
	char *argv[] = { "ipclab", "lock", "--variant", "mutex", "--yield",
			 "--one-cpu", "--loops", "200", "--json", NULL };
	long blocks, contended, wakeups, lost;

	if (access("/dev/taskstate", F_OK))
		SKIP(return, MODULE_MISSING);
	run(_metadata, &self->r, argv);
	ASSERT_TRUE(ts_exited_with(self->r.t.status, 0))
		TH_LOG("status %#x, stderr %s", self->r.t.status, self->r.t.errbuf);
	ASSERT_EQ(1, self->r.nr) TH_LOG("%s", self->r.t.outbuf);
	ASSERT_TRUE(flag(self->r.obj[0], "traced")) TH_LOG("%s", self->r.obj[0]);
	EXPECT_TRUE(flag(self->r.obj[0], "correct"));
	ASSERT_TRUE(num(self->r.obj[0], "contended", &contended));
	ASSERT_TRUE(num(self->r.obj[0], "blocks", &blocks));
	ASSERT_TRUE(num(self->r.obj[0], "wakeups", &wakeups));
	EXPECT_LT(0, contended) TH_LOG("%s", self->r.obj[0]);
	EXPECT_LT(0, futex_blocks(self->r.obj[0])) TH_LOG("%s", self->r.obj[0]);
	ASSERT_TRUE(num(self->r.obj[0], "lost", &lost));
	/* Each block ended in a wakeup: nobody was left asleep. */
	EXPECT_LE(futex_blocks(self->r.obj[0]), blocks);
	if (!lost)
		EXPECT_EQ(blocks, wakeups) TH_LOG("%s", self->r.obj[0]);
}

/* Waiting for a spinlock (or an atomic add) never sleeps in a futex. */
/*
 * Issue 16: "21 contended acquisitions" next to "blocked 1100 times" read
 * as a contradiction.  When a mutex blocked more often than it was
 * contended, the text says what each number counts.
 */
TEST_F(lock, text_explains_contended_against_blocked)
{
	char *argv[] = { "ipclab", "lock", "--variant", "mutex", "--yield",
			 "--one-cpu", "--loops", "300", "--lang", "en", NULL };
	unsigned long contended = 0, blocked = 0;
	const char *p;

	if (access("/dev/taskstate", F_OK))
		SKIP(return, MODULE_MISSING);
	run(_metadata, &self->r, argv);
	ASSERT_TRUE(ts_exited_with(self->r.t.status, 0))
		TH_LOG("status %#x, stderr %s", self->r.t.status, self->r.t.errbuf);
	p = strstr(self->r.t.outbuf, " contended acquisitions");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->r.t.outbuf);
	while (p > self->r.t.outbuf && p[-1] >= '0' && p[-1] <= '9')
		p--;
	contended = strtoul(p, NULL, 10);
	p = strstr(self->r.t.outbuf, "traced: blocked ");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->r.t.outbuf);
	blocked = strtoul(p + 16, NULL, 10);
	if (blocked > contended) {
		EXPECT_NE(NULL, strstr(self->r.t.outbuf, "One acquisition can sleep many times"))
			TH_LOG("%s", self->r.t.outbuf);
	} else {
		TH_LOG("blocked %lu <= contended %lu: no note expected", blocked, contended);
	}
}

TEST_F(lock, spinlock_and_atomic_never_block_in_a_futex)
{
	char *argv[] = { "ipclab", "lock", "--variant", "spinlock", "--loops",
			 "2000", "--json", NULL };
	char *argv2[] = { "ipclab", "lock", "--variant", "atomic", "--loops",
			  "2000", "--json", NULL };

	if (access("/dev/taskstate", F_OK))
		SKIP(return, MODULE_MISSING);
	run(_metadata, &self->r, argv);
	ASSERT_TRUE(ts_exited_with(self->r.t.status, 0))
		TH_LOG("status %#x, stderr %s", self->r.t.status, self->r.t.errbuf);
	ASSERT_EQ(1, self->r.nr) TH_LOG("%s", self->r.t.outbuf);
	ASSERT_TRUE(flag(self->r.obj[0], "traced")) TH_LOG("%s", self->r.obj[0]);
	EXPECT_TRUE(flag(self->r.obj[0], "correct"));
	EXPECT_EQ(0, futex_blocks(self->r.obj[0])) TH_LOG("%s", self->r.obj[0]);

	/* The same fixture runs again: run() releases the first run. */
	run(_metadata, &self->r, argv2);
	ASSERT_TRUE(ts_exited_with(self->r.t.status, 0))
		TH_LOG("status %#x, stderr %s", self->r.t.status, self->r.t.errbuf);
	ASSERT_EQ(1, self->r.nr) TH_LOG("%s", self->r.t.outbuf);
	EXPECT_TRUE(flag(self->r.obj[0], "correct"));
	EXPECT_EQ(0, futex_blocks(self->r.obj[0])) TH_LOG("%s", self->r.obj[0]);
}

/* By default every variant, in order, each with its own object. */
TEST_F(lock, all_variants_by_default)
{
	static const char *const names[] = { "none", "mutex", "spinlock",
		"rwlock", "atomic", "sem", "condvar", "barrier" };
	char *argv[] = { "ipclab", "lock", "--loops", "200", "--json", NULL };

	run(_metadata, &self->r, argv);
	ASSERT_TRUE(ts_exited_with(self->r.t.status, 0))
		TH_LOG("status %#x, stderr %s", self->r.t.status, self->r.t.errbuf);
	ASSERT_EQ(8, self->r.nr) TH_LOG("%s", self->r.t.outbuf);
	for (int i = 0; i < 8; i++) {
		char key[48];

		snprintf(key, sizeof(key), "\"variant\": \"%s\"", names[i]);
		EXPECT_NE(NULL, strstr(self->r.obj[i], key)) TH_LOG("%s", self->r.obj[i]);
		consistent(_metadata, self->r.obj[i]);
		if (i)
			EXPECT_TRUE(flag(self->r.obj[i], "correct"))
				TH_LOG("%s", self->r.obj[i]);
	}
	/* Without the module: one line on stderr saying so, and only that. */
	if (access("/dev/taskstate", F_OK))
		EXPECT_NE(NULL, strstr(self->r.t.errbuf, "tracing unavailable"));
}

/* ---- bad usage ---- */

TEST_F(lock, bad_usage_is_one_line_and_exit_2)
{
	static const char *const bad[][4] = {
		{ "--bogus" },
		{ "--threads", "1" },
		{ "--threads", "9" },
		{ "--threads", "x" },
		{ "--loops", "0" },
		{ "--loops", "-5" },
		{ "--loops", "99999999999" },
		{ "--variant", "bogus" },
		{ "--work", "-1" },
		{ "--threads" },
		{ "extra" },
		{ "-z" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char *argv[8] = { "ipclab", "lock" };

		for (int j = 0; j < 4 && bad[i][j]; j++)
			argv[j + 2] = (char *)bad[i][j];
		ts_expect_bad_usage(_metadata, &self->r.t, "ipclab", argv,
				    "ipclab: lock: ");
	}
}

TEST_F(lock, help_is_exit_0)
{
	char *argv[] = { "ipclab", "lock", "--help", NULL };

	run(_metadata, &self->r, argv);
	EXPECT_TRUE(ts_exited_with(self->r.t.status, 0));
	EXPECT_NE(NULL, strstr(self->r.t.outbuf, "usage: ipclab lock"));
	EXPECT_NE(NULL, strstr(self->r.t.outbuf, "spinlock"));
}

TEST_HARNESS_MAIN
