/* SPDX-License-Identifier: MIT */
/*
 * x86_names.c - CPUID feature names and MSR names (see x86_names.h).
 * Compiled on every architecture (the tables are plain data); ckvm-info only
 * uses them on x86_64.
 */
#include "x86_names.h"

#include <stdio.h>

const char *x86_reg_name(enum x86_reg reg)
{
	static const char *const n[] = { "eax", "ebx", "ecx", "edx" };
	return (unsigned)reg < 4 ? n[reg] : "?";
}

/* ---- CPUID ------------------------------------------------------------ */

/* Leaf 1, EDX */
static const char *const l1_edx[32] = {
	"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce",
	"cx8", "apic", NULL, "sep", "mtrr", "pge", "mca", "cmov",
	"pat", "pse36", "pn", "clflush", NULL, "dts", "acpi", "mmx",
	"fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe",
};
/* Leaf 1, ECX */
static const char *const l1_ecx[32] = {
	"pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est",
	"tm2", "ssse3", "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm",
	NULL, "pcid", "dca", "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt",
	"tsc_deadline_timer", "aes", "xsave", "osxsave", "avx", "f16c", "rdrand", "hypervisor",
};
/* Leaf 6, EAX (thermal and power management) */
static const char *const l6_eax[32] = {
	"dtherm", "ida", "arat", NULL, "pln", NULL, "pts", "hwp",
	"hwp_notify", "hwp_act_window", "hwp_epp", "hwp_pkg_req", NULL, NULL, NULL, NULL,
};
/* Leaf 7.0, EBX */
static const char *const l7_ebx[32] = {
	"fsgsbase", "tsc_adjust", "sgx", "bmi1", "hle", "avx2", "fdp_excptn_only", "smep",
	"bmi2", "erms", "invpcid", "rtm", "cqm", "zero_fcs_fds", "mpx", "rdt_a",
	"avx512f", "avx512dq", "rdseed", "adx", "smap", "avx512ifma", "pcommit", "clflushopt",
	"clwb", "intel_pt", "avx512pf", "avx512er", "avx512cd", "sha_ni", "avx512bw", "avx512vl",
};
/* Leaf 7.0, ECX */
static const char *const l7_ecx[32] = {
	"prefetchwt1", "avx512vbmi", "umip", "pku", "ospke", "waitpkg", "avx512_vbmi2", "shstk",
	"gfni", "vaes", "vpclmulqdq", "avx512_vnni", "avx512_bitalg", "tme", "avx512_vpopcntdq", NULL,
	"la57", NULL, NULL, NULL, NULL, NULL, "rdpid", "kl",
	"bus_lock_detect", "cldemote", NULL, "movdiri", "movdir64b", "enqcmd", "sgx_lc", "pks",
};
/* Leaf 7.0, EDX */
static const char *const l7_edx[32] = {
	NULL, "sgx_keys", "avx512_4vnniw", "avx512_4fmaps", "fsrm", "uintr", NULL, NULL,
	"avx512_vp2intersect", "srbds_ctrl", "md_clear", "rtm_always_abort", NULL, "tsx_force_abort", "serialize", "hybrid_cpu",
	"tsxldtrk", NULL, "pconfig", "arch_lbr", "ibt", NULL, "amx_bf16", "avx512_fp16",
	"amx_tile", "amx_int8", "spec_ctrl", "intel_stibp", "flush_l1d", "arch_capabilities", "core_capabilities", "spec_ctrl_ssbd",
};
/* Leaf 7.1, EAX */
static const char *const l7_1_eax[32] = {
	"sha512", "sm3", "sm4", NULL, "avx_vnni", "avx512_bf16", NULL, "cmpccxadd",
	NULL, NULL, "fzrm", "fsrs", "fsrc", NULL, NULL, NULL,
	NULL, "fred", "lkgs", "wrmsrns", NULL, "amx_fp16", "hreset", "avx_ifma",
	NULL, NULL, "lam", "msrlist", NULL, NULL, NULL, NULL,
};
/* Leaf 7.1, EDX */
static const char *const l7_1_edx[32] = {
	NULL, NULL, NULL, NULL, "avx_vnni_int8", "avx_ne_convert", NULL, NULL,
	NULL, NULL, "avx_vnni_int16", NULL, NULL, NULL, "prefetchiti", NULL,
	NULL, NULL, "cet_sss", "avx10", NULL, NULL, NULL, NULL,
};
/* Leaf 7.2, EDX */
static const char *const l7_2_edx[32] = {
	"psfd", "ipred_ctrl", "rrsba_ctrl", "ddpd_u", "bhi_ctrl", "mcdt_no", NULL, NULL,
};
/* Leaf 0xd.1, EAX */
static const char *const ld_1_eax[32] = {
	"xsaveopt", "xsavec", "xgetbv1", "xsaves", "xfd", NULL, NULL, NULL,
};
/* Leaf 0x40000001, EAX: KVM paravirtual features (KVM_FEATURE_*) */
static const char *const kvm_eax[32] = {
	"kvmclock", "nop_io_delay", "mmu_op", "kvmclock2", "async_pf", "steal_time", "pv_eoi", "pv_unhalt",
	NULL, "pv_tlb_flush", "async_pf_vmexit", "pv_send_ipi", "poll_control", "pv_sched_yield", "async_pf_int", "msi_ext_dest_id",
	"hc_map_gpa_range", "migration_control", NULL, NULL, NULL, NULL, NULL, NULL,
	"clocksource_stable", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};
