/* SPDX-License-Identifier: MIT */
/*
 * test_vm_x86.c (kvm) - x86 VM ioctls: KVM_SET_TSS_ADDR,
 * KVM_SET_IDENTITY_MAP_ADDR, KVM_CREATE_PIT2 / KVM_GET_PIT2 / KVM_SET_PIT2
 * (checked against a guest programming and reading the PIT),
 * KVM_REINJECT_CONTROL, KVM_GET/SET_CLOCK, VM-scope KVM_GET/SET_TSC_KHZ,
 * the XSAVE size, KVM_X86_SET_MSR_FILTER with KVM_CAP_X86_USER_SPACE_MSR
 * (a guest's RDMSR/WRMSR exit to the VMM), the SEV ioctls,
 * KVM_SET_BOOT_CPU_ID (checked through the BSP bit of IA32_APIC_BASE and
 * the vCPUs' MP states), KVM_SET_PMU_EVENT_FILTER (plain and masked events,
 * KVM's own validation of what ckvm built), KVM_HYPERV_EVENTFD and the Xen
 * VM attributes.
 */
#include "core_guest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define MSR_SYSENTER_CS 0x174

static void test_tss_and_identity_map(void **state)
{
	struct t_guest g;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	t_require_cap(g.kvm, KVM_CAP_SET_TSS_ADDR);
	t_assert_ok(ckvm_vm_set_tss_address(g.vm, 0xfffbd000));
	/* the three TSS pages must fit below 4 GiB */
	t_assert_err(ckvm_vm_set_tss_address(g.vm, 0xfffff000), EINVAL);
	t_require_cap(g.kvm, KVM_CAP_SET_IDENTITY_MAP_ADDR);
	t_assert_ok(ckvm_vm_set_identity_map_address(g.vm, 0xfffbc000));
	(void)core_guest_vcpu(&g);
	/* documented: only before the first vCPU */
	t_assert_err(ckvm_vm_set_identity_map_address(g.vm, 0xfffbc000), EINVAL);
	t_guest_destroy(&g);
}

static void test_pit2(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v;
	struct kvm_pit_state2 ps;
	uint64_t count;

	(void)state;
	memset(&g, 0, sizeof(g));
	t_watchdog(30);
	core_guest_memory(&g);
	t_require_cap(g.kvm, KVM_CAP_PIT2);
	/* the PIT needs the in-kernel irqchip; no state before it exists */
	t_assert_err(ckvm_vm_create_pit2(g.vm, 0), ENOENT);
	t_assert_err(ckvm_vm_get_pit2(g.vm, &ps), ENXIO);
	t_assert_err(ckvm_vm_reinject_control(g.vm, 1), ENXIO);
	t_assert_ok(ckvm_vm_create_irq_chip(g.vm));
	t_assert_ok(ckvm_vm_create_pit2(g.vm, KVM_PIT_SPEAKER_DUMMY));
	t_assert_err(ckvm_vm_create_pit2(g.vm, 0), EEXIST);
	v = core_guest_vcpu(&g);

	/* the guest programs channel 2 (mode 2, lo/hi, 0x1234): get_pit2 sees it */
	assert_int_equal(core_do(&g, v, OP_OUT8, 0x43, 0xb4), CORE_OP_DONE);
	assert_int_equal(core_do(&g, v, OP_OUT8, 0x42, 0x34), CORE_OP_DONE);
	assert_int_equal(core_do(&g, v, OP_OUT8, 0x42, 0x12), CORE_OP_DONE);
	memset(&ps, 0, sizeof(ps));
	t_assert_ok(ckvm_vm_get_pit2(g.vm, &ps));
	assert_int_equal(ps.channels[2].count, 0x1234);
	assert_int_equal(ps.channels[2].mode, 2);
	assert_int_equal(ps.channels[2].rw_mode, 3);
	/* set_pit2 loads channel 0: the guest reads a running count from it */
	ps.channels[0].count = 0xc000;
	ps.channels[0].mode = 2;
	ps.channels[0].rw_mode = 3;
	ps.channels[0].read_state = 3;
	ps.channels[0].write_state = 3;
	ps.channels[0].gate = 1;
	ps.flags = KVM_PIT_FLAGS_HPET_LEGACY;
	t_assert_ok(ckvm_vm_set_pit2(g.vm, &ps));
	count = core_do(&g, v, OP_PITRD, 0, 0);
	assert_true(count > 0 && count <= 0xc000);
	memset(&ps, 0, sizeof(ps));
	t_assert_ok(ckvm_vm_get_pit2(g.vm, &ps));
	assert_int_equal(ps.channels[0].count, 0xc000);
	assert_int_equal(ps.flags & KVM_PIT_FLAGS_HPET_LEGACY, KVM_PIT_FLAGS_HPET_LEGACY);
	/* reinjection on and off, now that a PIT exists */
	t_assert_ok(ckvm_vm_reinject_control(g.vm, 0));
	t_assert_ok(ckvm_vm_reinject_control(g.vm, 1));
	t_assert_err(ckvm_vm_get_pit2(g.vm, NULL), EINVAL);
	t_assert_err(ckvm_vm_set_pit2(g.vm, NULL), EINVAL);
	t_guest_destroy(&g);
}

