/* SPDX-License-Identifier: MIT */
/*
 * test_arm64_vm.c (kvm) - arm64 system, VM and vCPU basics on a real KVM:
 * IPA limit and debug register counts, VM creation with the default (host
 * maximum) IPA size and explicit sizes (31 and limit+1 must fail),
 * preferred target and vCPU init, REG_LIST (-ENOEXEC before init, E2BIG
 * grow), ONE_REG PC/x0/V0/FPSR round trips and the short-buffer check,
 * register names for every listed id, MP state and vCPU events.
 */
#include "a64.h"

#include <errno.h>
#include <string.h>

static void test_system_caps(void **state)
{
	struct ckvm *kvm = t_require_kvm();
	struct ckvm_vm *vm = NULL;
	int limit, bps, wps;

	(void)state;
	limit = ckvm_get_host_ipa_limit(kvm);
	t_assert_ok(limit);
	assert_int_equal(limit, ckvm_check_extension(kvm, KVM_CAP_ARM_VM_IPA_SIZE));
	/* 0 (fixed 40-bit IPA) or at least 32 bits */
	assert_true(limit == 0 || (limit >= 32 && limit <= 52));
	bps = ckvm_get_guest_debug_hw_bps(kvm);
	wps = ckvm_get_guest_debug_hw_wps(kvm);
	t_assert_ok(bps);
	t_assert_ok(wps);
	assert_true(bps <= KVM_ARM_MAX_DBG_REGS && wps <= KVM_ARM_MAX_DBG_REGS);
	/* the default VM gets the largest IPA size: a VM of exactly that size works */
	t_assert_ok(ckvm_create_vm(kvm, &vm));
	ckvm_vm_close(vm);
	vm = NULL;
	if (limit > 0) {
		t_assert_ok(ckvm_create_vm_with_ipa_size(kvm, (uint32_t)limit, &vm));
		ckvm_vm_close(vm);
		vm = NULL;
		t_assert_ok(ckvm_create_vm_with_ipa_size(kvm, 32, &vm));
		ckvm_vm_close(vm);
		vm = NULL;
		/* one bit more than the host supports: the kernel refuses */
		t_assert_err(ckvm_create_vm_with_ipa_size(kvm, (uint32_t)limit + 1, &vm), EINVAL);
		assert_null(vm);
	}
	/* below the architectural minimum: refused before any syscall */
	t_assert_err(ckvm_create_vm_with_ipa_size(kvm, 31, &vm), EINVAL);
	t_assert_err(ckvm_create_vm_with_ipa_size(kvm, 256, &vm), EINVAL);
	assert_null(vm);
	/* 0 = legacy 40-bit default (hosts with a smaller IPA space may refuse it) */
	if (limit == 0 || limit >= 40) {
		t_assert_ok(ckvm_create_vm_with_ipa_size(kvm, 0, &vm));
		ckvm_vm_close(vm);
	}
	ckvm_close(kvm);
}

static void test_preferred_target_and_init(void **state)
{
	struct a64_guest g;
	struct kvm_vcpu_init init;
	struct kvm_reg_list *list = NULL;

	(void)state;
	a64_guest_create(&g, 0);
	memset(&init, 0xff, sizeof(init));
	t_assert_ok(ckvm_vm_get_preferred_target(g.vm, &init));
	assert_true(init.target < 64);
	t_assert_ok(ckvm_vm_create_vcpu(g.vm, 0, &g.vcpu));
	/* before KVM_ARM_VCPU_INIT the register interface is closed */
	t_assert_err(ckvm_vcpu_get_reg_list(g.vcpu, &list), ENOEXEC);
	ckvm_reg_list_free(list);
	memset(&init.features, 0, sizeof(init.features));
	t_assert_ok(ckvm_arm64_vcpu_init_set_feature(&init, KVM_ARM_VCPU_PSCI_0_2));
	t_assert_ok(ckvm_vcpu_init(g.vcpu, &init));
	/* init again resets the vCPU: allowed with the same target and features */
	t_assert_ok(ckvm_vcpu_init(g.vcpu, &init));
	/* a target that does not exist is refused */
	init.target = 0x7fff;
	t_assert_err(ckvm_vcpu_init(g.vcpu, &init), EINVAL);
	a64_guest_destroy(&g);
}

