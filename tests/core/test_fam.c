/* SPDX-License-Identifier: MIT */
/*
 * test_fam.c (unit) - the FAM engine and every FAM type: capacity kept apart
 * from the kernel's count, zeroed allocation, bounded push, reserve, and
 * overflow-checked sizes. No /dev/kvm needed.
 */
#include "t.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#if !defined(__x86_64__)
/* Only labels in routing entries here; x86's numbers keep the test arch-neutral. */
#define KVM_IRQCHIP_PIC_MASTER 0
#define KVM_IRQCHIP_IOAPIC 2
#endif

struct demo_hdr {
	uint32_t n;
	uint32_t pad;
	uint64_t entries[];
};

static const struct ckvm_fam_type demo = {
	.hdr_size = offsetof(struct demo_hdr, entries),
	.entry_size = sizeof(uint64_t),
	.count_offset = offsetof(struct demo_hdr, n),
	.count_size = 4,
	.max = 100,
};

static int all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i])
			return 0;
	return 1;
}

static void test_engine_sizes(void **state)
{
	struct ckvm_fam_type t = demo;
	size_t bytes = 0;

	(void)state;
	t_assert_ok(ckvm_fam_bytes(&demo, 0, &bytes));
	assert_int_equal(bytes, 8);
	t_assert_ok(ckvm_fam_bytes(&demo, 100, &bytes));
	assert_int_equal(bytes, 8 + 800);
	/* above the type's limit */
	t_assert_err(ckvm_fam_bytes(&demo, 101, &bytes), E2BIG);
	/* multiplication overflow even with a huge limit */
	t.max = UINT64_MAX;
	t_assert_err(ckvm_fam_bytes(&t, UINT64_MAX / 4, &bytes), E2BIG);
	t_assert_err(ckvm_fam_bytes(&t, SIZE_MAX / 8, &bytes), E2BIG);
	t.entry_size = SIZE_MAX / 2;
	t_assert_err(ckvm_fam_bytes(&t, 3, &bytes), E2BIG);
	/* bad descriptions */
	t = demo;
	t.entry_size = 0;
	t_assert_err(ckvm_fam_bytes(&t, 1, &bytes), EINVAL);
	t = demo;
	t.count_size = 3;
	t_assert_err(ckvm_fam_bytes(&t, 1, &bytes), EINVAL);
	t = demo;
	t.count_offset = 6; /* 6 + 4 > hdr_size 8 */
	t_assert_err(ckvm_fam_bytes(&t, 1, &bytes), EINVAL);
	t_assert_err(ckvm_fam_bytes(NULL, 1, &bytes), EINVAL);
	t_assert_err(ckvm_fam_bytes(&demo, 1, NULL), EINVAL);
}

static void test_engine_alloc_push(void **state)
{
	struct demo_hdr *d = NULL;
	uint64_t v;
	unsigned i;

	(void)state;
	t_assert_err(ckvm_fam_alloc(&demo, 101, (void **)&d), E2BIG);
	assert_null(d);
	t_assert_err(ckvm_fam_alloc(&demo, 1, NULL), EINVAL);
	t_assert_ok(ckvm_fam_alloc(&demo, 3, (void **)&d));
	assert_non_null(d);
	assert_int_equal(ckvm_fam_capacity(d), 3);
	assert_int_equal(ckvm_fam_count(&demo, d), 0);
	assert_true(all_zero(d, 8 + 3 * 8));
	for (i = 0; i < 3; i++) {
		v = 0x1000 + i;
		t_assert_ok(ckvm_fam_push(&demo, d, &v));
		assert_int_equal(d->n, i + 1);
	}
	/* full: E2BIG and nothing changes */
	v = 0xdead;
	t_assert_err(ckvm_fam_push(&demo, d, &v), E2BIG);
	assert_int_equal(d->n, 3);
	assert_int_equal(d->entries[2], 0x1002);
	t_assert_err(ckvm_fam_push(&demo, d, NULL), EINVAL);
	t_assert_err(ckvm_fam_push(&demo, NULL, &v), EINVAL);
	/* the kernel rewriting the count does not change the capacity */
	d->n = 1;
	assert_int_equal(ckvm_fam_capacity(d), 3);
	t_assert_ok(ckvm_fam_set_count(&demo, d, 3));
	t_assert_err(ckvm_fam_set_count(&demo, d, 4), E2BIG);
	assert_int_equal(d->n, 3);
	ckvm_fam_free(d);
	ckvm_fam_free(NULL);
	assert_int_equal(ckvm_fam_capacity(NULL), 0);
	assert_int_equal(ckvm_fam_count(&demo, NULL), 0);
}

