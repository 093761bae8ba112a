#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Documentation, versioning and installation tests (suite "docs").

  test_docs.py examples  SRC BUILD LIB -- CC...   compile every C example in the docs
  test_docs.py run       SRC BUILD LIB -- CC...   compile and run getting-started's VMM
  test_docs.py manpages  SRC BUILD LIB NM         a man page for every public function, lint
  test_docs.py abi       SRC BUILD LIB NM READELF -- CC...  exports, version nodes, soname, CHANGELOG
  test_docs.py install   SRC BUILD LIB -- CC...   meson install + pkg-config + run a guest
  test_docs.py options   SRC BUILD LIB PROGRAM... every --help option is in the program's man page

SRC is the source root, BUILD the build root, LIB the built libckvm.so.
Exit 0 pass, 1 fail, 77 skip (only "run" and "install", when /dev/kvm
cannot be opened; install still checks everything else first).
"""
import fcntl
import glob
import json
import os
import re
import shutil
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
    return cond


def finish():
    print("%d checks, %d failed" % (CHECKS, len(FAILURES)))
    return 1 if FAILURES or CHECKS == 0 else 0


def kvm_usable():
    try:
        fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except OSError as e:
        return "/dev/kvm: %s" % e.strerror
    try:
        v = fcntl.ioctl(fd, 0xAE00)
        return None if v == 12 else "/dev/kvm: API version %d" % v
    except OSError as e:
        return "/dev/kvm: %s" % e.strerror
    finally:
        os.close(fd)


# ---- the public API, read from the headers ----------------------------------------
ARCH_HEADERS = {"x86_64.h": "x86_64", "arm64.h": "aarch64", "riscv64.h": "riscv64"}


def header_functions(src):
    """{name: (header, kind)} for every CKVM_API and CKVM_INLINE function."""
    out = {}
    for h in sorted(glob.glob(os.path.join(src, "include", "ckvm", "*.h"))):
        text = open(h).read()
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        for m in re.finditer(r"\bCKVM_(API|INLINE)\b([^;{(]*?)\b(ckvm_\w+)\s*\(", text):
            out.setdefault(m.group(3), (os.path.basename(h), m.group(1)))
    return out


def header_prototypes(src):
    """{name: prototype without spaces} for every CKVM_API and CKVM_INLINE function."""
    out = {}
    for h in sorted(glob.glob(os.path.join(src, "include", "ckvm", "*.h"))):
        text = re.sub(r"/\*.*?\*/", " ", open(h).read(), flags=re.S)
        for m in re.finditer(r"\bCKVM_(?:API|INLINE)\s+([^;{]*?\b(ckvm_\w+)\s*\((?:[^()]|\([^()]*\))*\))", text):
            proto = m.group(1).replace("CKVM_WARN_UNUSED", "")
            out.setdefault(m.group(2), re.sub(r"\s+", "", proto))
    return out


def synopsis_prototypes(lines):
    """{name: prototype without spaces} from a page's SYNOPSIS (.B/.BI lines)."""
    text, on = [], False
    for l in lines:
        if l.startswith(".SH"):
            on = "SYNOPSIS" in l
            continue
        if on and (l.startswith(".B ") or l.startswith(".BI ")):
            args = re.findall(r'"([^"]*)"|(\S+)', l.split(None, 1)[1])
            text.append("".join(a or b for a, b in args))
    joined = man_to_text("".join(text))
    out = {}
    for m in re.finditer(r"([^;]*?\b(ckvm_\w+)\s*\((?:[^()]|\([^()]*\))*\));", joined):
        proto = re.sub(r"^#include<[^>]*>", "", re.sub(r"\s+", "", m.group(1)))
        out[m.group(2)] = proto
    return out


def exported_symbols(nm, lib):
    """[(name, version)] of the dynamic symbols the library defines (not version nodes)."""
    p = subprocess.run([nm, "-D", "--defined-only", "--with-symbol-versions", lib],
                       capture_output=True, text=True)
    if p.returncode != 0:
        p = subprocess.run([nm, "-D", "--defined-only", lib], capture_output=True, text=True)
    syms = []
    for line in p.stdout.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        typ, name = parts[1], parts[2]
        if typ == "A":  # the version node itself
            continue
        ver = None
        if "@" in name:
            name, _, ver = name.partition("@")
            ver = ver.lstrip("@")
        syms.append((name, ver))
    return syms


