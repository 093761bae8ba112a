/* SPDX-License-Identifier: MIT */
/*
 * ckvm/x86_64.h - the x86_64-only part of the API: CPUID (including the
 * Hyper-V leaves) and MSR lists, the MCE capabilities, in-kernel irqchip and
 * PIT, clock, MSR filter, boot CPU, PMU event filter, Hyper-V eventfds, Xen
 * HVM, SEV, and the vCPU state ioctls (regs, sregs, sregs2, fpu, lapic,
 * MSRs, CPUID, xsave, xcrs, debug regs, events, nested state, Xen
 * attributes, sync regs).
 *
 * Included by <ckvm.h> when building for x86_64.
 */
#ifndef CKVM_X86_64_H
#define CKVM_X86_64_H

#include <ckvm/common.h>
#include <ckvm/fam.h>

CKVM_BEGIN_DECLS

/* ======================= FAM helpers ===================================== */
/*
 * Thread rules: a FAM object belongs to one thread at a time (no internal
 * locking); different objects may be used concurrently.
 */
#define CKVM_MAX_CPUID_ENTRIES 4096u
#define CKVM_MAX_MSR_ENTRIES 65536u

/* kvm_cpuid2 (count field: nent). */
CKVM_API int ckvm_cpuid2_alloc(uint32_t capacity, struct kvm_cpuid2 **out);
CKVM_API void ckvm_cpuid2_free(struct kvm_cpuid2 *c);
CKVM_API uint32_t ckvm_cpuid2_capacity(const struct kvm_cpuid2 *c);
CKVM_API int ckvm_cpuid2_push(struct kvm_cpuid2 *c, const struct kvm_cpuid_entry2 *e);
CKVM_API int ckvm_cpuid2_reserve(struct kvm_cpuid2 **c, uint32_t capacity);
/* Copy (capacity = src's nent). */
CKVM_API int ckvm_cpuid2_dup(const struct kvm_cpuid2 *src, struct kvm_cpuid2 **out);
/* The entry for (function, index) (index ignored for leaves without KVM_CPUID_FLAG_SIGNIFCANT_INDEX), or NULL. */
CKVM_API struct kvm_cpuid_entry2 *ckvm_cpuid2_find(struct kvm_cpuid2 *c, uint32_t function,
						   uint32_t index);

/* kvm_msrs (count field: nmsrs). */
CKVM_API int ckvm_msrs_alloc(uint32_t capacity, struct kvm_msrs **out);
CKVM_API void ckvm_msrs_free(struct kvm_msrs *m);
CKVM_API uint32_t ckvm_msrs_capacity(const struct kvm_msrs *m);
/* Append {index, data}; -E2BIG when full. */
CKVM_API int ckvm_msrs_push(struct kvm_msrs *m, uint32_t index, uint64_t data);
CKVM_API int ckvm_msrs_reserve(struct kvm_msrs **m, uint32_t capacity);

/* kvm_msr_list (count field: nmsrs). */
CKVM_API int ckvm_msr_list_alloc(uint32_t capacity, struct kvm_msr_list **out);
CKVM_API void ckvm_msr_list_free(struct kvm_msr_list *l);
CKVM_API uint32_t ckvm_msr_list_capacity(const struct kvm_msr_list *l);
CKVM_API int ckvm_msr_list_push(struct kvm_msr_list *l, uint32_t index);

/*
 * XSAVE buffers of `bytes` bytes (>= 4096; from ckvm_vm_xsave_size()),
 * zeroed. Free with ckvm_xsave_free().
 */
CKVM_API int ckvm_xsave_alloc(size_t bytes, struct kvm_xsave **out);
CKVM_API void ckvm_xsave_free(struct kvm_xsave *x);
CKVM_API size_t ckvm_xsave_size(const struct kvm_xsave *x);

