/* SPDX-License-Identifier: MIT */
/*
 * ckvm/compat-arch.h - arm64 and riscv64 KVM ABI definitions newer than the
 * system's <asm/kvm.h> / <linux/kvm.h> (Debian 12's cross headers are Linux
 * 6.1). Included by ckvm/compat.h on those architectures only; do not
 * include it directly.
 *
 * Same rules as compat.h: every definition is written from the documented
 * ABI (Documentation/virt/kvm/api.rst and the devices/ documents), guarded by
 * #ifndef so that a newer system header wins, and checked by
 * tests/arm64/test_arm64_compat.c and tests/riscv64/test_riscv64_compat.c.
 * Decide on features with KVM_CHECK_EXTENSION, never by these macros.
 */
#ifndef CKVM_COMPAT_ARCH_H
#define CKVM_COMPAT_ARCH_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* ======================= arm64 ============================================ */
#if defined(__aarch64__)

/* vCPU features for KVM_ARM_VCPU_INIT (api.rst 4.82) */
#ifndef KVM_ARM_VCPU_HAS_EL2
#define KVM_ARM_VCPU_HAS_EL2 7
#endif
#ifndef KVM_ARM_VCPU_HAS_EL2_E2H0
#define KVM_ARM_VCPU_HAS_EL2_E2H0 8
#endif

/* vCPU device attributes (devices/vcpu.rst) */
#ifndef KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS
#define KVM_ARM_VCPU_PMU_V3_SET_NR_COUNTERS 4
#endif
#ifndef KVM_ARM_VCPU_TIMER_IRQ_HVTIMER
#define KVM_ARM_VCPU_TIMER_IRQ_HVTIMER 2
#endif
#ifndef KVM_ARM_VCPU_TIMER_IRQ_HPTIMER
#define KVM_ARM_VCPU_TIMER_IRQ_HPTIMER 3
#endif

/* vGIC maintenance interrupt for nested virt (devices/arm-vgic-v3.rst) */
#ifndef KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ
#define KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ 9
#endif

/* kvm_run.system_event.data[0] flag for PSCI SYSTEM_OFF2 (hibernate) */
#ifndef KVM_SYSTEM_EVENT_SHUTDOWN_FLAG_PSCI_OFF2
#define KVM_SYSTEM_EVENT_SHUTDOWN_FLAG_PSCI_OFF2 (1ULL << 0)
#endif

/* Fourth firmware feature bitmap register (vendor hypervisor services, part 2) */
#ifndef KVM_REG_ARM_VENDOR_HYP_BMAP_2
#define KVM_REG_ARM_VENDOR_HYP_BMAP_2 \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | (0x0016ULL << 16) | 3ULL)
#endif

/* KVM_ARM_SET_COUNTER_OFFSET (KVM_CAP_COUNTER_OFFSET, api.rst 4.139) */
#ifndef KVM_ARM_SET_COUNTER_OFFSET
struct kvm_arm_counter_offset {
	__u64 counter_offset;
	__u64 reserved;
};
#define KVM_ARM_SET_COUNTER_OFFSET _IOW(KVMIO, 0xb5, struct kvm_arm_counter_offset)
#endif

/* KVM_ARM_GET_REG_WRITABLE_MASKS (KVM_CAP_ARM_SUPPORTED_REG_MASK_RANGES, api.rst 4.140) */
#ifndef KVM_ARM_GET_REG_WRITABLE_MASKS
struct reg_mask_range {
	__u64 addr;       /* pointer to the mask array */
	__u32 range;      /* KVM_ARM_FEATURE_ID_RANGE */
	__u32 reserved[13];
};
#define KVM_ARM_GET_REG_WRITABLE_MASKS _IOR(KVMIO, 0xb6, struct reg_mask_range)
#endif
#ifndef KVM_ARM_FEATURE_ID_RANGE
#define KVM_ARM_FEATURE_ID_RANGE 0
#endif
#ifndef KVM_ARM_FEATURE_ID_RANGE_SIZE
#define KVM_ARM_FEATURE_ID_RANGE_SIZE (3 * 8 * 8)
#endif

