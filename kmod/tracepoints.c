// SPDX-License-Identifier: GPL-2.0
/*
 * Attach probes to kernel tracepoints by name.
 *
 * The scheduler's tracepoints are not exported to modules, so their
 * struct tracepoint is found by walking the core kernel's tracepoint table.
 * This file only connects names to functions; what the probes do is
 * probes.c's business.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "tracepoints.h"

static void ts_match_tracepoint(struct tracepoint *tp, void *priv)
{
	struct ts_probe *probes = priv;

	for (; probes->name; probes++)
		if (!probes->tp && !strcmp(tp->name, probes->name))
			probes->tp = tp;
}

static void ts_unregister(struct ts_probe *probes, struct ts_probe *end)
{
	for (; probes < end; probes++) {
		if (probes->tp)
			tracepoint_probe_unregister(probes->tp, probes->func,
						    NULL);
	}
}

int ts_tracepoints_attach(struct ts_probe *probes)
{
	struct ts_probe *p;
	int ret;

	for (p = probes; p->name; p++)
		p->tp = NULL;
	for_each_kernel_tracepoint(ts_match_tracepoint, probes);

	for (p = probes; p->name; p++) {
		if (!p->tp) {
			pr_err("tracepoint %s not found in this kernel\n",
			       p->name);
			ret = -ENOENT;
			goto fail;
		}
		ret = tracepoint_probe_register(p->tp, p->func, NULL);
		if (ret) {
			pr_err("cannot attach to tracepoint %s: %d\n",
			       p->name, ret);
			goto fail;
		}
	}
	return 0;

fail:
	ts_unregister(probes, p);
	tracepoint_synchronize_unregister();
	return ret;
}

void ts_tracepoints_detach(struct ts_probe *probes)
{
	struct ts_probe *end = probes;

	while (end->name)
		end++;
	ts_unregister(probes, end);
	/* No probe may still be running once this returns. */
	tracepoint_synchronize_unregister();
}
