/* SPDX-License-Identifier: MIT */
/*
 * test_format.c - the snapshot blob format without /dev/kvm: CRC, writer and
 * parser, every x86_64 record type round-tripped through encode/decode,
 * compatibility rules (unknown records, shorter/longer payloads, newer minor
 * versions), the committed format-1.0 fixtures, and a table of malformed
 * inputs that must all be rejected with the target left unchanged.
 */
#include "snap_test.h"

#include <stdio.h>

#ifndef CKVM_SOURCE_ROOT
#error "CKVM_SOURCE_ROOT must be defined by the build"
#endif

/* ---- container ----------------------------------------------------------- */
static void test_crc32c(void **state)
{
	const char *s = "123456789";
	uint32_t a;

	(void)state;
	assert_int_equal(ckvm_snapshot_crc32c(0, s, 9), 0xE3069283u);
	a = ckvm_snapshot_crc32c(0, s, 4);
	assert_int_equal(ckvm_snapshot_crc32c(a, s + 4, 5), 0xE3069283u);
	assert_int_equal(ckvm_snapshot_crc32c(0, "", 0), 0);
	/* 8-byte fast path vs byte path on a longer buffer */
	{
		uint8_t buf[1000];
		uint64_t seed = 99;
		uint32_t whole, parts = 0;
		size_t i;

		sb_fill(buf, sizeof(buf), &seed);
		whole = ckvm_snapshot_crc32c(0, buf, sizeof(buf));
		for (i = 0; i < sizeof(buf); i += 1)
			parts = ckvm_snapshot_crc32c(parts, buf + i, 1);
		assert_int_equal(whole, parts);
	}
}

static void test_writer_parse(void **state)
{
	static const size_t lens[] = { 0, 1, 7, 8, 9, 100, 4096 };
	struct ckvm_snapshot_writer *w;
	struct ckvm_snapshot_info info;
	struct ckvm_snapshot_record rec;
	uint8_t payload[4096];
	uint64_t seed = 1;
	size_t len, cursor = 0, i;
	void *blob;

	(void)state;
	sb_fill(payload, sizeof(payload), &seed);
	t_assert_ok(ckvm_snapshot_writer_create(0, CKVM_SNAPSHOT_KIND_VCPU, 7, &w));
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		t_assert_ok(ckvm_snapshot_writer_add(w, (uint16_t)(0x8000 + i), (uint16_t)i,
						     payload, lens[i]));
	t_assert_ok(ckvm_snapshot_writer_set_flags(w, 0x3));
	t_assert_ok(ckvm_snapshot_writer_finish(w, &blob, &len));
	/* the writer is now empty: finishing again is an error, not a second blob */
	t_assert_err(ckvm_snapshot_writer_finish(w, &blob, &len), EINVAL);
	ckvm_snapshot_writer_free(w);

	t_assert_ok(ckvm_snapshot_parse(blob, len, &info));
	assert_int_equal(info.version_major, CKVM_SNAPSHOT_VERSION_MAJOR);
	assert_int_equal(info.version_minor, CKVM_SNAPSHOT_VERSION_MINOR);
	assert_int_equal(info.header_size, 64);
	assert_int_equal(info.arch, ckvm_snapshot_host_arch());
	assert_int_equal(info.kind, CKVM_SNAPSHOT_KIND_VCPU);
	assert_int_equal(info.flags, 3);
	assert_int_equal(info.nrecords, 7);
	assert_int_equal(info.size, len);
	assert_int_equal(info.id, 7);
	/* the header bytes are as documented */
	assert_memory_equal(blob, "CKVMSNAP", 8);
	assert_int_equal(sb_get32((uint8_t *)blob + 32), len);

	for (i = 0; ckvm_snapshot_next(blob, len, &cursor, &rec) == 1; i++) {
		assert_int_equal(rec.type, 0x8000 + i);
		assert_int_equal(rec.flags, i);
		assert_int_equal(rec.len, lens[i]);
		assert_int_equal(((const uint8_t *)rec.data - (const uint8_t *)blob) % 8, 0);
		if (lens[i])
			assert_memory_equal(rec.data, payload, lens[i]);
	}
	assert_int_equal(i, 7);
	assert_int_equal(ckvm_snapshot_next(blob, len, &cursor, &rec), 0);
	assert_int_equal(ckvm_snapshot_find(blob, len, 0x8005, &rec), 1);
	assert_int_equal(rec.len, 100);
	assert_int_equal(ckvm_snapshot_find(blob, len, 0x1234, &rec), 0);

	/* trailing data after the blob is not part of it; blobs concatenate */
	{
		uint8_t *two = malloc(2 * len);
		struct ckvm_snapshot_info i2;

		assert_non_null(two);
		memcpy(two, blob, len);
		memcpy(two + len, blob, len);
		t_assert_ok(ckvm_snapshot_parse(two, 2 * len, &i2));
		assert_int_equal(i2.size, len);
		t_assert_ok(ckvm_snapshot_parse(two + i2.size, len, &i2));
		free(two);
	}
	ckvm_snapshot_free(blob);
}

static void test_writer_errors(void **state)
{
	struct ckvm_snapshot_writer *w;
	uint8_t b = 0;
	void *blob;
	size_t len;

	(void)state;
	t_assert_err(ckvm_snapshot_writer_create(0, 1, 0, NULL), EINVAL);
	t_assert_ok(ckvm_snapshot_writer_create(0, CKVM_SNAPSHOT_KIND_VM, 0, &w));
	t_assert_err(ckvm_snapshot_writer_add(NULL, 1, 0, &b, 1), EINVAL);
	t_assert_err(ckvm_snapshot_writer_add(w, 1, 0, NULL, 1), EINVAL);
	/* too large a payload: -E2BIG, and the error sticks */
	t_assert_err(ckvm_snapshot_writer_add(w, 1, 0, &b, (size_t)CKVM_SNAPSHOT_MAX_PAYLOAD + 1),
		     E2BIG);
	t_assert_err(ckvm_snapshot_writer_add(w, 2, 0, &b, 1), E2BIG);
	t_assert_err(ckvm_snapshot_writer_finish(w, &blob, &len), E2BIG);
	ckvm_snapshot_writer_free(w);
	/* type 0 is invalid */
	t_assert_ok(ckvm_snapshot_writer_create(0, CKVM_SNAPSHOT_KIND_VM, 0, &w));
	t_assert_err(ckvm_snapshot_writer_add(w, 0, 0, &b, 1), EINVAL);
	ckvm_snapshot_writer_free(w);
	ckvm_snapshot_writer_free(NULL);
	ckvm_snapshot_free(NULL);
	t_assert_err(ckvm_snapshot_parse(NULL, 100, NULL), EINVAL);
}

