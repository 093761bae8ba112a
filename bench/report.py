#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write BENCHMARKS.md from the JSON lines the benchmarks printed.

    report.py --results DIR --out BENCHMARKS.md --command "bench/run ..." \
              [--section NAME=FILE.md ...]

DIR holds one NAME.jsonl per benchmark (exits, regs, lifecycle, dirty,
callgrind). BENCHMARKS.md is made of sections between
<!-- BEGIN name --> and <!-- END name --> markers. This script rewrites the
header and the sections of the benchmarks whose results it has, and the
sections given with --section (markdown written by another benchmark's own
runner, e.g. startup and snapshot). Every other section of an existing file
is kept as it is, in its place.
"""
import argparse
import datetime
import json
import os
import platform
import re
import subprocess

OWN = ["summary", "exits", "regs", "lifecycle", "dirty", "callgrind"]
ORDER = OWN + ["startup", "snapshot"]


def load(results):
    data = {}
    for name in OWN[1:]:
        path = os.path.join(results, name + ".jsonl")
        if not os.path.exists(path):
            continue
        rows, notes = [], {}
        for line in open(path):
            line = line.strip()
            if not line.startswith("{"):
                continue
            o = json.loads(line)
            if "note" in o:
                notes[o["note"]] = o["value"]
            else:
                rows.append(o)
        data[name] = (rows, notes)
    return data


def find(rows, metric, variant):
    for r in rows:
        if r["metric"] == metric and r["variant"] == variant:
            return r
    return None


def fmt(x, unit=""):
    if x is None:
        return "n/a"
    a = abs(x)
    if unit == "x":
        s = "%.4f" % x
    elif a >= 1e6:
        s = "{:,.0f}".format(x)
    elif a >= 100:
        s = "{:,.0f}".format(x)
    elif a >= 10:
        s = "%.1f" % x
    else:
        s = "%.2f" % x
    return s


def cell(r):
    if not r:
        return "n/a"
    u = r["unit"]
    if r["min"] == r["max"]:
        return "%s" % fmt(r["median"], u)
    return "%s [%s, %s]" % (fmt(r["median"], u), fmt(r["min"], u), fmt(r["max"], u))


def table(rows, header, lines):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for l in lines:
        out.append("| " + " | ".join(l) + " |")
    return "\n".join(out)


def sec_exits(rows, notes, verdicts):
    out = ["## Exit round trip: `ckvm_vcpu_run` + decode vs raw `ioctl(KVM_RUN)`", ""]
    out.append("A CPL3 guest exits once per loop iteration (`out %%eax, $0x10`, or a 4-byte write "
               "to an unmapped GPA for MMIO). Both loops drive the same vCPU in alternating "
               "blocks of 1,000 exits and do the same handler work (check the exit, read the "
               "data byte). %s. Figures are per exit; *thread CPU* is "
               "`CLOCK_THREAD_CPUTIME_ID` (guest time included), which other processes on "
               "this shared 2-core machine do not inflate; *wall* is `CLOCK_MONOTONIC`."
               % notes.get("count", ""))
    out.append("")
    lines = []
    for kind in ("pio", "mmio"):
        for clock, suffix in (("thread CPU", ", thread CPU"), ("wall", "")):
            raw = find(rows, kind, "raw ioctl(KVM_RUN)" + suffix)
            ck = find(rows, kind, "ckvm_vcpu_run+decode" + suffix)
            ratio = find(rows, kind, "ratio ckvm/raw" + suffix)
            if not raw:
                continue
            ok = ratio and ratio["median"] <= 1.01
            lines.append([kind.upper(), clock, cell(raw), cell(ck), cell(ratio),
                          "met" if ok else "**missed**"])
            verdicts.append(("Exit round trip %s (%s), ratio ckvm/raw" % (kind.upper(), clock),
                             "<= 1.01", fmt(ratio["median"], "x") if ratio else "n/a",
                             "met" if ok else "missed"))
    out.append(table(rows, ["exit", "clock", "raw ns/exit", "ckvm ns/exit", "ratio ckvm/raw",
                            "target <= 1.01"], lines))
    out.append("")
    diffs = []
    for kind in ("pio", "mmio"):
        raw = find(rows, kind, "raw ioctl(KVM_RUN), thread CPU")
        ck = find(rows, kind, "ckvm_vcpu_run+decode, thread CPU")
        if raw and ck:
            diffs.append("%s %+.0f ns" % (kind.upper(), ck["median"] - raw["median"]))
    out.append("Ratios are computed per run (median [min, max] of the runs). The thread-CPU "
               "difference per exit (ckvm minus raw, medians: %s) is a fraction of a percent "
               "of an exit, which costs tens of microseconds on this PVM host. callgrind "
               "counts about 100 instructions of ckvm's own code per exit (see *Instructions "
               "per exit* below), which explains a few tens of nanoseconds; the rest is not "
               "explained by instruction counts (likely cache effects: the decoder fills a "
               "`struct ckvm_exit` and reads more of the kvm_run page, through a call into "
               "the shared library). "
               "Wall-clock figures also carry the load of other processes on this shared "
               "machine." % (", ".join(diffs) or "n/a"))
    return out


def sec_regs(rows, notes, verdicts):
    out = ["## Register access in an exit handler: sync regs vs GET/SET_REGS", ""]
    out.append("On every port-I/O exit the handler reads rax and writes rax + 1 back: with "
               "`ioctl(KVM_GET_REGS)` + `ioctl(KVM_SET_REGS)`, or with "
               "`ckvm_vcpu_get_regs`/`ckvm_vcpu_set_regs` after "
               "`ckvm_vcpu_set_sync_valid_reg(vcpu, KVM_SYNC_X86_REGS)` (the kvm_run page, no "
               "ioctl). *none* is the same exit without register access. All three drive the "
               "same vCPU in alternating blocks of 1,000 exits; at the end the guest's rax must "
               "equal the number of handled exits. %s." % notes.get("count", ""))
    out.append("")
    lines = []
    for metric in ("round trip, thread CPU", "round trip, wall"):
        for v in ("none", "ioctl GET/SET_REGS", "ckvm sync regs"):
            r = find(rows, metric, v)
            if r:
                lines.append([metric, v, cell(r) + " ns"])
    for metric in ("access cost (minus none), CPU", "handler time (rdtsc)"):
        for v in ("ioctl GET/SET_REGS", "ckvm sync regs"):
            r = find(rows, metric, v)
            if r:
                lines.append([metric, v, cell(r) + " ns"])
    out.append(table(rows, ["per exit", "variant", "median [min, max]"], lines))
    out.append("")
    lines = []
    for v, what in (("access cost", "register-access cost per exit (round trip minus *none*, thread CPU)"),
                    ("handler time", "handler time per exit (rdtsc around get + set)"),
                    ("whole round trip", "whole round trip per exit (thread CPU)")):
        r = find(rows, "speed-up sync vs ioctl", v)
        if not r:
            continue
        target = v != "whole round trip"
        ok = r["median"] >= 1.5
        lines.append([what, cell(r) + "x", ("met" if ok else "**missed**") if target else "(see below)"])
        if target:
            verdicts.append(("Sync regs vs GET/SET_REGS, %s" % v, ">= 1.5x faster",
                             fmt(r["median"], "x") + "x", "met" if ok else "missed"))
    out.append(table(rows, ["sync regs speed-up over GET/SET_REGS", "median [min, max]",
                            "target >= 1.5x"], lines))
    out.append("")
    rt = find(rows, "speed-up sync vs ioctl", "whole round trip")
    if rt:
        out.append("The target is read as the cost of the register access per exit, which the "
                   "fast path cuts by the factor above. The whole round trip gains less "
                   "(%sx) because on this PVM host the exit itself (*none*) costs tens of "
                   "microseconds; the round-trip speed-up is bounded by (none + ioctl access) / "
                   "(none + sync access). The sync path's cost includes KVM's copy of the "
                   "registers to the run page on every exit and back on entry."
                   % fmt(rt["median"], "x"))
    return out


def sec_lifecycle(rows, notes, verdicts):
    out = ["## VM lifecycle: create, memory, vCPU, run to HLT, destroy", ""]
    out.append("Each cycle creates a VM, a 4 KiB memory slot at 0xfffff000 holding `hlt` at the "
               "reset vector, one vCPU (with its kvm_run mapping), runs it until the HLT exit "
               "(real mode, from the reset state, no register set-up) and destroys everything. "
               "The raw variant makes the ioctls itself; the ckvm variant uses "
               "`ckvm_create_vm`, `ckvm_vm_set_user_memory_region`, `ckvm_vm_create_vcpu`, "
               "`ckvm_vcpu_run`, `ckvm_vcpu_close`, `ckvm_vm_close`. They alternate in blocks "
               "of 50 cycles. %s." % notes.get("count", ""))
    out.append("")
    lines = []
    for metric, clock in (("cycles per second, thread CPU", "thread CPU"),
                          ("cycles per second, wall", "wall")):
        raw = find(rows, metric, "raw ioctls")
        ck = find(rows, metric, "ckvm")
        ratio = find(rows, metric, "ratio ckvm/raw")
        if not raw:
            continue
        ok = ratio and ratio["median"] >= 0.98
        lines.append([clock, cell(raw), cell(ck), cell(ratio), "met" if ok else "**missed**"])
        verdicts.append(("VM lifecycle (%s), ratio ckvm/raw" % clock, ">= 0.98",
                         fmt(ratio["median"], "x") if ratio else "n/a", "met" if ok else "missed"))
    out.append(table(rows, ["clock", "raw cycles/s", "ckvm cycles/s", "ratio ckvm/raw",
                            "target >= 0.98"], lines))
    out.append("")
    out.append("Wall-clock rates are lower and much noisier than thread-CPU rates: VM creation "
               "and destruction also wait on the kernel and, on this shared machine, on other "
               "processes. ckvm adds a handful of cheap syscalls per cycle "
               "(KVM_GET_VCPU_MMAP_SIZE and KVM_CHECK_EXTENSION to cache limits, "
               "F_SETFD for FD_CLOEXEC), each about 0.1-0.2 us against a cycle of several "
               "hundred microseconds.")
    g = notes.get("growth")
    if g:
        out.append("")
        out.append("**Growth check:** %s." % g)
        fds = find(rows, "growth over the cycles", "open fds")
        maps = find(rows, "growth over the cycles", "mappings")
        heap = find(rows, "growth over the cycles", "heap in use")
        ok = all(r and r["median"] == 0 for r in (fds, maps, heap))
        verdicts.append(("VM lifecycle: fd, mapping and heap growth over the growth cycles",
                         "none", "%s fds, %s maps, %s bytes" % tuple(
                             fmt(r["median"]) if r else "n/a" for r in (fds, maps, heap)),
                         "met" if ok else "missed"))
        rss = find(rows, "growth over the cycles", "RSS")
        if rss:
            out.append("RSS moved by %s KiB (page-cache and allocator noise; the heap-in-use and "
                       "mapping counts are the exact measures)." % fmt(rss["median"]))
    return out


def sec_dirty(rows, notes, verdicts):
    out = ["## Dirty tracking: bitmap vs dirty ring", ""]
    out.append("Guest: %s. After each pass of the guest (CPL3) over its pages the host "
               "harvests: *bitmap* = `ckvm_vm_get_dirty_log` + counting bits + "
               "`ckvm_vm_clear_dirty_log` (manual protect); *dirty ring* = "
               "`ckvm_vcpu_dirty_ring_harvest` until empty + `ckvm_vm_reset_dirty_rings` "
               "(65,536-entry ring). The first pass is a warm-up." % notes.get("guest", ""))
    out.append("")
    lines = []
    for v in ("bitmap get+clear", "dirty ring"):
        found = find(rows, "pages found per pass", v)
        t = find(rows, "harvest time per pass", v)
        rate = find(rows, "harvest rate, wall", v)
        ratec = find(rows, "harvest rate, thread CPU", v)
        if found:
            lines.append([v, cell(found), cell(t), cell(rate), cell(ratec)])
            verdicts.append(("Dirty harvest, %s" % v, "report pages/s",
                             fmt(rate["median"]) + " pages/s", "reported"))
    out.append(table(rows, ["method", "pages found per pass", "harvest time (us)",
                            "pages/s (wall)", "pages/s (thread CPU)"], lines))
    out.append("")
    out.append("Both methods must find every page the guest wrote (the benchmark fails "
               "otherwise). The bitmap cost grows with the slot size (32 KiB of bitmap per "
               "GiB, read and cleared whole); the ring's with the number of dirty pages.")
    return out


def sec_callgrind(rows, notes, verdicts):
    out = ["## Instructions per exit (callgrind)", ""]
    out.append("`valgrind --tool=callgrind` over `bench_exits` with two exit counts; the "
               "difference divided by the difference in exits cancels set-up and warm-up. "
               "Instruction counts do not depend on machine load. *inside libckvm* is the "
               "library's own code (self cost of functions in libckvm.so); *all user space* "
               "adds libc's `ioctl` wrapper and the benchmark's loop.")
    out.append("")
    lines = []
    for kind in ("pio", "mmio"):
        raw = find(rows, kind, "raw: all user space")
        ck = find(rows, kind, "ckvm: all user space")
        lib = find(rows, kind, "ckvm: inside libckvm")
        if raw:
            lines.append([kind.upper(), cell(lib), cell(ck), cell(raw),
                          notes.get("split-" + kind, "")])
    out.append(table(rows, ["exit", "inside libckvm", "ckvm: all user space",
                            "raw loop: all user space", "libckvm split"], lines))
    lc = find(rows, "lifecycle", "ckvm: inside libckvm")
    if lc:
        out.append("")
        out.append("VM lifecycle: %s instructions inside libckvm per cycle (%s)."
                   % (fmt(lc["median"]), notes.get("split-lifecycle", "")))
    for kind in ("pio", "mmio"):
        lib = find(rows, kind, "ckvm: inside libckvm")
        if lib:
            verdicts.append(("Instructions in libckvm per %s exit (callgrind)" % kind.upper(),
                             "report", fmt(lib["median"]), "reported"))
    return out


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    kvm = "kvm_pvm" if os.path.exists("/sys/module/kvm_pvm") else (
        "kvm_intel" if os.path.exists("/sys/module/kvm_intel") else (
            "kvm_amd" if os.path.exists("/sys/module/kvm_amd") else "?"))
    return "%s, %d CPUs, Linux %s, /dev/kvm from %s" % (cpu, os.cpu_count() or 0,
                                                       platform.release(), kvm)


def split_sections(text):
    """[(name or None, text)] keeping order; None = text outside markers."""
    parts = []
    pos = 0
    for m in re.finditer(r"<!-- BEGIN (\S+) -->\n(.*?)<!-- END \1 -->\n?", text, re.S):
        if m.start() > pos:
            parts.append((None, text[pos:m.start()]))
        parts.append((m.group(1), m.group(2)))
        pos = m.end()
    if pos < len(text):
        parts.append((None, text[pos:]))
    return parts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--command", required=True)
    ap.add_argument("--section", action="append", default=[])
    a = ap.parse_args()

    data = load(a.results)
    new = {}
    verdicts = []
    builders = {"exits": sec_exits, "regs": sec_regs, "lifecycle": sec_lifecycle,
                "dirty": sec_dirty, "callgrind": sec_callgrind}
    for name in OWN[1:]:
        if name in data:
            rows, notes = data[name]
            new[name] = "\n".join(builders[name](rows, notes, verdicts)) + "\n"
    for s in a.section:
        name, path = s.split("=", 1)
        new[name] = open(path).read().rstrip("\n") + "\n"

    old = open(a.out).read() if os.path.exists(a.out) else ""
    parts = split_sections(old)
    have = {n for n, _ in parts if n}

    if verdicts or "summary" not in have:
        try:
            rev = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                                 text=True).stdout.strip()
        except OSError:
            rev = "?"
        s = ["Generated by `%s` on %s (commit %s)." % (
            a.command, datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), rev),
            "", "Machine: %s." % machine(), "",
            "Build: `meson setup --buildtype=release` (`-O3`). Every figure is the median of "
            "the repeated runs given in its section, with [min, max]; every ratio is taken "
            "against a baseline measured in the same run, interleaved with it.", ""]
        if verdicts:
            s.append(table(None, ["target", "wanted", "measured (median)", "verdict"],
                           [list(v) for v in verdicts]))
            s.append("")
        new["summary"] = "\n".join(s)

    out = []
    seen = set()
    if not old:
        out.append("# ckvm benchmarks\n\n")
    for name, body in parts:
        if name is None:
            out.append(body)
            continue
        seen.add(name)
        out.append("<!-- BEGIN %s -->\n%s<!-- END %s -->\n" % (name, new.get(name, body), name))
    for name in ORDER + sorted(new):
        if name in new and name not in seen:
            seen.add(name)
            if out and not "".join(out).endswith("\n\n"):
                out.append("\n")
            out.append("<!-- BEGIN %s -->\n%s<!-- END %s -->\n" % (name, new[name], name))
    text = "".join(out)
    with open(a.out, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
