/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_run.c (kvm) - arm64 guests: kvm-ioctls' aarch64 run_code
 * scenario (a RAM store counted by the dirty log, an MMIO read answered by
 * the VMM, an MMIO write, PSCI SYSTEM_OFF as a SYSTEM_EVENT exit), the
 * same with the wrong MMIO value (the guest writes 0), and an immediate
 * exit.
 */
#include "a64.h"

#include <errno.h>
#include <string.h>

static void run_code(uint32_t answer, uint32_t expect_written)
{
	struct a64_guest g;
	struct ckvm_exit e;

	a64_guest_create(&g, KVM_MEM_LOG_DIRTY_PAGES);
	a64_guest_add_vcpu(&g, 0);
	a64_guest_load_code(&g, a64_run_code);

	e = a64_run_expect(&g, CKVM_EXIT_MMIO_READ);
	assert_int_equal(e.mmio.gpa, a64_mmio_gpa(&g));
	assert_int_equal(e.mmio.len, 4);
	assert_false(e.mmio.is_write);
	memcpy(e.mmio.data, &answer, sizeof(answer));

	e = a64_run_expect(&g, CKVM_EXIT_MMIO_WRITE);
	assert_int_equal(e.mmio.gpa, a64_mmio_gpa(&g));
	assert_int_equal(e.mmio.len, 4);
	assert_memory_equal(e.mmio.data, &expect_written, 4);

	a64_run_to_system_off(&g);
	/* the store to the data page is in RAM */
	assert_int_equal(*(uint32_t *)a64_gpa(&g, A64_DATA_GPA, 4), 0x55);
	/* exactly one dirty page: the data page (instruction fetches dirty nothing) */
	assert_int_equal(t_dirty_pages(g.vm, 0, g.mem_size), 1);
	a64_guest_destroy(&g);
}

static void test_run_code(void **state)
{
	(void)state;
	run_code(0x0506, 0x0304);
}

static void test_run_code_mismatch(void **state)
{
	(void)state;
	run_code(0x0507, 0);
}

static void test_immediate_exit(void **state)
{
	struct a64_guest g;

	(void)state;
	a64_guest_create(&g, 0);
	a64_guest_add_vcpu(&g, 0);
	a64_guest_load_code(&g, a64_run_code);
	t_check_immediate_exit(g.vcpu, ckvm_arm64_reg_pc(), A64_CODE_GPA);
	/* then it runs normally */
	(void)a64_run_expect(&g, CKVM_EXIT_MMIO_READ);
	a64_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_code),
		cmocka_unit_test(test_run_code_mismatch),
		cmocka_unit_test(test_immediate_exit),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
