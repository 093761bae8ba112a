/* SPDX-License-Identifier: MIT */
/*
 * x86_64/vm.c - x86 VM ioctls: TSS and identity map, in-kernel irqchip
 * (full and split), PIT2, reinjection, kvmclock, VM-scope TSC frequency,
 * XSAVE size, MSR filter, user-space MSR exits, SEV memory encryption, the
 * boot CPU, the PMU event filter, Hyper-V eventfds and Xen HVM emulation.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

int ckvm_vm_set_tss_address(struct ckvm_vm *vm, uint64_t addr)
{
	if (!vm)
		return -EINVAL;
	return ckvm__ioctl_val(vm->fd, KVM_SET_TSS_ADDR, (unsigned long)addr);
}

int ckvm_vm_set_identity_map_address(struct ckvm_vm *vm, uint64_t addr)
{
	__u64 a = addr;

	if (!vm)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_SET_IDENTITY_MAP_ADDR, &a);
}

int ckvm_vm_create_irq_chip(struct ckvm_vm *vm)
{
	if (!vm)
		return -EINVAL;
	return ckvm__ioctl_val(vm->fd, KVM_CREATE_IRQCHIP, 0);
}

int ckvm_vm_enable_split_irqchip(struct ckvm_vm *vm, uint32_t nr_ioapic_pins)
{
	return ckvm_vm_enable_cap1(vm, KVM_CAP_SPLIT_IRQCHIP, nr_ioapic_pins);
}

int ckvm_vm_get_irqchip(struct ckvm_vm *vm, struct kvm_irqchip *chip)
{
	if (!vm || !chip)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_GET_IRQCHIP, chip);
}

int ckvm_vm_set_irqchip(struct ckvm_vm *vm, const struct kvm_irqchip *chip)
{
	if (!vm || !chip)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_SET_IRQCHIP, (void *)chip);
}

int ckvm_vm_create_pit2(struct ckvm_vm *vm, uint32_t flags)
{
	struct kvm_pit_config c;

	if (!vm)
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	c.flags = flags;
	return ckvm__ioctl(vm->fd, KVM_CREATE_PIT2, &c);
}

int ckvm_vm_get_pit2(struct ckvm_vm *vm, struct kvm_pit_state2 *st)
{
	if (!vm || !st)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_GET_PIT2, st);
}

int ckvm_vm_set_pit2(struct ckvm_vm *vm, const struct kvm_pit_state2 *st)
{
	if (!vm || !st)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_SET_PIT2, (void *)st);
}

int ckvm_vm_reinject_control(struct ckvm_vm *vm, uint8_t pit_reinject)
{
	struct kvm_reinject_control rc;

	if (!vm)
		return -EINVAL;
	memset(&rc, 0, sizeof(rc));
	rc.pit_reinject = pit_reinject;
	return ckvm__ioctl(vm->fd, KVM_REINJECT_CONTROL, &rc);
}

int ckvm_vm_get_clock(struct ckvm_vm *vm, struct kvm_clock_data *clock)
{
	if (!vm || !clock)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_GET_CLOCK, clock);
}

int ckvm_vm_set_clock(struct ckvm_vm *vm, const struct kvm_clock_data *clock)
{
	if (!vm || !clock)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_SET_CLOCK, (void *)clock);
}

int ckvm_vm_get_tsc_khz(struct ckvm_vm *vm)
{
	if (!vm)
		return -EINVAL;
	return ckvm__ioctl_val(vm->fd, KVM_GET_TSC_KHZ, 0);
}

int ckvm_vm_set_tsc_khz(struct ckvm_vm *vm, uint32_t khz)
{
	if (!vm)
		return -EINVAL;
	return ckvm__ioctl_val(vm->fd, KVM_SET_TSC_KHZ, khz);
}

int ckvm_vm_xsave_size(struct ckvm_vm *vm)
{
	int r = ckvm_vm_check_extension(vm, KVM_CAP_XSAVE2);

	if (r < 0)
		return r;
	return r < (int)sizeof(struct kvm_xsave) ? (int)sizeof(struct kvm_xsave) : r;
}

/* ---- MSR filter ------------------------------------------------------------ */

int ckvm_vm_set_msr_filter_raw(struct ckvm_vm *vm, const struct kvm_msr_filter *f)
{
	if (!vm || !f)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, (void *)f);
}

int ckvm_vm_set_msr_filter(struct ckvm_vm *vm, uint32_t default_action,
			   const struct ckvm_msr_filter_range *ranges, size_t n)
{
	struct kvm_msr_filter f;
	size_t i;

	if (!vm)
		return -EINVAL;
	if (default_action != KVM_MSR_FILTER_DEFAULT_ALLOW &&
	    default_action != KVM_MSR_FILTER_DEFAULT_DENY)
		return -EINVAL;
	if (n > CKVM_MSR_FILTER_MAX_RANGES || (n && !ranges))
		return -EINVAL;
	memset(&f, 0, sizeof(f));
	f.flags = default_action;
	for (i = 0; i < n; i++) {
		const struct ckvm_msr_filter_range *r = &ranges[i];
		size_t need = (size_t)r->nmsrs / 8 + (r->nmsrs % 8 ? 1 : 0);

		if (r->flags & ~(uint32_t)(KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE))
			return -EINVAL;
		if (r->nmsrs && (!r->flags || !r->bitmap || r->bitmap_len < need))
			return -EINVAL;
		f.ranges[i].flags = r->flags;
		f.ranges[i].nmsrs = r->nmsrs;
		f.ranges[i].base = r->base;
		f.ranges[i].bitmap = (__u8 *)r->bitmap;
	}
	return ckvm__ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, &f);
}

