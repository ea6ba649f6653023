// SPDX-License-Identifier: GPL-2.0
/*
 * taskstate export --perfetto-proto: a recording as a native Perfetto
 * trace (a protobuf Trace of TracePackets), encoded by protobuf-c from
 * perfetto_trace.proto.
 *
 * The module's events are written twice, so that Perfetto's own analyses
 * work and nothing the module knows is lost:
 *   - as the ftrace events the kernel would have recorded (sched_switch,
 *     sched_wakeup, sched_wakeup_new, sched_process_fork/exit/exec/free),
 *     one FtraceEventBundle per run of events on one CPU, in the
 *     recording's order: trace processor builds its thread_state table,
 *     CPU tracks and wakeup arrows from them;
 *   - as TrackEvents on each thread's track: one instant per event named
 *     after its classic transition, with cause, states, wait site, other
 *     task and exit status as debug annotations, and one slice per stretch
 *     of time in a classic state.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "taskstate.h"
#include "taskstate/perfetto_trace.pb-c.h"
#include "lib/counters.h"
#include "lib/i18n.h"
#include "lib/util.h"

typedef Perfetto__Protos__TracePacket Packet;
typedef Perfetto__Protos__FtraceEvent FtraceEvent;
typedef Perfetto__Protos__DebugAnnotation Annotation;

/* Thread tracks: one per recorded thread; one more for lost events. */
#define TRACK_BASE	0x7473000000000000ull	/* "ts" */
#define TRACK_GLOBAL	(TRACK_BASE - 1)
#define SEQUENCE_ID	1
/* TracePacket.SequenceFlags: nothing on the sequence refers to earlier packets. */
#define SEQ_INCREMENTAL_STATE_CLEARED	1

/*
 * sched_switch's prev_state as kernels 4.14 and later record it
 * (__trace_sched_switch_state(): 1 << (state index - 1), TASK_REPORT_MAX
 * for a preempted task), which is how trace processor decodes it given
 * the kernel release in SystemInfo.  Every kernel the module builds for
 * is newer than 4.14.
 */
#define PREV_STATE_PREEMPTED	0x100

static int64_t prev_state_bits(const struct taskstate_event *ev)
{
	static const char letters[] = "SDTtXZPI";
	const char *p;

	if (ev->transition == TASKSTATE_TR_PREEMPT)
		return ev->cause == TASKSTATE_CAUSE_YIELD ? 0 : PREV_STATE_PREEMPTED;
	p = ev->linux_state ? strchr(letters, ev->linux_state) : NULL;
	return p ? 1 << (p - letters) : 0;
}

/* Where the packets go: protobuf-c appends through this. */
struct sink {
	ProtobufCBuffer base;
	FILE *f;
};

static void sink_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
	struct sink *s = (struct sink *)b;

	fwrite(data, 1, len, s->f);
}

/*
 * A Trace is a repeated field of packets, and serialized messages
 * concatenate into their merge: each packet goes out as a Trace of one.
 */
static void put_packet(struct sink *s, Packet *p)
{
	Perfetto__Protos__Trace t = PERFETTO__PROTOS__TRACE__INIT;

	p->optional_trusted_packet_sequence_id_case =
		PERFETTO__PROTOS__TRACE_PACKET__OPTIONAL_TRUSTED_PACKET_SEQUENCE_ID_TRUSTED_PACKET_SEQUENCE_ID;
	p->trusted_packet_sequence_id = SEQUENCE_ID;
	t.n_packet = 1;
	t.packet = &p;
	perfetto__protos__trace__pack_to_buffer(&t, &s->base);
}

/*
 * A comm or wait site as a proto string, which must be UTF-8: printable
 * ASCII is kept, any other byte written as \xNN (as the JSON and SVG do).
 */
#define STR_LEN	(TASKSTATE_SITE_LEN * 4 + 1)

static char *str(char *buf, const char *s, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < size && s[i]; i++) {
		unsigned char c = s[i];

		if (c >= 0x20 && c < 0x7f)
			buf[o++] = c;
		else
			o += sprintf(buf + o, "\\x%02x", c);
	}
	buf[o] = '\0';
	return buf;
}

