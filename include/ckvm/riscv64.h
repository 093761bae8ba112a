/* SPDX-License-Identifier: MIT */
/*
 * ckvm/riscv64.h - the riscv64-only part of the API: ONE_REG id builders
 * (config, core, CSR, timer, FP, vector, ISA extension, SBI extension and
 * SBI state registers), ISA/SBI extension switches, KVM_INTERRUPT, the AIA
 * irqchip (APLIC + IMSIC) and the SBI / CSR exit replies.
 *
 * Included by <ckvm.h> when building for riscv64.
 *
 * Call order (api.rst 4.68 and the AIA device docs): create the VM and all
 * vCPUs; enable/disable ISA and SBI extensions before the vCPU first runs;
 * create and initialize the AIA (ckvm_vm_setup_aia) after all vCPUs exist
 * and before the first KVM_RUN. There is no vCPU init ioctl on riscv.
 *
 * The RISC-V registers are all reached through ONE_REG / REG_LIST
 * (ckvm_vcpu_get_one_reg, ckvm_vcpu_get_reg_list in ckvm/vcpu.h).
 *
 * Thread rules: as for the object each call takes. Inline helpers are pure.
 */
#ifndef CKVM_RISCV64_H
#define CKVM_RISCV64_H

#include <ckvm/common.h>
#include <ckvm/exit.h>
#include <errno.h>

CKVM_BEGIN_DECLS

/* ======================= ONE_REG ids (riscv64) =========================== */
/*
 * An id: KVM_REG_RISCV | size | type (KVM_REG_RISCV_CONFIG...) | subtype
 * (for CSR, ISA_EXT, SBI_EXT and SBI_STATE) | index. size is
 * KVM_REG_SIZE_U32/U64/...; "ulong" registers are KVM_REG_SIZE_U64 on
 * riscv64.
 */
CKVM_INLINE uint64_t ckvm_riscv_reg(uint64_t type, uint64_t subtype, uint64_t index, uint64_t size)
{
	return KVM_REG_RISCV | size | (type & KVM_REG_RISCV_TYPE_MASK) |
	       (subtype & KVM_REG_RISCV_SUBTYPE_MASK) | (index & 0xffffull);
}
#define CKVM_RISCV_REG_ULONG KVM_REG_SIZE_U64

/* Indexes into struct kvm_riscv_config (type KVM_REG_RISCV_CONFIG). */
enum {
	CKVM_RISCV_CONFIG_ISA = 0,
	CKVM_RISCV_CONFIG_ZICBOM_BLOCK_SIZE = 1,
	CKVM_RISCV_CONFIG_MVENDORID = 2,
	CKVM_RISCV_CONFIG_MARCHID = 3,
	CKVM_RISCV_CONFIG_MIMPID = 4,
	CKVM_RISCV_CONFIG_ZICBOZ_BLOCK_SIZE = 5,
	CKVM_RISCV_CONFIG_SATP_MODE = 6,
	CKVM_RISCV_CONFIG_ZICBOP_BLOCK_SIZE = 7,
};
CKVM_INLINE uint64_t ckvm_riscv_config_reg(unsigned index)
{
	return ckvm_riscv_reg(KVM_REG_RISCV_CONFIG, 0, index, CKVM_RISCV_REG_ULONG);
}

/*
 * Core registers (struct kvm_riscv_core): index 0 is pc, index n (1..31) is
 * GPR xn (ra = x1, sp = x2, ..., a0 = x10, t6 = x31), index 32 the
 * privilege mode (KVM_RISCV_MODE_S / _U).
 */
