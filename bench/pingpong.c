// SPDX-License-Identifier: GPL-2.0
/*
 * pingpong: the workload of the instruction-count benchmark (make bench).
 * Two processes pinned to one CPU pass a byte back and forth through two
 * pipes N times.  The icount.so markers bracket the loop only: the fork,
 * the exec and the exit around it are not counted.  With the module loaded,
 * the events it counted in the window (its /proc/taskstate/transitions, read
 * just outside the markers) are the "workload events" every configuration
 * is divided by.
 *
 * Output, one line: loops=N cpu=C events=E (events=-1: module not loaded)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "icount/marker.h"
#include "lib/counters.h"
#include "lib/util.h"

static int64_t module_events(void)
{
	struct ts_counters c;
	int64_t sum = 0;

	if (ts_counters_read(&c))
		return -1;
	for (int i = 0; i < TASKSTATE_NR_TRANSITIONS; i++)
		sum += c.transition[i];
	return sum;
}

static void usage(FILE *f, int status)
{
	fprintf(f,
		"usage: pingpong [-n LOOPS] [-c CPU] [--no-markers]\n\n"
		"Two processes on CPU (default 0) pass a byte through two pipes\n"
		"LOOPS times (default 2000), between icount.so's markers.\n"
		"  -n, --loops N    round trips\n"
		"  -c, --cpu C      the CPU both run on (-1: not pinned)\n"
		"      --no-markers do not execute the markers\n"
		"  -h, --help       this help\n");
	exit(status);
}

static void xfer(int rfd, int wfd, char *b)
{
	if (wfd >= 0 && write(wfd, b, 1) != 1)
		die_errno("write");
	if (rfd >= 0 && read(rfd, b, 1) != 1)
		die_errno("read");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "loops", required_argument, NULL, 'n' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "no-markers", no_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	long loops = 2000, cpu = 0;
	uint64_t u;
	int markers = 1, ab[2], ba[2], o, status;
	int64_t before, after;
	char *end, b = 'x';
	pid_t child;

	prog_name = "pingpong";
	while ((o = getopt_long(argc, argv, "n:c:h", opts, NULL)) != -1) {
		switch (o) {
		case 'n':
			if (!parse_u64(optarg, 1, 100000000, &u))
				usage_error("bad --loops '%s'", optarg);
			loops = (long)u;
			break;
		case 'c':
			errno = 0;
			cpu = strtol(optarg, &end, 10);
			if (errno || *end || cpu < -1 || cpu >= CPU_SETSIZE)
				usage_error("bad --cpu '%s'", optarg);
			break;
		case 'M':
			markers = 0;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (optind < argc)
		usage_error("no arguments expected (see --help)");
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die_errno("sched_setaffinity CPU %ld", cpu);
	}
	if (pipe(ab) || pipe(ba))
		die_errno("pipe");
	child = fork();
	if (child < 0)
		die_errno("fork");
	if (!child) {
		close(ab[1]);
		close(ba[0]);
		/* Echo until the parent closes its end. */
		while (read(ab[0], &b, 1) == 1)
			if (write(ba[1], &b, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(ab[0]);
	close(ba[1]);
	/* Warm up: both in their loops, their pages touched. */
	for (int i = 0; i < 10; i++)
		xfer(ba[0], ab[1], &b);
	before = module_events();
	if (markers)
		icount_start();
	for (long i = 0; i < loops; i++)
		xfer(ba[0], ab[1], &b);
	if (markers)
		icount_stop();
	after = module_events();
	close(ab[1]);
	if (waitpid(child, &status, 0) != child)
		die_errno("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die("the echoing child failed (status 0x%x)", status);
	printf("loops=%ld cpu=%ld events=%" PRId64 "\n", loops, cpu,
	       before < 0 || after < 0 ? -1 : after - before);
	return 0;
}