/* ======================= system (x86) ==================================== */
/* Thread rules: any thread (system ioctls, as in ckvm/system.h). */
/*
 * KVM_GET_SUPPORTED_CPUID / KVM_GET_EMULATED_CPUID into a new buffer (*out,
 * free with ckvm_cpuid2_free). Starts with 32 entries and doubles on E2BIG
 * up to CKVM_MAX_CPUID_ENTRIES.
 */
CKVM_API int ckvm_get_supported_cpuid(struct ckvm *kvm, struct kvm_cpuid2 **out);
CKVM_API int ckvm_get_emulated_cpuid(struct ckvm *kvm, struct kvm_cpuid2 **out);
/*
 * KVM_GET_MSR_INDEX_LIST / KVM_GET_MSR_FEATURE_INDEX_LIST into a new list
 * (*out, free with ckvm_msr_list_free). On E2BIG the kernel says how many it
 * has; the list is grown to that and the call repeated.
 */
CKVM_API int ckvm_get_msr_index_list(struct ckvm *kvm, struct kvm_msr_list **out);
CKVM_API int ckvm_get_msr_feature_index_list(struct ckvm *kvm, struct kvm_msr_list **out);
/*
 * KVM_GET_MSRS on /dev/kvm (feature MSRs): number read (may be < nmsrs) or
 * -errno; nmsrs above CKVM_MAX_MSR_ENTRIES is -E2BIG before the ioctl.
 */
CKVM_API int ckvm_get_msrs(struct ckvm *kvm, struct kvm_msrs *msrs);
/*
 * KVM_GET_SUPPORTED_HV_CPUID on /dev/kvm (KVM_CAP_SYS_HYPERV_CPUID): the
 * Hyper-V CPUID leaves (0x40000000 up) KVM can present, into a new buffer
 * (*out, free with ckvm_cpuid2_free; unchanged on failure). Starts with 16
 * entries and doubles on E2BIG up to CKVM_MAX_CPUID_ENTRIES. A kernel
 * without Hyper-V emulation refuses the ioctl (-EINVAL or -ENOTTY): check
 * the capability. Use the system scope; the vCPU scope
 * (ckvm_vcpu_get_supported_hv_cpuid) is deprecated by KVM.
 */
CKVM_API int ckvm_get_supported_hv_cpuid(struct ckvm *kvm, struct kvm_cpuid2 **out);
/*
 * KVM_X86_GET_MCE_CAP_SUPPORTED (KVM_CAP_MCE): the MCG_CAP value KVM can
 * emulate (bank count in bits 7:0, capability bits above), into *mcg_cap
 * (unchanged on failure). Pass it, or a subset, to ckvm_vcpu_setup_mce().
 */
CKVM_API int ckvm_get_mce_cap_supported(struct ckvm *kvm, uint64_t *mcg_cap);