#define CKVM_RISCV_CORE_PC   0u
#define CKVM_RISCV_CORE_MODE 32u
CKVM_INLINE uint64_t ckvm_riscv_core_reg(unsigned index)
{
	if (index > CKVM_RISCV_CORE_MODE)
		return 0;
	return ckvm_riscv_reg(KVM_REG_RISCV_CORE, 0, index, CKVM_RISCV_REG_ULONG);
}
CKVM_INLINE uint64_t ckvm_riscv_reg_pc(void)
{
	return ckvm_riscv_core_reg(CKVM_RISCV_CORE_PC);
}
/* GPR xn, n 1..31 (x0 has no register: 0 is returned). */
CKVM_INLINE uint64_t ckvm_riscv_reg_x(unsigned n)
{
	if (n == 0 || n > 31)
		return 0;
	return ckvm_riscv_core_reg(n);
}
/* a0..a7 = x10..x17 */
CKVM_INLINE uint64_t ckvm_riscv_reg_a(unsigned n)
{
	return n > 7 ? 0 : ckvm_riscv_reg_x(10 + n);
}

/* General CSRs (struct kvm_riscv_csr; subtype KVM_REG_RISCV_CSR_GENERAL). */
enum {
	CKVM_RISCV_CSR_SSTATUS = 0,
	CKVM_RISCV_CSR_SIE = 1,
	CKVM_RISCV_CSR_STVEC = 2,
	CKVM_RISCV_CSR_SSCRATCH = 3,
	CKVM_RISCV_CSR_SEPC = 4,
	CKVM_RISCV_CSR_SCAUSE = 5,
	CKVM_RISCV_CSR_STVAL = 6,
	CKVM_RISCV_CSR_SIP = 7,
	CKVM_RISCV_CSR_SATP = 8,
	CKVM_RISCV_CSR_SCOUNTEREN = 9,
	CKVM_RISCV_CSR_SENVCFG = 10,
};
/* AIA CSRs (struct kvm_riscv_aia_csr; subtype KVM_REG_RISCV_CSR_AIA). */
enum {
	CKVM_RISCV_AIA_CSR_SISELECT = 0,
	CKVM_RISCV_AIA_CSR_IPRIO1 = 1,
	CKVM_RISCV_AIA_CSR_IPRIO2 = 2,
	CKVM_RISCV_AIA_CSR_SIEH = 3,
	CKVM_RISCV_AIA_CSR_SIPH = 4,
	CKVM_RISCV_AIA_CSR_IPRIO1H = 5,
	CKVM_RISCV_AIA_CSR_IPRIO2H = 6,
};
/* Smstateen CSRs (subtype KVM_REG_RISCV_CSR_SMSTATEEN): index 0 = sstateen0. */
#define CKVM_RISCV_SMSTATEEN_CSR_SSTATEEN0 0u
CKVM_INLINE uint64_t ckvm_riscv_csr_reg(unsigned index)
{
	return ckvm_riscv_reg(KVM_REG_RISCV_CSR, KVM_REG_RISCV_CSR_GENERAL, index,
			      CKVM_RISCV_REG_ULONG);
}
CKVM_INLINE uint64_t ckvm_riscv_aia_csr_reg(unsigned index)
{
	return ckvm_riscv_reg(KVM_REG_RISCV_CSR, KVM_REG_RISCV_CSR_AIA, index, CKVM_RISCV_REG_ULONG);
}
CKVM_INLINE uint64_t ckvm_riscv_smstateen_csr_reg(unsigned index)
{
	return ckvm_riscv_reg(KVM_REG_RISCV_CSR, KVM_REG_RISCV_CSR_SMSTATEEN, index,
			      CKVM_RISCV_REG_ULONG);
}

/* Timer (struct kvm_riscv_timer, always 64-bit): frequency, time, compare, state. */
enum {
	CKVM_RISCV_TIMER_FREQUENCY = 0,
	CKVM_RISCV_TIMER_TIME = 1,
	CKVM_RISCV_TIMER_COMPARE = 2,
	CKVM_RISCV_TIMER_STATE = 3,
};
CKVM_INLINE uint64_t ckvm_riscv_timer_reg(unsigned index)
{
	return ckvm_riscv_reg(KVM_REG_RISCV_TIMER, 0, index, KVM_REG_SIZE_U64);
}

