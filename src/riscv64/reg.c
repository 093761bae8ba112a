/* SPDX-License-Identifier: MIT */
/*
 * riscv64/reg.c - ONE_REG id names and the ISA / SBI extension name tables.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const isa_ext_names[CKVM_RISCV_ISA_EXT_COUNT] = {
	"a", "c", "d", "f", "h", "i", "m", "svpbmt", "sstc", "svinval", "zihintpause",
	"zicbom", "zicboz", "zbb", "ssaia", "v", "svnapot", "zba", "zbs", "zicntr", "zicsr",
	"zifencei", "zihpm", "smstateen", "zicond", "zbc", "zbkb", "zbkc", "zbkx", "zknd",
	"zkne", "zknh", "zkr", "zksed", "zksh", "zkt", "zvbb", "zvbc", "zvkb", "zvkg", "zvkned",
	"zvknha", "zvknhb", "zvksed", "zvksh", "zvkt", "zfh", "zfhmin", "zihintntl", "zvfh",
	"zvfhmin", "zfa", "ztso", "zacas", "sscofpmf", "zimop", "zca", "zcb", "zcd", "zcf",
	"zcmop", "zawrs", "smnpm", "ssnpm", "svade", "svadu", "svvptc", "zabha", "ziccrse",
	"zaamo", "zalrsc", "zicbop", "zfbfmin", "zvfbfmin", "zvfbfwma",
};

static const char *const sbi_ext_names[CKVM_RISCV_SBI_EXT_COUNT] = {
	"v01", "time", "ipi", "rfence", "srst", "hsm", "pmu", "experimental", "vendor", "dbcn",
	"sta", "susp", "fwft", "mpxy",
};

static const char *const config_names[] = {
	"isa", "zicbom_block_size", "mvendorid", "marchid", "mimpid", "zicboz_block_size",
	"satp_mode", "zicbop_block_size",
};

/* ABI names of x1..x31 (index 0 of the core registers is pc). */
static const char *const gpr_names[32] = {
	"pc", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3",
	"a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
	"t3", "t4", "t5", "t6",
};

static const char *const csr_names[] = {
	"sstatus", "sie", "stvec", "sscratch", "sepc", "scause", "stval", "sip", "satp",
	"scounteren", "senvcfg",
};

static const char *const aia_csr_names[] = {
	"siselect", "iprio1", "iprio2", "sieh", "siph", "iprio1h", "iprio2h",
};

static const char *const timer_names[] = { "frequency", "time", "compare", "state" };

static const char *const vector_csr_names[] = { "vstart", "vl", "vtype", "vcsr", "vlenb" };

static const char *const fwft_fields[] = { "enable", "flags", "value" };

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *ckvm_riscv_isa_ext_name(unsigned ext)
{
	return ext < N(isa_ext_names) ? isa_ext_names[ext] : NULL;
}

const char *ckvm_riscv_sbi_ext_name(unsigned ext)
{
	return ext < N(sbi_ext_names) ? sbi_ext_names[ext] : NULL;
}