static void test_record_copy(void **state)
{
	uint8_t src[16], dst[12];
	struct ckvm_snapshot_record rec = { .type = 1, .len = 4, .data = src };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i + 1);
	memset(dst, 0xee, sizeof(dst));
	/* shorter: zero-padded */
	assert_int_equal(ckvm_snapshot_record_copy(&rec, dst, sizeof(dst)), 4);
	assert_memory_equal(dst, src, 4);
	for (i = 4; i < sizeof(dst); i++)
		assert_int_equal(dst[i], 0);
	/* longer: truncated */
	rec.len = 16;
	assert_int_equal(ckvm_snapshot_record_copy(&rec, dst, sizeof(dst)), 12);
	assert_memory_equal(dst, src, 12);
}

#if defined(__x86_64__)
/* ---- x86_64 records ---------------------------------------------------- */
static void assert_vcpu_equal(const struct ckvm_x86_vcpu_state *a,
			      const struct ckvm_x86_vcpu_state *b)
{
	assert_int_equal(a->present, b->present);
	assert_int_equal(a->id, b->id);
	assert_memory_equal(&a->regs, &b->regs, sizeof(a->regs));
	assert_memory_equal(&a->sregs, &b->sregs, sizeof(a->sregs));
	assert_memory_equal(&a->sregs2, &b->sregs2, sizeof(a->sregs2));
	assert_memory_equal(&a->fpu, &b->fpu, sizeof(a->fpu));
	assert_memory_equal(&a->xcrs, &b->xcrs, sizeof(a->xcrs));
	assert_memory_equal(&a->lapic, &b->lapic, sizeof(a->lapic));
	assert_memory_equal(&a->debugregs, &b->debugregs, sizeof(a->debugregs));
	assert_memory_equal(&a->events, &b->events, sizeof(a->events));
	assert_memory_equal(&a->mp_state, &b->mp_state, sizeof(a->mp_state));
	assert_int_equal(a->tsc_khz, b->tsc_khz);
	assert_int_equal(ckvm_xsave_size(a->xsave), ckvm_xsave_size(b->xsave));
	assert_memory_equal(a->xsave, b->xsave, ckvm_xsave_size(a->xsave));
	assert_int_equal(a->msrs->nmsrs, b->msrs->nmsrs);
	assert_memory_equal(a->msrs->entries, b->msrs->entries,
			    a->msrs->nmsrs * sizeof(a->msrs->entries[0]));
	assert_int_equal(a->cpuid->nent, b->cpuid->nent);
	assert_memory_equal(a->cpuid->entries, b->cpuid->entries,
			    a->cpuid->nent * sizeof(a->cpuid->entries[0]));
	assert_int_equal(a->nested_size, b->nested_size);
	assert_memory_equal(a->nested, b->nested, a->nested_size);
}

static void test_x86_vcpu_roundtrip(void **state)
{
	static const uint16_t every[] = {
		CKVM_SNAPSHOT_REC_X86_TSC_KHZ, CKVM_SNAPSHOT_REC_X86_CPUID,
		CKVM_SNAPSHOT_REC_X86_SREGS, CKVM_SNAPSHOT_REC_X86_SREGS2,
		CKVM_SNAPSHOT_REC_X86_NESTED, CKVM_SNAPSHOT_REC_X86_MSRS,
		CKVM_SNAPSHOT_REC_X86_FPU, CKVM_SNAPSHOT_REC_X86_XCRS,
		CKVM_SNAPSHOT_REC_X86_XSAVE, CKVM_SNAPSHOT_REC_X86_LAPIC,
		CKVM_SNAPSHOT_REC_X86_DEBUGREGS, CKVM_SNAPSHOT_REC_X86_REGS,
		CKVM_SNAPSHOT_REC_X86_EVENTS, CKVM_SNAPSHOT_REC_MP_STATE,
	};
	struct ckvm_x86_vcpu_state *st = sb_synthetic_vcpu(42), *back;
	struct ckvm_snapshot_record rec;
	size_t len, i;
	void *blob = sb_encode_vcpu(st, &len);

	(void)state;
	t_assert_ok(ckvm_snapshot_validate(blob, len));
	/* every record type is written, once, in restore order */
	for (i = 0; i < sizeof(every) / sizeof(every[0]); i++) {
		size_t cursor = 0, seen = 0, k = 0;

		while (ckvm_snapshot_next(blob, len, &cursor, &rec) == 1) {
			if (rec.type == every[i]) {
				seen++;
				assert_int_equal(k, i);
			}
			k++;
		}
		assert_int_equal(seen, 1);
	}
	/* payloads are the raw kernel structs */
	assert_int_equal(ckvm_snapshot_find(blob, len, CKVM_SNAPSHOT_REC_X86_REGS, &rec), 1);
	assert_int_equal(rec.len, sizeof(struct kvm_regs));
	assert_memory_equal(rec.data, &st->regs, sizeof(st->regs));
	assert_int_equal(ckvm_snapshot_find(blob, len, CKVM_SNAPSHOT_REC_X86_MSRS, &rec), 1);
	assert_int_equal(rec.len, 8 + 40 * 16);

	t_assert_ok(ckvm_x86_vcpu_state_alloc(&back));
	t_assert_ok(ckvm_x86_vcpu_state_decode(blob, len, back));
	assert_vcpu_equal(st, back);
	/* decoding again into a used state replaces it */
	t_assert_ok(ckvm_x86_vcpu_state_decode(blob, len, back));
	assert_vcpu_equal(st, back);

	/* re-encoding the decoded state gives the same bytes */
	{
		size_t len2;
		void *blob2 = sb_encode_vcpu(back, &len2);

		assert_int_equal(len, len2);
		assert_memory_equal(blob, blob2, len);
		ckvm_snapshot_free(blob2);
	}
	/* a state with only some members */
	back->present = CKVM_X86_STATE_REGS | CKVM_X86_STATE_MP_STATE;
	{
		size_t len3;
		void *blob3 = sb_encode_vcpu(back, &len3);
		struct ckvm_x86_vcpu_state *part;

		t_assert_ok(ckvm_x86_vcpu_state_alloc(&part));
		t_assert_ok(ckvm_x86_vcpu_state_decode(blob3, len3, part));
		assert_int_equal(part->present, CKVM_X86_STATE_REGS | CKVM_X86_STATE_MP_STATE);
		assert_memory_equal(&part->regs, &st->regs, sizeof(st->regs));
		assert_null(part->msrs);
		ckvm_x86_vcpu_state_free(part);
		ckvm_snapshot_free(blob3);
	}
	ckvm_snapshot_free(blob);
	ckvm_x86_vcpu_state_free(st);
	ckvm_x86_vcpu_state_free(back);
}

