/* SPDX-License-Identifier: MIT */
/*
 * ckvm/arm64.h - the arm64-only part of the API: VM creation with an IPA
 * size, vCPU init/finalize, ONE_REG id builders (core, system, SVE,
 * firmware registers), the vGIC (v2, v3, ITS), device addresses, counter
 * offset, MTE tag copies, writable ID register masks, the SMCCC filter,
 * guest debug helpers and the SMCCC hypercall exit reply.
 *
 * Included by <ckvm.h> when building for aarch64.
 *
 * Call order on arm64 (api.rst 4.82): create the VM, create each vCPU, then
 * KVM_ARM_VCPU_INIT it (ckvm_vcpu_init / ckvm_vcpu_init_preferred) before
 * any ONE_REG, REG_LIST or RUN call (they fail with -ENOEXEC otherwise).
 * With SVE, set KVM_REG_ARM64_SVE_VLS if wanted and then
 * ckvm_vcpu_finalize(vcpu, KVM_ARM_VCPU_SVE) (until then RUN, ONE_REG and
 * REG_LIST fail with -EPERM). A GICv3 or ITS is created after the vCPUs and
 * initialized (CTRL_INIT) before the first KVM_RUN.
 *
 * Thread rules: as for the object each call takes (ckvm/vm.h, ckvm/vcpu.h,
 * ckvm/device.h). The static inline helpers are pure functions.
 */
#ifndef CKVM_ARM64_H
#define CKVM_ARM64_H

#include <ckvm/common.h>
#include <ckvm/exit.h>
#include <errno.h>
#include <stddef.h>

CKVM_BEGIN_DECLS

/* ======================= system (arm64) ================================== */
/*
 * KVM_CHECK_EXTENSION(KVM_CAP_ARM_VM_IPA_SIZE): the largest guest physical
 * address width (bits) the host supports, 0 when the kernel does not let
 * userspace choose (the IPA space is then 40 bits), or -errno.
 */
CKVM_API int ckvm_get_host_ipa_limit(struct ckvm *kvm);
/* KVM_CAP_GUEST_DEBUG_HW_BPS / _WPS: hardware breakpoints / watchpoints, 0 if absent. */
CKVM_API int ckvm_get_guest_debug_hw_bps(struct ckvm *kvm);
CKVM_API int ckvm_get_guest_debug_hw_wps(struct ckvm *kvm);
/*
 * KVM_CREATE_VM with an explicit IPA width: 32 <= ipa_bits <= the host
 * limit (ckvm_get_host_ipa_limit). ipa_bits outside 32..255 gives -EINVAL
 * without a syscall; a width above the host limit gives the kernel's -EINVAL.
 * ipa_bits 0 asks for the legacy 40-bit default.
 *
 * ckvm_create_vm() on arm64 does what kvm-ioctls does: it asks for the
 * host's largest IPA size when KVM_CAP_ARM_VM_IPA_SIZE is present, type 0
 * otherwise.
 */
CKVM_API int ckvm_create_vm_with_ipa_size(struct ckvm *kvm, uint32_t ipa_bits,
					  struct ckvm_vm **out);
/* The KVM_CREATE_VM machine type for an IPA width (KVM_VM_TYPE_ARM_IPA_SIZE). */
CKVM_INLINE unsigned long ckvm_arm64_vm_type_ipa(uint32_t ipa_bits)
{
	return (unsigned long)(ipa_bits & KVM_VM_TYPE_ARM_IPA_SIZE_MASK);
}

/* ======================= VM (arm64) ====================================== */
/*
 * KVM_ARM_PREFERRED_TARGET: fills init->target (and clears features) with
 * the target the host prefers. Then set features and call ckvm_vcpu_init.
 */
CKVM_API int ckvm_vm_get_preferred_target(struct ckvm_vm *vm, struct kvm_vcpu_init *init);
/*
 * KVM_CREATE_IRQCHIP: on arm64 this creates a GICv2 only, and fails when
 * the host cannot emulate one. Prefer ckvm_vm_create_vgic().
 */
CKVM_API int ckvm_vm_create_irq_chip(struct ckvm_vm *vm);
/*
 * KVM_ARM_SET_DEVICE_ADDR (KVM_CAP_ARM_SET_DEVICE_ADDR, the pre-device-API
 * way to place a GICv2 made by KVM_CREATE_IRQCHIP). id is built with
 * ckvm_arm64_device_addr_id(); addr must be 4 KiB aligned.
 */
CKVM_API int ckvm_vm_arm_set_device_addr(struct ckvm_vm *vm, uint64_t id, uint64_t addr);
CKVM_INLINE uint64_t ckvm_arm64_device_addr_id(uint16_t device_id, uint16_t addr_type)
{
	return ((uint64_t)device_id << KVM_ARM_DEVICE_ID_SHIFT) |
	       ((uint64_t)addr_type << KVM_ARM_DEVICE_TYPE_SHIFT);
}
/*
 * KVM_ARM_SET_COUNTER_OFFSET (KVM_CAP_COUNTER_OFFSET): offset subtracted
 * from the physical counter for every vCPU of the VM (the virtual and
 * physical counters then read CNTPCT - offset). -EBUSY once a vCPU has run.
 */
CKVM_API int ckvm_vm_arm_set_counter_offset(struct ckvm_vm *vm, uint64_t offset);
/*
 * KVM_ARM_MTE_COPY_TAGS (KVM_CAP_ARM_MTE enabled): copy MTE tags between
 * guest memory [guest_ipa, guest_ipa + length) and tags (one byte per
 * 16-byte granule, length / 16 bytes). guest_ipa and length must be page
 * aligned. to_guest selects the direction (KVM_ARM_TAGS_TO_GUEST).
 * Returns the number of guest bytes whose tags were copied (may be short,
 * at the first unmapped page) or -errno (-E2BIG for a length that does not
 * fit the int result, 2 GiB or more).
 */
