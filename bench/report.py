#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the raw CSV that bench/guest-bench.sh wrote into bench/results:
results.md (tables), overhead.svg and ipc.svg.  Python standard library
only.  Never fails on a number: a missing one is shown as "n/a"."""

import argparse
import csv
import html
import math
import os
import shutil
import statistics
import sys

CONFIG_NAMES = {
    "none": "no tracer (module unloaded)",
    "mod": "module, no reader",
    "mod-sites": "module, no reader, wait_sites=1",
    "reader": "module + reader draining all",
    "reader-nosite": "module + reader, no wait sites",
    "reader-desc": "module + reader, descendants of the workload",
    "ftrace": "ftrace, same events, trace_pipe drained",
    "perf": "perf record -a -e 'sched:*'",
}
MAIN_CONFIGS = ["none", "mod", "reader", "ftrace", "perf"]
WORKLOAD_NAMES = {
    "pipe-pinned": "perf bench sched pipe, pinned to CPU 0",
    "pipe": "perf bench sched pipe, unpinned",
    "messaging": "perf bench sched messaging",
    "forks": "fork/exit storm (bench/fork_storm)",
}


def num(s):
    try:
        v = float(s)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def med(values):
    v = [x for x in values if x is not None]
    return statistics.median(v) if v else None


def fmt(v, spec=".3f", unit=""):
    return "n/a" if v is None else format(v, spec) + unit


def pct(v):
    return "n/a" if v is None else f"{v:+.1f}%"


def read_csv(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def read_info(path):
    info = {}
    if os.path.exists(path):
        for line in open(path):
            for part in line.strip().split(" "):
                if "=" in part and not line.startswith(("cpu_model", "perf", "stress_ng", "module")):
                    k, v = part.split("=", 1)
                    info[k] = v
            if line.startswith(("cpu_model=", "perf=", "stress_ng=", "module=")):
                k, v = line.rstrip("\n").split("=", 1)
                info[k] = v
    return info


# ---------------------------------------------------------------------------
# Overhead

class Cell:
    """One workload under one configuration, over all rounds."""

    def __init__(self, rows):
        self.by_round = {r["round"]: num(r["seconds"]) for r in rows
                         if num(r["seconds"]) is not None}
        self.secs = [num(r["seconds"]) for r in rows]
        self.secs = [s for s in self.secs if s is not None]
        self.events = med([num(r["events"]) for r in rows])
        self.produced = sum(num(r["produced"]) or 0 for r in rows)
        self.delivered = sum(num(r["delivered"]) or 0 for r in rows)
        self.lost = sum(num(r["lost"]) or 0 for r in rows)
        self.max_lost = max([num(r["lost"]) or 0 for r in rows] or [0])
        self.has_reader_counts = any(r["produced"] not in ("", None) for r in rows)
        self.n = len(self.secs)
        self.median = med(self.secs)
        self.min = min(self.secs) if self.secs else None
        self.max = max(self.secs) if self.secs else None

    def iqr_pct(self):
        """Interquartile range / median: the run-to-run spread that one
        slow round does not blow up."""
        if len(self.secs) < 4 or not self.median:
            return None
        q = statistics.quantiles(self.secs, n=4)
        return 100.0 * (q[2] - q[0]) / self.median

    def spread_pct(self):
        if not self.secs or not self.median:
            return None
        return 100.0 * (self.max - self.min) / self.median


def overhead_cells(rows):
    cells = {}
    for w in WORKLOAD_NAMES:
        for c in CONFIG_NAMES:
            sel = [r for r in rows if r["workload"] == w and r["config"] == c]
            if sel:
                cells[(w, c)] = Cell(sel)
    return cells


def paired(cells, w, c, base="none"):
    """Per round: (seconds under c - seconds under base, base's seconds).
    Both ran in the same round, minutes apart at most: drift between rounds
    (the host's load) cancels out of the difference."""
    b, x = cells.get((w, base)), cells.get((w, c))
    if not b or not x:
        return []
    return [(x.by_round[r] - b.by_round[r], b.by_round[r])
            for r in sorted(x.by_round, key=int) if r in b.by_round and b.by_round[r]]


def over(cells, w, c):
    """Overhead against no tracer: median over the rounds of each round's."""
    return med([100.0 * d / t for d, t in paired(cells, w, c)])


def over_range(cells, w, c):
    v = [100.0 * d / t for d, t in paired(cells, w, c)]
    return (min(v), max(v)) if v else None


def delta(cells, w, c, base="none"):
    return med([d for d, _ in paired(cells, w, c, base)])


def ns_per_event(cells, w, c, base="none"):
    x, d = cells.get((w, c)), delta(cells, w, c, base)
    if not x or d is None or not x.events:
        return None
    return d * 1e9 / x.events


def workload_events(cells, w):
    """The workload's own events: what the module counts with no reader."""
    for c in ("mod", "mod-sites"):
        x = cells.get((w, c))
        if x and x.events:
            return x.events
    return None


def ns_per_wevent(cells, w, c, base="none"):
    d, n = delta(cells, w, c, base), workload_events(cells, w)
    if d is None or not n:
        return None
    return d * 1e9 / n


def overhead_tables(cells, out):
    out.append("### Tracing overhead\n")
    out.append("Seconds are the workload's own \"Total time\", median over the rounds;")
    out.append("spread is (max - min) / median.  Overhead is paired: each round's time")
    out.append("against the same round's no-tracer time, then the median over the rounds")
    out.append("(the range shows the lowest and highest round); the host's load drifts")
    out.append("between rounds far more than within one.  Events: what the tracer recorded in one")
    out.append("run (median; the module's own counters for \"no reader\", the session's")
    out.append("`produced` for a reader, ring-buffer entries read + overrun for ftrace,")
    out.append("samples for perf).  Two costs per event, both the median over the rounds")
    out.append("of (time - that round's no-tracer time), divided by a count of events: per *workload event* divides by")
    out.append("the events the workload makes (the module's count with no reader), the")
    out.append("same number for every tracer; per *recorded event* divides by what that")
    out.append("tracer recorded during the run, its reader's own switches included")
    out.append("(every event wakes ftrace's and the module's reader, and that reader's")
    out.append("switches are events again).\n")
    for w, wname in WORKLOAD_NAMES.items():
        if (w, "none") not in cells:
            continue
        out.append(f"**{wname}**\n")
        out.append("| configuration | median s | spread | overhead (range) | events recorded/run | ns per workload event | ns per recorded event | lost (all rounds) |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for c in MAIN_CONFIGS:
            x = cells.get((w, c))
            if not x:
                continue
            lost = fmt(x.lost, ".0f") if c in ("reader", "ftrace", "perf") else ""
            out.append(f"| {CONFIG_NAMES[c]} | {fmt(x.median)} | {fmt(x.spread_pct(), '.1f', '%')} | "
                       f"{'' if c == 'none' else pct(over(cells, w, c)) + rng(over_range(cells, w, c))} | "
                       f"{'' if c == 'none' else fmt(x.events, '.0f')} | "
                       f"{'' if c == 'none' else fmt(ns_per_wevent(cells, w, c), '.0f')} | "
                       f"{'' if c == 'none' else fmt(ns_per_event(cells, w, c), '.0f')} | {lost} |")
        r = ns_per_event(cells, w, "reader")
        f_ = ns_per_event(cells, w, "ftrace")
        p = ns_per_event(cells, w, "perf")
        rw = ns_per_wevent(cells, w, "reader")
        fw = ns_per_wevent(cells, w, "ftrace")
        pw = ns_per_wevent(cells, w, "perf")
        ro = over(cells, w, "reader")
        fo = over(cells, w, "ftrace")
        po = over(cells, w, "perf")
        out.append("")
        out.append(f"Module with a reader, as a ratio of ftrace's: {ratio(rw, fw)} per workload event "
                   f"(= overhead {ratio(ro, fo)}), {ratio(r, f_)} per recorded event; of perf's: "
                   f"{ratio(rw, pw)} per workload event, {ratio(r, p)} per recorded event.\n")


def rng(r):
    return "" if not r else f" ({r[0]:+.0f}..{r[1]:+.0f})"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "n/a"
    return f"{a / b:.2f}x"


def loss_table(cells, out):
    out.append("### Loss: events produced, delivered, lost (sums over all rounds)\n")
    out.append("| workload | configuration | produced | delivered | lost | worst run lost |")
    out.append("|---|---|---:|---:|---:|---:|")
    for w, wname in WORKLOAD_NAMES.items():
        for c in ("reader", "reader-nosite", "reader-desc", "ftrace", "perf"):
            x = cells.get((w, c))
            if not x:
                continue
            out.append(f"| {w} | {CONFIG_NAMES[c]} | {x.produced:.0f} | {x.delivered:.0f} | "
                       f"{x.lost:.0f} | {x.max_lost:.0f} |")
    out.append("")
    out.append("Event counts, module vs ftrace for the same workload (median per run):\n")
    out.append("| workload | module reader (produced) | module counters (no reader) | ftrace | module / ftrace |")
    out.append("|---|---:|---:|---:|---:|")
    for w in WORKLOAD_NAMES:
        m, n, f_ = cells.get((w, "reader")), cells.get((w, "mod")), cells.get((w, "ftrace"))
        if not (m and f_):
            continue
        out.append(f"| {w} | {fmt(m.events, '.0f')} | {fmt(n.events if n else None, '.0f')} | "
                   f"{fmt(f_.events, '.0f')} | {ratio(m.events, f_.events)} |")
    out.append("")
    out.append("The two count different things: ftrace records `sched_waking` and")
    out.append("`sched_wakeup` separately and every `signal_generate`, where the module")
    out.append("folds a wakeup into one blocked->ready event and records a signal only")
    out.append("when it matters to a state; it also records `reaped`.  Both readers")
    out.append("are themselves traced (the drain's own switches count).\n")


def feature_table(cells, out):
    out.append("### Hot-path cost by feature\n")
    out.append("Each step adds one feature; the cost of the step is the difference of")
    out.append("medians divided by the workload's events (ns per workload event).  The waker")
    out.append("(sched_waking probe noting who wakes whom) has no switch: it is always")
    out.append("on and inside every step's \"base\".\n")
    steps = [
        ("mod", "none", "probes + per-task model (no reader, wait_sites=0)"),
        ("mod-sites", "mod", "+ wait-site capture without a reader (wait_sites=1)"),
        ("reader-nosite", "mod", "+ base event: a reader gets every event (no wait sites)"),
        ("reader", "reader-nosite", "+ wait-site capture for the reader"),
        ("reader-desc", "reader", "descendant filter instead of all tasks (fewer events delivered)"),
    ]
    head = "| step |" + "".join(f" {w} ns/event |" for w in WORKLOAD_NAMES)
    out.append(head)
    out.append("|---|" + "---:|" * len(WORKLOAD_NAMES))
    for c, base, name in steps:
        vals = []
        for w in WORKLOAD_NAMES:
            vals.append(fmt(ns_per_wevent(cells, w, c, base), ".0f"))
        out.append(f"| {name} |" + "".join(f" {v} |" for v in vals))
    out.append("")
    out.append("Medians (s) behind it:\n")
    out.append("| configuration |" + "".join(f" {w} |" for w in WORKLOAD_NAMES))
    out.append("|---|" + "---:|" * len(WORKLOAD_NAMES))
    for c in ("none", "mod", "mod-sites", "reader-nosite", "reader", "reader-desc"):
        out.append(f"| {CONFIG_NAMES[c]} |" +
                   "".join(f" {fmt(cells[(w, c)].median if (w, c) in cells else None)} |"
                           for w in WORKLOAD_NAMES))
    out.append("")


def targets(cells, out):
    # The targets are judged on instruction counts (bench/icount): under
    # TCG these wall-clock differences are mostly noise.
    out.append("### Wall-clock comparisons (not targets: see the instruction counts)\n")
    out.append("| comparison | result | holds on this run's wall clock |")
    out.append("|---|---|---|")
    for w in WORKLOAD_NAMES:
        r = ns_per_wevent(cells, w, "reader")
        f_ = ns_per_wevent(cells, w, "ftrace")
        # A cost at or below zero is the noise of the no-tracer runs, not
        # a cheap reader: no verdict either way.
        if r is None or f_ is None or f_ <= 0:
            ok = "n/a"
        elif r <= 0:
            ok = "n/a (within the no-tracer noise)"
        else:
            ok = "yes" if r <= 0.5 * f_ else "no"
        out.append(f"| reader's cost per workload event <= half of ftrace's ({w}) | "
                   f"{fmt(r, '.0f')} ns vs {fmt(f_, '.0f')} ns ({ratio(r, f_)}) | {ok} |")
    m = cells.get(("messaging", "reader"))
    if m:
        out.append(f"| zero lost events, messaging, default buffer | {m.lost:.0f} lost of "
                   f"{m.produced:.0f} over {m.n} runs | {'yes' if m.lost == 0 else 'no'} |")
    for c in ("mod", "mod-sites"):
        for w in WORKLOAD_NAMES:
            o, n = over(cells, w, c), cells.get((w, "none"))
            iqr = n.iqr_pct() if n else None
            if o is None or iqr is None:
                continue
            out.append(f"| {CONFIG_NAMES[c]}: overhead within no tracer's run-to-run spread ({w}) | "
                       f"{pct(o)} against a spread of {iqr:.0f}% | "
                       f"{'yes' if abs(o) <= iqr else 'no'} |")
    out.append("")


# ---------------------------------------------------------------------------
# IPC

def ipc_summary(rows):
    """(mech, size, placement, mode) -> dict of medians over rounds."""
    groups = {}
    for r in rows:
        key = (r["mech"], int(r["size"]), r["placement"], r["mode"])
        groups.setdefault(key, []).append(r)
    res = {}
    for key, rs in groups.items():
        note = rs[0].get("note", "")
        res[key] = {
            "median_ns": med([num(r["median_ns"]) for r in rs]),
            "p99_ns": med([num(r["p99_ns"]) for r in rs]),
            "mean_ns": med([num(r["mean_ns"]) for r in rs]),
            "mib_s": med([num(r["mib_s"]) for r in rs]),
            "per_s": med([num(r["per_s"]) for r in rs]),
            "tr": med([num(r.get("transitions_per_op")) for r in rs]),
            "leg": rs[0].get("return_leg", ""),
            "note": note,
            "rounds": len(rs),
        }
    return res


def us(v):
    return "n/a" if v is None else f"{v / 1e3:.1f}"


def ipc_tables(ipc, ipcm, perfpipe, stress, out):
    out.append("### IPC: ipclab bench (module unloaded)\n")
    out.append("Round-trip latency in microseconds (median and p99 of the round trips of")
    out.append("a run, then the median over the runs), one-way throughput in MiB/s, and")
    out.append("the transitions the module counted per round trip (a separate run with")
    out.append("the module loaded, all tasks).  Pinned: both processes on CPU 0.\n")
    mechs = []
    for (m, _, _, _) in ipc:
        if m not in mechs:
            mechs.append(m)
    sizes = sorted({k[1] for k in ipc})
    out.append("| mechanism | bytes | pinned median | pinned p99 | unpinned median | unpinned p99 | "
               "MiB/s pinned | MiB/s unpinned | transitions/round trip | return leg |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for m in mechs:
        for s in sizes:
            p = ipc.get((m, s, "pinned", "roundtrip"))
            u = ipc.get((m, s, "unpinned", "roundtrip"))
            if not p and not u:
                continue
            if p and p["note"]:
                out.append(f"| {m} | {s} | {p['note']} ||||||||")
                continue
            tp = ipc.get((m, s, "pinned", "throughput")) or {}
            tu = ipc.get((m, s, "unpinned", "throughput")) or {}
            tm = ipcm.get((m, s, "pinned", "roundtrip")) or {}
            out.append(f"| {m} | {s} | {us(p and p['median_ns'])} | {us(p and p['p99_ns'])} | "
                       f"{us(u and u['median_ns'])} | {us(u and u['p99_ns'])} | "
                       f"{fmt(tp.get('mib_s'), '.2f')} | {fmt(tu.get('mib_s'), '.2f')} | "
                       f"{fmt(tm.get('tr'), '.2f')} | {p['leg'] if p else ''} |")
    out.append("")

    out.append("### Pipes: ipclab vs perf bench sched pipe (same boot, interleaved)\n")
    out.append("perf bench reports the mean time per round trip (usecs/op) of a 4-byte")
    out.append("ping-pong over two pipes; ipclab's 1-byte round trip goes out through the")
    out.append("pipe and comes back through a futex.  Medians over the rounds.\n")
    out.append("`pipe-both-ways` is ipclab bench's reference row: perf's protocol (a pipe")
    out.append("each way, the child echoes) timed the way ipclab times every round trip.\n")
    out.append("| placement | perf bench us/op | ipclab pipe mean us | difference | within 10% | pipe-both-ways mean us | difference | within 10% |")
    out.append("|---|---:|---:|---:|---|---:|---:|---|")
    for pl in ("pinned", "unpinned"):
        pb = med([num(r["usecs_per_op"]) for r in perfpipe if r["placement"] == pl])
        cols = []
        for m in ("pipe", "pipe-both-ways"):
            mean = (ipc.get((m, 1, pl, "roundtrip")) or {}).get("mean_ns")
            diff = None if pb is None or mean is None else 100.0 * (mean / 1e3 - pb) / pb
            ok = "n/a" if diff is None else ("yes" if abs(diff) <= 10 else "no")
            cols.append(f"{us(mean)} | {pct(diff)} | {ok}")
        out.append(f"| {pl} | {fmt(pb, '.1f')} | " + " | ".join(cols) + " |")
    out.append("")
    out.append("What differs: ipclab's pipe comes back through a futex (wake/wait)")
    out.append("where perf's comes back through a second pipe (write/read), so")
    out.append("`pipe-both-ways` isolates the return leg; ipclab sends 1 byte, perf 4;")
    out.append("perf divides its whole run, the two forks and exits included, by the")
    out.append("loops, where ipclab times each round trip after a warm-up (the mean")
    out.append("shown is of the timed round trips).  Under TCG a fork or a system call")
    out.append("costs far more than on hardware, which magnifies both differences.")
    out.append("Unpinned, the placement decides: same vCPU or not, and under")
    out.append("one-thread TCG a wakeup on the other vCPU waits for that vCPU's turn;")
    out.append("each run (perf's, ipclab's) lands its own way, so only the pinned")
    out.append("numbers are expected to agree.\n")

    if stress:
        out.append("### stress-ng's matching stressors (same boot)\n")
        out.append("Bogo ops per second as stress-ng counts them (its own unit per stressor:")
        out.append("not round trips), one instance, `--taskset 0` when pinned.\n")
        out.append("| stressor | ipclab mechanism | pinned bogo ops/s | unpinned bogo ops/s |")
        out.append("|---|---|---:|---:|")
        names = []
        for r in stress:
            if r["stressor"] not in names:
                names.append(r["stressor"])
        for n in names:
            rs = {r["placement"]: r for r in stress if r["stressor"] == n}
            mech = next(iter(rs.values()))["mech"]
            out.append(f"| --{n} | {mech} | "
                       f"{fmt(num(rs.get('pinned', {}).get('bogo_ops_per_s')), '.0f')} | "
                       f"{fmt(num(rs.get('unpinned', {}).get('bogo_ops_per_s')), '.0f')} |")
        out.append("")
        out.append("No stressor for unix-stream and unix-dgram: stress-ng 0.15's")
        out.append("`--sock-domain unix` fails (it asks for IPPROTO_TCP on an AF_UNIX")
        out.append("socket) and `--udp` has no unix domain.\n")


def summary(cells, ipc, perfpipe):
    """The short table for README.md: overhead against no tracer."""
    o = ["| workload | no tracer: median (spread) | module, no reader | module, no reader, wait_sites=1 | module + reader | ftrace | perf record | reader lost |",
         "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for w in WORKLOAD_NAMES:
        if (w, "none") not in cells:
            continue
        r = cells.get((w, "reader"))
        n = cells[(w, "none")]
        o.append(f"| {w} | {fmt(n.median)} s ({fmt(n.spread_pct(), '.0f', '%')}) | "
                 f"{pct(over(cells, w, 'mod'))} | {pct(over(cells, w, 'mod-sites'))} | "
                 f"{pct(over(cells, w, 'reader'))} | {pct(over(cells, w, 'ftrace'))} | "
                 f"{pct(over(cells, w, 'perf'))} | "
                 f"{'n/a' if not r else f'{r.lost:.0f} of {r.produced:.0f}'} |")
    pb = med([num(r["usecs_per_op"]) for r in perfpipe if r["placement"] == "pinned"])
    ip = ipc.get(("pipe", 1, "pinned", "roundtrip")) or {}
    o.append("")
    o.append(f"Pipe round trip, pinned: ipclab {us(ip.get('mean_ns'))} us (mean), "
             f"perf bench sched pipe {fmt(pb, '.1f')} us/op.")
    return o


# ---------------------------------------------------------------------------
# SVG

COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"]


def svg_text(x, y, s, size=12, anchor="start", weight="normal"):
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}">{html.escape(str(s))}</text>')


def overhead_svg(cells, path, title):
    configs = [c for c in MAIN_CONFIGS if c != "none"]
    workloads = [w for w in WORKLOAD_NAMES if (w, "none") in cells]
    vals = []
    for w in workloads:
        for c in configs:
            r = over_range(cells, w, c)
            if r:
                vals += [over(cells, w, c), r[0], r[1]]
    lo, hi = min(vals + [0]), max(vals + [10])
    left, width, bar, gap = 330, 520, 16, 26
    height = 70 + len(workloads) * (len(configs) * bar + gap) + 60
    scale = width / (hi - lo)
    x0 = left + (0 - lo) * scale
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 120}" height="{height}" '
         f'font-family="sans-serif">', '<rect width="100%" height="100%" fill="white"/>',
         svg_text(10, 22, title, 15, weight="bold"),
         svg_text(10, 40, "Bars: overhead against no tracer in the same round, median over the "
                          "rounds (%); whiskers: lowest and highest round.", 11)]
    y = 60
    for w in workloads:
        o.append(svg_text(10, y + 12, WORKLOAD_NAMES[w], 12, weight="bold"))
        y += 18
        for i, c in enumerate(configs):
            r = over_range(cells, w, c)
            o.append(svg_text(left - 8, y + bar - 4, CONFIG_NAMES[c], 11, "end"))
            if r:
                v = over(cells, w, c)
                xa, xb = sorted((x0, x0 + v * scale))
                o.append(f'<rect x="{xa:.1f}" y="{y + 1}" width="{max(xb - xa, 1):.1f}" '
                         f'height="{bar - 3}" fill="{COLORS[i]}"/>')
                wl = x0 + r[0] * scale
                wh = x0 + r[1] * scale
                ym = y + bar / 2
                o.append(f'<line x1="{wl:.1f}" y1="{ym:.1f}" x2="{wh:.1f}" y2="{ym:.1f}" stroke="black"/>')
                o.append(f'<line x1="{wl:.1f}" y1="{ym - 4:.1f}" x2="{wl:.1f}" y2="{ym + 4:.1f}" stroke="black"/>')
                o.append(f'<line x1="{wh:.1f}" y1="{ym - 4:.1f}" x2="{wh:.1f}" y2="{ym + 4:.1f}" stroke="black"/>')
                o.append(svg_text(max(xb, wh) + 4, y + bar - 4, f"{v:+.1f}%", 11))
            else:
                o.append(svg_text(x0 + 4, y + bar - 4, "n/a", 11))
            y += bar
        y += gap - 18
    # axis
    o.append(f'<line x1="{x0:.1f}" y1="55" x2="{x0:.1f}" y2="{y}" stroke="#555"/>')
    step = nice_step(hi - lo)
    t = math.ceil(lo / step) * step
    while t <= hi + 1e-9:
        xt = x0 + t * scale
        o.append(f'<line x1="{xt:.1f}" y1="{y}" x2="{xt:.1f}" y2="{y + 5}" stroke="#555"/>')
        o.append(svg_text(xt, y + 18, f"{t:g}", 11, "middle"))
        t += step
    o.append(f'<line x1="{left}" y1="{y}" x2="{left + width}" y2="{y}" stroke="#555"/>')
    o.append(svg_text(left + width / 2, y + 36, "overhead against no tracer (%)", 12, "middle"))
    o.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(o) + "\n")


def nice_step(span):
    raw = span / 8 if span > 0 else 1
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def ipc_svg(ipc, perfpipe, path, title):
    mechs = []
    for (m, _, _, mode) in ipc:
        if m not in mechs:
            mechs.append(m)
    sizes = sorted({k[1] for k in ipc})
    placements = ["pinned", "unpinned"]
    pb = {pl: med([num(r["usecs_per_op"]) for r in perfpipe if r["placement"] == pl]) for pl in placements}
    allv = [v["p99_ns"] / 1e3 for k, v in ipc.items() if k[3] == "roundtrip" and v["p99_ns"]]
    allv += [v for v in pb.values() if v]
    hi = max(allv + [1])
    # log scale: latencies span orders of magnitude
    lo = min([v["median_ns"] / 1e3 for k, v in ipc.items() if k[3] == "roundtrip" and v["median_ns"]] + [hi]) / 1.5
    lo = 10 ** math.floor(math.log10(max(lo, 1e-3)))
    hi = 10 ** math.ceil(math.log10(hi))
    left, pw, bar, gap = 120, 330, 7, 10
    rows = mechs + ["perf bench pipe"]
    height = 90 + len(rows) * (len(sizes) * bar + gap) + 50
    W = left + 2 * (pw + 40) + 20

    def sx(panel, v):
        base = left + panel * (pw + 40)
        return base + (math.log10(max(v, lo)) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * pw

    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height}" font-family="sans-serif">',
         '<rect width="100%" height="100%" fill="white"/>',
         svg_text(10, 22, title, 15, weight="bold"),
         svg_text(10, 40, "Bars: median round trip; tick: p99 (log scale, microseconds). "
                          "perf bench: mean us/op, 4 bytes.", 11)]
    for i, s in enumerate(sizes):
        o.append(f'<rect x="{10 + i * 110}" y="50" width="10" height="10" fill="{COLORS[i]}"/>')
        o.append(svg_text(24 + i * 110, 59, f"{s} B", 11))
    y0 = 75
    for pi, pl in enumerate(placements):
        o.append(svg_text(left + pi * (pw + 40) + pw / 2, y0, pl, 12, "middle", "bold"))
    y = y0 + 10
    for m in rows:
        o.append(svg_text(left - 6, y + len(sizes) * bar / 2 + 4, m, 11, "end"))
        for pi, pl in enumerate(placements):
            for i, s in enumerate(sizes):
                yy = y + i * bar
                if m == "perf bench pipe":
                    v = pb[pl] if i == 0 else None
                    p99 = None
                else:
                    e = ipc.get((m, s, pl, "roundtrip"))
                    v = e["median_ns"] / 1e3 if e and e["median_ns"] else None
                    p99 = e["p99_ns"] / 1e3 if e and e["p99_ns"] else None
                if v is None:
                    continue
                xa = sx(pi, lo)
                o.append(f'<rect x="{xa:.1f}" y="{yy:.1f}" width="{max(sx(pi, v) - xa, 1):.1f}" '
                         f'height="{bar - 1}" fill="{COLORS[i]}"><title>{m} {s} B {pl}: '
                         f'{v:.1f} us</title></rect>')
                if p99:
                    xp = sx(pi, p99)
                    o.append(f'<line x1="{xp:.1f}" y1="{yy:.1f}" x2="{xp:.1f}" y2="{yy + bar - 1:.1f}" '
                             f'stroke="black" stroke-width="1.5"/>')
        y += len(sizes) * bar + gap
    for pi in range(2):
        o.append(f'<line x1="{sx(pi, lo):.1f}" y1="{y}" x2="{sx(pi, hi):.1f}" y2="{y}" stroke="#555"/>')
        d = lo
        while d <= hi * 1.0001:
            xt = sx(pi, d)
            o.append(f'<line x1="{xt:.1f}" y1="{y0 + 8}" x2="{xt:.1f}" y2="{y + 4}" stroke="#ddd"/>')
            o.append(svg_text(xt, y + 16, f"{d:g}", 10, "middle"))
            d *= 10
        o.append(svg_text(left + pi * (pw + 40) + pw / 2, y + 34, "round trip (us, log scale)", 11, "middle"))
    o.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(o) + "\n")


# ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("raw", help="directory of the guest's raw CSV (out/vm/bench)")
    ap.add_argument("results", help="directory for results.md and the SVGs (bench/results)")
    ap.add_argument("--machine", default="", help="host description for the header")
    ap.add_argument("--command", default="make bench", help="command that produced it")
    ap.add_argument("--elapsed", default="", help="wall time of the whole run")
    a = ap.parse_args()

    info = read_info(os.path.join(a.raw, "info.txt"))
    rows = read_csv(os.path.join(a.raw, "overhead.csv"))
    cells = overhead_cells(rows)
    ipc = ipc_summary(read_csv(os.path.join(a.raw, "ipc.csv")))
    ipcm = ipc_summary(read_csv(os.path.join(a.raw, "ipc-module.csv")))
    perfpipe = read_csv(os.path.join(a.raw, "perfpipe.csv"))
    stress = read_csv(os.path.join(a.raw, "stress.csv"))

    os.makedirs(a.results, exist_ok=True)
    raw_dir = os.path.join(a.results, "raw")
    os.makedirs(raw_dir, exist_ok=True)
    for f in os.listdir(a.raw):
        if f.endswith((".csv", ".txt")):
            shutil.copy(os.path.join(a.raw, f), raw_dir)

    out = ["# taskstate benchmarks\n",
           f"Produced by `{a.command}` on {info.get('date', '?')}"
           + (f" in {a.elapsed}" if a.elapsed else "") + ".\n",
           f"- host: {a.machine or '?'}",
           f"- guest: Debian kernel {info.get('kernel', '?')} under QEMU TCG (software emulation, "
           f"one host thread for all vCPUs), {info.get('cpus', '?')} vCPUs, CPU model "
           f"\"{info.get('cpu_model', '?')}\"",
           f"- {info.get('perf', 'perf ?')}, {info.get('stress_ng', 'stress-ng ?')}",
           f"- rounds: {info.get('rounds', '?')}; pipe loops {info.get('pipe_loops', '?')}, "
           f"messaging -g {info.get('msg_groups', '?')} -l {info.get('msg_loops', '?')}, "
           f"forks {info.get('forks', '?')}; ipclab bench: {info.get('ipc_trips', '?')} round trips, "
           f"{info.get('ipc_messages', '?')} messages per throughput run; stress-ng "
           f"{info.get('stress_seconds', '?')} s per stressor",
           f"- module {info.get('module', '?')}: buffer {info.get('buffer_records', '?')} records per CPU "
           f"(default), wait_sites={info.get('wait_sites_default', '?')} by default; "
           f"ftrace buffer: {info.get('ftrace_buffer_kb', '?')} KiB per CPU (default)",
           "",
           "Everything below was measured in one boot, the configurations interleaved",
           "round by round (the order rotates, and the module-loaded and unloaded",
           "halves alternate which goes first).  \"No tracer\" is measured with the",
           "module unloaded (rmmod: no probe attached).  Under TCG a context switch",
           "costs roughly 100 times what it costs on hardware: read the ratios, not",
           "the absolute numbers.  Raw data: `raw/`.\n",
           "![overhead](overhead.svg)\n",
           "![IPC latency](ipc.svg)\n"]
    targets(cells, out)
    overhead_tables(cells, out)
    loss_table(cells, out)
    feature_table(cells, out)
    ipc_tables(ipc, ipcm, perfpipe, stress, out)
    out.append("### Thread pools: ours vs GLib's GThreadPool\n")
    pool = os.path.join(a.raw, "pool.txt")
    out.append("```")
    out.append(open(pool).read().rstrip() if os.path.exists(pool) else "no pool results")
    out.append("```\n")
    with open(os.path.join(a.results, "results.md"), "w") as f:
        f.write("\n".join(out) + "\n")
    with open(os.path.join(a.results, "summary.md"), "w") as f:
        f.write("\n".join(summary(cells, ipc, perfpipe)) + "\n")
    overhead_svg(cells, os.path.join(a.results, "overhead.svg"),
                 "Tracing overhead, one boot (Debian 6.1 under QEMU TCG)")
    ipc_svg(ipc, perfpipe, os.path.join(a.results, "ipc.svg"),
            "ipclab bench: round-trip latency per mechanism (module unloaded)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