static void test_clock(void **state)
{
	struct t_guest g;
	struct kvm_clock_data c, c2;
	const uint64_t target = 5000000000ULL; /* 5 s */

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	t_require_cap(g.kvm, KVM_CAP_ADJUST_CLOCK);
	memset(&c, 0, sizeof(c));
	t_assert_ok(ckvm_vm_get_clock(g.vm, &c));
	assert_true(c.clock < target);
	/* set it forward: the clock continues from there */
	memset(&c2, 0, sizeof(c2));
	c2.clock = target;
	t_assert_ok(ckvm_vm_set_clock(g.vm, &c2));
	memset(&c, 0, sizeof(c));
	t_assert_ok(ckvm_vm_get_clock(g.vm, &c));
	assert_true(c.clock >= target && c.clock < target + 10000000000ULL);
	/* and back to 10 ns (kvm-ioctls' check): now below the previous value */
	c2.clock = 10;
	t_assert_ok(ckvm_vm_set_clock(g.vm, &c2));
	memset(&c2, 0, sizeof(c2));
	t_assert_ok(ckvm_vm_get_clock(g.vm, &c2));
	assert_true(c2.clock >= 10 && c2.clock < c.clock);
	/* unknown flags are refused */
	c2.flags = 1u << 20;
	t_assert_err(ckvm_vm_set_clock(g.vm, &c2), EINVAL);
	t_guest_destroy(&g);
}

static void test_vm_tsc_khz(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v;
	int khz, vcpu_khz;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	khz = ckvm_vm_get_tsc_khz(g.vm);
	if (khz == -ENOTTY)
		t_skip("needs VM-scope KVM_GET_TSC_KHZ (Linux 6.0)");
	assert_true(khz > 0);
	/* the default for new vCPUs: a changed value is seen by get and by the vCPU */
	t_assert_ok(ckvm_vm_set_tsc_khz(g.vm, (uint32_t)khz - 1000));
	assert_int_equal(ckvm_vm_get_tsc_khz(g.vm), khz - 1000);
	t_assert_ok(ckvm_vm_set_tsc_khz(g.vm, 0)); /* 0: back to the host's */
	assert_int_equal(ckvm_vm_get_tsc_khz(g.vm), khz);
	/* with TSC scaling, rates beyond its limit are refused (without, KVM only stores them) */
	if (ckvm_vm_has_extension(g.vm, KVM_CAP_VM_TSC_CONTROL) ||
	    ckvm_vm_has_extension(g.vm, KVM_CAP_TSC_CONTROL))
		t_assert_err(ckvm_vm_set_tsc_khz(g.vm, 0xffffffffu), EINVAL);
	v = core_guest_vcpu(&g);
	vcpu_khz = ckvm_vcpu_get_tsc_khz(v);
	assert_int_equal(vcpu_khz, khz);
	/* once vCPUs exist the VM default is frozen */
	t_assert_err(ckvm_vm_set_tsc_khz(g.vm, (uint32_t)khz), EINVAL);
	t_guest_destroy(&g);
}

static void test_xsave_size(void **state)
{
	struct t_guest g;
	int size, cap;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	size = ckvm_vm_xsave_size(g.vm);
	cap = ckvm_vm_check_extension(g.vm, KVM_CAP_XSAVE2);
	assert_true(size >= 4096);
	if (cap > 0)
		assert_int_equal(size, cap < 4096 ? 4096 : cap);
	else
		assert_int_equal(size, 4096);
	t_guest_destroy(&g);
}