/* MEM_REGIONS payload as documented. */
struct reg_entry {
	uint32_t slot, flags;
	uint64_t gpa, size, off;
};
static uint8_t *regions_payload(const struct reg_entry *e, uint32_t n, uint32_t esize,
				uint32_t psize, uint32_t *len)
{
	uint8_t *p;
	uint32_t i;

	*len = 16 + n * esize;
	p = calloc(1, *len);
	assert_non_null(p);
	sb_put32(p, n);
	sb_put32(p + 4, esize);
	sb_put32(p + 8, psize);
	for (i = 0; i < n; i++) {
		uint8_t ent[48] = { 0 };

		sb_put32(ent, e[i].slot);
		sb_put32(ent + 4, e[i].flags);
		sb_put64(ent + 8, e[i].gpa);
		sb_put64(ent + 16, e[i].size);
		sb_put64(ent + 24, e[i].off);
		memcpy(p + 16 + i * esize, ent, esize < sizeof(ent) ? esize : sizeof(ent));
	}
	return p;
}

static const struct reg_entry base_regions[2] = {
	{ 0, KVM_MEM_LOG_DIRTY_PAGES, 0, 0x100000, 0 },
	{ 1 | (1u << 16), 0, 0, 0x200000, 0x200000 }, /* address space 1 may overlap AS 0 */
};

/* A VM blob spec with every x86 VM record and a two-region table. */
static void vm_spec(struct sb *s)
{
	struct kvm_irqchip chip;
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clock;
	uint64_t seed = 7;
	uint32_t i, plen;
	uint8_t *p;

	sb_init(s, CKVM_SNAPSHOT_KIND_VM);
	for (i = 0; i < 3; i++) {
		sb_fill(&chip, sizeof(chip), &seed);
		chip.chip_id = i;
		sb_add(s, CKVM_SNAPSHOT_REC_X86_IRQCHIP, &chip, sizeof(chip));
	}
	sb_fill(&pit, sizeof(pit), &seed);
	sb_add(s, CKVM_SNAPSHOT_REC_X86_PIT2, &pit, sizeof(pit));
	sb_fill(&clock, sizeof(clock), &seed);
	sb_add(s, CKVM_SNAPSHOT_REC_X86_CLOCK, &clock, sizeof(clock));
	p = regions_payload(base_regions, 2, 32, 4096, &plen);
	sb_add(s, CKVM_SNAPSHOT_REC_MEM_REGIONS, p, plen);
	free(p);
}

static void test_x86_vm_roundtrip(void **state)
{
	struct ckvm_x86_vm_state *vs, *back;
	struct ckvm_snapshot_region reg[4];
	struct ckvm_snapshot_writer *w;
	struct sb s;
	uint8_t *b;
	void *blob;
	size_t len, len2;
	int n, i;

	(void)state;
	vm_spec(&s);
	b = sb_build(&s, &len);
	t_assert_ok(ckvm_snapshot_validate(b, len));
	t_assert_ok(ckvm_x86_vm_state_alloc(&vs));
	t_assert_ok(ckvm_x86_vm_state_decode(b, len, vs));
	assert_int_equal(vs->present, CKVM_X86_VM_STATE_PIC_MASTER | CKVM_X86_VM_STATE_PIC_SLAVE |
			 CKVM_X86_VM_STATE_IOAPIC | CKVM_X86_VM_STATE_PIT2 | CKVM_X86_VM_STATE_CLOCK);
	for (i = 0; i < 3; i++)
		assert_memory_equal(&vs->irqchip[i], s.rec[i].data, sizeof(struct kvm_irqchip));
	assert_memory_equal(&vs->pit2, s.rec[3].data, sizeof(vs->pit2));
	assert_memory_equal(&vs->clock, s.rec[4].data, sizeof(vs->clock));

	/* the region table */
	n = ckvm_snapshot_get_regions(b, len, reg, 4);
	assert_int_equal(n, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(reg[i].slot, base_regions[i].slot);
		assert_int_equal(reg[i].flags, base_regions[i].flags);
		assert_int_equal(reg[i].guest_phys_addr, base_regions[i].gpa);
		assert_int_equal(reg[i].memory_size, base_regions[i].size);
		assert_int_equal(reg[i].file_offset, base_regions[i].off);
		assert_null(reg[i].host);
	}
	assert_int_equal(ckvm_snapshot_get_regions(b, len, reg, 1), 2); /* count even if max < n */
	assert_int_equal(ckvm_snapshot_get_regions(b, len, NULL, 0), 2);

	/* encode gives back the same records */
	t_assert_ok(ckvm_snapshot_writer_create(0, CKVM_SNAPSHOT_KIND_VM, 0, &w));
	t_assert_ok(ckvm_x86_vm_state_encode(vs, w));
	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_MEM_REGIONS, 0, s.rec[5].data,
					     s.rec[5].len));
	t_assert_ok(ckvm_snapshot_writer_finish(w, &blob, &len2));
	ckvm_snapshot_writer_free(w);
	assert_int_equal(len, len2);
	assert_memory_equal(b, blob, len);
	t_assert_ok(ckvm_x86_vm_state_alloc(&back));
	t_assert_ok(ckvm_x86_vm_state_decode(blob, len2, back));
	assert_memory_equal(vs, back, sizeof(*vs));

	/* a VM blob is not a vCPU blob */
	{
		struct ckvm_x86_vcpu_state *st;

		t_assert_ok(ckvm_x86_vcpu_state_alloc(&st));
		t_assert_err(ckvm_x86_vcpu_state_decode(blob, len2, st), EINVAL);
		ckvm_x86_vcpu_state_free(st);
	}
	ckvm_snapshot_free(blob);
	ckvm_x86_vm_state_free(vs);
	ckvm_x86_vm_state_free(back);
	free(b);
	sb_free(&s);
}

/*
 * Compatibility: what a newer writer may produce (newer minor version,
 * compatible flags, a longer header, unknown and application records,
 * longer and shorter payloads, longer region entries) still loads.
 */
