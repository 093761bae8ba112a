/* SPDX-License-Identifier: MIT */
/*
 * test_bad_fd.c (kvm) - every system, VM and device wrapper on a handle
 * whose fd is not open returns -EBADF, on a handle wrapping /dev/null
 * returns -ENOTTY (or the kernel's error for a non-KVM file), and oversize
 * counts give -E2BIG before any ioctl. Nothing crashes, nothing leaks.
 */
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* An fd number that is certainly not open in this process. */
static int closed_fd(void)
{
	int fd;

	for (fd = 900; fcntl(fd, F_GETFD) >= 0; fd++)
		;
	return fd;
}

/*
 * A copy of `of` at a free fd number, to be adopted and then closed behind
 * the handle's back (adopting a closed fd is refused with -EBADF).
 */
static int doomed_copy(int of)
{
	int fd = closed_fd();

	assert_int_equal(dup2(of, fd), fd);
	return fd;
}

#define BAD(expr) t_assert_err((expr), EBADF)

static void test_system_bad_fd(void **state)
{
	struct ckvm *good = t_require_kvm(), *kvm = NULL;
	struct ckvm_vm *vm = NULL;
	struct kvm_cpuid2 *c = NULL;
	struct kvm_msr_list *l = NULL;
	struct kvm_msrs *m = NULL;
	int fd = closed_fd();

	(void)state;
	BAD(ckvm_from_fd(fd, &kvm));
	/* a valid handle whose fd is then closed behind its back */
	assert_int_equal(dup2(ckvm_fd(good), fd), fd); /* dup2: no FD_CLOEXEC */
	t_assert_ok(ckvm_from_fd(fd, &kvm));
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC); /* set by the adoption */
	close(fd);
	BAD(ckvm_get_api_version(kvm));
	BAD(ckvm_check_extension(kvm, KVM_CAP_IRQCHIP));
	assert_false(ckvm_has_extension(kvm, KVM_CAP_IRQCHIP));
	BAD(ckvm_get_vcpu_mmap_size(kvm));
	BAD(ckvm_get_nr_vcpus(kvm));
	BAD(ckvm_get_max_vcpus(kvm));
	BAD(ckvm_get_max_vcpu_id(kvm));
	BAD(ckvm_get_nr_memslots(kvm));
	BAD(ckvm_create_vm(kvm, &vm));
	BAD(ckvm_create_vm_with_type(kvm, 1, &vm));
	assert_null(vm);
	BAD(ckvm_ioctl(kvm, KVM_GET_API_VERSION, NULL));
	BAD(ckvm_get_supported_cpuid(kvm, &c));
	BAD(ckvm_get_emulated_cpuid(kvm, &c));
	assert_null(c);
	BAD(ckvm_get_msr_index_list(kvm, &l));
	BAD(ckvm_get_msr_feature_index_list(kvm, &l));
	assert_null(l);
	t_assert_ok(ckvm_msrs_alloc(1, &m));
	t_assert_ok(ckvm_msrs_push(m, 0x10a, 0));
	BAD(ckvm_get_msrs(kvm, m));
	ckvm_msrs_free(m);
	BAD(ckvm_get_supported_hv_cpuid(kvm, &c));
	assert_null(c);
	{
		uint64_t mcg = 0x77;

		BAD(ckvm_get_mce_cap_supported(kvm, &mcg));
		assert_int_equal(mcg, 0x77); /* unchanged on failure */
	}
	ckvm_close(kvm);
	ckvm_close(good);
}