/*
 * Floating point: F registers f0..f31 are 32-bit (type KVM_REG_RISCV_FP_F),
 * D registers 64-bit (KVM_REG_RISCV_FP_D); index 32 is fcsr (32-bit in both).
 */
#define CKVM_RISCV_FP_FCSR 32u
CKVM_INLINE uint64_t ckvm_riscv_fp_f_reg(unsigned index)
{
	if (index > CKVM_RISCV_FP_FCSR)
		return 0;
	return ckvm_riscv_reg(KVM_REG_RISCV_FP_F, 0, index, KVM_REG_SIZE_U32);
}
CKVM_INLINE uint64_t ckvm_riscv_fp_d_reg(unsigned index)
{
	if (index > CKVM_RISCV_FP_FCSR)
		return 0;
	return ckvm_riscv_reg(KVM_REG_RISCV_FP_D, 0, index,
			      index == CKVM_RISCV_FP_FCSR ? KVM_REG_SIZE_U32 : KVM_REG_SIZE_U64);
}

/*
 * Vector (type KVM_REG_RISCV_VECTOR): the CSRs vstart, vl, vtype, vcsr,
 * vlenb (ulong), and v0..v31 whose size is vlenb bytes (read vlenb first).
 * A vlenb that is not a power of two from 1 to 256 gives 0.
 */
enum {
	CKVM_RISCV_VECTOR_VSTART = 0,
	CKVM_RISCV_VECTOR_VL = 1,
	CKVM_RISCV_VECTOR_VTYPE = 2,
	CKVM_RISCV_VECTOR_VCSR = 3,
	CKVM_RISCV_VECTOR_VLENB = 4,
};
CKVM_INLINE uint64_t ckvm_riscv_vector_csr_reg(unsigned index)
{
	return ckvm_riscv_reg(KVM_REG_RISCV_VECTOR, 0, index, CKVM_RISCV_REG_ULONG);
}
CKVM_INLINE uint64_t ckvm_riscv_vector_reg(unsigned n, uint64_t vlenb)
{
	uint64_t size_log2 = 0;

	if (n > 31 || vlenb == 0 || vlenb > 256 || (vlenb & (vlenb - 1)))
		return 0;
	while ((1ull << size_log2) < vlenb)
		size_log2++;
	/* index: the 6 ulong slots of struct __riscv_v_ext_state come first */
	return ckvm_riscv_reg(KVM_REG_RISCV_VECTOR, 0, 6u + n, size_log2 << KVM_REG_SIZE_SHIFT);
}

/*
 * KVM's ISA extension numbers (enum KVM_RISCV_ISA_EXT_ID; the system header
 * may know fewer). One register per extension (type KVM_REG_RISCV_ISA_EXT,
 * subtype single): 1 = enabled. Numbers are ABI and never reused.
 */
