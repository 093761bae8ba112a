#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mkinitramfs.py - write a tiny Linux initramfs for ckvm-run: a gzip'd
"newc" cpio archive holding a static busybox, an /init script and the few
nodes a kernel without devtmpfs auto-mount needs (/dev/console).

    python3 examples/linux/mkinitramfs.py --busybox busybox/bin/busybox \\
        -o initramfs.cpio.gz [--shell]

The /init script mounts /proc and /sys, prints a marker line
("ckvm-init: hello from the initramfs") and some facts about the machine,
optionally starts an interactive shell on the console (--shell), and then
reboots, which with reboot=k on the kernel command line reaches ckvm-run's
i8042 reset and ends the VM cleanly.

Only the Python standard library is used; no cpio tool is needed.
"""
import argparse
import gzip
import os
import stat
import sys

INIT = """#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /tmp /bin /sbin /usr/bin /usr/sbin
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox --install -s
echo "ckvm-init: hello from the initramfs"
echo "ckvm-init: $(uname -sr), $(grep -c ^processor /proc/cpuinfo) CPU(s), $(grep MemTotal /proc/meminfo | tr -s ' ')"
%(shell)s
echo "ckvm-init: rebooting"
reboot -f
"""

SHELL = """echo "ckvm-init: starting a shell; exit it to reboot"
setsid cttyhack sh
"""


class Newc:
    """A minimal writer of the cpio "newc" format (the kernel's initramfs format)."""

    def __init__(self):
        self.out = bytearray()
        self.ino = 1

    def _entry(self, name, mode, data=b"", rdev=(0, 0)):
        name_b = name.encode() + b"\0"
        fields = [self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1],
                  len(name_b), 0]
        self.ino += 1
        self.out += b"070701" + b"".join(b"%08x" % f for f in fields)
        self.out += name_b
        self.out += b"\0" * (-len(self.out) % 4)
        self.out += data
        self.out += b"\0" * (-len(self.out) % 4)

    def directory(self, name, perm=0o755):
        self._entry(name, stat.S_IFDIR | perm)

    def file(self, name, data, perm=0o644):
        self._entry(name, stat.S_IFREG | perm, data)

    def chardev(self, name, major, minor, perm=0o600):
        self._entry(name, stat.S_IFCHR | perm, rdev=(major, minor))

    def finish(self):
        self._entry("TRAILER!!!", 0)
        self.out += b"\0" * (-len(self.out) % 512)
        return bytes(self.out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--busybox", required=True, help="a statically linked busybox binary")
    ap.add_argument("-o", "--output", required=True, help="the .cpio.gz to write")
    ap.add_argument("--shell", action="store_true", help="run an interactive shell before rebooting")
    args = ap.parse_args()

    with open(args.busybox, "rb") as f:
        busybox = f.read()
    if busybox[:4] != b"\x7fELF":
        sys.exit(f"{args.busybox}: not an ELF executable")

    c = Newc()
    for d in ("bin", "dev", "proc", "sys", "tmp", "sbin", "usr", "usr/bin", "usr/sbin"):
        c.directory(d)
    c.chardev("dev/console", 5, 1)
    c.chardev("dev/null", 1, 3, 0o666)
    c.file("bin/busybox", busybox, 0o755)
    c.file("init", (INIT % {"shell": SHELL if args.shell else ""}).encode(), 0o755)
    with open(args.output, "wb") as f:
        f.write(gzip.compress(c.finish(), compresslevel=9))
    print(f"{args.output}: initramfs with busybox ({len(busybox)} bytes) and /init")


if __name__ == "__main__":
    main()
