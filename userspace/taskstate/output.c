// SPDX-License-Identifier: GPL-2.0
/* The output files of timeline, export and diagram (-o FILE). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "taskstate.h"
#include "lib/libtaskstate.h"

void out_open(struct out_file *o, const char *path)
{
	int fd;

	o->path = path;
	o->tmp = NULL;
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return;
	}
	fd = ts_output_open(path, &o->tmp);
	if (fd < 0)
		die_errno("%s", path);
	o->f = fdopen(fd, "w");
	if (!o->f) {
		close(fd);
		ts_output_abort(o->tmp);
		die_errno("%s", path);
	}
}

void out_commit(struct out_file *o)
{
	bool bad = ferror(o->f);
	int ret;

	if (o->f == stdout) {
		if (fflush(stdout) || bad)
			die_errno("%s", _("write to stdout"));
		return;
	}
	if (fclose(o->f) || bad) {
		ts_output_abort(o->tmp);
		die_errno(_("write %s"), o->path);
	}
	ret = ts_output_commit(o->path, o->tmp);
	if (ret) {
		errno = -ret;
		die_errno(_("rename to %s"), o->path);
	}
}