/* ======================= VM (x86) ======================================== */
/* Thread rules: any thread, concurrently (VM ioctls, as in ckvm/vm.h). */
CKVM_API int ckvm_vm_set_tss_address(struct ckvm_vm *vm, uint64_t addr);
/* Must be called before the first vCPU is created. */
CKVM_API int ckvm_vm_set_identity_map_address(struct ckvm_vm *vm, uint64_t addr);
/* KVM_CREATE_IRQCHIP: PIC + IOAPIC + LAPICs in the kernel. */
CKVM_API int ckvm_vm_create_irq_chip(struct ckvm_vm *vm);
/* KVM_CAP_SPLIT_IRQCHIP: LAPICs in the kernel, IOAPIC/PIC in userspace. Before vCPUs. */
CKVM_API int ckvm_vm_enable_split_irqchip(struct ckvm_vm *vm, uint32_t nr_ioapic_pins);
/* KVM_GET/SET_IRQCHIP: chip->chip_id selects PIC master/slave or IOAPIC. */
CKVM_API int ckvm_vm_get_irqchip(struct ckvm_vm *vm, struct kvm_irqchip *chip);
CKVM_API int ckvm_vm_set_irqchip(struct ckvm_vm *vm, const struct kvm_irqchip *chip);
/* KVM_CREATE_PIT2 (needs the irqchip). */
CKVM_API int ckvm_vm_create_pit2(struct ckvm_vm *vm, uint32_t flags);
CKVM_API int ckvm_vm_get_pit2(struct ckvm_vm *vm, struct kvm_pit_state2 *st);
CKVM_API int ckvm_vm_set_pit2(struct ckvm_vm *vm, const struct kvm_pit_state2 *st);
/* KVM_REINJECT_CONTROL: PIT interrupt reinjection on (1) or off (0). */
CKVM_API int ckvm_vm_reinject_control(struct ckvm_vm *vm, uint8_t pit_reinject);
/* KVM_GET/SET_CLOCK (kvmclock). */
CKVM_API int ckvm_vm_get_clock(struct ckvm_vm *vm, struct kvm_clock_data *clock);
CKVM_API int ckvm_vm_set_clock(struct ckvm_vm *vm, const struct kvm_clock_data *clock);
/* VM-scope KVM_GET/SET_TSC_KHZ (KVM_CAP_VM_TSC_CONTROL): kHz (> 0) or -errno. */
CKVM_API int ckvm_vm_get_tsc_khz(struct ckvm_vm *vm);
CKVM_API int ckvm_vm_set_tsc_khz(struct ckvm_vm *vm, uint32_t khz);
/* XSAVE buffer size for this VM: KVM_CAP_XSAVE2 on the VM fd, at least 4096. */
CKVM_API int ckvm_vm_xsave_size(struct ckvm_vm *vm);

/* MSR filter (KVM_X86_SET_MSR_FILTER). */
#define CKVM_MSR_FILTER_MAX_RANGES 16u
struct ckvm_msr_filter_range {
	uint32_t flags;        /* KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE */
	uint32_t base;         /* first MSR index */
	uint32_t nmsrs;        /* MSRs covered */
	const uint8_t *bitmap; /* ceil(nmsrs/8) bytes; bit set = allow */
	size_t bitmap_len;     /* bytes in bitmap (checked) */
};
/*
 * default_action KVM_MSR_FILTER_DEFAULT_ALLOW or _DENY. More than 16 ranges,
 * a short bitmap or bad flags give -EINVAL before any ioctl. n 0 with ALLOW
 * removes the filter.
 */
CKVM_API int ckvm_vm_set_msr_filter(struct ckvm_vm *vm, uint32_t default_action,
				    const struct ckvm_msr_filter_range *ranges, size_t n);
CKVM_API int ckvm_vm_set_msr_filter_raw(struct ckvm_vm *vm, const struct kvm_msr_filter *f);
/* KVM_CAP_X86_USER_SPACE_MSR with reasons KVM_MSR_EXIT_REASON_{INVAL,UNKNOWN,FILTER}. */
CKVM_API int ckvm_vm_enable_user_space_msr(struct ckvm_vm *vm, uint32_t reasons);

/*
 * KVM_SET_BOOT_CPU_ID (KVM_CAP_SET_BOOT_CPU_ID): make vCPU `id` the
 * bootstrap processor (default 0). Call it before creating any vCPU: KVM
 * answers -EBUSY afterwards. Effects: the BSP's IA32_APIC_BASE has the BSP
 * bit (8) and, with the in-kernel irqchip, the BSP starts RUNNABLE while
 * every other vCPU starts UNINITIALIZED (waiting for INIT/SIPI). id above
 * UINT32_MAX is -EINVAL before the ioctl; KVM refuses ids above its
 * KVM_CAP_MAX_VCPU_ID (-EINVAL). Thread rules: any thread, but ordered
 * before every ckvm_vm_create_vcpu() of the VM.
 */
CKVM_API int ckvm_vm_set_boot_cpu_id(struct ckvm_vm *vm, unsigned long id);