static void test_reg_list_and_names(void **state)
{
	const uint64_t must[] = { ckvm_arm64_reg_pc(), CKVM_ARM64_MPIDR_EL1 };
	struct a64_guest g;

	(void)state;
	a64_guest_create(&g, 0);
	a64_guest_add_vcpu(&g, 0);
	t_check_reg_list(g.vcpu, ckvm_arm64_reg_name, 50, must, T_ARRAY_LEN(must));
	t_check_reg_list_e2big(g.vcpu);
	a64_guest_destroy(&g);
}

static void test_one_reg_round_trips(void **state)
{
	struct a64_guest g;
	uint8_t v0[16], back[16];
	uint32_t fpsr;
	uint64_t x;
	unsigned i;

	(void)state;
	a64_guest_create(&g, 0);
	a64_guest_add_vcpu(&g, 0);
	t_set_reg64(g.vcpu, ckvm_arm64_reg_pc(), A64_CODE_GPA + 0x40);
	assert_int_equal(t_get_reg64(g.vcpu, ckvm_arm64_reg_pc()), A64_CODE_GPA + 0x40);
	t_set_reg64(g.vcpu, ckvm_arm64_reg_x(0), 0x0123456789abcdefull);
	assert_int_equal(t_get_reg64(g.vcpu, ckvm_arm64_reg_x(0)), 0x0123456789abcdefull);
	for (i = 0; i < sizeof(v0); i++)
		v0[i] = (uint8_t)(0x10 + i);
	assert_int_equal(ckvm_vcpu_set_one_reg(g.vcpu, ckvm_arm64_reg_v(0), v0, sizeof(v0)), 16);
	assert_int_equal(ckvm_vcpu_get_one_reg(g.vcpu, ckvm_arm64_reg_v(0), back, sizeof(back)), 16);
	assert_memory_equal(v0, back, sizeof(v0));
	fpsr = 0x08000000; /* QC */
	assert_int_equal(ckvm_vcpu_set_one_reg(g.vcpu, ckvm_arm64_reg_fpsr(), &fpsr, 4), 4);
	fpsr = 0;
	assert_int_equal(ckvm_vcpu_get_one_reg(g.vcpu, ckvm_arm64_reg_fpsr(), &fpsr, 4), 4);
	assert_int_equal(fpsr, 0x08000000);
	/* a buffer shorter than the id's size is refused locally, and nothing changes */
	x = 0;
	t_assert_err(ckvm_vcpu_get_one_reg(g.vcpu, ckvm_arm64_reg_v(0), back, 8), EINVAL);
	t_assert_err(ckvm_vcpu_set_one_reg(g.vcpu, ckvm_arm64_reg_x(0), &x, 4), EINVAL);
	assert_int_equal(t_get_reg64(g.vcpu, ckvm_arm64_reg_x(0)), 0x0123456789abcdefull);
	/* an id that does not exist */
	t_assert_err(ckvm_vcpu_get_one_reg(g.vcpu, ckvm_arm64_fw_reg(0x7fff), &x, sizeof(x)), ENOENT);
	/* MPIDR reads back with the RES1 bit 31 set */
	assert_true(t_get_reg64(g.vcpu, CKVM_ARM64_MPIDR_EL1) & (1ull << 31));
	a64_guest_destroy(&g);
}

static void test_mp_state_and_events(void **state)
{
	struct a64_guest g;
	struct kvm_vcpu_events ev;

	(void)state;
	a64_guest_create(&g, 0);
	a64_guest_add_vcpu(&g, 0);
	t_check_mp_state_stop(g.vcpu);
	if (ckvm_check_extension(g.kvm, KVM_CAP_VCPU_EVENTS) > 0) {
		memset(&ev, 0xff, sizeof(ev));
		t_assert_ok(ckvm_vcpu_get_vcpu_events(g.vcpu, &ev));
		assert_int_equal(ev.exception.serror_pending, 0);
		assert_int_equal(ev.exception.ext_dabt_pending, 0);
		memset(&ev, 0, sizeof(ev));
		t_assert_ok(ckvm_vcpu_set_vcpu_events(g.vcpu, &ev));
	}
	a64_guest_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_system_caps),
		cmocka_unit_test(test_preferred_target_and_init),
		cmocka_unit_test(test_reg_list_and_names),
		cmocka_unit_test(test_one_reg_round_trips),
		cmocka_unit_test(test_mp_state_and_events),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