static void test_engine_reserve(void **state)
{
	struct demo_hdr *d = NULL;
	uint64_t v = 7;

	(void)state;
	/* reserve on NULL allocates */
	t_assert_ok(ckvm_fam_reserve(&demo, (void **)&d, 2));
	assert_non_null(d);
	assert_int_equal(ckvm_fam_capacity(d), 2);
	t_assert_ok(ckvm_fam_push(&demo, d, &v));
	v = 8;
	t_assert_ok(ckvm_fam_push(&demo, d, &v));
	/* grow: entries kept, new room zeroed */
	t_assert_ok(ckvm_fam_reserve(&demo, (void **)&d, 50));
	assert_int_equal(ckvm_fam_capacity(d), 50);
	assert_int_equal(d->n, 2);
	assert_int_equal(d->entries[0], 7);
	assert_int_equal(d->entries[1], 8);
	assert_true(all_zero(&d->entries[2], 48 * 8));
	/* shrink below the count is refused, object unchanged */
	t_assert_err(ckvm_fam_reserve(&demo, (void **)&d, 1), EINVAL);
	assert_int_equal(ckvm_fam_capacity(d), 50);
	/* above the limit */
	t_assert_err(ckvm_fam_reserve(&demo, (void **)&d, 101), E2BIG);
	assert_int_equal(ckvm_fam_capacity(d), 50);
	/* shrink to the count */
	t_assert_ok(ckvm_fam_reserve(&demo, (void **)&d, 2));
	assert_int_equal(ckvm_fam_capacity(d), 2);
	assert_int_equal(d->entries[1], 8);
	t_assert_err(ckvm_fam_reserve(&demo, NULL, 2), EINVAL);
	ckvm_fam_free(d);
}

static void test_irq_routing(void **state)
{
	struct kvm_irq_routing *r = NULL;
	struct kvm_irq_routing_entry e;
	unsigned i;

	(void)state;
	t_assert_err(ckvm_irq_routing_alloc(CKVM_MAX_IRQ_ROUTES + 1, &r), E2BIG);
	t_assert_err(ckvm_irq_routing_alloc(UINT32_MAX, &r), E2BIG);
	t_assert_err(ckvm_irq_routing_alloc(1, NULL), EINVAL);
	t_assert_ok(ckvm_irq_routing_alloc(3, &r));
	assert_int_equal(r->nr, 0);
	assert_int_equal(r->flags, 0);
	assert_int_equal(ckvm_irq_routing_capacity(r), 3);
	t_assert_ok(ckvm_irq_routing_push_irqchip(r, 4, KVM_IRQCHIP_IOAPIC, 4));
	t_assert_ok(ckvm_irq_routing_push_msi(r, 40, 0x1fee00000ULL, 0x4031));
	memset(&e, 0, sizeof(e));
	e.gsi = 5;
	e.type = KVM_IRQ_ROUTING_IRQCHIP;
	e.u.irqchip.irqchip = KVM_IRQCHIP_PIC_MASTER;
	e.u.irqchip.pin = 5;
	t_assert_ok(ckvm_irq_routing_push(r, &e));
	t_assert_err(ckvm_irq_routing_push(r, &e), E2BIG);
	t_assert_err(ckvm_irq_routing_push_msi(r, 41, 0, 0), E2BIG);
	t_assert_err(ckvm_irq_routing_push(r, NULL), EINVAL);
	t_assert_err(ckvm_irq_routing_push(NULL, &e), EINVAL);
	assert_int_equal(r->nr, 3);
	assert_int_equal(r->entries[0].gsi, 4);
	assert_int_equal(r->entries[0].type, KVM_IRQ_ROUTING_IRQCHIP);
	assert_int_equal(r->entries[0].u.irqchip.irqchip, KVM_IRQCHIP_IOAPIC);
	assert_int_equal(r->entries[0].u.irqchip.pin, 4);
	assert_int_equal(r->entries[1].type, KVM_IRQ_ROUTING_MSI);
	assert_int_equal(r->entries[1].u.msi.address_lo, 0xfee00000u);
	assert_int_equal(r->entries[1].u.msi.address_hi, 0x1);
	assert_int_equal(r->entries[1].u.msi.data, 0x4031);
	assert_int_equal(r->entries[2].u.irqchip.pin, 5);
	t_assert_ok(ckvm_irq_routing_reserve(&r, 8));
	assert_int_equal(ckvm_irq_routing_capacity(r), 8);
	for (i = 0; i < 5; i++)
		t_assert_ok(ckvm_irq_routing_push_irqchip(r, 10 + i, KVM_IRQCHIP_IOAPIC, i));
	assert_int_equal(r->nr, 8);
	assert_int_equal(r->entries[1].u.msi.data, 0x4031);
	t_assert_err(ckvm_irq_routing_reserve(&r, 7), EINVAL);
	ckvm_irq_routing_free(r);
	ckvm_irq_routing_free(NULL);
}