static void vm_sweep(struct ckvm_vm *vm, int err)
{
	struct kvm_userspace_memory_region r1;
	struct kvm_userspace_memory_region2 r2;
	struct kvm_msi msi;
	struct kvm_irq_routing *rt = NULL;
	struct kvm_device_attr attr;
	struct kvm_irqchip chip;
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clk;
	struct kvm_sev_cmd sev;
	struct kvm_enc_region enc;
	struct ckvm_msr_filter_range fr;
	struct kvm_pmu_event_filter pf;
	struct kvm_xen_hvm_config xc;
	struct kvm_xen_hvm_attr xa;
	struct kvm_irq_routing_xen_evtchn evt;
	uint64_t ev = ckvm_pmu_event(0xc0, 0);
	struct ckvm_device *dev = NULL;
	struct ckvm_vcpu *vcpu = NULL;
	uint64_t bm[4] = { 0 };
	uint8_t bitmap = 0;
	int efd = 0; /* any open fd number: the VM fd is checked first */

	memset(&r1, 0, sizeof(r1));
	memset(&r2, 0, sizeof(r2));
	memset(&msi, 0, sizeof(msi));
	memset(&attr, 0, sizeof(attr));
	memset(&chip, 0, sizeof(chip));
	memset(&pit, 0, sizeof(pit));
	memset(&clk, 0, sizeof(clk));
	memset(&sev, 0, sizeof(sev));
	memset(&enc, 0, sizeof(enc));
	memset(&fr, 0, sizeof(fr));
	memset(&pf, 0, sizeof(pf));
	memset(&xc, 0, sizeof(xc));
	memset(&xa, 0, sizeof(xa));
	memset(&evt, 0, sizeof(evt));
	fr.flags = KVM_MSR_FILTER_READ;
	fr.nmsrs = 1;
	fr.bitmap = &bitmap;
	fr.bitmap_len = 1;
	t_assert_ok(ckvm_irq_routing_alloc(1, &rt));
#define E(expr) t_assert_err((expr), err)
	E(ckvm_vm_check_extension(vm, KVM_CAP_IRQCHIP));
	assert_false(ckvm_vm_has_extension(vm, KVM_CAP_IRQCHIP));
	E(ckvm_vm_enable_cap1(vm, KVM_CAP_SPLIT_IRQCHIP, 24));
	E(ckvm_vm_set_user_memory_region(vm, &r1));
	E(ckvm_vm_set_user_memory_region2(vm, &r2));
	E(ckvm_vm_create_guest_memfd(vm, 4096, 0));
	E(ckvm_vm_set_memory_attributes(vm, 0, 4096, 0));
	E(ckvm_vm_set_irq_line(vm, 4, true));
	E(ckvm_vm_irq_line_status(vm, 4, true));
	E(ckvm_vm_signal_msi(vm, &msi));
	E(ckvm_vm_set_gsi_routing(vm, rt));
	E(ckvm_vm_register_irqfd(vm, efd, 4));
	E(ckvm_vm_register_irqfd_with_resample(vm, efd, efd, 4));
	E(ckvm_vm_unregister_irqfd(vm, efd, 4));
	E(ckvm_vm_register_ioevent(vm, efd, CKVM_IO_PIO, 0x3000, 1, false, 0));
	E(ckvm_vm_unregister_ioevent(vm, efd, CKVM_IO_MMIO, 0xe0000000, 4, true, 1));
	E(ckvm_vm_register_coalesced_mmio(vm, CKVM_IO_MMIO, 0xe0000000, 8));
	E(ckvm_vm_unregister_coalesced_mmio(vm, CKVM_IO_PIO, 0x2c, 1));
	E(ckvm_vm_get_dirty_log(vm, 0, 4096, bm, 4));
	E(ckvm_vm_enable_manual_dirty_log_protect(vm, KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE));
	E(ckvm_vm_clear_dirty_log(vm, 0, 0, 64, bm));
	E(ckvm_vm_reset_dirty_rings(vm));
	E(ckvm_vm_get_stats_fd(vm));
	E(ckvm_vm_set_device_attr(vm, &attr));
	E(ckvm_vm_get_device_attr(vm, &attr));
	E(ckvm_vm_has_device_attr(vm, &attr));
	E(ckvm_vm_ioctl(vm, KVM_CREATE_IRQCHIP, NULL));
	E(ckvm_vm_create_device(vm, KVM_DEV_TYPE_VFIO, 0, &dev));
	E(ckvm_vm_test_create_device(vm, KVM_DEV_TYPE_VFIO));
	assert_null(dev);
	E(ckvm_vm_create_vcpu(vm, 0, &vcpu));
	assert_null(vcpu);
	/* x86 */
	E(ckvm_vm_set_tss_address(vm, 0xfffbd000));
	E(ckvm_vm_set_identity_map_address(vm, 0xfffbc000));
	E(ckvm_vm_create_irq_chip(vm));
	E(ckvm_vm_enable_split_irqchip(vm, 24));
	E(ckvm_vm_get_irqchip(vm, &chip));
	E(ckvm_vm_set_irqchip(vm, &chip));
	E(ckvm_vm_create_pit2(vm, 0));
	E(ckvm_vm_get_pit2(vm, &pit));
	E(ckvm_vm_set_pit2(vm, &pit));
	E(ckvm_vm_reinject_control(vm, 1));
	E(ckvm_vm_get_clock(vm, &clk));
	E(ckvm_vm_set_clock(vm, &clk));
	E(ckvm_vm_get_tsc_khz(vm));
	E(ckvm_vm_set_tsc_khz(vm, 1000000));
	E(ckvm_vm_xsave_size(vm));
	E(ckvm_vm_set_msr_filter(vm, KVM_MSR_FILTER_DEFAULT_ALLOW, &fr, 1));
	E(ckvm_vm_enable_user_space_msr(vm, KVM_MSR_EXIT_REASON_FILTER));
	E(ckvm_vm_encrypt_op_sev(vm, &sev));
	E(ckvm_vm_register_enc_memory_region(vm, &enc));
	E(ckvm_vm_unregister_enc_memory_region(vm, &enc));
	E(ckvm_vm_set_boot_cpu_id(vm, 1));
	E(ckvm_vm_set_pmu_event_filter(vm, KVM_PMU_EVENT_ALLOW, 0, 0, &ev, 1));
	E(ckvm_vm_set_pmu_event_filter_raw(vm, &pf));
	E(ckvm_vm_hyperv_eventfd(vm, 1, efd, 0));
	E(ckvm_vm_hyperv_eventfd(vm, 1, -1, KVM_HYPERV_EVENTFD_DEASSIGN));
	E(ckvm_vm_xen_hvm_config(vm, &xc));
	E(ckvm_vm_xen_hvm_get_attr(vm, &xa));
	E(ckvm_vm_xen_hvm_set_attr(vm, &xa));
	E(ckvm_vm_xen_hvm_evtchn_send(vm, &evt));
#undef E
	ckvm_irq_routing_free(rt);
}

