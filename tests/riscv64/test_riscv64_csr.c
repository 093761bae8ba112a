/* SPDX-License-Identifier: MIT */
/*
 * test_riscv64_csr.c (kvm) - CSR accesses KVM hands to userspace: with the
 * Zkr extension, a csrrw of the seed CSR exits with CKVM_EXIT_RISCV_CSR
 * (csr number, new value, full write mask); the VMM's answer
 * (ckvm_riscv_csr_reply) is what the guest reads.
 */
#include "rv.h"

#include <errno.h>
#include <string.h>

static void test_seed_csr(void **state)
{
	struct rv_guest g;
	struct ckvm_exit e;
	bool zkr = false;

	(void)state;
	rv_guest_create(&g, 0);
	rv_guest_add_vcpu(&g);
	if (ckvm_vcpu_riscv_get_isa_ext(g.vcpu, CKVM_RISCV_ISA_EXT_ZKR, &zkr) < 0 || !zkr)
		t_skip("needs the Zkr ISA extension (seed CSR)");
	rv_guest_load_code(&g, rv_csr);
	e = rv_run_expect(&g, CKVM_EXIT_RISCV_CSR);
	assert_int_equal(e.riscv_csr.csr_num, 0x015);
	assert_int_equal(e.riscv_csr.new_value, 0x1234);
	assert_int_equal(e.riscv_csr.write_mask, ~0ul);
	t_assert_ok(ckvm_riscv_csr_reply(&e, 0x80000000000000aaul));
	assert_int_equal(rv_run_mmio_write64(&g), 0x80000000000000aaull);
	rv_run_to_shutdown(&g);
	rv_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_csr),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
