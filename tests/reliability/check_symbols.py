#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that the bad-input table covers exactly what libckvm.so exports.

    check_symbols.py libckvm.so badinput_api.txt

badinput_api.txt lists every CKVM_API function of the public headers as
this architecture sees them (written by gen_badinput.py, so it is the
table's own list). Fails when libckvm.so exports a ckvm_ symbol the table
does not call (an undeclared export, or a declaration the generator
missed), or when the table names a function the library does not export.
"""
import subprocess
import sys


def main():
    lib, listing = sys.argv[1], sys.argv[2]
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    exported = set()
    for line in out.splitlines():
        w = line.split()
        if len(w) >= 3 and w[1] in "TtWiDdBbRrVv" and w[2].split("@")[0].startswith("ckvm_"):
            exported.add(w[2].split("@")[0])
    table = {l.strip() for l in open(listing) if l.strip()}
    rc = 0
    for s in sorted(exported - table):
        print("FAIL: %s is exported by %s but not declared with CKVM_API in the public headers "
              "(so the bad-input table does not call it)" % (s, lib))
        rc = 1
    for s in sorted(table - exported):
        print("FAIL: %s is declared with CKVM_API but %s does not export it" % (s, lib))
        rc = 1
    print("%d exported ckvm_ symbols, %d functions in the bad-input table, %s"
          % (len(exported), len(table), "all covered" if rc == 0 else "MISMATCH"))
    return rc


if __name__ == "__main__":
    sys.exit(main())