CKVM_API int ckvm_vm_arm_mte_copy_tags(struct ckvm_vm *vm, uint64_t guest_ipa,
				       uint64_t length, void *tags, bool to_guest);
/* KVM_ENABLE_CAP(KVM_CAP_ARM_MTE): before any vCPU is created. */
CKVM_API int ckvm_vm_arm_enable_mte(struct ckvm_vm *vm);
/*
 * KVM_ENABLE_CAP(KVM_CAP_ARM_NISV_TO_USER): data aborts without valid
 * syndrome exit with KVM_EXIT_ARM_NISV (CKVM_EXIT_ARM_NISV) instead of
 * failing KVM_RUN with -ENOSYS.
 */
CKVM_API int ckvm_vm_arm_enable_nisv_to_user(struct ckvm_vm *vm);
/*
 * KVM_ENABLE_CAP(KVM_CAP_ARM_SYSTEM_SUSPEND): PSCI SYSTEM_SUSPEND exits with
 * KVM_EXIT_SYSTEM_EVENT type KVM_SYSTEM_EVENT_SUSPEND.
 */
CKVM_API int ckvm_vm_arm_enable_system_suspend(struct ckvm_vm *vm);
/*
 * KVM_ARM_GET_REG_WRITABLE_MASKS (KVM_CAP_ARM_SUPPORTED_REG_MASK_RANGES):
 * fills masks (CKVM_ARM64_FEATURE_ID_RANGE_SIZE entries) with the bits
 * userspace may change in each feature ID register of range
 * (KVM_ARM_FEATURE_ID_RANGE); index a register with
 * ckvm_arm64_feature_id_range_idx().
 */
#define CKVM_ARM64_FEATURE_ID_RANGE_SIZE 192
CKVM_API int ckvm_vm_arm_get_reg_writable_masks(struct ckvm_vm *vm, uint32_t range,
						uint64_t *masks);
/*
 * Index of a feature ID register (op0 3, op1 0/1/3, CRn 0, CRm 0-7, op2 0-7)
 * in the writable-masks array, or -1 when the encoding is outside the range.
 */
CKVM_INLINE int ckvm_arm64_feature_id_range_idx(unsigned op0, unsigned op1, unsigned crn,
						unsigned crm, unsigned op2)
{
	if (op0 != 3 || crn != 0 || crm > 7 || op2 > 7 || (op1 != 0 && op1 != 1 && op1 != 3))
		return -1;
	return (int)(((op1 == 3 ? 2u : op1) << 6) | (crm << 3) | op2);
}
/*
 * The SMCCC filter (KVM_ARM_VM_SMCCC_CTRL / KVM_ARM_VM_SMCCC_FILTER, a VM
 * device attribute, Linux 6.4): function ids [base, base + nr_functions)
 * get action KVM_SMCCC_FILTER_HANDLE, _DENY or _FWD_TO_USER (the last makes
 * HVC/SMC calls exit with KVM_EXIT_HYPERCALL; see ckvm_vcpu_arm_smccc_*).
 * Must be set before any vCPU has run.
 */
CKVM_API int ckvm_vm_arm_set_smccc_filter(struct ckvm_vm *vm, uint32_t base,
					  uint32_t nr_functions, uint8_t action);

/*
 * KVM_IRQ_LINE irq number: irq_type KVM_ARM_IRQ_TYPE_CPU (out-of-kernel
 * GIC: irq_id 0 IRQ, 1 FIQ), _SPI (in-kernel GIC, irq_id 32..1019, vcpu
 * ignored) or _PPI (irq_id 16..31 of vcpu_index). vcpu_index above 255
 * uses the KVM_CAP_ARM_IRQ_LINE_LAYOUT_2 bits. Pass the result to
 * ckvm_vm_set_irq_line().
 */
CKVM_INLINE uint32_t ckvm_arm64_irq(uint32_t irq_type, uint32_t vcpu_index, uint32_t irq_id)
{
	return ((irq_type & KVM_ARM_IRQ_TYPE_MASK) << KVM_ARM_IRQ_TYPE_SHIFT) |
	       (((vcpu_index >> 8) & KVM_ARM_IRQ_VCPU2_MASK) << KVM_ARM_IRQ_VCPU2_SHIFT) |
	       ((vcpu_index & KVM_ARM_IRQ_VCPU_MASK) << KVM_ARM_IRQ_VCPU_SHIFT) |
	       ((irq_id & KVM_ARM_IRQ_NUM_MASK) << KVM_ARM_IRQ_NUM_SHIFT);
}

/* ======================= vGIC and ITS devices ============================= */
/*
 * KVM_CREATE_DEVICE of KVM_DEV_TYPE_ARM_VGIC_V2 or _V3 (any other type:
 * -EINVAL). Returns a plain struct ckvm_device; the calls below take it.
 */
CKVM_API int ckvm_vm_create_vgic(struct ckvm_vm *vm, uint32_t type, struct ckvm_device **out);
/*
 * One call for the usual setup, after all vCPUs exist: create the vGIC of
 * type (KVM_DEV_TYPE_ARM_VGIC_V3 or _V2), place the distributor at
 * dist_base and the redistributors (v3: one 128 KiB frame per vCPU,
 * contiguous) or the CPU interface (v2) at cpu_base, set nr_irqs when
 * nonzero (a multiple of 32, 64..1024, counting the 32 private ones) and
 * initialize it (CTRL_INIT). On failure nothing is left behind.
 */
