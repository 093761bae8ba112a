#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Instructions per exit, counted with valgrind --tool=callgrind.

    callgrind.py BUILD_DIR [--n1 N] [--n2 N]

Runs bench_exits (pio and mmio, each variant alone) under callgrind twice,
with N1 and N2 exits, and reports per exit (N2 - N1 difference, so set-up
and warm-up cancel out):
  - instructions executed inside libckvm.so (the library's own code),
    with the per-function split;
  - all user-space instructions of the process (library + libc + loop).
Prints JSON lines in bench.h's format on stdout; details on stderr.
Instruction counts do not depend on machine load, so this figure is
repeatable on a noisy machine.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict


def parse(path):
    """Self cost (Ir) per (object, function)."""
    names = {"ob": {}, "fn": {}}
    cost = defaultdict(int)
    ob = fn = None
    skip_next = False
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"^(ob|fn|cob|cfn|fl|fi|fe|cfi|cfl)=(?:\((\d+)\))?\s*(.*)$", line)
            if m:
                kind, num, name = m.groups()
                base = "ob" if kind in ("ob", "cob") else "fn" if kind in ("fn", "cfn") else None
                if base and num is not None:
                    if name:
                        names[base][num] = name
                    name = names[base].get(num, name)
                if kind == "ob":
                    ob = name
                elif kind == "fn":
                    fn = name
                continue
            if line.startswith("calls="):
                skip_next = True
                continue
            if line and (line[0].isdigit() or line[0] in "+-*"):
                if skip_next:
                    skip_next = False
                    continue
                parts = line.split()
                if len(parts) >= 2:
                    cost[(ob, fn)] += int(parts[1])
    return cost


def run(build, kind, variant, n, exe="bench_exits"):
    exe = os.path.join(build, "bench", exe)
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "cg.out")
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
               exe, "--only", kind, "--variant", variant, "--reps", "1", "--count", str(n)]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            sys.stderr.write(p.stderr[-3000:])
            raise SystemExit("callgrind run failed: " + " ".join(cmd))
        return parse(out)


def emit(bench, metric, variant, unit, v):
    print(json.dumps({"bench": bench, "metric": metric, "variant": variant, "unit": unit,
                      "values": [v], "median": v, "min": v, "max": v}))


def main():
    build = sys.argv[1]
    n1, n2 = 2000, 12000
    args = sys.argv[2:]
    while args:
        if args[0] == "--n1":
            n1 = int(args[1]); args = args[2:]
        elif args[0] == "--n2":
            n2 = int(args[1]); args = args[2:]
        else:
            raise SystemExit("usage: callgrind.py BUILD [--n1 N] [--n2 N]")
    for kind in ("pio", "mmio"):
        for variant in ("raw", "ckvm"):
            c1 = run(build, kind, variant, n1)
            c2 = run(build, kind, variant, n2)
            keys = set(c1) | set(c2)
            per = {k: (c2.get(k, 0) - c1.get(k, 0)) / (n2 - n1) for k in keys}
            lib = {k: v for k, v in per.items() if k[0] and "libckvm" in k[0]}
            total = sum(per.values())
            libtotal = sum(lib.values())
            sys.stderr.write("callgrind %s/%s: %.1f user-space instructions per exit, "
                             "%.1f in libckvm\n" % (kind, variant, total, libtotal))
            for (ob, fn), v in sorted(lib.items(), key=lambda kv: -kv[1]):
                if v >= 0.5:
                    sys.stderr.write("    %8.1f  %s\n" % (v, fn))
            emit("callgrind", kind, variant + ": all user space", "instr/exit", round(total, 1))
            if variant == "ckvm":
                emit("callgrind", kind, "ckvm: inside libckvm", "instr/exit", round(libtotal, 1))
                split = ", ".join("%s %.0f" % (fn, v) for (ob, fn), v in
                                  sorted(lib.items(), key=lambda kv: -kv[1]) if v >= 0.5)
                print(json.dumps({"bench": "callgrind", "note": "split-" + kind, "value": split}))
    # VM lifecycle: instructions inside libckvm per create..destroy cycle.
    c1 = run(build, "rate", "ckvm", 20, "bench_lifecycle")
    c2 = run(build, "rate", "ckvm", 120, "bench_lifecycle")
    keys = set(c1) | set(c2)
    per = {k: (c2.get(k, 0) - c1.get(k, 0)) / 100.0 for k in keys}
    lib = {k: v for k, v in per.items() if k[0] and "libckvm" in k[0]}
    libtotal = sum(lib.values())
    sys.stderr.write("callgrind lifecycle/ckvm: %.1f instructions per cycle in libckvm\n" % libtotal)
    emit("callgrind", "lifecycle", "ckvm: inside libckvm", "instr/cycle", round(libtotal, 1))
    split = ", ".join("%s %.0f" % (fn, v) for (ob, fn), v in
                      sorted(lib.items(), key=lambda kv: -kv[1]) if v >= 0.5)
    print(json.dumps({"bench": "callgrind", "note": "split-lifecycle", "value": split}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
