#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpora of the fuzz targets (fuzz/<target>/corpus/).

Run from anywhere: python3 fuzz/gen_corpus.py. The seeds are committed; this
script documents how they were made and can regenerate them. libFuzzer adds
what it finds to the corpus directory given first on its command line, so
.ci/fuzz runs with a scratch directory first and the committed seeds second.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
RUN_SIZE = 2352            # sizeof(struct kvm_run), x86_64 uapi
EXIT_REASON_OFF = 8
UNION_OFF = 32


def exit_seed(errno_sel, run_size, reason, payload=b"", extra=None):
    """errno selector byte, run-size selector (2 bytes), then kvm_run bytes."""
    sel = run_size - RUN_SIZE if run_size >= RUN_SIZE else 0x8000 | run_size
    run = bytearray(UNION_OFF + 256)
    struct.pack_into("<I", run, EXIT_REASON_OFF, reason)
    run[UNION_OFF:UNION_OFF + len(payload)] = payload
    if extra:
        off, data = extra
        run += bytes(max(0, off + len(data) - len(run)))
        run[off:off + len(data)] = data
    return bytes([errno_sel]) + struct.pack("<H", sel) + bytes(run)


def write(target, name, data):
    d = os.path.join(HERE, target, "corpus")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def exit_decode():
    full = 12288
    # Every exit reason with an all-zero payload.
    for reason in range(0, 42):
        write("exit_decode", "reason-%02d" % reason, exit_seed(0, full, reason))
    # KVM_EXIT_IO: direction, size, port, count, data_offset.
    for d, s, c, off in [(1, 1, 1, 4096), (0, 2, 1, 4096), (1, 4, 16, 4096),
                         (0, 1, 4096, 8192), (1, 4, 0xffffffff, 4096), (1, 1, 1, 12287)]:
        io = struct.pack("<BBHIQ", d, s, 0x3f8, c, off)
        write("exit_decode", "io-d%d-s%d-c%x-o%d" % (d, s, c, off), exit_seed(0, full, 2, io, (off, b"A" * 8) if off < 12280 else None))
    # KVM_EXIT_MMIO: phys_addr, data[8], len, is_write.
    for ln, w in [(1, 0), (4, 1), (8, 1), (9, 0), (0, 1)]:
        mmio = struct.pack("<Q8sIB", 0xd0000000, b"\x11" * 8, ln, w)
        write("exit_decode", "mmio-l%d-w%d" % (ln, w), exit_seed(0, full, 6, mmio))
    # KVM_EXIT_INTERNAL_ERROR: suberror, ndata, data[16].
    for nd in (0, 3, 16, 17, 0xffffffff):
        ie = struct.pack("<II", 1, nd) + struct.pack("<16Q", *range(16))
        write("exit_decode", "internal-n%x" % nd, exit_seed(0, full, 17, ie))
    # KVM_EXIT_SYSTEM_EVENT: type, ndata, data[16].
    for nd in (0, 1, 16, 200):
        se = struct.pack("<II", 2, nd) + struct.pack("<16Q", *range(16))
        write("exit_decode", "sysevent-n%d" % nd, exit_seed(0, full, 24, se))
    # KVM_EXIT_X86_RDMSR / WRMSR: error, pad[7], reason, index, data.
    for reason in (29, 30):
        msr = struct.pack("<B7xIIQ", 0, 1, 0xc0000080, 0x500)
        write("exit_decode", "msr-%d" % reason, exit_seed(0, full, reason, msr))
    # KVM_EXIT_HYPERCALL: nr, args[6], ret, longmode, pad.
    hc = struct.pack("<Q6QQII", 9, 1, 2, 3, 4, 5, 6, 0, 1, 0)
    write("exit_decode", "hypercall", exit_seed(0, full, 3, hc))
    # EINTR, EFAULT/EHWPOISON with and without a memory-fault exit, odd errnos.
    write("exit_decode", "eintr", exit_seed(4, full, 2))
    mf = struct.pack("<QQQ", 2, 0x100000, 4096)
    write("exit_decode", "efault-memfault", exit_seed(5, full, 39, mf))
    write("exit_decode", "ehwpoison-memfault", exit_seed(6, full, 39, mf))
    write("exit_decode", "efault-other", exit_seed(5, full, 2))
    write("exit_decode", "errno-ebadf", exit_seed(7 + 8 * 9, full, 0))
    # Run sizes: exactly sizeof(kvm_run), one byte less, tiny.
    io = struct.pack("<BBHIQ", 1, 4, 0x80, 1, RUN_SIZE - 4)
    write("exit_decode", "size-exact", exit_seed(0, RUN_SIZE, 2, io))
    write("exit_decode", "size-short", exit_seed(0, RUN_SIZE - 1, 2, io))
    write("exit_decode", "size-tiny", exit_seed(0, 16, 5))


def fam():
    # Program bytes; see fuzz_fam.c (op = byte % 10, slot = (byte >> 4) % 4).
    # alloc kind k: 0x00, k, cap16, maxsel (nonzero: normal)
    def alloc(slot, kind, cap, generic=b""):
        return bytes([slot << 4 | 0, kind]) + generic + struct.pack("<H", cap) + b"\x01"
    def push(slot, fill):
        return bytes([slot << 4 | 1]) + bytes([fill]) * 64
    def reserve(slot, cap):
        return bytes([slot << 4 | 3]) + struct.pack("<H", cap) + b"\x01"
    def set_count(slot, c):
        return bytes([slot << 4 | 4]) + struct.pack("<H", c) + b"\x01"
    def kcount(slot, c):
        return bytes([slot << 4 | 5]) + struct.pack("<H", c)
    gen = bytes([1, 4, 8, 24]) + struct.pack("<H", 100)  # count_size 8 @4, hdr +8, entry 25, max 100
    progs = {
        "routing-fill": alloc(0, 0, 3) + push(0, 1) + push(0, 2) + push(0, 3) + push(0, 4),
        "reglist-grow": alloc(1, 1, 1) + push(1, 7) + reserve(1, 9) + push(1, 8) + push(1, 9),
        "generic": alloc(2, 2, 5, gen) + push(2, 0x55) + set_count(2, 4) + reserve(2, 2) + reserve(2, 50),
        "cpuid-find": alloc(0, 3, 4) + push(0, 0) + push(0, 1) + bytes([0x08, 0, 0]) + kcount(0, 1) + bytes([0x08, 1, 0]),
        "msrs": alloc(3, 4, 2) + push(3, 9) + push(3, 9) + push(3, 9) + kcount(3, 1) + push(3, 1),
        "msrlist": alloc(1, 5, 0) + push(1, 1) + reserve(1, 2) + push(1, 2),
        "overmax": bytes([0x00, 0, 0, 0, 0]) + struct.pack("<I", 0x1000),
        "bytes": bytes([0x06]) + struct.pack("<QQQQBQB", 2**63, 8, 16, 0, 4, 2**64 - 1, 1),
        "xsave": bytes([0x09, 0, 0x10, 1]) + bytes([0x09, 0xff, 0xff, 1]) + bytes([0x09, 5, 5, 0]) + struct.pack("<I", 0xffffff),
        "free-realloc": alloc(0, 0, 2) + bytes([0x07]) + alloc(0, 1, 2) + push(0, 3),
    }
    for name, data in progs.items():
        write("fam", name, data)


if __name__ == "__main__":
    exit_decode()
    fam()
