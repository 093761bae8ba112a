/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_debug.c (kvm) - KVM_SET_GUEST_DEBUG on arm64: a hardware
 * breakpoint (ckvm_arm64_guest_debug_set_hw_bp) stops the guest at the
 * instruction with a debug exit of class 0x30 at that PC; single-step
 * stops after one instruction (class 0x32); clearing debug lets the guest
 * finish.
 */
#include "a64.h"

#include <errno.h>
#include <string.h>

static void test_hw_breakpoint(void **state)
{
	struct a64_guest g;
	struct kvm_guest_debug dbg;
	struct ckvm_exit e;
	uint64_t bp;

	(void)state;
	a64_guest_create(&g, 0);
	t_require_cap(g.kvm, KVM_CAP_SET_GUEST_DEBUG);
	t_require_cap(g.kvm, KVM_CAP_GUEST_DEBUG_HW_BPS);
	a64_guest_add_vcpu(&g, 0);
	a64_guest_load_code(&g, a64_debug);
	bp = a64_guest_sym(a64_debug, a64_debug_bp);
	memset(&dbg, 0, sizeof(dbg));
	t_assert_ok(ckvm_arm64_guest_debug_set_hw_bp(&dbg, 0, bp));
	t_assert_ok(ckvm_vcpu_set_guest_debug(g.vcpu, &dbg));
	e = a64_run_expect(&g, CKVM_EXIT_DEBUG);
	assert_int_equal(ckvm_arm64_debug_exit_ec(&e), 0x30);
	assert_int_equal(t_get_reg64(g.vcpu, ckvm_arm64_reg_pc()), bp);
	/* the instruction at the breakpoint has not run yet */
	assert_int_equal(t_get_reg64(g.vcpu, ckvm_arm64_reg_x(1)), 1);

	/* single-step from here: one instruction (the add), then a step exit */
	memset(&dbg, 0, sizeof(dbg));
	dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
	t_assert_ok(ckvm_vcpu_set_guest_debug(g.vcpu, &dbg));
	e = a64_run_expect(&g, CKVM_EXIT_DEBUG);
	assert_int_equal(ckvm_arm64_debug_exit_ec(&e), 0x32);
	assert_int_equal(t_get_reg64(g.vcpu, ckvm_arm64_reg_pc()), bp + 4);
	assert_int_equal(t_get_reg64(g.vcpu, ckvm_arm64_reg_x(1)), 2);

	/* no debug: the guest stores x1 and powers off */
	memset(&dbg, 0, sizeof(dbg));
	t_assert_ok(ckvm_vcpu_set_guest_debug(g.vcpu, &dbg));
	e = a64_run_expect(&g, CKVM_EXIT_MMIO_WRITE);
	assert_int_equal(e.mmio.len, 8);
	assert_int_equal(*(uint64_t *)(void *)e.mmio.data, 2);
	a64_run_to_system_off(&g);
	a64_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hw_breakpoint),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
