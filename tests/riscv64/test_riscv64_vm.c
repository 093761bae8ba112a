/* SPDX-License-Identifier: MIT */
/*
 * test_riscv64_vm.c (kvm) - riscv64 VM and vCPU basics on a real KVM:
 * REG_LIST (E2BIG grow, raw E2BIG behaviour), a name for every listed
 * register and a read of exactly its size, ONE_REG round trips (pc, a0,
 * sscratch) and the short-buffer check, config.isa, ISA and SBI extension
 * registers (I and V01/TIME are on), MP state, and KVM_INTERRUPT.
 */
#include "rv.h"

#include <errno.h>
#include <string.h>

static void test_reg_list(void **state)
{
	const uint64_t must[] = { ckvm_riscv_reg_pc(), ckvm_riscv_config_reg(CKVM_RISCV_CONFIG_ISA) };
	struct rv_guest g;

	(void)state;
	rv_guest_create(&g, 0);
	rv_guest_add_vcpu(&g);
	t_check_reg_list(g.vcpu, ckvm_riscv_reg_name, 40, must, T_ARRAY_LEN(must));
	/* what the helper hides: E2BIG with the needed count written back */
	t_check_reg_list_e2big(g.vcpu);
	rv_guest_destroy(&g);
}

static void test_one_reg(void **state)
{
	struct rv_guest g;
	uint64_t v;
	uint32_t short_buf;

	(void)state;
	rv_guest_create(&g, 0);
	rv_guest_add_vcpu(&g);
	t_set_reg64(g.vcpu, ckvm_riscv_reg_pc(), RV_CODE_GPA + 0x40);
	assert_int_equal(t_get_reg64(g.vcpu, ckvm_riscv_reg_pc()), RV_CODE_GPA + 0x40);
	t_set_reg64(g.vcpu, ckvm_riscv_reg_a(0), 0xfedcba9876543210ull);
	assert_int_equal(t_get_reg64(g.vcpu, ckvm_riscv_reg_a(0)), 0xfedcba9876543210ull);
	t_set_reg64(g.vcpu, ckvm_riscv_csr_reg(CKVM_RISCV_CSR_SSCRATCH), 0x1122334455667788ull);
	assert_int_equal(t_get_reg64(g.vcpu, ckvm_riscv_csr_reg(CKVM_RISCV_CSR_SSCRATCH)),
			 0x1122334455667788ull);
	/* the vCPU starts in S-mode */
	assert_int_equal(t_get_reg64(g.vcpu, ckvm_riscv_core_reg(CKVM_RISCV_CORE_MODE)),
			 KVM_RISCV_MODE_S);
	/* a buffer shorter than the register is refused locally */
	t_assert_err(ckvm_vcpu_get_one_reg(g.vcpu, ckvm_riscv_reg_pc(), &short_buf, 4), EINVAL);
	t_assert_err(ckvm_vcpu_set_one_reg(g.vcpu, ckvm_riscv_reg_pc(), &short_buf, 4), EINVAL);
	assert_int_equal(t_get_reg64(g.vcpu, ckvm_riscv_reg_pc()), RV_CODE_GPA + 0x40);
	/* config.isa has the I and M single-letter bits */
	v = t_get_reg64(g.vcpu, ckvm_riscv_config_reg(CKVM_RISCV_CONFIG_ISA));
	assert_true(v & (1ull << ('i' - 'a')));
	/* the timer frequency is a read-only nonzero value */
	assert_true(t_get_reg64(g.vcpu, ckvm_riscv_timer_reg(CKVM_RISCV_TIMER_FREQUENCY)) > 0);
	rv_guest_destroy(&g);
}

static void test_extensions(void **state)
{
	struct rv_guest g;
	bool on = false;
	int r;

	(void)state;
	rv_guest_create(&g, 0);
	rv_guest_add_vcpu(&g);
	t_assert_ok(ckvm_vcpu_riscv_get_isa_ext(g.vcpu, CKVM_RISCV_ISA_EXT_I, &on));
	assert_true(on);
	/* the base ISA cannot be switched off */
	assert_true(ckvm_vcpu_riscv_set_isa_ext(g.vcpu, CKVM_RISCV_ISA_EXT_I, false) < 0);
	t_assert_ok(ckvm_vcpu_riscv_get_isa_ext(g.vcpu, CKVM_RISCV_ISA_EXT_I, &on));
	assert_true(on);
	/* an extension number KVM does not know */
	assert_true(ckvm_vcpu_riscv_get_isa_ext(g.vcpu, 4000, &on) < 0);
	/* SBI extension registers exist since Linux 6.4 */
	r = ckvm_vcpu_riscv_get_sbi_ext(g.vcpu, CKVM_RISCV_SBI_EXT_TIME, &on);
	if (r != -ENOENT) {
		t_assert_ok(r);
		assert_true(on);
		/* toggling an SBI extension before the first run works and reads back */
		t_assert_ok(ckvm_vcpu_riscv_get_sbi_ext(g.vcpu, CKVM_RISCV_SBI_EXT_HSM, &on));
		assert_true(on);
		t_assert_ok(ckvm_vcpu_riscv_set_sbi_ext(g.vcpu, CKVM_RISCV_SBI_EXT_HSM, false));
		t_assert_ok(ckvm_vcpu_riscv_get_sbi_ext(g.vcpu, CKVM_RISCV_SBI_EXT_HSM, &on));
		assert_false(on);
	}
	rv_guest_destroy(&g);
}

static void test_mp_state_and_interrupt(void **state)
{
	struct rv_guest g;

	(void)state;
	rv_guest_create(&g, 0);
	rv_guest_add_vcpu(&g);
	t_check_mp_state_stop(g.vcpu);
	/* without the AIA, the external interrupt line is KVM_INTERRUPT */
	t_assert_ok(ckvm_vcpu_interrupt(g.vcpu, KVM_INTERRUPT_SET));
	assert_true(t_get_reg64(g.vcpu, ckvm_riscv_csr_reg(CKVM_RISCV_CSR_SIP)) & (1ull << 9));
	t_assert_ok(ckvm_vcpu_interrupt(g.vcpu, KVM_INTERRUPT_UNSET));
	assert_false(t_get_reg64(g.vcpu, ckvm_riscv_csr_reg(CKVM_RISCV_CSR_SIP)) & (1ull << 9));
	t_assert_err(ckvm_vcpu_interrupt(g.vcpu, 5), EINVAL);
	rv_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reg_list),
		cmocka_unit_test(test_one_reg),
		cmocka_unit_test(test_extensions),
		cmocka_unit_test(test_mp_state_and_interrupt),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
