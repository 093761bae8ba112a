/* SPDX-License-Identifier: MIT */
/*
 * test_vm_dirty.c (kvm) - dirty-page tracking against a guest:
 * KVM_GET_DIRTY_LOG reports exactly the pages the guest wrote (and not host
 * writes) and resets itself; with KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 it does
 * not, and KVM_CLEAR_DIRTY_LOG clears exactly the given bits (also with
 * KVM_DIRTY_LOG_INITIALLY_SET); the dirty ring reports the guest's pages and
 * KVM_RESET_DIRTY_RINGS re-arms them.
 */
#include "core_guest.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define PAGES 128u /* two bitmap words */

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static unsigned popcount_bitmap(const uint64_t *bm, size_t words)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < words; i++)
		n += (unsigned)__builtin_popcountll(bm[i]);
	return n;
}

static int bit(const uint64_t *bm, unsigned page)
{
	return !!(bm[page / 64] & (1ULL << (page % 64)));
}

static void get_log(struct t_guest *g, uint64_t *bm)
{
	memset(bm, 0xee, 2 * sizeof(*bm));
	t_assert_ok(ckvm_vm_get_dirty_log(g->vm, CORE_SLOT, PAGES * page_size(), bm, 2));
}

static void guest_write_page(struct t_guest *g, struct ckvm_vcpu *v, unsigned page, uint32_t val)
{
	assert_int_equal(core_do(g, v, OP_WRITE32, CORE_SLOT_GPA + page * page_size() + 8, val),
			 CORE_OP_DONE);
}

static void test_dirty_log_words(void **state)
{
	size_t ps = page_size();

	(void)state;
	assert_int_equal(ckvm_dirty_log_words(0), 0);
	assert_int_equal(ckvm_dirty_log_words(1), 1);
	assert_int_equal(ckvm_dirty_log_words(64 * ps), 1);
	assert_int_equal(ckvm_dirty_log_words(64 * ps + 1), 2);
	assert_int_equal(ckvm_dirty_log_words(PAGES * ps), 2);
}

static void test_get_dirty_log(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v;
	uint64_t bm[2];
	uint8_t *mem = core_map(PAGES * page_size());

	(void)state;
	memset(&g, 0, sizeof(g));
	v = core_guest(&g);
	t_assert_ok(core_slot(g.vm, CORE_SLOT, KVM_MEM_LOG_DIRTY_PAGES, CORE_SLOT_GPA, mem,
			      PAGES * page_size()));
	get_log(&g, bm);
	assert_int_equal(popcount_bitmap(bm, 2), 0);
	/* the guest dirties pages 3 and 70; the host writes page 9 (not tracked) */
	guest_write_page(&g, v, 3, 1);
	guest_write_page(&g, v, 70, 2);
	mem[9 * page_size()] = 1;
	get_log(&g, bm);
	assert_int_equal(popcount_bitmap(bm, 2), 2);
	assert_true(bit(bm, 3) && bit(bm, 70));
	/* without manual protect, reading the log reset it */
	get_log(&g, bm);
	assert_int_equal(popcount_bitmap(bm, 2), 0);
	/* and the pages are write-protected again: a new write shows up again */
	guest_write_page(&g, v, 3, 3);
	get_log(&g, bm);
	assert_int_equal(popcount_bitmap(bm, 2), 1);
	assert_true(bit(bm, 3));
	/* a short bitmap is refused before the ioctl; a slot without logging fails */
	t_assert_err(ckvm_vm_get_dirty_log(g.vm, CORE_SLOT, PAGES * page_size(), bm, 1), EINVAL);
	t_assert_err(ckvm_vm_get_dirty_log(g.vm, CORE_SLOT, PAGES * page_size(), NULL, 2), EINVAL);
	t_assert_err(ckvm_vm_get_dirty_log(g.vm, 0, T_MIN_MEM, (uint64_t[64]){ 0 }, 64), ENOENT);
	t_assert_err(ckvm_vm_get_dirty_log(g.vm, 9, PAGES * page_size(), bm, 2), ENOENT);
	t_guest_destroy(&g);
	core_unmap(mem, PAGES * page_size());
}