enum ckvm_riscv_isa_ext {
	CKVM_RISCV_ISA_EXT_A = 0, CKVM_RISCV_ISA_EXT_C, CKVM_RISCV_ISA_EXT_D,
	CKVM_RISCV_ISA_EXT_F, CKVM_RISCV_ISA_EXT_H, CKVM_RISCV_ISA_EXT_I,
	CKVM_RISCV_ISA_EXT_M, CKVM_RISCV_ISA_EXT_SVPBMT, CKVM_RISCV_ISA_EXT_SSTC,
	CKVM_RISCV_ISA_EXT_SVINVAL, CKVM_RISCV_ISA_EXT_ZIHINTPAUSE, CKVM_RISCV_ISA_EXT_ZICBOM,
	CKVM_RISCV_ISA_EXT_ZICBOZ, CKVM_RISCV_ISA_EXT_ZBB, CKVM_RISCV_ISA_EXT_SSAIA,
	CKVM_RISCV_ISA_EXT_V, CKVM_RISCV_ISA_EXT_SVNAPOT, CKVM_RISCV_ISA_EXT_ZBA,
	CKVM_RISCV_ISA_EXT_ZBS, CKVM_RISCV_ISA_EXT_ZICNTR, CKVM_RISCV_ISA_EXT_ZICSR,
	CKVM_RISCV_ISA_EXT_ZIFENCEI, CKVM_RISCV_ISA_EXT_ZIHPM, CKVM_RISCV_ISA_EXT_SMSTATEEN,
	CKVM_RISCV_ISA_EXT_ZICOND, CKVM_RISCV_ISA_EXT_ZBC, CKVM_RISCV_ISA_EXT_ZBKB,
	CKVM_RISCV_ISA_EXT_ZBKC, CKVM_RISCV_ISA_EXT_ZBKX, CKVM_RISCV_ISA_EXT_ZKND,
	CKVM_RISCV_ISA_EXT_ZKNE, CKVM_RISCV_ISA_EXT_ZKNH, CKVM_RISCV_ISA_EXT_ZKR,
	CKVM_RISCV_ISA_EXT_ZKSED, CKVM_RISCV_ISA_EXT_ZKSH, CKVM_RISCV_ISA_EXT_ZKT,
	CKVM_RISCV_ISA_EXT_ZVBB, CKVM_RISCV_ISA_EXT_ZVBC, CKVM_RISCV_ISA_EXT_ZVKB,
	CKVM_RISCV_ISA_EXT_ZVKG, CKVM_RISCV_ISA_EXT_ZVKNED, CKVM_RISCV_ISA_EXT_ZVKNHA,
	CKVM_RISCV_ISA_EXT_ZVKNHB, CKVM_RISCV_ISA_EXT_ZVKSED, CKVM_RISCV_ISA_EXT_ZVKSH,
	CKVM_RISCV_ISA_EXT_ZVKT, CKVM_RISCV_ISA_EXT_ZFH, CKVM_RISCV_ISA_EXT_ZFHMIN,
	CKVM_RISCV_ISA_EXT_ZIHINTNTL, CKVM_RISCV_ISA_EXT_ZVFH, CKVM_RISCV_ISA_EXT_ZVFHMIN,
	CKVM_RISCV_ISA_EXT_ZFA, CKVM_RISCV_ISA_EXT_ZTSO, CKVM_RISCV_ISA_EXT_ZACAS,
	CKVM_RISCV_ISA_EXT_SSCOFPMF, CKVM_RISCV_ISA_EXT_ZIMOP, CKVM_RISCV_ISA_EXT_ZCA,
	CKVM_RISCV_ISA_EXT_ZCB, CKVM_RISCV_ISA_EXT_ZCD, CKVM_RISCV_ISA_EXT_ZCF,
	CKVM_RISCV_ISA_EXT_ZCMOP, CKVM_RISCV_ISA_EXT_ZAWRS, CKVM_RISCV_ISA_EXT_SMNPM,
	CKVM_RISCV_ISA_EXT_SSNPM, CKVM_RISCV_ISA_EXT_SVADE, CKVM_RISCV_ISA_EXT_SVADU,
	CKVM_RISCV_ISA_EXT_SVVPTC, CKVM_RISCV_ISA_EXT_ZABHA, CKVM_RISCV_ISA_EXT_ZICCRSE,
	CKVM_RISCV_ISA_EXT_ZAAMO, CKVM_RISCV_ISA_EXT_ZALRSC, CKVM_RISCV_ISA_EXT_ZICBOP,
	CKVM_RISCV_ISA_EXT_ZFBFMIN, CKVM_RISCV_ISA_EXT_ZVFBFMIN, CKVM_RISCV_ISA_EXT_ZVFBFWMA,
	CKVM_RISCV_ISA_EXT_COUNT /* extensions ckvm knows by name */
};
/* The single-extension register of ext. */
CKVM_INLINE uint64_t ckvm_riscv_isa_ext_reg(unsigned ext)
{
	return ckvm_riscv_reg(KVM_REG_RISCV_ISA_EXT, KVM_REG_RISCV_ISA_SINGLE, ext,
			      CKVM_RISCV_REG_ULONG);
}
/*
 * The multi-extension bitmap registers (64 extensions each): word
 * ext / 64, bit ext % 64. Writing 1 bits to the _EN register enables
 * those extensions, to the _DIS register disables them.
 */