/*
 * PMU event filter (KVM_SET_PMU_EVENT_FILTER, KVM_CAP_PMU_EVENT_FILTER):
 * which events the guest may program on its general-purpose counters.
 * action KVM_PMU_EVENT_ALLOW (only the listed events count) or
 * KVM_PMU_EVENT_DENY (the listed ones do not); fixed_counter_bitmap picks
 * the fixed counters the action applies to, the same way. flags 0: each
 * event is an event select + unit mask (ckvm_pmu_event()); flags
 * KVM_PMU_EVENT_FLAG_MASKED_EVENTS (KVM_CAP_PMU_EVENT_MASKED_EVENTS): each
 * is a masked entry (ckvm_pmu_masked_event()), which KVM validates
 * (-EINVAL for reserved bits). A new filter replaces the previous one.
 *
 * ckvm_vm_set_pmu_event_filter builds the struct kvm_pmu_event_filter (a
 * flexible array of n events, size overflow-checked) from the array
 * `events` and issues the ioctl. n above CKVM_MAX_PMU_EVENTS is -E2BIG, an
 * action other than ALLOW/DENY, a flag other than MASKED_EVENTS, or events
 * NULL with n > 0 -EINVAL, all before any allocation or ioctl. KVM's own
 * limit is lower (300 events up to Linux 6.18): above it KVM answers
 * -E2BIG. ckvm_vm_set_pmu_event_filter_raw passes a filter the caller
 * built (nevents entries must follow it), checking only nevents against
 * CKVM_MAX_PMU_EVENTS (-E2BIG). Thread rules: any thread; KVM makes vCPUs
 * reprogram their counters with the new filter, running or not.
 */
#define CKVM_MAX_PMU_EVENTS 4096u
#ifndef KVM_PMU_EVENT_FLAG_MASKED_EVENTS
/* Linux 6.3 ABI (api.rst, KVM_SET_PMU_EVENT_FILTER); absent from 6.1 headers. */
#define KVM_PMU_EVENT_FLAG_MASKED_EVENTS (1u << 0)
#endif
/*
 * An event for a filter with flags 0: event select (12 bits; bits 11:8
 * exist on AMD only) and unit mask, laid out as in the PERFEVTSEL MSRs.
 */
CKVM_INLINE uint64_t ckvm_pmu_event(uint16_t event_select, uint8_t umask)
{
	return ((uint64_t)event_select & 0xffu) | ((uint64_t)umask << 8) |
	       (((uint64_t)event_select & 0xf00u) << 24);
}
/*
 * A masked entry (KVM_PMU_EVENT_FLAG_MASKED_EVENTS): the guest's event
 * matches when its event select is event_select and (unit mask & mask) ==
 * match; exclude entries take matches out again. Bits: 7:0 event select
 * low, 15:8 match, 35:32 event select high, 55 exclude, 63:56 mask.
 */
CKVM_INLINE uint64_t ckvm_pmu_masked_event(uint16_t event_select, uint8_t mask, uint8_t match,
					   bool exclude)
{
	return ((uint64_t)event_select & 0xffu) | (((uint64_t)event_select & 0xf00u) << 24) |
	       ((uint64_t)match << 8) | ((uint64_t)(exclude ? 1 : 0) << 55) |
	       ((uint64_t)mask << 56);
}
CKVM_API int ckvm_vm_set_pmu_event_filter(struct ckvm_vm *vm, uint32_t action, uint32_t flags,
					  uint32_t fixed_counter_bitmap, const uint64_t *events,
					  size_t n);
CKVM_API int ckvm_vm_set_pmu_event_filter_raw(struct ckvm_vm *vm,
					      const struct kvm_pmu_event_filter *filter);

