/* SPDX-License-Identifier: MIT */
/*
 * test_null_args.c (unit) - every system, VM, device, FAM, stats and x86
 * system/VM call with a NULL handle or NULL required pointer returns
 * -EINVAL (never crashes); close functions accept NULL. No /dev/kvm needed.
 */
#include "t.h"

#include <errno.h>
#include <string.h>

#define EINV(expr) t_assert_err((expr), EINVAL)

static void test_system_null(void **state)
{
	struct ckvm *kvm = NULL;
	struct ckvm_vm *vm = NULL;

	(void)state;
	EINV(ckvm_open(NULL));
	EINV(ckvm_open_path(NULL, &kvm));
	EINV(ckvm_open_path("/dev/kvm", NULL));
	EINV(ckvm_from_fd(0, NULL));
	t_assert_err(ckvm_from_fd(-1, &kvm), EBADF);
	assert_null(kvm);
	ckvm_close(NULL);
	EINV(ckvm_fd(NULL));
	EINV(ckvm_get_api_version(NULL));
	EINV(ckvm_check_extension(NULL, KVM_CAP_IRQCHIP));
	assert_false(ckvm_has_extension(NULL, KVM_CAP_IRQCHIP));
	EINV(ckvm_get_vcpu_mmap_size(NULL));
	EINV(ckvm_get_nr_vcpus(NULL));
	EINV(ckvm_get_max_vcpus(NULL));
	EINV(ckvm_get_max_vcpu_id(NULL));
	EINV(ckvm_get_nr_memslots(NULL));
	EINV(ckvm_create_vm(NULL, &vm));
	EINV(ckvm_create_vm_with_type(NULL, 0, &vm));
	assert_null(vm);
	EINV(ckvm_ioctl(NULL, KVM_GET_API_VERSION, NULL));
	t_assert_err(ckvm_open_path("/nonexistent/kvm", &kvm), ENOENT);
	t_assert_err(ckvm_open_raw("/nonexistent/kvm", true), ENOENT);
	/* /dev/null is not /dev/kvm: the API-version ioctl fails */
#if defined(__x86_64__)
	t_assert_err(ckvm_open_path("/dev/null", &kvm), ENOTTY);
#else
	{
		/* cross builds run under qemu-user, which answers ioctls it does not know with ENOSYS */
		int r = ckvm_open_path("/dev/null", &kvm);

		if (r != -ENOSYS)
			t_assert_err(r, ENOTTY);
	}
#endif
	assert_null(kvm);
#if defined(__x86_64__)
	{
		struct kvm_cpuid2 *c = NULL;
		struct kvm_msr_list *l = NULL;
		struct kvm_msrs *m = NULL;

		EINV(ckvm_get_supported_cpuid(NULL, &c));
		EINV(ckvm_get_emulated_cpuid(NULL, &c));
		EINV(ckvm_get_msr_index_list(NULL, &l));
		EINV(ckvm_get_msr_feature_index_list(NULL, &l));
		t_assert_ok(ckvm_msrs_alloc(1, &m));
		EINV(ckvm_get_msrs(NULL, m));
		ckvm_msrs_free(m);
		EINV(ckvm_get_supported_hv_cpuid(NULL, &c));
		assert_null(c);
		assert_null(l);
		{
			uint64_t mcg = 0;

			EINV(ckvm_get_mce_cap_supported(NULL, &mcg));
		}
	}
#endif
}