static void test_vm_bad_fd(void **state)
{
	struct ckvm *kvm = t_require_kvm();
	struct ckvm_vm *vm = NULL;
	int fd = closed_fd();

	(void)state;
	/* adopting a closed fd is refused, the caller's pointer untouched */
	t_assert_err(ckvm_vm_from_fd(kvm, fd, &vm), EBADF);
	assert_null(vm);
	/* a handle whose fd is closed behind its back */
	fd = doomed_copy(ckvm_fd(kvm));
	t_assert_ok(ckvm_vm_from_fd(kvm, fd, &vm));
	assert_int_equal(ckvm_vm_fd(vm), fd);
	close(fd);
	vm_sweep(vm, EBADF);
	ckvm_vm_close(vm);
	ckvm_close(kvm);
}

static void test_vm_not_kvm(void **state)
{
	struct ckvm *kvm = t_require_kvm();
	struct ckvm_vm *vm = NULL;
	int fd = open("/dev/null", O_RDWR); /* no FD_CLOEXEC: adoption sets it */

	(void)state;
	t_assert_ok(ckvm_vm_from_fd(kvm, fd, &vm));
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	vm_sweep(vm, ENOTTY);
	ckvm_vm_close(vm);
	assert_true(fcntl(fd, F_GETFD) < 0); /* the handle owned and closed it */
	ckvm_close(kvm);
}

static void test_device_bad_fd(void **state)
{
	struct ckvm_device *dev = NULL;
	struct kvm_device_attr attr;
	uint64_t v = 0;
	int fd = closed_fd();

	(void)state;
	memset(&attr, 0, sizeof(attr));
	BAD(ckvm_device_from_fd(fd, &dev));
	assert_null(dev);
	{
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		assert_true(null >= 0);
		fd = doomed_copy(null);
		close(null);
	}
	t_assert_ok(ckvm_device_from_fd(fd, &dev));
	close(fd);
	BAD(ckvm_device_set_attr(dev, &attr));
	BAD(ckvm_device_get_attr(dev, &attr));
	BAD(ckvm_device_has_attr(dev, &attr));
	BAD(ckvm_device_set_attr_val(dev, 1, 1, &v));
	BAD(ckvm_device_get_attr_val(dev, 1, 1, &v));
	BAD(ckvm_device_ioctl(dev, KVM_HAS_DEVICE_ATTR, &attr));
	ckvm_device_close(dev);
	fd = open("/dev/null", O_RDWR); /* no FD_CLOEXEC: adoption sets it */
	t_assert_ok(ckvm_device_from_fd(fd, &dev));
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	t_assert_err(ckvm_device_has_attr(dev, &attr), ENOTTY);
	t_assert_err(ckvm_device_set_attr_val(dev, 1, 1, &v), ENOTTY);
	ckvm_device_close(dev);
}

static void test_oversize_counts(void **state)
{
	struct ckvm *kvm = t_require_kvm();
	struct ckvm_vm *vm = NULL;
	struct kvm_irq_routing *rt = NULL;
	struct kvm_msrs *m = NULL;
	struct kvm_cpuid2 *c = NULL;
	uint64_t bm[1] = { 0 };

	(void)state;
	t_assert_ok(ckvm_create_vm(kvm, &vm));
	t_assert_ok(ckvm_irq_routing_alloc(1, &rt));
	rt->nr = CKVM_MAX_IRQ_ROUTES + 1;
	t_assert_err(ckvm_vm_set_gsi_routing(vm, rt), E2BIG);
	rt->nr = UINT32_MAX;
	t_assert_err(ckvm_vm_set_gsi_routing(vm, rt), E2BIG);
	t_assert_ok(ckvm_msrs_alloc(1, &m));
	m->nmsrs = UINT32_MAX;
	t_assert_err(ckvm_get_msrs(kvm, m), E2BIG);
	t_assert_err(ckvm_irq_routing_alloc(UINT32_MAX, &rt), E2BIG);
	t_assert_err(ckvm_cpuid2_alloc(UINT32_MAX, &c), E2BIG);
	/* a bitmap too small for the slot size */
	t_assert_err(ckvm_vm_get_dirty_log(vm, 0, 1ULL << 40, bm, 1), EINVAL);
	/* a dirty ring bigger than the kernel allows */
	t_assert_err(ckvm_vm_enable_dirty_ring(vm, 1u << 31), EINVAL);
	ckvm_msrs_free(m);
	ckvm_irq_routing_free(rt);
	ckvm_vm_close(vm);
	ckvm_close(kvm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_system_bad_fd),
		cmocka_unit_test(test_vm_bad_fd),
		cmocka_unit_test(test_vm_not_kvm),
		cmocka_unit_test(test_device_bad_fd),
		cmocka_unit_test(test_oversize_counts),
	};

	ckvm_close(t_require_kvm());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
