/* SPDX-License-Identifier: MIT */
/*
 * fuzz_snapshot - libFuzzer target for the snapshot blob decoder.
 *
 * The input is a blob. Unless bit 0 of header byte 44 (a reserved byte the
 * reader ignores) is set, the harness first writes a correct CRC-32C into
 * the header (over the size the header declares, when that fits), so the
 * fuzzer gets past the checksum and explores the container walk and every
 * record decoder. Checked on every input:
 *   - every function returns 0/positive or a documented -errno;
 *   - parse, next, validate and the decoders agree: a blob that validates
 *     decodes, and one that does not validate does not decode;
 *   - a failed decode leaves the target state unchanged;
 *   - a decoded state re-encodes to a blob that validates and decodes to
 *     the same state (x86_64);
 *   - the region table of a valid VM blob passes the documented rules.
 * ASan/UBSan (the CI build) catch out-of-bounds reads and overflows.
 */
#include <ckvm.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_snapshot: check failed: %s (line %d)\n", #cond, __LINE__); \
		abort(); \
	} \
} while (0)

static bool errno_ok(int r)
{
	return r >= 0 || r == -EBADMSG || r == -EPROTONOSUPPORT || r == -ENOEXEC ||
	       r == -EINVAL || r == -ENOMEM || r == -E2BIG;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

#if defined(__x86_64__)
static void check_x86_vcpu(const uint8_t *b, size_t size, bool valid)
{
	struct ckvm_x86_vcpu_state *st, *back, before;
	struct ckvm_snapshot_writer *w;
	void *blob;
	size_t len;
	int r;

	CHECK(ckvm_x86_vcpu_state_alloc(&st) == 0);
	before = *st;
	r = ckvm_x86_vcpu_state_decode(b, size, st);
	CHECK(errno_ok(r));
	if (r < 0) {
		CHECK(!valid || r == -ENOMEM);
		CHECK(memcmp(st, &before, sizeof(before)) == 0);
		ckvm_x86_vcpu_state_free(st);
		return;
	}
	CHECK(valid);
	/* re-encode and decode again: the same state */
	CHECK(ckvm_snapshot_writer_create(0, CKVM_SNAPSHOT_KIND_VCPU, st->id, &w) == 0);
	r = ckvm_x86_vcpu_state_encode(st, w);
	CHECK(r == 0);
	CHECK(ckvm_snapshot_writer_finish(w, &blob, &len) == 0);
	ckvm_snapshot_writer_free(w);
	CHECK(ckvm_snapshot_validate(blob, len) == 0);
	CHECK(ckvm_x86_vcpu_state_alloc(&back) == 0);
	CHECK(ckvm_x86_vcpu_state_decode(blob, len, back) == 0);
	CHECK(back->present == st->present);
	CHECK(memcmp(&back->regs, &st->regs, sizeof(st->regs)) == 0);
	CHECK(memcmp(&back->sregs, &st->sregs, sizeof(st->sregs)) == 0);
	CHECK(memcmp(&back->events, &st->events, sizeof(st->events)) == 0);
	CHECK(memcmp(&back->lapic, &st->lapic, sizeof(st->lapic)) == 0);
	CHECK(back->tsc_khz == st->tsc_khz);
	if (st->msrs) {
		CHECK(back->msrs->nmsrs == st->msrs->nmsrs);
		CHECK(memcmp(back->msrs->entries, st->msrs->entries,
			     st->msrs->nmsrs * sizeof(st->msrs->entries[0])) == 0);
	}
	if (st->cpuid) {
		CHECK(back->cpuid->nent == st->cpuid->nent);
		CHECK(memcmp(back->cpuid->entries, st->cpuid->entries,
			     st->cpuid->nent * sizeof(st->cpuid->entries[0])) == 0);
	}
	if (st->xsave) {
		CHECK(ckvm_xsave_size(back->xsave) == ckvm_xsave_size(st->xsave));
		CHECK(memcmp(back->xsave, st->xsave, ckvm_xsave_size(st->xsave)) == 0);
	}
	if (st->nested) {
		CHECK(back->nested_size == st->nested->size);
		CHECK(memcmp(back->nested, st->nested, st->nested->size) == 0);
	}
	ckvm_snapshot_free(blob);
	ckvm_x86_vcpu_state_free(back);
	ckvm_x86_vcpu_state_free(st);
}

static void check_x86_vm(const uint8_t *b, size_t size, bool valid)
{
	struct ckvm_x86_vm_state *st, before;
	int r;

	CHECK(ckvm_x86_vm_state_alloc(&st) == 0);
	memset(st, 0xa5, sizeof(*st));
	before = *st;
	r = ckvm_x86_vm_state_decode(b, size, st);
	CHECK(errno_ok(r));
	CHECK((r == 0) == valid || r == -ENOMEM);
	if (r < 0)
		CHECK(memcmp(st, &before, sizeof(before)) == 0);
	ckvm_x86_vm_state_free(st);
}
#endif

static void check_regions(const uint8_t *b, size_t size, bool valid)
{
	struct ckvm_snapshot_region reg[8];
	int n = ckvm_snapshot_get_regions(b, size, reg, 8);
	int i, j;

	CHECK(errno_ok(n));
	if (!valid) {
		CHECK(n < 0);
		return;
	}
	CHECK(n >= 0 || n == -ENOMEM);
	for (i = 0; i < n && i < 8; i++) {
		CHECK(reg[i].memory_size > 0 && reg[i].memory_size % 4096 == 0);
		CHECK(reg[i].guest_phys_addr % 4096 == 0 && reg[i].file_offset % 4096 == 0);
		CHECK(reg[i].guest_phys_addr + reg[i].memory_size > reg[i].guest_phys_addr);
		CHECK(reg[i].host == NULL);
		for (j = 0; j < i; j++) {
			CHECK(reg[i].slot != reg[j].slot);
			CHECK(reg[i].file_offset + reg[i].memory_size <= reg[j].file_offset ||
			      reg[j].file_offset + reg[j].memory_size <= reg[i].file_offset);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ckvm_snapshot_info info;
	struct ckvm_snapshot_record rec;
	size_t cursor = 0, records = 0;
	uint8_t *b;
	int r, pr, vr;

	if (size > (1u << 20))
		return 0;
	b = malloc(size ? size : 1);
	if (!b)
		return 0;
	memcpy(b, data, size);
	if (size >= 64 && !(b[44] & 1)) {
		uint64_t declared = get64(b + 32);

		if (declared >= 44 && declared <= size) {
			memset(b + 40, 0, 4);
			put32(b + 40, ckvm_snapshot_crc32c(0, b, (size_t)declared));
		}
	}

	pr = ckvm_snapshot_parse(b, size, &info);
	CHECK(pr == 0 || pr == -EBADMSG || pr == -EPROTONOSUPPORT);
	if (pr == 0) {
		CHECK(info.size <= size && info.size >= 64 && info.size % 8 == 0);
		CHECK(info.header_size >= 64 && info.header_size <= info.size);
		while ((r = ckvm_snapshot_next(b, size, &cursor, &rec)) == 1) {
			CHECK(rec.type != 0);
			CHECK((const uint8_t *)rec.data >= b + info.header_size);
			CHECK((const uint8_t *)rec.data + rec.len <= b + info.size);
			records++;
		}
		CHECK(r == 0);
		CHECK(records == info.nrecords);
	}
	vr = ckvm_snapshot_validate(b, size);
	CHECK(errno_ok(vr));
	if (pr < 0)
		CHECK(vr == pr);
	if (pr == 0 && info.arch != ckvm_snapshot_host_arch())
		CHECK(vr == -ENOEXEC);
	if (pr == 0 && info.arch == ckvm_snapshot_host_arch()) {
#if defined(__x86_64__)
		if (info.kind == CKVM_SNAPSHOT_KIND_VCPU)
			check_x86_vcpu(b, size, vr == 0);
		if (info.kind == CKVM_SNAPSHOT_KIND_VM)
			check_x86_vm(b, size, vr == 0);
#endif
		if (info.kind == CKVM_SNAPSHOT_KIND_VM)
			check_regions(b, size, vr == 0);
	}
	free(b);
	return 0;
}