static void test_msr_filter_arguments(void **state)
{
	struct t_guest g;
	struct ckvm_msr_filter_range r[CKVM_MSR_FILTER_MAX_RANGES + 1];
	uint8_t bm[2] = { 0, 0 };
	unsigned i;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	t_require_cap(g.kvm, KVM_CAP_X86_MSR_FILTER);
	memset(r, 0, sizeof(r));
	for (i = 0; i <= CKVM_MSR_FILTER_MAX_RANGES; i++) {
		r[i].flags = KVM_MSR_FILTER_READ;
		r[i].base = 0x1000 * i;
		r[i].nmsrs = 8;
		r[i].bitmap = bm;
		r[i].bitmap_len = 1;
	}
	/* rejected before the ioctl: too many ranges, short bitmap, bad flags */
	t_assert_err(ckvm_vm_set_msr_filter(g.vm, KVM_MSR_FILTER_DEFAULT_ALLOW, r,
					    CKVM_MSR_FILTER_MAX_RANGES + 1), EINVAL);
	r[0].nmsrs = 9;
	t_assert_err(ckvm_vm_set_msr_filter(g.vm, KVM_MSR_FILTER_DEFAULT_ALLOW, r, 1), EINVAL);
	r[0].nmsrs = 8;
	r[0].flags = 4;
	t_assert_err(ckvm_vm_set_msr_filter(g.vm, KVM_MSR_FILTER_DEFAULT_ALLOW, r, 1), EINVAL);
	r[0].flags = 0;
	t_assert_err(ckvm_vm_set_msr_filter(g.vm, KVM_MSR_FILTER_DEFAULT_ALLOW, r, 1), EINVAL);
	r[0].flags = KVM_MSR_FILTER_READ;
	r[0].bitmap = NULL;
	t_assert_err(ckvm_vm_set_msr_filter(g.vm, KVM_MSR_FILTER_DEFAULT_ALLOW, r, 1), EINVAL);
	r[0].bitmap = bm;
	t_assert_err(ckvm_vm_set_msr_filter(g.vm, 5, r, 1), EINVAL);
	t_assert_err(ckvm_vm_set_msr_filter(g.vm, KVM_MSR_FILTER_DEFAULT_ALLOW, NULL, 1), EINVAL);
	/* the full 16 ranges are fine; so is an empty ALLOW (removes the filter) */
	t_assert_ok(ckvm_vm_set_msr_filter(g.vm, KVM_MSR_FILTER_DEFAULT_ALLOW, r,
					   CKVM_MSR_FILTER_MAX_RANGES));
	t_assert_ok(ckvm_vm_set_msr_filter(g.vm, KVM_MSR_FILTER_DEFAULT_ALLOW, NULL, 0));
	/* the kernel refuses "deny everything" without ranges */
	t_assert_err(ckvm_vm_set_msr_filter(g.vm, KVM_MSR_FILTER_DEFAULT_DENY, NULL, 0), EINVAL);
	t_assert_err(ckvm_vm_set_msr_filter_raw(g.vm, NULL), EINVAL);
	/* user-space MSR exit reasons: unknown bits refused */
	t_assert_err(ckvm_vm_enable_user_space_msr(g.vm, 1u << 10), EINVAL);
	t_guest_destroy(&g);
}

