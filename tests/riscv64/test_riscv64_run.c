/* SPDX-License-Identifier: MIT */
/*
 * test_riscv64_run.c (kvm) - riscv64 guests: kvm-ioctls' riscv64 run_code
 * scenario (a RAM store counted by the dirty log, an MMIO read answered by
 * the VMM, the MMIO write of 0x0607, SBI SRST shutdown as a SYSTEM_EVENT),
 * and the mismatch path.
 */
#include "rv.h"

#include <errno.h>
#include <string.h>

static void run_code(uint32_t answer, uint32_t expect_written)
{
	struct rv_guest g;
	struct ckvm_exit e;

	rv_guest_create(&g, KVM_MEM_LOG_DIRTY_PAGES);
	rv_guest_add_vcpu(&g);
	rv_guest_load_code(&g, rv_run_code);

	e = rv_run_expect(&g, CKVM_EXIT_MMIO_READ);
	assert_int_equal(e.mmio.gpa, rv_mmio_gpa(&g));
	assert_int_equal(e.mmio.len, 4);
	memcpy(e.mmio.data, &answer, sizeof(answer));

	e = rv_run_expect(&g, CKVM_EXIT_MMIO_WRITE);
	assert_int_equal(e.mmio.len, 4);
	assert_memory_equal(e.mmio.data, &expect_written, 4);

	rv_run_to_shutdown(&g);
	assert_int_equal(*(uint32_t *)rv_gpa(&g, RV_DATA_GPA, 4), 0x55);
	assert_int_equal(t_dirty_pages(g.vm, 0, g.mem_size), 1);
	rv_guest_destroy(&g);
}

static void test_run_code(void **state)
{
	(void)state;
	run_code(0x0506, 0x0607);
}

static void test_run_code_mismatch(void **state)
{
	(void)state;
	run_code(0x0505, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_code),
		cmocka_unit_test(test_run_code_mismatch),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