static void test_x86_compat(void **state)
{
	struct ckvm_x86_vcpu_state *st = sb_synthetic_vcpu(5), *back;
	struct sb s;
	struct sb_rec *r;
	uint8_t big[sizeof(struct kvm_regs) + 16];
	uint8_t *b;
	size_t len, i;
	void *blob = sb_encode_vcpu(st, &len);

	(void)state;
	sb_from_blob(&s, blob, len);
	s.minor = 9;
	s.flags = 0x1;          /* an unknown compatible flag */
	s.header_size = 128;    /* a longer header */
	sb_add(&s, 0x01f0, "future", 6);    /* unknown x86 type */
	sb_add(&s, 0x00f0, "future", 6);    /* unknown common type */
	sb_add(&s, 0x8001, "app", 3);       /* application record */
	/* REGS longer than struct kvm_regs (a grown struct): truncated */
	memcpy(big, &st->regs, sizeof(st->regs));
	memset(big + sizeof(st->regs), 0xab, 16);
	sb_set(sb_find(&s, CKVM_SNAPSHOT_REC_X86_REGS), big, sizeof(big));
	/* EVENTS shorter (an older struct): zero-padded */
	r = sb_find(&s, CKVM_SNAPSHOT_REC_X86_EVENTS);
	sb_set(r, &st->events, 40);
	/* XSAVE of only the legacy 512+64 bytes: zero-padded to 4096 */
	r = sb_find(&s, CKVM_SNAPSHOT_REC_X86_XSAVE);
	r->len = 576;
	b = sb_build(&s, &len);
	t_assert_ok(ckvm_snapshot_validate(b, len));
	t_assert_ok(ckvm_x86_vcpu_state_alloc(&back));
	t_assert_ok(ckvm_x86_vcpu_state_decode(b, len, back));
	assert_memory_equal(&back->regs, &st->regs, sizeof(st->regs));
	assert_memory_equal(&back->events, &st->events, 40);
	for (i = 40; i < sizeof(back->events); i++)
		assert_int_equal(((uint8_t *)&back->events)[i], 0);
	assert_int_equal(ckvm_xsave_size(back->xsave), 4096);
	assert_memory_equal(back->xsave, st->xsave, 576);
	for (i = 576; i < 4096; i++)
		assert_int_equal(((uint8_t *)back->xsave)[i], 0);
	assert_memory_equal(&back->sregs, &st->sregs, sizeof(st->sregs));
	free(b);
	sb_free(&s);

	/* region entries longer (48 bytes) and shorter (24: file_offset missing = 0) */
	{
		struct ckvm_snapshot_region reg[2];
		uint32_t plen;
		uint8_t *p;

		vm_spec(&s);
		r = sb_find(&s, CKVM_SNAPSHOT_REC_MEM_REGIONS);
		p = regions_payload(base_regions, 2, 48, 4096, &plen);
		sb_set(r, p, plen);
		free(p);
		b = sb_build(&s, &len);
		assert_int_equal(ckvm_snapshot_get_regions(b, len, reg, 2), 2);
		assert_int_equal(reg[1].file_offset, 0x200000);
		free(b);
		p = regions_payload(base_regions, 1, 24, 4096, &plen);
		sb_set(r, p, plen);
		free(p);
		b = sb_build(&s, &len);
		assert_int_equal(ckvm_snapshot_get_regions(b, len, reg, 2), 1);
		assert_int_equal(reg[0].memory_size, 0x100000);
		assert_int_equal(reg[0].file_offset, 0);
		free(b);
		sb_free(&s);
	}
	ckvm_snapshot_free(blob);
	ckvm_x86_vcpu_state_free(st);
	ckvm_x86_vcpu_state_free(back);
}

/* ---- the malformed-input table ---------------------------------------------- */
struct bad_case {
	const char *name;
	uint32_t kind;                       /* base blob: VCPU or VM */
	void (*spec)(struct sb *s);          /* edit the records, or NULL */
	void (*bytes)(uint8_t *b, size_t *len); /* edit the built bytes, or NULL */
	bool recrc;                          /* fix the CRC after `bytes` */
	int err;                             /* expected -errno (positive here) */
};

static void put_recrc(uint8_t *b, size_t off, uint32_t v)
{
	sb_put32(b + off, v);
}

/* header field edits */
#define HDR32(fn, off, val) static void fn(uint8_t *b, size_t *l) { (void)l; put_recrc(b, off, val); }
#define HDR16(fn, off, val) static void fn(uint8_t *b, size_t *l) { (void)l; sb_put16(b + (off), (val)); }
static void b_empty(uint8_t *b, size_t *l) { (void)b; *l = 0; }
static void b_hdr_trunc(uint8_t *b, size_t *l) { (void)b; *l = 63; }
static void b_trunc1(uint8_t *b, size_t *l) { (void)b; *l -= 1; }
static void b_trunc8(uint8_t *b, size_t *l) { (void)b; *l -= 8; }
static void b_trunc_mid(uint8_t *b, size_t *l) { (void)b; *l = *l / 2; }
static void b_magic(uint8_t *b, size_t *l) { (void)l; b[3] ^= 0x20; }
HDR16(b_major0, 8, 0)
HDR16(b_major2, 8, 2)
HDR32(b_hdr0, 12, 0)
HDR32(b_hdr56, 12, 56)
HDR32(b_hdr68, 12, 68)
HDR32(b_hdr_huge, 12, 0x7ffffff8u)
static void b_size_big(uint8_t *b, size_t *l) { sb_put64(b + 32, *l + 8); }
static void b_size_max(uint8_t *b, size_t *l) { (void)l; sb_put64(b + 32, (uint64_t)CKVM_SNAPSHOT_MAX_SIZE + 8); }
static void b_size_huge(uint8_t *b, size_t *l) { (void)l; sb_put64(b + 32, ~0ull); }
static void b_size_odd(uint8_t *b, size_t *l) { sb_put64(b + 32, *l - 4); }
static void b_size_short(uint8_t *b, size_t *l) { sb_put64(b + 32, *l - 8); }
HDR32(b_arch0, 16, 0)
HDR32(b_arch_arm, 16, CKVM_SNAPSHOT_ARCH_ARM64)
HDR32(b_kind0, 20, 0)
HDR32(b_kind9, 20, 9)
HDR32(b_incompat, 24, 0x10000)
static void b_nrec_plus(uint8_t *b, size_t *l) { (void)l; sb_put32(b + 28, sb_get32(b + 28) + 1); }
static void b_nrec_minus(uint8_t *b, size_t *l) { (void)l; sb_put32(b + 28, sb_get32(b + 28) - 1); }
HDR32(b_nrec_max, 28, 0xffffffffu)
static void b_crc(uint8_t *b, size_t *l) { (void)l; b[40] ^= 1; }
static void b_flip_payload(uint8_t *b, size_t *l) { b[*l - 8] ^= 0x80; }
/* first record header starts at 64 */
static void b_rec_type0(uint8_t *b, size_t *l) { (void)l; sb_put16(b + 64, 0); }
static void b_rec_len_over(uint8_t *b, size_t *l) { sb_put32(b + 68, (uint32_t)*l); }
static void b_rec_len_max(uint8_t *b, size_t *l) { (void)l; sb_put32(b + 68, 0xffffffffu); }
static void b_rec_len_big(uint8_t *b, size_t *l) { (void)l; sb_put32(b + 68, CKVM_SNAPSHOT_MAX_PAYLOAD + 1); }
static void b_rec_len_plus1(uint8_t *b, size_t *l) { (void)l; sb_put32(b + 68, sb_get32(b + 68) + 1); }
/* the TSC record (2nd, 8-byte payload) padded: make its length 5 and dirty byte 5 */
static void b_pad_nonzero(uint8_t *b, size_t *l)
{
	size_t second = 64 + 8 + sb_pad8(sb_get32(b + 68));

	(void)l;
	sb_put32(b + second + 4, 5);
	b[second + 8 + 5] = 1;
}

