/* SPDX-License-Identifier: MIT */
/*
 * snap_test.h - helpers shared by the snapshot tests: an independent blob
 * builder written from docs/snapshot-format.md (not from src/snapshot.c, so
 * the tests check the documented bytes), and a synthetic x86_64 vCPU state.
 */
#ifndef CKVM_SNAP_TEST_H
#define CKVM_SNAP_TEST_H

#include "t.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SB_MAX_RECS 80

struct sb_rec {
	uint16_t type;
	uint16_t flags;
	uint32_t len;
	uint8_t *data; /* malloc'd, owned */
};

/* A blob described field by field; sb_build() turns it into bytes. */
struct sb {
	uint16_t major, minor;
	uint32_t header_size;
	uint32_t arch, kind, flags;
	uint64_t id;
	size_t n;
	struct sb_rec rec[SB_MAX_RECS];
};

static inline void sb_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void sb_put32(uint8_t *p, uint32_t v)
{
	sb_put16(p, (uint16_t)v);
	sb_put16(p + 2, (uint16_t)(v >> 16));
}
static inline void sb_put64(uint8_t *p, uint64_t v)
{
	sb_put32(p, (uint32_t)v);
	sb_put32(p + 4, (uint32_t)(v >> 32));
}
static inline uint32_t sb_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void sb_init(struct sb *s, uint32_t kind)
{
	memset(s, 0, sizeof(*s));
	s->major = 1;
	s->minor = 0;
	s->header_size = 64;
	s->arch = ckvm_snapshot_host_arch();
	s->kind = kind;
}

static inline struct sb_rec *sb_add(struct sb *s, uint16_t type, const void *data, uint32_t len)
{
	struct sb_rec *r;

	assert_true(s->n < SB_MAX_RECS);
	r = &s->rec[s->n++];
	r->type = type;
	r->flags = 0;
	r->len = len;
	r->data = calloc(1, len ? len : 1);
	assert_non_null(r->data);
	if (len && data)
		memcpy(r->data, data, len);
	return r;
}

static inline struct sb_rec *sb_find(struct sb *s, uint16_t type)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->rec[i].type == type)
			return &s->rec[i];
	return NULL;
}

/* Replace a record's payload (len bytes, zero-filled, copied from data if given). */
static inline void sb_set(struct sb_rec *r, const void *data, uint32_t len)
{
	free(r->data);
	r->data = calloc(1, len ? len : 1);
	assert_non_null(r->data);
	if (data && len)
		memcpy(r->data, data, len);
	r->len = len;
}

static inline void sb_free(struct sb *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->rec[i].data);
	s->n = 0;
}

/* Import every record of a blob (written by ckvm) into s. */
static inline void sb_from_blob(struct sb *s, const void *blob, size_t len)
{
	struct ckvm_snapshot_info info;
	struct ckvm_snapshot_record rec;
	size_t cursor = 0;

	t_assert_ok(ckvm_snapshot_parse(blob, len, &info));
	sb_init(s, info.kind);
	s->id = info.id;
	while (ckvm_snapshot_next(blob, len, &cursor, &rec) > 0)
		sb_add(s, rec.type, rec.data, rec.len)->flags = rec.flags;
}

static inline size_t sb_pad8(size_t n) { return (n + 7) & ~(size_t)7; }

/* Compute the CRC field of a built blob of `size` bytes. */
static inline void sb_recrc(uint8_t *b, size_t size)
{
	memset(b + 40, 0, 4);
	sb_put32(b + 40, ckvm_snapshot_crc32c(0, b, size));
}

/* Build the bytes (malloc'd) exactly as docs/snapshot-format.md describes. */
static inline uint8_t *sb_build(const struct sb *s, size_t *len)
{
	size_t size = s->header_size, i, pos;
	uint8_t *b;

	for (i = 0; i < s->n; i++)
		size += 8 + sb_pad8(s->rec[i].len);
	b = calloc(1, size);
	assert_non_null(b);
	memcpy(b, "CKVMSNAP", 8);
	sb_put16(b + 8, s->major);
	sb_put16(b + 10, s->minor);
	sb_put32(b + 12, s->header_size);
	sb_put32(b + 16, s->arch);
	sb_put32(b + 20, s->kind);
	sb_put32(b + 24, s->flags);
	sb_put32(b + 28, (uint32_t)s->n);
	sb_put64(b + 32, size);
	sb_put64(b + 48, s->id);
	pos = s->header_size;
	for (i = 0; i < s->n; i++) {
		sb_put16(b + pos, s->rec[i].type);
		sb_put16(b + pos + 2, s->rec[i].flags);
		sb_put32(b + pos + 4, s->rec[i].len);
		memcpy(b + pos + 8, s->rec[i].data, s->rec[i].len);
		pos += 8 + sb_pad8(s->rec[i].len);
	}
	sb_recrc(b, size);
	*len = size;
	return b;
}

