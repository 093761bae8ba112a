/* SPDX-License-Identifier: MIT */
/*
 * test_exits_caps.c - exits that need an optional capability, produced by
 * a real guest: Hyper-V SynIC and Hyper-V reset (KVM_EXIT_HYPERV,
 * KVM_EXIT_SYSTEM_EVENT), Xen hypercall interception (KVM_EXIT_XEN) and bus
 * lock detection (KVM_EXIT_X86_BUS_LOCK); and the Hyper-V SIGNAL_EVENT
 * hypercall signalling an eventfd (KVM_HYPERV_EVENTFD) instead of exiting.
 * One capability per test program (argv[1] selects it), so an absent
 * capability skips with its name.
 */
#include "guest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* Guest CPUID: the supported leaves with Hyper-V's in place of KVM's. */
static void set_hv_cpuid(struct t_guest *g, struct ckvm_vcpu *v)
{
	struct kvm_cpuid2 *hv = NULL, *cpuid = NULL;

	t_assert_ok(ckvm_vcpu_get_supported_hv_cpuid(v, &hv));
	t_assert_ok(ckvm_cpuid2_alloc(g->cpuid->nent + hv->nent, &cpuid));
	for (uint32_t i = 0; i < g->cpuid->nent; i++) {
		uint32_t f = g->cpuid->entries[i].function;
		if (f < 0x40000000 || f > 0x4fffffff)
			t_assert_ok(ckvm_cpuid2_push(cpuid, &g->cpuid->entries[i]));
	}
	for (uint32_t i = 0; i < hv->nent; i++)
		t_assert_ok(ckvm_cpuid2_push(cpuid, &hv->entries[i]));
	t_assert_ok(ckvm_vcpu_set_cpuid2(v, cpuid));
	ckvm_cpuid2_free(hv);
	ckvm_cpuid2_free(cpuid);
}

static void test_hyperv(void **state)
{
	struct t_guest g;
	struct ckvm_exit e;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	t_require_cap(g.kvm, KVM_CAP_HYPERV);
	t_require_cap(g.kvm, KVM_CAP_HYPERV_SYNIC);
	t_require_cap(g.kvm, KVM_CAP_HYPERV_CPUID);
	t_guest_load_code(&g, guest_hyperv);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);

	set_hv_cpuid(&g, v);
	struct kvm_enable_cap cap = { .cap = KVM_CAP_HYPERV_SYNIC };
	t_assert_ok(ckvm_vcpu_enable_cap(v, &cap));

	t_expect_exit(&g, v, CKVM_EXIT_HYPERV, &e);
	struct kvm_hyperv_exit *x = e.hyperv;
	assert_ptr_equal(x, &e.run->hyperv);
	assert_int_equal(x->type, KVM_EXIT_HYPERV_SYNIC);
	assert_int_equal(x->u.synic.msr, 0x40000080);
	assert_int_equal(x->u.synic.control, 1);
	assert_int_equal(t_expect_report(&g, v), 1);

	t_expect_exit(&g, v, CKVM_EXIT_SYSTEM_EVENT, &e);
	assert_int_equal(e.system_event.type, KVM_SYSTEM_EVENT_RESET);
	assert_true(e.system_event.ndata <= 16);
	t_guest_destroy(&g);
}