static void test_manual_protect_and_clear(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v;
	uint64_t bm[2], clr[2];
	uint8_t *mem = core_map(PAGES * page_size());
	int caps;

	(void)state;
	memset(&g, 0, sizeof(g));
	v = core_guest(&g);
	caps = ckvm_vm_check_extension(g.vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2);
	if (caps <= 0)
		t_skip("needs KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2");
	assert_true(caps & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE);
	t_assert_err(ckvm_vm_enable_manual_dirty_log_protect(g.vm, 1ULL << 40), EINVAL);
	t_assert_ok(ckvm_vm_enable_manual_dirty_log_protect(g.vm, KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE));
	t_assert_ok(core_slot(g.vm, CORE_SLOT, KVM_MEM_LOG_DIRTY_PAGES, CORE_SLOT_GPA, mem,
			      PAGES * page_size()));
	guest_write_page(&g, v, 5, 1);
	guest_write_page(&g, v, 6, 1);
	guest_write_page(&g, v, 100, 1);
	get_log(&g, bm);
	assert_int_equal(popcount_bitmap(bm, 2), 3);
	assert_true(bit(bm, 5) && bit(bm, 6) && bit(bm, 100));
	/* manual protect: reading does not reset */
	get_log(&g, bm);
	assert_int_equal(popcount_bitmap(bm, 2), 3);
	/* clear pages 5 and 100 only */
	clr[0] = 1ULL << 5;
	clr[1] = 1ULL << (100 - 64);
	t_assert_ok(ckvm_vm_clear_dirty_log(g.vm, CORE_SLOT, 0, PAGES, clr));
	get_log(&g, bm);
	assert_int_equal(popcount_bitmap(bm, 2), 1);
	assert_true(bit(bm, 6));
	/* cleared pages are write-protected again: the guest dirties page 5 anew */
	guest_write_page(&g, v, 5, 2);
	get_log(&g, bm);
	assert_int_equal(popcount_bitmap(bm, 2), 2);
	assert_true(bit(bm, 5) && bit(bm, 6));
	/* a range in the second word only: first_page 64 */
	clr[0] = ~0ULL;
	t_assert_ok(ckvm_vm_clear_dirty_log(g.vm, CORE_SLOT, 0, 64, clr));
	get_log(&g, bm);
	assert_int_equal(popcount_bitmap(bm, 2), 0);
	guest_write_page(&g, v, 65, 3);
	clr[0] = 1ULL << 1; /* page 64 + 1 */
	t_assert_ok(ckvm_vm_clear_dirty_log(g.vm, CORE_SLOT, 64, 64, clr));
	get_log(&g, bm);
	assert_int_equal(popcount_bitmap(bm, 2), 0);
	/* alignment and range rules */
	t_assert_err(ckvm_vm_clear_dirty_log(g.vm, CORE_SLOT, 3, 64, clr), EINVAL);
	t_assert_err(ckvm_vm_clear_dirty_log(g.vm, CORE_SLOT, 0, 3, clr), EINVAL);
	t_assert_err(ckvm_vm_clear_dirty_log(g.vm, CORE_SLOT, 0, PAGES + 64, clr), EINVAL);
	t_assert_err(ckvm_vm_clear_dirty_log(g.vm, CORE_SLOT, 0, 64, NULL), EINVAL);
	t_guest_destroy(&g);
	core_unmap(mem, PAGES * page_size());
}

static void test_initially_set(void **state)
{
	struct t_guest g;
	uint64_t bm[2], clr[2];
	uint8_t *mem = core_map(PAGES * page_size());
	int caps;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	caps = ckvm_vm_check_extension(g.vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2);
	if (caps <= 0 || !(caps & KVM_DIRTY_LOG_INITIALLY_SET))
		t_skip("needs KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 with KVM_DIRTY_LOG_INITIALLY_SET");
	/* flags 0: everything the kernel supports, INITIALLY_SET included */
	t_assert_ok(ckvm_vm_enable_manual_dirty_log_protect(g.vm, 0));
	t_assert_ok(core_slot(g.vm, CORE_SLOT, KVM_MEM_LOG_DIRTY_PAGES, CORE_SLOT_GPA, mem,
			      PAGES * page_size()));
	/* every page starts dirty */
	get_log(&g, bm);
	assert_int_equal(popcount_bitmap(bm, 2), PAGES);
	/* clear the first 64: exactly those go */
	clr[0] = ~0ULL;
	t_assert_ok(ckvm_vm_clear_dirty_log(g.vm, CORE_SLOT, 0, 64, clr));
	get_log(&g, bm);
	assert_int_equal(bm[0], 0);
	assert_true(bm[1] == ~0ULL);
	t_guest_destroy(&g);
	core_unmap(mem, PAGES * page_size());
}