static void test_reg_list(void **state)
{
	struct kvm_reg_list *l = NULL;

	(void)state;
	t_assert_err(ckvm_reg_list_alloc((uint64_t)CKVM_MAX_REG_LIST + 1, &l), E2BIG);
	t_assert_err(ckvm_reg_list_alloc(UINT64_MAX, &l), E2BIG);
	t_assert_ok(ckvm_reg_list_alloc(2, &l));
	assert_int_equal(l->n, 0);
	assert_int_equal(ckvm_reg_list_capacity(l), 2);
	t_assert_ok(ckvm_reg_list_push(l, 0x6030000000100000ULL));
	t_assert_ok(ckvm_reg_list_push(l, 0x6030000000100002ULL));
	t_assert_err(ckvm_reg_list_push(l, 1), E2BIG);
	assert_int_equal(l->n, 2); /* 64-bit count field */
	assert_true(l->reg[1] == 0x6030000000100002ULL);
	t_assert_ok(ckvm_reg_list_reserve(&l, 3));
	t_assert_ok(ckvm_reg_list_push(l, 3));
	assert_int_equal(l->n, 3);
	assert_true(l->reg[0] == 0x6030000000100000ULL);
	ckvm_reg_list_free(l);
}

#if defined(__x86_64__)
static void test_cpuid2(void **state)
{
	struct kvm_cpuid2 *c = NULL, *d = NULL;
	struct kvm_cpuid_entry2 e;

	(void)state;
	t_assert_err(ckvm_cpuid2_alloc(CKVM_MAX_CPUID_ENTRIES + 1, &c), E2BIG);
	t_assert_err(ckvm_cpuid2_alloc(UINT32_MAX, &c), E2BIG);
	assert_null(c);
	t_assert_ok(ckvm_cpuid2_alloc(2, &c));
	assert_int_equal(c->nent, 0);
	assert_int_equal(ckvm_cpuid2_capacity(c), 2);
	memset(&e, 0, sizeof(e));
	e.function = 0;
	e.eax = 0xd;
	t_assert_ok(ckvm_cpuid2_push(c, &e));
	memset(&e, 0, sizeof(e));
	e.function = 7;
	e.index = 1;
	e.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	e.ebx = 0x77;
	t_assert_ok(ckvm_cpuid2_push(c, &e));
	t_assert_err(ckvm_cpuid2_push(c, &e), E2BIG);
	assert_int_equal(c->nent, 2);
	/* find: the index matters only with SIGNIFCANT_INDEX */
	assert_non_null(ckvm_cpuid2_find(c, 0, 0));
	assert_int_equal(ckvm_cpuid2_find(c, 0, 99)->eax, 0xd);
	assert_null(ckvm_cpuid2_find(c, 7, 0));
	assert_int_equal(ckvm_cpuid2_find(c, 7, 1)->ebx, 0x77);
	assert_null(ckvm_cpuid2_find(c, 0x80000000u, 0));
	assert_null(ckvm_cpuid2_find(NULL, 0, 0));
	/* dup: an independent copy with capacity = nent */
	t_assert_ok(ckvm_cpuid2_dup(c, &d));
	assert_int_equal(d->nent, 2);
	assert_int_equal(ckvm_cpuid2_capacity(d), 2);
	assert_memory_equal(d->entries, c->entries, 2 * sizeof(e));
	d->entries[0].eax = 1;
	assert_int_equal(c->entries[0].eax, 0xd);
	t_assert_err(ckvm_cpuid2_dup(NULL, &d), EINVAL);
	t_assert_err(ckvm_cpuid2_dup(c, NULL), EINVAL);
	/* reserve */
	t_assert_ok(ckvm_cpuid2_reserve(&c, 3));
	memset(&e, 0, sizeof(e));
	e.function = 0x80000000u;
	t_assert_ok(ckvm_cpuid2_push(c, &e));
	assert_non_null(ckvm_cpuid2_find(c, 0x80000000u, 0));
	ckvm_cpuid2_free(c);
	ckvm_cpuid2_free(d);
}