/* Leaf 0x80000001, EDX (only the bits that do not repeat leaf 1) */
static const char *const e1_edx[32] = {
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	NULL, NULL, NULL, "syscall", NULL, NULL, NULL, NULL,
	NULL, NULL, NULL, "mp", "nx", NULL, "mmxext", NULL,
	NULL, "fxsr_opt", "pdpe1gb", "rdtscp", NULL, "lm", "3dnowext", "3dnow",
};
/* Leaf 0x80000001, ECX */
static const char *const e1_ecx[32] = {
	"lahf_lm", "cmp_legacy", "svm", "extapic", "cr8_legacy", "abm", "sse4a", "misalignsse",
	"3dnowprefetch", "osvw", "ibs", "xop", "skinit", "wdt", NULL, "lwp",
	"fma4", "tce", NULL, "nodeid_msr", NULL, "tbm", "topoext", "perfctr_core",
	"perfctr_nb", NULL, "bpext", "ptsc", "perfctr_llc", "mwaitx", NULL, NULL,
};
/* Leaf 0x80000007, EDX (advanced power management) */
static const char *const e7_edx[32] = {
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	"constant_tsc", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};
/* Leaf 0x80000008, EBX */
static const char *const e8_ebx[32] = {
	"clzero", "irperf", "xsaveerptr", NULL, "rdpru", NULL, NULL, NULL,
	NULL, "wbnoinvd", NULL, NULL, "amd_ibpb", NULL, "amd_ibrs", "amd_stibp",
	NULL, "amd_stibp_always_on", NULL, NULL, NULL, NULL, NULL, "amd_ppin",
	"amd_ssbd", "virt_ssbd", "amd_ssb_no", "cppc", "amd_psfd", "btc_no", "amd_ibpb_ret", NULL,
};
/* Leaf 0x8000000a, EDX (SVM features) */
static const char *const ea_edx[32] = {
	"npt", "lbrv", "svm_lock", "nrip_save", "tsc_scale", "vmcb_clean", "flushbyasid", "decodeassists",
	NULL, NULL, "pausefilter", NULL, "pfthreshold", "avic", NULL, "v_vmsave_vmload",
	"vgif", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	NULL, "vnmi", NULL, NULL, NULL, NULL, NULL, NULL,
};
/* Leaf 0x80000021, EAX */
static const char *const e21_eax[32] = {
	"no_nested_data_bp", NULL, "lfence_rdtsc", NULL, NULL, NULL, "null_sel_clr_base", NULL,
	"autoibrs", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	NULL, NULL, NULL, "sbpb", "ibpb_brtype", "srso_no", NULL, NULL,
};

