#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench/startup/steps.py RUNS < lines

Reads ckvm-run's CKVM_RUN_TIMING=1 output, each line prefixed with the
guest's name ("empty" or "demo"), and prints a Markdown table of the median
time of each step per guest, and of main() to exit() in all.
"""
import re
import statistics
import sys

LINE = re.compile(r'(\w+) ckvm-run: timing: +([\d.]+) ms  (.+?) +\(\+([\d.]+) ms\)')
END = 'teardown left to a child'


def main():
    runs = sys.argv[1] if len(sys.argv) > 1 else '?'
    order, val = [], {}
    for line in sys.stdin:
        m = LINE.match(line)
        if not m:
            continue
        guest, at, what, step = m.group(1), float(m.group(2)), m.group(3), float(m.group(4))
        if what not in order:
            order.append(what)
        val.setdefault((guest, what), []).append(step)
        if what == END:
            val.setdefault((guest, 'total'), []).append(at)
    if not order:
        sys.exit('steps.py: no CKVM_RUN_TIMING lines')

    def med(guest, what):
        v = val.get((guest, what))
        return '%.3f' % statistics.median(v) if v else 'n/a'

    print('| step (ckvm-run, CKVM_RUN_TIMING=1) | empty guest, median ms | demo guest, median ms |')
    print('|---|---:|---:|')
    for w in order:
        print('| %s | %s | %s |' % (w, med('empty', w), med('demo', w)))
    print('| main() to exit(), all steps | %s | %s |' % (med('empty', 'total'), med('demo', 'total')))
    print('(%s runs of each guest, in turn; the process start before main() and its exit '
          'after exit() are not included)' % runs)


if __name__ == '__main__':
    main()
