/* SPDX-License-Identifier: MIT */
/*
 * arm64/reg.c - ONE_REG id classification and readable names.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>

enum ckvm_arm64_reg_class ckvm_arm64_reg_class(uint64_t id)
{
	if ((id & KVM_REG_ARCH_MASK) != KVM_REG_ARM64)
		return CKVM_ARM64_REG_OTHER;
	switch (id & KVM_REG_ARM_COPROC_MASK) {
	case KVM_REG_ARM_CORE:
		return CKVM_ARM64_REG_CORE;
	case KVM_REG_ARM_DEMUX:
		return CKVM_ARM64_REG_DEMUX;
	case KVM_REG_ARM64_SYSREG:
		return CKVM_ARM64_REG_SYSREG;
	case KVM_REG_ARM_FW:
		return CKVM_ARM64_REG_FW;
	case KVM_REG_ARM64_SVE:
		return CKVM_ARM64_REG_SVE;
	case KVM_REG_ARM_FW_FEAT_BMAP:
		return CKVM_ARM64_REG_FW_FEAT_BMAP;
	default:
		return CKVM_ARM64_REG_OTHER;
	}
}

static int out(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int out(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 ? -EINVAL : n;
}

static const struct {
	unsigned op0, op1, crn, crm, op2;
	const char *name;
} sysreg_names[] = {
	{ 3, 0, 0, 0, 0, "MIDR_EL1" },
	{ 3, 0, 0, 0, 5, "MPIDR_EL1" },
	{ 3, 0, 0, 4, 0, "ID_AA64PFR0_EL1" },
	{ 3, 0, 0, 5, 0, "ID_AA64DFR0_EL1" },
	{ 3, 0, 0, 6, 0, "ID_AA64ISAR0_EL1" },
	{ 3, 0, 0, 7, 0, "ID_AA64MMFR0_EL1" },
	{ 3, 0, 1, 0, 0, "SCTLR_EL1" },
	{ 3, 0, 1, 0, 2, "CPACR_EL1" },
	{ 3, 0, 2, 0, 0, "TTBR0_EL1" },
	{ 3, 0, 2, 0, 1, "TTBR1_EL1" },
	{ 3, 0, 2, 0, 2, "TCR_EL1" },
	{ 3, 0, 5, 2, 0, "ESR_EL1" },
	{ 3, 0, 6, 0, 0, "FAR_EL1" },
	{ 3, 0, 10, 2, 0, "MAIR_EL1" },
	{ 3, 0, 12, 0, 0, "VBAR_EL1" },
	{ 3, 0, 13, 0, 4, "TPIDR_EL1" },
	{ 3, 0, 14, 1, 0, "CNTKCTL_EL1" },
};

static int core_name(uint64_t id, char *buf, size_t len)
{
	size_t off = (size_t)(id & 0xffff) * sizeof(uint32_t);
	size_t size = ckvm_reg_size(id);
	const size_t x0 = offsetof(struct kvm_regs, regs.regs);
	const size_t v0 = offsetof(struct kvm_regs, fp_regs.vregs);
	const size_t spsr0 = offsetof(struct kvm_regs, spsr);

	if (off >= x0 && off < x0 + 31 * 8 && (off - x0) % 8 == 0 && size == 8)
		return out(buf, len, "x%zu", (off - x0) / 8);
	if (off == offsetof(struct kvm_regs, regs.sp) && size == 8)
		return out(buf, len, "sp");
	if (off == offsetof(struct kvm_regs, regs.pc) && size == 8)
		return out(buf, len, "pc");
	if (off == offsetof(struct kvm_regs, regs.pstate) && size == 8)
		return out(buf, len, "pstate");
	if (off == offsetof(struct kvm_regs, sp_el1) && size == 8)
		return out(buf, len, "sp_el1");
	if (off == offsetof(struct kvm_regs, elr_el1) && size == 8)
		return out(buf, len, "elr_el1");
	if (off >= spsr0 && off < spsr0 + KVM_NR_SPSR * 8 && (off - spsr0) % 8 == 0 && size == 8)
		return out(buf, len, "spsr[%zu]", (off - spsr0) / 8);
	if (off >= v0 && off < v0 + 32 * 16 && (off - v0) % 16 == 0 && size == 16)
		return out(buf, len, "v%zu", (off - v0) / 16);
	if (off == offsetof(struct kvm_regs, fp_regs.fpsr) && size == 4)
		return out(buf, len, "fpsr");
	if (off == offsetof(struct kvm_regs, fp_regs.fpcr) && size == 4)
		return out(buf, len, "fpcr");
	return out(buf, len, "core[0x%zx/%zu]", off, size);
}

static int sysreg_name(uint64_t id, char *buf, size_t len)
{
	unsigned op0, op1, crn, crm, op2;
	size_t i;

	if (id == KVM_REG_ARM_TIMER_CTL)
		return out(buf, len, "CNTV_CTL_EL0");
	if (id == KVM_REG_ARM_TIMER_CNT) /* swapped encodings: ABI */
		return out(buf, len, "CNTVCT_EL0");
	if (id == KVM_REG_ARM_TIMER_CVAL)
		return out(buf, len, "CNTV_CVAL_EL0");
	ckvm_arm64_sys_reg_decode(id, &op0, &op1, &crn, &crm, &op2);
	for (i = 0; i < sizeof(sysreg_names) / sizeof(sysreg_names[0]); i++)
		if (sysreg_names[i].op0 == op0 && sysreg_names[i].op1 == op1 &&
		    sysreg_names[i].crn == crn && sysreg_names[i].crm == crm &&
		    sysreg_names[i].op2 == op2)
			return out(buf, len, "%s", sysreg_names[i].name);
	return out(buf, len, "sys(%u,%u,%u,%u,%u)", op0, op1, crn, crm, op2);
}