const struct x86_cpuid_word x86_cpuid_words[] = {
	{ 0x00000001, 0, X86_EDX, l1_edx },
	{ 0x00000001, 0, X86_ECX, l1_ecx },
	{ 0x00000006, 0, X86_EAX, l6_eax },
	{ 0x00000007, 0, X86_EBX, l7_ebx },
	{ 0x00000007, 0, X86_ECX, l7_ecx },
	{ 0x00000007, 0, X86_EDX, l7_edx },
	{ 0x00000007, 1, X86_EAX, l7_1_eax },
	{ 0x00000007, 1, X86_EDX, l7_1_edx },
	{ 0x00000007, 2, X86_EDX, l7_2_edx },
	{ 0x0000000d, 1, X86_EAX, ld_1_eax },
	{ 0x40000001, 0, X86_EAX, kvm_eax },
	{ 0x80000001, 0, X86_EDX, e1_edx },
	{ 0x80000001, 0, X86_ECX, e1_ecx },
	{ 0x80000007, 0, X86_EDX, e7_edx },
	{ 0x80000008, 0, X86_EBX, e8_ebx },
	{ 0x8000000a, 0, X86_EDX, ea_edx },
	{ 0x80000021, 0, X86_EAX, e21_eax },
	{ 0, 0, X86_EAX, NULL },
};

/* ---- MSRs ----------------------------------------------------------- */

struct msr_name {
	uint32_t index;
	const char *name;
};