CKVM_INLINE uint64_t ckvm_riscv_isa_ext_multi_reg(bool enable, unsigned word)
{
	return ckvm_riscv_reg(KVM_REG_RISCV_ISA_EXT,
			      enable ? KVM_REG_RISCV_ISA_MULTI_EN : KVM_REG_RISCV_ISA_MULTI_DIS,
			      word, CKVM_RISCV_REG_ULONG);
}

/*
 * KVM's SBI extension numbers (enum KVM_RISCV_SBI_EXT_ID), one register per
 * extension (type KVM_REG_RISCV_SBI_EXT, subtype single): 1 = enabled.
 * Calls to disabled extensions, and to EXPERIMENTAL / VENDOR / DBCN when
 * enabled, exit to userspace (CKVM_EXIT_RISCV_SBI) or fail in the guest.
 */
enum ckvm_riscv_sbi_ext {
	CKVM_RISCV_SBI_EXT_V01 = 0, CKVM_RISCV_SBI_EXT_TIME, CKVM_RISCV_SBI_EXT_IPI,
	CKVM_RISCV_SBI_EXT_RFENCE, CKVM_RISCV_SBI_EXT_SRST, CKVM_RISCV_SBI_EXT_HSM,
	CKVM_RISCV_SBI_EXT_PMU, CKVM_RISCV_SBI_EXT_EXPERIMENTAL, CKVM_RISCV_SBI_EXT_VENDOR,
	CKVM_RISCV_SBI_EXT_DBCN, CKVM_RISCV_SBI_EXT_STA, CKVM_RISCV_SBI_EXT_SUSP,
	CKVM_RISCV_SBI_EXT_FWFT, CKVM_RISCV_SBI_EXT_MPXY,
	CKVM_RISCV_SBI_EXT_COUNT
};
CKVM_INLINE uint64_t ckvm_riscv_sbi_ext_reg(unsigned ext)
{
	return ckvm_riscv_reg(KVM_REG_RISCV_SBI_EXT, KVM_REG_RISCV_SBI_SINGLE, ext,
			      CKVM_RISCV_REG_ULONG);
}
CKVM_INLINE uint64_t ckvm_riscv_sbi_ext_multi_reg(bool enable, unsigned word)
{
	return ckvm_riscv_reg(KVM_REG_RISCV_SBI_EXT,
			      enable ? KVM_REG_RISCV_SBI_MULTI_EN : KVM_REG_RISCV_SBI_MULTI_DIS,
			      word, CKVM_RISCV_REG_ULONG);
}
/*
 * SBI state (type KVM_REG_RISCV_SBI_STATE): steal-time accounting (STA,
 * index 0 shmem_lo, 1 shmem_hi) and FWFT features (index feature * 3 +
 * field, field 0 enable, 1 flags, 2 value).
 */
CKVM_INLINE uint64_t ckvm_riscv_sbi_sta_reg(unsigned index)
{
	return ckvm_riscv_reg(KVM_REG_RISCV_SBI_STATE, KVM_REG_RISCV_SBI_STA, index,
			      CKVM_RISCV_REG_ULONG);
}
CKVM_INLINE uint64_t ckvm_riscv_sbi_fwft_reg(unsigned feature, unsigned field)
{
	if (field > 2)
		return 0;
	return ckvm_riscv_reg(KVM_REG_RISCV_SBI_STATE, KVM_REG_RISCV_SBI_FWFT, feature * 3u + field,
			      CKVM_RISCV_REG_ULONG);
}