static void test_msr_filter_guest(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v;
	struct ckvm_exit e;
	struct ckvm_msr_filter_range r;
	struct kvm_msr_filter raw;
	uint8_t deny = 0; /* bit clear = deny */

	(void)state;
	memset(&g, 0, sizeof(g));
	v = core_guest(&g);
	t_require_cap(g.kvm, KVM_CAP_X86_MSR_FILTER);
	t_require_cap(g.kvm, KVM_CAP_X86_USER_SPACE_MSR);
	t_assert_ok(ckvm_vm_enable_user_space_msr(g.vm, KVM_MSR_EXIT_REASON_FILTER |
						  KVM_MSR_EXIT_REASON_UNKNOWN));
	/* no filter: SYSENTER_CS is handled by KVM, no exit */
	assert_int_equal(core_do(&g, v, OP_WRMSR, MSR_SYSENTER_CS, 0x10), CORE_OP_DONE);
	assert_int_equal(core_do(&g, v, OP_RDMSR, MSR_SYSENTER_CS, 0), 0x10);
	/* deny reads and writes of SYSENTER_CS: both now exit with reason FILTER */
	memset(&r, 0, sizeof(r));
	r.flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE;
	r.base = MSR_SYSENTER_CS;
	r.nmsrs = 1;
	r.bitmap = &deny;
	r.bitmap_len = 1;
	t_assert_ok(ckvm_vm_set_msr_filter(g.vm, KVM_MSR_FILTER_DEFAULT_ALLOW, &r, 1));
	core_expect_exit(&g, v, OP_RDMSR, MSR_SYSENTER_CS, 0, CKVM_EXIT_X86_RDMSR, &e);
	assert_int_equal(e.msr.index, MSR_SYSENTER_CS);
	assert_int_equal(e.msr.reason, KVM_MSR_EXIT_REASON_FILTER);
	*e.msr.data = 0x5a5a;
	*e.msr.error = 0;
	assert_int_equal(t_expect_report(&g, v), 0x5a5a);
	core_expect_exit(&g, v, OP_WRMSR, MSR_SYSENTER_CS, 0x77, CKVM_EXIT_X86_WRMSR, &e);
	assert_int_equal(e.msr.index, MSR_SYSENTER_CS);
	assert_true(*e.msr.data == 0x77);
	*e.msr.error = 0;
	assert_int_equal(t_expect_report(&g, v), CORE_OP_DONE);
	/* an unknown MSR exits with reason UNKNOWN */
	core_expect_exit(&g, v, OP_RDMSR, 0x474f4f00, 0, CKVM_EXIT_X86_RDMSR, &e);
	assert_int_equal(e.msr.reason, KVM_MSR_EXIT_REASON_UNKNOWN);
	*e.msr.data = 7;
	assert_int_equal(t_expect_report(&g, v), 7);
	/* the raw variant: an empty ALLOW filter removes the filter again */
	memset(&raw, 0, sizeof(raw));
	raw.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
	t_assert_ok(ckvm_vm_set_msr_filter_raw(g.vm, &raw));
	assert_int_equal(core_do(&g, v, OP_RDMSR, MSR_SYSENTER_CS, 0), 0x10);
	t_guest_destroy(&g);
}

/* Local argument checks of the SEV calls, and their errno on a host without SEV. */
static void test_sev_absent(void **state)
{
	struct t_guest g;
	struct kvm_sev_cmd cmd;
	struct kvm_enc_region reg;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	memset(&cmd, 0, sizeof(cmd));
	memset(&reg, 0, sizeof(reg));
	t_assert_err(ckvm_vm_encrypt_op(g.vm, NULL), EINVAL);
	t_assert_err(ckvm_vm_encrypt_op_sev(g.vm, NULL), EINVAL);
	t_assert_err(ckvm_vm_register_enc_memory_region(g.vm, NULL), EINVAL);
	t_assert_err(ckvm_vm_unregister_enc_memory_region(g.vm, NULL), EINVAL);
	if (access("/dev/sev", F_OK) == 0) {
		print_message("# /dev/sev exists: test_sev checks the SEV paths\n");
	} else {
		/* no SEV on this host: the ioctls are not implemented for this VM */
		cmd.id = 0; /* KVM_SEV_INIT */
		cmd.sev_fd = (uint32_t)-1;
		t_assert_err(ckvm_vm_encrypt_op_sev(g.vm, &cmd), ENOTTY);
		t_assert_err(ckvm_vm_encrypt_op(g.vm, &cmd), ENOTTY);
		t_assert_err(ckvm_vm_register_enc_memory_region(g.vm, &reg), ENOTTY);
		t_assert_err(ckvm_vm_unregister_enc_memory_region(g.vm, &reg), ENOTTY);
	}
	t_guest_destroy(&g);
}

