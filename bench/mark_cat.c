// SPDX-License-Identifier: GPL-2.0
/*
 * mark_cat: read a file to its end between icount.so's markers (make
 * bench: the cost of reading /proc/taskstate/tasks).  The open and the
 * close are outside the window.  Prints "bytes=B".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "icount/marker.h"
#include "lib/util.h"

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	long long bytes = 0;
	ssize_t n;
	int fd;

	prog_name = "mark_cat";
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: mark_cat FILE\n\nRead FILE to its end between icount.so's markers;\n"
		       "print bytes=B.\n");
		return 0;
	}
	if (argc != 2)
		usage_error("one FILE expected (see --help)");
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die_errno("%s", argv[1]);
	icount_start();
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		bytes += n;
	icount_stop();
	if (n < 0)
		die_errno("read %s", argv[1]);
	close(fd);
	printf("bytes=%lld\n", bytes);
	return 0;
}
