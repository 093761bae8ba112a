/* SPDX-License-Identifier: MIT */
/*
 * fam.c - generic flexible-array-member (FAM) engine and the
 * architecture-independent FAM types (kvm_irq_routing, kvm_reg_list).
 *
 * Memory layout of every FAM object:
 *
 *   [ struct fam_hdr (32 bytes, hidden) ][ kernel struct: header + entries ]
 *                                         ^ pointer handed to the caller
 *
 * The hidden header keeps the capacity apart from the count field that the
 * kernel rewrites. It also carries a magic value so that _free() and the
 * capacity getters can reject a pointer that did not come from here in the
 * common case of a stale or foreign pointer (best effort, not a guarantee).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define FAM_MAGIC 0x636b766d66616d31ULL /* "ckvmfam1" */

struct fam_hdr {
	uint64_t magic;
	uint64_t capacity;
	uint64_t bytes;   /* size of the kernel struct part */
	uint64_t reserved;
};

_Static_assert(sizeof(struct fam_hdr) % 16 == 0, "FAM header keeps 16-byte alignment");

static struct fam_hdr *hdr_of(const void *p)
{
	struct fam_hdr *h;

	if (!p)
		return NULL;
	h = (struct fam_hdr *)((uintptr_t)p - sizeof(struct fam_hdr));
	if (h->magic != FAM_MAGIC)
		return NULL;
	return h;
}

static int type_ok(const struct ckvm_fam_type *t)
{
	if (!t || t->entry_size == 0)
		return 0;
	if (t->count_size != 0 && t->count_size != 4 && t->count_size != 8)
		return 0;
	if (t->count_size && (t->count_offset > t->hdr_size ||
			      t->hdr_size - t->count_offset < t->count_size))
		return 0;
	return 1;
}

int ckvm_fam_bytes(const struct ckvm_fam_type *t, uint64_t capacity, size_t *bytes)
{
	size_t n;

	if (!type_ok(t) || !bytes)
		return -EINVAL;
	if (capacity > t->max)
		return -E2BIG;
	if (capacity > SIZE_MAX / t->entry_size)
		return -E2BIG;
	n = (size_t)capacity * t->entry_size;
	if (n > SIZE_MAX - t->hdr_size - sizeof(struct fam_hdr))
		return -E2BIG;
	*bytes = n + t->hdr_size;
	return 0;
}

int ckvm_fam_alloc(const struct ckvm_fam_type *t, uint64_t capacity, void **out)
{
	struct fam_hdr *h;
	size_t bytes;
	int r;

	if (!out)
		return -EINVAL;
	r = ckvm_fam_bytes(t, capacity, &bytes);
	if (r < 0)
		return r;
	h = calloc(1, sizeof(*h) + bytes);
	if (!h)
		return -ENOMEM;
	h->magic = FAM_MAGIC;
	h->capacity = capacity;
	h->bytes = bytes;
	*out = h + 1;
	return 0;
}

void ckvm_fam_free(void *p)
{
	struct fam_hdr *h = hdr_of(p);

	if (!h)
		return;
	h->magic = 0;
	free(h);
}

uint64_t ckvm_fam_capacity(const void *p)
{
	struct fam_hdr *h = hdr_of(p);

	return h ? h->capacity : 0;
}

/* Size of the kernel-struct part of a FAM object (0 if p is not one). */
size_t ckvm__fam_size(const void *p)
{
	struct fam_hdr *h = hdr_of(p);

	return h ? (size_t)h->bytes : 0;
}

uint64_t ckvm_fam_count(const struct ckvm_fam_type *t, const void *p)
{
	const unsigned char *c;

	if (!type_ok(t) || !p || !t->count_size)
		return 0;
	c = (const unsigned char *)p + t->count_offset;
	if (t->count_size == 4) {
		uint32_t v;
		memcpy(&v, c, 4);
		return v;
	} else {
		uint64_t v;
		memcpy(&v, c, 8);
		return v;
	}
}

static void put_count(const struct ckvm_fam_type *t, void *p, uint64_t count)
{
	unsigned char *c = (unsigned char *)p + t->count_offset;

	if (t->count_size == 4) {
		uint32_t v = (uint32_t)count;
		memcpy(c, &v, 4);
	} else if (t->count_size == 8) {
		memcpy(c, &count, 8);
	}
}

int ckvm_fam_set_count(const struct ckvm_fam_type *t, void *p, uint64_t count)
{
	struct fam_hdr *h;

	if (!type_ok(t) || !t->count_size)
		return -EINVAL;
	h = hdr_of(p);
	if (!h)
		return -EINVAL;
	if (count > h->capacity)
		return -E2BIG;
	put_count(t, p, count);
	return 0;
}

int ckvm_fam_push(const struct ckvm_fam_type *t, void *p, const void *entry)
{
	struct fam_hdr *h;
	uint64_t n;

	if (!type_ok(t) || !t->count_size || !entry)
		return -EINVAL;
	h = hdr_of(p);
	if (!h)
		return -EINVAL;
	n = ckvm_fam_count(t, p);
	if (n >= h->capacity)
		return -E2BIG;
	memcpy((unsigned char *)p + t->hdr_size + (size_t)n * t->entry_size, entry,
	       t->entry_size);
	put_count(t, p, n + 1);
	return 0;
}