/*
 * KVM_HYPERV_EVENTFD (KVM_CAP_HYPERV_EVENTFD): signal eventfd efd when the
 * guest issues the Hyper-V SIGNAL_EVENT hypercall on connection conn_id
 * (24 bits), instead of exiting to userspace. flags 0 assigns;
 * KVM_HYPERV_EVENTFD_DEASSIGN removes the connection's eventfd (efd is then
 * ignored, pass -1). conn_id above KVM_HYPERV_CONN_ID_MASK or other flags:
 * -EINVAL, a negative efd when assigning: -EBADF, before the ioctl. KVM:
 * -EEXIST when conn_id is already assigned, -ENOENT when deassigning one
 * that is not. The guest needs Hyper-V CPUID (ckvm_get_supported_hv_cpuid)
 * and its hypercall MSRs set up.
 */
CKVM_API int ckvm_vm_hyperv_eventfd(struct ckvm_vm *vm, uint32_t conn_id, int efd, uint32_t flags);

/*
 * Xen HVM emulation (KVM_CAP_XEN_HVM; its value is a mask of
 * KVM_XEN_HVM_CONFIG_* features this kernel has).
 * ckvm_vm_xen_hvm_config: KVM_XEN_HVM_CONFIG, the hypercall-page MSR and
 * blobs, or flags such as KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL (hypercalls
 * exit as CKVM_EXIT_XEN; the blob fields must then be 0: -EINVAL before
 * the ioctl otherwise) and KVM_XEN_HVM_CONFIG_EVTCHN_SEND. Call it before
 * the Xen attributes below.
 * ckvm_vm_xen_hvm_get_attr / _set_attr: KVM_XEN_HVM_GET_ATTR / SET_ATTR,
 * VM attributes selected by attr->type (KVM_XEN_ATTR_TYPE_LONG_MODE,
 * _SHARED_INFO, _UPCALL_VECTOR, _EVTCHN, _XEN_VERSION, ...; which exist
 * depends on the features of KVM_CAP_XEN_HVM).
 * ckvm_vm_xen_hvm_evtchn_send: KVM_XEN_HVM_EVTCHN_SEND
 * (KVM_XEN_HVM_CONFIG_EVTCHN_SEND), deliver an event channel to the guest.
 * Without Xen support in KVM these fail (-ENOTTY or -EINVAL).
 */
CKVM_API int ckvm_vm_xen_hvm_config(struct ckvm_vm *vm, const struct kvm_xen_hvm_config *cfg);
CKVM_API int ckvm_vm_xen_hvm_get_attr(struct ckvm_vm *vm, struct kvm_xen_hvm_attr *attr);
CKVM_API int ckvm_vm_xen_hvm_set_attr(struct ckvm_vm *vm, const struct kvm_xen_hvm_attr *attr);
CKVM_API int ckvm_vm_xen_hvm_evtchn_send(struct ckvm_vm *vm,
					 const struct kvm_irq_routing_xen_evtchn *evt);

/* SEV / TDX memory encryption (present where /dev/sev exists). */
CKVM_API int ckvm_vm_encrypt_op(struct ckvm_vm *vm, void *cmd);
CKVM_API int ckvm_vm_encrypt_op_sev(struct ckvm_vm *vm, struct kvm_sev_cmd *cmd);
CKVM_API int ckvm_vm_register_enc_memory_region(struct ckvm_vm *vm,
						const struct kvm_enc_region *r);
CKVM_API int ckvm_vm_unregister_enc_memory_region(struct ckvm_vm *vm,
						  const struct kvm_enc_region *r);

/* ======================= vCPU (x86) ====================================== */
/*
 * Thread rules: the vCPU's thread only, like every vCPU call (ckvm/vcpu.h).
 * With sync regs in use (below), any of these calls first applies a
 * register write still pending in the run page; calls that may change
 * registers or events (set_*, NMI, SMI, interrupt, MCE, MP state, nested
 * state, ONE_REG writes...) make later reads go to KVM until the next exit.
 */
/*
 * GET/SET_REGS. With sync regs enabled for KVM_SYNC_X86_REGS (see below)
 * and valid after the last exit, these read and write the run page and
 * issue no ioctl; the write is loaded by KVM on the next entry.
 */