CKVM_API int ckvm_vm_setup_vgic(struct ckvm_vm *vm, uint32_t type, uint64_t dist_base,
				uint64_t cpu_base, uint32_t nr_irqs, struct ckvm_device **out);
/* KVM_DEV_ARM_VGIC_GRP_ADDR: addr_type KVM_VGIC_V2_ADDR_TYPE_* / KVM_VGIC_V3_ADDR_TYPE_*. */
CKVM_API int ckvm_vgic_set_addr(struct ckvm_device *dev, uint64_t addr_type, uint64_t addr);
CKVM_API int ckvm_vgic_get_addr(struct ckvm_device *dev, uint64_t addr_type, uint64_t *addr);
/*
 * A GICv3 redistributor region (KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION): count
 * redistributors at base (64 KiB aligned), region index (0, 1, ... in
 * order). Use instead of a single KVM_VGIC_V3_ADDR_TYPE_REDIST base.
 */
CKVM_API int ckvm_vgic_v3_add_redist_region(struct ckvm_device *dev, uint32_t index,
					    uint64_t base, uint32_t count);
/* The attribute value encoding of a redistributor region (count, base, index). */
CKVM_INLINE uint64_t ckvm_vgic_v3_redist_region(uint32_t index, uint64_t base, uint32_t count)
{
	return ((uint64_t)(count & 0xfffu) << 52) | (base & 0x000fffffffff0000ull) |
	       (uint64_t)(index & 0xfffu);
}
/* KVM_DEV_ARM_VGIC_GRP_NR_IRQS: number of interrupts incl. the 32 private ones. */
CKVM_API int ckvm_vgic_set_nr_irqs(struct ckvm_device *dev, uint32_t nr_irqs);
CKVM_API int ckvm_vgic_get_nr_irqs(struct ckvm_device *dev, uint32_t *nr_irqs);
/*
 * KVM_DEV_ARM_VGIC_GRP_CTRL: ctrl KVM_DEV_ARM_VGIC_CTRL_INIT,
 * KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES (v3, before saving guest memory),
 * and on an ITS KVM_DEV_ARM_ITS_SAVE_TABLES, _RESTORE_TABLES, _CTRL_RESET.
 */
CKVM_API int ckvm_vgic_ctrl(struct ckvm_device *dev, uint64_t ctrl);
/* ckvm_vgic_ctrl(dev, KVM_DEV_ARM_VGIC_CTRL_INIT). */
CKVM_API int ckvm_vgic_init(struct ckvm_device *dev);
/* KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ (nested virtualization): the maintenance PPI. */
CKVM_API int ckvm_vgic_set_maint_irq(struct ckvm_device *dev, uint32_t intid);
/*
 * vGIC register access for save/restore: group KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
 * _REDIST_REGS, _CPU_REGS (v2), _LEVEL_INFO (32-bit values) or _CPU_SYSREGS
 * (64-bit values), attr built with the helpers below. Must be called with
 * no vCPU running. The 32-bit calls refuse 64-bit groups (_ADDR,
 * _CPU_SYSREGS, any ITS group) with -EINVAL: the kernel would write 8 bytes.
 */
CKVM_API int ckvm_vgic_get_reg32(struct ckvm_device *dev, uint32_t group, uint64_t attr,
				 uint32_t *val);
CKVM_API int ckvm_vgic_set_reg32(struct ckvm_device *dev, uint32_t group, uint64_t attr,
				 uint32_t val);
CKVM_API int ckvm_vgic_get_reg64(struct ckvm_device *dev, uint32_t group, uint64_t attr,
				 uint64_t *val);
CKVM_API int ckvm_vgic_set_reg64(struct ckvm_device *dev, uint32_t group, uint64_t attr,
				 uint64_t val);
/* GICv2 distributor / CPU interface register: cpuid is the vCPU index. */
CKVM_INLINE uint64_t ckvm_vgic_v2_attr(uint32_t cpuid, uint32_t offset)
{
	return (((uint64_t)cpuid << KVM_DEV_ARM_VGIC_CPUID_SHIFT) & KVM_DEV_ARM_VGIC_CPUID_MASK) |
	       (((uint64_t)offset << KVM_DEV_ARM_VGIC_OFFSET_SHIFT) & KVM_DEV_ARM_VGIC_OFFSET_MASK);
}
/*
 * GICv3: mpidr is the vCPU's affinity in the packed 32-bit form
 * Aff3<<24 | Aff2<<16 | Aff1<<8 | Aff0 (ckvm_arm64_mpidr_to_attr_aff turns
 * an MPIDR_EL1 value into it); offset is a distributor/redistributor
 * register offset (the distributor ignores mpidr).
 */
