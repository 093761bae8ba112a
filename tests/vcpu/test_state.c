/* SPDX-License-Identifier: MIT */
/*
 * test_state.c - vCPU lifetime and every x86_64 vCPU state ioctl on a real
 * /dev/kvm: each setter is checked by reading the state back (and, where it
 * matters, by running guest code that observes it).
 */
#include "guest.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MSR_IA32_TSC_AUX 0xc0000103
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_IA32_MC0_STATUS 0x401
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01

static int count_maps(const char *needle)
{
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			n++;
	fclose(f);
	return n;
}

static void test_create_close(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v = NULL, *v2 = NULL;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	int maps_before = count_maps("kvm-vcpu");
	t_assert_ok(ckvm_vm_create_vcpu(g.vm, 3, &v));
	assert_int_equal(ckvm_vcpu_id(v), 3);
	int fd = ckvm_vcpu_fd(v);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(ckvm_vcpu_run_size(v), ckvm_vm_run_size(g.vm));
	assert_true(ckvm_vcpu_run_size(v) >= sizeof(struct kvm_run));
	assert_int_equal(ckvm_vcpu_run_size(v), (size_t)ckvm_get_vcpu_mmap_size(g.kvm));
	assert_non_null(ckvm_vcpu_run_struct(v));
	assert_true(count_maps("kvm-vcpu") > maps_before);

	/* The same id twice, and an id above the limit, are refused. */
	t_assert_err(ckvm_vm_create_vcpu(g.vm, 3, &v2), EEXIST);
	t_assert_err(ckvm_vm_create_vcpu(g.vm, (unsigned long)ckvm_get_max_vcpu_id(g.kvm), &v2),
		     EINVAL);
	t_assert_err(ckvm_vm_create_vcpu(NULL, 0, &v2), EINVAL);
	t_assert_err(ckvm_vm_create_vcpu(g.vm, 0, NULL), EINVAL);

	/* Close unmaps kvm_run and closes the fd. */
	ckvm_vcpu_close(v);
	assert_int_equal(count_maps("kvm-vcpu"), maps_before);
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	assert_int_equal(errno, EBADF);
	ckvm_vcpu_close(NULL);

	/* Adopt a raw vCPU fd (made inheritable first: adoption sets FD_CLOEXEC). */
	int raw = ckvm_vm_ioctl(g.vm, KVM_CREATE_VCPU, (void *)(uintptr_t)5);
	assert_true(raw >= 0);
	assert_int_equal(fcntl(raw, F_SETFD, 0), 0);
	v2 = NULL;
	t_assert_err(ckvm_vcpu_from_fd(g.vm, -1, &v2), EBADF);
	t_assert_err(ckvm_vcpu_from_fd(NULL, raw, &v2), EINVAL);
	t_assert_err(ckvm_vcpu_from_fd(g.vm, raw, NULL), EINVAL);
	assert_null(v2);
	/* not a vCPU: the kvm_run mmap fails, the caller keeps its fd */
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	assert_true(ckvm_vcpu_from_fd(g.vm, nul, &v2) < 0);
	assert_null(v2);
	assert_true(fcntl(nul, F_GETFD) >= 0);
	close(nul);
	assert_int_equal(fcntl(raw, F_GETFD), 0);
	t_assert_ok(ckvm_vcpu_from_fd(g.vm, raw, &v2));
	assert_int_equal(ckvm_vcpu_fd(v2), raw);
	assert_true(fcntl(raw, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(ckvm_vcpu_id(v2), (unsigned long)-1);
	/* The adopted vCPU is fully usable: run a guest on it. */
	t_guest_load_code(&g, guest_complete_io);
	t_vcpu_setup(&g, v2, T_MODE_LONG64, T_CODE_GPA);
	struct ckvm_exit e;
	t_expect_exit(&g, v2, CKVM_EXIT_IO_IN, &e);
	assert_int_equal(e.io.port, 0x50);
	ckvm_vcpu_close(v2);
	assert_int_equal(fcntl(raw, F_GETFD), -1);
	t_guest_destroy(&g);
}

static void test_regs_sregs(void **state)
{
	struct t_guest g;
	struct kvm_regs regs, regs2;
	struct kvm_sregs sregs, sregs2;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	assert_int_equal(regs.rip, T_CODE_GPA);
	for (int i = 0; i < 16; i++)
		((uint64_t *)&regs)[i] = 0x1000 + (uint64_t)i;
	regs.rip = 0x9000;
	regs.rflags = 0x2 | 0x1; /* CF */
	t_assert_ok(ckvm_vcpu_set_regs(v, &regs));
	memset(&regs2, 0, sizeof(regs2));
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs2));
	assert_memory_equal(&regs, &regs2, sizeof(regs));

	t_assert_ok(ckvm_vcpu_get_sregs(v, &sregs));
	assert_int_equal(sregs.cr3, T_PML4_GPA);
	assert_int_equal(sregs.efer & 0x500, 0x500);
	assert_int_equal(sregs.cs.selector, T_SEL_CODE64);
	sregs.cr2 = 0xdeadb000;
	sregs.fs.base = 0x12345000;
	t_assert_ok(ckvm_vcpu_set_sregs(v, &sregs));
	t_assert_ok(ckvm_vcpu_get_sregs(v, &sregs2));
	assert_int_equal(sregs2.cr2, 0xdeadb000);
	assert_int_equal(sregs2.fs.base, 0x12345000);

	t_assert_err(ckvm_vcpu_get_regs(v, NULL), EINVAL);
	t_assert_err(ckvm_vcpu_set_regs(NULL, &regs), EINVAL);
	t_assert_err(ckvm_vcpu_get_sregs(v, NULL), EINVAL);
	t_guest_destroy(&g);
}

static void test_sregs2(void **state)
{
	struct t_guest g;
	struct kvm_sregs2 s2, s2b;
	struct kvm_sregs sregs;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	t_require_vm_cap(g.vm, KVM_CAP_SREGS2);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	t_assert_ok(ckvm_vcpu_get_sregs2(v, &s2));
	assert_int_equal(s2.cr3, T_PML4_GPA);
	assert_int_equal(s2.cs.selector, T_SEL_CODE64);
	s2.cr2 = 0xabc000;
	s2.gs.base = 0x7770000;
	s2.flags = 0; /* long mode: no PDPTRs */
	t_assert_ok(ckvm_vcpu_set_sregs2(v, &s2));
	t_assert_ok(ckvm_vcpu_get_sregs2(v, &s2b));
	assert_int_equal(s2b.cr2, 0xabc000);
	assert_int_equal(s2b.gs.base, 0x7770000);
	/* Consistent with the classic view. */
	t_assert_ok(ckvm_vcpu_get_sregs(v, &sregs));
	assert_int_equal(sregs.gs.base, 0x7770000);
	t_assert_err(ckvm_vcpu_get_sregs2(v, NULL), EINVAL);
	t_guest_destroy(&g);
}