/* Sorted by index. */
static const struct msr_name msr_names[] = {
	{ 0x00000010, "IA32_TSC" },
	{ 0x00000011, "MSR_KVM_WALL_CLOCK" },
	{ 0x00000012, "MSR_KVM_SYSTEM_TIME" },
	{ 0x00000017, "IA32_PLATFORM_ID" },
	{ 0x0000001b, "IA32_APIC_BASE" },
	{ 0x00000034, "MSR_SMI_COUNT" },
	{ 0x00000035, "MSR_CORE_THREAD_COUNT" },
	{ 0x0000003a, "IA32_FEATURE_CONTROL" },
	{ 0x0000003b, "IA32_TSC_ADJUST" },
	{ 0x00000048, "IA32_SPEC_CTRL" },
	{ 0x00000049, "IA32_PRED_CMD" },
	{ 0x0000008b, "IA32_BIOS_SIGN_ID" },
	{ 0x000000ce, "MSR_PLATFORM_INFO" },
	{ 0x000000e1, "IA32_UMWAIT_CONTROL" },
	{ 0x000000e7, "IA32_MPERF" },
	{ 0x000000e8, "IA32_APERF" },
	{ 0x000000fe, "IA32_MTRRCAP" },
	{ 0x0000010a, "IA32_ARCH_CAPABILITIES" },
	{ 0x0000010b, "IA32_FLUSH_CMD" },
	{ 0x00000122, "IA32_TSX_CTRL" },
	{ 0x00000140, "MSR_MISC_FEATURES_ENABLES" },
	{ 0x00000174, "IA32_SYSENTER_CS" },
	{ 0x00000175, "IA32_SYSENTER_ESP" },
	{ 0x00000176, "IA32_SYSENTER_EIP" },
	{ 0x00000179, "IA32_MCG_CAP" },
	{ 0x0000017a, "IA32_MCG_STATUS" },
	{ 0x0000017b, "IA32_MCG_CTL" },
	{ 0x000001a0, "IA32_MISC_ENABLE" },
	{ 0x000001c4, "IA32_XFD" },
	{ 0x000001c5, "IA32_XFD_ERR" },
	{ 0x000001d9, "IA32_DEBUGCTL" },
	{ 0x000001db, "MSR_LASTBRANCHFROMIP" },
	{ 0x000001dc, "MSR_LASTBRANCHTOIP" },
	{ 0x000001dd, "MSR_LASTINTFROMIP" },
	{ 0x000001de, "MSR_LASTINTTOIP" },
	{ 0x000001f2, "IA32_SMRR_PHYSBASE" },
	{ 0x000001f3, "IA32_SMRR_PHYSMASK" },
	{ 0x000001fc, "MSR_IA32_POWER_CTL" },
	{ 0x00000250, "IA32_MTRR_FIX64K_00000" },
	{ 0x00000258, "IA32_MTRR_FIX16K_80000" },
	{ 0x00000259, "IA32_MTRR_FIX16K_A0000" },
	{ 0x00000268, "IA32_MTRR_FIX4K_C0000" },
	{ 0x00000269, "IA32_MTRR_FIX4K_C8000" },
	{ 0x0000026a, "IA32_MTRR_FIX4K_D0000" },
	{ 0x0000026b, "IA32_MTRR_FIX4K_D8000" },
	{ 0x0000026c, "IA32_MTRR_FIX4K_E0000" },
	{ 0x0000026d, "IA32_MTRR_FIX4K_E8000" },
	{ 0x0000026e, "IA32_MTRR_FIX4K_F0000" },
	{ 0x0000026f, "IA32_MTRR_FIX4K_F8000" },
	{ 0x00000277, "IA32_PAT" },
	{ 0x000002ff, "IA32_MTRR_DEF_TYPE" },
	{ 0x00000345, "IA32_PERF_CAPABILITIES" },
	{ 0x0000038d, "IA32_FIXED_CTR_CTRL" },
	{ 0x0000038e, "IA32_PERF_GLOBAL_STATUS" },
	{ 0x0000038f, "IA32_PERF_GLOBAL_CTRL" },
	{ 0x00000390, "IA32_PERF_GLOBAL_OVF_CTRL" },
	{ 0x000003f1, "IA32_PEBS_ENABLE" },
	{ 0x00000480, "IA32_VMX_BASIC" },
	{ 0x00000481, "IA32_VMX_PINBASED_CTLS" },
	{ 0x00000482, "IA32_VMX_PROCBASED_CTLS" },
	{ 0x00000483, "IA32_VMX_EXIT_CTLS" },
	{ 0x00000484, "IA32_VMX_ENTRY_CTLS" },
	{ 0x00000485, "IA32_VMX_MISC" },
	{ 0x00000486, "IA32_VMX_CR0_FIXED0" },
	{ 0x00000487, "IA32_VMX_CR0_FIXED1" },
	{ 0x00000488, "IA32_VMX_CR4_FIXED0" },
	{ 0x00000489, "IA32_VMX_CR4_FIXED1" },
	{ 0x0000048a, "IA32_VMX_VMCS_ENUM" },
	{ 0x0000048b, "IA32_VMX_PROCBASED_CTLS2" },
	{ 0x0000048c, "IA32_VMX_EPT_VPID_CAP" },
	{ 0x0000048d, "IA32_VMX_TRUE_PINBASED_CTLS" },
	{ 0x0000048e, "IA32_VMX_TRUE_PROCBASED_CTLS" },
	{ 0x0000048f, "IA32_VMX_TRUE_EXIT_CTLS" },
	{ 0x00000490, "IA32_VMX_TRUE_ENTRY_CTLS" },
	{ 0x00000491, "IA32_VMX_VMFUNC" },
	{ 0x00000492, "IA32_VMX_PROCBASED_CTLS3" },
	{ 0x000004d0, "MSR_IA32_MCG_EXT_CTL" },
	{ 0x00000560, "IA32_RTIT_OUTPUT_BASE" },
	{ 0x00000561, "IA32_RTIT_OUTPUT_MASK_PTRS" },
	{ 0x00000570, "IA32_RTIT_CTL" },
	{ 0x00000571, "IA32_RTIT_STATUS" },
	{ 0x00000572, "IA32_RTIT_CR3_MATCH" },
	{ 0x000006a0, "IA32_U_CET" },
	{ 0x000006a2, "IA32_S_CET" },
	{ 0x000006a4, "IA32_PL0_SSP" },
	{ 0x000006a5, "IA32_PL1_SSP" },
	{ 0x000006a6, "IA32_PL2_SSP" },
	{ 0x000006a7, "IA32_PL3_SSP" },
	{ 0x000006a8, "IA32_INT_SSP_TAB" },
	{ 0x000006e0, "IA32_TSC_DEADLINE" },
	{ 0x000006e1, "IA32_PKRS" },
	{ 0x00000d90, "IA32_BNDCFGS" },
	{ 0x00000da0, "IA32_XSS" },
	{ 0x000014ce, "MSR_ARCH_LBR_CTL" },
	{ 0x000014cf, "MSR_ARCH_LBR_DEPTH" },
	{ 0x40000000, "HV_X64_MSR_GUEST_OS_ID" },
	{ 0x40000001, "HV_X64_MSR_HYPERCALL" },
	{ 0x40000002, "HV_X64_MSR_VP_INDEX" },
	{ 0x40000003, "HV_X64_MSR_RESET" },
	{ 0x40000010, "HV_X64_MSR_VP_RUNTIME" },
	{ 0x40000020, "HV_X64_MSR_TIME_REF_COUNT" },
	{ 0x40000021, "HV_X64_MSR_REFERENCE_TSC" },
	{ 0x40000022, "HV_X64_MSR_TSC_FREQUENCY" },
	{ 0x40000023, "HV_X64_MSR_APIC_FREQUENCY" },
	{ 0x40000070, "HV_X64_MSR_EOI" },
	{ 0x40000071, "HV_X64_MSR_ICR" },
	{ 0x40000072, "HV_X64_MSR_TPR" },
	{ 0x40000073, "HV_X64_MSR_VP_ASSIST_PAGE" },
	{ 0x40000080, "HV_X64_MSR_SCONTROL" },
	{ 0x40000081, "HV_X64_MSR_SVERSION" },
	{ 0x40000082, "HV_X64_MSR_SIEFP" },
	{ 0x40000083, "HV_X64_MSR_SIMP" },
	{ 0x40000084, "HV_X64_MSR_EOM" },
	{ 0x400000f1, "HV_X64_MSR_SYNDBG_CONTROL" },
	{ 0x400000f2, "HV_X64_MSR_SYNDBG_STATUS" },
	{ 0x400000f3, "HV_X64_MSR_SYNDBG_SEND_BUFFER" },
	{ 0x400000f4, "HV_X64_MSR_SYNDBG_RECV_BUFFER" },
	{ 0x400000f5, "HV_X64_MSR_SYNDBG_PENDING_BUFFER" },
	{ 0x400000ff, "HV_X64_MSR_SYNDBG_OPTIONS" },
	{ 0x40000105, "HV_X64_MSR_CRASH_CTL" },
	{ 0x40000106, "HV_X64_MSR_REENLIGHTENMENT_CONTROL" },
	{ 0x40000107, "HV_X64_MSR_TSC_EMULATION_CONTROL" },
	{ 0x40000108, "HV_X64_MSR_TSC_EMULATION_STATUS" },
	{ 0x40000118, "HV_X64_MSR_TSC_INVARIANT_CONTROL" },
	{ 0x4b564d00, "MSR_KVM_WALL_CLOCK_NEW" },
	{ 0x4b564d01, "MSR_KVM_SYSTEM_TIME_NEW" },
	{ 0x4b564d02, "MSR_KVM_ASYNC_PF_EN" },
	{ 0x4b564d03, "MSR_KVM_STEAL_TIME" },
	{ 0x4b564d04, "MSR_KVM_PV_EOI_EN" },
	{ 0x4b564d05, "MSR_KVM_POLL_CONTROL" },
	{ 0x4b564d06, "MSR_KVM_ASYNC_PF_INT" },
	{ 0x4b564d07, "MSR_KVM_ASYNC_PF_ACK" },
	{ 0x4b564d08, "MSR_KVM_MIGRATION_CONTROL" },
	{ 0xc0000080, "IA32_EFER" },
	{ 0xc0000081, "MSR_STAR" },
	{ 0xc0000082, "MSR_LSTAR" },
	{ 0xc0000083, "MSR_CSTAR" },
	{ 0xc0000084, "MSR_SYSCALL_MASK" },
	{ 0xc0000100, "MSR_FS_BASE" },
	{ 0xc0000101, "MSR_GS_BASE" },
	{ 0xc0000102, "MSR_KERNEL_GS_BASE" },
	{ 0xc0000103, "IA32_TSC_AUX" },
	{ 0xc0000104, "MSR_AMD64_TSC_RATIO" },
	{ 0xc0010010, "MSR_AMD64_SYSCFG" },
	{ 0xc0010015, "MSR_K7_HWCR" },
	{ 0xc0010114, "MSR_VM_CR" },
	{ 0xc0010117, "MSR_VM_HSAVE_PA" },
	{ 0xc001011f, "MSR_AMD64_VIRT_SPEC_CTRL" },
	{ 0xc0010140, "MSR_AMD64_OSVW_ID_LENGTH" },
	{ 0xc0010141, "MSR_AMD64_OSVW_STATUS" },
	{ 0xc0011022, "MSR_AMD64_DC_CFG" },
	{ 0xc0011029, "MSR_AMD64_DE_CFG" },
	{ 0xc0011030, "MSR_AMD64_IBSFETCHCTL" },
};

