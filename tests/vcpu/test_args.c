/* SPDX-License-Identifier: MIT */
/*
 * test_args.c - every vCPU call with bad arguments.
 *  unit: a NULL vCPU or a NULL required pointer gives -EINVAL (getters
 *        give NULL/0/-1), nothing crashes; no /dev/kvm needed.
 *  kvm:  a vCPU whose fd was closed behind its back gives -EBADF from
 *        every call that reaches the kernel, and the calls that allocate
 *        leave their output pointer alone (nothing leaks).
 * Select with argv[1]: "null" (unit) or "badfd" (kvm).
 */
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EINV(expr) t_assert_err((expr), EINVAL)

static void test_vcpu_null(void **state)
{
	struct ckvm_vcpu *v = NULL;
	struct ckvm_exit e;
	struct kvm_mp_state mp;
	struct kvm_enable_cap cap;
	struct kvm_device_attr attr;
	struct kvm_guest_debug dbg;
	struct kvm_coalesced_mmio ent;
	struct ckvm_dirty_page page;
	struct kvm_reg_list *list = NULL;
	sigset_t set;
	uint64_t val = 0;
	(void)state;

	memset(&mp, 0, sizeof(mp));
	memset(&cap, 0, sizeof(cap));
	memset(&attr, 0, sizeof(attr));
	memset(&dbg, 0, sizeof(dbg));
	sigemptyset(&set);
	EINV(ckvm_vm_create_vcpu(NULL, 0, &v));
	EINV(ckvm_vcpu_from_fd(NULL, 0, &v));
	assert_null(v);
	ckvm_vcpu_close(NULL);
	EINV(ckvm_vcpu_fd(NULL));
	assert_int_equal(ckvm_vcpu_id(NULL), (unsigned long)-1);
	assert_null(ckvm_vcpu_run_struct(NULL));
	assert_int_equal(ckvm_vcpu_run_size(NULL), 0);
	EINV(ckvm_vcpu_run(NULL, &e));
	EINV(ckvm_vcpu_run(NULL, NULL));
	ckvm_vcpu_set_immediate_exit(NULL, true); /* no effect, no crash */
	EINV(ckvm_vcpu_set_kick_signal(NULL, SIGUSR1));
	EINV(ckvm_vcpu_kick(NULL));
	EINV(ckvm_vcpu_complete_io(NULL));
	EINV(ckvm_vcpu_set_signal_mask(NULL, &set));
	EINV(ckvm_vcpu_get_mp_state(NULL, &mp));
	EINV(ckvm_vcpu_set_mp_state(NULL, &mp));
	EINV(ckvm_vcpu_enable_cap(NULL, &cap));
	EINV(ckvm_vcpu_get_one_reg(NULL, KVM_REG_SIZE_U64, &val, 8));
	EINV(ckvm_vcpu_set_one_reg(NULL, KVM_REG_SIZE_U64, &val, 8));
	EINV(ckvm_vcpu_get_reg_list(NULL, &list));
	assert_null(list);
	EINV(ckvm_vcpu_set_device_attr(NULL, &attr));
	EINV(ckvm_vcpu_get_device_attr(NULL, &attr));
	EINV(ckvm_vcpu_has_device_attr(NULL, &attr));
	EINV(ckvm_vcpu_set_guest_debug(NULL, &dbg));
	EINV(ckvm_vcpu_pre_fault_memory(NULL, 0, 4096));
	EINV(ckvm_vcpu_get_stats_fd(NULL));
	EINV(ckvm_vcpu_map_coalesced_mmio_ring(NULL));
	EINV(ckvm_vcpu_coalesced_mmio_read(NULL, &ent));
	EINV(ckvm_vcpu_dirty_ring_harvest(NULL, &page, 1));
	EINV(ckvm_vcpu_ioctl(NULL, KVM_RUN, NULL));
#if defined(__x86_64__)
	{
		struct kvm_regs regs;
		struct kvm_sregs sregs;
		struct kvm_sregs2 sregs2;
		struct kvm_fpu fpu;
		struct kvm_lapic_state lapic;
		struct kvm_xsave xs;
		struct kvm_xcrs xcrs;
		struct kvm_debugregs dr;
		struct kvm_vcpu_events ev;
		struct kvm_translation tr;
		struct kvm_x86_mce mce;
		struct kvm_nested_state ns;
		struct kvm_msrs *m = NULL;
		struct kvm_cpuid2 *c = NULL;

		memset(&regs, 0, sizeof(regs));
		memset(&sregs, 0, sizeof(sregs));
		memset(&sregs2, 0, sizeof(sregs2));
		memset(&fpu, 0, sizeof(fpu));
		memset(&lapic, 0, sizeof(lapic));
		memset(&xs, 0, sizeof(xs));
		memset(&xcrs, 0, sizeof(xcrs));
		memset(&dr, 0, sizeof(dr));
		memset(&ev, 0, sizeof(ev));
		memset(&tr, 0, sizeof(tr));
		memset(&mce, 0, sizeof(mce));
		memset(&ns, 0, sizeof(ns));
		ns.size = sizeof(ns);
		t_assert_ok(ckvm_msrs_alloc(1, &m));
		t_assert_ok(ckvm_cpuid2_alloc(1, &c));
		EINV(ckvm_vcpu_get_regs(NULL, &regs));
		EINV(ckvm_vcpu_set_regs(NULL, &regs));
		EINV(ckvm_vcpu_get_sregs(NULL, &sregs));
		EINV(ckvm_vcpu_set_sregs(NULL, &sregs));
		EINV(ckvm_vcpu_get_sregs2(NULL, &sregs2));
		EINV(ckvm_vcpu_set_sregs2(NULL, &sregs2));
		EINV(ckvm_vcpu_get_fpu(NULL, &fpu));
		EINV(ckvm_vcpu_set_fpu(NULL, &fpu));
		EINV(ckvm_vcpu_get_lapic(NULL, &lapic));
		EINV(ckvm_vcpu_set_lapic(NULL, &lapic));
		EINV(ckvm_vcpu_get_msrs(NULL, m));
		EINV(ckvm_vcpu_set_msrs(NULL, m));
		EINV(ckvm_vcpu_get_msr(NULL, 0x10, &val));
		EINV(ckvm_vcpu_set_msr(NULL, 0x10, 0));
		EINV(ckvm_vcpu_set_cpuid2(NULL, c));
		EINV(ckvm_vcpu_get_cpuid2(NULL, &c));
		EINV(ckvm_vcpu_get_xsave(NULL, &xs));
		EINV(ckvm_vcpu_set_xsave(NULL, &xs));
		EINV(ckvm_vcpu_get_xsave2(NULL, &xs));
		EINV(ckvm_vcpu_set_xsave2(NULL, &xs));
		EINV(ckvm_vcpu_get_xcrs(NULL, &xcrs));
		EINV(ckvm_vcpu_set_xcrs(NULL, &xcrs));
		EINV(ckvm_vcpu_get_debug_regs(NULL, &dr));
		EINV(ckvm_vcpu_set_debug_regs(NULL, &dr));
		EINV(ckvm_vcpu_get_vcpu_events(NULL, &ev));
		EINV(ckvm_vcpu_set_vcpu_events(NULL, &ev));
		EINV(ckvm_vcpu_translate_gva(NULL, &tr));
		EINV(ckvm_vcpu_nmi(NULL));
		EINV(ckvm_vcpu_smi(NULL));
		EINV(ckvm_vcpu_interrupt(NULL, 0x30));
		EINV(ckvm_vcpu_kvmclock_ctrl(NULL));
		EINV(ckvm_vcpu_get_tsc_khz(NULL));
		EINV(ckvm_vcpu_set_tsc_khz(NULL, 1000000));
		EINV(ckvm_vcpu_setup_mce(NULL, 0));
		EINV(ckvm_vcpu_set_mce(NULL, &mce));
		EINV(ckvm_vcpu_tpr_access_reporting(NULL, true));
		EINV(ckvm_vcpu_set_vapic_addr(NULL, 0));
		EINV(ckvm_vcpu_get_nested_state(NULL, &ns, sizeof(ns)));
		EINV(ckvm_vcpu_set_nested_state(NULL, &ns));
		{
			struct kvm_xen_vcpu_attr xa;
			struct kvm_cpuid2 *hv = NULL;

			memset(&xa, 0, sizeof(xa));
			EINV(ckvm_vcpu_get_supported_hv_cpuid(NULL, &hv));
			assert_null(hv);
			EINV(ckvm_vcpu_xen_get_attr(NULL, &xa));
			EINV(ckvm_vcpu_xen_set_attr(NULL, &xa));
		}
		EINV(ckvm_vcpu_set_sync_valid_reg(NULL, KVM_SYNC_X86_REGS));
		EINV(ckvm_vcpu_clear_sync_valid_reg(NULL, KVM_SYNC_X86_REGS));
		EINV(ckvm_vcpu_set_sync_dirty_reg(NULL, KVM_SYNC_X86_REGS));
		EINV(ckvm_vcpu_clear_sync_dirty_reg(NULL, KVM_SYNC_X86_REGS));
		assert_null(ckvm_vcpu_sync_regs(NULL));
		/* the buffer helpers too */
		struct kvm_xsave *x = NULL;
		EINV(ckvm_xsave_alloc(4096, NULL));
		EINV(ckvm_xsave_alloc(4095, &x)); /* smaller than the legacy area */
		assert_null(x);
		assert_int_equal(ckvm_xsave_size(NULL), 0);
		ckvm_xsave_free(NULL);
		ckvm_msrs_free(m);
		ckvm_cpuid2_free(c);
	}
#endif
}