CKVM_API int ckvm_vcpu_get_regs(struct ckvm_vcpu *vcpu, struct kvm_regs *regs);
CKVM_API int ckvm_vcpu_set_regs(struct ckvm_vcpu *vcpu, const struct kvm_regs *regs);
/* GET/SET_SREGS; the same sync-regs fast path with KVM_SYNC_X86_SREGS. */
CKVM_API int ckvm_vcpu_get_sregs(struct ckvm_vcpu *vcpu, struct kvm_sregs *sregs);
CKVM_API int ckvm_vcpu_set_sregs(struct ckvm_vcpu *vcpu, const struct kvm_sregs *sregs);
/* KVM_GET/SET_SREGS2 (KVM_CAP_SREGS2): PDPTRs included. */
CKVM_API int ckvm_vcpu_get_sregs2(struct ckvm_vcpu *vcpu, struct kvm_sregs2 *sregs2);
CKVM_API int ckvm_vcpu_set_sregs2(struct ckvm_vcpu *vcpu, const struct kvm_sregs2 *sregs2);
/* KVM_GET/SET_FPU. Note: KVM_GET_FPU never fills mxcsr (read it from XSAVE). */
CKVM_API int ckvm_vcpu_get_fpu(struct ckvm_vcpu *vcpu, struct kvm_fpu *fpu);
CKVM_API int ckvm_vcpu_set_fpu(struct ckvm_vcpu *vcpu, const struct kvm_fpu *fpu);
CKVM_API int ckvm_vcpu_get_lapic(struct ckvm_vcpu *vcpu, struct kvm_lapic_state *lapic);
CKVM_API int ckvm_vcpu_set_lapic(struct ckvm_vcpu *vcpu, const struct kvm_lapic_state *lapic);
/*
 * KVM_GET/SET_MSRS: the number of MSRs processed (may be < nmsrs: the kernel
 * stops at the first failure). nmsrs above CKVM_MAX_MSR_ENTRIES is -E2BIG
 * before the ioctl; nmsrs must not exceed the buffer's entries.
 */
CKVM_API int ckvm_vcpu_get_msrs(struct ckvm_vcpu *vcpu, struct kvm_msrs *msrs);
CKVM_API int ckvm_vcpu_set_msrs(struct ckvm_vcpu *vcpu, const struct kvm_msrs *msrs);
/* One MSR: 0 or -errno (-EINVAL when KVM refuses the index). */
CKVM_API int ckvm_vcpu_get_msr(struct ckvm_vcpu *vcpu, uint32_t index, uint64_t *value);
CKVM_API int ckvm_vcpu_set_msr(struct ckvm_vcpu *vcpu, uint32_t index, uint64_t value);
/*
 * KVM_SET_CPUID2 (nent above CKVM_MAX_CPUID_ENTRIES: -E2BIG before the
 * ioctl) / KVM_GET_CPUID2 into *out: NULL (a buffer is allocated) or a
 * buffer from ckvm_cpuid2_alloc(), grown on E2BIG (it may move). On failure
 * a buffer allocated here is freed and *out left NULL; a caller's buffer
 * stays the caller's, with nent 0.
 */
CKVM_API int ckvm_vcpu_set_cpuid2(struct ckvm_vcpu *vcpu, const struct kvm_cpuid2 *cpuid);
CKVM_API int ckvm_vcpu_get_cpuid2(struct ckvm_vcpu *vcpu, struct kvm_cpuid2 **out);
/* KVM_GET/SET_XSAVE (legacy 4 KiB). */
CKVM_API int ckvm_vcpu_get_xsave(struct ckvm_vcpu *vcpu, struct kvm_xsave *xsave);
CKVM_API int ckvm_vcpu_set_xsave(struct ckvm_vcpu *vcpu, const struct kvm_xsave *xsave);
/*
 * KVM_GET_XSAVE2 into a buffer from ckvm_xsave_alloc(ckvm_vm_xsave_size());
 * a buffer smaller than the VM's size gives -EINVAL (never an overrun).
 * set_xsave2 is KVM_SET_XSAVE with the full-size buffer. The size checked
 * is KVM_CAP_XSAVE2 as the VM reported it when the vCPU was created: request
 * dynamic xfeatures (arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM), AMX) before
 * creating vCPUs, as KVM's documentation asks.
 */