CKVM_INLINE uint64_t ckvm_vgic_v3_attr(uint32_t mpidr_aff, uint32_t offset)
{
	return (((uint64_t)mpidr_aff << KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT) &
		KVM_DEV_ARM_VGIC_V3_MPIDR_MASK) |
	       (((uint64_t)offset << KVM_DEV_ARM_VGIC_OFFSET_SHIFT) & KVM_DEV_ARM_VGIC_OFFSET_MASK);
}
CKVM_INLINE uint32_t ckvm_arm64_mpidr_to_attr_aff(uint64_t mpidr)
{
	return (uint32_t)(((mpidr >> 32) & 0xff) << 24) | (uint32_t)(mpidr & 0xffffff);
}
/* GICv3 CPU interface system register (KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS), e.g. ICC_PMR_EL1 = (3,0,4,6,0). */
CKVM_INLINE uint64_t ckvm_vgic_v3_sysreg_attr(uint32_t mpidr_aff, unsigned op0, unsigned op1,
					      unsigned crn, unsigned crm, unsigned op2)
{
	uint64_t instr = (((uint64_t)op0 << KVM_REG_ARM64_SYSREG_OP0_SHIFT) & KVM_REG_ARM64_SYSREG_OP0_MASK) |
			 (((uint64_t)op1 << KVM_REG_ARM64_SYSREG_OP1_SHIFT) & KVM_REG_ARM64_SYSREG_OP1_MASK) |
			 (((uint64_t)crn << KVM_REG_ARM64_SYSREG_CRN_SHIFT) & KVM_REG_ARM64_SYSREG_CRN_MASK) |
			 (((uint64_t)crm << KVM_REG_ARM64_SYSREG_CRM_SHIFT) & KVM_REG_ARM64_SYSREG_CRM_MASK) |
			 (((uint64_t)op2 << KVM_REG_ARM64_SYSREG_OP2_SHIFT) & KVM_REG_ARM64_SYSREG_OP2_MASK);
	return (((uint64_t)mpidr_aff << KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT) &
		KVM_DEV_ARM_VGIC_V3_MPIDR_MASK) | (instr & KVM_DEV_ARM_VGIC_SYSREG_INSTR_MASK);
}
/* GICv3 line level of 32 interrupts starting at intid_base (a multiple of 32). */
CKVM_INLINE uint64_t ckvm_vgic_v3_line_level_attr(uint32_t mpidr_aff, uint32_t intid_base)
{
	return (((uint64_t)mpidr_aff << KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT) &
		KVM_DEV_ARM_VGIC_V3_MPIDR_MASK) |
	       (((uint64_t)VGIC_LEVEL_INFO_LINE_LEVEL << KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT) &
		KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_MASK) |
	       (intid_base & KVM_DEV_ARM_VGIC_LINE_LEVEL_INTID_MASK);
}
/*
 * An ITS (KVM_DEV_TYPE_ARM_VGIC_ITS) at base (64 KiB aligned, 128 KiB), for
 * a VM that has a GICv3: create, set KVM_VGIC_ITS_ADDR_TYPE and CTRL_INIT.
 * MSIs then go through ckvm_vm_signal_msi() with KVM_MSI_VALID_DEVID or
 * GSI routes of type KVM_IRQ_ROUTING_MSI.
 */
CKVM_API int ckvm_vm_create_its(struct ckvm_vm *vm, uint64_t base, struct ckvm_device **out);
/* ITS register (KVM_DEV_ARM_VGIC_GRP_ITS_REGS) at offset: GITS_CTLR, GITS_CBASER, ... (64-bit). */
CKVM_API int ckvm_its_get_reg(struct ckvm_device *its, uint32_t offset, uint64_t *val);
CKVM_API int ckvm_its_set_reg(struct ckvm_device *its, uint32_t offset, uint64_t val);

/* ======================= vCPU (arm64) ==================================== */
/*
 * KVM_ARM_VCPU_INIT: mandatory before ONE_REG, REG_LIST and RUN; may be
 * called again to reset the vCPU (same target and features).
 */
CKVM_API int ckvm_vcpu_init(struct ckvm_vcpu *vcpu, const struct kvm_vcpu_init *init);
/*
 * ckvm_vm_get_preferred_target(vm) then ckvm_vcpu_init with the feature
 * bits of `features` set (bit n = KVM_ARM_VCPU_* feature n, e.g.
 * 1u << KVM_ARM_VCPU_PSCI_0_2). init_out, when not NULL, receives the
 * kvm_vcpu_init that was used.
 */
CKVM_API int ckvm_vcpu_init_preferred(struct ckvm_vcpu *vcpu, struct ckvm_vm *vm,
				      uint64_t features, struct kvm_vcpu_init *init_out);
/* Set / test feature bit `feature` (KVM_ARM_VCPU_*) in a kvm_vcpu_init; -EINVAL past the array. */
CKVM_INLINE int ckvm_arm64_vcpu_init_set_feature(struct kvm_vcpu_init *init, unsigned feature)
{
	if (feature >= 32u * (unsigned)(sizeof(init->features) / sizeof(init->features[0])))
		return -EINVAL;
	init->features[feature / 32] |= 1u << (feature % 32);
	return 0;
}
CKVM_INLINE bool ckvm_arm64_vcpu_init_has_feature(const struct kvm_vcpu_init *init,
						  unsigned feature)
{
	if (feature >= 32u * (unsigned)(sizeof(init->features) / sizeof(init->features[0])))
		return false;
	return (init->features[feature / 32] >> (feature % 32)) & 1u;
}
/* KVM_ARM_VCPU_FINALIZE(feature), e.g. KVM_ARM_VCPU_SVE after setting KVM_REG_ARM64_SVE_VLS. */
CKVM_API int ckvm_vcpu_finalize(struct ckvm_vcpu *vcpu, int feature);
/* KVM_GET/SET_VCPU_EVENTS (KVM_CAP_VCPU_EVENTS): pending SError / external data abort. */
CKVM_API int ckvm_vcpu_get_vcpu_events(struct ckvm_vcpu *vcpu, struct kvm_vcpu_events *ev);
CKVM_API int ckvm_vcpu_set_vcpu_events(struct ckvm_vcpu *vcpu, const struct kvm_vcpu_events *ev);