static void test_fpu_xsave_xcrs(void **state)
{
	struct t_guest g;
	struct kvm_fpu fpu, fpu2;
	struct kvm_xsave xs;
	struct kvm_xsave *x2 = NULL;
	struct kvm_xcrs xcrs, xcrs2;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);

	t_assert_ok(ckvm_vcpu_get_fpu(v, &fpu));
	fpu.fcw = 0x37a;
	fpu.mxcsr = 0x1fa0;
	memset(fpu.xmm[3], 0x5c, 16);
	t_assert_ok(ckvm_vcpu_set_fpu(v, &fpu));
	t_assert_ok(ckvm_vcpu_get_fpu(v, &fpu2));
	assert_int_equal(fpu2.fcw, 0x37a);
	/* (KVM_GET_FPU never reports MXCSR: the kernel leaves it 0.) */
	assert_memory_equal(fpu2.xmm[3], fpu.xmm[3], 16);

	/*
	 * Legacy XSAVE. The image starts with the FXSAVE layout (FCW at 0,
	 * MXCSR at 24, XMM0 at 160) and XSTATE_BV at 512. Write SSE state
	 * through XSAVE and read it back through both views.
	 */
	t_require_vm_cap(g.vm, KVM_CAP_XSAVE);
	t_assert_ok(ckvm_vcpu_get_xsave(v, &xs));
	uint8_t *img = (uint8_t *)xs.region;
	uint32_t mxcsr = 0x1f80;
	uint64_t bv;
	memcpy(img + 24, &mxcsr, 4);
	memset(img + 160, 0x11, 16); /* XMM0 */
	memcpy(&bv, img + 512, 8);
	bv |= 0x3; /* x87 | SSE */
	memcpy(img + 512, &bv, 8);
	t_assert_ok(ckvm_vcpu_set_xsave(v, &xs));
	t_assert_ok(ckvm_vcpu_get_fpu(v, &fpu2));
	assert_int_equal(fpu2.xmm[0][7], 0x11);
	memset(&xs, 0, sizeof(xs));
	t_assert_ok(ckvm_vcpu_get_xsave(v, &xs));
	memcpy(&mxcsr, img + 24, 4);
	assert_int_equal(mxcsr, 0x1f80);
	assert_int_equal(img[160 + 5], 0x11);

	/* XSAVE2 sized by KVM_CAP_XSAVE2 on the VM. */
	int size = ckvm_vm_xsave_size(g.vm);
	assert_true(size >= 4096);
	t_assert_ok(ckvm_xsave_alloc((size_t)size, &x2));
	t_assert_ok(ckvm_vcpu_get_xsave2(v, x2));
	assert_memory_equal((uint8_t *)x2->region + 160, img + 160, 16);
	((uint8_t *)x2->region)[160 + 15] = 0x22;
	t_assert_ok(ckvm_vcpu_set_xsave2(v, x2));
	t_assert_ok(ckvm_vcpu_get_fpu(v, &fpu2));
	assert_int_equal(fpu2.xmm[0][15], 0x22);
	ckvm_xsave_free(x2);
	t_assert_err(ckvm_vcpu_get_xsave2(v, NULL), EINVAL);

	/* XCR0: x87|SSE|AVX when the guest CPUID has AVX, else x87|SSE. */
	t_require_vm_cap(g.vm, KVM_CAP_XCRS);
	t_assert_ok(ckvm_vcpu_get_xcrs(v, &xcrs));
	assert_true(xcrs.nr_xcrs >= 1);
	assert_int_equal(xcrs.xcrs[0].xcr, 0);
	assert_true(xcrs.xcrs[0].value & 1);
	memset(&xcrs2, 0, sizeof(xcrs2));
	xcrs2.nr_xcrs = 1;
	xcrs2.xcrs[0].xcr = 0;
	xcrs2.xcrs[0].value = 0x3;
	t_assert_ok(ckvm_vcpu_set_xcrs(v, &xcrs2));
	memset(&xcrs, 0, sizeof(xcrs));
	t_assert_ok(ckvm_vcpu_get_xcrs(v, &xcrs));
	assert_int_equal(xcrs.xcrs[0].value, 0x3);
	xcrs2.xcrs[0].value = 0x2; /* x87 bit clear: invalid */
	t_assert_err(ckvm_vcpu_set_xcrs(v, &xcrs2), EINVAL);
	t_guest_destroy(&g);
}

static void test_msrs(void **state)
{
	struct t_guest g;
	struct kvm_msrs *m = NULL;
	uint64_t val = 0;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	t_assert_ok(ckvm_vcpu_set_msr(v, MSR_KERNEL_GS_BASE, 0xffff800012345000ull));
	t_assert_ok(ckvm_vcpu_get_msr(v, MSR_KERNEL_GS_BASE, &val));
	assert_int_equal(val, 0xffff800012345000ull);
	t_assert_err(ckvm_vcpu_get_msr(v, 0xdeadbeef, &val), EINVAL);
	t_assert_err(ckvm_vcpu_set_msr(v, 0xdeadbeef, 1), EINVAL);

	/* FAM: the kernel stops at the first MSR it refuses and returns the count. */
	t_assert_ok(ckvm_msrs_alloc(4, &m));
	t_assert_ok(ckvm_msrs_push(m, MSR_IA32_TSC_AUX, 0x77));
	t_assert_ok(ckvm_msrs_push(m, MSR_KERNEL_GS_BASE, 0x1000));
	t_assert_ok(ckvm_msrs_push(m, 0xdeadbeef, 0));
	t_assert_ok(ckvm_msrs_push(m, MSR_KERNEL_GS_BASE, 0x2000));
	assert_int_equal(ckvm_vcpu_set_msrs(v, m), 2);
	m->entries[0].data = m->entries[1].data = 0;
	assert_int_equal(ckvm_vcpu_get_msrs(v, m), 2);
	assert_int_equal(m->entries[0].data, 0x77);
	assert_int_equal(m->entries[1].data, 0x1000);
	/* counts above ckvm's limit are refused before the ioctl, nothing changed */
	m->nmsrs = CKVM_MAX_MSR_ENTRIES + 1;
	m->entries[0].data = 0x99;
	t_assert_err(ckvm_vcpu_set_msrs(v, m), E2BIG);
	t_assert_err(ckvm_vcpu_get_msrs(v, m), E2BIG);
	assert_int_equal(m->entries[0].data, 0x99);
	t_assert_ok(ckvm_vcpu_get_msr(v, MSR_IA32_TSC_AUX, &val));
	assert_int_equal(val, 0x77);
	t_assert_err(ckvm_vcpu_get_msrs(v, NULL), EINVAL);
	t_assert_err(ckvm_vcpu_set_msrs(v, NULL), EINVAL);
	t_assert_err(ckvm_vcpu_get_msr(v, MSR_IA32_TSC_AUX, NULL), EINVAL);
	ckvm_msrs_free(m);
	t_guest_destroy(&g);
}

