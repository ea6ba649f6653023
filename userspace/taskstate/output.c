// SPDX-License-Identifier: GPL-2.0
/* The output files of timeline, export and diagram (-o FILE). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "taskstate.h"
#include "lib/i18n.h"
#include "lib/util.h"

void out_open(struct out_file *o, const char *path)
{
	int fd;

	o->path = path;
	o->tmp = NULL;
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return;
	}
	if (asprintf(&o->tmp, "%s.tmp.XXXXXX", path) < 0)
		die("%s", _("out of memory"));
	fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0)
		die_errno("%s", path);
	/* mkstemp() makes it 0600; this is an ordinary output file. */
	{
		mode_t mask = umask(0);

		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		unlink(o->tmp);
		die_errno("%s", path);
	}
}

void out_commit(struct out_file *o)
{
	bool bad = ferror(o->f);

	if (o->f == stdout) {
		if (fflush(stdout) || bad)
			die_errno("%s", _("write to stdout"));
		return;
	}
	if (fclose(o->f) || bad) {
		unlink(o->tmp);
		die_errno(_("write %s"), o->path);
	}
	if (rename(o->tmp, o->path)) {
		unlink(o->tmp);
		die_errno(_("rename to %s"), o->path);
	}
	free(o->tmp);
}