/* ---- vCPU device attributes (PMU, timer, PV time) ------------------------ */
/* KVM_ARM_VCPU_PMU_V3_IRQ: the PMU overflow interrupt (a PPI, same on every vCPU). Before _INIT. */
CKVM_API int ckvm_vcpu_arm_pmu_set_irq(struct ckvm_vcpu *vcpu, uint32_t intid);
/* KVM_ARM_VCPU_PMU_V3_INIT: after the vGIC is initialized (in-kernel irqchip) or without one. */
CKVM_API int ckvm_vcpu_arm_pmu_init(struct ckvm_vcpu *vcpu);
/* KVM_ARM_VCPU_PMU_V3_FILTER: allow/deny (KVM_PMU_EVENT_ALLOW/_DENY) nevents events from base_event. */
CKVM_API int ckvm_vcpu_arm_pmu_set_filter(struct ckvm_vcpu *vcpu, uint16_t base_event,
					  uint16_t nevents, uint8_t action);
/* KVM_ARM_VCPU_TIMER_CTRL: timer KVM_ARM_VCPU_TIMER_IRQ_VTIMER/_PTIMER/_HVTIMER/_HPTIMER -> PPI intid. */
CKVM_API int ckvm_vcpu_arm_set_timer_irq(struct ckvm_vcpu *vcpu, uint64_t timer, uint32_t intid);
CKVM_API int ckvm_vcpu_arm_get_timer_irq(struct ckvm_vcpu *vcpu, uint64_t timer, uint32_t *intid);
/* KVM_ARM_VCPU_PVTIME_IPA: guest address of the stolen-time structure (64-byte aligned). */
CKVM_API int ckvm_vcpu_arm_set_pvtime_ipa(struct ckvm_vcpu *vcpu, uint64_t ipa);

/* ---- SMCCC calls forwarded to userspace (KVM_EXIT_HYPERCALL) ------------- */
/*
 * With the SMCCC filter's FWD_TO_USER action, an HVC/SMC exits with
 * CKVM_EXIT_HYPERCALL: hypercall.nr is the function id (w0), hypercall.flags
 * has KVM_HYPERCALL_EXIT_SMC for the SMC conduit (else HVC) and
 * KVM_HYPERCALL_EXIT_16BIT for a 16-bit (AArch32 Thumb) instruction. PC
 * already points after the trapping instruction. The arguments are in
 * x1..x6 and the results go to x0..x3: read/write them with these two
 * calls (ONE_REG).
 */
CKVM_API int ckvm_vcpu_arm_smccc_get_args(struct ckvm_vcpu *vcpu, uint64_t args[6]);
CKVM_API int ckvm_vcpu_arm_smccc_reply(struct ckvm_vcpu *vcpu, uint64_t a0, uint64_t a1,
				       uint64_t a2, uint64_t a3);
/* SMCCC return value for "not supported". */
#define CKVM_SMCCC_RET_NOT_SUPPORTED ((uint64_t)-1)

/* ---- exits: arm64 helpers over a decoded struct ckvm_exit ----------------- */
/*
 * The debug exit's exception class (ESR_EL2.EC): 0x30/0x31 HW breakpoint,
 * 0x32/0x33 step, 0x34/0x35 watchpoint, 0x3c BRK. 0 for another exit kind.
 */
CKVM_INLINE uint32_t ckvm_arm64_debug_exit_ec(const struct ckvm_exit *exit)
{
	const struct kvm_debug_exit_arch *d;

	if (!exit || exit->kind != CKVM_EXIT_DEBUG || !exit->debug.arch)
		return 0;
	d = (const struct kvm_debug_exit_arch *)exit->debug.arch;
	return (d->hsr >> 26) & 0x3f;
}
/* The watchpoint address / faulting address of a debug exit (0 for another kind). */
CKVM_INLINE uint64_t ckvm_arm64_debug_exit_far(const struct ckvm_exit *exit)
{
	const struct kvm_debug_exit_arch *d;

	if (!exit || exit->kind != CKVM_EXIT_DEBUG || !exit->debug.arch)
		return 0;
	d = (const struct kvm_debug_exit_arch *)exit->debug.arch;
	return d->far;
}
/* A SYSTEM_EVENT of type RESET caused by PSCI SYSTEM_RESET2 (data[0] flag). */
CKVM_INLINE bool ckvm_arm64_exit_is_psci_reset2(const struct ckvm_exit *exit)
{
	return exit->kind == CKVM_EXIT_SYSTEM_EVENT &&
	       exit->system_event.type == KVM_SYSTEM_EVENT_RESET &&
	       exit->system_event.ndata > 0 && exit->system_event.data &&
	       (exit->system_event.data[0] & KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2);
}
/* A SYSTEM_EVENT of type SHUTDOWN caused by PSCI SYSTEM_OFF2 (hibernation). */
CKVM_INLINE bool ckvm_arm64_exit_is_psci_off2(const struct ckvm_exit *exit)
{
	return exit->kind == CKVM_EXIT_SYSTEM_EVENT &&
	       exit->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN &&
	       exit->system_event.ndata > 0 && exit->system_event.data &&
	       (exit->system_event.data[0] & KVM_SYSTEM_EVENT_SHUTDOWN_FLAG_PSCI_OFF2);
}
/* The device interrupt lines KVM reports with KVM_CAP_ARM_USER_IRQ (KVM_ARM_DEV_EL1_VTIMER, ...). */
CKVM_INLINE uint64_t ckvm_arm64_run_device_irq_level(const struct kvm_run *run)
{
	return run->s.regs.device_irq_level;
}

