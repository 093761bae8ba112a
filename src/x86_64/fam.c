/* SPDX-License-Identifier: MIT */
/*
 * x86_64/fam.c - FAM helpers for kvm_cpuid2, kvm_msrs, kvm_msr_list and the
 * variable-size kvm_xsave buffer.
 */
#include "internal.h"

#include <string.h>

const struct ckvm_fam_type ckvm__cpuid2_type = {
	.hdr_size = offsetof(struct kvm_cpuid2, entries),
	.entry_size = sizeof(struct kvm_cpuid_entry2),
	.count_offset = offsetof(struct kvm_cpuid2, nent),
	.count_size = sizeof(((struct kvm_cpuid2 *)0)->nent),
	.max = CKVM_MAX_CPUID_ENTRIES,
};

const struct ckvm_fam_type ckvm__msrs_type = {
	.hdr_size = offsetof(struct kvm_msrs, entries),
	.entry_size = sizeof(struct kvm_msr_entry),
	.count_offset = offsetof(struct kvm_msrs, nmsrs),
	.count_size = sizeof(((struct kvm_msrs *)0)->nmsrs),
	.max = CKVM_MAX_MSR_ENTRIES,
};

const struct ckvm_fam_type ckvm__msr_list_type = {
	.hdr_size = offsetof(struct kvm_msr_list, indices),
	.entry_size = sizeof(__u32),
	.count_offset = offsetof(struct kvm_msr_list, nmsrs),
	.count_size = sizeof(((struct kvm_msr_list *)0)->nmsrs),
	.max = CKVM_MAX_MSR_ENTRIES,
};

/* kvm_xsave: a 4096-byte region followed by as many bytes as the VM needs. */
static const struct ckvm_fam_type xsave_type = {
	.hdr_size = sizeof(struct kvm_xsave),
	.entry_size = 1,
	.count_offset = 0,
	.count_size = 0, /* no count field */
	.max = 1u << 30,
};

/* ---- kvm_cpuid2 ------------------------------------------------------------ */

int ckvm_cpuid2_alloc(uint32_t capacity, struct kvm_cpuid2 **out)
{
	return ckvm_fam_alloc(&ckvm__cpuid2_type, capacity, (void **)out);
}

void ckvm_cpuid2_free(struct kvm_cpuid2 *c)
{
	ckvm_fam_free(c);
}

uint32_t ckvm_cpuid2_capacity(const struct kvm_cpuid2 *c)
{
	return (uint32_t)ckvm_fam_capacity(c);
}

int ckvm_cpuid2_push(struct kvm_cpuid2 *c, const struct kvm_cpuid_entry2 *e)
{
	return ckvm_fam_push(&ckvm__cpuid2_type, c, e);
}

int ckvm_cpuid2_reserve(struct kvm_cpuid2 **c, uint32_t capacity)
{
	return ckvm_fam_reserve(&ckvm__cpuid2_type, (void **)c, capacity);
}

int ckvm_cpuid2_dup(const struct kvm_cpuid2 *src, struct kvm_cpuid2 **out)
{
	struct kvm_cpuid2 *c;
	int r;

	if (!src || !out)
		return -EINVAL;
	r = ckvm_cpuid2_alloc(src->nent, &c);
	if (r < 0)
		return r;
	memcpy(c->entries, src->entries, (size_t)src->nent * sizeof(src->entries[0]));
	c->nent = src->nent;
	*out = c;
	return 0;
}

struct kvm_cpuid_entry2 *ckvm_cpuid2_find(struct kvm_cpuid2 *c, uint32_t function,
					  uint32_t index)
{
	uint32_t i;

	if (!c)
		return NULL;
	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function != function)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index != index)
			continue;
		return e;
	}
	return NULL;
}

/* ---- kvm_msrs -------------------------------------------------------------- */

int ckvm_msrs_alloc(uint32_t capacity, struct kvm_msrs **out)
{
	return ckvm_fam_alloc(&ckvm__msrs_type, capacity, (void **)out);
}

void ckvm_msrs_free(struct kvm_msrs *m)
{
	ckvm_fam_free(m);
}

uint32_t ckvm_msrs_capacity(const struct kvm_msrs *m)
{
	return (uint32_t)ckvm_fam_capacity(m);
}

int ckvm_msrs_push(struct kvm_msrs *m, uint32_t index, uint64_t data)
{
	struct kvm_msr_entry e;

	memset(&e, 0, sizeof(e));
	e.index = index;
	e.data = data;
	return ckvm_fam_push(&ckvm__msrs_type, m, &e);
}

int ckvm_msrs_reserve(struct kvm_msrs **m, uint32_t capacity)
{
	return ckvm_fam_reserve(&ckvm__msrs_type, (void **)m, capacity);
}

/* ---- kvm_msr_list ---------------------------------------------------------- */

int ckvm_msr_list_alloc(uint32_t capacity, struct kvm_msr_list **out)
{
	return ckvm_fam_alloc(&ckvm__msr_list_type, capacity, (void **)out);
}

void ckvm_msr_list_free(struct kvm_msr_list *l)
{
	ckvm_fam_free(l);
}

uint32_t ckvm_msr_list_capacity(const struct kvm_msr_list *l)
{
	return (uint32_t)ckvm_fam_capacity(l);
}

int ckvm_msr_list_push(struct kvm_msr_list *l, uint32_t index)
{
	__u32 v = index;

	return ckvm_fam_push(&ckvm__msr_list_type, l, &v);
}

/* ---- kvm_xsave ------------------------------------------------------------- */

int ckvm_xsave_alloc(size_t bytes, struct kvm_xsave **out)
{
	if (!out)
		return -EINVAL;
	if (bytes < sizeof(struct kvm_xsave))
		return -EINVAL;
	return ckvm_fam_alloc(&xsave_type, bytes - sizeof(struct kvm_xsave), (void **)out);
}

void ckvm_xsave_free(struct kvm_xsave *x)
{
	ckvm_fam_free(x);
}

size_t ckvm_xsave_size(const struct kvm_xsave *x)
{
	return ckvm__fam_size(x);
}
