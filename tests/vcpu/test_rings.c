/* SPDX-License-Identifier: MIT */
/*
 * test_rings.c - the coalesced MMIO/PIO ring and the dirty ring, with a
 * guest writing known values to known pages: exact entries, exact pages,
 * the ring-full paths of both.
 */
#include "guest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ZONE 0xe0000000ull

static void test_coalesced_mmio(void **state)
{
	struct t_guest g;
	struct kvm_coalesced_mmio ent;
	struct ckvm_exit e;
	const uint64_t n = 400; /* more than the ring holds (170 on 4 KiB pages) */
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	t_require_vm_cap(g.vm, KVM_CAP_COALESCED_MMIO);
	t_assert_ok(ckvm_vm_register_coalesced_mmio(g.vm, CKVM_IO_MMIO, ZONE, 0x1000));
	t_guest_load_code(&g, guest_coalesced);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	struct kvm_regs regs;
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	regs.rsi = n;
	t_assert_ok(ckvm_vcpu_set_regs(v, &regs));

	/* Not mapped yet. */
	t_assert_err(ckvm_vcpu_coalesced_mmio_read(v, &ent), EIO);
	t_assert_ok(ckvm_vcpu_map_coalesced_mmio_ring(v));
	t_assert_ok(ckvm_vcpu_map_coalesced_mmio_ring(v)); /* idempotent */
	assert_int_equal(ckvm_vcpu_coalesced_mmio_read(v, &ent), 0);

	/* Four writes, no exit for any of them, then the ucall. */
	assert_int_equal(t_expect_report(&g, v), 1);
	static const struct { uint64_t off; uint32_t len; uint64_t val; } want[] = {
		{ 0x00, 1, 0x11 }, { 0x10, 2, 0x2222 }, { 0x20, 4, 0x33333333 },
		{ 0x30, 8, 0x4444444444444444ull },
	};
	for (size_t i = 0; i < 4; i++) {
		uint64_t val = 0;

		assert_int_equal(ckvm_vcpu_coalesced_mmio_read(v, &ent), 1);
		assert_int_equal(ent.phys_addr, ZONE + want[i].off);
		assert_int_equal(ent.len, want[i].len);
		assert_int_equal(ent.pio, 0);
		memcpy(&val, ent.data, ent.len);
		assert_int_equal(val, want[i].val);
	}
	assert_int_equal(ckvm_vcpu_coalesced_mmio_read(v, &ent), 0);

	/*
	 * n writes of 0..n-1: when the ring is full KVM exits with a plain
	 * MMIO write. Drain the ring at every exit; the values arrive in order.
	 */
	uint64_t next = 0, via_exit = 0;
	for (;;) {
		uint64_t val = 0;
		enum t_ucall u = t_run_ucall(&g, v, &e, &val);

		while (ckvm_vcpu_coalesced_mmio_read(v, &ent) == 1) {
			assert_int_equal(ent.phys_addr, ZONE + 0x100);
			assert_int_equal(ent.len, 8);
			memcpy(&val, ent.data, 8);
			assert_int_equal(val, next);
			next++;
		}
		if (u == T_UCALL_DONE)
			break;
		assert_int_equal(u, T_UCALL_NONE);
		assert_int_equal(e.kind, CKVM_EXIT_MMIO_WRITE);
		assert_int_equal(e.mmio.gpa, ZONE + 0x100);
		memcpy(&val, e.mmio.data, 8);
		assert_int_equal(val, next);
		next++;
		via_exit++;
	}
	assert_int_equal(next, n);
	assert_true(via_exit >= 1);      /* the ring did fill up */
	assert_true(via_exit < n / 2);   /* and most writes were coalesced */
	t_assert_ok(ckvm_vm_unregister_coalesced_mmio(g.vm, CKVM_IO_MMIO, ZONE, 0x1000));
	t_guest_destroy(&g);
}