/* record edits (vCPU base: every record of the synthetic state) */
static void set_u32(struct sb *s, uint16_t type, size_t off, uint32_t v)
{
	struct sb_rec *r = sb_find(s, type);

	assert_non_null(r);
	assert_true(off + 4 <= r->len);
	sb_put32(r->data + off, v);
}
static void set_len(struct sb *s, uint16_t type, uint32_t len)
{
	struct sb_rec *r = sb_find(s, type);

	assert_non_null(r);
	assert_true(len <= r->len);
	r->len = len;
}
static void s_dup_regs(struct sb *s)
{
	struct sb_rec *r = sb_find(s, CKVM_SNAPSHOT_REC_X86_REGS);

	sb_add(s, r->type, r->data, r->len);
}
static void s_dup_mp(struct sb *s)
{
	struct sb_rec *r = sb_find(s, CKVM_SNAPSHOT_REC_MP_STATE);

	sb_add(s, r->type, r->data, r->len);
}
static void s_required(struct sb *s) { sb_add(s, 0x01f0, "x", 1)->flags = CKVM_SNAPSHOT_REC_REQUIRED; }
static void s_msrs_short(struct sb *s) { set_len(s, CKVM_SNAPSHOT_REC_X86_MSRS, 4); }
static void s_msrs_count(struct sb *s) { set_u32(s, CKVM_SNAPSHOT_REC_X86_MSRS, 0, 41); }
static void s_msrs_max(struct sb *s) { set_u32(s, CKVM_SNAPSHOT_REC_X86_MSRS, 0, 0xffffffffu); }
static void s_msrs_cut(struct sb *s) { set_len(s, CKVM_SNAPSHOT_REC_X86_MSRS, 8 + 39 * 16 + 8); }
static void s_cpuid_short(struct sb *s) { set_len(s, CKVM_SNAPSHOT_REC_X86_CPUID, 7); }
static void s_cpuid_count(struct sb *s) { set_u32(s, CKVM_SNAPSHOT_REC_X86_CPUID, 0, 21); }
static void s_cpuid_max(struct sb *s) { set_u32(s, CKVM_SNAPSHOT_REC_X86_CPUID, 0, 0x10000000u); }
static void s_xcrs_nr(struct sb *s) { set_u32(s, CKVM_SNAPSHOT_REC_X86_XCRS, 0, 17); }
static void s_xcrs_flags(struct sb *s) { set_u32(s, CKVM_SNAPSHOT_REC_X86_XCRS, 4, 1); }
static void s_dbg_flags(struct sb *s)
{
	set_u32(s, CKVM_SNAPSHOT_REC_X86_DEBUGREGS, offsetof(struct kvm_debugregs, flags), 1);
}
static void s_sregs2_flags(struct sb *s)
{
	set_u32(s, CKVM_SNAPSHOT_REC_X86_SREGS2, offsetof(struct kvm_sregs2, flags), 3);
}
static void s_tsc0(struct sb *s) { set_u32(s, CKVM_SNAPSHOT_REC_X86_TSC_KHZ, 0, 0); }
static void s_tsc_big(struct sb *s) { set_u32(s, CKVM_SNAPSHOT_REC_X86_TSC_KHZ, 0, 0x80000000u); }
static void s_tsc_empty(struct sb *s) { set_len(s, CKVM_SNAPSHOT_REC_X86_TSC_KHZ, 0); }
static void s_nested_short(struct sb *s) { set_len(s, CKVM_SNAPSHOT_REC_X86_NESTED, 6); }
static void s_nested_small(struct sb *s)
{
	set_u32(s, CKVM_SNAPSHOT_REC_X86_NESTED, offsetof(struct kvm_nested_state, size), 127);
}
static void s_nested_big(struct sb *s)
{
	set_u32(s, CKVM_SNAPSHOT_REC_X86_NESTED, offsetof(struct kvm_nested_state, size), 128 + 65);
}
static void s_mp_stopped(struct sb *s) { set_u32(s, CKVM_SNAPSHOT_REC_MP_STATE, 0, KVM_MP_STATE_STOPPED); }
static void s_mp_max(struct sb *s) { set_u32(s, CKVM_SNAPSHOT_REC_MP_STATE, 0, 0xffffffffu); }
static void s_exc_vector(struct sb *s)
{
	struct sb_rec *r = sb_find(s, CKVM_SNAPSHOT_REC_X86_EVENTS);

	r->data[offsetof(struct kvm_vcpu_events, exception.nr)] = 32;
}
static void s_exc_nmi(struct sb *s)
{
	struct sb_rec *r = sb_find(s, CKVM_SNAPSHOT_REC_X86_EVENTS);

	r->data[offsetof(struct kvm_vcpu_events, exception.nr)] = 2;
}