/* One ftrace event with room for any of its payloads and strings. */
struct fev {
	FtraceEvent e;
	union {
		Perfetto__Protos__SchedSwitchFtraceEvent sw;
		Perfetto__Protos__SchedWakeupFtraceEvent wk;
		Perfetto__Protos__SchedWakeupNewFtraceEvent wn;
		Perfetto__Protos__SchedProcessExecFtraceEvent ex;
		Perfetto__Protos__SchedProcessExitFtraceEvent xt;
		Perfetto__Protos__SchedProcessForkFtraceEvent fk;
		Perfetto__Protos__SchedProcessFreeFtraceEvent fr;
	} u;
	char s1[STR_LEN], s2[STR_LEN];
};

#define BUNDLE_MAX	256

struct bundle {
	struct sink *sink;
	uint32_t cpu;
	size_t n;
	struct fev ev[BUNDLE_MAX];
	FtraceEvent *ptr[BUNDLE_MAX];
};

static void bundle_flush(struct bundle *b, bool lost)
{
	Perfetto__Protos__FtraceEventBundle fb = PERFETTO__PROTOS__FTRACE_EVENT_BUNDLE__INIT;
	Packet p = PERFETTO__PROTOS__TRACE_PACKET__INIT;

	if (!b->n && !lost)
		return;
	fb.has_cpu = true;
	fb.cpu = b->cpu;
	fb.n_event = b->n;
	fb.event = b->ptr;
	if (lost)
		fb.has_lost_events = fb.lost_events = true;
	p.data_case = PERFETTO__PROTOS__TRACE_PACKET__DATA_FTRACE_EVENTS;
	p.ftrace_events = &fb;
	put_packet(b->sink, &p);
	b->n = 0;
}

/* The next event of @cpu's bundle, its common fields set. */
static struct fev *bundle_next(struct bundle *b, uint32_t cpu, uint64_t ts,
			       pid_t common_pid)
{
	static const FtraceEvent init = PERFETTO__PROTOS__FTRACE_EVENT__INIT;
	struct fev *f;

	if (b->n && (b->cpu != cpu || b->n == BUNDLE_MAX))
		bundle_flush(b, false);
	b->cpu = cpu;
	f = &b->ev[b->n];
	b->ptr[b->n++] = &f->e;
	f->e = init;
	f->e.has_timestamp = f->e.has_pid = true;
	f->e.timestamp = ts;
	f->e.pid = common_pid > 0 ? (uint32_t)common_pid : 0;
	return f;
}

static pid_t parent_of(const struct summary *s, pid_t pid)
{
	const struct task_info *ti = summary_find(s, pid);

	return ti ? ti->parent : 0;
}

static bool is_dispatch_of(const struct taskstate_event *a,
			   const struct taskstate_event *b)
{
	return b->kind == TASKSTATE_KIND_EVENT &&
	       b->transition == TASKSTATE_TR_DISPATCH &&
	       b->cpu == a->cpu && b->ts_ns == a->ts_ns;
}

/*
 * sched_switch: @out (a task switched out, or NULL: the CPU was idle or
 * ran a task the recording leaves out) and @in (NULL: the same for the
 * task switched to; a preempted task's event names it as the other).
 */
static void put_switch(struct bundle *b, const struct taskstate_event *out,
		       const struct taskstate_event *in)
{
	static const Perfetto__Protos__SchedSwitchFtraceEvent init =
		PERFETTO__PROTOS__SCHED_SWITCH_FTRACE_EVENT__INIT;
	const struct taskstate_event *at = out ? out : in;
	struct fev *f = bundle_next(b, at->cpu, at->ts_ns, out ? out->pid : 0);

	f->u.sw = init;
	f->e.event_case = PERFETTO__PROTOS__FTRACE_EVENT__EVENT_SCHED_SWITCH;
	f->e.sched_switch = &f->u.sw;
	f->u.sw.has_prev_pid = f->u.sw.has_prev_state = true;
	f->u.sw.has_next_pid = true;
	if (out) {
		f->u.sw.prev_comm = str(f->s1, out->comm, sizeof(out->comm));
		f->u.sw.prev_pid = out->pid;
		f->u.sw.prev_state = prev_state_bits(out);
	} else {
		f->u.sw.prev_comm = strcpy(f->s1, "swapper");
	}
	if (in) {
		f->u.sw.next_comm = str(f->s2, in->comm, sizeof(in->comm));
		f->u.sw.next_pid = in->pid;
	} else if (out && out->other_pid) {
		f->u.sw.next_comm = str(f->s2, out->other_comm, sizeof(out->other_comm));
		f->u.sw.next_pid = out->other_pid;
	} else {
		f->u.sw.next_comm = strcpy(f->s2, "swapper");
	}
}