/* SEV itself (KVM_SEV_INIT through /dev/sev, region pinning): SEV hosts only. */
static void test_sev(void **state)
{
	struct t_guest g;
	struct kvm_sev_cmd cmd;
	struct kvm_enc_region reg;
	uint8_t *mem;
	int sev;

	(void)state;
	sev = open("/dev/sev", O_RDWR | O_CLOEXEC);
	if (sev < 0)
		t_skip("needs /dev/sev (an AMD SEV host)");
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	memset(&cmd, 0, sizeof(cmd));
	memset(&reg, 0, sizeof(reg));
	/* a bad sev_fd is refused */
	cmd.id = 0; /* KVM_SEV_INIT */
	cmd.sev_fd = (uint32_t)-1;
	assert_true(ckvm_vm_encrypt_op_sev(g.vm, &cmd) < 0);
	/* KVM_SEV_INIT with the real /dev/sev (kvm-ioctls' test_sev_init) */
	memset(&cmd, 0, sizeof(cmd));
	cmd.sev_fd = (uint32_t)sev;
	t_assert_ok(ckvm_vm_encrypt_op_sev(g.vm, &cmd));
	/* an empty region is refused; a real one is pinned and unpinned */
	t_assert_err(ckvm_vm_register_enc_memory_region(g.vm, &reg), EINVAL);
	mem = core_map(0x10000);
	reg.addr = (uint64_t)(uintptr_t)mem;
	reg.size = 0x10000;
	t_assert_ok(ckvm_vm_register_enc_memory_region(g.vm, &reg));
	t_assert_ok(ckvm_vm_unregister_enc_memory_region(g.vm, &reg));
	core_unmap(mem, 0x10000);
	close(sev);
	t_guest_destroy(&g);
}

/* ---- KVM_SET_BOOT_CPU_ID ------------------------------------------------------ */

#define MSR_IA32_APICBASE 0x1b
#define APICBASE_BSP (1ull << 8)

/* vCPUs 0 and 1 of a new VM (in-kernel irqchip or not), boot CPU `boot` (-1: default). */
static void boot_vm(struct ckvm *kvm, bool irqchip, long boot, struct ckvm_vm **vm,
		    struct ckvm_vcpu *v[2])
{
	t_assert_ok(ckvm_create_vm(kvm, vm));
	if (irqchip)
		t_assert_ok(ckvm_vm_create_irq_chip(*vm));
	if (boot >= 0)
		t_assert_ok(ckvm_vm_set_boot_cpu_id(*vm, (unsigned long)boot));
	for (unsigned long i = 0; i < 2; i++)
		t_assert_ok(ckvm_vm_create_vcpu(*vm, i, &v[i]));
}

static uint64_t apic_base(struct ckvm_vcpu *v)
{
	uint64_t val = 0;

	t_assert_ok(ckvm_vcpu_get_msr(v, MSR_IA32_APICBASE, &val));
	return val;
}

static uint32_t mp_state(struct ckvm_vcpu *v)
{
	struct kvm_mp_state mp;

	t_assert_ok(ckvm_vcpu_get_mp_state(v, &mp));
	return mp.mp_state;
}

static void close_boot_vm(struct ckvm_vm *vm, struct ckvm_vcpu *v[2])
{
	ckvm_vcpu_close(v[0]);
	ckvm_vcpu_close(v[1]);
	ckvm_vm_close(vm);
}

static void test_boot_cpu_id(void **state)
{
	struct ckvm *kvm = t_require_kvm();
	struct ckvm_vm *vm;
	struct ckvm_vcpu *v[2];

	(void)state;
	t_require_cap(kvm, KVM_CAP_SET_BOOT_CPU_ID);
	/* default: vCPU 0 is the BSP */
	boot_vm(kvm, true, -1, &vm, v);
	assert_true(apic_base(v[0]) & APICBASE_BSP);
	assert_false(apic_base(v[1]) & APICBASE_BSP);
	assert_int_equal(mp_state(v[0]), KVM_MP_STATE_RUNNABLE);
	assert_int_equal(mp_state(v[1]), KVM_MP_STATE_UNINITIALIZED);
	close_boot_vm(vm, v);

	/* vCPU 1 as the BSP: the BSP bit and, with the in-kernel irqchip, the MP states move */
	boot_vm(kvm, true, 1, &vm, v);
	assert_false(apic_base(v[0]) & APICBASE_BSP);
	assert_true(apic_base(v[1]) & APICBASE_BSP);
	assert_int_equal(mp_state(v[0]), KVM_MP_STATE_UNINITIALIZED);
	assert_int_equal(mp_state(v[1]), KVM_MP_STATE_RUNNABLE);
	/* only before the first vCPU: -EBUSY after, and nothing changes */
	t_assert_err(ckvm_vm_set_boot_cpu_id(vm, 0), EBUSY);
	assert_true(apic_base(v[1]) & APICBASE_BSP);
	close_boot_vm(vm, v);

	/* without the in-kernel irqchip only the APIC base shows it */
	boot_vm(kvm, false, 1, &vm, v);
	assert_false(apic_base(v[0]) & APICBASE_BSP);
	assert_true(apic_base(v[1]) & APICBASE_BSP);
	close_boot_vm(vm, v);

	/* ids KVM cannot have, refused by KVM (above its limit) or before it (above 32 bits) */
	t_assert_ok(ckvm_create_vm(kvm, &vm));
	int max_id = ckvm_get_max_vcpu_id(kvm);
	assert_true(max_id > 0);
	t_assert_err(ckvm_vm_set_boot_cpu_id(vm, (unsigned long)max_id + 1), EINVAL);
	t_assert_err(ckvm_vm_set_boot_cpu_id(vm, (unsigned long)UINT32_MAX + 1), EINVAL);
	/* the refusals left the default in place */
	t_assert_ok(ckvm_vm_create_vcpu(vm, 0, &v[0]));
	t_assert_ok(ckvm_vm_create_vcpu(vm, 1, &v[1]));
	assert_true(apic_base(v[0]) & APICBASE_BSP);
	close_boot_vm(vm, v);
	ckvm_close(kvm);
}

