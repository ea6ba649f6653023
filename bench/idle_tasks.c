// SPDX-License-Identifier: GPL-2.0
/*
 * idle_tasks: N threads that block at once and stay blocked, the "idle
 * live tasks" of the instruction-count benchmark (make bench): the module
 * keeps a record for each, and a probe must not get slower with them.
 * Creates --ready FILE once all are blocked; exits on SIGINT or SIGTERM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"

static int block_fd;

static void *idle(void *arg)
{
	char b;

	(void)arg;
	/* Nobody ever writes: blocked until the process exits. */
	while (read(block_fd, &b, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void usage(FILE *f, int status)
{
	fprintf(f,
		"usage: idle_tasks -n N [--ready FILE]\n\n"
		"Start N threads blocked in read(2) on a pipe; wait for SIGINT or SIGTERM.\n"
		"  -n, --tasks N    threads (1..100000)\n"
		"      --ready FILE created once every thread has started\n"
		"  -h, --help       this help\n");
	exit(status);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tasks", required_argument, NULL, 'n' },
		{ "ready", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *ready = NULL;
	long n = -1;
	uint64_t u;
	int p[2], o, sig;
	pthread_attr_t attr;
	sigset_t set;

	prog_name = "idle_tasks";
	while ((o = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		switch (o) {
		case 'n':
			if (!parse_u64(optarg, 1, 100000, &u))
				usage_error("bad --tasks '%s'", optarg);
			n = (long)u;
			break;
		case 'r':
			ready = optarg;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (n < 0 || optind < argc)
		usage_error("-n N is required, no arguments (see --help)");
	/* Signals are taken by sigwait() only, never by the idle threads. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pipe(p))
		die_errno("pipe");
	block_fd = p[0];
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN);
	for (long i = 0; i < n; i++) {
		pthread_t t;
		int err = pthread_create(&t, &attr, idle, NULL);

		if (err)
			die("pthread_create (thread %ld): %s", i, strerror(err));
	}
	if (ready) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		if (fd < 0)
			die_errno("%s", ready);
		close(fd);
	}
	sigwait(&set, &sig);
	return 0;
}
