#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate the bad-input table test over the whole public API.

    gen_badinput.py --cc "<compiler command>" --include DIR... \
        --rules badinput_rules.txt --out-c badinput_table.c --out-list api.txt

The public headers are run through the C preprocessor exactly as a user on
this architecture sees them (#include <ckvm.h>), and every function declared
with CKVM_API (visibility("default") after expansion) is collected. For each
function and each parameter the generator emits calls in which that one
parameter is bad and the others are valid:

  handles            NULL, and a handle whose fd was closed ("closed")
  other pointers     NULL
  strings            NULL, and a string longer than PATH_MAX
  unsigned scalars   the type's maximum ("max"); size_t also 0 ("zero")
  signed scalars     -1, the minimum and the maximum
  enums              a value past the last enumerator ("range")

The expected result depends on the return type: int-like returns must be a
negative errno (-4095..-1), pointers NULL, unsigned values 0. Exceptions
(documented: NULL allowed, a value the kernel accepts, a call that must not
be made) are in the rules file. A parameter type the generator does not know
is an error, so a new API type cannot slip past the table.

--out-list writes the names of all functions, one a line, for the check
that the table covers every symbol libckvm.so exports.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile

# Opaque objects: C type name -> object code in badinput_rt.h.
HANDLES = {
    "ckvm": "KVM",
    "ckvm_vm": "VM",
    "ckvm_vcpu": "VCPU",
    "ckvm_device": "DEV",
    "ckvm_stats": "STATS",
    "ckvm_snapshot_ctx": "SNAPCTX",
    "ckvm_snapshot_writer": "WRITER",
    "ckvm_x86_vcpu_state": "X86VCPUST",
    "ckvm_x86_vm_state": "X86VMST",
}
# Handles whose fd can be closed behind their back.
CLOSABLE = {"KVM", "VM", "VCPU", "DEV", "STATS"}
# Kernel FAM structs that must come from ckvm's allocators.
FAMS = {
    "kvm_cpuid2": "CPUID",
    "kvm_msrs": "MSRS",
    "kvm_msr_list": "MSRLIST",
    "kvm_reg_list": "REGLIST",
    "kvm_irq_routing": "ROUTING",
    "kvm_xsave": "XSAVE",
}
UNSIGNED_MAX = {
    "unsigned": "UINT_MAX", "unsigned int": "UINT_MAX",
    "unsigned long": "ULONG_MAX", "uint8_t": "UINT8_MAX", "uint16_t": "UINT16_MAX",
    "uint32_t": "UINT32_MAX", "uint64_t": "UINT64_MAX", "size_t": "SIZE_MAX",
}
SIGNED = {
    "int": ("INT_MIN", "INT_MAX"),
    "long": ("LONG_MIN", "LONG_MAX"),
    "int64_t": ("INT64_MIN", "INT64_MAX"),
}
# size_t parameters counting elements of a struct array (valid value 1).
ELEMENT_COUNTS = {"n", "max", "count"}


class GenError(Exception):
    pass


def preprocess(cc, includes):
    with tempfile.NamedTemporaryFile("w", suffix=".c", delete=False) as f:
        f.write("#include <ckvm.h>\n")
        src = f.name
    try:
        cmd = shlex.split(cc) + ["-E", "-D_GNU_SOURCE"] + ["-I" + i for i in includes] + [src]
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(src)


def parse(text):
    # Drop line markers, join everything, then split into declarations.
    text = "\n".join(l for l in text.splitlines() if not l.startswith("#"))
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\b_Bool\b", "bool", text)
    funcs = {}
    marker = '__attribute__((visibility("default")))'
    for decl in text.split(";"):
        if marker not in decl:
            continue
        decl = decl[decl.index(marker) + len(marker):]
        decl = decl.replace("__attribute__((warn_unused_result))", "")
        decl = re.sub(r"__attribute__\(\(.*?\)\)", "", decl).strip()
        m = re.match(r"^(.*?)\b(ckvm_\w+)\s*\((.*)\)\s*$", decl)
        if not m:
            raise GenError("cannot parse declaration: " + decl)
        ret, name, params = m.group(1).strip(), m.group(2), m.group(3).strip()
        plist = []
        if params and params != "void":
            for i, p in enumerate(split_params(params)):
                plist.append(parse_param(p, name, i))
        funcs[name] = (ret, plist)
    return funcs


def split_params(s):
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        cur += ch
    out.append(cur.strip())
    return out


def parse_param(p, fn, i):
    m = re.match(r"^(.*?)(\w+)\s*(\[[^\]]*\])?$", p)
    if not m or not m.group(1).strip():
        raise GenError("%s: cannot parse parameter %d: %r" % (fn, i, p))
    typ = m.group(1).strip()
    name = m.group(2)
    if m.group(3):
        typ += " *"
    typ = re.sub(r"\s*\*", " *", typ)
    typ = re.sub(r"\s+", " ", typ).strip()
    typ = typ.replace("* *", "**")
    return typ, name


def norm(typ):
    """(const?, base, stars)"""
    const = typ.startswith("const ")
    base = typ[6:] if const else typ
    stars = base.count("*")
    base = base.replace("*", "").strip()
    return const, base, stars


class Param:
    def __init__(self, fn, typ, name):
        self.fn, self.typ, self.name = fn, typ, name
        self.valid, self.bad = self.classify()

    def classify(self):
        fn, typ, name = self.fn, self.typ, self.name
        const, base, stars = norm(typ)
        cast = "(%s)" % typ
        sm = re.match(r"^struct (\w+)$", base)
        sname = sm.group(1) if sm else None
        if stars == 1 and sname in HANDLES:
            code = HANDLES[sname]
            bad = [("null", "NULL")]
            if code in CLOSABLE:
                bad.append(("closed", "%sbi_closed(&c, BI_O_%s)" % (cast, code)))
            return "%sbi_obj(&c, BI_O_%s)" % (cast, code), bad
        if stars == 2 and sname in HANDLES:
            return "%sbi_out(&c, BI_O_%s)" % (cast, HANDLES[sname]), [("null", "NULL")]
        if stars == 1 and sname in FAMS:
            return "%sbi_obj(&c, BI_O_%s)" % (cast, FAMS[sname]), [("null", "NULL")]
        if stars == 2 and sname in FAMS:
            return "%sbi_out(&c, BI_O_%s)" % (cast, FAMS[sname]), [("null", "NULL")]
        if base == "void" and stars == 2:
            if fn.startswith("ckvm_fam_"):
                return "%sbi_out(&c, BI_O_FAMGEN)" % cast, [("null", "NULL")]
            if fn.startswith("ckvm_snapshot_"):
                return "%sbi_out(&c, BI_O_BLOB)" % cast, [("null", "NULL")]
            raise GenError("%s: void ** parameter %s: unknown object" % (fn, name))
        if base == "void" and stars == 1 and fn.startswith("ckvm_fam_") and name == "p":
            return "%sbi_obj(&c, BI_O_FAMGEN)" % cast, [("null", "NULL")]
        if sname == "ckvm_fam_type" and stars == 1:
            return "%sbi_famtype(&c)" % cast, [("null", "NULL")]
        if base == "char" and stars == 1 and const:
            valid = {"path": "\"/dev/null\"", "name": "\"IRQCHIP\""}.get(name, "\"x\"")
            return valid, [("null", "NULL"), ("long", "bi_long_string()")]
        if stars == 1 and (base in ("void", "char", "bool", "sigset_t") or base in UNSIGNED_MAX
                           or base in SIGNED or sname is not None):
            if stars == 1 and sname and sname.startswith("ckvm_") and sname not in (
                    "ckvm_exit", "ckvm_dirty_page", "ckvm_msr_filter_range", "ckvm_snapshot_info",
                    "ckvm_snapshot_record", "ckvm_snapshot_region", "ckvm_stat_desc"):
                raise GenError("%s: parameter %s of unknown ckvm type %s" % (fn, name, typ))
            return "%sbi_buf(&c)" % cast, [("null", "NULL")]
        if stars == 0:
            if base == "bool":
                return "false", []
            if base.startswith("enum "):
                return "(%s)0" % base, [("range", "(%s)0x7fff" % base), ("neg", "(%s)-1" % base)]
            if base in UNSIGNED_MAX:
                if base == "size_t":
                    v = "1" if name in ELEMENT_COUNTS else "BI_LEN"
                    return "(size_t)%s" % v, [("max", "SIZE_MAX"), ("zero", "(size_t)0")]
                return "(%s)0" % base, [("max", "(%s)%s" % (base, UNSIGNED_MAX[base]))]
            if base in SIGNED:
                lo, hi = SIGNED[base]
                if name in ("fd", "memfd"):
                    valid = "bi_fd(&c)"
                elif name in ("efd", "resamplefd"):
                    valid = "bi_efd(&c)"
                else:
                    valid = "(%s)0" % base
                return valid, [("neg", "(%s)-1" % base), ("min", lo), ("max", hi)]
        raise GenError("%s: parameter %s has a type the generator does not know: %s"
                       % (fn, name, typ))


def ret_kind(ret):
    r = ret.strip()
    if r == "void":
        return "void"
    if "*" in r:
        return "ptr"
    if r in ("int", "long", "int64_t"):
        return "int"
    if r in ("bool",) or r in UNSIGNED_MAX or r.startswith("enum "):
        return "uint"
    raise GenError("unknown return type " + ret)


def load_rules(path):
    rules, fds, skips, consumes = {}, set(), set(), set()
    with open(path) as f:
        for ln, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            w = line.split()
            if w[0] == "fd" and len(w) == 2:
                fds.add(w[1])
            elif w[0] == "consumes" and len(w) == 2:
                consumes.add(w[1])
            elif w[0] == "skip" and len(w) == 4:
                skips.add((w[1], w[2], w[3]))
            elif w[0] == "expect" and len(w) == 5 and w[4] in ("fail", "any", "ok"):
                rules[(w[1], w[2], w[3])] = w[4]
            else:
                raise GenError("%s:%d: bad rule: %s" % (path, ln, line))
    return rules, fds, skips, consumes


def expectation(rules, fn, pname, cls, rk):
    for key in ((fn, pname, cls), (fn, pname, "*"), (fn, "*", cls), (fn, "*", "*")):
        if key in rules:
            return rules[key]
    if rk == "void":
        return "any"
    if cls in ("null", "range", "long"):
        return "fail"
    if cls == "zero":
        return "any"
    # closed handles and out-of-range scalars: int-returning calls must fail
    return "fail" if rk == "int" else "any"


def generate(funcs, rules, fds, skips, consumes):
    used_rules = set()
    out = []
    w = out.append
    w("/* Generated by gen_badinput.py from the public headers; do not edit. */")
    w('#include "badinput_rt.h"')
    w("")
    names = sorted(funcs)
    counts = {"fail": 0, "any": 0, "ok": 0, "skip": 0}
    for name in names:
        ret, plist = funcs[name]
        rk = ret_kind(ret)
        params = [Param(name, t, n) for t, n in plist]
        w("static void t_%s(void **state)" % name)
        w("{")
        w("\t__typeof__(&%s) fn;" % name)
        w("\tstruct bi_call c;")
        w("")
        w("\t(void)state;")
        w('\t*(void **)&fn = bi_sym("%s");' % name)
        w("\tif (!fn)")
        w("\t\treturn;")
        variants = []
        for i, p in enumerate(params):
            for cls, expr in p.bad:
                variants.append((i, p, cls, expr))
        if not variants:  # no parameter can be bad: one plain call, must not crash
            variants.append((None, None, "call", None))
        for i, p, cls, expr in variants:
            pname = p.name if p else "-"
            if (name, pname, cls) in skips or (name, pname, "*") in skips:
                used_rules.add(("skip", name, pname, cls))
                counts["skip"] += 1
                w("\t/* %s = %s: skipped by rule */" % (pname, cls))
                continue
            exp = "any" if p is None else expectation(rules, name, pname, cls, rk)
            for key in ((name, pname, cls), (name, pname, "*"), (name, "*", cls), (name, "*", "*")):
                if key in rules:
                    used_rules.add(("expect",) + key)
                    break
            counts[exp] += 1
            args = [expr if j == i else q.valid for j, q in enumerate(params)]
            w('\tbi_begin(&c, "%s", "%s", "%s", BI_EXPECT_%s, %d);'
              % (name, pname, cls, exp.upper(), 1 if name in fds else 0))
            call = "fn(%s)" % ", ".join(args)
            if cls == "closed" and name in consumes:
                w("\tc.consumed = 1; /* the call frees the handle */")
            if rk == "void":
                w("\t%s;" % call)
                w("\tbi_end_void(&c);")
            elif rk == "int":
                w("\tbi_end_int(&c, (long long)%s);" % call)
            elif rk == "ptr":
                w("\tbi_end_ptr(&c, (const void *)%s);" % call)
            else:
                w("\tbi_end_uint(&c, (unsigned long long)%s);" % call)
        w("\tbi_finish(\"%s\");" % name)
        w("}")
        w("")
    w("static const struct CMUnitTest bi_tests[] = {")
    for name in names:
        w("\tcmocka_unit_test(t_%s)," % name)
    w("};")
    w("")
    w("int main(void)")
    w("{")
    w("\tint r;")
    w("")
    w("\tbi_setup();")
    w('\tr = cmocka_run_group_tests_name("badinput", bi_tests, NULL, NULL);')
    w("\tbi_teardown();")
    w('\tbi_summary(%d, %d, %d, %d, %d);' % (len(names), counts["fail"], counts["any"],
                                             counts["ok"], counts["skip"]))
    w("\treturn r;")
    w("}")
    return "\n".join(out) + "\n", used_rules


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cc", required=True)
    ap.add_argument("--include", action="append", default=[])
    ap.add_argument("--rules", required=True)
    ap.add_argument("--out-c", required=True)
    ap.add_argument("--out-list", required=True)
    a = ap.parse_args()
    try:
        funcs = parse(preprocess(a.cc, a.include))
        if not funcs:
            raise GenError("no CKVM_API function found")
        rules, fds, skips, consumes = load_rules(a.rules)
        src, used = generate(funcs, rules, fds, skips, consumes)
        # Rules naming functions that do not exist are stale: fail loudly.
        # Functions a header declares for another architecture (arch header,
        # or an #if block such as snapshot.h's x86_64 part) are not stale:
        # they are in the headers' text but not in this build's preprocessed
        # declarations (cross builds: x86 rules on arm64/riscv64 and back).
        other_arch = ""
        for inc in a.include:
            d = os.path.join(inc, "ckvm")
            if os.path.isdir(d):
                for h in sorted(os.listdir(d)):
                    if h.endswith(".h"):
                        with open(os.path.join(d, h)) as f:
                            other_arch += f.read()
        for key in list(rules) + [("fd", f) for f in fds | consumes] + list(skips):
            fname = key[1] if key[0] == "fd" else key[0]
            if fname not in funcs:
                # rules for other architectures' functions are allowed
                if re.search(r"\b%s\s*\(" % re.escape(fname), other_arch):
                    continue
                if not re.match(r"ckvm_(vm_arm|arm64|vgic|its|aia|riscv|vcpu_arm|vcpu_riscv|vm_setup_(vgic|aia)|vm_create_its|vcpu_init)", fname):
                    raise GenError("rule for unknown function %s" % fname)
    except (GenError, subprocess.CalledProcessError) as e:
        sys.stderr.write("gen_badinput: %s\n" % e)
        if isinstance(e, subprocess.CalledProcessError):
            sys.stderr.write(e.stderr or "")
        return 1
    with open(a.out_c, "w") as f:
        f.write(src)
    with open(a.out_list, "w") as f:
        f.write("\n".join(sorted(funcs)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
