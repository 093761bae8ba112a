/* SPDX-License-Identifier: MIT */
/*
 * fuzz_fam - libFuzzer target for the flexible-array (FAM) helpers.
 *
 * The input is a program: a sequence of operations on up to SLOTS live FAM
 * objects of the known types (kvm_irq_routing, kvm_reg_list and, on x86_64,
 * kvm_cpuid2, kvm_msrs, kvm_msr_list, kvm_xsave) and of generic types made up
 * by the input. A shadow model (capacity, count, checksum of the entries)
 * is kept for every object and compared after each operation:
 *   - alloc: count 0, capacity as asked, every entry zero, the whole
 *     capacity writable (ASan checks the writes); above the type's maximum
 *     it fails with -E2BIG;
 *   - push: count + 1 and the entry stored, or -E2BIG when full, nothing
 *     changed;
 *   - reserve: entries and count kept, new entries zero; below the count it
 *     fails and changes nothing;
 *   - set_count / a "kernel" rewrite of the count field, then push and
 *     reserve must still respect the capacity;
 *   - ckvm_fam_bytes() over arbitrary (hdr, entry, capacity) is either an
 *     error or the exact, non-overflowing size;
 *   - every return value is 0 or a negative errno from the documented set.
 * Allocations are kept small (capacities up to 512 entries, except for
 * requests above a type's maximum, which must fail without allocating).
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
		fprintf(stderr, "fuzz_fam: check failed: %s (line %d)\n", #cond, __LINE__); \
		abort(); \
	} \
} while (0)

#define SLOTS 4
#define SMALL_CAP 512u

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t u8(struct in *in)
{
	uint8_t v = 0;

	if (in->n) {
		v = *in->p++;
		in->n--;
	}
	return v;
}

static uint16_t u16(struct in *in) { return (uint16_t)(u8(in) | u8(in) << 8); }
static uint32_t u32(struct in *in) { return (uint32_t)u16(in) | (uint32_t)u16(in) << 16; }
static uint64_t u64(struct in *in) { return (uint64_t)u32(in) | (uint64_t)u32(in) << 32; }

enum kind {
	K_ROUTING,
	K_REGLIST,
	K_GENERIC,
#if defined(__x86_64__)
	K_CPUID,
	K_MSRS,
	K_MSRLIST,
#endif
	K_COUNT
};

struct slot {
	int live;
	enum kind kind;
	struct ckvm_fam_type t; /* the type (generic, or the known type's layout) */
	void *p;
	uint64_t cap;
	uint64_t count;
	uint64_t sum;           /* checksum of entries [0, count) */
	uint64_t sum_valid_for; /* the count sum was computed for */
};

static void layout(enum kind k, struct ckvm_fam_type *t)
{
	memset(t, 0, sizeof(*t));
	switch (k) {
	case K_ROUTING:
		t->hdr_size = offsetof(struct kvm_irq_routing, entries);
		t->entry_size = sizeof(struct kvm_irq_routing_entry);
		t->count_offset = offsetof(struct kvm_irq_routing, nr);
		t->count_size = 4;
		t->max = CKVM_MAX_IRQ_ROUTES;
		break;
	case K_REGLIST:
		t->hdr_size = offsetof(struct kvm_reg_list, reg);
		t->entry_size = 8;
		t->count_offset = offsetof(struct kvm_reg_list, n);
		t->count_size = 8;
		t->max = CKVM_MAX_REG_LIST;
		break;
#if defined(__x86_64__)
	case K_CPUID:
		t->hdr_size = offsetof(struct kvm_cpuid2, entries);
		t->entry_size = sizeof(struct kvm_cpuid_entry2);
		t->count_offset = offsetof(struct kvm_cpuid2, nent);
		t->count_size = 4;
		t->max = CKVM_MAX_CPUID_ENTRIES;
		break;
	case K_MSRS:
		t->hdr_size = offsetof(struct kvm_msrs, entries);
		t->entry_size = sizeof(struct kvm_msr_entry);
		t->count_offset = offsetof(struct kvm_msrs, nmsrs);
		t->count_size = 4;
		t->max = CKVM_MAX_MSR_ENTRIES;
		break;
	case K_MSRLIST:
		t->hdr_size = offsetof(struct kvm_msr_list, indices);
		t->entry_size = 4;
		t->count_offset = offsetof(struct kvm_msr_list, nmsrs);
		t->count_size = 4;
		t->max = CKVM_MAX_MSR_ENTRIES;
		break;
#endif
	default:
		break;
	}
}