/* ---- KVM_SET_PMU_EVENT_FILTER -------------------------------------------------- */

/* Guest PMU version and general-purpose counters (CPUID 0xA), from the supported CPUID. */
static void guest_pmu(struct ckvm *kvm, unsigned *version, unsigned *counters)
{
	struct kvm_cpuid2 *c = NULL;
	struct kvm_cpuid_entry2 *e;

	t_assert_ok(ckvm_get_supported_cpuid(kvm, &c));
	e = ckvm_cpuid2_find(c, 0xa, 0);
	*version = e ? (e->eax & 0xff) : 0;
	*counters = e ? ((e->eax >> 8) & 0xff) : 0;
	ckvm_cpuid2_free(c);
}

static void test_pmu_event_filter(void **state)
{
	struct ckvm *kvm = t_require_kvm();
	struct ckvm_vm *vm;
	uint64_t *many;
	unsigned version, counters;

	(void)state;
	t_require_cap(kvm, KVM_CAP_PMU_EVENT_FILTER);
	t_assert_ok(ckvm_create_vm(kvm, &vm));
	/* allow lists, deny lists, fixed counters, an empty list */
	uint64_t ev[2] = { ckvm_pmu_event(0xc0, 0), ckvm_pmu_event(0x3c, 0) };
	t_assert_ok(ckvm_vm_set_pmu_event_filter(vm, KVM_PMU_EVENT_ALLOW, 0, 0, ev, 2));
	t_assert_ok(ckvm_vm_set_pmu_event_filter(vm, KVM_PMU_EVENT_DENY, 0, 0x7, ev, 2));
	t_assert_ok(ckvm_vm_set_pmu_event_filter(vm, KVM_PMU_EVENT_DENY, 0, 0, NULL, 0));
	/*
	 * KVM judges the count ckvm passes: CKVM_MAX_PMU_EVENTS is above KVM's
	 * own limit (300 up to Linux 6.18), so KVM answers -E2BIG (the local
	 * check refuses only above CKVM_MAX_PMU_EVENTS).
	 */
	many = calloc(CKVM_MAX_PMU_EVENTS, sizeof(*many));
	assert_non_null(many);
	t_assert_err(ckvm_vm_set_pmu_event_filter(vm, KVM_PMU_EVENT_DENY, 0, 0, many,
						  CKVM_MAX_PMU_EVENTS), E2BIG);
	t_assert_err(ckvm_vm_set_pmu_event_filter(vm, KVM_PMU_EVENT_DENY, 0, 0, many,
						  CKVM_MAX_PMU_EVENTS + 1), E2BIG);
	free(many);
	/* the raw form, built by hand */
	{
		union {
			struct kvm_pmu_event_filter f;
			uint8_t b[sizeof(struct kvm_pmu_event_filter) + 2 * sizeof(uint64_t)];
		} raw;

		memset(&raw, 0, sizeof(raw));
		raw.f.action = KVM_PMU_EVENT_ALLOW;
		raw.f.nevents = 2;
		raw.f.events[0] = ev[0];
		raw.f.events[1] = ev[1];
		t_assert_ok(ckvm_vm_set_pmu_event_filter_raw(vm, &raw.f));
		raw.f.action = 7; /* KVM checks the action too */
		t_assert_err(ckvm_vm_set_pmu_event_filter_raw(vm, &raw.f), EINVAL);
	}
	guest_pmu(kvm, &version, &counters);
	if (version == 0 || counters == 0)
		print_message("# no guest PMU here (CPUID 0xA: version %u, %u counters): KVM takes "
			      "and validates the filter, but there is no counter it could stop\n",
			      version, counters);
	ckvm_vm_close(vm);
	ckvm_close(kvm);
}