/* VM base edits */
static void s_chip3(struct sb *s) { set_u32(s, CKVM_SNAPSHOT_REC_X86_IRQCHIP, 0, 3); }
static void s_chip_dup(struct sb *s) { set_u32(s, CKVM_SNAPSHOT_REC_X86_IRQCHIP, 0, 2); }
static void s_pit_dup(struct sb *s)
{
	struct sb_rec *r = sb_find(s, CKVM_SNAPSHOT_REC_X86_PIT2);

	sb_add(s, r->type, r->data, r->len);
}
static void s_clock_dup(struct sb *s)
{
	struct sb_rec *r = sb_find(s, CKVM_SNAPSHOT_REC_X86_CLOCK);

	sb_add(s, r->type, r->data, r->len);
}
static void s_vm_required(struct sb *s) { sb_add(s, 0x01f0, "x", 1)->flags = CKVM_SNAPSHOT_REC_REQUIRED; }
static void regions_with(struct sb *s, const struct reg_entry *e, uint32_t n, uint32_t esize,
			 uint32_t psize)
{
	uint32_t plen;
	uint8_t *p = regions_payload(e, n, esize, psize, &plen);

	sb_set(sb_find(s, CKVM_SNAPSHOT_REC_MEM_REGIONS), p, plen);
	free(p);
}
static void s_reg_short(struct sb *s) { set_len(s, CKVM_SNAPSHOT_REC_MEM_REGIONS, 12); }
static void s_reg_count(struct sb *s) { set_u32(s, CKVM_SNAPSHOT_REC_MEM_REGIONS, 0, 3); }
static void s_reg_count_max(struct sb *s) { set_u32(s, CKVM_SNAPSHOT_REC_MEM_REGIONS, 0, 0xffffffffu); }
static void s_reg_esize0(struct sb *s) { set_u32(s, CKVM_SNAPSHOT_REC_MEM_REGIONS, 4, 0); }
static void s_reg_esize12(struct sb *s) { set_u32(s, CKVM_SNAPSHOT_REC_MEM_REGIONS, 4, 12); }
static void s_reg_esize_big(struct sb *s) { set_u32(s, CKVM_SNAPSHOT_REC_MEM_REGIONS, 4, 8192); }
static void s_reg_ps0(struct sb *s) { set_u32(s, CKVM_SNAPSHOT_REC_MEM_REGIONS, 8, 0); }
static void s_reg_ps3000(struct sb *s) { set_u32(s, CKVM_SNAPSHOT_REC_MEM_REGIONS, 8, 3000); }
static void s_reg_ps_big(struct sb *s) { set_u32(s, CKVM_SNAPSHOT_REC_MEM_REGIONS, 8, 0x80000000u); }
static void s_reg_size0(struct sb *s)
{
	struct reg_entry e[2] = { base_regions[0], base_regions[1] };

	e[1].size = 0;
	regions_with(s, e, 2, 32, 4096);
}
static void s_reg_gpa_unaligned(struct sb *s)
{
	struct reg_entry e[2] = { base_regions[0], base_regions[1] };

	e[1].gpa = 0x1800;
	regions_with(s, e, 2, 32, 4096);
}
static void s_reg_size_unaligned(struct sb *s)
{
	struct reg_entry e[2] = { base_regions[0], base_regions[1] };

	e[0].size = 0x100100;
	regions_with(s, e, 2, 32, 4096);
}
static void s_reg_off_unaligned(struct sb *s)
{
	struct reg_entry e[2] = { base_regions[0], base_regions[1] };

	e[1].off = 0x200010;
	regions_with(s, e, 2, 32, 4096);
}
static void s_reg_overlap(struct sb *s)
{
	struct reg_entry e[2] = { base_regions[0], base_regions[1] };

	e[1].slot = 1; /* now the same address space as region 0 */
	regions_with(s, e, 2, 32, 4096);
}
static void s_reg_dup_slot(struct sb *s)
{
	struct reg_entry e[2] = { base_regions[0], base_regions[1] };

	e[1].slot = 0;
	e[1].gpa = 0x100000;
	regions_with(s, e, 2, 32, 4096);
}
static void s_reg_file_overlap(struct sb *s)
{
	struct reg_entry e[2] = { base_regions[0], base_regions[1] };

	e[1].off = 0x80000;
	regions_with(s, e, 2, 32, 4096);
}
static void s_reg_gpa_wrap(struct sb *s)
{
	struct reg_entry e[2] = { base_regions[0], base_regions[1] };

	e[1].gpa = 0xfffffffffff00000ull;
	regions_with(s, e, 2, 32, 4096);
}
static void s_reg_off_huge(struct sb *s)
{
	struct reg_entry e[2] = { base_regions[0], base_regions[1] };

	e[1].off = 0x7ffffffffff00000ull;
	regions_with(s, e, 2, 32, 4096);
}
static void s_reg_dup_record(struct sb *s)
{
	struct sb_rec *r = sb_find(s, CKVM_SNAPSHOT_REC_MEM_REGIONS);

	sb_add(s, r->type, r->data, r->len);
}