/* A consistent generic type made from the input (small sizes). */
static void generic_type(struct in *in, struct ckvm_fam_type *t)
{
	memset(t, 0, sizeof(*t));
	t->count_size = (u8(in) & 1) ? 8 : 4;
	t->count_offset = u8(in) % 16;
	t->hdr_size = t->count_offset + t->count_size + u8(in) % 16;
	t->entry_size = 1 + u8(in) % 64;
	t->max = u16(in) % (SMALL_CAP + 1);
}

static uint8_t *entries(struct slot *s)
{
	return (uint8_t *)s->p + s->t.hdr_size;
}

/* FNV-1a, extendable: the checksum of n entries is fnv(seed, n entries). */
static uint64_t fnv(uint64_t h, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

static uint64_t checksum(struct slot *s, uint64_t n)
{
	return fnv(1469598103934665603ULL, entries(s), n * s->t.entry_size);
}

static uint64_t read_count(struct slot *s)
{
	uint64_t v = 0;

	if (s->t.count_size == 4) {
		uint32_t w;
		memcpy(&w, (uint8_t *)s->p + s->t.count_offset, 4);
		v = w;
	} else {
		memcpy(&v, (uint8_t *)s->p + s->t.count_offset, 8);
	}
	return v;
}

static void write_count(struct slot *s, uint64_t v)
{
	if (s->t.count_size == 4) {
		uint32_t w = (uint32_t)v;
		memcpy((uint8_t *)s->p + s->t.count_offset, &w, 4);
	} else {
		memcpy((uint8_t *)s->p + s->t.count_offset, &v, 8);
	}
}

static uint64_t capacity_of(struct slot *s)
{
	switch (s->kind) {
	case K_ROUTING: return ckvm_irq_routing_capacity(s->p);
	case K_REGLIST: return ckvm_reg_list_capacity(s->p);
#if defined(__x86_64__)
	case K_CPUID: return ckvm_cpuid2_capacity(s->p);
	case K_MSRS: return ckvm_msrs_capacity(s->p);
	case K_MSRLIST: return ckvm_msr_list_capacity(s->p);
#endif
	default: return ckvm_fam_capacity(s->p);
	}
}

/* Check the object against its model; the entry checksum only when deep. */
static void verify_(struct slot *s, int deep)
{
	if (!s->live)
		return;
	CHECK(capacity_of(s) == s->cap);
	CHECK(ckvm_fam_capacity(s->p) == s->cap);
	CHECK(read_count(s) == s->count);
	CHECK(ckvm_fam_count(&s->t, s->p) == s->count);
	if (deep)
		CHECK(checksum(s, s->count) == s->sum);
}

#define verify(s) verify_((s), 0)
#define verify_deep(s) verify_((s), 1)

static void release(struct slot *s)
{
	if (!s->live)
		return;
	switch (s->kind) {
	case K_ROUTING: ckvm_irq_routing_free(s->p); break;
	case K_REGLIST: ckvm_reg_list_free(s->p); break;
#if defined(__x86_64__)
	case K_CPUID: ckvm_cpuid2_free(s->p); break;
	case K_MSRS: ckvm_msrs_free(s->p); break;
	case K_MSRLIST: ckvm_msr_list_free(s->p); break;
#endif
	default: ckvm_fam_free(s->p); break;
	}
	memset(s, 0, sizeof(*s));
}

static int do_alloc(struct slot *s, enum kind k, uint64_t cap, void **out)
{
	switch (k) {
	case K_ROUTING: return ckvm_irq_routing_alloc((uint32_t)cap, (struct kvm_irq_routing **)out);
	case K_REGLIST: return ckvm_reg_list_alloc(cap, (struct kvm_reg_list **)out);
#if defined(__x86_64__)
	case K_CPUID: return ckvm_cpuid2_alloc((uint32_t)cap, (struct kvm_cpuid2 **)out);
	case K_MSRS: return ckvm_msrs_alloc((uint32_t)cap, (struct kvm_msrs **)out);
	case K_MSRLIST: return ckvm_msr_list_alloc((uint32_t)cap, (struct kvm_msr_list **)out);
#endif
	default: return ckvm_fam_alloc(&s->t, cap, out);
	}
}

static void op_alloc(struct slot *s, struct in *in)
{
	enum kind k = (enum kind)(u8(in) % K_COUNT);
	uint64_t cap;
	void *p = NULL;
	int r;

	release(s);
	s->kind = k;
	if (k == K_GENERIC)
		generic_type(in, &s->t);
	else
		layout(k, &s->t);
	cap = u16(in) % (SMALL_CAP + 1);
	if (u8(in) % 8 == 0) { /* ask for more than the maximum */
		cap = s->t.max + 1 + u32(in);
		if (k == K_REGLIST || k == K_GENERIC) /* no wrap past 2^64 */
			cap = s->t.max + 1 + u64(in) % (UINT64_MAX - s->t.max);
		if (k != K_REGLIST && k != K_GENERIC && cap > UINT32_MAX)
			cap = UINT32_MAX;
		r = do_alloc(s, k, cap, &p);
		CHECK(r == -E2BIG);
		CHECK(p == NULL);
		memset(s, 0, sizeof(*s));
		return;
	}
	r = do_alloc(s, k, cap, &p);
	if (cap > s->t.max) {
		CHECK(r == -E2BIG);
		memset(s, 0, sizeof(*s));
		return;
	}
	CHECK(r == 0 || r == -ENOMEM);
	if (r < 0) {
		memset(s, 0, sizeof(*s));
		return;
	}
	s->live = 1;
	s->p = p;
	s->cap = cap;
	s->count = 0;
	/* Every byte zero, every byte writable. */
	for (size_t i = 0; i < s->t.hdr_size + cap * s->t.entry_size; i++)
		CHECK(((uint8_t *)p)[i] == 0);
	memset(p, 0, s->t.hdr_size + cap * s->t.entry_size);
	s->sum = checksum(s, 0);
	s->sum_valid_for = 0;
	verify(s);
}

static int do_push(struct slot *s, const uint8_t *e)
{
	switch (s->kind) {
	case K_ROUTING: return ckvm_irq_routing_push(s->p, (const void *)e);
	case K_REGLIST: {
		uint64_t id;
		memcpy(&id, e, 8);
		return ckvm_reg_list_push(s->p, id);
	}
#if defined(__x86_64__)
	case K_CPUID: return ckvm_cpuid2_push(s->p, (const void *)e);
	case K_MSRS: {
		struct kvm_msr_entry m;
		memcpy(&m, e, sizeof(m));
		m.reserved = 0;
		memcpy((void *)e, &m, sizeof(m));
		return ckvm_msrs_push(s->p, m.index, m.data);
	}
	case K_MSRLIST: {
		uint32_t idx;
		memcpy(&idx, e, 4);
		return ckvm_msr_list_push(s->p, idx);
	}
#endif
	default: return ckvm_fam_push(&s->t, s->p, e);
	}
}

static void op_push(struct slot *s, struct in *in)
{
	uint8_t e[64] __attribute__((aligned(16)));
	uint64_t before;
	int r;

	if (!s->live)
		return;
	for (size_t i = 0; i < sizeof(e); i++)
		e[i] = u8(in);
	before = read_count(s);
	r = do_push(s, e);
	if (before >= s->cap) {
		CHECK(r == -E2BIG);
		verify(s);
		return;
	}
	CHECK(r == 0);
	CHECK(memcmp(entries(s) + before * s->t.entry_size, e, s->t.entry_size) == 0);
	s->count = before + 1;
	if (before == s->count - 1 && s->sum_valid_for == before)
		s->sum = fnv(s->sum, entries(s) + before * s->t.entry_size, s->t.entry_size);
	else
		s->sum = checksum(s, s->count);
	s->sum_valid_for = s->count;
	verify(s);
}

static int do_reserve(struct slot *s, uint64_t cap)
{
	switch (s->kind) {
	case K_ROUTING: return ckvm_irq_routing_reserve((struct kvm_irq_routing **)&s->p, (uint32_t)cap);
	case K_REGLIST: return ckvm_reg_list_reserve((struct kvm_reg_list **)&s->p, cap);
#if defined(__x86_64__)
	case K_CPUID: return ckvm_cpuid2_reserve((struct kvm_cpuid2 **)&s->p, (uint32_t)cap);
	case K_MSRS: return ckvm_msrs_reserve((struct kvm_msrs **)&s->p, (uint32_t)cap);
	case K_MSRLIST: /* no reserve for kvm_msr_list */
		return ckvm_fam_reserve(&s->t, &s->p, cap);
#endif
	default: return ckvm_fam_reserve(&s->t, &s->p, cap);
	}
}

static void op_reserve(struct slot *s, struct in *in)
{
	uint64_t cap = u16(in) % (SMALL_CAP + 1);
	void *old;
	int r;

	if (!s->live)
		return;
	if (u8(in) % 8 == 0)
		cap = s->t.max + 1 + u16(in);
	old = s->p;
	r = do_reserve(s, cap);
	if (cap > s->t.max || cap > UINT32_MAX) {
		CHECK(r == -E2BIG || r == -EINVAL);
		CHECK(s->p == old);
		verify(s);
		return;
	}
	if (cap < s->count) {
		CHECK(r < 0);
		CHECK(s->p == old);
		verify(s);
		return;
	}
	CHECK(r == 0 || r == -ENOMEM);
	if (r < 0) {
		CHECK(s->p == old);
		verify(s);
		return;
	}
	/* New entries are zero and writable. */
	for (uint64_t i = s->count * s->t.entry_size; i < cap * s->t.entry_size; i++)
		CHECK(entries(s)[i] == 0 || i < s->cap * s->t.entry_size);
	s->cap = cap;
	verify_deep(s);
	memset(entries(s) + s->count * s->t.entry_size, 0, (cap - s->count) * s->t.entry_size);
}

static void op_set_count(struct slot *s, struct in *in)
{
	uint64_t c;
	int r;

	if (!s->live)
		return;
	c = u16(in) % (s->cap + 2);
	if (u8(in) % 4 == 0)
		c = u64(in);
	if (s->t.count_size == 4 && c > UINT32_MAX)
		c = (uint32_t)c;
	r = ckvm_fam_set_count(&s->t, s->p, c);
	if (c > s->cap) {
		CHECK(r == -E2BIG || r == -EINVAL);
		verify(s);
		return;
	}
	CHECK(r == 0);
	/* Entries beyond the old count were written as zero or pushed data. */
	s->count = c;
	s->sum = checksum(s, c);
	s->sum_valid_for = c;
	verify(s);
}

/* The kernel rewrites the count field (to at most what it was given). */
static void op_kernel_count(struct slot *s, struct in *in)
{
	if (!s->live)
		return;
	s->count = u16(in) % (s->cap + 1);
	write_count(s, s->count);
	s->sum = checksum(s, s->count);
	s->sum_valid_for = s->count;
	verify(s);
}

static void op_bytes(struct in *in)
{
	struct ckvm_fam_type t;
	uint64_t cap = u64(in);
	size_t bytes = 0;
	int r;

	memset(&t, 0, sizeof(t));
	t.hdr_size = (size_t)u64(in);
	t.entry_size = (size_t)u64(in);
	t.count_offset = (size_t)u64(in);
	t.count_size = u8(in) % 10;
	t.max = u64(in);
	if (u8(in) & 1) { /* mostly sane layouts, with extreme values */
		t.count_offset = 0;
		t.count_size = 4;
		if (t.hdr_size < 4)
			t.hdr_size = 4;
	}
	r = ckvm_fam_bytes(&t, cap, &bytes);
	CHECK(r == 0 || r == -EINVAL || r == -E2BIG);
	if (r == 0) {
		size_t n;

		CHECK(cap <= t.max);
		CHECK(t.entry_size != 0);
		CHECK(!__builtin_mul_overflow((size_t)cap, t.entry_size, &n));
		CHECK(cap == (size_t)cap);
		CHECK(!__builtin_add_overflow(n, t.hdr_size, &n));
		CHECK(bytes == n);
	}
	CHECK(ckvm_fam_bytes(NULL, cap, &bytes) == -EINVAL);
}

#if defined(__x86_64__)
static void op_cpuid(struct slot *s, struct in *in)
{
	struct kvm_cpuid2 *c, *d = NULL;
	uint32_t fn = u8(in) % 8, idx = u8(in) % 4;
	struct kvm_cpuid_entry2 *e;
	int r;

	if (!s->live || s->kind != K_CPUID)
		return;
	c = s->p;
	e = ckvm_cpuid2_find(c, fn, idx);
	if (e) {
		CHECK(e >= c->entries && e < c->entries + c->nent);
		CHECK(e->function == fn);
		CHECK(!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == idx);
	} else {
		for (uint32_t i = 0; i < c->nent; i++)
			CHECK(c->entries[i].function != fn ||
			      ((c->entries[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) &&
			       c->entries[i].index != idx));
	}
	r = ckvm_cpuid2_dup(c, &d);
	CHECK(r == 0 || r == -ENOMEM);
	if (r == 0) {
		CHECK(d->nent == c->nent);
		CHECK(ckvm_cpuid2_capacity(d) >= c->nent);
		CHECK(memcmp(d->entries, c->entries, c->nent * sizeof(c->entries[0])) == 0);
		ckvm_cpuid2_free(d);
	}
}

static void op_xsave(struct in *in)
{
	struct kvm_xsave *x = NULL;
	size_t bytes = u16(in) % 16384;
	int r;

	if (u8(in) % 8 == 0)
		bytes = (size_t)(u32(in) % (1u << 20)); /* up to 1 MiB */
	r = ckvm_xsave_alloc(bytes, &x);
	if (bytes < 4096) {
		CHECK(r == -EINVAL);
		CHECK(x == NULL);
		return;
	}
	CHECK(r == 0 || r == -ENOMEM || r == -E2BIG);
	if (r < 0)
		return;
	CHECK(ckvm_xsave_size(x) == bytes);
	for (size_t i = 0; i < bytes; i++)
		CHECK(((uint8_t *)x)[i] == 0);
	memset(x, 0xff, bytes);
	ckvm_xsave_free(x);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slot slots[SLOTS];
	struct in in = { data, size };
	unsigned steps = 0;

	memset(slots, 0, sizeof(slots));
	/* NULL and garbage-free calls that must be refused. */
	CHECK(ckvm_fam_capacity(NULL) == 0);
	ckvm_fam_free(NULL);
	ckvm_irq_routing_free(NULL);
	ckvm_reg_list_free(NULL);

	while (in.n && steps++ < 256) {
		uint8_t op = u8(&in);
		struct slot *s = &slots[(op >> 4) % SLOTS];

		switch (op % 10) {
		case 0: op_alloc(s, &in); break;
		case 1: case 2: op_push(s, &in); break;
		case 3: op_reserve(s, &in); break;
		case 4: op_set_count(s, &in); break;
		case 5: op_kernel_count(s, &in); break;
		case 6: op_bytes(&in); break;
		case 7: release(s); break;
#if defined(__x86_64__)
		case 8: op_cpuid(s, &in); break;
		case 9: op_xsave(&in); break;
#endif
		default: break;
		}
	}
	for (int i = 0; i < SLOTS; i++) {
		verify_deep(&slots[i]);
		release(&slots[i]);
	}
	return 0;
}