/* The ftrace events of the whole recording, in its order. */
static void put_ftrace(struct sink *sink, const struct ts_recording *rec,
			 const struct summary *sum)
{
	struct bundle *b = calloc(1, sizeof(*b));

	if (!b)
		die("%s", _("out of memory"));
	b->sink = sink;
	for (size_t i = 0; i < rec->n; i++) {
		const struct taskstate_event *ev = &rec->ev[i];
		struct fev *f;

		if (ev->kind == TASKSTATE_KIND_LOST) {
			bundle_flush(b, false);
			b->cpu = ev->cpu;
			bundle_flush(b, true);
			continue;
		}
		switch (ev->transition) {
		case TASKSTATE_TR_PREEMPT:
		case TASKSTATE_TR_BLOCK:
			/* One switch: the task out, then the task in. */
			if (i + 1 < rec->n && is_dispatch_of(ev, &rec->ev[i + 1])) {
				put_switch(b, ev, &rec->ev[++i]);
			} else {
				put_switch(b, ev, NULL);
			}
			continue;
		case TASKSTATE_TR_DISPATCH:
			put_switch(b, NULL, ev);
			continue;
		default:
			break;
		}
		switch (ev->transition) {
		case TASKSTATE_TR_CREATE:
			f = bundle_next(b, ev->cpu, ev->ts_ns, ev->other_pid);
			f->u.fk = (Perfetto__Protos__SchedProcessForkFtraceEvent)
				PERFETTO__PROTOS__SCHED_PROCESS_FORK_FTRACE_EVENT__INIT;
			f->e.event_case = PERFETTO__PROTOS__FTRACE_EVENT__EVENT_SCHED_PROCESS_FORK;
			f->e.sched_process_fork = &f->u.fk;
			f->u.fk.parent_comm = str(f->s1, ev->other_comm, sizeof(ev->other_comm));
			f->u.fk.has_parent_pid = f->u.fk.has_child_pid = true;
			f->u.fk.parent_pid = ev->other_pid;
			f->u.fk.child_comm = str(f->s2, ev->comm, sizeof(ev->comm));
			f->u.fk.child_pid = ev->pid;
			break;
		case TASKSTATE_TR_ADMIT:
			f = bundle_next(b, ev->cpu, ev->ts_ns, parent_of(sum, ev->pid));
			f->u.wn = (Perfetto__Protos__SchedWakeupNewFtraceEvent)
				PERFETTO__PROTOS__SCHED_WAKEUP_NEW_FTRACE_EVENT__INIT;
			f->e.event_case = PERFETTO__PROTOS__FTRACE_EVENT__EVENT_SCHED_WAKEUP_NEW;
			f->e.sched_wakeup_new = &f->u.wn;
			f->u.wn.comm = str(f->s1, ev->comm, sizeof(ev->comm));
			f->u.wn.has_pid = f->u.wn.has_success = f->u.wn.has_target_cpu = true;
			f->u.wn.pid = ev->pid;
			f->u.wn.success = 1;
			f->u.wn.target_cpu = ev->cpu;
			break;
		case TASKSTATE_TR_WAKE:
			f = bundle_next(b, ev->cpu, ev->ts_ns, ev->other_pid);
			f->u.wk = (Perfetto__Protos__SchedWakeupFtraceEvent)
				PERFETTO__PROTOS__SCHED_WAKEUP_FTRACE_EVENT__INIT;
			f->e.event_case = PERFETTO__PROTOS__FTRACE_EVENT__EVENT_SCHED_WAKEUP;
			f->e.sched_wakeup = &f->u.wk;
			f->u.wk.comm = str(f->s1, ev->comm, sizeof(ev->comm));
			f->u.wk.has_pid = f->u.wk.has_success = f->u.wk.has_target_cpu = true;
			f->u.wk.pid = ev->pid;
			f->u.wk.success = 1;
			f->u.wk.target_cpu = ev->cpu;
			break;
		case TASKSTATE_TR_EXIT:
		case TASKSTATE_TR_KILL_READY:
		case TASKSTATE_TR_KILL_BLOCKED:
			f = bundle_next(b, ev->cpu, ev->ts_ns, ev->pid);
			f->u.xt = (Perfetto__Protos__SchedProcessExitFtraceEvent)
				PERFETTO__PROTOS__SCHED_PROCESS_EXIT_FTRACE_EVENT__INIT;
			f->e.event_case = PERFETTO__PROTOS__FTRACE_EVENT__EVENT_SCHED_PROCESS_EXIT;
			f->e.sched_process_exit = &f->u.xt;
			f->u.xt.comm = str(f->s1, ev->comm, sizeof(ev->comm));
			f->u.xt.has_pid = f->u.xt.has_tgid = true;
			f->u.xt.pid = ev->pid;
			f->u.xt.tgid = ev->tgid;
			break;
		default:
			if (ev->cause == TASKSTATE_CAUSE_EXEC) {
				/* The module knows the new comm, not the path. */
				f = bundle_next(b, ev->cpu, ev->ts_ns, ev->pid);
				f->u.ex = (Perfetto__Protos__SchedProcessExecFtraceEvent)
					PERFETTO__PROTOS__SCHED_PROCESS_EXEC_FTRACE_EVENT__INIT;
				f->e.event_case = PERFETTO__PROTOS__FTRACE_EVENT__EVENT_SCHED_PROCESS_EXEC;
				f->e.sched_process_exec = &f->u.ex;
				f->u.ex.filename = str(f->s1, ev->comm, sizeof(ev->comm));
				f->u.ex.has_pid = f->u.ex.has_old_pid = true;
				f->u.ex.pid = f->u.ex.old_pid = ev->pid;
			} else if (ev->cause == TASKSTATE_CAUSE_REAPED) {
				f = bundle_next(b, ev->cpu, ev->ts_ns, ev->other_pid);
				f->u.fr = (Perfetto__Protos__SchedProcessFreeFtraceEvent)
					PERFETTO__PROTOS__SCHED_PROCESS_FREE_FTRACE_EVENT__INIT;
				f->e.event_case = PERFETTO__PROTOS__FTRACE_EVENT__EVENT_SCHED_PROCESS_FREE;
				f->e.sched_process_free = &f->u.fr;
				f->u.fr.comm = str(f->s1, ev->comm, sizeof(ev->comm));
				f->u.fr.has_pid = true;
				f->u.fr.pid = ev->pid;
			}	/* else nothing ftrace has: the instant keeps it */
			break;
		}
	}
	bundle_flush(b, false);
	free(b);
}