static void test_vm_null(void **state)
{
	struct ckvm_vm *vm = NULL;
	struct kvm_userspace_memory_region r1;
	struct kvm_userspace_memory_region2 r2;
	struct kvm_enable_cap cap;
	struct kvm_msi msi;
	struct kvm_device_attr attr;
	struct kvm_irq_routing *rt = NULL;
	uint64_t bm[4] = { 0 };

	(void)state;
	memset(&r1, 0, sizeof(r1));
	memset(&r2, 0, sizeof(r2));
	memset(&cap, 0, sizeof(cap));
	memset(&msi, 0, sizeof(msi));
	memset(&attr, 0, sizeof(attr));
	t_assert_ok(ckvm_irq_routing_alloc(1, &rt));
	EINV(ckvm_vm_from_fd(NULL, 0, &vm));
	assert_null(vm);
	ckvm_vm_close(NULL);
	EINV(ckvm_vm_fd(NULL));
	assert_int_equal(ckvm_vm_run_size(NULL), 0);
	EINV(ckvm_vm_check_extension(NULL, 0));
	assert_false(ckvm_vm_has_extension(NULL, 0));
	EINV(ckvm_vm_enable_cap(NULL, &cap));
	EINV(ckvm_vm_enable_cap1(NULL, 0, 0));
	EINV(ckvm_vm_set_user_memory_region(NULL, &r1));
	EINV(ckvm_vm_set_user_memory_region2(NULL, &r2));
	EINV(ckvm_vm_create_guest_memfd(NULL, 4096, 0));
	EINV(ckvm_vm_set_memory_attributes(NULL, 0, 4096, 0));
	EINV(ckvm_vm_set_irq_line(NULL, 0, true));
	EINV(ckvm_vm_irq_line_status(NULL, 0, true));
	EINV(ckvm_vm_signal_msi(NULL, &msi));
	EINV(ckvm_vm_set_gsi_routing(NULL, rt));
	EINV(ckvm_vm_register_irqfd(NULL, 0, 0));
	EINV(ckvm_vm_register_irqfd_with_resample(NULL, 0, 0, 0));
	EINV(ckvm_vm_unregister_irqfd(NULL, 0, 0));
	EINV(ckvm_vm_register_ioevent(NULL, 0, CKVM_IO_PIO, 0, 1, false, 0));
	EINV(ckvm_vm_unregister_ioevent(NULL, 0, CKVM_IO_PIO, 0, 1, false, 0));
	EINV(ckvm_vm_register_coalesced_mmio(NULL, CKVM_IO_MMIO, 0, 8));
	EINV(ckvm_vm_unregister_coalesced_mmio(NULL, CKVM_IO_MMIO, 0, 8));
	EINV(ckvm_vm_get_dirty_log(NULL, 0, 4096, bm, 4));
	EINV(ckvm_vm_enable_manual_dirty_log_protect(NULL, 0));
	EINV(ckvm_vm_clear_dirty_log(NULL, 0, 0, 64, bm));
	EINV(ckvm_vm_enable_dirty_ring(NULL, 0));
	assert_int_equal(ckvm_vm_dirty_ring_entries(NULL), 0);
	EINV(ckvm_vm_reset_dirty_rings(NULL));
	EINV(ckvm_vm_get_stats_fd(NULL));
	EINV(ckvm_vm_set_device_attr(NULL, &attr));
	EINV(ckvm_vm_get_device_attr(NULL, &attr));
	EINV(ckvm_vm_has_device_attr(NULL, &attr));
	EINV(ckvm_vm_ioctl(NULL, KVM_CHECK_EXTENSION, NULL));
#if defined(__x86_64__)
	{
		struct kvm_irqchip chip;
		struct kvm_pit_state2 pit;
		struct kvm_clock_data clk;
		struct kvm_msr_filter f;
		struct kvm_sev_cmd sev;
		struct kvm_enc_region enc;

		memset(&chip, 0, sizeof(chip));
		memset(&pit, 0, sizeof(pit));
		memset(&clk, 0, sizeof(clk));
		memset(&f, 0, sizeof(f));
		memset(&sev, 0, sizeof(sev));
		memset(&enc, 0, sizeof(enc));
		EINV(ckvm_vm_set_tss_address(NULL, 0xfffbd000));
		EINV(ckvm_vm_set_identity_map_address(NULL, 0xfffbc000));
		EINV(ckvm_vm_create_irq_chip(NULL));
		EINV(ckvm_vm_enable_split_irqchip(NULL, 24));
		EINV(ckvm_vm_get_irqchip(NULL, &chip));
		EINV(ckvm_vm_set_irqchip(NULL, &chip));
		EINV(ckvm_vm_create_pit2(NULL, 0));
		EINV(ckvm_vm_get_pit2(NULL, &pit));
		EINV(ckvm_vm_set_pit2(NULL, &pit));
		EINV(ckvm_vm_reinject_control(NULL, 1));
		EINV(ckvm_vm_get_clock(NULL, &clk));
		EINV(ckvm_vm_set_clock(NULL, &clk));
		EINV(ckvm_vm_get_tsc_khz(NULL));
		EINV(ckvm_vm_set_tsc_khz(NULL, 1000000));
		EINV(ckvm_vm_xsave_size(NULL));
		EINV(ckvm_vm_set_msr_filter(NULL, KVM_MSR_FILTER_DEFAULT_ALLOW, NULL, 0));
		EINV(ckvm_vm_set_msr_filter_raw(NULL, &f));
		EINV(ckvm_vm_enable_user_space_msr(NULL, KVM_MSR_EXIT_REASON_FILTER));
		EINV(ckvm_vm_encrypt_op(NULL, &sev));
		EINV(ckvm_vm_encrypt_op_sev(NULL, &sev));
		EINV(ckvm_vm_register_enc_memory_region(NULL, &enc));
		EINV(ckvm_vm_unregister_enc_memory_region(NULL, &enc));
		{
			struct kvm_pmu_event_filter pf;
			struct kvm_xen_hvm_config xc;
			struct kvm_xen_hvm_attr xa;
			struct kvm_irq_routing_xen_evtchn evt;
			uint64_t ev = 0;

			memset(&pf, 0, sizeof(pf));
			memset(&xc, 0, sizeof(xc));
			memset(&xa, 0, sizeof(xa));
			memset(&evt, 0, sizeof(evt));
			EINV(ckvm_vm_set_boot_cpu_id(NULL, 0));
			EINV(ckvm_vm_set_pmu_event_filter(NULL, KVM_PMU_EVENT_ALLOW, 0, 0, &ev, 1));
			EINV(ckvm_vm_set_pmu_event_filter_raw(NULL, &pf));
			EINV(ckvm_vm_hyperv_eventfd(NULL, 1, 0, 0));
			EINV(ckvm_vm_xen_hvm_config(NULL, &xc));
			EINV(ckvm_vm_xen_hvm_get_attr(NULL, &xa));
			EINV(ckvm_vm_xen_hvm_set_attr(NULL, &xa));
			EINV(ckvm_vm_xen_hvm_evtchn_send(NULL, &evt));
		}
	}
#endif
	ckvm_irq_routing_free(rt);
}