static void test_cpuid(void **state)
{
	struct t_guest g;
	struct kvm_cpuid2 *got = NULL, *small = NULL;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	/* t_guest_add_vcpu did KVM_SET_CPUID2 with the supported CPUID. */
	/*
	 * Every entry KVM kept is one we set, unchanged (KVM may drop leaves
	 * it does not store, e.g. beyond the maximum basic leaf).
	 */
	t_assert_ok(ckvm_vcpu_get_cpuid2(v, &got));
	assert_true(got->nent >= 2 && got->nent <= g.cpuid->nent);
	for (uint32_t i = 0; i < got->nent; i++) {
		struct kvm_cpuid_entry2 *b = &got->entries[i];
		assert_non_null(ckvm_cpuid2_find(g.cpuid, b->function, b->index));
	}
	/* Leaf 0 (max leaf and vendor) and leaf 1 EAX (signature) unchanged. */
	struct kvm_cpuid_entry2 *a0 = ckvm_cpuid2_find(g.cpuid, 0, 0);
	struct kvm_cpuid_entry2 *b0 = ckvm_cpuid2_find(got, 0, 0);
	assert_non_null(b0);
	assert_int_equal(a0->eax, b0->eax);
	assert_int_equal(a0->ebx, b0->ebx);
	assert_int_equal(a0->ecx, b0->ecx);
	assert_int_equal(a0->edx, b0->edx);
	assert_int_equal(ckvm_cpuid2_find(g.cpuid, 1, 0)->eax, ckvm_cpuid2_find(got, 1, 0)->eax);
	/* A too-small buffer grows on E2BIG. */
	t_assert_ok(ckvm_cpuid2_alloc(1, &small));
	t_assert_ok(ckvm_vcpu_get_cpuid2(v, &small));
	assert_int_equal(small->nent, got->nent);
	ckvm_cpuid2_free(small);

	/* A vCPU whose CPUID was set to a subset reports exactly that. */
	struct ckvm_vcpu *v2 = NULL;
	struct kvm_cpuid2 *sub = NULL, *got2 = NULL;
	t_assert_ok(ckvm_vm_create_vcpu(g.vm, 1, &v2));
	t_assert_ok(ckvm_cpuid2_alloc(2, &sub));
	t_assert_ok(ckvm_cpuid2_push(sub, ckvm_cpuid2_find(g.cpuid, 0, 0)));
	t_assert_ok(ckvm_cpuid2_push(sub, ckvm_cpuid2_find(g.cpuid, 1, 0)));
	t_assert_ok(ckvm_vcpu_set_cpuid2(v2, sub));
	t_assert_ok(ckvm_vcpu_get_cpuid2(v2, &got2));
	/* Our two leaves are there as set (this host may add derived 0xd leaves). */
	assert_true(got2->nent >= 2);
	assert_int_equal(ckvm_cpuid2_find(got2, 0, 0)->ebx, ckvm_cpuid2_find(g.cpuid, 0, 0)->ebx);
	assert_int_equal(ckvm_cpuid2_find(got2, 1, 0)->eax, ckvm_cpuid2_find(g.cpuid, 1, 0)->eax);
	assert_null(ckvm_cpuid2_find(got2, 7, 0));
	t_assert_err(ckvm_vcpu_set_cpuid2(v2, NULL), EINVAL);
	/* a count above ckvm's limit is refused before the ioctl: CPUID unchanged */
	uint32_t nent = sub->nent;
	sub->nent = CKVM_MAX_CPUID_ENTRIES + 1;
	t_assert_err(ckvm_vcpu_set_cpuid2(v2, sub), E2BIG);
	sub->nent = nent;
	t_assert_ok(ckvm_vcpu_get_cpuid2(v2, &got2));
	assert_int_equal(ckvm_cpuid2_find(got2, 1, 0)->eax, ckvm_cpuid2_find(g.cpuid, 1, 0)->eax);
	t_assert_err(ckvm_vcpu_get_cpuid2(v2, NULL), EINVAL);
	ckvm_cpuid2_free(sub);
	ckvm_cpuid2_free(got2);
	ckvm_vcpu_close(v2);
	ckvm_cpuid2_free(got);
	t_guest_destroy(&g);
}

static void test_lapic_mp_state(void **state)
{
	struct t_guest g;
	struct kvm_lapic_state lapic, lapic2;
	struct kvm_mp_state mp;
	(void)state;

	t_guest_create_vm(&g);
	t_assert_ok(ckvm_vm_create_irq_chip(g.vm));
	t_guest_add_memory(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);

	t_assert_ok(ckvm_vcpu_get_lapic(v, &lapic));
	uint32_t ver;
	memcpy(&ver, lapic.regs + 0x30, 4); /* APIC version register */
	assert_int_equal(ver & 0xff, 0x14);
	uint32_t tpr = 0x50;
	memcpy(lapic.regs + 0x80, &tpr, 4);
	t_assert_ok(ckvm_vcpu_set_lapic(v, &lapic));
	t_assert_ok(ckvm_vcpu_get_lapic(v, &lapic2));
	memcpy(&tpr, lapic2.regs + 0x80, 4);
	assert_int_equal(tpr, 0x50);

	t_assert_ok(ckvm_vcpu_get_mp_state(v, &mp));
	assert_int_equal(mp.mp_state, KVM_MP_STATE_RUNNABLE);
	mp.mp_state = KVM_MP_STATE_HALTED;
	t_assert_ok(ckvm_vcpu_set_mp_state(v, &mp));
	memset(&mp, 0xff, sizeof(mp));
	t_assert_ok(ckvm_vcpu_get_mp_state(v, &mp));
	assert_int_equal(mp.mp_state, KVM_MP_STATE_HALTED);
	t_assert_err(ckvm_vcpu_get_mp_state(v, NULL), EINVAL);
	t_assert_err(ckvm_vcpu_get_lapic(v, NULL), EINVAL);
	t_assert_err(ckvm_vcpu_set_lapic(v, NULL), EINVAL);
	t_guest_destroy(&g);
}

/*
 * KVM_SET_VAPIC_ADDR: on each guest entry with the LAPIC enabled KVM writes
 * the TPR (byte 0), highest ISR and IRR into the guest page at that address.
 */
static void test_vapic(void **state)
{
	struct t_guest g;
	struct kvm_lapic_state lapic;
	uint32_t tpr = 0x70;
	(void)state;

	t_guest_create_vm(&g);
	t_require_vm_cap(g.vm, KVM_CAP_VAPIC);
	t_assert_ok(ckvm_vm_create_irq_chip(g.vm));
	t_guest_add_memory(&g, 1 << 20, 0);
	t_guest_load_code(&g, guest_complete_io);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	uint8_t *vapic = t_gpa(&g, 0x30000, 4096);
	memset(vapic, 0, 4096);
	t_assert_ok(ckvm_vcpu_set_vapic_addr(v, 0x30000));
	t_assert_ok(ckvm_vcpu_get_lapic(v, &lapic));
	memcpy(lapic.regs + 0x80, &tpr, 4);
	uint32_t svr = 0x1ff; /* software-enabled, spurious vector 0xff */
	memcpy(lapic.regs + 0xf0, &svr, 4);
	t_assert_ok(ckvm_vcpu_set_lapic(v, &lapic));
	/* KVM syncs the vAPIC page on guest entry: run to the first exit */
	struct ckvm_exit e;
	t_expect_exit(&g, v, CKVM_EXIT_IO_IN, &e);
	assert_int_equal(vapic[0], 0x70);
	t_assert_ok(ckvm_vcpu_tpr_access_reporting(v, true));
	t_assert_ok(ckvm_vcpu_tpr_access_reporting(v, false));
	t_assert_ok(ckvm_vcpu_set_vapic_addr(v, 0)); /* off again */
	t_guest_destroy(&g);
}