/* Nonblocking read of an eventfd's counter (0 when not signalled). */
static uint64_t efd_read(int efd)
{
	uint64_t n = 0;

	if (read(efd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return 0;
	return n;
}

/*
 * KVM_HYPERV_EVENTFD: the guest's SIGNAL_EVENT hypercall on connection 5
 * succeeds and signals the registered eventfd, with no exit to the VMM;
 * after deassigning, the same hypercall fails (no SynIC to forward it to)
 * and signals nothing.
 */
static void test_hyperv_eventfd(void **state)
{
	struct t_guest g;
	struct kvm_regs regs;
	int efd;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	t_require_cap(g.kvm, KVM_CAP_HYPERV_EVENTFD);
	t_require_cap(g.kvm, KVM_CAP_HYPERV_CPUID);
	t_guest_load_code(&g, guest_hv_signal);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	set_hv_cpuid(&g, v);
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(efd >= 0);
	t_assert_ok(ckvm_vm_hyperv_eventfd(g.vm, 5, efd, 0));
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	regs.rdi = 5;
	t_assert_ok(ckvm_vcpu_set_regs(v, &regs));
	assert_int_equal(t_expect_report(&g, v), 0); /* HV_STATUS_SUCCESS */
	assert_int_equal(efd_read(efd), 1);
	t_expect_done(&g, v);

	/* again from the start, with the connection removed */
	t_assert_ok(ckvm_vm_hyperv_eventfd(g.vm, 5, -1, KVM_HYPERV_EVENTFD_DEASSIGN));
	t_vcpu_setup(&g, v, T_MODE_LONG64, T_CODE_GPA);
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	regs.rdi = 5;
	t_assert_ok(ckvm_vcpu_set_regs(v, &regs));
	assert_true(t_expect_report(&g, v) != 0);
	assert_int_equal(efd_read(efd), 0);
	close(efd);
	t_guest_destroy(&g);
}

static void test_xen(void **state)
{
	struct t_guest g;
	struct ckvm_exit e;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	int xen = ckvm_check_extension(g.kvm, KVM_CAP_XEN_HVM);
	if (xen <= 0 || !(xen & KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL))
		t_skip("needs KVM_CAP_XEN_HVM with KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL");
	struct kvm_xen_hvm_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL;
	t_assert_ok(ckvm_vm_xen_hvm_config(g.vm, &cfg));
	t_guest_load_code(&g, guest_xen);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);

	t_expect_exit(&g, v, CKVM_EXIT_XEN, &e);
	struct kvm_xen_exit *x = e.xen;
	assert_ptr_equal(x, &e.run->xen);
	assert_int_equal(x->type, KVM_EXIT_XEN_HCALL);
	assert_int_equal(x->u.hcall.longmode, 1);
	assert_int_equal(x->u.hcall.cpl, 0);
	assert_int_equal(x->u.hcall.input, 0x100);
	assert_int_equal(x->u.hcall.params[0], 0x11);
	assert_int_equal(x->u.hcall.params[1], 0x22);
	x->u.hcall.result = 0x4242;
	assert_int_equal(t_expect_report(&g, v), 0x4242);
	t_expect_done(&g, v);
	t_guest_destroy(&g);
}

static void test_bus_lock(void **state)
{
	struct t_guest g;
	struct ckvm_exit e;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	int modes = ckvm_vm_check_extension(g.vm, KVM_CAP_X86_BUS_LOCK_EXIT);
	if (modes <= 0 || !(modes & KVM_BUS_LOCK_DETECTION_EXIT))
		t_skip("needs KVM_CAP_X86_BUS_LOCK_EXIT with KVM_BUS_LOCK_DETECTION_EXIT");
	t_assert_ok(ckvm_vm_enable_cap1(g.vm, KVM_CAP_X86_BUS_LOCK_EXIT,
					KVM_BUS_LOCK_DETECTION_EXIT));
	t_guest_load_code(&g, guest_bus_lock);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	memset(t_gpa(&g, T_DATA_GPA + 62, 4), 0, 4);

	t_expect_exit(&g, v, CKVM_EXIT_X86_BUS_LOCK, &e);
	assert_int_equal(e.reason, KVM_EXIT_X86_BUS_LOCK);
	assert_true(e.run->flags & KVM_RUN_X86_BUS_LOCK);
	/* The exit is trap-like: the add has happened. */
	assert_int_equal(t_expect_report(&g, v), 5);
	t_expect_done(&g, v);
	t_guest_destroy(&g);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest hyperv[] = { cmocka_unit_test(test_hyperv) };
	const struct CMUnitTest xen[] = { cmocka_unit_test(test_xen) };
	const struct CMUnitTest bus_lock[] = { cmocka_unit_test(test_bus_lock) };
	const struct CMUnitTest hyperv_eventfd[] = { cmocka_unit_test(test_hyperv_eventfd) };
	const char *which = argc > 1 ? argv[1] : "";

	ckvm_close(t_require_kvm());
	t_watchdog(50);
	if (!strcmp(which, "hyperv"))
		return cmocka_run_group_tests(hyperv, NULL, NULL);
	if (!strcmp(which, "xen"))
		return cmocka_run_group_tests(xen, NULL, NULL);
	if (!strcmp(which, "bus_lock"))
		return cmocka_run_group_tests(bus_lock, NULL, NULL);
	if (!strcmp(which, "hyperv_eventfd"))
		return cmocka_run_group_tests(hyperv_eventfd, NULL, NULL);
	fprintf(stderr, "usage: %s hyperv|xen|bus_lock|hyperv_eventfd\n", argv[0]);
	return 1;
}