static void test_device_null(void **state)
{
	struct ckvm_device *dev = NULL;
	struct kvm_device_attr attr;
	uint64_t v = 0;

	(void)state;
	memset(&attr, 0, sizeof(attr));
	EINV(ckvm_vm_create_device(NULL, KVM_DEV_TYPE_VFIO, 0, &dev));
	EINV(ckvm_vm_test_create_device(NULL, KVM_DEV_TYPE_VFIO));
	EINV(ckvm_device_from_fd(0, NULL));
	t_assert_err(ckvm_device_from_fd(-1, &dev), EBADF);
	assert_null(dev);
	ckvm_device_close(NULL);
	EINV(ckvm_device_fd(NULL));
	assert_int_equal(ckvm_device_type(NULL), 0);
	EINV(ckvm_device_set_attr(NULL, &attr));
	EINV(ckvm_device_get_attr(NULL, &attr));
	EINV(ckvm_device_has_attr(NULL, &attr));
	EINV(ckvm_device_set_attr_val(NULL, 0, 0, &v));
	EINV(ckvm_device_get_attr_val(NULL, 0, 0, &v));
	EINV(ckvm_device_ioctl(NULL, KVM_HAS_DEVICE_ATTR, &attr));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_system_null),
		cmocka_unit_test(test_vm_null),
		cmocka_unit_test(test_device_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