static void test_mp_state_userspace_irqchip(void **state)
{
	struct t_guest g;
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_HALTED };
	(void)state;

	/* Without the in-kernel LAPIC only RUNNABLE is accepted. */
	t_guest_create(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	t_assert_err(ckvm_vcpu_set_mp_state(v, &mp), EINVAL);
	mp.mp_state = KVM_MP_STATE_RUNNABLE;
	t_assert_ok(ckvm_vcpu_set_mp_state(v, &mp));
	t_guest_destroy(&g);
}

static void test_debugregs_events(void **state)
{
	struct t_guest g;
	struct kvm_debugregs d, d2;
	struct kvm_vcpu_events ev, ev2;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	t_require_vm_cap(g.vm, KVM_CAP_DEBUGREGS);
	t_assert_ok(ckvm_vcpu_get_debug_regs(v, &d));
	assert_int_equal(d.dr7 & 0xffff, 0x400);
	d.db[0] = 0x1000;
	d.db[1] = 0x2000;
	d.db[2] = 0x3000;
	d.db[3] = 0x4000;
	d.dr7 = 0x400 | 0x2; /* G0 */
	t_assert_ok(ckvm_vcpu_set_debug_regs(v, &d));
	t_assert_ok(ckvm_vcpu_get_debug_regs(v, &d2));
	assert_int_equal(d2.db[0], 0x1000);
	assert_int_equal(d2.db[3], 0x4000);
	assert_int_equal(d2.dr7, 0x402);
	d.dr7 = 1ull << 40; /* reserved bits */
	t_assert_err(ckvm_vcpu_set_debug_regs(v, &d), EINVAL);

	t_require_vm_cap(g.vm, KVM_CAP_VCPU_EVENTS);
	t_assert_ok(ckvm_vcpu_get_vcpu_events(v, &ev));
	assert_int_equal(ev.nmi.pending, 0);
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING;
	ev.nmi.pending = 1;
	t_assert_ok(ckvm_vcpu_set_vcpu_events(v, &ev));
	t_assert_ok(ckvm_vcpu_get_vcpu_events(v, &ev2));
	assert_int_equal(ev2.nmi.pending, 1);
	t_guest_destroy(&g);
}