int ckvm_vm_enable_user_space_msr(struct ckvm_vm *vm, uint32_t reasons)
{
	return ckvm_vm_enable_cap1(vm, KVM_CAP_X86_USER_SPACE_MSR, reasons);
}

/* ---- SEV / TDX ---------------------------------------------------------------- */

int ckvm_vm_encrypt_op(struct ckvm_vm *vm, void *cmd)
{
	if (!vm || !cmd)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_MEMORY_ENCRYPT_OP, cmd);
}

int ckvm_vm_encrypt_op_sev(struct ckvm_vm *vm, struct kvm_sev_cmd *cmd)
{
	return ckvm_vm_encrypt_op(vm, cmd);
}

int ckvm_vm_register_enc_memory_region(struct ckvm_vm *vm, const struct kvm_enc_region *r)
{
	if (!vm || !r)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_MEMORY_ENCRYPT_REG_REGION, (void *)r);
}

int ckvm_vm_unregister_enc_memory_region(struct ckvm_vm *vm, const struct kvm_enc_region *r)
{
	if (!vm || !r)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_MEMORY_ENCRYPT_UNREG_REGION, (void *)r);
}

/* ---- boot CPU ------------------------------------------------------------------ */

int ckvm_vm_set_boot_cpu_id(struct ckvm_vm *vm, unsigned long id)
{
	if (!vm || id > UINT32_MAX)
		return -EINVAL;
	return ckvm__ioctl_val(vm->fd, KVM_SET_BOOT_CPU_ID, id);
}

/* ---- PMU event filter ------------------------------------------------------------ */

int ckvm_vm_set_pmu_event_filter_raw(struct ckvm_vm *vm, const struct kvm_pmu_event_filter *filter)
{
	if (!vm || !filter)
		return -EINVAL;
	if (filter->nevents > CKVM_MAX_PMU_EVENTS)
		return -E2BIG;
	return ckvm__ioctl(vm->fd, KVM_SET_PMU_EVENT_FILTER, (void *)filter);
}

int ckvm_vm_set_pmu_event_filter(struct ckvm_vm *vm, uint32_t action, uint32_t flags,
				 uint32_t fixed_counter_bitmap, const uint64_t *events, size_t n)
{
	struct kvm_pmu_event_filter *f;
	size_t bytes;
	int r;

	if (!vm)
		return -EINVAL;
	if (action != KVM_PMU_EVENT_ALLOW && action != KVM_PMU_EVENT_DENY)
		return -EINVAL;
	if (flags & ~(uint32_t)KVM_PMU_EVENT_FLAG_MASKED_EVENTS)
		return -EINVAL;
	if (n > CKVM_MAX_PMU_EVENTS)
		return -E2BIG;
	if (n && !events)
		return -EINVAL;
	/* n <= CKVM_MAX_PMU_EVENTS: the size cannot overflow; checked anyway */
	if (n > (SIZE_MAX - sizeof(*f)) / sizeof(f->events[0]))
		return -E2BIG;
	bytes = sizeof(*f) + n * sizeof(f->events[0]);
	f = calloc(1, bytes);
	if (!f)
		return -ENOMEM;
	f->action = action;
	f->nevents = (uint32_t)n;
	f->fixed_counter_bitmap = fixed_counter_bitmap;
	f->flags = flags;
	if (n)
		memcpy(f->events, events, n * sizeof(f->events[0]));
	r = ckvm__ioctl(vm->fd, KVM_SET_PMU_EVENT_FILTER, f);
	free(f);
	return r;
}

/* ---- Hyper-V eventfd ------------------------------------------------------------- */

int ckvm_vm_hyperv_eventfd(struct ckvm_vm *vm, uint32_t conn_id, int efd, uint32_t flags)
{
	struct kvm_hyperv_eventfd hv;

	if (!vm || conn_id > KVM_HYPERV_CONN_ID_MASK ||
	    (flags & ~(uint32_t)KVM_HYPERV_EVENTFD_DEASSIGN))
		return -EINVAL;
	if (efd < 0 && !(flags & KVM_HYPERV_EVENTFD_DEASSIGN))
		return -EBADF;
	memset(&hv, 0, sizeof(hv));
	hv.conn_id = conn_id;
	hv.fd = (flags & KVM_HYPERV_EVENTFD_DEASSIGN) ? -1 : efd;
	hv.flags = flags;
	return ckvm__ioctl(vm->fd, KVM_HYPERV_EVENTFD, &hv);
}

/* ---- Xen HVM ---------------------------------------------------------------------- */

int ckvm_vm_xen_hvm_config(struct ckvm_vm *vm, const struct kvm_xen_hvm_config *cfg)
{
	if (!vm || !cfg)
		return -EINVAL;
	/* api.rst: with hypercall interception KVM makes the page; no blobs */
	if ((cfg->flags & KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL) &&
	    (cfg->blob_addr_32 || cfg->blob_addr_64 || cfg->blob_size_32 || cfg->blob_size_64))
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_XEN_HVM_CONFIG, (void *)cfg);
}

int ckvm_vm_xen_hvm_get_attr(struct ckvm_vm *vm, struct kvm_xen_hvm_attr *attr)
{
	if (!vm || !attr)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_XEN_HVM_GET_ATTR, attr);
}

int ckvm_vm_xen_hvm_set_attr(struct ckvm_vm *vm, const struct kvm_xen_hvm_attr *attr)
{
	if (!vm || !attr)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_XEN_HVM_SET_ATTR, (void *)attr);
}

int ckvm_vm_xen_hvm_evtchn_send(struct ckvm_vm *vm, const struct kvm_irq_routing_xen_evtchn *evt)
{
	if (!vm || !evt)
		return -EINVAL;
	return ckvm__ioctl(vm->fd, KVM_XEN_HVM_EVTCHN_SEND, (void *)evt);
}