static void put_system_info(struct sink *s)
{
	Perfetto__Protos__Utsname u = PERFETTO__PROTOS__UTSNAME__INIT;
	Perfetto__Protos__SystemInfo si = PERFETTO__PROTOS__SYSTEM_INFO__INIT;
	Packet p = PERFETTO__PROTOS__TRACE_PACKET__INIT;
	struct utsname un;

	/*
	 * The recording does not say which kernel made it: this machine's
	 * release stands in; it only tells the reader the 4.14+ layout of
	 * prev_state, true of every kernel the module runs on.
	 */
	if (uname(&un))
		strcpy(un.release, "6.1.0");
	u.sysname = "Linux";
	u.release = un.release;
	si.utsname = &u;
	p.data_case = PERFETTO__PROTOS__TRACE_PACKET__DATA_SYSTEM_INFO;
	p.system_info = &si;
	p.has_sequence_flags = true;
	p.sequence_flags = SEQ_INCREMENTAL_STATE_CLEARED;
	put_packet(s, &p);
}

/* Processes (with their parents, where the recording saw the fork) and threads. */
static void put_process_tree(struct sink *s, const struct summary *sum,
			     uint64_t ts)
{
	Perfetto__Protos__ProcessTree tree = PERFETTO__PROTOS__PROCESS_TREE__INIT;
	Packet p = PERFETTO__PROTOS__TRACE_PACKET__INIT;
	size_t n = sum->nr_tasks ? sum->nr_tasks : 1;
	Perfetto__Protos__ProcessTree__Process *procs = calloc(n, sizeof(*procs));
	Perfetto__Protos__ProcessTree__Thread *threads = calloc(n, sizeof(*threads));
	Perfetto__Protos__ProcessTree__Process **pp = calloc(n, sizeof(*pp));
	Perfetto__Protos__ProcessTree__Thread **tp = calloc(n, sizeof(*tp));
	char (*names)[STR_LEN] = calloc(n, sizeof(*names));
	char **cmdlines = calloc(n, sizeof(*cmdlines));

	if (!procs || !threads || !pp || !tp || !names || !cmdlines)
		die("%s", _("out of memory"));
	for (size_t i = 0; i < sum->nr_tasks; i++) {
		const struct task_info *ti = &sum->tasks[i];
		Perfetto__Protos__ProcessTree__Thread *t = &threads[tree.n_threads];

		str(names[i], ti->comm, sizeof(ti->comm));
		perfetto__protos__process_tree__thread__init(t);
		t->has_tid = t->has_tgid = true;
		t->tid = ti->pid;
		t->tgid = ti->tgid;
		t->name = names[i];
		tp[tree.n_threads++] = t;
		if (ti->pid == ti->tgid) {
			Perfetto__Protos__ProcessTree__Process *pr = &procs[tree.n_processes];
			const struct task_info *parent = ti->parent ?
				summary_find(sum, ti->parent) : NULL;

			perfetto__protos__process_tree__process__init(pr);
			pr->has_pid = true;
			pr->pid = ti->tgid;
			if (ti->parent) {
				pr->has_ppid = true;
				pr->ppid = parent ? parent->tgid : ti->parent;
			}
			cmdlines[i] = names[i];
			pr->n_cmdline = 1;
			pr->cmdline = &cmdlines[i];
			pp[tree.n_processes++] = pr;
		}
	}
	tree.processes = pp;
	tree.threads = tp;
	p.has_timestamp = true;
	p.timestamp = ts;
	p.data_case = PERFETTO__PROTOS__TRACE_PACKET__DATA_PROCESS_TREE;
	p.process_tree = &tree;
	put_packet(s, &p);
	free(procs);
	free(threads);
	free(pp);
	free(tp);
	free(names);
	free(cmdlines);
}

