/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TASKSTATE_TRACEPOINTS_H
#define _TASKSTATE_TRACEPOINTS_H

struct tracepoint;

/* One probe to attach; a table of them ends with a NULL name. */
struct ts_probe {
	const char *name;
	void *func;
	struct tracepoint *tp;	/* filled in by ts_tracepoints_attach() */
};

int ts_tracepoints_attach(struct ts_probe *probes);
void ts_tracepoints_detach(struct ts_probe *probes);

#endif /* _TASKSTATE_TRACEPOINTS_H */
