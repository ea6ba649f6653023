#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""attribute.py: icount.so's per-block kernel profile, by function.

usage: attribute.py PROFILE KALLSYMS [--window K[,K...]] [--minus K[,K...]]
                    [--per N] [--top N]

PROFILE is icount.so's profile=FILE ("window 0xaddr instructions" lines),
KALLSYMS the guest's /proc/kallsyms of the same boot (read as root).  Prints
the instructions of the chosen windows (summed; minus the --minus windows,
each side averaged over its windows) per function, module functions marked
[module], biggest first, divided by --per (e.g. the workload's events).
A block is attributed to the function its first instruction is in.
"""
import argparse
import bisect
import collections
import sys


def load_syms(path):
    syms = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3 or parts[1] not in 'tTwW':
                continue
            addr = int(parts[0], 16)
            if not addr:
                continue
            name = parts[2]
            if len(parts) > 3:
                name += ' ' + parts[3]
            syms.append((addr, name))
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def windows(spec):
    return {int(w) for w in spec.split(',')} if spec else set()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('profile')
    ap.add_argument('kallsyms')
    ap.add_argument('--window', default='')
    ap.add_argument('--minus', default='')
    ap.add_argument('--per', type=float, default=1.0)
    ap.add_argument('--top', type=int, default=40)
    a = ap.parse_args()
    addrs, names = load_syms(a.kallsyms)
    if not addrs:
        sys.exit('attribute.py: no text symbols in %s (read it as root)' % a.kallsyms)
    plus, minus = windows(a.window), windows(a.minus)
    by = collections.Counter()
    with open(a.profile) as f:
        for line in f:
            w, addr, n = line.split()
            w = int(w)
            if plus and w not in plus and w not in minus:
                continue
            i = bisect.bisect_right(addrs, int(addr, 16)) - 1
            name = names[i] if i >= 0 else '?'
            if w in minus:
                by[name] -= int(n) / len(minus)
            else:
                by[name] += int(n) / (len(plus) or 1)
    total = sum(by.values())
    mod = sum(v for k, v in by.items() if k.endswith(']'))
    print('total %.1f  module %.1f  rest of the kernel %.1f  (per %g)'
          % (total / a.per, mod / a.per, (total - mod) / a.per, a.per))
    for name, v in sorted(by.items(), key=lambda kv: -abs(kv[1]))[:a.top]:
        print('%10.1f  %s' % (v / a.per, name))


if __name__ == '__main__':
    main()
