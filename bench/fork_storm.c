// SPDX-License-Identifier: GPL-2.0
/*
 * fork_storm: the fork/exit workload of make bench.  Forks N children,
 * each exits at once (no exec: exec over the VM's 9p root would measure
 * the file system), and reaps each before the next.  Prints its time the
 * way `perf bench sched` does, so one parser reads both.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "forks", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	uint64_t n = 1000, start, ns;
	int opt;

	prog_name = "fork_storm";
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			if (!parse_u64(optarg, 1, 10000000, &n))
				usage_error("--forks takes 1..10000000");
			break;
		case 'h':
			printf("usage: fork_storm [-n|--forks N]\n\n"
			       "Fork N children one after the other; each exits at once and is\n"
			       "reaped before the next.  Prints the total time and usecs/op.\n");
			return 0;
		default:
			usage_error("bad option '%s'; try --help", argv[optind - 1]);
		}
	}
	if (optind != argc)
		usage_error("unexpected argument '%s'; try --help", argv[optind]);

	start = now_ns();
	for (uint64_t i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			die_errno("fork");
		if (pid == 0)
			_exit(0);
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR)
				die_errno("waitpid");
	}
	ns = now_ns() - start;
	printf("# fork_storm: %" PRIu64 " forks\n\n", n);
	printf("     Total time: %.3f [sec]\n\n", ns / 1e9);
	printf("     %.6f usecs/op\n", ns / 1e3 / n);
	return 0;
}