/* The type / subtype / index fields of an id. */
CKVM_INLINE unsigned ckvm_riscv_reg_type(uint64_t id)
{
	return (unsigned)((id & KVM_REG_RISCV_TYPE_MASK) >> KVM_REG_RISCV_TYPE_SHIFT);
}
CKVM_INLINE unsigned ckvm_riscv_reg_subtype(uint64_t id)
{
	return (unsigned)((id & KVM_REG_RISCV_SUBTYPE_MASK) >> KVM_REG_RISCV_SUBTYPE_SHIFT);
}
CKVM_INLINE unsigned ckvm_riscv_reg_index(uint64_t id)
{
	return (unsigned)(id & 0xffffu);
}
/*
 * A readable name for a riscv64 register id: "pc", "a0", "mode",
 * "config.isa", "csr.satp", "aia.siselect", "timer.compare", "f.f3",
 * "d.fcsr", "v.v5", "isa_ext.v", "sbi_ext.dbcn", "sbi_sta.shmem_lo", ...;
 * numeric ("csr[17]", "riscv[0x...]") for ids ckvm has no name for.
 * Returns the full length (like snprintf; len 0 with a NULL buf measures)
 * or -EINVAL for a NULL buffer with len > 0 or an id that is not RISC-V.
 */
CKVM_API int ckvm_riscv_reg_name(uint64_t id, char *buf, size_t len);
/* "zicbom" for CKVM_RISCV_ISA_EXT_ZICBOM, NULL past the table (static strings). */
CKVM_API const char *ckvm_riscv_isa_ext_name(unsigned ext);
CKVM_API const char *ckvm_riscv_sbi_ext_name(unsigned ext);

/* ======================= vCPU (riscv64) =================================== */
/*
 * ISA / SBI extensions of a vCPU, before it first runs. get: *enabled is
 * the register's value. -ENOENT from the kernel means KVM does not know the
 * extension; -EINVAL from set means it cannot be toggled on this host.
 */
CKVM_API int ckvm_vcpu_riscv_get_isa_ext(struct ckvm_vcpu *vcpu, unsigned ext, bool *enabled);
CKVM_API int ckvm_vcpu_riscv_set_isa_ext(struct ckvm_vcpu *vcpu, unsigned ext, bool enable);
CKVM_API int ckvm_vcpu_riscv_get_sbi_ext(struct ckvm_vcpu *vcpu, unsigned ext, bool *enabled);
CKVM_API int ckvm_vcpu_riscv_set_sbi_ext(struct ckvm_vcpu *vcpu, unsigned ext, bool enable);
/*
 * KVM_INTERRUPT: irq KVM_INTERRUPT_SET raises and KVM_INTERRUPT_UNSET
 * lowers the vCPU's external interrupt (for VMs without the in-kernel AIA).
 * The same name as the x86 call.
 */
CKVM_API int ckvm_vcpu_interrupt(struct ckvm_vcpu *vcpu, uint32_t irq);

/* ======================= AIA (APLIC + IMSIC) ============================== */
/* KVM_CREATE_DEVICE(KVM_DEV_TYPE_RISCV_AIA), after all vCPUs exist. */
CKVM_API int ckvm_vm_create_aia(struct ckvm_vm *vm, struct ckvm_device **out);
/*
 * The usual setup in one call: create the AIA, set the number of wired
 * interrupt sources (nr_sources, 1..1023; the APLIC is left out when 0),
 * nr_ids (MSI identities, 63..2047; 0 keeps the kernel's default), the hart
 * bits for nr_harts, the APLIC at aplic_base (16 KiB) and one 4 KiB IMSIC
 * per hart at imsic_base + hart * KVM_DEV_RISCV_IMSIC_SIZE, then CTRL_INIT.
 * On failure nothing is left behind. The kernel also wants nr_ids of the
 * form 64k - 1, nr_harts equal to the number of vCPUs, and imsic_base
 * aligned to KVM_DEV_RISCV_IMSIC_SIZE times the next power of two >=
 * nr_harts (else -EINVAL or -ENXIO from the kernel).
 */