static int sve_name(uint64_t id, char *buf, size_t len)
{
	unsigned low = (unsigned)(id & 0xffff);

	if (id == KVM_REG_ARM64_SVE_VLS)
		return out(buf, len, "sve.vls");
	if (low >= KVM_REG_ARM64_SVE_FFR_BASE)
		return out(buf, len, "sve.ffr[%u]", low & 31);
	if (low >= KVM_REG_ARM64_SVE_PREG_BASE)
		return out(buf, len, "sve.p%u[%u]", (low >> 5) & 15, low & 31);
	return out(buf, len, "sve.z%u[%u]", (low >> 5) & 31, low & 31);
}

int ckvm_arm64_reg_name(uint64_t id, char *buf, size_t len)
{
	unsigned low = (unsigned)(id & 0xffff);

	if ((!buf && len) || (id & KVM_REG_ARCH_MASK) != KVM_REG_ARM64)
		return -EINVAL;
	switch (ckvm_arm64_reg_class(id)) {
	case CKVM_ARM64_REG_CORE:
		return core_name(id, buf, len);
	case CKVM_ARM64_REG_SYSREG:
		return sysreg_name(id, buf, len);
	case CKVM_ARM64_REG_SVE:
		return sve_name(id, buf, len);
	case CKVM_ARM64_REG_DEMUX:
		return out(buf, len, "ccsidr[%u]", (unsigned)(id & KVM_REG_ARM_DEMUX_VAL_MASK));
	case CKVM_ARM64_REG_FW:
		if (low == 0)
			return out(buf, len, "fw.psci_version");
		if (low <= 3)
			return out(buf, len, "fw.smccc_arch_workaround_%u", low);
		return out(buf, len, "fw[%u]", low);
	case CKVM_ARM64_REG_FW_FEAT_BMAP:
		return out(buf, len, "fw.feat_bmap[%u]", low);
	default:
		return out(buf, len, "arm64[0x%llx]", (unsigned long long)id);
	}
}