/*
 * Masked events: KVM validates each entry, so its answer shows that the
 * event array ckvm built reached it intact: a valid entry is taken, the
 * same entry with a reserved bit is refused, and the raw mode (flags 0)
 * drops such an entry without an error, as api.rst says.
 */
static void test_pmu_masked_events(void **state)
{
	struct ckvm *kvm = t_require_kvm();
	struct ckvm_vm *vm;

	(void)state;
	t_require_cap(kvm, KVM_CAP_PMU_EVENT_FILTER);
	t_require_cap(kvm, KVM_CAP_PMU_EVENT_MASKED_EVENTS);
	t_assert_ok(ckvm_create_vm(kvm, &vm));
	uint64_t ok[3] = {
		ckvm_pmu_masked_event(0xc0, 0xff, 0x00, false),
		ckvm_pmu_masked_event(0x2e, 0xf0, 0x40, false),
		ckvm_pmu_masked_event(0x2e, 0xff, 0x4f, true),
	};
	t_assert_ok(ckvm_vm_set_pmu_event_filter(vm, KVM_PMU_EVENT_ALLOW,
						 KVM_PMU_EVENT_FLAG_MASKED_EVENTS, 0, ok, 3));
	uint64_t bad[3] = { ok[0], ok[1], ok[2] | (1ull << 20) }; /* bit 20 is reserved */
	t_assert_err(ckvm_vm_set_pmu_event_filter(vm, KVM_PMU_EVENT_ALLOW,
						  KVM_PMU_EVENT_FLAG_MASKED_EVENTS, 0, bad, 3), EINVAL);
	t_assert_ok(ckvm_vm_set_pmu_event_filter(vm, KVM_PMU_EVENT_ALLOW, 0, 0, bad, 3));
	ckvm_vm_close(vm);
	ckvm_close(kvm);
}

/* ---- KVM_HYPERV_EVENTFD ------------------------------------------------------------- */

/*
 * KVM's connection table: assign, a second assign of the same connection
 * (-EEXIST), deassign, a second deassign (-ENOENT), assign again. The
 * guest side (SIGNAL_EVENT signalling the eventfd) is
 * tests/vcpu/test_exits_caps.c:test_hyperv_eventfd.
 */
static void test_hyperv_eventfd(void **state)
{
	struct ckvm *kvm = t_require_kvm();
	struct ckvm_vm *vm;
	int efd, efd2;

	(void)state;
	t_require_cap(kvm, KVM_CAP_HYPERV_EVENTFD);
	t_assert_ok(ckvm_create_vm(kvm, &vm));
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	efd2 = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(efd >= 0 && efd2 >= 0);
	t_assert_ok(ckvm_vm_hyperv_eventfd(vm, 5, efd, 0));
	t_assert_err(ckvm_vm_hyperv_eventfd(vm, 5, efd2, 0), EEXIST);
	t_assert_ok(ckvm_vm_hyperv_eventfd(vm, 6, efd2, 0)); /* another connection */
	t_assert_ok(ckvm_vm_hyperv_eventfd(vm, 5, -1, KVM_HYPERV_EVENTFD_DEASSIGN));
	t_assert_err(ckvm_vm_hyperv_eventfd(vm, 5, -1, KVM_HYPERV_EVENTFD_DEASSIGN), ENOENT);
	t_assert_err(ckvm_vm_hyperv_eventfd(vm, 7, -1, KVM_HYPERV_EVENTFD_DEASSIGN), ENOENT);
	t_assert_ok(ckvm_vm_hyperv_eventfd(vm, 5, efd2, 0)); /* free again */
	/* an fd that is not an eventfd */
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(null >= 0);
	assert_true(ckvm_vm_hyperv_eventfd(vm, 8, null, 0) < 0);
	close(null);
	ckvm_vm_close(vm);
	close(efd);
	close(efd2);
	ckvm_close(kvm);
}

/* ---- Xen HVM (VM scope) ------------------------------------------------------------- */

/*
 * KVM_XEN_HVM_CONFIG and the VM attributes the host's features offer, each
 * written and read back. Hypercall interception by a guest is
 * tests/vcpu/test_exits_caps.c:test_xen, the vCPU attributes
 * tests/vcpu/test_state.c:test_xen_vcpu_attr.
 */
