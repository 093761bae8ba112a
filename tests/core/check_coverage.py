#!/usr/bin/env python3
# check_coverage.py SOURCE_ROOT - checks the x86_64 core and vCPU sections of
# docs/coverage.md (system, VM, device, FAM helpers, vCPU, exits):
#  * every row has a kvm-ioctls cell, an ioctl cell, at least one ckvm
#    function that is declared in a public header (exits: a CKVM_EXIT_* kind
#    of ckvm/exit.h), and at least one test "file:function" whose file
#    exists and defines that function;
#  * every function the core and vCPU headers declare (system.h, vm.h,
#    device.h, fam.h, stats.h, names.h, common.h, vcpu.h, exit.h and all of
#    x86_64.h) appears in some row, and every exit kind in the exits table.
import os
import re
import sys

root = sys.argv[1]
errors = []


def read(path):
    with open(os.path.join(root, path)) as f:
        return f.read()


def declared(path, stop=None):
    text = read(path)
    if stop:
        text = text.split(stop)[0]
    flat = " ".join(text.split("\n"))
    return set(re.findall(r"CKVM_(?:API|INLINE)[^;{(]*?\b(ckvm_[a-z0-9_]+)\s*\(", flat))


headers = ["include/ckvm/system.h", "include/ckvm/vm.h", "include/ckvm/device.h",
           "include/ckvm/fam.h", "include/ckvm/stats.h", "include/ckvm/names.h",
           "include/ckvm/common.h"]
core = set()
for h in headers:
    core |= declared(h)
core |= declared("include/ckvm/x86_64.h")
core |= declared("include/ckvm/vcpu.h") | declared("include/ckvm/exit.h")
kinds = set(re.findall(r"^\s*(CKVM_EXIT_[A-Z0-9_]+)\b", read("include/ckvm/exit.h"), re.M))
kinds.discard("CKVM_EXIT_KIND_COUNT")
covered_kinds = set()
every = set()
for h in os.listdir(os.path.join(root, "include/ckvm")):
    if h.endswith(".h"):
        every |= declared("include/ckvm/" + h)

sections = ["## x86_64: system (`struct ckvm`)", "## x86_64: VM (`struct ckvm_vm`)",
            "## x86_64: device (`struct ckvm_device`)", "## FAM helpers",
            "## x86_64: vCPU (`struct ckvm_vcpu`)", "## x86_64: exits (`struct ckvm_exit`)"]
doc = read("docs/coverage.md")
covered = set()
rows = 0
for sec in sections:
    if sec not in doc:
        errors.append("missing section " + sec)
        continue
    body = doc.split(sec, 1)[1].split("\n## ", 1)[0]
    for line in body.splitlines():
        if not line.startswith("| ") or line.startswith("| kvm-") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        rows += 1
        if len(cells) != 4 or not all(cells):
            errors.append("%s: malformed row: %s" % (sec, line))
            continue
        exit_kinds = re.findall(r"`(CKVM_EXIT_[A-Z0-9_]+)`", cells[2])
        for k in exit_kinds:
            if k not in kinds:
                errors.append("%s: %s is not an exit kind of ckvm/exit.h" % (sec, k))
            covered_kinds.add(k)
        names = re.findall(r"`(ckvm_[a-z0-9_]+|_[a-z0-9_]+)`", cells[2])
        full = []
        prefix = None
        for n in names:
            if n.startswith("_"):
                if prefix:
                    full.append(prefix + n)
            else:
                full.append(n)
                prefix = n.rsplit("_", 1)[0]
        if not full and not exit_kinds and not re.match(r"all (of the above|allocators)", cells[2]):
            errors.append("%s: no ckvm function: %s" % (sec, line))
        for n in full:
            if n not in every:
                errors.append("%s: %s is not declared in any header" % (sec, n))
            covered.add(n)
        tests = 0
        for m in re.finditer(r"(tests/[a-z0-9_/]+\.c)((?::[a-z0-9_]+|,\s*[a-z0-9_]+(?![a-z0-9_/.]))*)",
                             cells[3]):
            path, funcs = m.group(1), re.findall(r"[a-z][a-z0-9_]+", m.group(2))
            if not os.path.exists(os.path.join(root, path)):
                errors.append("%s: no such test file %s" % (sec, path))
                continue
            src = read(path)
            for fn in funcs:
                if not re.search(r"\b%s\s*\(" % re.escape(fn), src):
                    errors.append("%s: %s has no function %s" % (sec, path, fn))
                tests += 1
            if not funcs:
                tests += 1  # a whole file (e.g. a parser test)
        if tests == 0:
            errors.append("%s: no test: %s" % (sec, line))

missing = sorted(core - covered)
for n in missing:
    errors.append("declared but in no coverage row: " + n)
for k in sorted(kinds - covered_kinds):
    errors.append("exit kind in no coverage row: " + k)
for e in errors:
    print("FAIL: " + e)
print("%d rows, %d core functions declared, %d covered" % (rows, len(core), len(core & covered)))
sys.exit(1 if errors else 0)