def build_flags(build):
    """Compiler flags a program linked against this build's libckvm needs
    (a sanitizer build's library needs the sanitizer runtime)."""
    try:
        opts = {o["name"]: o["value"] for o in
                json.load(open(os.path.join(build, "meson-info", "intro-buildoptions.json")))}
    except (OSError, ValueError):
        return []
    san = opts.get("b_sanitize", "none")
    return ["-fsanitize=" + san] if san and san != "none" else []


# ---- C blocks in the docs --------------------------------------------------------------
def md_c_blocks(path):
    blocks = []
    cur = None
    start = 0
    for i, line in enumerate(open(path).read().splitlines(), 1):
        if cur is None and re.match(r"^```c\s*$", line):
            cur, start = [], i
        elif cur is not None and line.startswith("```"):
            blocks.append(("%s:%d" % (os.path.relpath(path), start), "\n".join(cur) + "\n"))
            cur = None
        elif cur is not None:
            cur.append(line)
    return blocks


def man_to_text(line):
    s = line
    s = s.replace("\\e", "\\").replace("\\-", "-").replace("\\(aq", "'").replace("\\(dq", '"')
    s = s.replace("\\&", "").replace("\\(rs", "\\").replace("\\(ti", "~").replace("\\(ha", "^")
    return s


def man_c_blocks(path):
    blocks = []
    cur = None
    start = 0
    for i, line in enumerate(open(path).read().splitlines(), 1):
        if line.startswith(".EX"):
            cur, start = [], i
        elif line.startswith(".EE") and cur is not None:
            code = "\n".join(cur) + "\n"
            if "#include" in code:
                blocks.append(("%s:%d" % (os.path.relpath(path), start), code))
            cur = None
        elif cur is not None:
            cur.append(man_to_text(line))
    return blocks


def all_c_blocks(src):
    blocks = []
    for md in [os.path.join(src, "README.md")] + sorted(glob.glob(os.path.join(src, "docs", "*.md"))):
        if os.path.exists(md):
            blocks += md_c_blocks(md)
    for page in sorted(glob.glob(os.path.join(src, "docs", "man", "man*", "*.[0-9]"))):
        blocks += man_c_blocks(page)
    return blocks


# Examples that use one architecture's API are compiled (not linked) with that
# architecture's cross compiler when the host is another architecture.
ARCH_MARKERS = (("aarch64", "aarch64-linux-gnu-gcc", re.compile(r"\bckvm_(arm64|vgic|its)_|\bckvm_vm_arm_|\bckvm_vcpu_(arm_|init\b|finalize)")),
                ("riscv64", "riscv64-linux-gnu-gcc", re.compile(r"\bckvm_(riscv|aia)_|\bckvm_vcpu_riscv_")))


def block_arch(code):
    for arch, cross, rx in ARCH_MARKERS:
        if rx.search(code):
            return arch, cross
    return None, None