static void test_dirty_ring(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v;
	struct ckvm_dirty_page pages[64];
	uint8_t *mem = core_map(PAGES * page_size());
	int max, n, i, found3 = 0, found70 = 0;

	(void)state;
	memset(&g, 0, sizeof(g));
	t_watchdog(30);
	t_guest_create_vm(&g);
	max = ckvm_vm_check_extension(g.vm, KVM_CAP_DIRTY_LOG_RING_ACQ_REL);
	if (max <= 0)
		max = ckvm_vm_check_extension(g.vm, KVM_CAP_DIRTY_LOG_RING);
	if (max <= 0)
		t_skip("needs KVM_CAP_DIRTY_LOG_RING");
	/* sizes: not a power of two, not a multiple of an entry, above the maximum */
	t_assert_err(ckvm_vm_enable_dirty_ring(g.vm, 3 * 4096), EINVAL);
	t_assert_err(ckvm_vm_enable_dirty_ring(g.vm, 4096 + 8), EINVAL);
	t_assert_err(ckvm_vm_enable_dirty_ring(g.vm, (uint32_t)max * 2), EINVAL);
	assert_int_equal(ckvm_vm_dirty_ring_entries(g.vm), 0);
	/* default size: the maximum capped at 64 KiB */
	t_assert_ok(ckvm_vm_enable_dirty_ring(g.vm, 0));
	assert_int_equal(ckvm_vm_dirty_ring_entries(g.vm),
			 (max < 65536 ? (uint32_t)max : 65536u) / sizeof(struct kvm_dirty_gfn));
	t_guest_add_memory(&g, T_MIN_MEM, 0);
	t_assert_ok(core_slot(g.vm, CORE_SLOT, KVM_MEM_LOG_DIRTY_PAGES, CORE_SLOT_GPA, mem,
			      PAGES * page_size()));
	v = core_guest_vcpu(&g);
	/* too late once a vCPU exists */
	t_assert_err(ckvm_vm_enable_dirty_ring(g.vm, 4096), EINVAL);
	guest_write_page(&g, v, 3, 1);
	guest_write_page(&g, v, 70, 1);
	n = ckvm_vcpu_dirty_ring_harvest(v, pages, 64);
	assert_true(n >= 2);
	for (i = 0; i < n; i++) {
		if (pages[i].slot == CORE_SLOT && pages[i].offset == 3)
			found3 = 1;
		if (pages[i].slot == CORE_SLOT && pages[i].offset == 70)
			found70 = 1;
	}
	assert_true(found3 && found70);
	/* reset re-protects what was harvested */
	assert_true(ckvm_vm_reset_dirty_rings(g.vm) >= n);
	assert_int_equal(ckvm_vcpu_dirty_ring_harvest(v, pages, 64), 0);
	guest_write_page(&g, v, 3, 2);
	n = ckvm_vcpu_dirty_ring_harvest(v, pages, 64);
	found3 = 0;
	for (i = 0; i < n; i++)
		found3 |= pages[i].slot == CORE_SLOT && pages[i].offset == 3;
	assert_true(found3);
	assert_true(ckvm_vm_reset_dirty_rings(g.vm) >= 1);
	t_guest_destroy(&g);
	core_unmap(mem, PAGES * page_size());
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dirty_log_words),
		cmocka_unit_test(test_get_dirty_log),
	};
	/* each may skip (absent capability or device): its own meson test */
	const struct CMUnitTest alone[] = {
		cmocka_unit_test(test_manual_protect_and_clear),
		cmocka_unit_test(test_initially_set),
		cmocka_unit_test(test_dirty_ring),
	};

	ckvm_close(t_require_kvm());
	return t_main(argc, argv, tests, T_ARRAY_LEN(tests), alone, T_ARRAY_LEN(alone));
}
