/* SPDX-License-Identifier: MIT */
/*
 * test_riscv64_sbi.c (kvm) - SBI calls KVM forwards to userspace and their
 * reply path: an experimental-range call exits with CKVM_EXIT_RISCV_SBI
 * (extension, function and arguments as the guest set them), the VMM
 * answers with ckvm_riscv_sbi_reply and the guest sees a0/a1; then a
 * legacy console putchar.
 */
#include "rv.h"

#include <errno.h>
#include <string.h>

static void test_forward_and_reply(void **state)
{
	struct rv_guest g;
	struct ckvm_exit e;
	int r;

	(void)state;
	rv_guest_create(&g, 0);
	rv_guest_add_vcpu(&g);
	/* make sure the experimental range is forwarded (-ENOENT: older kernel, on by default) */
	r = ckvm_vcpu_riscv_set_sbi_ext(g.vcpu, CKVM_RISCV_SBI_EXT_EXPERIMENTAL, true);
	assert_true(r == 0 || r == -ENOENT);
	rv_guest_load_code(&g, rv_sbi);

	e = rv_run_expect(&g, CKVM_EXIT_RISCV_SBI);
	assert_int_equal(e.riscv_sbi.extension_id, CKVM_SBI_EXT_EXPERIMENTAL_START);
	assert_int_equal(e.riscv_sbi.function_id, 3);
	assert_int_equal(e.riscv_sbi.args[0], 41);
	t_assert_ok(ckvm_riscv_sbi_reply(&e, CKVM_SBI_SUCCESS, e.riscv_sbi.args[0] + 1));
	assert_int_equal(rv_run_mmio_write64(&g), 0);  /* a0: error */
	assert_int_equal(rv_run_mmio_write64(&g), 42); /* a1: value */

	e = rv_run_expect(&g, CKVM_EXIT_RISCV_SBI);
	assert_int_equal(e.riscv_sbi.extension_id, CKVM_SBI_EXT_0_1_CONSOLE_PUTCHAR);
	assert_int_equal(e.riscv_sbi.args[0], 'K');
	t_assert_ok(ckvm_riscv_sbi_reply(&e, CKVM_SBI_SUCCESS, 0));
	assert_int_equal(rv_run_mmio_write64(&g), 0);
	rv_run_to_shutdown(&g);
	rv_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forward_and_reply),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