static int out(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int out(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 ? -EINVAL : n;
}

/* "<prefix>.<name>" from a table, or "<prefix>[<index>]" past it. */
static int table_name(char *buf, size_t len, const char *prefix, const char *const *names,
		      size_t n, unsigned index)
{
	if (index < n)
		return out(buf, len, "%s.%s", prefix, names[index]);
	return out(buf, len, "%s[%u]", prefix, index);
}

static int ext_name(char *buf, size_t len, const char *prefix, unsigned subtype, unsigned index,
		    const char *(*name)(unsigned))
{
	const char *s;

	switch (subtype) {
	case 0:
		s = name(index);
		return s ? out(buf, len, "%s.%s", prefix, s) : out(buf, len, "%s[%u]", prefix, index);
	case 1:
		return out(buf, len, "%s.multi_en[%u]", prefix, index);
	case 2:
		return out(buf, len, "%s.multi_dis[%u]", prefix, index);
	default:
		return out(buf, len, "%s.sub%u[%u]", prefix, subtype, index);
	}
}

int ckvm_riscv_reg_name(uint64_t id, char *buf, size_t len)
{
	unsigned type = ckvm_riscv_reg_type(id);
	unsigned sub = ckvm_riscv_reg_subtype(id);
	unsigned index = ckvm_riscv_reg_index(id);

	if ((!buf && len) || (id & KVM_REG_ARCH_MASK) != KVM_REG_RISCV)
		return -EINVAL;
	/*
	 * Only CSR, ISA_EXT, SBI_EXT and SBI_STATE have a subtype; for the other
	 * types bits 16-23 belong to the index, so the id is no register ckvm
	 * names (the kernel would not read it as index & 0xffff).
	 */
	if (sub && type != KVM_REG_RISCV_CSR >> KVM_REG_RISCV_TYPE_SHIFT &&
	    type != KVM_REG_RISCV_ISA_EXT >> KVM_REG_RISCV_TYPE_SHIFT &&
	    type != KVM_REG_RISCV_SBI_EXT >> KVM_REG_RISCV_TYPE_SHIFT &&
	    type != KVM_REG_RISCV_SBI_STATE >> KVM_REG_RISCV_TYPE_SHIFT)
		return out(buf, len, "riscv[0x%llx]", (unsigned long long)id);
	switch (type) {
	case KVM_REG_RISCV_CONFIG >> KVM_REG_RISCV_TYPE_SHIFT:
		return table_name(buf, len, "config", config_names, N(config_names), index);
	case KVM_REG_RISCV_CORE >> KVM_REG_RISCV_TYPE_SHIFT:
		if (index < N(gpr_names))
			return out(buf, len, "%s", gpr_names[index]);
		if (index == CKVM_RISCV_CORE_MODE)
			return out(buf, len, "mode");
		return out(buf, len, "core[%u]", index);
	case KVM_REG_RISCV_CSR >> KVM_REG_RISCV_TYPE_SHIFT:
		if (sub == 0)
			return table_name(buf, len, "csr", csr_names, N(csr_names), index);
		if (sub == 1)
			return table_name(buf, len, "aia", aia_csr_names, N(aia_csr_names), index);
		if (sub == 2 && index == CKVM_RISCV_SMSTATEEN_CSR_SSTATEEN0)
			return out(buf, len, "smstateen.sstateen0");
		return out(buf, len, "csr.sub%u[%u]", sub, index);
	case KVM_REG_RISCV_TIMER >> KVM_REG_RISCV_TYPE_SHIFT:
		return table_name(buf, len, "timer", timer_names, N(timer_names), index);
	case KVM_REG_RISCV_FP_F >> KVM_REG_RISCV_TYPE_SHIFT:
		if (index == CKVM_RISCV_FP_FCSR)
			return out(buf, len, "f.fcsr");
		return out(buf, len, "f.f%u", index);
	case KVM_REG_RISCV_FP_D >> KVM_REG_RISCV_TYPE_SHIFT:
		if (index == CKVM_RISCV_FP_FCSR)
			return out(buf, len, "d.fcsr");
		return out(buf, len, "d.f%u", index);
	case KVM_REG_RISCV_ISA_EXT >> KVM_REG_RISCV_TYPE_SHIFT:
		return ext_name(buf, len, "isa_ext", sub, index, ckvm_riscv_isa_ext_name);
	case KVM_REG_RISCV_SBI_EXT >> KVM_REG_RISCV_TYPE_SHIFT:
		return ext_name(buf, len, "sbi_ext", sub, index, ckvm_riscv_sbi_ext_name);
	case KVM_REG_RISCV_VECTOR >> KVM_REG_RISCV_TYPE_SHIFT:
		if (index < N(vector_csr_names))
			return out(buf, len, "v.%s", vector_csr_names[index]);
		if (index >= 6 && index < 6 + 32)
			return out(buf, len, "v.v%u", index - 6);
		return out(buf, len, "v[%u]", index);
	case KVM_REG_RISCV_SBI_STATE >> KVM_REG_RISCV_TYPE_SHIFT:
		if (sub == 0 && index == 0)
			return out(buf, len, "sbi_sta.shmem_lo");
		if (sub == 0 && index == 1)
			return out(buf, len, "sbi_sta.shmem_hi");
		if (sub == 1)
			return out(buf, len, "sbi_fwft[%u].%s", index / 3, fwft_fields[index % 3]);
		return out(buf, len, "sbi_state.sub%u[%u]", sub, index);
	default:
		return out(buf, len, "riscv[0x%llx]", (unsigned long long)id);
	}
}