/* An fd number that is certainly not open in this process. */
static int free_fd(void)
{
	int fd;

	for (fd = 900; fcntl(fd, F_GETFD) >= 0; fd++)
		;
	return fd;
}

#define BAD(expr) t_assert_err((expr), EBADF)

static void test_vcpu_bad_fd(void **state)
{
	struct ckvm *kvm = t_require_kvm();
	struct ckvm_vm *vm = NULL;
	struct ckvm_vcpu *good = NULL, *v = NULL;
	struct ckvm_exit e;
	struct kvm_mp_state mp;
	struct kvm_enable_cap cap;
	struct kvm_device_attr attr;
	struct kvm_guest_debug dbg;
	struct kvm_reg_list *list = NULL, *mine = NULL;
	sigset_t set;
	uint64_t val = 0;
	int fd;
	(void)state;

	t_assert_ok(ckvm_create_vm(kvm, &vm));
	t_assert_ok(ckvm_vm_create_vcpu(vm, 0, &good));
	/* adopting a closed fd is refused */
	fd = free_fd();
	BAD(ckvm_vcpu_from_fd(vm, fd, &v));
	assert_null(v);
	/* a handle around a copy of the vCPU fd, then the copy is closed */
	assert_int_equal(dup2(ckvm_vcpu_fd(good), fd), fd);
	t_assert_ok(ckvm_vcpu_from_fd(vm, fd, &v));
	close(fd);

	memset(&mp, 0, sizeof(mp));
	memset(&cap, 0, sizeof(cap));
	memset(&attr, 0, sizeof(attr));
	memset(&dbg, 0, sizeof(dbg));
	sigemptyset(&set);
	BAD(ckvm_vcpu_run(v, &e));
	BAD(ckvm_vcpu_run(v, NULL));
	BAD(ckvm_vcpu_complete_io(v));
	assert_int_equal(ckvm_vcpu_run_struct(v)->immediate_exit, 0); /* left as it was */
	BAD(ckvm_vcpu_set_signal_mask(v, &set));
	BAD(ckvm_vcpu_set_signal_mask(v, NULL));
	BAD(ckvm_vcpu_get_mp_state(v, &mp));
	BAD(ckvm_vcpu_set_mp_state(v, &mp));
	BAD(ckvm_vcpu_enable_cap(v, &cap));
	BAD(ckvm_vcpu_get_one_reg(v, KVM_REG_SIZE_U64, &val, 8));
	BAD(ckvm_vcpu_set_one_reg(v, KVM_REG_SIZE_U64, &val, 8));
	/* a list allocated by the call is freed again, *list stays NULL */
	BAD(ckvm_vcpu_get_reg_list(v, &list));
	assert_null(list);
	/* a caller's list stays the caller's, count 0 */
	t_assert_ok(ckvm_reg_list_alloc(4, &mine));
	list = mine;
	BAD(ckvm_vcpu_get_reg_list(v, &list));
	assert_ptr_equal(list, mine);
	assert_int_equal(list->n, 0);
	ckvm_reg_list_free(mine);
	BAD(ckvm_vcpu_set_device_attr(v, &attr));
	BAD(ckvm_vcpu_get_device_attr(v, &attr));
	BAD(ckvm_vcpu_has_device_attr(v, &attr));
	BAD(ckvm_vcpu_set_guest_debug(v, &dbg));
	BAD(ckvm_vcpu_pre_fault_memory(v, 0, 4096));
	BAD(ckvm_vcpu_get_stats_fd(v));
	BAD(ckvm_vcpu_ioctl(v, KVM_GET_MP_STATE, &mp));
#if defined(__x86_64__)
	{
		struct kvm_regs regs;
		struct kvm_sregs sregs;
		struct kvm_sregs2 sregs2;
		struct kvm_fpu fpu;
		struct kvm_lapic_state lapic;
		struct kvm_xsave xs;
		struct kvm_xcrs xcrs;
		struct kvm_debugregs dr;
		struct kvm_vcpu_events ev;
		struct kvm_translation tr;
		struct kvm_x86_mce mce;
		struct kvm_xsave *x2 = NULL;
		struct kvm_msrs *m = NULL;
		struct kvm_cpuid2 *c = NULL, *cm = NULL;

		memset(&regs, 0, sizeof(regs));
		memset(&sregs, 0, sizeof(sregs));
		memset(&sregs2, 0, sizeof(sregs2));
		memset(&fpu, 0, sizeof(fpu));
		memset(&lapic, 0, sizeof(lapic));
		memset(&xs, 0, sizeof(xs));
		memset(&xcrs, 0, sizeof(xcrs));
		memset(&dr, 0, sizeof(dr));
		memset(&ev, 0, sizeof(ev));
		memset(&tr, 0, sizeof(tr));
		memset(&mce, 0, sizeof(mce));
		t_assert_ok(ckvm_msrs_alloc(1, &m));
		t_assert_ok(ckvm_msrs_push(m, 0x10, 0));
		BAD(ckvm_vcpu_get_regs(v, &regs));
		BAD(ckvm_vcpu_set_regs(v, &regs));
		BAD(ckvm_vcpu_get_sregs(v, &sregs));
		BAD(ckvm_vcpu_set_sregs(v, &sregs));
		BAD(ckvm_vcpu_get_sregs2(v, &sregs2));
		BAD(ckvm_vcpu_set_sregs2(v, &sregs2));
		BAD(ckvm_vcpu_get_fpu(v, &fpu));
		BAD(ckvm_vcpu_set_fpu(v, &fpu));
		BAD(ckvm_vcpu_get_lapic(v, &lapic));
		BAD(ckvm_vcpu_set_lapic(v, &lapic));
		BAD(ckvm_vcpu_get_msrs(v, m));
		BAD(ckvm_vcpu_set_msrs(v, m));
		BAD(ckvm_vcpu_get_msr(v, 0x10, &val));
		BAD(ckvm_vcpu_set_msr(v, 0x10, 0));
		/* get_cpuid2: allocated here and freed again, or the caller's with nent 0 */
		BAD(ckvm_vcpu_get_cpuid2(v, &c));
		assert_null(c);
		t_assert_ok(ckvm_cpuid2_alloc(2, &cm));
		c = cm;
		BAD(ckvm_vcpu_get_cpuid2(v, &c));
		assert_ptr_equal(c, cm);
		assert_int_equal(c->nent, 0);
		BAD(ckvm_vcpu_set_cpuid2(v, c));
		BAD(ckvm_vcpu_get_xsave(v, &xs));
		if (ckvm_vm_xsave_size(vm) <= 4096)
			BAD(ckvm_vcpu_set_xsave(v, &xs));
		t_assert_ok(ckvm_xsave_alloc((size_t)ckvm_vm_xsave_size(vm), &x2));
		BAD(ckvm_vcpu_get_xsave2(v, x2));
		BAD(ckvm_vcpu_set_xsave2(v, x2));
		BAD(ckvm_vcpu_get_xcrs(v, &xcrs));
		BAD(ckvm_vcpu_set_xcrs(v, &xcrs));
		BAD(ckvm_vcpu_get_debug_regs(v, &dr));
		BAD(ckvm_vcpu_set_debug_regs(v, &dr));
		BAD(ckvm_vcpu_get_vcpu_events(v, &ev));
		BAD(ckvm_vcpu_set_vcpu_events(v, &ev));
		BAD(ckvm_vcpu_translate_gva(v, &tr));
		BAD(ckvm_vcpu_nmi(v));
		BAD(ckvm_vcpu_smi(v));
		BAD(ckvm_vcpu_interrupt(v, 0x30));
		BAD(ckvm_vcpu_kvmclock_ctrl(v));
		BAD(ckvm_vcpu_get_tsc_khz(v));
		BAD(ckvm_vcpu_set_tsc_khz(v, 1000000));
		BAD(ckvm_vcpu_setup_mce(v, 2));
		BAD(ckvm_vcpu_set_mce(v, &mce));
		BAD(ckvm_vcpu_tpr_access_reporting(v, true));
		BAD(ckvm_vcpu_set_vapic_addr(v, 0));
		{
			struct kvm_xen_vcpu_attr xa;
			struct kvm_cpuid2 *hv = NULL;

			memset(&xa, 0, sizeof(xa));
			BAD(ckvm_vcpu_get_supported_hv_cpuid(v, &hv));
			assert_null(hv); /* the buffer allocated for the query is freed */
			BAD(ckvm_vcpu_xen_get_attr(v, &xa));
			BAD(ckvm_vcpu_xen_set_attr(v, &xa));
		}
		if (ckvm_vm_check_extension(vm, KVM_CAP_NESTED_STATE) > 0) {
			struct kvm_nested_state ns;

			memset(&ns, 0, sizeof(ns));
			BAD(ckvm_vcpu_get_nested_state(v, &ns, sizeof(ns)));
			ns.size = sizeof(ns);
			BAD(ckvm_vcpu_set_nested_state(v, &ns));
		}
		/*
		 * A register write pending in the run page cannot be applied
		 * either: the next call reports that, and it stays pending.
		 */
		if (ckvm_vm_check_extension(vm, KVM_CAP_SYNC_REGS) & KVM_SYNC_X86_REGS) {
			t_assert_ok(ckvm_vcpu_set_sync_dirty_reg(v, KVM_SYNC_X86_REGS));
			BAD(ckvm_vcpu_get_fpu(v, &fpu));
			assert_int_equal(ckvm_vcpu_run_struct(v)->kvm_dirty_regs, KVM_SYNC_X86_REGS);
			t_assert_ok(ckvm_vcpu_clear_sync_dirty_reg(v, KVM_SYNC_X86_REGS));
		}
		ckvm_xsave_free(x2);
		ckvm_cpuid2_free(cm);
		ckvm_msrs_free(m);
	}
#endif
	ckvm_vcpu_close(v);
	ckvm_vcpu_close(good);
	ckvm_vm_close(vm);
	ckvm_close(kvm);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest null_tests[] = { cmocka_unit_test(test_vcpu_null) };
	const struct CMUnitTest badfd_tests[] = { cmocka_unit_test(test_vcpu_bad_fd) };
	const char *which = argc > 1 ? argv[1] : "";

	if (!strcmp(which, "null"))
		return cmocka_run_group_tests(null_tests, NULL, NULL);
	if (!strcmp(which, "badfd")) {
		ckvm_close(t_require_kvm());
		return cmocka_run_group_tests(badfd_tests, NULL, NULL);
	}
	fprintf(stderr, "usage: %s null|badfd\n", argv[0]);
	return 1;
}