const char *x86_msr_name(uint32_t index, char *buf, size_t len)
{
	static const char *const mc_regs[] = { "CTL", "STATUS", "ADDR", "MISC" };
	size_t lo = 0, hi = sizeof(msr_names) / sizeof(msr_names[0]);
	const char *fixed = NULL;

	if (!buf || len == 0)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (msr_names[mid].index == index) {
			fixed = msr_names[mid].name;
			break;
		}
		if (msr_names[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (fixed) {
		snprintf(buf, len, "%s", fixed);
		return buf;
	}
	/* Families of numbered MSRs. */
	if (index >= 0xc1 && index <= 0xc8)
		snprintf(buf, len, "IA32_PMC%u", index - 0xc1);
	else if (index >= 0x186 && index <= 0x18d)
		snprintf(buf, len, "IA32_PERFEVTSEL%u", index - 0x186);
	else if (index >= 0x200 && index <= 0x21f)
		snprintf(buf, len, "IA32_MTRR_PHYS%s%u", (index & 1) ? "MASK" : "BASE",
			 (index - 0x200) / 2);
	else if (index >= 0x280 && index <= 0x29f)
		snprintf(buf, len, "IA32_MC%u_CTL2", index - 0x280);
	else if (index >= 0x309 && index <= 0x30c)
		snprintf(buf, len, "IA32_FIXED_CTR%u", index - 0x309);
	else if (index >= 0x400 && index <= 0x47f)
		snprintf(buf, len, "IA32_MC%u_%s", (index - 0x400) / 4,
			 mc_regs[(index - 0x400) % 4]);
	else if (index >= 0x4c1 && index <= 0x4c8)
		snprintf(buf, len, "IA32_A_PMC%u", index - 0x4c1);
	else if (index >= 0x580 && index <= 0x587)
		snprintf(buf, len, "IA32_RTIT_ADDR%u_%s", (index - 0x580) / 2,
			 (index & 1) ? "B" : "A");
	else if (index >= 0x1500 && index <= 0x151f)
		snprintf(buf, len, "MSR_ARCH_LBR_FROM_%u", index - 0x1500);
	else if (index >= 0x1600 && index <= 0x161f)
		snprintf(buf, len, "MSR_ARCH_LBR_TO_%u", index - 0x1600);
	else if (index >= 0x1200 && index <= 0x121f)
		snprintf(buf, len, "MSR_ARCH_LBR_INFO_%u", index - 0x1200);
	else if (index >= 0x40000090 && index <= 0x4000009f)
		snprintf(buf, len, "HV_X64_MSR_SINT%u", index - 0x40000090);
	else if (index >= 0x400000b0 && index <= 0x400000b7)
		snprintf(buf, len, "HV_X64_MSR_STIMER%u_%s", (index - 0x400000b0) / 2,
			 (index & 1) ? "COUNT" : "CONFIG");
	else if (index >= 0x40000100 && index <= 0x40000104)
		snprintf(buf, len, "HV_X64_MSR_CRASH_P%u", index - 0x40000100);
	else if (index >= 0xc0010000 && index <= 0xc0010003)
		snprintf(buf, len, "MSR_K7_EVNTSEL%u", index - 0xc0010000);
	else if (index >= 0xc0010004 && index <= 0xc0010007)
		snprintf(buf, len, "MSR_K7_PERFCTR%u", index - 0xc0010004);
	else if (index >= 0xc0010200 && index <= 0xc001020b)
		snprintf(buf, len, "MSR_F15H_PERF_%s%u", (index & 1) ? "CTR" : "CTL",
			 (index - 0xc0010200) / 2);
	else
		return NULL;
	return buf;
}
