// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded fuzzer for every way into the module: ioctl numbers and
 * argument structs, read sizes and buffers, poll, and procfs writes, with
 * random and edge-case input from a fixed, printed seed.  Every call must
 * succeed or fail with one of its documented errors; afterwards the module
 * must still work.  (vm-run fails the run on any kernel warning.)
 *
 * Reproduce a run with TASKSTATE_FUZZ_SEED=<seed>.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/taskstate.h>

#include "kselftest_harness.h"
#include "ts_selftest.h"
#include "lib/counters.h"

#define ITERATIONS	20000
#define BIG		(1 << 20)

static uint64_t rng_state;

/* xorshift64*: small, fast, and the same sequence for the same seed. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

FIXTURE(fuzz) {
	char *buf;		/* BIG bytes, mapped */
	void *gone;		/* a page that is not mapped */
	uint64_t seed;
};

FIXTURE_SETUP(fuzz)
{
	const char *env = getenv("TASKSTATE_FUZZ_SEED");

	self->buf = NULL;
	if (access("/dev/taskstate", F_OK))
		SKIP(return, MODULE_MISSING);
	self->seed = env ? strtoull(env, NULL, 0) : 0x7a5c57a7e5eedull;
	rng_state = self->seed ?: 1;
	TH_LOG("seed 0x%llx (set TASKSTATE_FUZZ_SEED to repeat)",
	       (unsigned long long)self->seed);
	self->buf = mmap(NULL, BIG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	self->gone = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	ASSERT_NE(MAP_FAILED, self->gone);
	ASSERT_EQ(0, munmap(self->gone, 4096));
}

FIXTURE_TEARDOWN(fuzz)
{
	if (self->buf)
		munmap(self->buf, BIG);
}

/* A pointer worth trying: good, NULL, unmapped, kernel, misaligned. */
static void *some_pointer(FIXTURE_DATA(fuzz) *self)
{
	switch (rnd() % 6) {
	case 0:
		return NULL;
	case 1:
		return self->gone;
	case 2:
		return (void *)0xffffffff81000000ull;
	case 3:
		return self->buf + 1 + rnd() % 64;
	default:
		return self->buf;
	}
}

static void fill_random(void *p, size_t len)
{
	unsigned char *c = p;

	for (size_t i = 0; i < len; i++)
		c[i] = rnd();
}

/* A filter that is sometimes valid and often almost valid. */
static void some_filter(struct taskstate_filter *f)
{
	memset(f, 0, sizeof(*f));
	if (rnd() % 4 == 0) {
		fill_random(f, sizeof(*f));
		return;
	}
	f->flags = rnd() % 3 ? 1U << (rnd() % 7) : rnd();
	f->nr_ids = rnd() % 3 ? rnd() % 4 : rnd();
	for (int i = 0; i < TASKSTATE_FILTER_MAX_IDS; i++)
		f->ids[i] = rnd() % 4 ? getpid() : (int)rnd();
	f->transition_mask = rnd() % 2 ? 0 : rnd() & ((rnd() % 2) ? 0x3ff : ~0U);
	f->cause_mask = rnd() % 2 ? 0 : rnd();
	f->uid = rnd() % 2 ? 0 : rnd();
	if (rnd() % 2)
		strcpy(f->comm, "fuzz");
	else
		fill_random(f->comm, sizeof(f->comm));
	if (rnd() % 8 == 0)
		f->__reserved = rnd();
}

enum { CALL_IOCTL, CALL_READ, CALL_POLL, CALL_WRITE, NR_CALLS };

/* How each kind of call ended: [0] succeeded, [errno] refused. */
static unsigned int tally[NR_CALLS][256];

static void count(int call, long ret, int err)
{
	tally[call][ret >= 0 ? 0 : err & 0xff]++;
}

/* "read: 6011 calls, 2950 ok, EAGAIN 2001, EFAULT 1060": the figures. */
static void log_tally(struct __test_metadata *_metadata)
{
	static const char *const names[NR_CALLS] = {
		"ioctl", "read", "poll", "procfs write",
	};

	for (int call = 0; call < NR_CALLS; call++) {
		char line[512];
		unsigned int n = 0;
		int len = 0;

		for (int e = 0; e < 256; e++)
			n += tally[call][e];
		len += snprintf(line + len, sizeof(line) - len, "%s: %u calls, %u ok",
				names[call], n, tally[call][0]);
		for (int e = 1; e < 256 && len < (int)sizeof(line); e++)
			if (tally[call][e])
				len += snprintf(line + len, sizeof(line) - len,
						", %s %u", strerrorname_np(e) ?: "?",
						tally[call][e]);
		TH_LOG("%s", line);
	}
}

static bool allowed(int err, const int *ok)
{
	for (; *ok; ok++)
		if (err == *ok)
			return true;
	return false;
}

TEST_F(fuzz, every_call_succeeds_or_fails_as_documented)
{
	static const int ioctl_errs[] = { ENOTTY, EINVAL, EFAULT, EBUSY, ENOMEM, 0 };
	static const int read_errs[] = { EINVAL, EFAULT, EAGAIN, 0 };
	static const int write_errs[] = { EINVAL, EFAULT, 0 };
	static const char *const procfs[] = {
		"/proc/taskstate/config", "/proc/taskstate/transitions",
	};
	static const unsigned int cmds[] = {
		TASKSTATE_IOC_VERSION, TASKSTATE_IOC_SET_FILTER,
		TASKSTATE_IOC_SET_BUFFER, TASKSTATE_IOC_START,
		TASKSTATE_IOC_GET_STATS,
	};
	struct ts_counters c;
	int fd = -1, bad = 0;

	RETURN_IF_SETUP_SKIPPED();

	for (int i = 0; i < ITERATIONS && bad < 10; i++) {
		int op = rnd() % 10, err;
		long ret;

		if (fd < 0 || rnd() % 200 == 0) {
			if (fd >= 0)
				close(fd);
			fd = open("/dev/taskstate", O_RDONLY | O_CLOEXEC |
				  (rnd() % 2 ? O_NONBLOCK : 0));
			ASSERT_LE(0, fd);
			/* Blocking reads would wait forever: never block. */
			fcntl(fd, F_SETFL, O_NONBLOCK);
		}
		if (op < 5) {
			unsigned int cmd = rnd() % 4 ? cmds[rnd() % 5] : (unsigned int)rnd();
			void *arg = some_pointer(self);

			if (cmd == TASKSTATE_IOC_SET_FILTER && arg == self->buf)
				some_filter(arg);
			else if (cmd == TASKSTATE_IOC_SET_BUFFER && arg == self->buf)
				*(uint32_t *)arg = rnd() % 3 ? rnd() % 70000 : rnd();
			else if (arg == self->buf)
				fill_random(arg, 512);
			ret = ioctl(fd, cmd, arg);
			err = errno;
			count(CALL_IOCTL, ret, err);
			if (ret < 0 && !allowed(err, ioctl_errs)) {
				TH_LOG("iteration %d: ioctl 0x%x: %s", i, cmd,
				       strerror(err));
				bad++;
			}
		} else if (op < 8) {
			static const size_t sizes[] = {
				0, 1, TASKSTATE_RECORD_SIZE - 1,
				TASKSTATE_RECORD_SIZE, TASKSTATE_RECORD_SIZE + 1,
				4096, BIG,
			};
			size_t len = sizes[rnd() % 7];
			void *p = rnd() % 3 ? self->buf : some_pointer(self);

			ret = read(fd, p, len);
			err = errno;
			count(CALL_READ, ret, err);
			if (ret < 0 && !allowed(err, read_errs)) {
				TH_LOG("iteration %d: read %zu: %s", i, len,
				       strerror(err));
				bad++;
			} else if (ret > 0 && ret % TASKSTATE_RECORD_SIZE) {
				TH_LOG("iteration %d: read %ld bytes", i, ret);
				bad++;
			}
		} else if (op == 8) {
			struct pollfd pfd = { .fd = fd, .events = rnd() };

			ret = poll(&pfd, 1, 0);
			count(CALL_POLL, ret, errno);
			if (ret < 0) {
				TH_LOG("iteration %d: poll: %s", i, strerror(errno));
				bad++;
			}
		} else {
			const char *path = procfs[rnd() % 2];
			int pfd = open(path, O_WRONLY | O_CLOEXEC);
			size_t len = rnd() % 3 ? rnd() % 80 : rnd() % 8192;

			ASSERT_LE(0, pfd);
			fill_random(self->buf, len);
			/* Keep to junk: never a valid command by chance. */
			self->buf[0] = '#';
			ret = write(pfd, rnd() % 8 ? self->buf : some_pointer(self), len);
			err = errno;
			close(pfd);
			count(CALL_WRITE, ret, err);
			if (len && ret >= 0) {
				TH_LOG("iteration %d: junk write to %s accepted", i, path);
				bad++;
			} else if (ret < 0 && !allowed(err, write_errs)) {
				TH_LOG("iteration %d: write %s: %s", i, path,
				       strerror(err));
				bad++;
			}
		}
	}
	if (fd >= 0)
		close(fd);
	log_tally(_metadata);
	EXPECT_EQ(0, bad);

	/* Still healthy. */
	fd = open("/dev/taskstate", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(TASKSTATE_ABI_VERSION, ioctl(fd, TASKSTATE_IOC_VERSION));
	close(fd);
	EXPECT_EQ(0, ts_counters_read(&c));
}

TEST_HARNESS_MAIN