static void test_nmi(void **state)
{
	struct t_guest g;
	struct kvm_vcpu_events ev;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	t_require_vm_cap(g.vm, KVM_CAP_USER_NMI);
	t_guest_load_code(&g, guest_nmi);
	t_guest_set_idt_gate(&g, 2, T_GUEST_ADDR(guest_nmi, guest_nmi_handler), 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	t_assert_ok(ckvm_vcpu_nmi(v));
	t_assert_ok(ckvm_vcpu_get_vcpu_events(v, &ev));
	assert_int_equal(ev.nmi.pending, 1);
	/* The guest takes the NMI through IDT vector 2. */
	assert_int_equal(t_expect_report(&g, v), 2);
	t_expect_done(&g, v);
	t_guest_destroy(&g);
}

static void test_smi(void **state)
{
	struct t_guest g;
	struct kvm_vcpu_events ev;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	if (ckvm_vm_check_extension(g.vm, KVM_CAP_X86_SMM) <= 0) {
		/* Without SMM support KVM refuses the SMI. */
		int r = ckvm_vcpu_smi(v);
		assert_true(r < 0);
		t_guest_destroy(&g);
		t_skip("needs KVM_CAP_X86_SMM (checked only that KVM_SMI is refused: %s)",
		       strerror(-r));
	}
	t_assert_ok(ckvm_vcpu_smi(v));
	t_assert_ok(ckvm_vcpu_get_vcpu_events(v, &ev));
	assert_true(ev.flags & KVM_VCPUEVENT_VALID_SMM);
	assert_int_equal(ev.smi.pending, 1);
	t_guest_destroy(&g);
}

static void test_translate(void **state)
{
	struct t_guest g;
	struct kvm_translation tr;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	memset(&tr, 0, sizeof(tr));
	tr.linear_address = 0x8123;
	t_assert_ok(ckvm_vcpu_translate_gva(v, &tr));
	assert_int_equal(tr.valid, 1);
	assert_int_equal(tr.physical_address, 0x8123);
	/* x86 KVM does not report page permissions: writeable is always 1. */
	assert_int_equal(tr.writeable, 1);
	memset(&tr, 0, sizeof(tr));
	tr.linear_address = 0xc0001234; /* identity-mapped beyond RAM */
	t_assert_ok(ckvm_vcpu_translate_gva(v, &tr));
	assert_int_equal(tr.valid, 1);
	assert_int_equal(tr.physical_address, 0xc0001234);
	memset(&tr, 0, sizeof(tr));
	tr.linear_address = 0x7f0000000000ull; /* not mapped */
	t_assert_ok(ckvm_vcpu_translate_gva(v, &tr));
	assert_int_equal(tr.valid, 0);
	t_assert_err(ckvm_vcpu_translate_gva(v, NULL), EINVAL);
	t_guest_destroy(&g);
}

static void test_tsc_kvmclock(void **state)
{
	struct t_guest g;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	t_require_vm_cap(g.vm, KVM_CAP_GET_TSC_KHZ);
	int khz = ckvm_vcpu_get_tsc_khz(v);
	assert_true(khz > 100000); /* > 100 MHz */
	/* Setting the current frequency needs no scaling and always works. */
	t_assert_ok(ckvm_vcpu_set_tsc_khz(v, (uint32_t)khz));
	assert_int_equal(ckvm_vcpu_get_tsc_khz(v), khz);
	t_assert_err(ckvm_vcpu_set_tsc_khz(v, 0), EINVAL);

	/* KVMCLOCK_CTRL needs the guest to have enabled kvmclock. */
	t_require_vm_cap(g.vm, KVM_CAP_KVMCLOCK_CTRL);
	t_assert_err(ckvm_vcpu_kvmclock_ctrl(v), EINVAL);
	t_guest_load_code(&g, guest_complete_io);
	uint8_t *pvclock = t_gpa(&g, 0x30000, 32);
	memset(pvclock, 0, 32);
	t_assert_ok(ckvm_vcpu_set_msr(v, MSR_KVM_SYSTEM_TIME_NEW, 0x30000 | 1));
	/* KVM fills the guest's pvclock page on entry: no "stopped" flag yet */
	struct ckvm_exit e;
	t_expect_exit(&g, v, CKVM_EXIT_IO_IN, &e);
	uint32_t version;
	memcpy(&version, pvclock, 4);
	assert_true(version != 0 && !(version & 1));
	assert_int_equal(pvclock[29] & 2, 0); /* flags: PVCLOCK_GUEST_STOPPED */
	/* the VMM paused the guest: KVM sets PVCLOCK_GUEST_STOPPED at the next entry */
	t_assert_ok(ckvm_vcpu_kvmclock_ctrl(v));
	t_expect_exit(&g, v, CKVM_EXIT_IO_OUT, &e);
	assert_int_equal(pvclock[29] & 2, 2);
	t_guest_destroy(&g);
}

/* A guest TSC frequency other than the host's (TSC scaling). */
static void test_tsc_scaling(void **state)
{
	struct t_guest g;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	t_require_vm_cap(g.vm, KVM_CAP_GET_TSC_KHZ);
	int khz = ckvm_vcpu_get_tsc_khz(v);
	assert_true(khz > 100000);
	if (ckvm_vm_check_extension(g.vm, KVM_CAP_TSC_CONTROL) <= 0) {
		/*
		 * No TSC scaling: a lower frequency is refused. (KVM records the
		 * refused rate before refusing it, so KVM_GET_TSC_KHZ reports it
		 * until the host's rate is set again, as x86_64.h documents.)
		 */
		int r = ckvm_vcpu_set_tsc_khz(v, (uint32_t)khz / 2);
		assert_true(r < 0);
		t_assert_ok(ckvm_vcpu_set_tsc_khz(v, (uint32_t)khz));
		assert_int_equal(ckvm_vcpu_get_tsc_khz(v), khz);
		t_guest_destroy(&g);
		t_skip("needs KVM_CAP_TSC_CONTROL (checked only that another rate is refused)");
	}
	t_assert_ok(ckvm_vcpu_set_tsc_khz(v, (uint32_t)khz / 2));
	assert_int_equal(ckvm_vcpu_get_tsc_khz(v), khz / 2);
	/* +- 500 MHz, as kvm-ioctls checks */
	t_assert_ok(ckvm_vcpu_set_tsc_khz(v, (uint32_t)khz + 500000));
	assert_int_equal(ckvm_vcpu_get_tsc_khz(v), khz + 500000);
	t_guest_destroy(&g);
}

static void test_mce(void **state)
{
	struct t_guest g;
	uint64_t supported = 0, status = 0;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	t_require_vm_cap(g.vm, KVM_CAP_MCE);
	t_assert_ok(ckvm_get_mce_cap_supported(g.kvm, &supported));
	/* The bank count is the capability's value, not part of the bits. */
	assert_true(ckvm_vm_check_extension(g.vm, KVM_CAP_MCE) >= 2);
	t_assert_ok(ckvm_vcpu_setup_mce(v, (supported & ~0xffull) | 2)); /* 2 banks */
	/* A corrected error lands in bank 1's MSRs. */
	struct kvm_x86_mce mce = {
		.status = (1ull << 63) | 0x1234, /* VAL, corrected */
		.addr = 0x5000, .misc = 0x86, .bank = 1,
	};
	t_assert_ok(ckvm_vcpu_set_mce(v, &mce));
	t_assert_ok(ckvm_vcpu_get_msr(v, MSR_IA32_MC0_STATUS + 4, &status));
	assert_int_equal(status, mce.status);
	t_assert_ok(ckvm_vcpu_get_msr(v, MSR_IA32_MC0_STATUS + 4 + 1, &status));
	assert_int_equal(status, 0x5000); /* MC1_ADDR */
	mce.bank = 5; /* beyond the configured banks */
	t_assert_err(ckvm_vcpu_set_mce(v, &mce), EINVAL);
	t_guest_destroy(&g);
}

static void test_nested_state(void **state)
{
	struct t_guest g;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	int max = ckvm_check_extension(g.kvm, KVM_CAP_NESTED_STATE);
	struct kvm_nested_state small;
	memset(&small, 0, sizeof(small));
	/* Local checks first: a buffer smaller than the header, a bad size field. */
	t_assert_err(ckvm_vcpu_get_nested_state(v, &small, sizeof(small) - 1), EINVAL);
	t_assert_err(ckvm_vcpu_get_nested_state(v, NULL, sizeof(small)), EINVAL);
	t_assert_err(ckvm_vcpu_set_nested_state(v, &small), EINVAL); /* size 0 */
	if (max <= 0) {
		/* Absent: ckvm says so without an ioctl. */
		t_assert_err(ckvm_vcpu_get_nested_state(v, &small, sizeof(small)), ENOTSUP);
		small.size = sizeof(small);
		t_assert_err(ckvm_vcpu_set_nested_state(v, &small), ENOTSUP);
		t_guest_destroy(&g);
		t_skip("needs KVM_CAP_NESTED_STATE (checked only the local -ENOTSUP)");
	}
	struct kvm_nested_state *st = calloc(1, (size_t)max);
	assert_non_null(st);
	int r = ckvm_vcpu_get_nested_state(v, st, (size_t)max);
	/* no nested guest running: the header only (kvm-ioctls' check) */
	assert_int_equal(r, (int)sizeof(*st));
	assert_int_equal(st->size, sizeof(*st));
	t_assert_ok(ckvm_vcpu_set_nested_state(v, st));
	free(st);
	t_guest_destroy(&g);
}

static void test_one_reg_reg_list(void **state)
{
	struct t_guest g;
	struct kvm_reg_list *list = NULL;
	uint8_t buf[64];
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	/* Length checks happen before any ioctl. */
	uint64_t id64 = KVM_REG_X86 | KVM_REG_SIZE_U64 | 1;
	assert_int_equal(ckvm_reg_size(id64), 8);
	assert_int_equal(ckvm_reg_size(KVM_REG_SIZE_U128), 16);
	t_assert_err(ckvm_vcpu_get_one_reg(v, id64, buf, 7), EINVAL);
	t_assert_err(ckvm_vcpu_set_one_reg(v, id64, buf, 4), EINVAL);
	t_assert_err(ckvm_vcpu_get_one_reg(v, id64, NULL, 8), EINVAL);

	int r = ckvm_vcpu_get_reg_list(v, &list);
	if (r == 0) {
		/*
		 * This kernel has x86 ONE_REG: MSRs are registers of type MSR
		 * (not enumerated by the list, which holds only KVM-defined ones).
		 */
		uint64_t val = 0xffff800011112000ull, back = 0; /* canonical */
		uint64_t id = ckvm_x86_reg_msr(MSR_KERNEL_GS_BASE);

		for (uint64_t i = 0; i < list->n; i++)
			assert_int_equal(list->reg[i] & KVM_REG_ARCH_MASK, KVM_REG_X86);
		assert_int_equal(ckvm_vcpu_set_one_reg(v, id, &val, sizeof(val)), 8);
		t_assert_ok(ckvm_vcpu_get_msr(v, MSR_KERNEL_GS_BASE, &back));
		assert_int_equal(back, val);
		t_assert_ok(ckvm_vcpu_set_msr(v, MSR_KERNEL_GS_BASE, 0x5555000));
		assert_int_equal(ckvm_vcpu_get_one_reg(v, id, &back, sizeof(back)), 8);
		assert_int_equal(back, 0x5555000);
		/* an MSR KVM does not know */
		assert_true(ckvm_vcpu_get_one_reg(v, ckvm_x86_reg_msr(0xdeadbeef), &back, 8) < 0);
	} else {
		/* x86 before ONE_REG support: the kernel refuses both. */
		assert_true(r == -EINVAL || r == -ENOTTY);
		r = ckvm_vcpu_get_one_reg(v, id64, buf, 8);
		assert_true(r == -EINVAL || r == -ENOTTY || r == -ENOENT);
	}
	ckvm_reg_list_free(list);
	t_guest_destroy(&g);
}

/*
 * KVM_ENABLE_CAP on the vCPU, by its effect: with
 * KVM_CAP_ENFORCE_PV_FEATURE_CPUID the guest may only use the KVM PV
 * features its CPUID advertises, so a WRMSR to kvmclock's MSR #GPs once
 * leaf 0x40000001 is cleared; without the cap it works.
 */
static void test_vcpu_enable_cap(void **state)
{
	struct t_guest g;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	t_require_vm_cap(g.vm, KVM_CAP_ENFORCE_PV_FEATURE_CPUID);
	t_guest_load_code(&g, guest_pv_msr);
	t_guest_set_idt_gate(&g, 13, T_GUEST_ADDR(guest_pv_msr, guest_pv_msr_gp), 0);
	struct kvm_cpuid_entry2 *pv = ckvm_cpuid2_find(g.cpuid, 0x40000001, 0);
	assert_non_null(pv);
	pv->eax = 0; /* no PV features */
	for (int enforce = 0; enforce < 2; enforce++) {
		struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
		if (enforce) {
			struct kvm_enable_cap cap = { .cap = KVM_CAP_ENFORCE_PV_FEATURE_CPUID };
			cap.args[0] = 1;
			t_assert_ok(ckvm_vcpu_enable_cap(v, &cap));
		}
		assert_int_equal(t_expect_report(&g, v), enforce ? 0x6d : 1);
		t_expect_done(&g, v);
	}
	struct kvm_enable_cap cap = { .cap = 9999 };
	t_assert_err(ckvm_vcpu_enable_cap(g.vcpu[0], &cap), EINVAL);
	t_assert_err(ckvm_vcpu_enable_cap(g.vcpu[0], NULL), EINVAL);
	t_guest_destroy(&g);
}

/* vCPU device attributes (KVM_VCPU_TSC_CTRL): the calls and their errors. */
static void test_enable_cap_device_attr(void **state)
{
	struct t_guest g;
	uint64_t off = 0;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	t_require_vm_cap(g.vm, KVM_CAP_VCPU_ATTRIBUTES);
	struct kvm_device_attr attr = { .group = KVM_VCPU_TSC_CTRL, .attr = KVM_VCPU_TSC_OFFSET,
					.addr = (uintptr_t)&off };
	t_assert_ok(ckvm_vcpu_has_device_attr(v, &attr));
	t_assert_ok(ckvm_vcpu_get_device_attr(v, &attr));
	t_assert_ok(ckvm_vcpu_set_device_attr(v, &attr)); /* the value read back */
	struct kvm_device_attr bad = { .group = 0x7777 };
	t_assert_err(ckvm_vcpu_has_device_attr(v, &bad), ENXIO);
	t_assert_err(ckvm_vcpu_get_device_attr(v, &bad), ENXIO);
	/* a bad value pointer: the kernel's EFAULT (kvm-ioctls' get_device_attr check) */
	attr.addr = 8;
	t_assert_err(ckvm_vcpu_get_device_attr(v, &attr), EFAULT);
	t_assert_err(ckvm_vcpu_set_device_attr(v, &attr), EFAULT);
	t_assert_err(ckvm_vcpu_get_device_attr(v, NULL), EINVAL);
	t_assert_err(ckvm_vcpu_has_device_attr(v, NULL), EINVAL);
	t_guest_destroy(&g);
}

/* KVM_VCPU_TSC_OFFSET by its effect: the offset reads back and moves the guest TSC. */
static void test_tsc_offset(void **state)
{
	struct t_guest g;
	uint64_t off = 0, off2 = 0, tsc0 = 0, tsc1 = 0;
	const uint64_t delta = 1ull << 40;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	t_require_vm_cap(g.vm, KVM_CAP_VCPU_ATTRIBUTES);
	struct kvm_device_attr attr = { .group = KVM_VCPU_TSC_CTRL, .attr = KVM_VCPU_TSC_OFFSET,
					.addr = (uintptr_t)&off };
	t_assert_ok(ckvm_vcpu_get_device_attr(v, &attr));
	t_assert_ok(ckvm_vcpu_get_msr(v, 0x10, &tsc0)); /* IA32_TSC */
	off += delta;
	t_assert_ok(ckvm_vcpu_set_device_attr(v, &attr));
	attr.addr = (uintptr_t)&off2;
	t_assert_ok(ckvm_vcpu_get_device_attr(v, &attr));
	if (off2 != off && t_host_is_pvm()) {
		t_guest_destroy(&g);
		t_skip("needs KVM_VCPU_TSC_OFFSET to take effect: this PVM host keeps guests on "
		       "the host TSC (the offset reads back %" PRIu64 ")", off2);
	}
	assert_int_equal(off2, off);
	t_assert_ok(ckvm_vcpu_get_msr(v, 0x10, &tsc1));
	assert_true(tsc1 - tsc0 >= delta);
	t_guest_destroy(&g);
}

static void test_stats_fd(void **state)
{
	struct t_guest g;
	struct ckvm_stats *st = NULL;
	uint64_t before = 0, after = 0;
	struct ckvm_exit e;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	t_require_vm_cap(g.vm, KVM_CAP_BINARY_STATS_FD);
	t_guest_load_code(&g, guest_complete_io);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	int fd = ckvm_vcpu_get_stats_fd(v);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	t_assert_ok(ckvm_stats_open(fd, &st));
	int i = ckvm_stats_find(st, "exits");
	assert_true(i >= 0);
	t_assert_ok(ckvm_stats_read(st, (size_t)i, &before, 1));
	t_expect_exit(&g, v, CKVM_EXIT_IO_IN, &e);
	t_assert_ok(ckvm_stats_read(st, (size_t)i, &after, 1));
	assert_true(after >= before + 1);
	ckvm_stats_close(st);
	close(fd);
	t_guest_destroy(&g);
}

/* Local checks of ckvm_vcpu_pre_fault_memory (any host). */
static void test_pre_fault_args(void **state)
{
	struct t_guest g;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	t_assert_err(ckvm_vcpu_pre_fault_memory(v, 0, 0), EINVAL);
	t_assert_err(ckvm_vcpu_pre_fault_memory(v, UINT64_MAX - 10, 4096), EINVAL);
	t_assert_err(ckvm_vcpu_pre_fault_memory(NULL, 0, 4096), EINVAL);
	t_guest_destroy(&g);
}

static void test_pre_fault(void **state)
{
	struct t_guest g;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	if (ckvm_vm_check_extension(g.vm, KVM_CAP_PRE_FAULT_MEMORY) <= 0) {
		/* Refused by the kernel when the VM cannot pre-fault. */
		int64_t r = ckvm_vcpu_pre_fault_memory(v, 0, 65536);
		assert_true(r < 0);
		t_guest_destroy(&g);
		t_skip("needs KVM_CAP_PRE_FAULT_MEMORY (checked only that it is refused: %s)",
		       strerror((int)-r));
	}
	/* the whole range is mapped: the count is its size */
	assert_int_equal(ckvm_vcpu_pre_fault_memory(v, 0, 65536), 65536);
	/* a range that is not guest memory is an error, with nothing done */
	assert_true(ckvm_vcpu_pre_fault_memory(v, 0x80000000ull, 4096) < 0);
	t_guest_destroy(&g);
}

static void test_complete_io(void **state)
{
	struct t_guest g;
	struct ckvm_exit e;
	struct kvm_regs regs;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	t_guest_load_code(&g, guest_complete_io);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	t_expect_exit(&g, v, CKVM_EXIT_IO_IN, &e);
	assert_int_equal(e.io.port, 0x50);
	e.io.data[0] = 0x99;
	/* Finish the IN (RAX gets 0x99, RIP moves past it) without running on. */
	t_assert_ok(ckvm_vcpu_complete_io(v));
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	assert_int_equal(regs.rax & 0xff, 0x99);
	assert_int_equal(regs.rip, T_GUEST_ADDR(guest_complete_io, guest_complete_io_after_in));
	assert_int_equal(ckvm_vcpu_run_struct(v)->immediate_exit, 0);
	/* The next run executes the OUT with the value. */
	t_expect_exit(&g, v, CKVM_EXIT_IO_OUT, &e);
	assert_int_equal(e.io.port, 0x51);
	assert_int_equal(e.io.data[0], 0x99);
	t_expect_done(&g, v);
	t_guest_destroy(&g);
}

/* Fill the elements of an IN exit with the pattern (i * 7) & 0xff from *done on. */
static void fill_ins(const struct ckvm_exit *e, uint32_t *done)
{
	assert_int_equal(e->kind, CKVM_EXIT_IO_IN);
	assert_int_equal(e->io.port, 0x52);
	assert_int_equal(e->io.size, 1);
	assert_true(e->io.count >= 1 && *done + e->io.count <= 1500);
	for (uint32_t i = 0; i < e->io.count; i++)
		e->io.data[i] = (uint8_t)((*done + i) * 7);
	*done += e->io.count;
}

/*
 * ckvm_vcpu_complete_io() on string I/O bigger than one exit's buffer: it
 * completes what the exit carried and leaves the guest state consistent (RCX,
 * RDI and RIP tell how far the REP INSB got); the rest comes as new exits.
 */
static void test_complete_io_string(void **state)
{
	struct t_guest g;
	struct ckvm_exit e;
	struct kvm_regs regs;
	uint32_t done = 0;
	int r;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	t_guest_load_code(&g, guest_complete_io_str);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	uint8_t *buf = t_gpa(&g, T_DATA_GPA, 1500);
	memset(buf, 0, 1500);
	t_expect_exit(&g, v, CKVM_EXIT_IO_IN, &e);
	fill_ins(&e, &done);
	while ((r = ckvm_vcpu_complete_io(v)) == 1) {
		t_assert_ok(ckvm_exit_decode(ckvm_vcpu_run_struct(v), ckvm_vcpu_run_size(v), 0, &e));
		fill_ins(&e, &done);
	}
	t_assert_ok(r);
	print_message("# REP INSB of 1500 bytes: %u done by complete_io\n", done);
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	assert_int_equal(regs.rcx, 1500 - done);
	assert_int_equal(regs.rdi, T_DATA_GPA + done);
	assert_int_equal(regs.rip, done < 1500 ?
			 T_GUEST_ADDR(guest_complete_io_str, guest_complete_io_str_insn) :
			 T_GUEST_ADDR(guest_complete_io_str, guest_complete_io_str_after));
	for (uint32_t i = 0; i < 1500; i++)
		assert_int_equal(buf[i], i < done ? (uint8_t)(i * 7) : 0);
	/* nothing is pending any more: 0 at once, no guest code runs */
	t_assert_ok(ckvm_vcpu_complete_io(v));
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	assert_int_equal(regs.rcx, 1500 - done);
	/* the rest arrives as new exits when the guest runs on */
	while (done < 1500) {
		t_expect_exit(&g, v, CKVM_EXIT_IO_IN, &e);
		fill_ins(&e, &done);
	}
	t_expect_done(&g, v);
	for (uint32_t i = 0; i < 1500; i++)
		assert_int_equal(buf[i], (uint8_t)(i * 7));
	t_guest_destroy(&g);
}

/*
 * ckvm_vcpu_complete_io() on an MMIO access KVM splits into two exits (8
 * bytes across a page boundary): completing the first half produces the
 * second one (complete_io returns 1 with it in kvm_run); once that is
 * handled too (0), the instruction is done and no other guest code ran.
 */
static void test_complete_io_split(void **state)
{
	struct t_guest g;
	struct ckvm_exit e;
	struct kvm_regs regs;
	uint64_t v64 = 0;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	t_guest_load_code(&g, guest_complete_io_split);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	struct kvm_run *run = ckvm_vcpu_run_struct(v);

	/* the write: low half at 0xd0000ffc, then high half at 0xd0001000 */
	t_expect_exit(&g, v, CKVM_EXIT_MMIO_WRITE, &e);
	assert_int_equal(e.mmio.gpa, 0xd0000ffc);
	assert_int_equal(e.mmio.len, 4);
	memcpy(&v64, e.mmio.data, 4);
	assert_int_equal(v64, 0x55667788);
	assert_int_equal(ckvm_vcpu_complete_io(v), 1);
	t_assert_ok(ckvm_exit_decode(run, ckvm_vcpu_run_size(v), 0, &e));
	assert_int_equal(e.kind, CKVM_EXIT_MMIO_WRITE);
	assert_int_equal(e.mmio.gpa, 0xd0001000);
	assert_int_equal(e.mmio.len, 4);
	v64 = 0;
	memcpy(&v64, e.mmio.data, 4);
	assert_int_equal(v64, 0x11223344);
	t_assert_ok(ckvm_vcpu_complete_io(v));
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	assert_int_equal(regs.rip, T_GUEST_ADDR(guest_complete_io_split, guest_complete_io_split_read));

	/* the read: the host answers both halves, the second through complete_io */
	t_expect_exit(&g, v, CKVM_EXIT_MMIO_READ, &e);
	assert_int_equal(e.mmio.gpa, 0xd0001ffc);
	assert_int_equal(e.mmio.len, 4);
	memcpy(e.mmio.data, "\x0d\xf0\xad\x0b", 4);
	assert_int_equal(ckvm_vcpu_complete_io(v), 1);
	t_assert_ok(ckvm_exit_decode(run, ckvm_vcpu_run_size(v), 0, &e));
	assert_int_equal(e.kind, CKVM_EXIT_MMIO_READ);
	assert_int_equal(e.mmio.gpa, 0xd0002000);
	assert_int_equal(e.mmio.len, 4);
	memcpy(e.mmio.data, "\xef\xbe\xad\xde", 4);
	t_assert_ok(ckvm_vcpu_complete_io(v));
	t_assert_ok(ckvm_vcpu_get_regs(v, &regs));
	assert_int_equal(regs.rip, T_GUEST_ADDR(guest_complete_io_split, guest_complete_io_split_after));
	assert_int_equal(regs.rax, 0xdeadbeef0badf00dull);
	assert_int_equal(t_expect_report(&g, v), 0xdeadbeef0badf00dull);
	t_expect_done(&g, v);
	t_guest_destroy(&g);
}

/*
 * KVM_GET_SUPPORTED_HV_CPUID on a vCPU: the Hyper-V leaves (the interface
 * leaf says "Hv#1"); with the in-kernel LAPIC the direct synthetic timers
 * (HV_STIMER_DIRECT_MODE_AVAILABLE, CPUID 0x40000003 EDX bit 19) are
 * offered, as api.rst says of this deprecated scope.
 */
static void test_vcpu_hv_cpuid(void **state)
{
	struct t_guest g;
	struct kvm_cpuid2 *c = NULL;
	struct kvm_cpuid_entry2 *e;
	(void)state;

	t_guest_create_vm(&g);
	t_require_cap(g.kvm, KVM_CAP_HYPERV_CPUID);
	t_assert_ok(ckvm_vm_create_irq_chip(g.vm));
	t_guest_add_memory(&g, 1 << 20, 0);
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	t_assert_ok(ckvm_vcpu_get_supported_hv_cpuid(v, &c));
	assert_true(c->nent >= 2 && c->nent <= ckvm_cpuid2_capacity(c));
	e = ckvm_cpuid2_find(c, 0x40000001, 0);
	assert_non_null(e);
	assert_int_equal(e->eax, 0x31237648); /* "Hv#1" */
	e = ckvm_cpuid2_find(c, 0x40000003, 0);
	assert_non_null(e);
	assert_true(e->edx & (1u << 19));
	ckvm_cpuid2_free(c);
	t_guest_destroy(&g);
}

/*
 * KVM_XEN_VCPU_SET_ATTR / GET_ATTR: the vcpu_info address and (with
 * EVTCHN_SEND) the Xen vCPU id, written and read back; an unknown type is
 * refused.
 */
static void test_xen_vcpu_attr(void **state)
{
	struct t_guest g;
	struct kvm_xen_vcpu_attr a;
	int xen;
	(void)state;

	t_guest_create(&g, 1 << 20, 0);
	xen = ckvm_check_extension(g.kvm, KVM_CAP_XEN_HVM);
	if (xen <= 0 || !(xen & KVM_XEN_HVM_CONFIG_SHARED_INFO))
		t_skip("needs KVM_CAP_XEN_HVM with KVM_XEN_HVM_CONFIG_SHARED_INFO");
	struct kvm_xen_hvm_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.msr = 0x40000200;
	t_assert_ok(ckvm_vm_xen_hvm_config(g.vm, &cfg));
	struct ckvm_vcpu *v = t_guest_add_vcpu(&g, T_MODE_LONG64, T_CODE_GPA);
	memset(&a, 0, sizeof(a));
	a.type = KVM_XEN_VCPU_ATTR_TYPE_VCPU_INFO;
	a.u.gpa = T_DATA_GPA + 0x40;
	t_assert_ok(ckvm_vcpu_xen_set_attr(v, &a));
	memset(&a, 0, sizeof(a));
	a.type = KVM_XEN_VCPU_ATTR_TYPE_VCPU_INFO;
	t_assert_ok(ckvm_vcpu_xen_get_attr(v, &a));
	assert_int_equal(a.u.gpa, T_DATA_GPA + 0x40);
	if (xen & KVM_XEN_HVM_CONFIG_EVTCHN_SEND) {
		memset(&a, 0, sizeof(a));
		a.type = KVM_XEN_VCPU_ATTR_TYPE_VCPU_ID;
		a.u.vcpu_id = 7;
		t_assert_ok(ckvm_vcpu_xen_set_attr(v, &a));
		memset(&a, 0, sizeof(a));
		a.type = KVM_XEN_VCPU_ATTR_TYPE_VCPU_ID;
		t_assert_ok(ckvm_vcpu_xen_get_attr(v, &a));
		assert_int_equal(a.u.vcpu_id, 7);
	}
	memset(&a, 0, sizeof(a));
	a.type = 0x7fff;
	assert_true(ckvm_vcpu_xen_get_attr(v, &a) < 0);
	t_guest_destroy(&g);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_close),
		cmocka_unit_test(test_regs_sregs),
		cmocka_unit_test(test_msrs),
		cmocka_unit_test(test_cpuid),
		cmocka_unit_test(test_lapic_mp_state),
		cmocka_unit_test(test_mp_state_userspace_irqchip),
		cmocka_unit_test(test_translate),
		cmocka_unit_test(test_one_reg_reg_list),
		cmocka_unit_test(test_pre_fault_args),
		cmocka_unit_test(test_complete_io),
		cmocka_unit_test(test_complete_io_string),
		cmocka_unit_test(test_complete_io_split),
	};
	/* each may skip (absent capability or device): its own meson test */
	const struct CMUnitTest alone[] = {
		cmocka_unit_test(test_sregs2),
		cmocka_unit_test(test_fpu_xsave_xcrs),
		cmocka_unit_test(test_vapic),
		cmocka_unit_test(test_debugregs_events),
		cmocka_unit_test(test_nmi),
		cmocka_unit_test(test_smi),
		cmocka_unit_test(test_tsc_kvmclock),
		cmocka_unit_test(test_tsc_scaling),
		cmocka_unit_test(test_mce),
		cmocka_unit_test(test_nested_state),
		cmocka_unit_test(test_enable_cap_device_attr),
		cmocka_unit_test(test_vcpu_enable_cap),
		cmocka_unit_test(test_tsc_offset),
		cmocka_unit_test(test_stats_fd),
		cmocka_unit_test(test_pre_fault),
		cmocka_unit_test(test_vcpu_hv_cpuid),
		cmocka_unit_test(test_xen_vcpu_attr),
	};
	ckvm_close(t_require_kvm());
	t_watchdog(50);
	return t_main(argc, argv, tests, T_ARRAY_LEN(tests), alone, T_ARRAY_LEN(alone));
}