CKVM_API int ckvm_vcpu_get_xsave2(struct ckvm_vcpu *vcpu, struct kvm_xsave *xsave);
CKVM_API int ckvm_vcpu_set_xsave2(struct ckvm_vcpu *vcpu, const struct kvm_xsave *xsave);
CKVM_API int ckvm_vcpu_get_xcrs(struct ckvm_vcpu *vcpu, struct kvm_xcrs *xcrs);
CKVM_API int ckvm_vcpu_set_xcrs(struct ckvm_vcpu *vcpu, const struct kvm_xcrs *xcrs);
CKVM_API int ckvm_vcpu_get_debug_regs(struct ckvm_vcpu *vcpu, struct kvm_debugregs *d);
CKVM_API int ckvm_vcpu_set_debug_regs(struct ckvm_vcpu *vcpu, const struct kvm_debugregs *d);
/* Also on arm64 (declared there too). */
CKVM_API int ckvm_vcpu_get_vcpu_events(struct ckvm_vcpu *vcpu, struct kvm_vcpu_events *ev);
CKVM_API int ckvm_vcpu_set_vcpu_events(struct ckvm_vcpu *vcpu, const struct kvm_vcpu_events *ev);
/* KVM_TRANSLATE: guest-virtual to guest-physical. */
CKVM_API int ckvm_vcpu_translate_gva(struct ckvm_vcpu *vcpu, struct kvm_translation *tr);
CKVM_API int ckvm_vcpu_nmi(struct ckvm_vcpu *vcpu);
CKVM_API int ckvm_vcpu_smi(struct ckvm_vcpu *vcpu);
/* KVM_INTERRUPT: inject an external interrupt (userspace irqchip only). */
CKVM_API int ckvm_vcpu_interrupt(struct ckvm_vcpu *vcpu, uint32_t irq);
CKVM_API int ckvm_vcpu_kvmclock_ctrl(struct ckvm_vcpu *vcpu);
/* KVM_GET_TSC_KHZ: kHz (> 0) or -errno (the real errno, e.g. -EIO). */
CKVM_API int ckvm_vcpu_get_tsc_khz(struct ckvm_vcpu *vcpu);
/*
 * KVM_SET_TSC_KHZ (khz 0: -EINVAL). A rate other than the host's needs TSC
 * scaling (KVM_CAP_TSC_CONTROL). Note: when KVM refuses a rate it has
 * already recorded it, and KVM_GET_TSC_KHZ reports the refused value until
 * a rate is set successfully (set the previous one again).
 */
CKVM_API int ckvm_vcpu_set_tsc_khz(struct ckvm_vcpu *vcpu, uint32_t khz);
/* KVM_X86_SETUP_MCE / KVM_X86_SET_MCE. */
CKVM_API int ckvm_vcpu_setup_mce(struct ckvm_vcpu *vcpu, uint64_t mcg_cap);
CKVM_API int ckvm_vcpu_set_mce(struct ckvm_vcpu *vcpu, const struct kvm_x86_mce *mce);
/*
 * ONE_REG ids for x86 (kernels with x86 KVM_GET/SET_ONE_REG, Linux 6.18+):
 * every MSR of KVM_GET_MSR_INDEX_LIST is a 64-bit register of type MSR
 * (these are not listed by KVM_GET_REG_LIST); KVM-defined registers
 * (e.g. the guest SSP) have type KVM.
 */