static void test_msrs(void **state)
{
	struct kvm_msrs *m = NULL;
	struct kvm_msr_list *l = NULL;

	(void)state;
	t_assert_err(ckvm_msrs_alloc(CKVM_MAX_MSR_ENTRIES + 1, &m), E2BIG);
	t_assert_ok(ckvm_msrs_alloc(2, &m));
	assert_int_equal(m->nmsrs, 0);
	t_assert_ok(ckvm_msrs_push(m, 0x10, 0x1234));
	t_assert_ok(ckvm_msrs_push(m, 0xc0000080, 0x500));
	t_assert_err(ckvm_msrs_push(m, 0x11, 0), E2BIG);
	assert_int_equal(m->nmsrs, 2);
	assert_int_equal(m->entries[1].index, 0xc0000080);
	assert_int_equal(m->entries[1].data, 0x500);
	assert_int_equal(m->entries[1].reserved, 0);
	t_assert_ok(ckvm_msrs_reserve(&m, 4));
	t_assert_ok(ckvm_msrs_push(m, 0x11, 1));
	assert_int_equal(m->entries[0].data, 0x1234);
	assert_int_equal(ckvm_msrs_capacity(m), 4);
	ckvm_msrs_free(m);

	t_assert_err(ckvm_msr_list_alloc(CKVM_MAX_MSR_ENTRIES + 1, &l), E2BIG);
	t_assert_ok(ckvm_msr_list_alloc(1, &l));
	t_assert_ok(ckvm_msr_list_push(l, 0x174));
	t_assert_err(ckvm_msr_list_push(l, 0x175), E2BIG);
	assert_int_equal(l->nmsrs, 1);
	assert_int_equal(l->indices[0], 0x174);
	assert_int_equal(ckvm_msr_list_capacity(l), 1);
	ckvm_msr_list_free(l);
}

static void test_xsave(void **state)
{
	struct kvm_xsave *x = NULL;

	(void)state;
	t_assert_err(ckvm_xsave_alloc(4095, &x), EINVAL);
	t_assert_err(ckvm_xsave_alloc(4096, NULL), EINVAL);
	t_assert_err(ckvm_xsave_alloc(SIZE_MAX, &x), E2BIG);
	t_assert_ok(ckvm_xsave_alloc(4096, &x));
	assert_int_equal(ckvm_xsave_size(x), 4096);
	assert_true(all_zero(x, 4096));
	ckvm_xsave_free(x);
	t_assert_ok(ckvm_xsave_alloc(11008, &x)); /* an AMX-sized area */
	assert_int_equal(ckvm_xsave_size(x), 11008);
	assert_true(all_zero(x, 11008));
	((unsigned char *)x)[11007] = 1; /* the whole size is writable (valgrind/ASan) */
	ckvm_xsave_free(x);
	assert_int_equal(ckvm_xsave_size(NULL), 0);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engine_sizes),
		cmocka_unit_test(test_engine_alloc_push),
		cmocka_unit_test(test_engine_reserve),
		cmocka_unit_test(test_irq_routing),
		cmocka_unit_test(test_reg_list),
#if defined(__x86_64__)
		cmocka_unit_test(test_cpuid2),
		cmocka_unit_test(test_msrs),
		cmocka_unit_test(test_xsave),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