/* ---- guest debug ------------------------------------------------------------ */
/*
 * Hardware breakpoint n (0..ckvm_get_guest_debug_hw_bps()-1) at addr,
 * matching EL1 and EL0. Sets KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW in
 * dbg->control. Pass dbg to ckvm_vcpu_set_guest_debug(). -EINVAL if n >= 16.
 */
CKVM_INLINE int ckvm_arm64_guest_debug_set_hw_bp(struct kvm_guest_debug *dbg, unsigned n,
						 uint64_t addr)
{
	if (n >= KVM_ARM_MAX_DBG_REGS)
		return -EINVAL;
	dbg->control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW;
	dbg->arch.dbg_bvr[n] = addr & ~3ull;
	/* E=1, PMC=0b11 (EL1 and EL0), BAS=0b1111 (A64 instruction) */
	dbg->arch.dbg_bcr[n] = 1u | (3u << 1) | (0xfu << 5);
	return 0;
}
/*
 * Hardware watchpoint n at addr for len bytes (1..8, not crossing an 8-byte
 * boundary) on loads (read) and/or stores (write), EL1 and EL0.
 */
CKVM_INLINE int ckvm_arm64_guest_debug_set_hw_wp(struct kvm_guest_debug *dbg, unsigned n,
						 uint64_t addr, unsigned len, bool read, bool write)
{
	unsigned off = (unsigned)(addr & 7u);

	if (n >= KVM_ARM_MAX_DBG_REGS || len == 0 || len > 8 || off + len > 8 || (!read && !write))
		return -EINVAL;
	dbg->control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW;
	dbg->arch.dbg_wvr[n] = addr & ~7ull;
	/* E=1, PAC=0b11, LSC (bit 3 load, bit 4 store), BAS = byte mask */
	dbg->arch.dbg_wcr[n] = 1u | (3u << 1) | ((read ? 1u : 0u) << 3) | ((write ? 1u : 0u) << 4) |
			       ((((1u << len) - 1u) << off) << 5);
	return 0;
}

/* ======================= ONE_REG ids (arm64) ============================= */
/*
 * Core registers (KVM_REG_ARM_CORE): the id of the field at byte offset
 * `offset` of struct kvm_regs with size KVM_REG_SIZE_U32/U64/U128.
 */
CKVM_INLINE uint64_t ckvm_arm64_core_reg(size_t offset, uint64_t size)
{
	return KVM_REG_ARM64 | size | KVM_REG_ARM_CORE | (uint64_t)(offset / sizeof(uint32_t));
}
/*
 * The builders below that take an index return 0 (never a valid id, so the
 * kernel rejects it) when the index is out of range.
 */