#define CKVM_X86_REG_TYPE_MSR 2u
#define CKVM_X86_REG_TYPE_KVM 3u
CKVM_INLINE uint64_t ckvm_x86_reg_msr(uint32_t index)
{
	return KVM_REG_X86 | KVM_REG_SIZE_U64 | ((uint64_t)CKVM_X86_REG_TYPE_MSR << 32) | index;
}
/*
 * KVM_GET_SUPPORTED_HV_CPUID on the vCPU (KVM_CAP_HYPERV_CPUID), like
 * ckvm_get_supported_hv_cpuid() (new buffer in *out, grown on E2BIG). KVM
 * deprecates this scope: its answer depends on the vCPU (enlightened VMCS
 * enabled, in-kernel LAPIC present).
 */
CKVM_API int ckvm_vcpu_get_supported_hv_cpuid(struct ckvm_vcpu *vcpu, struct kvm_cpuid2 **out);
/*
 * KVM_XEN_VCPU_GET_ATTR / KVM_XEN_VCPU_SET_ATTR (KVM_CAP_XEN_HVM): per-vCPU
 * Xen attributes selected by attr->type (KVM_XEN_VCPU_ATTR_TYPE_VCPU_INFO,
 * _VCPU_TIME_INFO, _RUNSTATE_*, _VCPU_ID, _TIMER, _UPCALL_VECTOR, ...).
 * Without Xen support in KVM these fail (-EINVAL or -ENOTTY).
 */
CKVM_API int ckvm_vcpu_xen_get_attr(struct ckvm_vcpu *vcpu, struct kvm_xen_vcpu_attr *attr);
CKVM_API int ckvm_vcpu_xen_set_attr(struct ckvm_vcpu *vcpu, const struct kvm_xen_vcpu_attr *attr);
/* KVM_TPR_ACCESS_REPORTING / KVM_SET_VAPIC_ADDR. */
CKVM_API int ckvm_vcpu_tpr_access_reporting(struct ckvm_vcpu *vcpu, bool enabled);
CKVM_API int ckvm_vcpu_set_vapic_addr(struct ckvm_vcpu *vcpu, uint64_t addr);

/*
 * Nested state (KVM_CAP_NESTED_STATE gives the maximum size). get fills a
 * buffer of `size` bytes and returns the state's size; a size of exactly
 * sizeof(struct kvm_nested_state) means "no nested guest". -ENOTSUP (after
 * checking the capability) where the kernel has none.
 */
CKVM_API int ckvm_vcpu_get_nested_state(struct ckvm_vcpu *vcpu, struct kvm_nested_state *st,
					size_t size);
CKVM_API int ckvm_vcpu_set_nested_state(struct ckvm_vcpu *vcpu, const struct kvm_nested_state *st);

/*
 * Sync regs (KVM_CAP_SYNC_REGS): mask of KVM_SYNC_X86_REGS | _SREGS | _EVENTS.
 * valid: KVM copies these out to the run page on every exit.
 * dirty: KVM loads them from the run page on the next entry (cleared by KVM).
 * Bits outside the three give -EINVAL, bits the kernel's KVM_CAP_SYNC_REGS
 * lacks -EOPNOTSUPP (KVM_RUN would fail). With a class valid, the get/set
 * calls above use the run page after each exit and issue no ioctl; a write
 * there stays pending until the next entry or the next other vCPU call,
 * which applies it first (so program order holds). Clearing a dirty bit
 * drops the pending write.
 */
CKVM_API int ckvm_vcpu_set_sync_valid_reg(struct ckvm_vcpu *vcpu, uint64_t mask);
CKVM_API int ckvm_vcpu_clear_sync_valid_reg(struct ckvm_vcpu *vcpu, uint64_t mask);
CKVM_API int ckvm_vcpu_set_sync_dirty_reg(struct ckvm_vcpu *vcpu, uint64_t mask);
CKVM_API int ckvm_vcpu_clear_sync_dirty_reg(struct ckvm_vcpu *vcpu, uint64_t mask);
/* The run page's kvm_sync_regs (valid after an exit for the valid mask). */
CKVM_API struct kvm_sync_regs *ckvm_vcpu_sync_regs(struct ckvm_vcpu *vcpu);

CKVM_END_DECLS

#endif