int ckvm_fam_reserve(const struct ckvm_fam_type *t, void **p, uint64_t capacity)
{
	struct fam_hdr *h, *nh;
	size_t bytes;
	int r;

	if (!p || !type_ok(t))
		return -EINVAL;
	if (!*p)
		return ckvm_fam_alloc(t, capacity, p);
	h = hdr_of(*p);
	if (!h)
		return -EINVAL;
	if (t->count_size && capacity < ckvm_fam_count(t, *p))
		return -EINVAL;
	r = ckvm_fam_bytes(t, capacity, &bytes);
	if (r < 0)
		return r;
	if (bytes == h->bytes) {
		h->capacity = capacity;
		return 0;
	}
	nh = realloc(h, sizeof(*nh) + bytes);
	if (!nh)
		return -ENOMEM;
	if (bytes > nh->bytes)
		memset((unsigned char *)(nh + 1) + nh->bytes, 0, bytes - nh->bytes);
	nh->capacity = capacity;
	nh->bytes = bytes;
	*p = nh + 1;
	return 0;
}

/* ---- kvm_irq_routing ---------------------------------------------------- */

const struct ckvm_fam_type ckvm__irq_routing_type = {
	.hdr_size = offsetof(struct kvm_irq_routing, entries),
	.entry_size = sizeof(struct kvm_irq_routing_entry),
	.count_offset = offsetof(struct kvm_irq_routing, nr),
	.count_size = sizeof(((struct kvm_irq_routing *)0)->nr),
	.max = CKVM_MAX_IRQ_ROUTES,
};

int ckvm_irq_routing_alloc(uint32_t capacity, struct kvm_irq_routing **out)
{
	return ckvm_fam_alloc(&ckvm__irq_routing_type, capacity, (void **)out);
}

void ckvm_irq_routing_free(struct kvm_irq_routing *r)
{
	ckvm_fam_free(r);
}

uint32_t ckvm_irq_routing_capacity(const struct kvm_irq_routing *r)
{
	return (uint32_t)ckvm_fam_capacity(r);
}

int ckvm_irq_routing_push(struct kvm_irq_routing *r, const struct kvm_irq_routing_entry *e)
{
	return ckvm_fam_push(&ckvm__irq_routing_type, r, e);
}

int ckvm_irq_routing_push_irqchip(struct kvm_irq_routing *r, uint32_t gsi,
				  uint32_t irqchip, uint32_t pin)
{
	struct kvm_irq_routing_entry e;

	memset(&e, 0, sizeof(e));
	e.gsi = gsi;
	e.type = KVM_IRQ_ROUTING_IRQCHIP;
	e.u.irqchip.irqchip = irqchip;
	e.u.irqchip.pin = pin;
	return ckvm_irq_routing_push(r, &e);
}

int ckvm_irq_routing_push_msi(struct kvm_irq_routing *r, uint32_t gsi,
			      uint64_t address, uint32_t data)
{
	struct kvm_irq_routing_entry e;

	memset(&e, 0, sizeof(e));
	e.gsi = gsi;
	e.type = KVM_IRQ_ROUTING_MSI;
	e.u.msi.address_lo = (uint32_t)address;
	e.u.msi.address_hi = (uint32_t)(address >> 32);
	e.u.msi.data = data;
	return ckvm_irq_routing_push(r, &e);
}

int ckvm_irq_routing_reserve(struct kvm_irq_routing **r, uint32_t capacity)
{
	return ckvm_fam_reserve(&ckvm__irq_routing_type, (void **)r, capacity);
}

/* ---- kvm_reg_list ------------------------------------------------------- */

const struct ckvm_fam_type ckvm__reg_list_type = {
	.hdr_size = offsetof(struct kvm_reg_list, reg),
	.entry_size = sizeof(__u64),
	.count_offset = offsetof(struct kvm_reg_list, n),
	.count_size = sizeof(((struct kvm_reg_list *)0)->n),
	.max = CKVM_MAX_REG_LIST,
};

int ckvm_reg_list_alloc(uint64_t capacity, struct kvm_reg_list **out)
{
	return ckvm_fam_alloc(&ckvm__reg_list_type, capacity, (void **)out);
}

void ckvm_reg_list_free(struct kvm_reg_list *l)
{
	ckvm_fam_free(l);
}

uint64_t ckvm_reg_list_capacity(const struct kvm_reg_list *l)
{
	return ckvm_fam_capacity(l);
}

int ckvm_reg_list_push(struct kvm_reg_list *l, uint64_t id)
{
	__u64 v = id;

	return ckvm_fam_push(&ckvm__reg_list_type, l, &v);
}

int ckvm_reg_list_reserve(struct kvm_reg_list **l, uint64_t capacity)
{
	return ckvm_fam_reserve(&ckvm__reg_list_type, (void **)l, capacity);
}
