// SPDX-License-Identifier: GPL-2.0
/*
 * What does capturing wait sites cost?  A pipe ping-pong (every round trip
 * is two blocking switches and two wakeups) is timed with no session, with
 * a session that skips wait sites, and with one that captures them; the
 * configurations are interleaved over several rounds so drift hits all
 * alike.  Prints medians and the cost per blocking switch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/stream.h"
#include "lib/util.h"

enum { NONE, NO_SITE, SITE, NR_CONFIGS };
static const char *const config_names[NR_CONFIGS] = {
	"no session", "session, no wait site", "session, wait sites",
};

struct drain {
	struct ts_stream *stream;
	volatile bool stop;
	uint64_t records;
};

static void *drain_thread(void *arg)
{
	static struct taskstate_event ev[TS_STREAM_BATCH];
	struct drain *d = arg;

	while (!d->stop) {
		ssize_t n = ts_stream_read(d->stream, ev, TS_STREAM_BATCH, 100);

		if (n < 0 && n != -EINTR)
			die("read: %s", strerror(-n));
		if (n > 0)
			d->records += n;
	}
	return NULL;
}

/*
 * Nanoseconds per round trip of one byte over two pipes, both ends on CPU 0
 * (cross-CPU wakeups under emulation are noise, not the cost measured).
 */
static double ping_pong(unsigned long trips)
{
	cpu_set_t cpu0, all;
	int ab[2], ba[2];
	uint64_t start;
	pid_t pid;
	char c = 0;

	if (pipe(ab) || pipe(ba))
		die_errno("pipe");
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_getaffinity(0, sizeof(all), &all) ||
	    sched_setaffinity(0, sizeof(cpu0), &cpu0))
		die_errno("sched_setaffinity");
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0) {
		for (unsigned long i = 0; i < trips; i++)
			if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	start = now_ns();
	for (unsigned long i = 0; i < trips; i++)
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
			die_errno("ping-pong");
	start = now_ns() - start;
	waitpid(pid, NULL, 0);
	sched_setaffinity(0, sizeof(all), &all);
	close(ab[0]);
	close(ab[1]);
	close(ba[0]);
	close(ba[1]);
	return (double)start / trips;
}

static double run(int config, unsigned long trips)
{
	struct taskstate_filter f;
	struct drain d = { 0 };
	pthread_t thread;
	double ns;

	if (config == NONE)
		return ping_pong(trips);
	d.stream = ts_stream_open(NULL, 0);
	if (!d.stream)
		die_errno("open /dev/taskstate");
	ts_filter_all(&f);
	if (config == NO_SITE)
		f.flags |= TASKSTATE_FILTER_NO_WAIT_SITE;
	if (ts_stream_set_filter(d.stream, &f) || ts_stream_start(d.stream))
		die("cannot set up the session");
	pthread_create(&thread, NULL, drain_thread, &d);
	ns = ping_pong(trips);
	d.stop = true;
	pthread_join(thread, NULL);
	ts_stream_close(d.stream);
	return ns;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "trips", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	uint64_t rounds = 5, trips = 20000;
	double ns[NR_CONFIGS][64], med[NR_CONFIGS];
	int opt;

	prog_name = "waitsite_cost";
	while ((opt = getopt_long(argc, argv, "r:t:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			if (!parse_u64(optarg, 1, 64, &rounds))
				usage_error("--rounds takes 1..64");
			break;
		case 't':
			if (!parse_u64(optarg, 100, 10000000, &trips))
				usage_error("--trips takes 100..10000000");
			break;
		case 'h':
			printf("usage: waitsite_cost [--rounds N] [--trips N]\n");
			return 0;
		default:
			usage_error("bad option; try --help");
		}
	}
	for (uint64_t r = 0; r < rounds; r++)
		for (int c = 0; c < NR_CONFIGS; c++)
			ns[c][r] = run(c, trips);
	for (int c = 0; c < NR_CONFIGS; c++) {
		qsort(ns[c], rounds, sizeof(double), cmp_double);
		med[c] = ns[c][rounds / 2];
		printf("%-24s median %8.0f ns/round trip (min %.0f, max %.0f)\n",
		       config_names[c], med[c], ns[c][0], ns[c][rounds - 1]);
	}
	printf("session overhead:        %.2fx of no session\n", med[NO_SITE] / med[NONE]);
	printf("wait sites:              %.2fx of a session without them\n",
	       med[SITE] / med[NO_SITE]);
	/* Two blocking switches per round trip. */
	printf("wait site per blocking switch: %.0f ns\n",
	       (med[SITE] - med[NO_SITE]) / 2);
	return 0;
}
