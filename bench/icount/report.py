#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench/icount/report.py RAW RESULTS [--elapsed TEXT]

Turns what bench/icount/run collected (RAW/bootK/: the plugin's counts
plugin.txt, the guest's windows.csv, profile.txt, kallsyms.txt, loss.csv,
...) into RESULTS/icount.md and copies the raw files, the block profiles
compressed, into RESULTS/raw/icount/bootK/.  Python standard library only.
Never fails on a number: a missing one is "n/a".
"""
import argparse
import bisect
import collections
import csv
import gzip
import os
import re
import shutil
import statistics
import sys

NAMES = {
    "none": "no tracer (module unloaded)",
    "mod": "module loaded, no reader",
    "reader": "module + one reader draining everything (ts_drain, wait sites: the default)",
    "reader-nosite": "module + one reader draining everything, --no-wait-site (no stack unwind)",
    "ftrace": "ftrace, same events, trace_pipe drained",
    "perf": "perf record -a -e 'sched:*'",
    "bpftrace": "bpftrace, same tracepoints, one line per event",
    "follow1": "module + one session following another (sleeping) process",
    "sessions": "module + 32 sessions whose filters all reject",
}
ORDER = ["none", "mod", "reader", "reader-nosite", "ftrace", "perf", "bpftrace", "follow1", "sessions"]


def med(v):
    return statistics.median(v) if v else None


def spread(v):
    m = med(v)
    return (max(v) - min(v)) / abs(m) * 100 if v and m else None


def f(v, spec=",.0f"):
    return "n/a" if v is None else format(v, spec)


class Boot:
    def __init__(self, d):
        self.dir = d
        self.totals = {}        # window -> instructions, every vCPU
        self.kernel = {}
        for line in open(os.path.join(d, "plugin.txt")):
            kv = dict(p.split("=") for p in line.split())
            w = int(kv["window"])
            self.totals[w] = self.totals.get(w, 0) + int(kv["total"])
            self.kernel[w] = self.kernel.get(w, 0) + int(kv["kernel"])
        self.rows = list(csv.DictReader(open(os.path.join(d, "windows.csv"))))
        self.info = open(os.path.join(d, "info.txt")).read()

    def windows(self, config, param=None):
        return [int(r["window"]) for r in self.rows if r["config"] == config
                and (param is None or r["param"] == str(param))]

    def counts(self, config, param=None):
        return [self.totals[w] for w in self.windows(config, param) if w in self.totals]

    def events(self, config="mod"):
        return [int(r["events"]) for r in self.rows
                if r["config"] == config and int(r["events"]) > 0]

    def divisor(self):
        return med(self.events("mod"))

    def per_event(self, config, param=None, base="none"):
        """Per round: (window - median of base) / workload events."""
        d, b = self.divisor(), med(self.counts(base))
        if not d or b is None:
            return []
        return [(c - b) / d for c in self.counts(config, param)]

    def module_share(self, config="mod"):
        """Instructions per workload event inside the module's text, and in
        its top functions (against none), from the block profile."""
        prof = os.path.join(self.dir, "profile.txt")
        syms = os.path.join(self.dir, "kallsyms.txt")
        if not (os.path.exists(prof) and os.path.exists(syms)):
            return None, []
        addrs, names = [], []
        for line in open(syms):
            p = line.split()
            if len(p) >= 3 and p[1] in "tTwW" and int(p[0], 16):
                addrs.append(int(p[0], 16))
                names.append(p[2] + (" " + p[3] if len(p) > 3 else ""))
        order = sorted(range(len(addrs)), key=addrs.__getitem__)
        addrs = [addrs[i] for i in order]
        names = [names[i] for i in order]
        plus, minus = set(self.windows(config)), set(self.windows("none"))
        if not plus or not minus:
            return None, []
        by = collections.Counter()
        for line in open(prof):
            w, a, n = line.split()
            w = int(w)
            if w in plus or w in minus:
                i = bisect.bisect_right(addrs, int(a, 16)) - 1
                nm = names[i] if i >= 0 else "?"
                by[nm] += int(n) / len(plus) if w in plus else -int(n) / len(minus)
        d = self.divisor() or 1
        mod = sum(v for k, v in by.items() if k.endswith("[taskstate]"))
        top = sorted(by.items(), key=lambda kv: -abs(kv[1]))[:15]
        return mod / d, [(k, v / d) for k, v in top]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw")
    ap.add_argument("results")
    ap.add_argument("--elapsed", default="")
    a = ap.parse_args()
    boots = []
    for d in sorted(os.listdir(a.raw)):
        if re.fullmatch(r"boot\d+", d) and os.path.exists(os.path.join(a.raw, d, "plugin.txt")):
            boots.append((d, Boot(os.path.join(a.raw, d))))
    if not boots:
        sys.exit("report.py: no boot*/plugin.txt in %s" % a.raw)
    o = []
    b0 = boots[0][1]
    rounds = len(b0.counts("mod"))
    o.append("## Guest instructions per workload event (repeatable)\n")
    o.append("Method: QEMU TCG with `-icount shift=3,sleep=off`, one vCPU, the plugin "
             "`bench/icount/icount.so` counting every guest instruction (user and kernel, "
             "all processes, the tracer's own included) between two markers that "
             "`bench/pingpong` executes around its loop of %s pipe round trips pinned "
             "to CPU 0 (no fork, exec or 9p I/O counted).  Cost per workload event = "
             "(window - median window with no tracer) / the events the module counts "
             "in the window with no reader (%s).  Median of %d rounds per boot; spread = "
             "(max - min) / median of the per-event cost.  %s\n"
             % (re.search(r"loops=(\d+)", b0.info).group(1) if re.search(r"loops=(\d+)", b0.info) else "?",
                ", ".join("%s: %s" % (n, f(b.divisor())) for n, b in boots), rounds, a.elapsed))
    hdr = "| configuration |" + "".join(" %s: instr./event (spread) | whole window (spread) |" % n for n, _ in boots)
    o.append(hdr)
    o.append("|---|" + "---:|---:|" * len(boots))
    for c in ORDER:
        if not b0.counts(c):
            continue
        row = "| %s |" % NAMES[c]
        for _, b in boots:
            pe, cnt = b.per_event(c), b.counts(c)
            row += " %s (%s) | %s (%s) |" % (
                f(med(pe), ",.1f") if c != "none" else "0",
                f(spread(pe), ".1f") + "%" if c != "none" else "-",
                f(med(cnt)), f(spread(cnt), ".2f") + "%")
        o.append(row)
    o.append("")

    # Ratios and targets.
    o.append("### Targets\n")
    o.append("| target | " + " | ".join(n for n, _ in boots) + " | reached |")
    o.append("|---|" + "---:|" * len(boots) + "---|")

    def row(name, fn, ok):
        vals = [fn(b) for _, b in boots]
        if ok is None:	# reported, no target
            o.append("| %s | %s | - |" % (name, " | ".join(
                "n/a" if v is None else format(v, ",d") if isinstance(v, int) else f(v, ",.2f")
                for v in vals)))
            return
        if all(v is None for v in vals):	# not run (--quick has no loss test)
            o.append("| %s | %s | not run |" % (name, " | ".join("n/a" for _ in vals)))
            return
        good = all(v is not None and ok(v) for v in vals)
        o.append("| %s | %s | %s |" % (name, " | ".join(v if isinstance(v, str) else
                                                   format(v, ",d") if isinstance(v, int) else f(v, ",.2f")
                                                   for v in vals),
                                        "yes" if good else "**no**"))

    def pe(b, c, p=None):
        return med(b.per_event(c, p))

    def ratio(x, y):
        return None if x is None or not y else x / y

    row("module, no reader: instructions per event (<= 100)", lambda b: pe(b, "mod"), lambda v: v <= 100)
    row("reader / ftrace (<= 0.5)", lambda b: ratio(pe(b, "reader"), pe(b, "ftrace")), lambda v: v <= 0.5)
    row("reader --no-wait-site / ftrace (ftrace records no stack; not the target)",
        lambda b: ratio(pe(b, "reader-nosite"), pe(b, "ftrace")), lambda v: v <= 0.5)
    row("reader / perf record (report)", lambda b: ratio(pe(b, "reader"), pe(b, "perf")), None)
    row("reader / bpftrace (report)", lambda b: ratio(pe(b, "reader"), pe(b, "bpftrace")), None)
    row("one session following another process - no reader (<= 20)",
        lambda b: None if pe(b, "follow1") is None or pe(b, "mod") is None else pe(b, "follow1") - pe(b, "mod"),
        lambda v: v <= 20)
    row("32 rejecting sessions / one session (<= 1.2)",
        lambda b: ratio(pe(b, "sessions"), pe(b, "follow1")), lambda v: v <= 1.2)
    idle_ns = sorted({int(r["param"]) for r in b0.rows if r["config"] == "idle"})

    def idle_spread(b):
        v = [pe(b, "idle", n) for n in idle_ns]
        if None in v or not v:
            return None
        return (max(v) - min(v)) / min(v) * 100
    row("idle live tasks %s: (max - min) / min of the per-event cost, %% (<= 5)"
        % "/".join(str(n) for n in idle_ns), idle_spread, lambda v: v <= 5)

    def lost(b, reader):
        p = os.path.join(b.dir, "loss.csv")
        if not os.path.exists(p):
            return None
        rows = [r for r in csv.DictReader(open(p)) if r.get("reader", "default") == reader]
        return sum(int(r["lost"]) for r in rows) if rows else None
    row("lost events, messaging + fork storm, reader at SCHED_FIFO (0)",
        lambda b: lost(b, "fifo"), lambda v: v == 0)
    row("lost events, messaging + fork storm, reader at the default policy (report)",
        lambda b: lost(b, "default"), None)
    o.append("")

    o.append("### Idle live tasks and reading /proc/taskstate/tasks\n")
    o.append("| idle tasks | " + " | ".join("%s: no reader, instr./event | %s: read /proc/taskstate/tasks: instructions (lines)" % (n, n) for n, _ in boots) + " |")
    o.append("|---:|" + "---:|---:|" * len(boots))
    lines = {}
    for n, b in boots:
        p = os.path.join(b.dir, "tasks-lines.txt")
        if os.path.exists(p):
            for line in open(p):
                _, k, v = line.strip().split(",")
                lines[(n, int(k))] = int(v)
    for k in idle_ns:
        cells = []
        for n, b in boots:
            cells.append("%s (%s)" % (f(pe(b, "idle", k), ",.1f"), f(spread(b.per_event("idle", k)), ".1f") + "%"))
            cells.append("%s (%s)" % (f(med(b.counts("tasks-read", k))), f(lines.get((n, k)), "d")))
        o.append("| %d | %s |" % (k, " | ".join(cells)))
    slopes = []
    for n, b in boots:
        if len(idle_ns) >= 2:
            k0, k1 = idle_ns[-2], idle_ns[-1]
            c0, c1 = med(b.counts("tasks-read", k0)), med(b.counts("tasks-read", k1))
            l0, l1 = lines.get((n, k0)), lines.get((n, k1))
            if None not in (c0, c1, l0, l1) and l1 != l0:
                slopes.append("%s: %s instructions per task (between %d and %d idle tasks)"
                              % (n, f((c1 - c0) / (l1 - l0), ",.0f"), k0, k1))
    o.append("")
    if slopes:
        o.append("Reading /proc/taskstate/tasks: " + "; ".join(slopes) + ".\n")

    o.append("### Where the module's no-reader instructions go (%s, from the block profile)\n" % boots[0][0])
    share, top = b0.module_share("mod")
    if share is not None:
        o.append("Inside the module's text: %.1f instructions per workload event; the rest of the "
                 "difference is the kernel's tracepoint calls and what the module calls.\n" % share)
        o.append("| function | instructions per workload event (mod - none) |")
        o.append("|---|---:|")
        for k, v in top:
            o.append("| `%s` | %.1f |" % (k, v))
        o.append("")

    o.append("### Lost events, default buffers (one reader draining everything, 2 vCPUs)\n")
    o.append("The reader at the default policy, then at SCHED_FIFO 50 (`ts_drain --realtime 50`, as `perf record -r 50`).\n")
    o.append("| boot | workload | reader | produced | delivered | lost |")
    o.append("|---|---|---|---:|---:|---:|")
    for n, b in boots:
        p = os.path.join(b.dir, "loss.csv")
        if os.path.exists(p):
            for r in csv.DictReader(open(p)):
                o.append("| %s | %s | %s | %s | %s | %s |" % (n, r["workload"], r.get("reader", "default"),
                                                          r["produced"], r["delivered"], r["lost"]))
    o.append("")
    o.append("Exact commands: `raw/icount/boot1/commands.txt` and `vm-run.txt`; per-window data: "
             "`windows.csv` (what each window was) and `plugin.txt` (the plugin's counts).\n")

    os.makedirs(a.results, exist_ok=True)
    with open(os.path.join(a.results, "icount.md"), "w") as out:
        out.write("\n".join(o))
    dst = os.path.join(a.results, "raw", "icount")
    shutil.rmtree(dst, ignore_errors=True)
    for n, b in boots:
        os.makedirs(os.path.join(dst, n))
        for fn in os.listdir(b.dir):
            src = os.path.join(b.dir, fn)
            if fn in ("profile.txt", "kallsyms.txt"):
                with open(src, "rb") as i, gzip.open(os.path.join(dst, n, fn + ".gz"), "wb") as g:
                    shutil.copyfileobj(i, g)
            elif os.path.isfile(src):
                shutil.copy(src, os.path.join(dst, n, fn))
    print("\n".join(o))


if __name__ == "__main__":
    main()
