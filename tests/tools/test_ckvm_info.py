#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Tests for tools/ckvm-info.

  test_ckvm_info.py cli TOOL          no /dev/kvm needed: --help, --version, usage
                                      errors, a missing device, a non-KVM device,
                                      permission denied (fake device nodes)
  test_ckvm_info.py kvm TOOL SHIM     on /dev/kvm: the table and --json, parsed and
                                      checked against KVM queried directly from
                                      Python; the "too old" path through SHIM

Exit 0 pass, 1 fail, 77 skip (kvm mode only, when /dev/kvm cannot be opened).
"""
import array
import fcntl
import grp
import json
import os
import pwd
import re
import shutil
import stat
import struct
import subprocess
import sys
import tempfile

FAILURES = []
CHECKS = 0


def check(cond, what):
    global CHECKS
    CHECKS += 1
    if not cond:
        FAILURES.append(what)
        print("FAIL: " + what)


def run(tool, *args, env=None, preexec=None):
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run([tool] + list(args), capture_output=True, text=True, env=e,
                       preexec_fn=preexec, timeout=60)
    return p.returncode, p.stdout, p.stderr


# ---- KVM from Python (independent of ckvm) ---------------------------------
KVMIO = 0xAE


def _IO(nr):
    return (KVMIO << 8) | nr


def _IOWR(nr, size):
    return (3 << 30) | (size << 16) | (KVMIO << 8) | nr


KVM_GET_API_VERSION = _IO(0x00)
KVM_CHECK_EXTENSION = _IO(0x03)
KVM_GET_VCPU_MMAP_SIZE = _IO(0x04)
KVM_GET_MSR_INDEX_LIST = _IOWR(0x02, 4)
KVM_GET_SUPPORTED_CPUID = _IOWR(0x05, 8)


def kvm_open():
    try:
        fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except OSError as e:
        return None, str(e)
    try:
        v = fcntl.ioctl(fd, KVM_GET_API_VERSION)
    except OSError as e:
        os.close(fd)
        return None, str(e)
    if v != 12:
        os.close(fd)
        return None, "API version %d" % v
    return fd, None


def kvm_supported_cpuid(fd):
    n = 8
    while n <= 4096:
        buf = bytearray(struct.pack("II", n, 0) + bytes(40 * n))
        try:
            fcntl.ioctl(fd, KVM_GET_SUPPORTED_CPUID, buf, True)
        except OSError as e:
            if e.errno == 7:  # E2BIG
                n *= 2
                continue
            raise
        nent = struct.unpack_from("I", buf, 0)[0]
        out = []
        for i in range(nent):
            f, idx, flags, a, b, c, d = struct.unpack_from("IIIIIII", buf, 8 + 40 * i)
            out.append((f, idx, flags, a, b, c, d))
        return out
    raise RuntimeError("CPUID too large")


def kvm_msr_index_list(fd):
    n = 16
    while n <= 65536:
        buf = bytearray(struct.pack("I", n) + bytes(4 * n))
        try:
            fcntl.ioctl(fd, KVM_GET_MSR_INDEX_LIST, buf, True)
        except OSError as e:
            if e.errno == 7:
                n = struct.unpack_from("I", buf, 0)[0] or n * 2
                continue
            raise
        nm = struct.unpack_from("I", buf, 0)[0]
        return list(struct.unpack_from("%dI" % nm, buf, 4))
    raise RuntimeError("MSR list too large")


# ---- cli mode ---------------------------------------------------------------
def test_cli(tool):
    rc, out, err = run(tool, "--help")
    check(rc == 0, "--help exits 0 (got %d)" % rc)
    for opt in ("--json", "--brief", "--device", "--help", "--version", "Exit status"):
        check(opt in out, "--help mentions %s" % opt)
    rc2, out2, _ = run(tool, "-h")
    check(rc2 == 0 and out2 == out, "-h is --help")

    rc, out, err = run(tool, "--version")
    check(rc == 0, "--version exits 0")
    check(re.fullmatch(r"ckvm-info \d+\.\d+\.\d+ \(libckvm \d+\.\d+\.\d+\)\n", out) is not None,
          "--version format: %r" % out)

    rc, out, err = run(tool, "--no-such-option")
    check(rc == 2, "unknown option exits 2 (got %d)" % rc)
    check("Usage:" in err, "unknown option prints usage on stderr")
    rc, out, err = run(tool, "extra-arg")
    check(rc == 2, "extra argument exits 2 (got %d)" % rc)

    with tempfile.TemporaryDirectory() as d:
        missing = os.path.join(d, "kvm")
        rc, out, err = run(tool, "--device", missing)
        check(rc == 3, "missing device exits 3 (got %d)" % rc)
        check("does not exist" in err and missing in err, "missing device message: %r" % err)
        rc, out, err = run(tool, "--json", "--device", missing)
        check(rc == 3, "missing device --json exits 3")
        try:
            j = json.loads(out)
            check(j["status"] == "missing" and j["exit_code"] == 3 and
                  j["device"]["exists"] is False, "missing device JSON fields")
        except ValueError as e:
            check(False, "missing device --json is valid JSON: %s" % e)

        # A regular file is not a KVM device.
        notkvm = os.path.join(d, "file")
        open(notkvm, "w").close()
        rc, out, err = run(tool, "--device", notkvm)
        check(rc == 1, "non-KVM file exits 1 (got %d)" % rc)
        check("not a KVM device" in err, "non-KVM message: %r" % err)

    rc, out, err = run(tool, "--device", "/dev/null")
    check(rc == 1 and "not a KVM device" in err, "/dev/null is not a KVM device (rc %d)" % rc)

    test_permission(tool)


def test_permission(tool):
    """Fake KVM nodes (char 10:232) that the 'nobody' user may not open."""
    if os.geteuid() != 0:
        print("note: not root; permission-denied case checked only if /dev/kvm denies us")
        rc, out, err = run(tool)
        if rc == 4:
            st = os.stat("/dev/kvm")
            g = grp.getgrgid(st.st_gid).gr_name
            check("'%s'" % g in err, "permission message names group %s" % g)
        return
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        nobody = None
    uid = nobody.pw_uid if nobody else 65534
    gid = nobody.pw_gid if nobody else 65534
    # A group that exists, has a name, and that nobody is not in.
    cand = [g for g in grp.getgrall() if g.gr_gid not in (0, gid) and
            (nobody is None or nobody.pw_name not in g.gr_mem)]
    check(len(cand) > 0, "found a group for the permission test")
    if not cand:
        return
    group = cand[0]

    def drop():
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)

    d = tempfile.mkdtemp()
    os.chmod(d, 0o755)
    try:
        # The unprivileged user may not be able to reach the build tree: run a
        # copy of the tool and of libckvm from the temporary directory.
        ldd = subprocess.run(["ldd", tool], capture_output=True, text=True).stdout
        m = re.search(r"(libckvm\.so\.\S+) => (\S+)", ldd)
        if m:  # copied under its soname
            shutil.copy(m.group(2), os.path.join(d, m.group(1)))
        shutil.copy(tool, os.path.join(d, "ckvm-info"))
        for f in os.listdir(d):
            os.chmod(os.path.join(d, f), 0o755)
        tool = os.path.join(d, "ckvm-info")
        env_lib = {"LD_LIBRARY_PATH": d}
        node = os.path.join(d, "kvm")
        try:
            os.mknod(node, 0o600 | stat.S_IFCHR, os.makedev(10, 232))
        except OSError as e:
            check(False, "mknod fake KVM node: %s" % e)
            return
        # Group read/write: joining the group helps.
        os.chown(node, 0, group.gr_gid)
        os.chmod(node, 0o660)
        rc, out, err = run(tool, "--device", node, preexec=drop, env=env_lib)
        if rc == 3 and "no KVM driver" in err:
            print("note: device nodes do not work in %s (nodev?)" % d)
            return
        check(rc == 4, "permission denied exits 4 (got %d, %r)" % (rc, err))
        check("permission denied" in err, "permission message says so: %r" % err)
        check("Join group '%s'" % group.gr_name in err,
              "permission message names group %s: %r" % (group.gr_name, err))
        check("usermod -aG %s" % group.gr_name in err, "permission message shows usermod")
        rc, out, err = run(tool, "--json", "--device", node, preexec=drop, env=env_lib)
        j = json.loads(out)
        check(j["status"] == "permission-denied" and j["device"]["group"] == group.gr_name and
              j["device"]["mode"] == "0660", "permission JSON: %r" % j.get("device"))
        check("'%s'" % group.gr_name in j["message"], "JSON message names the group")

        # Mode 0600: the group has no access; the message says so and names it.
        os.chmod(node, 0o600)
        rc, out, err = run(tool, "--device", node, preexec=drop, env=env_lib)
        check(rc == 4, "0600 node exits 4 (got %d)" % rc)
        check("group '%s' has no read/write access" % group.gr_name in err,
              "0600 message names the group: %r" % err)
    finally:
        shutil.rmtree(d, ignore_errors=True)


# ---- kvm mode -------------------------------------------------------------------
CAP_ROW = re.compile(r"^  (KVM_CAP_\w+) +(\d+) +(\S+) +(\S+)$")
VERDICT_ROW = re.compile(r"^  (.+?) +(yes|no) +(.*)$")


def parse_text(out):
    """Sections of the table output: {title: [lines]}."""
    sections = {}
    cur = None
    for line in out.splitlines():
        if not line:
            continue
        if not line.startswith(" "):
            cur = line
            sections[cur] = []
        elif cur is not None:
            sections[cur].append(line)
    return sections


def section(sections, prefix):
    for k, v in sections.items():
        if k.startswith(prefix):
            return k, v
    return None, None


def test_kvm(tool, shim):
    fd, why = kvm_open()
    if fd is None:
        print("SKIP: /dev/kvm: %s" % why, file=sys.stderr)
        sys.exit(77)

    rc, out, err = run(tool)
    check(rc == 0, "ckvm-info exits 0 on a working /dev/kvm (got %d, %s)" % (rc, err))
    check(err == "", "nothing on stderr: %r" % err)
    rc, jout, err = run(tool, "--json")
    check(rc == 0, "--json exits 0")
    try:
        j = json.loads(jout)
    except ValueError as e:
        check(False, "--json output is valid JSON: %s" % e)
        return
    check(j["status"] == "ok" and j["exit_code"] == 0, "JSON status ok")
    check(j["api_version"] == 12, "JSON api_version 12")
    check(j["vcpu_mmap_size"] == fcntl.ioctl(fd, KVM_GET_VCPU_MMAP_SIZE),
          "JSON vcpu_mmap_size equals KVM_GET_VCPU_MMAP_SIZE")
    check(j["device"]["path"] == "/dev/kvm" and j["device"]["exists"] and
          j["device"]["major"] == os.major(os.stat("/dev/kvm").st_rdev), "JSON device")
    check(j["kernel"]["release"] == os.uname().release, "JSON kernel release")
    check(j["vm_created"] is True, "a VM was created")

    # Every capability: name, number, and the value KVM gives Python directly.
    caps = j["capabilities"]
    check(len(caps) > 150, "more than 150 capabilities known (%d)" % len(caps))
    nums = [c["number"] for c in caps]
    check(len(set(nums)) == len(nums), "capability numbers unique")
    names = {c["name"]: c for c in caps}
    for n in ("KVM_CAP_IRQCHIP", "KVM_CAP_USER_MEMORY", "KVM_CAP_NR_VCPUS", "KVM_CAP_MAX_VCPUS",
              "KVM_CAP_IMMEDIATE_EXIT", "KVM_CAP_SYNC_REGS", "KVM_CAP_GUEST_MEMFD",
              "KVM_CAP_DIRTY_LOG_RING"):
        check(n in names, "capability %s listed" % n)
    for c in caps:
        check(re.fullmatch(r"KVM_CAP_\w+", c["name"] or "") is not None, "cap name %r" % c["name"])
        try:
            want = fcntl.ioctl(fd, KVM_CHECK_EXTENSION, c["number"])
        except OSError:
            want = None
        check(c["system"] == want,
              "%s system value %r == KVM_CHECK_EXTENSION %r" % (c["name"], c["system"], want))
        check(c["vm"] is None or isinstance(c["vm"], int), "%s vm value type" % c["name"])
    check(names["KVM_CAP_IRQCHIP"]["number"] == 0 and names["KVM_CAP_NR_VCPUS"]["number"] == 9,
          "capability numbers are the ABI's")

    lim = j["limits"]
    nr = fcntl.ioctl(fd, KVM_CHECK_EXTENSION, 9)
    mx = fcntl.ioctl(fd, KVM_CHECK_EXTENSION, 66)
    check(lim["nr_vcpus"] == (nr if nr > 0 else 4), "nr_vcpus")
    check(lim["max_vcpus"] == (mx if mx > 0 else lim["nr_vcpus"]), "max_vcpus")
    check(lim["nr_memslots"] > 0 and lim["address_spaces"] >= 1, "memslots")

    vt = j["vm_types"]
    try:
        mask = fcntl.ioctl(fd, KVM_CHECK_EXTENSION, 235)  # KVM_CAP_VM_TYPES
    except OSError:
        mask = 0
    check(vt["mask"] == (mask if mask > 0 else 1), "vm_types mask follows KVM_CAP_VM_TYPES")
    check([t["type"] for t in vt["types"]] == [b for b in range(64) if vt["mask"] >> b & 1],
          "one vm_types entry per mask bit")
    check(vt["types"][0]["type"] == 0 and vt["types"][0]["name"], "the default VM type is named")

    verdicts = {v["need"]: v for v in j["verdict"]}
    for need in ("in-kernel irqchip", "dirty ring", "guest_memfd", "sync regs"):
        check(need in verdicts, "verdict for %s" % need)
    check(verdicts["in-kernel irqchip"]["ok"] == (names["KVM_CAP_IRQCHIP"]["vm"] > 0),
          "irqchip verdict follows the VM capability")
    ring = max(names["KVM_CAP_DIRTY_LOG_RING"]["vm"] or 0,
               (names.get("KVM_CAP_DIRTY_LOG_RING_ACQ_REL") or {}).get("vm") or 0)
    check(verdicts["dirty ring"]["ok"] == (ring > 0), "dirty ring verdict")
    if ring > 0:
        check(str(ring) in verdicts["dirty ring"]["detail"], "dirty ring size in the verdict")
    check(verdicts["sync regs"]["ok"] == ((names["KVM_CAP_SYNC_REGS"]["vm"] or 0) > 0),
          "sync regs verdict")

    # CPUID: same entries as KVM gives Python; feature names decoded correctly.
    if os.uname().machine == "x86_64":
        py = kvm_supported_cpuid(fd)
        sup = j["cpuid"]["supported"]
        got = [(e["function"], e["index"], e["flags"], e["eax"], e["ebx"], e["ecx"], e["edx"])
               for e in sup["entries"]]
        # The host fills in the APIC id of the CPU the ioctl ran on: mask it.
        def no_apic_id(e):
            f, i, fl, a, b, c, d = e
            if f == 1:
                b &= 0x00ffffff
            if f in (0xb, 0x1f):
                d = 0
            if f == 0x8000001e:
                a = 0
            return (f, i, fl, a, b, c, d)
        got = [no_apic_id(e) for e in got]
        py = [no_apic_id(e) for e in py]
        check(got == py, "supported CPUID entries equal KVM_GET_SUPPORTED_CPUID (%d vs %d)"
              % (len(got), len(py)))
        leaf1 = [e for e in py if e[0] == 1]
        feats = set(sup["features"])
        if leaf1:
            edx, ecx = leaf1[0][6], leaf1[0][5]
            for bit, name in ((0, "fpu"), (4, "tsc"), (25, "sse"), (26, "sse2")):
                check((name in feats) == bool(edx & (1 << bit)), "leaf 1 edx %s decoded" % name)
            for bit, name in ((0, "pni"), (13, "cx16"), (21, "x2apic"), (31, "hypervisor")):
                check((name in feats) == bool(ecx & (1 << bit)), "leaf 1 ecx %s decoded" % name)
        ext = [e for e in py if e[0] == 0x80000001]
        if ext:
            check(("lm" in feats) == bool(ext[0][6] & (1 << 29)), "0x80000001 edx lm decoded")
            check(("nx" in feats) == bool(ext[0][6] & (1 << 20)), "0x80000001 edx nx decoded")
        check(sup["vendor"] in ("GenuineIntel", "AuthenticAMD", "HygonGenuine", "CentaurHauls")
              or len(sup["vendor"]) == 12, "vendor string %r" % sup["vendor"])
        check("entries" in j["cpuid"]["emulated"], "emulated CPUID present")

        msrs = kvm_msr_index_list(fd)
        jl = j["msrs"]["index_list"]
        check([m["index"] for m in jl] == msrs, "MSR index list equals KVM_GET_MSR_INDEX_LIST")
        named = {m["index"]: m["name"] for m in jl}
        for idx, name in ((0x10, "IA32_TSC"), (0xc0000080, "IA32_EFER"),
                          (0x174, "IA32_SYSENTER_CS"), (0x4b564d01, "MSR_KVM_SYSTEM_TIME_NEW")):
            if idx in named:
                check(named[idx] == name, "MSR %#x named %s (got %r)" % (idx, name, named[idx]))
        check(sum(1 for m in jl if m["name"]) * 2 >= len(jl), "most MSRs have names")
        fl = j["msrs"]["feature_list"]
        check(isinstance(fl, list), "feature MSR list present")
        for m in fl:
            check(re.fullmatch(r"0x[0-9a-f]+", m.get("value", "")) is not None,
                  "feature MSR %#x has a value" % m["index"])

    # The table: the same facts as the JSON, aligned.
    secs = parse_text(out)
    title, rows = section(secs, "System")
    check(rows is not None, "System section")
    kv = {}
    for r in rows or []:
        m = re.match(r"^  (\S.*?\S) {2,}(\S.*)$", r)
        check(m is not None, "System row aligned: %r" % r)
        if m:
            kv[m.group(1)] = m.group(2)
    check(kv.get("API version") == "12", "table API version")
    check(kv.get("vcpu mmap size") == "%d bytes" % j["vcpu_mmap_size"], "table mmap size")
    check(len(set(re.match(r"^  \S.*?\S {2,}", r).end() for r in rows if
                   re.match(r"^  \S.*?\S {2,}", r))) == 1, "System values start in one column")
    title, rows = section(secs, "Verdict")
    check(rows is not None and len(rows) == len(j["verdict"]) + 1, "Verdict rows")
    for r in rows or []:
        m = VERDICT_ROW.match(r)
        check(m is not None, "verdict row format: %r" % r)
        if m and m.group(1) in verdicts:
            check((m.group(2) == "yes") == verdicts[m.group(1)]["ok"], "verdict %s" % m.group(1))
    check(rows is not None and rows[-1].split()[:2] == ["ckvm", "yes"], "final verdict line")
    title, rows = section(secs, "Capabilities")
    check(rows is not None, "Capabilities section")
    if rows:
        check(rows[0].split() == ["NAME", "NUM", "SYSTEM", "VM"], "capability header")
        body = rows[1:]
        check(len(body) == len(caps), "one table row per capability (%d vs %d)"
              % (len(body), len(caps)))
        ends = set()
        for r, c in zip(body, caps):
            m = CAP_ROW.match(r)
            check(m is not None, "capability row format: %r" % r)
            if not m:
                continue
            ends.add(len(r))
            check(m.group(1) == c["name"] and int(m.group(2)) == c["number"], "row %s" % c["name"])
            check(m.group(3) == (str(c["system"]) if c["system"] is not None else m.group(3)),
                  "row %s system value" % c["name"])
            check(m.group(4) == (str(c["vm"]) if c["vm"] is not None else m.group(4)),
                  "row %s vm value" % c["name"])
        check(len(ends) == 1, "capability rows are aligned (one row width)")
    if os.uname().machine == "x86_64":
        title, rows = section(secs, "Supported CPUID")
        check(title == "Supported CPUID (%d entries)" % len(py), "CPUID title %r" % title)
        title, rows = section(secs, "MSR index list")
        check(title == "MSR index list (%d)" % len(msrs), "MSR title %r" % title)

    rc, bout, err = run(tool, "--brief")
    check(rc == 0 and "Verdict" in bout and "Capabilities (" not in bout, "--brief")

    # Too old: an API version other than 12, then a missing required capability.
    # (verify_asan_link_order=0: a sanitizer build's ASan runtime must
    # otherwise be the first preloaded library.)
    asan = (os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0").lstrip(":")
    env = {"LD_PRELOAD": shim, "CKVM_SHIM_API_VERSION": "11", "ASAN_OPTIONS": asan}
    rc, out, err = run(tool, env=env)
    check(rc == 5, "API version 11 exits 5 (got %d, %r)" % (rc, err))
    check("too old" in err and "API version" in err, "too-old message: %r" % err)
    rc, out, err = run(tool, "--json", env=env)
    check(rc == 5 and json.loads(out)["status"] == "too-old", "too-old JSON")
    env = {"LD_PRELOAD": shim, "CKVM_SHIM_HIDE_CAP": "136", "ASAN_OPTIONS": asan}  # KVM_CAP_IMMEDIATE_EXIT
    rc, out, err = run(tool, env=env)
    check(rc == 5 and "KVM_CAP_IMMEDIATE_EXIT" in err, "missing IMMEDIATE_EXIT exits 5 (%d)" % rc)
    check("Capabilities (" in out, "too old still reports what there is")
    os.close(fd)


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    mode, tool = sys.argv[1], sys.argv[2]
    if mode == "cli":
        test_cli(tool)
    elif mode == "kvm":
        test_kvm(tool, os.path.abspath(sys.argv[3]))
    else:
        return 2
    print("%d checks, %d failed" % (CHECKS, len(FAILURES)))
    return 1 if FAILURES or CHECKS == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