#define V CKVM_SNAPSHOT_KIND_VCPU
#define M CKVM_SNAPSHOT_KIND_VM
static const struct bad_case bad_cases[] = {
	/* header */
	{ "empty", V, NULL, b_empty, false, EBADMSG },
	{ "header truncated", V, NULL, b_hdr_trunc, false, EBADMSG },
	{ "blob truncated by 1", V, NULL, b_trunc1, false, EBADMSG },
	{ "blob truncated by 8", V, NULL, b_trunc8, false, EBADMSG },
	{ "blob truncated mid-record", V, NULL, b_trunc_mid, false, EBADMSG },
	{ "bad magic", V, NULL, b_magic, true, EBADMSG },
	{ "major version 0", V, NULL, b_major0, true, EBADMSG },
	{ "major version 2", V, NULL, b_major2, true, EPROTONOSUPPORT },
	{ "header_size 0", V, NULL, b_hdr0, true, EBADMSG },
	{ "header_size 56", V, NULL, b_hdr56, true, EBADMSG },
	{ "header_size 68 (not a multiple of 8)", V, NULL, b_hdr68, true, EBADMSG },
	{ "header_size past the end", V, NULL, b_hdr_huge, true, EBADMSG },
	{ "size past the buffer", V, NULL, b_size_big, true, EBADMSG },
	{ "size over 64 MiB", V, NULL, b_size_max, true, EBADMSG },
	{ "size 2^64-1", V, NULL, b_size_huge, true, EBADMSG },
	{ "size not a multiple of 8", V, NULL, b_size_odd, true, EBADMSG },
	{ "size ends inside a record", V, NULL, b_size_short, true, EBADMSG },
	{ "arch 0", V, NULL, b_arch0, true, ENOEXEC },
	{ "arch arm64", V, NULL, b_arch_arm, true, ENOEXEC },
	{ "kind 0", V, NULL, b_kind0, true, EINVAL },
	{ "kind 9", V, NULL, b_kind9, true, EINVAL },
	{ "unknown incompatible flag", V, NULL, b_incompat, true, EPROTONOSUPPORT },
	{ "nrecords + 1", V, NULL, b_nrec_plus, true, EBADMSG },
	{ "nrecords - 1", V, NULL, b_nrec_minus, true, EBADMSG },
	{ "nrecords 2^32-1", V, NULL, b_nrec_max, true, EBADMSG },
	{ "checksum", V, NULL, b_crc, false, EBADMSG },
	{ "payload bit flip", V, NULL, b_flip_payload, false, EBADMSG },
	/* record framing */
	{ "record type 0", V, NULL, b_rec_type0, true, EBADMSG },
	{ "record length past the end", V, NULL, b_rec_len_over, true, EBADMSG },
	{ "record length 2^32-1", V, NULL, b_rec_len_max, true, EBADMSG },
	{ "record length over 16 MiB", V, NULL, b_rec_len_big, true, EBADMSG },
	{ "record length + 1 (misaligned walk)", V, NULL, b_rec_len_plus1, true, EBADMSG },
	{ "non-zero padding", V, NULL, b_pad_nonzero, true, EBADMSG },
	/* vCPU record contents */
	{ "duplicate REGS", V, s_dup_regs, NULL, false, EBADMSG },
	{ "duplicate MP_STATE", V, s_dup_mp, NULL, false, EBADMSG },
	{ "unknown REQUIRED record", V, s_required, NULL, false, EPROTONOSUPPORT },
	{ "MSRS shorter than its header", V, s_msrs_short, NULL, false, EBADMSG },
	{ "MSRS count > entries", V, s_msrs_count, NULL, false, EBADMSG },
	{ "MSRS count 2^32-1", V, s_msrs_max, NULL, false, EBADMSG },
	{ "MSRS last entry cut", V, s_msrs_cut, NULL, false, EBADMSG },
	{ "CPUID shorter than its header", V, s_cpuid_short, NULL, false, EBADMSG },
	{ "CPUID count > entries", V, s_cpuid_count, NULL, false, EBADMSG },
	{ "CPUID count 2^28", V, s_cpuid_max, NULL, false, EBADMSG },
	{ "XCRS nr_xcrs 17", V, s_xcrs_nr, NULL, false, EBADMSG },
	{ "XCRS flags", V, s_xcrs_flags, NULL, false, EBADMSG },
	{ "DEBUGREGS flags", V, s_dbg_flags, NULL, false, EBADMSG },
	{ "SREGS2 unknown flag", V, s_sregs2_flags, NULL, false, EBADMSG },
	{ "TSC_KHZ 0", V, s_tsc0, NULL, false, EBADMSG },
	{ "TSC_KHZ 2^31", V, s_tsc_big, NULL, false, EBADMSG },
	{ "TSC_KHZ empty", V, s_tsc_empty, NULL, false, EBADMSG },
	{ "NESTED shorter than size field", V, s_nested_short, NULL, false, EBADMSG },
	{ "NESTED size below header", V, s_nested_small, NULL, false, EBADMSG },
	{ "NESTED size past payload", V, s_nested_big, NULL, false, EBADMSG },
	{ "MP_STATE STOPPED (not x86)", V, s_mp_stopped, NULL, false, EBADMSG },
	{ "MP_STATE 2^32-1", V, s_mp_max, NULL, false, EBADMSG },
	{ "EVENTS exception vector 32", V, s_exc_vector, NULL, false, EBADMSG },
	{ "EVENTS exception vector NMI", V, s_exc_nmi, NULL, false, EBADMSG },
	/* VM record contents */
	{ "IRQCHIP chip_id 3", M, s_chip3, NULL, false, EBADMSG },
	{ "IRQCHIP chip twice", M, s_chip_dup, NULL, false, EBADMSG },
	{ "duplicate PIT2", M, s_pit_dup, NULL, false, EBADMSG },
	{ "duplicate CLOCK", M, s_clock_dup, NULL, false, EBADMSG },
	{ "VM unknown REQUIRED record", M, s_vm_required, NULL, false, EPROTONOSUPPORT },
	{ "regions shorter than header", M, s_reg_short, NULL, false, EBADMSG },
	{ "regions count > entries", M, s_reg_count, NULL, false, EBADMSG },
	{ "regions count 2^32-1", M, s_reg_count_max, NULL, false, EBADMSG },
	{ "regions entry_size 0", M, s_reg_esize0, NULL, false, EBADMSG },
	{ "regions entry_size 12", M, s_reg_esize12, NULL, false, EBADMSG },
	{ "regions entry_size 8192", M, s_reg_esize_big, NULL, false, EBADMSG },
	{ "regions page_size 0", M, s_reg_ps0, NULL, false, EBADMSG },
	{ "regions page_size 3000", M, s_reg_ps3000, NULL, false, EBADMSG },
	{ "regions page_size 2 GiB", M, s_reg_ps_big, NULL, false, EBADMSG },
	{ "region size 0", M, s_reg_size0, NULL, false, EBADMSG },
	{ "region gpa unaligned", M, s_reg_gpa_unaligned, NULL, false, EBADMSG },
	{ "region size unaligned", M, s_reg_size_unaligned, NULL, false, EBADMSG },
	{ "region file offset unaligned", M, s_reg_off_unaligned, NULL, false, EBADMSG },
	{ "regions overlap in one address space", M, s_reg_overlap, NULL, false, EBADMSG },
	{ "regions duplicate slot", M, s_reg_dup_slot, NULL, false, EBADMSG },
	{ "regions overlap in the file", M, s_reg_file_overlap, NULL, false, EBADMSG },
	{ "region gpa + size wraps", M, s_reg_gpa_wrap, NULL, false, EBADMSG },
	{ "region file end > 2^63", M, s_reg_off_huge, NULL, false, EBADMSG },
	{ "two region tables", M, s_reg_dup_record, NULL, false, EBADMSG },
};
#undef V
#undef M

static uint8_t *build_bad(const struct bad_case *c, size_t *len)
{
	struct sb s;
	uint8_t *b;

	if (c->kind == CKVM_SNAPSHOT_KIND_VCPU) {
		struct ckvm_x86_vcpu_state *st = sb_synthetic_vcpu(11);
		size_t l;
		void *blob = sb_encode_vcpu(st, &l);

		sb_from_blob(&s, blob, l);
		ckvm_snapshot_free(blob);
		ckvm_x86_vcpu_state_free(st);
	} else {
		vm_spec(&s);
	}
	if (c->spec)
		c->spec(&s);
	b = sb_build(&s, len);
	sb_free(&s);
	/* the untouched base must be valid, so each case tests exactly its edit */
	if (!c->spec)
		t_assert_ok(ckvm_snapshot_validate(b, *len));
	if (c->bytes) {
		size_t full = *len;
		uint64_t declared;

		c->bytes(b, len);
		/* a valid CRC over what the header now declares, so the edit itself is tested */
		declared = (uint64_t)sb_get32(b + 32) | (uint64_t)sb_get32(b + 36) << 32;
		if (c->recrc && declared >= 44)
			sb_recrc(b, declared < full ? (size_t)declared : full);
	}
	return b;
}

