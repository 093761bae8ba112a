/* SPDX-License-Identifier: MIT */
/*
 * ckvm/fam.h - helpers for the kernel's flexible-array structs.
 *
 * A FAM struct allocated here is the kernel struct itself (pass it straight
 * to the kernel or to ckvm), preceded by a hidden header that keeps its
 * capacity apart from the count field the kernel rewrites (nent, nmsrs, nr,
 * n). Allocation sets the count to 0 and zeroes every entry; push appends
 * within the capacity; query functions that fill a FAM set the count to the
 * capacity before the ioctl and grow-and-retry on E2BIG themselves.
 *
 * Sizes are overflow-checked: a capacity above the type's limit gives
 * -E2BIG, an allocation failure -ENOMEM. Free with the matching _free()
 * (NULL ok); never pass these pointers to free().
 *
 * The x86-only FAM types (kvm_cpuid2, kvm_msrs, kvm_msr_list, kvm_xsave) are
 * in ckvm/x86_64.h.
 *
 * Thread rules: no internal locking. An object belongs to one thread at a
 * time (including while a ckvm call fills it); different objects may be
 * used concurrently. ckvm_fam_bytes() is pure and callable from any thread.
 */
#ifndef CKVM_FAM_H
#define CKVM_FAM_H

#include <ckvm/common.h>

CKVM_BEGIN_DECLS

/* Upper limits on capacity (the kernel's own limits are lower or equal). */
#define CKVM_MAX_IRQ_ROUTES 4096u   /* KVM_MAX_IRQ_ROUTES */
#define CKVM_MAX_REG_LIST 65536u

/* kvm_irq_routing (count field: nr). */
CKVM_API int ckvm_irq_routing_alloc(uint32_t capacity, struct kvm_irq_routing **out);
CKVM_API void ckvm_irq_routing_free(struct kvm_irq_routing *r);
CKVM_API uint32_t ckvm_irq_routing_capacity(const struct kvm_irq_routing *r);
/* Append; -E2BIG when full, -EINVAL on NULL. */
CKVM_API int ckvm_irq_routing_push(struct kvm_irq_routing *r,
				   const struct kvm_irq_routing_entry *e);
/* Convenience pushes for the common entry types. */
CKVM_API int ckvm_irq_routing_push_irqchip(struct kvm_irq_routing *r, uint32_t gsi,
					   uint32_t irqchip, uint32_t pin);
CKVM_API int ckvm_irq_routing_push_msi(struct kvm_irq_routing *r, uint32_t gsi,
				       uint64_t address, uint32_t data);
/* Grow (or shrink, not below nr) the capacity; *r may move. */
CKVM_API int ckvm_irq_routing_reserve(struct kvm_irq_routing **r, uint32_t capacity);

/* kvm_reg_list (count field: n). */
CKVM_API int ckvm_reg_list_alloc(uint64_t capacity, struct kvm_reg_list **out);
CKVM_API void ckvm_reg_list_free(struct kvm_reg_list *l);
CKVM_API uint64_t ckvm_reg_list_capacity(const struct kvm_reg_list *l);
CKVM_API int ckvm_reg_list_push(struct kvm_reg_list *l, uint64_t id);
CKVM_API int ckvm_reg_list_reserve(struct kvm_reg_list **l, uint64_t capacity);

/*
 * Generic engine behind every FAM helper, exported for the arch files and for
 * callers with FAM structs ckvm does not know: header of hdr_size bytes with
 * the count at count_offset (count_size 4 or 8 bytes; 0 for a struct without
 * a count field, which then supports alloc/free/capacity/reserve only),
 * entries of entry_size, at most max entries. A description with
 * entry_size 0, another count_size or a count outside the header is -EINVAL.
 * reserve() on a NULL *p allocates; it refuses (-EINVAL) a capacity below
 * the current count. set_count() refuses a count above the capacity (-E2BIG).
 */
struct ckvm_fam_type {
	size_t hdr_size;
	size_t entry_size;
	size_t count_offset;
	size_t count_size;
	uint64_t max;
};
/* Overflow-checked byte size of the kernel struct with capacity entries. */
CKVM_API int ckvm_fam_bytes(const struct ckvm_fam_type *t, uint64_t capacity, size_t *bytes);
CKVM_API int ckvm_fam_alloc(const struct ckvm_fam_type *t, uint64_t capacity, void **out);
CKVM_API void ckvm_fam_free(void *p);
CKVM_API uint64_t ckvm_fam_capacity(const void *p);
CKVM_API uint64_t ckvm_fam_count(const struct ckvm_fam_type *t, const void *p);
CKVM_API int ckvm_fam_set_count(const struct ckvm_fam_type *t, void *p, uint64_t count);
CKVM_API int ckvm_fam_push(const struct ckvm_fam_type *t, void *p, const void *entry);
CKVM_API int ckvm_fam_reserve(const struct ckvm_fam_type *t, void **p, uint64_t capacity);

CKVM_END_DECLS

#endif