static void put_track(struct sink *s, uint64_t uuid, const char *name,
		      const struct task_info *ti)
{
	Perfetto__Protos__TrackDescriptor td = PERFETTO__PROTOS__TRACK_DESCRIPTOR__INIT;
	Perfetto__Protos__ThreadDescriptor th = PERFETTO__PROTOS__THREAD_DESCRIPTOR__INIT;
	Packet p = PERFETTO__PROTOS__TRACE_PACKET__INIT;
	char comm[STR_LEN];

	td.has_uuid = true;
	td.uuid = uuid;
	if (ti) {
		th.has_pid = th.has_tid = true;
		th.pid = ti->tgid;
		th.tid = ti->pid;
		th.thread_name = str(comm, ti->comm, sizeof(ti->comm));
		td.thread = &th;
	} else {
		td.name = (char *)name;
	}
	p.data_case = PERFETTO__PROTOS__TRACE_PACKET__DATA_TRACK_DESCRIPTOR;
	p.track_descriptor = &td;
	put_packet(s, &p);
}

/* Debug annotations of one track event. */
#define ANN_MAX	12

struct anns {
	size_t n;
	Annotation a[ANN_MAX];
	Annotation *ptr[ANN_MAX];
	char buf[ANN_MAX][STR_LEN];
};

static Annotation *ann(struct anns *as, const char *name)
{
	Annotation *a = &as->a[as->n];

	perfetto__protos__debug_annotation__init(a);
	a->name_field_case = PERFETTO__PROTOS__DEBUG_ANNOTATION__NAME_FIELD_NAME;
	a->name = (char *)name;
	as->ptr[as->n++] = a;
	return a;
}

static void ann_str(struct anns *as, const char *name, const char *s, size_t size)
{
	size_t i = as->n;
	Annotation *a = ann(as, name);

	a->value_case = PERFETTO__PROTOS__DEBUG_ANNOTATION__VALUE_STRING_VALUE;
	a->string_value = str(as->buf[i], s, size);
}

static void ann_int(struct anns *as, const char *name, int64_t v)
{
	Annotation *a = ann(as, name);

	a->value_case = PERFETTO__PROTOS__DEBUG_ANNOTATION__VALUE_INT_VALUE;
	a->int_value = v;
}