static void test_x86_malformed(void **state)
{
	struct ckvm_x86_vcpu_state *good = sb_synthetic_vcpu(3), *st, before;
	struct ckvm_x86_vm_state *vst, vbefore;
	size_t glen, i, failed = 0;
	void *gblob = sb_encode_vcpu(good, &glen);

	(void)state;
	t_assert_ok(ckvm_x86_vcpu_state_alloc(&st));
	t_assert_ok(ckvm_x86_vcpu_state_decode(gblob, glen, st));
	before = *st; /* pointers and values: must survive every failed decode */
	t_assert_ok(ckvm_x86_vm_state_alloc(&vst));
	memset(vst, 0x5a, sizeof(*vst));
	vbefore = *vst;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len;
		uint8_t *b = build_bad(c, &len);
		int r = ckvm_snapshot_validate(b, len);

		if (r != -c->err) {
			fprintf(stderr, "case '%s': validate = %d, expected %d\n", c->name, r, -c->err);
			failed++;
		}
		if (c->kind == CKVM_SNAPSHOT_KIND_VCPU &&
		    c->err != EINVAL /* kind edits are a VM decode's business */) {
			r = ckvm_x86_vcpu_state_decode(b, len, st);
			if (r != -c->err) {
				fprintf(stderr, "case '%s': decode = %d, expected %d\n", c->name, r,
					-c->err);
				failed++;
			}
			if (memcmp(st, &before, sizeof(before)) != 0) {
				fprintf(stderr, "case '%s': the state was changed\n", c->name);
				failed++;
			}
		}
		if (c->kind == CKVM_SNAPSHOT_KIND_VM) {
			struct ckvm_snapshot_region reg[4];

			r = ckvm_x86_vm_state_decode(b, len, vst);
			if (r != -c->err) {
				fprintf(stderr, "case '%s': vm decode = %d, expected %d\n", c->name,
					r, -c->err);
				failed++;
			}
			r = ckvm_snapshot_get_regions(b, len, reg, 4);
			if (r != -c->err) {
				fprintf(stderr, "case '%s': get_regions = %d, expected %d\n", c->name,
					r, -c->err);
				failed++;
			}
			if (memcmp(vst, &vbefore, sizeof(vbefore)) != 0) {
				fprintf(stderr, "case '%s': the VM state was changed\n", c->name);
				failed++;
			}
		}
		free(b);
	}
	/* the good blob still decodes into the same state afterwards */
	t_assert_ok(ckvm_x86_vcpu_state_decode(gblob, glen, st));
	assert_vcpu_equal(good, st);
	ckvm_x86_vcpu_state_free(st);
	ckvm_x86_vcpu_state_free(good);
	ckvm_x86_vm_state_free(vst);
	ckvm_snapshot_free(gblob);
	assert_int_equal(failed, 0);
}

/* ---- committed fixtures ---------------------------------------------------- */
static void *read_file(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	long n;
	void *buf;

	snprintf(path, sizeof(path), "%s/tests/data/%s", CKVM_SOURCE_ROOT, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open fixture %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The values the fixture guest (tests/snapshot/guests.S: fixture_guest) set. */
static uint64_t find_msr(const struct kvm_msrs *m, uint32_t index, bool *found)
{
	uint32_t i;

	for (i = 0; i < m->nmsrs; i++)
		if (m->entries[i].index == index) {
			*found = true;
			return m->entries[i].data;
		}
	*found = false;
	return 0;
}

static void test_x86_fixtures(void **state)
{
	struct ckvm_x86_vcpu_state *st;
	struct ckvm_x86_vm_state *vs;
	struct ckvm_snapshot_region reg[2];
	struct ckvm_snapshot_info info;
	size_t len;
	bool found;
	void *b;

	(void)state;
	b = read_file("snapshot-v1.0-x86_64-vcpu.bin", &len);
	t_assert_ok(ckvm_snapshot_parse(b, len, &info));
	assert_int_equal(info.version_major, 1);
	assert_int_equal(info.version_minor, 0);
	t_assert_ok(ckvm_snapshot_validate(b, len));
	t_assert_ok(ckvm_x86_vcpu_state_alloc(&st));
	t_assert_ok(ckvm_x86_vcpu_state_decode(b, len, st));
	assert_true(st->present & CKVM_X86_STATE_REGS);
	assert_true(st->present & CKVM_X86_STATE_XSAVE);
	assert_true(st->present & CKVM_X86_STATE_MSRS);
	assert_true(st->present & CKVM_X86_STATE_LAPIC);
	assert_int_equal(st->regs.rbx, 0x1111222233334444ull);
	assert_int_equal(st->regs.r15, 0x0f0f0f0f0f0f0f0full);
	/* CR0.PG|PE, EFER.LMA|LME: the guest is in long mode */
	assert_int_equal(st->sregs.cr0 & 0x80000001u, 0x80000001u);
	assert_int_equal(st->sregs.efer & 0x500, 0x500);
	/* XMM1 = 0x5555...: legacy area offset 160 + 16 */
	{
		const uint8_t *x = (const uint8_t *)st->xsave->region + 160 + 16;
		int k;

		for (k = 0; k < 16; k++)
			assert_int_equal(x[k], 0x55);
	}
	assert_int_equal(find_msr(st->msrs, 0xc0000102 /* KERNEL_GS_BASE */, &found),
			 0xfffffacecafe0000ull);
	assert_true(found);
	assert_int_equal(st->mp_state.mp_state, KVM_MP_STATE_RUNNABLE);
	ckvm_x86_vcpu_state_free(st);
	free(b);

	b = read_file("snapshot-v1.0-x86_64-vm.bin", &len);
	t_assert_ok(ckvm_snapshot_validate(b, len));
	t_assert_ok(ckvm_x86_vm_state_alloc(&vs));
	t_assert_ok(ckvm_x86_vm_state_decode(b, len, vs));
	assert_int_equal(vs->present, CKVM_X86_VM_STATE_PIC_MASTER | CKVM_X86_VM_STATE_PIC_SLAVE |
			 CKVM_X86_VM_STATE_IOAPIC | CKVM_X86_VM_STATE_PIT2 | CKVM_X86_VM_STATE_CLOCK);
	assert_int_equal(ckvm_snapshot_get_regions(b, len, reg, 2), 1);
	assert_int_equal(reg[0].slot, 0);
	assert_int_equal(reg[0].guest_phys_addr, 0);
	assert_int_equal(reg[0].memory_size, 0x100000);
	ckvm_x86_vm_state_free(vs);
	free(b);
}
#endif /* __x86_64__ */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c),
		cmocka_unit_test(test_writer_parse),
		cmocka_unit_test(test_writer_errors),
		cmocka_unit_test(test_record_copy),
#if defined(__x86_64__)
		cmocka_unit_test(test_x86_vcpu_roundtrip),
		cmocka_unit_test(test_x86_vm_roundtrip),
		cmocka_unit_test(test_x86_compat),
		cmocka_unit_test(test_x86_malformed),
		cmocka_unit_test(test_x86_fixtures),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