/* SMCCC filter: a VM device attribute (devices/vm.rst, "KVM_ARM_VM_SMCCC_CTRL") */
#ifndef KVM_ARM_VM_SMCCC_CTRL
#define KVM_ARM_VM_SMCCC_CTRL 0
#endif
#ifndef KVM_ARM_VM_SMCCC_FILTER
#define KVM_ARM_VM_SMCCC_FILTER 0
#define KVM_SMCCC_FILTER_HANDLE 0
#define KVM_SMCCC_FILTER_DENY 1
#define KVM_SMCCC_FILTER_FWD_TO_USER 2
struct kvm_smccc_filter {
	__u32 base;
	__u32 nr_functions;
	__u8 action;
	__u8 pad[15];
};
#endif
/* kvm_run.hypercall.flags of a forwarded SMCCC call (api.rst, KVM_EXIT_HYPERCALL) */
#ifndef KVM_HYPERCALL_EXIT_SMC
#define KVM_HYPERCALL_EXIT_SMC (1U << 0)
#endif
#ifndef KVM_HYPERCALL_EXIT_16BIT
#define KVM_HYPERCALL_EXIT_16BIT (1U << 1)
#endif

/* The dirty ring lives at page 64 of the vCPU mapping on arm64 too. */
#define CKVM_ARCH_DIRTY_LOG_PAGE_OFFSET 64

#endif /* __aarch64__ */

/* ======================= riscv64 ========================================== */
#if defined(__riscv) && __riscv_xlen == 64

/* ONE_REG id layout (api.rst 4.68, "RISC-V registers") */
#ifndef KVM_REG_RISCV_SUBTYPE_MASK
#define KVM_REG_RISCV_SUBTYPE_MASK 0x0000000000FF0000ULL
#endif
#ifndef KVM_REG_RISCV_SUBTYPE_SHIFT
#define KVM_REG_RISCV_SUBTYPE_SHIFT 16
#endif

/* CSR subtypes */
#ifndef KVM_REG_RISCV_CSR_GENERAL
#define KVM_REG_RISCV_CSR_GENERAL (0x0 << 16)
#endif
#ifndef KVM_REG_RISCV_CSR_AIA
#define KVM_REG_RISCV_CSR_AIA (0x1 << 16)
struct kvm_riscv_aia_csr {
	unsigned long siselect;
	unsigned long iprio1;
	unsigned long iprio2;
	unsigned long sieh;
	unsigned long siph;
	unsigned long iprio1h;
	unsigned long iprio2h;
};
#endif
#ifndef KVM_REG_RISCV_CSR_SMSTATEEN
#define KVM_REG_RISCV_CSR_SMSTATEEN (0x2 << 16)
struct kvm_riscv_smstateen_csr {
	unsigned long sstateen0;
};
#endif

/* ISA extension register subtypes (type 7) */
#ifndef KVM_REG_RISCV_ISA_SINGLE
#define KVM_REG_RISCV_ISA_SINGLE (0x0 << 16)
#endif
#ifndef KVM_REG_RISCV_ISA_MULTI_EN
#define KVM_REG_RISCV_ISA_MULTI_EN (0x1 << 16)
#endif
#ifndef KVM_REG_RISCV_ISA_MULTI_DIS
#define KVM_REG_RISCV_ISA_MULTI_DIS (0x2 << 16)
#endif

/* SBI extension registers (type 8) */
#ifndef KVM_REG_RISCV_SBI_EXT
#define KVM_REG_RISCV_SBI_EXT (0x08 << 24)
#endif
#ifndef KVM_REG_RISCV_SBI_SINGLE
#define KVM_REG_RISCV_SBI_SINGLE (0x0 << 16)
#endif
#ifndef KVM_REG_RISCV_SBI_MULTI_EN
#define KVM_REG_RISCV_SBI_MULTI_EN (0x1 << 16)
#endif
#ifndef KVM_REG_RISCV_SBI_MULTI_DIS
#define KVM_REG_RISCV_SBI_MULTI_DIS (0x2 << 16)
#endif

/* Vector registers (type 9) */
#ifndef KVM_REG_RISCV_VECTOR
#define KVM_REG_RISCV_VECTOR (0x09 << 24)
#endif