static void test_xen_hvm(void **state)
{
	struct t_guest g;
	struct kvm_xen_hvm_config cfg;
	struct kvm_xen_hvm_attr a;
	int xen;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	xen = ckvm_check_extension(g.kvm, KVM_CAP_XEN_HVM);
	if (xen <= 0)
		t_skip("needs KVM_CAP_XEN_HVM");
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = (uint32_t)xen & KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL;
	cfg.msr = 0x40000200; /* Xen's hypercall-page MSR */
	t_assert_ok(ckvm_vm_xen_hvm_config(g.vm, &cfg));
	/* an attribute type KVM does not know */
	memset(&a, 0, sizeof(a));
	a.type = 0x7fff;
	assert_true(ckvm_vm_xen_hvm_get_attr(g.vm, &a) < 0);
	if (xen & KVM_XEN_HVM_CONFIG_SHARED_INFO) {
		memset(&a, 0, sizeof(a));
		a.type = KVM_XEN_ATTR_TYPE_LONG_MODE;
		a.u.long_mode = 1;
		t_assert_ok(ckvm_vm_xen_hvm_set_attr(g.vm, &a));
		memset(&a, 0, sizeof(a));
		a.type = KVM_XEN_ATTR_TYPE_LONG_MODE;
		t_assert_ok(ckvm_vm_xen_hvm_get_attr(g.vm, &a));
		assert_int_equal(a.u.long_mode, 1);
		/* the shared_info page: a frame of guest RAM */
		memset(&a, 0, sizeof(a));
		a.type = KVM_XEN_ATTR_TYPE_SHARED_INFO;
		a.u.shared_info.gfn = T_DATA_GPA >> 12;
		t_assert_ok(ckvm_vm_xen_hvm_set_attr(g.vm, &a));
		memset(&a, 0, sizeof(a));
		a.type = KVM_XEN_ATTR_TYPE_SHARED_INFO;
		t_assert_ok(ckvm_vm_xen_hvm_get_attr(g.vm, &a));
		assert_int_equal(a.u.shared_info.gfn, T_DATA_GPA >> 12);
		memset(&a, 0, sizeof(a));
		a.type = KVM_XEN_ATTR_TYPE_UPCALL_VECTOR;
		a.u.vector = 0x30;
		t_assert_ok(ckvm_vm_xen_hvm_set_attr(g.vm, &a));
		memset(&a, 0, sizeof(a));
		a.type = KVM_XEN_ATTR_TYPE_UPCALL_VECTOR;
		t_assert_ok(ckvm_vm_xen_hvm_get_attr(g.vm, &a));
		assert_int_equal(a.u.vector, 0x30);
	}
	if (xen & KVM_XEN_HVM_CONFIG_EVTCHN_SEND) {
		memset(&a, 0, sizeof(a));
		a.type = KVM_XEN_ATTR_TYPE_XEN_VERSION;
		a.u.xen_version = 0x4000a; /* 4.10 */
		t_assert_ok(ckvm_vm_xen_hvm_set_attr(g.vm, &a));
		memset(&a, 0, sizeof(a));
		a.type = KVM_XEN_ATTR_TYPE_XEN_VERSION;
		t_assert_ok(ckvm_vm_xen_hvm_get_attr(g.vm, &a));
		assert_int_equal(a.u.xen_version, 0x4000a);
	}
	t_guest_destroy(&g);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xsave_size),
		cmocka_unit_test(test_sev_absent),
	};
	/* each may skip (absent capability or device): its own meson test */
	const struct CMUnitTest alone[] = {
		cmocka_unit_test(test_tss_and_identity_map),
		cmocka_unit_test(test_pit2),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_vm_tsc_khz),
		cmocka_unit_test(test_msr_filter_arguments),
		cmocka_unit_test(test_msr_filter_guest),
		cmocka_unit_test(test_sev),
		cmocka_unit_test(test_boot_cpu_id),
		cmocka_unit_test(test_pmu_event_filter),
		cmocka_unit_test(test_pmu_masked_events),
		cmocka_unit_test(test_hyperv_eventfd),
		cmocka_unit_test(test_xen_hvm),
	};

	ckvm_close(t_require_kvm());
	return t_main(argc, argv, tests, T_ARRAY_LEN(tests), alone, T_ARRAY_LEN(alone));
}