static void test_coalesced_pio(void **state)
{
	struct t_guest g;
	struct kvm_coalesced_mmio ent;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	t_require_vm_cap(g.vm, KVM_CAP_COALESCED_PIO);
	t_assert_ok(ckvm_vm_register_coalesced_mmio(g.vm, CKVM_IO_PIO, 0x70, 4));
	t_guest_load_code(&g, guest_coalesced_pio);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	t_assert_ok(ckvm_vcpu_map_coalesced_mmio_ring(v));
	t_expect_done(&g, v);
	assert_int_equal(ckvm_vcpu_coalesced_mmio_read(v, &ent), 1);
	assert_int_equal(ent.phys_addr, 0x70);
	assert_int_equal(ent.len, 1);
	assert_int_equal(ent.pio, 1);
	assert_int_equal(ent.data[0], 0x5a);
	assert_int_equal(ckvm_vcpu_coalesced_mmio_read(v, &ent), 1);
	assert_int_equal(ent.phys_addr, 0x72);
	assert_int_equal(ent.len, 2);
	assert_int_equal(ent.data[0] | ent.data[1] << 8, 0x1234);
	assert_int_equal(ckvm_vcpu_coalesced_mmio_read(v, &ent), 0);
	t_guest_destroy(&g);
}

/* Pages the harness' CPL0 code and the MMU may dirty besides the guest's data. */
static bool system_page(uint64_t gfn)
{
	uint64_t gpa = gfn << 12;

	return gpa < T_CODE_GPA + T_CODE_MAX || (gpa >= T_PD_GPA && gpa < T_DATA_GPA);
}

/*
 * Harvest the vCPU's ring into seen[] (a per-page count for data pages);
 * returns the number harvested.
 */
static int harvest(struct ckvm_vcpu *v, unsigned *seen, uint64_t npages)
{
	struct ckvm_dirty_page pages[64];
	int total = 0, r;

	while ((r = ckvm_vcpu_dirty_ring_harvest(v, pages, 64)) > 0) {
		for (int i = 0; i < r; i++) {
			uint64_t gfn = pages[i].offset;

			assert_int_equal(pages[i].slot, 0);
			if (system_page(gfn))
				continue;
			assert_true(gfn >= T_DATA_GPA / 4096);
			assert_true(gfn < T_DATA_GPA / 4096 + npages);
			seen[gfn - T_DATA_GPA / 4096]++;
		}
		total += r;
	}
	t_assert_ok(r);
	return total;
}

static void test_dirty_ring(void **state)
{
	struct t_guest g;
	struct ckvm_exit e;
	const uint64_t npages = 100;
	unsigned seen[100];
	(void)state;

	t_guest_create_vm(&g);
	t_require_vm_cap(g.vm, KVM_CAP_DIRTY_LOG_RING);
	t_assert_ok(ckvm_vm_enable_dirty_ring(g.vm, 4096)); /* 256 entries */
	assert_int_equal(ckvm_vm_dirty_ring_entries(g.vm), 256);
	t_guest_add_memory(&g, 2 << 20, KVM_MEM_LOG_DIRTY_PAGES);
	t_guest_load_code(&g, guest_dirty);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	struct kvm_regs regs;
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	regs.rsi = npages;
	regs.rdi = 1;
	t_assert_ok(ckvm_vcpu_set_regs(v, &regs));

	/* Round 1: the loader's writes from the host are not logged; the guest's are. */
	assert_int_equal(t_expect_report(&g, v), npages);
	memset(seen, 0, sizeof(seen));
	int n = harvest(v, seen, npages);
	assert_true(n >= (int)npages);
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t val;

		assert_int_equal(seen[i], 1);
		memcpy(&val, t_gpa(&g, T_DATA_GPA + i * 4096, 8), 8);
		assert_int_equal(val, (1ull << 32) | i);
	}
	/* Nothing more until the guest writes again. */
	assert_int_equal(ckvm_vcpu_dirty_ring_harvest(v, NULL, 0), 0);
	int reset = ckvm_vm_reset_dirty_rings(g.vm);
	assert_true(reset >= (int)npages);

	/* Round 2: the same pages are write-protected again and reappear. */
	assert_int_equal(t_expect_report(&g, v), npages);
	memset(seen, 0, sizeof(seen));
	harvest(v, seen, npages);
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t val;

		assert_int_equal(seen[i], 1);
		memcpy(&val, t_gpa(&g, T_DATA_GPA + i * 4096, 8), 8);
		assert_int_equal(val, (2ull << 32) | i);
	}
	(void)e;
	t_guest_destroy(&g);
}