/* x0..x30 */
CKVM_INLINE uint64_t ckvm_arm64_reg_x(unsigned n)
{
	if (n > 30)
		return 0;
	return ckvm_arm64_core_reg(offsetof(struct kvm_regs, regs.regs) + (size_t)n * 8,
				   KVM_REG_SIZE_U64);
}
CKVM_INLINE uint64_t ckvm_arm64_reg_sp(void) /* SP_EL0 */
{
	return ckvm_arm64_core_reg(offsetof(struct kvm_regs, regs.sp), KVM_REG_SIZE_U64);
}
CKVM_INLINE uint64_t ckvm_arm64_reg_pc(void)
{
	return ckvm_arm64_core_reg(offsetof(struct kvm_regs, regs.pc), KVM_REG_SIZE_U64);
}
CKVM_INLINE uint64_t ckvm_arm64_reg_pstate(void)
{
	return ckvm_arm64_core_reg(offsetof(struct kvm_regs, regs.pstate), KVM_REG_SIZE_U64);
}
CKVM_INLINE uint64_t ckvm_arm64_reg_sp_el1(void)
{
	return ckvm_arm64_core_reg(offsetof(struct kvm_regs, sp_el1), KVM_REG_SIZE_U64);
}
CKVM_INLINE uint64_t ckvm_arm64_reg_elr_el1(void)
{
	return ckvm_arm64_core_reg(offsetof(struct kvm_regs, elr_el1), KVM_REG_SIZE_U64);
}
/* spsr[KVM_SPSR_EL1 .. KVM_SPSR_FIQ] */
CKVM_INLINE uint64_t ckvm_arm64_reg_spsr(unsigned i)
{
	if (i >= KVM_NR_SPSR)
		return 0;
	return ckvm_arm64_core_reg(offsetof(struct kvm_regs, spsr) + (size_t)i * 8,
				   KVM_REG_SIZE_U64);
}
/* v0..v31 (128-bit FP/SIMD) */
CKVM_INLINE uint64_t ckvm_arm64_reg_v(unsigned n)
{
	if (n > 31)
		return 0;
	return ckvm_arm64_core_reg(offsetof(struct kvm_regs, fp_regs.vregs) + (size_t)n * 16,
				   KVM_REG_SIZE_U128);
}
CKVM_INLINE uint64_t ckvm_arm64_reg_fpsr(void)
{
	return ckvm_arm64_core_reg(offsetof(struct kvm_regs, fp_regs.fpsr), KVM_REG_SIZE_U32);
}
CKVM_INLINE uint64_t ckvm_arm64_reg_fpcr(void)
{
	return ckvm_arm64_core_reg(offsetof(struct kvm_regs, fp_regs.fpcr), KVM_REG_SIZE_U32);
}
/* AArch64 system register (KVM_REG_ARM64_SYSREG), 64-bit, by its encoding. */
CKVM_INLINE uint64_t ckvm_arm64_sys_reg(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
					unsigned op2)
{
	return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG |
	       (((uint64_t)op0 << KVM_REG_ARM64_SYSREG_OP0_SHIFT) & KVM_REG_ARM64_SYSREG_OP0_MASK) |
	       (((uint64_t)op1 << KVM_REG_ARM64_SYSREG_OP1_SHIFT) & KVM_REG_ARM64_SYSREG_OP1_MASK) |
	       (((uint64_t)crn << KVM_REG_ARM64_SYSREG_CRN_SHIFT) & KVM_REG_ARM64_SYSREG_CRN_MASK) |
	       (((uint64_t)crm << KVM_REG_ARM64_SYSREG_CRM_SHIFT) & KVM_REG_ARM64_SYSREG_CRM_MASK) |
	       (((uint64_t)op2 << KVM_REG_ARM64_SYSREG_OP2_SHIFT) & KVM_REG_ARM64_SYSREG_OP2_MASK);
}
/* A few system registers VMMs commonly touch. */
#define CKVM_ARM64_MIDR_EL1        ckvm_arm64_sys_reg(3, 0, 0, 0, 0)
#define CKVM_ARM64_MPIDR_EL1       ckvm_arm64_sys_reg(3, 0, 0, 0, 5)
#define CKVM_ARM64_ID_AA64PFR0_EL1 ckvm_arm64_sys_reg(3, 0, 0, 4, 0)
#define CKVM_ARM64_ID_AA64DFR0_EL1 ckvm_arm64_sys_reg(3, 0, 0, 5, 0)
#define CKVM_ARM64_ID_AA64ISAR0_EL1 ckvm_arm64_sys_reg(3, 0, 0, 6, 0)
#define CKVM_ARM64_ID_AA64MMFR0_EL1 ckvm_arm64_sys_reg(3, 0, 0, 7, 0)
#define CKVM_ARM64_SCTLR_EL1       ckvm_arm64_sys_reg(3, 0, 1, 0, 0)
#define CKVM_ARM64_CPACR_EL1       ckvm_arm64_sys_reg(3, 0, 1, 0, 2)
#define CKVM_ARM64_TTBR0_EL1       ckvm_arm64_sys_reg(3, 0, 2, 0, 0)
#define CKVM_ARM64_TTBR1_EL1       ckvm_arm64_sys_reg(3, 0, 2, 0, 1)
#define CKVM_ARM64_TCR_EL1         ckvm_arm64_sys_reg(3, 0, 2, 0, 2)
#define CKVM_ARM64_ESR_EL1         ckvm_arm64_sys_reg(3, 0, 5, 2, 0)
#define CKVM_ARM64_FAR_EL1         ckvm_arm64_sys_reg(3, 0, 6, 0, 0)
#define CKVM_ARM64_MAIR_EL1        ckvm_arm64_sys_reg(3, 0, 10, 2, 0)
#define CKVM_ARM64_VBAR_EL1        ckvm_arm64_sys_reg(3, 0, 12, 0, 0)
#define CKVM_ARM64_TPIDR_EL1       ckvm_arm64_sys_reg(3, 0, 13, 0, 4)
#define CKVM_ARM64_CNTKCTL_EL1     ckvm_arm64_sys_reg(3, 0, 14, 1, 0)
/* Timers: use KVM_REG_ARM_TIMER_CTL/_CNT/_CVAL (their CNT/CVAL encodings are swapped, as ABI). */

/* Decode a system register id into its encoding fields. */
CKVM_INLINE void ckvm_arm64_sys_reg_decode(uint64_t id, unsigned *op0, unsigned *op1,
					   unsigned *crn, unsigned *crm, unsigned *op2)
{
	*op0 = (unsigned)((id & KVM_REG_ARM64_SYSREG_OP0_MASK) >> KVM_REG_ARM64_SYSREG_OP0_SHIFT);
	*op1 = (unsigned)((id & KVM_REG_ARM64_SYSREG_OP1_MASK) >> KVM_REG_ARM64_SYSREG_OP1_SHIFT);
	*crn = (unsigned)((id & KVM_REG_ARM64_SYSREG_CRN_MASK) >> KVM_REG_ARM64_SYSREG_CRN_SHIFT);
	*crm = (unsigned)((id & KVM_REG_ARM64_SYSREG_CRM_MASK) >> KVM_REG_ARM64_SYSREG_CRM_SHIFT);
	*op2 = (unsigned)((id & KVM_REG_ARM64_SYSREG_OP2_MASK) >> KVM_REG_ARM64_SYSREG_OP2_SHIFT);
}
/* Cache size id registers (KVM_REG_ARM_DEMUX, CCSIDR selected by csselr). */
CKVM_INLINE uint64_t ckvm_arm64_demux_ccsidr(unsigned csselr)
{
	return KVM_REG_ARM64 | KVM_REG_SIZE_U32 | KVM_REG_ARM_DEMUX | KVM_REG_ARM_DEMUX_ID_CCSIDR |
	       ((uint64_t)csselr & KVM_REG_ARM_DEMUX_VAL_MASK);
}
/*
 * SVE (after KVM_ARM_VCPU_SVE is finalized): Z register n (0..31), P
 * register n (0..15) and FFR, slice i (0 while the vector length is at most
 * 2048 bits). Sizes: Z 256 bytes, P and FFR 32 bytes. The vector lengths
 * pseudo-register is KVM_REG_ARM64_SVE_VLS (64 bytes).
 */