CKVM_API int ckvm_vm_setup_aia(struct ckvm_vm *vm, uint32_t nr_harts, uint32_t nr_sources,
			       uint32_t nr_ids, uint64_t aplic_base, uint64_t imsic_base,
			       struct ckvm_device **out);
/* KVM_DEV_RISCV_AIA_GRP_CONFIG (32-bit values): KVM_DEV_RISCV_AIA_CONFIG_MODE, _IDS, _SRCS, ... */
CKVM_API int ckvm_aia_set_config(struct ckvm_device *aia, uint64_t attr, uint32_t val);
CKVM_API int ckvm_aia_get_config(struct ckvm_device *aia, uint64_t attr, uint32_t *val);
/* KVM_DEV_RISCV_AIA_GRP_ADDR: the APLIC base, and the IMSIC of a hart. */
CKVM_API int ckvm_aia_set_aplic_addr(struct ckvm_device *aia, uint64_t addr);
CKVM_API int ckvm_aia_set_imsic_addr(struct ckvm_device *aia, uint32_t hart, uint64_t addr);
CKVM_API int ckvm_aia_get_addr(struct ckvm_device *aia, uint64_t attr, uint64_t *addr);
/* KVM_DEV_RISCV_AIA_GRP_CTRL / KVM_DEV_RISCV_AIA_CTRL_INIT. */
CKVM_API int ckvm_aia_init(struct ckvm_device *aia);
/* APLIC register at offset (0..0x3ffc, 4-byte aligned), for save/restore. */
CKVM_API int ckvm_aia_get_aplic_reg(struct ckvm_device *aia, uint32_t offset, uint32_t *val);
CKVM_API int ckvm_aia_set_aplic_reg(struct ckvm_device *aia, uint32_t offset, uint32_t val);
/* IMSIC register iselect (0x70..0xff) of a hart, for save/restore. */
CKVM_API int ckvm_aia_get_imsic_reg(struct ckvm_device *aia, uint32_t hart, uint32_t isel,
				    uint64_t *val);
CKVM_API int ckvm_aia_set_imsic_reg(struct ckvm_device *aia, uint32_t hart, uint32_t isel,
				    uint64_t val);
/* The KVM_DEV_RISCV_AIA_GRP_IMSIC attribute of (hart, iselect). */
CKVM_INLINE uint64_t ckvm_aia_imsic_attr(uint32_t hart, uint32_t isel)
{
	return ((uint64_t)hart << KVM_DEV_RISCV_AIA_IMSIC_ISEL_BITS) |
	       (isel & KVM_DEV_RISCV_AIA_IMSIC_ISEL_MASK);
}

