#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of fuzz_snapshot into fuzz/snapshot/corpus/.

The corpus also holds found-<sha1> files: inputs the fuzzer found that add
coverage, merged in with `fuzz_snapshot -merge=1` (this script leaves them).

The blobs are built here from docs/snapshot-format.md (an implementation
independent of src/snapshot.c), plus the committed format-1.0 fixtures from
tests/data/. Run from anywhere: python3 fuzz/snapshot/gen_corpus.py
"""
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "corpus")

X86 = 62
VCPU, VM = 1, 2


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def blob(kind, records, arch=X86, minor=0, flags=0, header_size=64, vid=0, bad_crc=False):
    body = b""
    for rtype, rflags, payload in records:
        body += struct.pack("<HHI", rtype, rflags, len(payload)) + payload
        body += b"\0" * (-len(payload) % 8)
    size = header_size + len(body)
    hdr = b"CKVMSNAP" + struct.pack("<HHIIIIIQII", 1, minor, header_size, arch, kind, flags,
                                    len(records), size, 0, 1 if bad_crc else 0)
    hdr += struct.pack("<QQ", vid, 0)
    hdr += b"\0" * (header_size - len(hdr))
    b = bytearray(hdr + body)
    crc = crc32c(bytes(b))
    if bad_crc:
        crc ^= 1  # reserved byte 44 bit 0 set: the harness leaves the CRC alone
    struct.pack_into("<I", b, 40, crc)
    return bytes(b)


def rec(t, payload, flags=0):
    return (t, flags, payload)


def regions(entries, esize=32, page=4096):
    p = struct.pack("<IIII", len(entries), esize, page, 0)
    for slot, fl, gpa, size, off in entries:
        e = struct.pack("<IIQQQ", slot, fl, gpa, size, off)
        p += (e + b"\0" * esize)[:esize]
    return p


def x86_vcpu_records():
    cpuid = struct.pack("<II", 2, 0) + struct.pack("<IIIIIIIIII", 0, 0, 0, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69, 0, 0, 0) \
        + struct.pack("<IIIIIIIIII", 1, 0, 0, 0x000a0671, 0, 0x81202000, 0x0f8bfbff, 0, 0, 0)
    msrs = struct.pack("<II", 3, 0) + b"".join(struct.pack("<IIQ", i, 0, v) for i, v in
                                             ((0x10, 1234), (0xc0000102, 0xfffffacecafe0000), (0x6e0, 0)))
    nested = struct.pack("<HHI", 0, 0, 128) + b"\0" * 120
    xcrs = struct.pack("<II", 1, 0) + struct.pack("<IIQ", 0, 0, 7) + b"\0" * (392 - 24)
    events = bytes(64)
    return [
        rec(0x010a, cpuid),
        rec(0x010b, struct.pack("<II", 2600000, 0)),
        rec(0x0101, bytes(312)),
        rec(0x0102, bytes(320)),
        rec(0x010c, nested),
        rec(0x0107, msrs),
        rec(0x0103, bytes(416)),
        rec(0x0105, xcrs),
        rec(0x0104, bytes(4096)),
        rec(0x0106, bytes(1024)),
        rec(0x0108, bytes(128)),
        rec(0x0100, struct.pack("<18Q", *range(18))),
        rec(0x0109, events),
        rec(0x0001, struct.pack("<I", 0)),
    ]


def x86_vm_records():
    chips = [rec(0x0180, struct.pack("<II", i, 0) + bytes(512)) for i in range(3)]
    return chips + [
        rec(0x0181, bytes(112)),
        rec(0x0182, struct.pack("<QII", 10**10, 0, 0) + bytes(32)),
        rec(0x0002, regions([(0, 1, 0, 0x100000, 0), (0x10001, 0, 0, 0x200000, 0x100000)])),
    ]


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {
        "vcpu-empty": blob(VCPU, []),
        "vm-empty": blob(VM, []),
        "vcpu-every-record": blob(VCPU, x86_vcpu_records(), vid=3),
        "vm-every-record": blob(VM, x86_vm_records()),
        "vcpu-newer": blob(VCPU, x86_vcpu_records()[:4] + [rec(0x01f0, b"future"), rec(0x8001, b"app")],
                           minor=7, flags=1, header_size=128),
        "vcpu-required": blob(VCPU, [rec(0x01f0, b"x", flags=1)]),
        "vcpu-short-long": blob(VCPU, [rec(0x0100, bytes(160)), rec(0x0109, bytes(40)),
                                       rec(0x0104, bytes(576))]),
        "vm-regions-48": blob(VM, [rec(0x0002, regions([(0, 0, 0, 0x1000, 0)], esize=48))]),
        "vm-regions-overlap": blob(VM, [rec(0x0002, regions([(0, 0, 0, 0x2000, 0),
                                                              (1, 0, 0x1000, 0x1000, 0x2000)]))]),
        "vm-one-regs": blob(VM, [rec(0x0003, struct.pack("<QQQ", 1, 0x6030000000000001, 5))]),
        "vcpu-bad-crc": blob(VCPU, [rec(0x0001, struct.pack("<I", 3))], bad_crc=True),
        "vcpu-arm64": blob(VCPU, [rec(0x0003, struct.pack("<Q", 0))], arch=183),
        "app-kind": blob(0x80000001, [rec(0x8000, b"hello")]),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    for fx in ("snapshot-v1.0-x86_64-vcpu.bin", "snapshot-v1.0-x86_64-vm.bin"):
        shutil.copy(os.path.join(ROOT, "tests", "data", fx), os.path.join(OUT, "fixture-" + fx))
    print("wrote %d seeds to %s" % (len(seeds) + 2, OUT))


if __name__ == "__main__":
    main()