/* Deterministic pseudo-random bytes. */
static inline uint64_t sb_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}
static inline void sb_fill(void *p, size_t len, uint64_t *seed)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)sb_rand(seed);
}

#if defined(__x86_64__)
/*
 * A full synthetic x86 vCPU state (every member present) with random
 * contents that respect the documented read checks.
 */
static inline struct ckvm_x86_vcpu_state *sb_synthetic_vcpu(uint64_t seed)
{
	struct ckvm_x86_vcpu_state *st;
	uint32_t i;

	t_assert_ok(ckvm_x86_vcpu_state_alloc(&st));
	st->id = 3;
	sb_fill(&st->regs, sizeof(st->regs), &seed);
	sb_fill(&st->sregs, sizeof(st->sregs), &seed);
	sb_fill(&st->sregs2, sizeof(st->sregs2), &seed);
	st->sregs2.flags = 1; /* PDPTRS_VALID */
	sb_fill(&st->fpu, sizeof(st->fpu), &seed);
	sb_fill(&st->xcrs, sizeof(st->xcrs), &seed);
	st->xcrs.nr_xcrs = 1;
	st->xcrs.flags = 0;
	sb_fill(&st->lapic, sizeof(st->lapic), &seed);
	sb_fill(&st->debugregs, sizeof(st->debugregs), &seed);
	st->debugregs.flags = 0;
	sb_fill(&st->events, sizeof(st->events), &seed);
	st->events.exception.injected = 1;
	st->events.exception.pending = 0;
	st->events.exception.nr = 14;
	st->mp_state.mp_state = KVM_MP_STATE_HALTED;
	st->tsc_khz = 2500000;
	t_assert_ok(ckvm_xsave_alloc(4096 + 832, &st->xsave));
	sb_fill(st->xsave, 4096 + 832, &seed);
	t_assert_ok(ckvm_msrs_alloc(40, &st->msrs));
	for (i = 0; i < 40; i++)
		t_assert_ok(ckvm_msrs_push(st->msrs, 0xc0000080 + i, sb_rand(&seed)));
	t_assert_ok(ckvm_cpuid2_alloc(20, &st->cpuid));
	for (i = 0; i < 20; i++) {
		struct kvm_cpuid_entry2 e;

		sb_fill(&e, sizeof(e), &seed);
		t_assert_ok(ckvm_cpuid2_push(st->cpuid, &e));
	}
	st->nested_size = sizeof(struct kvm_nested_state) + 64;
	st->nested = calloc(1, st->nested_size);
	assert_non_null(st->nested);
	sb_fill(st->nested, st->nested_size, &seed);
	st->nested->size = (uint32_t)st->nested_size;
	st->present = CKVM_X86_STATE_REGS | CKVM_X86_STATE_SREGS | CKVM_X86_STATE_SREGS2 |
		      CKVM_X86_STATE_FPU | CKVM_X86_STATE_XSAVE | CKVM_X86_STATE_XCRS |
		      CKVM_X86_STATE_LAPIC | CKVM_X86_STATE_MSRS | CKVM_X86_STATE_DEBUGREGS |
		      CKVM_X86_STATE_EVENTS | CKVM_X86_STATE_MP_STATE | CKVM_X86_STATE_CPUID |
		      CKVM_X86_STATE_TSC_KHZ | CKVM_X86_STATE_NESTED;
	return st;
}

/* Encode a state into a fresh vCPU blob. */
static inline void *sb_encode_vcpu(const struct ckvm_x86_vcpu_state *st, size_t *len)
{
	struct ckvm_snapshot_writer *w;
	void *blob;

	t_assert_ok(ckvm_snapshot_writer_create(0, CKVM_SNAPSHOT_KIND_VCPU, st->id, &w));
	t_assert_ok(ckvm_x86_vcpu_state_encode(st, w));
	t_assert_ok(ckvm_snapshot_writer_finish(w, &blob, len));
	ckvm_snapshot_writer_free(w);
	return blob;
}
#endif

#endif