/* ======================= exits ============================================= */
/* SBI return codes (SBI spec, "Binary Encoding"). */
#define CKVM_SBI_SUCCESS               0L
#define CKVM_SBI_ERR_FAILED            (-1L)
#define CKVM_SBI_ERR_NOT_SUPPORTED     (-2L)
#define CKVM_SBI_ERR_INVALID_PARAM     (-3L)
#define CKVM_SBI_ERR_DENIED            (-4L)
#define CKVM_SBI_ERR_INVALID_ADDRESS   (-5L)
#define CKVM_SBI_ERR_ALREADY_AVAILABLE (-6L)
/* SBI extension ids a VMM typically sees in CKVM_EXIT_RISCV_SBI. */
#define CKVM_SBI_EXT_0_1_CONSOLE_PUTCHAR 0x01ul
#define CKVM_SBI_EXT_0_1_CONSOLE_GETCHAR 0x02ul
#define CKVM_SBI_EXT_DBCN                0x4442434Eul /* "DBCN" */
#define CKVM_SBI_EXT_SRST                0x53525354ul /* "SRST" */
#define CKVM_SBI_EXT_EXPERIMENTAL_START  0x08000000ul
#define CKVM_SBI_EXT_EXPERIMENTAL_END    0x08FFFFFFul
#define CKVM_SBI_EXT_VENDOR_START        0x09000000ul
#define CKVM_SBI_EXT_VENDOR_END          0x09FFFFFFul
/* DBCN function ids */
#define CKVM_SBI_DBCN_CONSOLE_WRITE      0ul
#define CKVM_SBI_DBCN_CONSOLE_READ       1ul
#define CKVM_SBI_DBCN_CONSOLE_WRITE_BYTE 2ul

/*
 * Answer an SBI call (CKVM_EXIT_RISCV_SBI): a0 = error (CKVM_SBI_*), a1 =
 * value, written into kvm_run before the next run. -EINVAL if exit is not
 * an SBI exit.
 */
CKVM_INLINE int ckvm_riscv_sbi_reply(struct ckvm_exit *exit, long error, unsigned long value)
{
	if (!exit || exit->kind != CKVM_EXIT_RISCV_SBI || !exit->riscv_sbi.ret)
		return -EINVAL;
	exit->riscv_sbi.ret[0] = (unsigned long)error;
	exit->riscv_sbi.ret[1] = value;
	return 0;
}
/*
 * Answer a CSR access (CKVM_EXIT_RISCV_CSR): the guest reads old_value. If
 * riscv_csr.write_mask is nonzero the VMM also updates its copy of the CSR
 * to ckvm_riscv_csr_new_value(old_value, new_value, write_mask).
 */
CKVM_INLINE int ckvm_riscv_csr_reply(struct ckvm_exit *exit, unsigned long old_value)
{
	if (!exit || exit->kind != CKVM_EXIT_RISCV_CSR || !exit->riscv_csr.ret_value)
		return -EINVAL;
	*exit->riscv_csr.ret_value = old_value;
	return 0;
}
CKVM_INLINE unsigned long ckvm_riscv_csr_new_value(unsigned long old_value, unsigned long new_value,
						   unsigned long write_mask)
{
	return (old_value & ~write_mask) | (new_value & write_mask);
}

/* ======================= snapshot records (riscv64) ====================== */
/*
 * The riscv64 record set (docs/snapshot-format.md, section 4.4). vCPU blob:
 * MP_STATE and ONE_REGS (every register of KVM_GET_REG_LIST: config, core,
 * CSRs incl. AIA/Smstateen, timer, FP, vector, ISA/SBI extension switches,
 * SBI state). VM blob: RISCV_AIA (configuration and addresses) and
 * RISCV_AIA_ATTRS (APLIC and per-hart IMSIC registers) when an AIA was
 * registered with ckvm_snapshot_ctx_set_aia, plus the common MEM_REGIONS.
 */
#define CKVM_SNAPSHOT_REC_RISCV_AIA 0x0380u       /* AIA configuration, see the doc */
#define CKVM_SNAPSHOT_REC_RISCV_AIA_ATTRS 0x0381u /* device attribute list, see the doc */
struct ckvm_snapshot_ctx;
/*
 * Tell a snapshot context which AIA device (initialized) the VM has and how
 * many vCPUs (IMSICs) it serves, before ckvm_snapshot_save_vm or
 * _restore_vm. aia must stay open while ctx is used. -EINVAL for bad
 * arguments or a device that is no AIA.
 */
CKVM_API int ckvm_snapshot_ctx_set_aia(struct ckvm_snapshot_ctx *ctx, struct ckvm_device *aia,
				       size_t nr_vcpus);

CKVM_END_DECLS

#endif