/* SBI extension state (type 10): STA and FWFT subtypes */
#ifndef KVM_REG_RISCV_SBI_STATE
#define KVM_REG_RISCV_SBI_STATE (0x0a << 24)
#endif
#ifndef KVM_REG_RISCV_SBI_STA
#define KVM_REG_RISCV_SBI_STA (0x0 << 16)
#endif
#ifndef KVM_REG_RISCV_SBI_FWFT
#define KVM_REG_RISCV_SBI_FWFT (0x1 << 16)
#endif

/* kvm_run.fail_entry reason: no IMSIC guest file for the vCPU */
#ifndef KVM_EXIT_FAIL_ENTRY_NO_VSFILE
#define KVM_EXIT_FAIL_ENTRY_NO_VSFILE (1ULL << 0)
#endif

/* The AIA irqchip device (devices/riscv-aia.rst) */
#ifndef KVM_DEV_TYPE_RISCV_AIA
#define KVM_DEV_TYPE_RISCV_AIA 11
#endif
#ifndef KVM_DEV_RISCV_AIA_GRP_CONFIG
#define KVM_DEV_RISCV_APLIC_ALIGN 0x1000
#define KVM_DEV_RISCV_APLIC_SIZE 0x4000
#define KVM_DEV_RISCV_APLIC_MAX_HARTS 0x4000
#define KVM_DEV_RISCV_IMSIC_ALIGN 0x1000
#define KVM_DEV_RISCV_IMSIC_SIZE 0x1000

#define KVM_DEV_RISCV_AIA_GRP_CONFIG 0
#define KVM_DEV_RISCV_AIA_CONFIG_MODE 0
#define KVM_DEV_RISCV_AIA_CONFIG_IDS 1
#define KVM_DEV_RISCV_AIA_CONFIG_SRCS 2
#define KVM_DEV_RISCV_AIA_CONFIG_GROUP_BITS 3
#define KVM_DEV_RISCV_AIA_CONFIG_GROUP_SHIFT 4
#define KVM_DEV_RISCV_AIA_CONFIG_HART_BITS 5
#define KVM_DEV_RISCV_AIA_CONFIG_GUEST_BITS 6

#define KVM_DEV_RISCV_AIA_MODE_EMUL 0
#define KVM_DEV_RISCV_AIA_MODE_HWACCEL 1
#define KVM_DEV_RISCV_AIA_MODE_AUTO 2

#define KVM_DEV_RISCV_AIA_IDS_MIN 63
#define KVM_DEV_RISCV_AIA_IDS_MAX 2048
#define KVM_DEV_RISCV_AIA_SRCS_MAX 1024
#define KVM_DEV_RISCV_AIA_GROUP_BITS_MAX 8
#define KVM_DEV_RISCV_AIA_GROUP_SHIFT_MIN 24
#define KVM_DEV_RISCV_AIA_GROUP_SHIFT_MAX 56
#define KVM_DEV_RISCV_AIA_HART_BITS_MAX 16
#define KVM_DEV_RISCV_AIA_GUEST_BITS_MAX 8

#define KVM_DEV_RISCV_AIA_GRP_ADDR 1
#define KVM_DEV_RISCV_AIA_ADDR_APLIC 0
#define KVM_DEV_RISCV_AIA_ADDR_IMSIC(vcpu) (1 + (vcpu))
#define KVM_DEV_RISCV_AIA_ADDR_MAX (1 + KVM_DEV_RISCV_APLIC_MAX_HARTS)

#define KVM_DEV_RISCV_AIA_GRP_CTRL 2
#define KVM_DEV_RISCV_AIA_CTRL_INIT 0

#define KVM_DEV_RISCV_AIA_GRP_APLIC 3

#define KVM_DEV_RISCV_AIA_GRP_IMSIC 4
#define KVM_DEV_RISCV_AIA_IMSIC_ISEL_BITS 12
#define KVM_DEV_RISCV_AIA_IMSIC_ISEL_MASK ((1U << KVM_DEV_RISCV_AIA_IMSIC_ISEL_BITS) - 1)
#endif

/* The dirty ring page offset (64, as on the other architectures). */
#define CKVM_ARCH_DIRTY_LOG_PAGE_OFFSET 64

#endif /* riscv64 */

#endif /* CKVM_COMPAT_ARCH_H */