static void test_dirty_ring_full(void **state)
{
	struct t_guest g;
	struct ckvm_exit e;
	const uint64_t npages = 400; /* more than the 256-entry ring */
	unsigned *seen = calloc(npages, sizeof(*seen));
	int fulls = 0;
	(void)state;

	t_guest_create_vm(&g);
	t_require_vm_cap(g.vm, KVM_CAP_DIRTY_LOG_RING);
	t_assert_ok(ckvm_vm_enable_dirty_ring(g.vm, 4096));
	t_guest_add_memory(&g, 4 << 20, KVM_MEM_LOG_DIRTY_PAGES);
	t_guest_load_code(&g, guest_dirty);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	struct kvm_regs regs;
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	regs.rsi = npages;
	regs.rdi = 1;
	t_assert_ok(ckvm_vcpu_set_regs(v, &regs));

	for (;;) {
		uint64_t val = 0;
		enum t_ucall u = t_run_ucall(&g, v, &e, &val);

		harvest(v, seen, npages);
		t_assert_ok(ckvm_vm_reset_dirty_rings(g.vm));
		if (u == T_UCALL_REPORT) {
			assert_int_equal(val, npages);
			break;
		}
		assert_int_equal(u, T_UCALL_NONE);
		assert_int_equal(e.kind, CKVM_EXIT_DIRTY_RING_FULL);
		assert_int_equal(e.reason, KVM_EXIT_DIRTY_RING_FULL);
		fulls++;
		assert_true(fulls < 100);
	}
	assert_true(fulls >= 1);
	/*
	 * Every page was reported. A page can be reported twice: the write in
	 * flight when the ring filled is redone after the reset re-protected it.
	 */
	unsigned dups = 0;
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t val;

		assert_true(seen[i] >= 1 && seen[i] <= 2);
		dups += seen[i] - 1;
		memcpy(&val, t_gpa(&g, T_DATA_GPA + i * 4096, 8), 8);
		assert_int_equal(val, (1ull << 32) | i);
	}
	assert_true(dups <= (unsigned)fulls);
	free(seen);
	t_guest_destroy(&g);
}

static void test_no_dirty_ring(void **state)
{
	struct t_guest g;
	struct ckvm_dirty_page p;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	t_assert_err(ckvm_vcpu_dirty_ring_harvest(v, &p, 1), ENODEV);
	t_assert_err(ckvm_vcpu_dirty_ring_harvest(v, NULL, 1), EINVAL);
	t_assert_err(ckvm_vcpu_dirty_ring_harvest(NULL, &p, 1), EINVAL);
	assert_int_equal(ckvm_vm_dirty_ring_entries(g.vm), 0);
	/* the coalesced ring: reading before mapping, NULL arguments */
	struct kvm_coalesced_mmio ent;
	t_assert_err(ckvm_vcpu_coalesced_mmio_read(v, &ent), EIO);
	t_assert_err(ckvm_vcpu_coalesced_mmio_read(v, NULL), EINVAL);
	t_assert_err(ckvm_vcpu_map_coalesced_mmio_ring(NULL), EINVAL);
	if (ckvm_vm_check_extension(g.vm, KVM_CAP_COALESCED_MMIO) > 0) {
		t_assert_ok(ckvm_vcpu_map_coalesced_mmio_ring(v));
		/* corrupt indices are refused rather than read out of bounds */
		struct kvm_coalesced_mmio_ring *ring = (void *)((uint8_t *)ckvm_vcpu_run_struct(v) +
			(size_t)ckvm_vm_check_extension(g.vm, KVM_CAP_COALESCED_MMIO) * 4096);
		if (ckvm_vcpu_run_size(v) >= (size_t)ckvm_vm_check_extension(g.vm, KVM_CAP_COALESCED_MMIO) * 4096 + 4096) {
			uint32_t first = ring->first;
			ring->first = 100000;
			t_assert_err(ckvm_vcpu_coalesced_mmio_read(v, &ent), EIO);
			ring->first = first;
			assert_int_equal(ckvm_vcpu_coalesced_mmio_read(v, &ent), 0);
		}
	}
	t_guest_destroy(&g);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_dirty_ring),
	};
	/* each may skip (absent capability or device): its own meson test */
	const struct CMUnitTest alone[] = {
		cmocka_unit_test(test_coalesced_mmio),
		cmocka_unit_test(test_coalesced_pio),
		cmocka_unit_test(test_dirty_ring),
		cmocka_unit_test(test_dirty_ring_full),
	};
	ckvm_close(t_require_kvm());
	t_watchdog(55);
	return t_main(argc, argv, tests, T_ARRAY_LEN(tests), alone, T_ARRAY_LEN(alone));
}