static void put_track_event(struct sink *s, uint64_t ts, uint64_t track,
			    Perfetto__Protos__TrackEvent__Type type,
			    const char *name, struct anns *as)
{
	static char *cats[] = { "taskstate" };
	Perfetto__Protos__TrackEvent te = PERFETTO__PROTOS__TRACK_EVENT__INIT;
	Packet p = PERFETTO__PROTOS__TRACE_PACKET__INIT;

	te.has_type = te.has_track_uuid = true;
	te.type = type;
	te.track_uuid = track;
	if (name) {
		te.name_field_case = PERFETTO__PROTOS__TRACK_EVENT__NAME_FIELD_NAME;
		te.name = (char *)name;
		te.n_categories = 1;
		te.categories = cats;
	}
	if (as) {
		te.n_debug_annotations = as->n;
		te.debug_annotations = as->ptr;
	}
	p.has_timestamp = true;
	p.timestamp = ts;
	p.data_case = PERFETTO__PROTOS__TRACE_PACKET__DATA_TRACK_EVENT;
	p.track_event = &te;
	put_packet(s, &p);
}

/* Every record as an instant on its thread's track, named by its step. */
static void put_instants(struct sink *s, const struct ts_recording *rec)
{
	for (size_t i = 0; i < rec->n; i++) {
		const struct taskstate_event *ev = &rec->ev[i];
		struct anns as = { 0 };
		char letter[2] = { ev->linux_state, 0 };

		if (ev->kind == TASKSTATE_KIND_LOST) {
			ann_int(&as, "lost", (int64_t)ev->lost);
			ann_int(&as, "cpu", ev->cpu);
			put_track_event(s, ev->ts_ns, TRACK_GLOBAL,
					PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_INSTANT,
					"lost events", &as);
			continue;
		}
		ann_str(&as, "cause", ts_cause_str(ev->cause), 16);
		ann_str(&as, "from", ts_state_str(ev->from), 16);
		ann_str(&as, "to", ts_state_str(ev->to), 16);
		ann_str(&as, "linux_state", letter, sizeof(letter));
		if (ev->prev_state_ns)
			ann_int(&as, "prev_state_ns", (int64_t)ev->prev_state_ns);
		if (ev->other_pid) {
			ann_int(&as, "other_pid", ev->other_pid);
			ann_str(&as, "other_comm", ev->other_comm, sizeof(ev->other_comm));
		}
		if (ev->wait_site[0])
			ann_str(&as, "wait_site", ev->wait_site, sizeof(ev->wait_site));
		if (ev->to == TASKSTATE_EXIT && ev->from != TASKSTATE_EXIT) {
			ann_int(&as, "exit_code", ev->exit_code);
			ann_int(&as, "signal", ev->signal);
		} else if (ev->signal) {
			ann_int(&as, "signal", ev->signal);
		}
		put_track_event(s, ev->ts_ns, TRACK_BASE + (uint32_t)ev->pid,
				PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_INSTANT,
				ev->transition ? ts_transition_str(ev->transition) :
						 ts_cause_str(ev->cause), &as);
	}
}

/* Each stretch of time in a classic state as a slice named after it. */
static void put_slices(struct sink *s, const struct timeline *tl)
{
	for (size_t i = 0; i < tl->nr_iv; i++) {
		const struct interval *iv = &tl->iv[i];
		uint64_t track = TRACK_BASE + (uint32_t)tl->sum.tasks[iv->task].pid;
		struct anns as = { 0 };

		if (iv->state == TASKSTATE_BLOCKED && iv->begin) {
			char letter[2] = { iv->begin->linux_state, 0 };

			ann_str(&as, "linux_state", letter, sizeof(letter));
			if (iv->begin->wait_site[0])
				ann_str(&as, "wait_site", iv->begin->wait_site,
					sizeof(iv->begin->wait_site));
		}
		put_track_event(s, iv->start, track,
				PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_BEGIN,
				ts_state_str(iv->state), &as);
		put_track_event(s, iv->end, track,
				PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_END,
				NULL, NULL);
	}
}

void export_perfetto_proto(FILE *f, const struct ts_recording *rec,
			   const struct timeline *tl)
{
	struct sink s = { .base = { .append = sink_append }, .f = f };
	const struct summary *sum = &tl->sum;

	put_system_info(&s);
	put_process_tree(&s, sum, rec->n ? rec->ev[0].ts_ns : 0);
	put_track(&s, TRACK_GLOBAL, "taskstate", NULL);
	for (size_t t = 0; t < sum->nr_tasks; t++)
		put_track(&s, TRACK_BASE + (uint32_t)sum->tasks[t].pid, NULL,
			  &sum->tasks[t]);
	put_ftrace(&s, rec, sum);
	put_instants(&s, rec);
	put_slices(&s, tl);
}