CKVM_INLINE uint64_t ckvm_arm64_sve_zreg(unsigned n, unsigned i)
{
	if (n > 31 || i > 31)
		return 0;
	return KVM_REG_ARM64 | KVM_REG_ARM64_SVE | KVM_REG_ARM64_SVE_ZREG_BASE | KVM_REG_SIZE_U2048 |
	       ((uint64_t)(n & 31u) << 5) | (uint64_t)(i & 31u);
}
CKVM_INLINE uint64_t ckvm_arm64_sve_preg(unsigned n, unsigned i)
{
	if (n > 15 || i > 31)
		return 0;
	return KVM_REG_ARM64 | KVM_REG_ARM64_SVE | KVM_REG_ARM64_SVE_PREG_BASE | KVM_REG_SIZE_U256 |
	       ((uint64_t)(n & 15u) << 5) | (uint64_t)(i & 31u);
}
CKVM_INLINE uint64_t ckvm_arm64_sve_ffr(unsigned i)
{
	if (i > 31)
		return 0;
	return KVM_REG_ARM64 | KVM_REG_ARM64_SVE | KVM_REG_ARM64_SVE_FFR_BASE | KVM_REG_SIZE_U256 |
	       (uint64_t)(i & 31u);
}
/*
 * Firmware pseudo-registers (KVM_REG_ARM_FW): r 0 = PSCI version, 1..3 =
 * SMCCC workaround states; the feature bitmaps (KVM_REG_ARM_FW_FEAT_BMAP):
 * r 0 = standard, 1 = standard hypervisor, 2 = vendor hypervisor services.
 */
CKVM_INLINE uint64_t ckvm_arm64_fw_reg(unsigned r)
{
	return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_FW | (uint64_t)(r & 0xffffu);
}
CKVM_INLINE uint64_t ckvm_arm64_fw_feat_bmap_reg(unsigned r)
{
	return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_FW_FEAT_BMAP | (uint64_t)(r & 0xffffu);
}

/* Register classes, from an id's coprocessor field. */
enum ckvm_arm64_reg_class {
	CKVM_ARM64_REG_OTHER = 0,
	CKVM_ARM64_REG_CORE,     /* KVM_REG_ARM_CORE */
	CKVM_ARM64_REG_DEMUX,    /* KVM_REG_ARM_DEMUX (CCSIDR) */
	CKVM_ARM64_REG_SYSREG,   /* KVM_REG_ARM64_SYSREG (includes the timers) */
	CKVM_ARM64_REG_FW,       /* KVM_REG_ARM_FW */
	CKVM_ARM64_REG_SVE,      /* KVM_REG_ARM64_SVE */
	CKVM_ARM64_REG_FW_FEAT_BMAP, /* KVM_REG_ARM_FW_FEAT_BMAP */
};
CKVM_API enum ckvm_arm64_reg_class ckvm_arm64_reg_class(uint64_t id);
/*
 * A readable name for an arm64 register id: "x0", "pc", "v3", "fpsr",
 * "MPIDR_EL1" for the named system registers above, "sys(3,0,1,0,0)"
 * otherwise, "sve.z5[0]", "fw.psci_version", "fw.feat_bmap[1]",
 * "ccsidr[2]"... Writes at most len bytes (NUL-terminated) and returns the
 * length of the full name (like snprintf), or -EINVAL for a NULL buffer
 * with len > 0 or an id that is not arm64.
 */
CKVM_API int ckvm_arm64_reg_name(uint64_t id, char *buf, size_t len);

/* ======================= snapshot records (arm64) ======================== */
/*
 * The arm64 record set (docs/snapshot-format.md, section 4.4). vCPU blob:
 * ONE_REGS (every register of KVM_GET_REG_LIST except the SVE vector-length
 * pseudo-register), ARM64_SVE_VLS (when SVE is on; checked against the
 * target, never written: it is fixed at KVM_ARM_VCPU_FINALIZE),
 * ARM64_EVENTS (KVM_CAP_VCPU_EVENTS), MP_STATE. VM blob: ARM64_VGIC (type,
 * interrupt count, addresses, vCPU affinities) and ARM64_VGIC_ATTRS (the
 * distributor, redistributor / CPU interface and line-level registers),
 * when a vGIC was registered with ckvm_snapshot_ctx_set_vgic, plus the
 * common MEM_REGIONS. The ITS and LPI state are not saved.
 */
#define CKVM_SNAPSHOT_REC_ARM64_SVE_VLS 0x0200u    /* 64 bytes, KVM_REG_ARM64_SVE_VLS */
#define CKVM_SNAPSHOT_REC_ARM64_EVENTS 0x0201u     /* struct kvm_vcpu_events */
#define CKVM_SNAPSHOT_REC_ARM64_VGIC 0x0280u       /* vGIC configuration, see the doc */
#define CKVM_SNAPSHOT_REC_ARM64_VGIC_ATTRS 0x0281u /* device attribute list, see the doc */
struct ckvm_snapshot_ctx;
/*
 * Tell a snapshot context which vGIC (from ckvm_vm_create_vgic or
 * ckvm_vm_setup_vgic, initialized) and which vCPUs (all of the VM's, in
 * vCPU index order) the VM has, before ckvm_snapshot_save_vm or _restore_vm.
 * The vCPUs' MPIDR_EL1 values are read now (ONE_REG); vgic must stay open
 * while ctx is used. Call from the thread that created ctx, before sharing
 * it. -EINVAL for bad arguments or a device that is no vGIC.
 */
CKVM_API int ckvm_snapshot_ctx_set_vgic(struct ckvm_snapshot_ctx *ctx, struct ckvm_device *vgic,
					struct ckvm_vcpu **vcpus, size_t nr_vcpus);

CKVM_END_DECLS

#endif