def compile_block(cc, src, build, lib, where, code, out_dir, link):
    arch, cross = block_arch(code)
    if arch and arch != os.uname().machine:
        if not shutil.which(cross):
            print("note: %s needs %s, which is not installed; not compiled" % (where, cross))
            return None
        cc, link = [cross], False
        print("%s: %s example, compiled with %s" % (where, arch, cross))
    else:
        cc = list(cc) + build_flags(build)
    base = re.sub(r"[^A-Za-z0-9]+", "_", where)
    cfile = os.path.join(out_dir, base + ".c")
    with open(cfile, "w") as f:
        f.write(code)
    exe = os.path.join(out_dir, base)
    cmd = list(cc) + ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-Wno-unused-function",
                      "-I" + os.path.join(src, "include"), "-I" + os.path.join(build, "include"),
                      cfile]
    if link:
        cmd += ["-o", exe, "-L" + os.path.dirname(lib), "-Wl,-rpath," + os.path.dirname(lib),
                "-lckvm", "-lpthread"]
    else:
        cmd += ["-c", "-o", exe + ".o"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    check(p.returncode == 0, "%s compiles:\n%s" % (where, p.stderr[-3000:]))
    return exe if p.returncode == 0 else None


def test_examples(src, build, lib, cc):
    blocks = all_c_blocks(src)
    check(len(blocks) >= 3, "found C examples in the docs (%d)" % len(blocks))
    wheres = [w for w, _ in blocks]
    for want in ("docs/getting-started.md", "docs/porting-from-kvm-ioctls.md", "ckvm.7"):
        check(any(want in w for w in wheres), "an example from %s is compiled" % want)
    with tempfile.TemporaryDirectory() as d:
        for where, code in blocks:
            compile_block(cc, src, build, lib, where, code, d, link=re.search(r"\bmain\s*\(", code) is not None)
            print("compiled %s" % where)


def test_run(src, build, lib, cc):
    blocks = [b for b in md_c_blocks(os.path.join(src, "docs", "getting-started.md"))
              if re.search(r"\bmain\s*\(", b[1])]
    check(len(blocks) == 1, "getting-started has one complete program (%d)" % len(blocks))
    if not blocks:
        return
    with tempfile.TemporaryDirectory() as d:
        exe = compile_block(cc, src, build, lib, "getting_started", blocks[0][1], d, link=True)
        if not exe:
            return
        why = kvm_usable()
        if why:
            print("SKIP: %s" % why, file=sys.stderr)
            sys.exit(77)
        p = subprocess.run([exe], capture_output=True, text=True, timeout=60)
        check(p.returncode == 0, "getting-started VMM exits 0 (%d): %s" % (p.returncode, p.stderr))
        want = "Hello from the guest\nguest wrote 42 to port 0x80\nguest halted\n"
        check(p.stdout == want, "getting-started output %r" % p.stdout)
        # The guide shows the same output.
        guide = open(os.path.join(src, "docs", "getting-started.md")).read()
        check(want in guide, "the guide shows the program's real output")


# ---- man pages ----------------------------------------------------------------------------
def parse_page(path):
    text = open(path).read()
    lines = text.splitlines()
    so = [l for l in lines if l.startswith(".so ")]
    return text, lines, (so[0][4:].strip() if so else None)


def name_section(lines):
    out, on = [], False
    for l in lines:
        if l.startswith(".SH"):
            on = l.split(None, 1)[1].strip().strip('"') == "NAME" if len(l.split()) > 1 else False
            continue
        if on:
            out.append(l)
    names_line = " ".join(out)
    if "\\-" not in names_line:
        return None, None
    names, desc = names_line.split("\\-", 1)
    return [n.strip().replace("\\", "") for n in names.split(",") if n.strip()], desc.strip()


def sections(lines):
    return [l.split(None, 1)[1].strip().strip('"') for l in lines if l.startswith(".SH ")]


def synopsis_functions(lines):
    out, on = [], False
    for l in lines:
        if l.startswith(".SH"):
            on = "SYNOPSIS" in l
            continue
        if on:
            for m in re.finditer(r"\b(ckvm_\w+)\s*\(", man_to_text(l).replace('"', " ")):
                out.append(m.group(1))
    return out


def test_manpages(src, build, lib, nm):
    api = header_functions(src)
    hprotos = header_prototypes(src)
    check(len(api) > 150, "found the public functions in the headers (%d)" % len(api))
    syms = [s for s, _ in exported_symbols(nm, lib)]
    check(len(syms) > 100, "found exported symbols in %s (%d)" % (lib, len(syms)))
    man3 = os.path.join(src, "docs", "man", "man3")
    pages = {os.path.basename(p)[:-2]: p for p in glob.glob(os.path.join(man3, "*.3"))}
    missing = sorted(set(syms) - set(pages))
    check(not missing, "every exported symbol has a man page; missing: %s" % " ".join(missing))
    missing = sorted(set(api) - set(pages))
    check(not missing, "every public function (all architectures) has a man page; missing: %s"
          % " ".join(missing))

    for sect, name in (("7", "ckvm"), ("1", "ckvm-info"), ("1", "ckvm-run")):
        check(os.path.exists(os.path.join(src, "docs", "man", "man" + sect, name + "." + sect)),
              "%s(%s) exists" % (name, sect))

    documented = set()
    for name, path in sorted(pages.items()):
        text, lines, so = parse_page(path)
        if so:
            check(len([l for l in lines if l.strip() and not l.startswith('.\\"')]) == 1,
                  "%s: a .so page holds only the .so line" % name)
            target = os.path.join(src, "docs", "man", so)
            if check(os.path.exists(target), "%s: .so target %s exists" % (name, so)):
                names, _ = name_section(open(target).read().splitlines())
                check(names is not None and name in names,
                      "%s: listed in the NAME section of %s" % (name, so))
            continue
        th = [l for l in lines if l.startswith(".TH ")]
        check(len(th) == 1 and th[0].split()[1].replace("\\", "").lower() == name.lower()
              and th[0].split()[2] == "3", "%s: .TH names the page and section 3" % name)
        secs = sections(lines)
        for s in ("NAME", "SYNOPSIS", "DESCRIPTION", "RETURN VALUE", "SEE ALSO"):
            check(s in secs, "%s: has a %s section" % (name, s))
        names, desc = name_section(lines)
        if not check(names, "%s: NAME section is 'name, ... \\- description'" % name):
            continue
        check(name in names, "%s: its own name is in NAME" % name)
        check(bool(desc), "%s: NAME has a description" % name)
        syn = synopsis_functions(lines)
        for n in names:
            documented.add(n)
            check(n in pages, "%s: %s (in NAME) has a page or a .so link" % (name, n))
            check(n in api, "%s: %s is a public function in the headers" % (name, n))
            check(n in syn, "%s: %s appears in the SYNOPSIS" % (name, n))
        for f in syn:
            check(f in api, "%s: SYNOPSIS function %s is declared in a header" % (name, f))
        protos = synopsis_prototypes(lines)
        for f, proto in protos.items():
            if f in hprotos:
                check(proto == hprotos[f], "%s: the SYNOPSIS of %s matches the header:\n  page:   %s\n  header: %s"
                      % (name, f, proto, hprotos[f]))
        check("#include <ckvm.h>" in man_to_text(text) or "#include <ckvm" in man_to_text(text),
              "%s: SYNOPSIS shows the include" % name)
    # Cross references to ckvm pages point at pages that exist.
    for path in sorted(glob.glob(os.path.join(src, "docs", "man", "man*", "*.[0-9]"))):
        for m in re.finditer(r"^\.BR? (ckvm[\w\\-]*) \(([0-9])\)", open(path).read(), re.M):
            ref = m.group(1).replace("\\-", "-")
            target = os.path.join(src, "docs", "man", "man" + m.group(2), ref + "." + m.group(2))
            check(os.path.exists(target), "%s refers to %s(%s), which exists"
                  % (os.path.relpath(path, src), ref, m.group(2)))
    undocumented = sorted(set(api) - documented)
    check(not undocumented, "every public function is described on a page (in a NAME section): %s"
          % " ".join(undocumented))

    # Every page formats without groff warnings.
    groff = shutil.which("groff")
    allpages = sorted(glob.glob(os.path.join(src, "docs", "man", "man*", "*.[0-9]")))
    check(groff is not None, "groff is installed (groff-base; `make check` installs it)")
    if groff:
        for path in allpages:
            text, lines, so = parse_page(path)
            if so:
                continue
            p = subprocess.run([groff, "-man", "-ww", "-z", path], capture_output=True, text=True)
            check(p.returncode == 0 and p.stderr.strip() == "",
                  "%s formats without warnings: %s" % (os.path.relpath(path, src), p.stderr.strip()))

    # docs/meson.build installs exactly the pages in docs/man.
    mb = open(os.path.join(src, "docs", "meson.build")).read()
    listed = set(re.findall(r"'(man/man[0-9]/[^']+)'", mb))
    present = set(os.path.relpath(p, os.path.join(src, "docs")) for p in allpages)
    check(listed == present, "docs/meson.build lists every page: missing %s, stale %s"
          % (sorted(present - listed)[:20], sorted(listed - present)[:20]))

    # Every ckvm_ function the Markdown docs mention exists.
    for md in [os.path.join(src, "README.md")] + sorted(glob.glob(os.path.join(src, "docs", "*.md"))):
        if not os.path.exists(md) or md.endswith("coverage.md"):
            continue
        text = open(md).read()
        local = set(re.findall(r"\b(\w+)\s*\([^)]*\)\s*\n?\{", text))  # functions the examples define
        for f in sorted(set(re.findall(r"\b(ckvm_[a-z0-9_]+)\s*\(", text))):
            check(f in api or f in local, "%s mentions %s(), which is not in the headers"
                  % (os.path.relpath(md, src), f))


# ---- programs: every option of --help is in the man page -------------------------
def test_options(src, programs):
    check(len(programs) > 0, "programs to check were given")
    for prog in programs:
        name = os.path.basename(prog)
        page = os.path.join(src, "docs", "man", "man1", name + ".1")
        if not check(os.path.exists(page), "%s(1) exists" % name):
            continue
        text = man_to_text(open(page).read()).replace("\\fB", "").replace("\\fR", "").replace("\\fI", "")
        p = subprocess.run([prog, "--help"], capture_output=True, text=True)
        check(p.returncode == 0, "%s --help exits 0" % name)
        longs = sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", p.stdout)))
        shorts = sorted(set(re.findall(r"(?<![\w-])(-[a-zA-Z])\b", p.stdout)))
        check(len(longs) >= 3, "%s --help lists options (%s)" % (name, longs))
        for o in longs + shorts:
            check(o in text, "%s(1) documents %s" % (name, o))
        # Exit statuses listed by --help appear in the page's EXIT STATUS.
        m = re.search(r"Exit status:?(.*)", p.stdout, re.S)
        if m:
            sect = text[text.find("EXIT STATUS"):]
            for code in re.findall(r"(?:^|\s)(\d{1,3})(?=\s)", m.group(1)):
                check(code in sect, "%s(1) EXIT STATUS has %s" % (name, code))
        p = subprocess.run([prog, "--version"], capture_output=True, text=True)
        version, _ = project_version(src)
        check(p.returncode == 0 and version in p.stdout, "%s --version names %s" % (name, version))
        check(('"ckvm %s"' % version) in open(page).read(), "%s(1) is for ckvm %s" % (name, version))


# ---- ABI and versioning -------------------------------------------------------------
def project_version(src):
    mb = open(os.path.join(src, "meson.build")).read()
    m = re.search(r"project\([^)]*?version\s*:\s*'([^']+)'", mb, re.S)
    sv = re.search(r"ckvm_soversion\s*=\s*'([^']+)'", mb)
    return (m.group(1) if m else None), (sv.group(1) if sv else None)


def map_nodes(src):
    text = open(os.path.join(src, "src", "ckvm.map")).read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.findall(r"^\s*(CKVM_[0-9]+\.[0-9]+)\s*\{", text, re.M)


def test_abi(src, build, lib, nm, readelf, cc):
    version, soversion = project_version(src)
    check(version is not None and re.fullmatch(r"\d+\.\d+\.\d+", version) is not None,
          "project(version:) is MAJOR.MINOR.PATCH (%r)" % version)
    check(soversion is not None, "meson.build sets ckvm_soversion")
    if not version or not soversion:
        return
    major, minor, patch = version.split(".")

    # version.h, generated from the one place.
    vh = open(os.path.join(build, "include", "ckvm", "version.h")).read()
    check('#define CKVM_VERSION_STRING "%s"' % version in vh, "version.h has the project version")
    check("#define CKVM_VERSION_MAJOR %s" % major in vh and
          "#define CKVM_VERSION_MINOR %s" % minor in vh and
          "#define CKVM_VERSION_PATCH %s" % patch in vh, "version.h components")
    for f in glob.glob(os.path.join(src, "src", "**", "*.c"), recursive=True) + \
            glob.glob(os.path.join(src, "include", "**", "*.h"), recursive=True):
        code = re.sub(r"/\*.*?\*/|//[^\n]*", " ", open(f).read(), flags=re.S)
        check(re.search(r'"%s"' % re.escape(version), code) is None,
              "%s does not hard-code the version string" % os.path.relpath(f, src))

    # soname and file name.
    p = subprocess.run([readelf, "-d", lib], capture_output=True, text=True)
    m = re.search(r"\(SONAME\).*\[(.*)\]", p.stdout)
    check(m is not None and m.group(1) == "libckvm.so.%s" % soversion,
          "soname is libckvm.so.%s (%s)" % (soversion, m.group(1) if m else None))
    real = os.path.realpath(lib)
    check(os.path.basename(real) == "libckvm.so.%s" % version,
          "the library file is libckvm.so.%s (%s)" % (version, os.path.basename(real)))

    # The version script: one node per release, the newest for this version.
    nodes = map_nodes(src)
    check(len(nodes) >= 1, "ckvm.map has version nodes")
    check(len(set(nodes)) == len(nodes), "ckvm.map nodes are unique")
    want = "CKVM_%s.%s" % (major, minor)
    check(nodes and nodes[-1] == want, "the newest map node is %s (have %s)" % (want, nodes))

    # Exports: only ckvm_ symbols, each in a node of the map; exactly the declared API.
    syms = exported_symbols(nm, lib)
    check(len(syms) > 100, "the library exports its API (%d symbols)" % len(syms))
    for name, ver in syms:
        check(name.startswith("ckvm_"), "exported symbol %s has the ckvm_ prefix" % name)
        check(ver in nodes, "exported symbol %s has a version node from ckvm.map (%s)" % (name, ver))
    api = header_functions(src)
    host = os.uname().machine
    declared = set(n for n, (h, kind) in api.items()
                   if kind == "API" and (h not in ARCH_HEADERS or ARCH_HEADERS[h] == host))
    exported = set(n for n, _ in syms)
    check(not (declared - exported), "every CKVM_API function of this architecture is exported; "
          "missing: %s" % " ".join(sorted(declared - exported)))
    check(not (exported - set(api)), "every export is declared in a public header; extra: %s"
          % " ".join(sorted(exported - set(api))))
    inline = set(n for n, (h, kind) in api.items() if kind == "INLINE")
    check(not (inline & exported), "inline helpers are not exported")

    # CHANGELOG: a section for this version and a mention of each map node.
    cl = os.path.join(src, "CHANGELOG.md")
    if check(os.path.exists(cl), "CHANGELOG.md exists"):
        text = open(cl).read()
        check(re.search(r"^## \[?%s\]?" % re.escape(version), text, re.M) is not None,
              "CHANGELOG.md has a section for %s" % version)
        for n in nodes:
            check(n in text, "CHANGELOG.md names the version node %s" % n)
        check("soname" in text.lower() and "libckvm.so.%s" % soversion in text,
              "CHANGELOG.md states the soname")

    # ckvm_version() at run time.
    with tempfile.TemporaryDirectory() as d:
        c = os.path.join(d, "v.c")
        open(c, "w").write(
            '#include <ckvm.h>\n#include <stdio.h>\n#include <string.h>\n'
            'int main(void) {\n'
            '  printf("%s %u %s\\n", ckvm_version(), ckvm_version_number(), CKVM_VERSION_STRING);\n'
            '  return strcmp(ckvm_version(), CKVM_VERSION_STRING) != 0 ||\n'
            '         ckvm_version_number() != CKVM_VERSION_NUMBER;\n}\n')
        p = subprocess.run(list(cc) + build_flags(build) + ["-I" + os.path.join(src, "include"), "-I" + os.path.join(build, "include"),
                            c, "-o", os.path.join(d, "v"), "-L" + os.path.dirname(lib),
                            "-Wl,-rpath," + os.path.dirname(lib), "-lckvm"], capture_output=True, text=True)
        if check(p.returncode == 0, "version program compiles: %s" % p.stderr):
            p = subprocess.run([os.path.join(d, "v")], capture_output=True, text=True)
            num = (int(major) << 16) | (int(minor) << 8) | int(patch)
            check(p.returncode == 0 and p.stdout.split() == [version, str(num), version],
                  "ckvm_version() = %s, ckvm_version_number() = %d (got %r)" % (version, num, p.stdout))


# ---- install -----------------------------------------------------------------------------
INSTALL_PROG = r'''
#define _GNU_SOURCE
#include <ckvm.h>
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

int main(void)
{
	/* mov al, 0x5a; out 0x42, al; hlt */
	static const unsigned char code[] = { 0xb0, 0x5a, 0xe6, 0x42, 0xf4 };
	struct ckvm *kvm;
	struct ckvm_vm *vm;
	struct ckvm_vcpu *vcpu;
	struct ckvm_exit exit;
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = 0x1000, .rflags = 2 };
	Dl_info info;
	unsigned char *mem;
	int r, outs = 0;

	if (dladdr((void *)ckvm_version, &info) && info.dli_fname)
		printf("library %s\n", info.dli_fname);
	printf("version %s\n", ckvm_version());
	r = ckvm_open(&kvm);
	if (r < 0) {
		printf("open %d\n", r);
		return 77;
	}
	mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return 1;
	memcpy(mem + 0x1000, code, sizeof(code));
	struct kvm_userspace_memory_region slot = {
		.memory_size = 0x10000, .userspace_addr = (unsigned long)mem,
	};
	if (ckvm_create_vm(kvm, &vm) < 0 || ckvm_vm_set_user_memory_region(vm, &slot) < 0 ||
	    ckvm_vm_create_vcpu(vm, 0, &vcpu) < 0 || ckvm_vcpu_get_sregs(vcpu, &sregs) < 0)
		return 1;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ckvm_vcpu_set_sregs(vcpu, &sregs) < 0 || ckvm_vcpu_set_regs(vcpu, &regs) < 0)
		return 1;
	for (;;) {
		r = ckvm_vcpu_run(vcpu, &exit);
		if (r < 0)
			return 1;
		if (exit.kind == CKVM_EXIT_IO_OUT && exit.io.port == 0x42 && exit.io.data[0] == 0x5a)
			outs++;
		else if (exit.kind == CKVM_EXIT_HLT)
			break;
		else
			return 1;
	}
	printf("guest out %d hlt\n", outs);
	ckvm_vcpu_close(vcpu);
	ckvm_vm_close(vm);
	ckvm_close(kvm);
	return outs == 1 ? 0 : 1;
}
'''


def test_install(src, build, lib, cc):
    meson = shutil.which("meson")
    pkgconfig = shutil.which("pkg-config") or shutil.which("pkgconf")
    if not check(meson is not None and pkgconfig is not None, "meson and pkg-config found"):
        return
    opts = {o["name"]: o["value"] for o in
            json.load(open(os.path.join(build, "meson-info", "intro-buildoptions.json")))}
    prefix, libdir = opts["prefix"], opts["libdir"]
    incdir, mandir, bindir = opts["includedir"], opts["mandir"], opts["bindir"]
    full = lambda d: d if os.path.isabs(d) else os.path.join(prefix, d)
    installed = json.load(open(os.path.join(build, "meson-info", "intro-installed.json")))
    version, soversion = project_version(src)

    with tempfile.TemporaryDirectory() as dest:
        p = subprocess.run([meson, "install", "-C", build, "--no-rebuild", "--destdir", dest],
                           capture_output=True, text=True, timeout=300)
        if not check(p.returncode == 0, "meson install --destdir: %s" % (p.stdout + p.stderr)[-3000:]):
            return
        root = lambda path: os.path.join(dest, path.lstrip("/"))
        for srcf, dst in installed.items():
            check(os.path.lexists(root(dst)), "installed %s" % dst)
        L = root(full(libdir))
        for f in ("libckvm.so", "libckvm.so.%s" % soversion, "libckvm.so.%s" % version, "libckvm.a",
                  "pkgconfig/ckvm.pc"):
            check(os.path.lexists(os.path.join(L, f)), "installed %s/%s" % (full(libdir), f))
        check(os.path.islink(os.path.join(L, "libckvm.so.%s" % soversion)), "the soname is a symlink")
        I = root(full(incdir))
        check(os.path.exists(os.path.join(I, "ckvm.h")), "installed ckvm.h")
        for h in glob.glob(os.path.join(src, "include", "ckvm", "*.h")):
            check(os.path.exists(os.path.join(I, "ckvm", os.path.basename(h))),
                  "installed ckvm/%s" % os.path.basename(h))
        check(os.path.exists(os.path.join(I, "ckvm", "version.h")), "installed ckvm/version.h")
        B = root(full(bindir))
        tools = opts.get("tools", True)
        if tools:
            check(os.access(os.path.join(B, "ckvm-info"), os.X_OK), "installed ckvm-info")
        M = root(full(mandir))
        if opts.get("man", True):
            for page in glob.glob(os.path.join(src, "docs", "man", "man*", "*.[0-9]")):
                rel = os.path.relpath(page, os.path.join(src, "docs", "man"))
                check(os.path.exists(os.path.join(M, rel)), "installed man page %s" % rel)
            for rel in ("man7/ckvm.7", "man1/ckvm-info.1", "man1/ckvm-run.1", "man3/ckvm_open.3",
                        "man3/ckvm_vcpu_run.3"):
                check(os.path.exists(os.path.join(M, rel)), "installed %s" % rel)
        else:
            check(not os.path.exists(M) or not glob.glob(os.path.join(M, "man3", "ckvm_*")),
                  "-Dman=false installs no man pages")

        # pkg-config over the installed copy only.
        env = dict(os.environ)
        env["PKG_CONFIG_PATH"] = os.path.join(L, "pkgconfig")
        env["PKG_CONFIG_LIBDIR"] = os.path.join(L, "pkgconfig")
        env.pop("PKG_CONFIG_SYSROOT_DIR", None)
        pc = [pkgconfig, "--define-variable=prefix=" + root(prefix)]
        p = subprocess.run(pc + ["--modversion", "ckvm"], capture_output=True, text=True, env=env)
        check(p.returncode == 0 and p.stdout.strip() == version,
              "pkg-config --modversion ckvm = %s (%r)" % (version, p.stdout + p.stderr))
        p = subprocess.run(pc + ["--cflags", "--libs", "ckvm"], capture_output=True, text=True, env=env)
        if not check(p.returncode == 0, "pkg-config --cflags --libs ckvm: %s" % p.stderr):
            return
        flags = p.stdout.split()
        check(any(f == "-I" + I or f == "-I" + I.rstrip("/") for f in flags) or
              not any(f.startswith("-I") for f in flags) and I.rstrip("/").endswith("/usr/include"),
              "--cflags points at the installed headers: %s" % flags)
        check(any(f == "-L" + L for f in flags), "--libs points at the installed library: %s" % flags)
        check("-lckvm" in flags, "--libs has -lckvm")
        check(not any(src in f or build in f for f in flags), "nothing from the source or build tree")

        prog = os.path.join(dest, "prog.c")
        exe = os.path.join(dest, "prog")
        open(prog, "w").write(INSTALL_PROG)
        p = subprocess.run(list(cc) + build_flags(build) + ["-std=gnu11", "-Wall", "-Wextra", "-Werror",
                                                            prog, "-o", exe] + flags + ["-ldl"],
                           capture_output=True, text=True)
        if not check(p.returncode == 0, "program builds against the installed ckvm: %s" % p.stderr):
            return
        env2 = dict(os.environ)
        env2["LD_LIBRARY_PATH"] = L
        if tools:
            p = subprocess.run([os.path.join(B, "ckvm-info"), "--version"], capture_output=True,
                               text=True, env=env2)
            check(p.returncode == 0 and version in p.stdout, "installed ckvm-info --version runs")
        why = kvm_usable()
        p = subprocess.run([exe], capture_output=True, text=True, env=env2, timeout=60)
        out = p.stdout
        m = re.search(r"^library (.*)$", out, re.M)
        check(m is not None and os.path.realpath(m.group(1)).startswith(os.path.realpath(dest)),
              "the program loads the installed libckvm (%s)" % (m.group(1) if m else out))
        check(("version %s" % version) in out, "the installed library reports %s" % version)
        if why:
            check(p.returncode == 77, "without /dev/kvm the program says so (%d)" % p.returncode)
            print("checks done before skipping: %d, failed %d" % (CHECKS, len(FAILURES)))
            if FAILURES:
                return
            print("SKIP: %s" % why, file=sys.stderr)
            sys.exit(77)
        check(p.returncode == 0 and "guest out 1 hlt" in out,
              "the program built against the installed copy runs a guest (%d): %s %s"
              % (p.returncode, out, p.stderr))
        if tools:
            p = subprocess.run([os.path.join(B, "ckvm-info"), "--json"], capture_output=True,
                               text=True, env=env2)
            check(p.returncode == 0 and json.loads(p.stdout)["status"] == "ok",
                  "installed ckvm-info --json reports ok")


def main():
    argv = sys.argv[1:]
    if len(argv) < 4:
        print(__doc__)
        return 2
    mode, src, build, lib = argv[:4]
    rest = argv[4:]
    tools, cc = (rest[:rest.index("--")], rest[rest.index("--") + 1:]) if "--" in rest else (rest, [])
    if mode == "examples":
        test_examples(src, build, lib, cc)
    elif mode == "run":
        test_run(src, build, lib, cc)
    elif mode == "manpages":
        test_manpages(src, build, lib, tools[0])
    elif mode == "abi":
        test_abi(src, build, lib, tools[0], tools[1], cc)
    elif mode == "install":
        test_install(src, build, lib, cc)
    elif mode == "options":
        test_options(src, tools)
    else:
        print(__doc__)
        return 2
    return finish()


if __name__ == "__main__":
    sys.exit(main())
