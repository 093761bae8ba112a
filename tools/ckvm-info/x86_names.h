/* SPDX-License-Identifier: MIT */
/*
 * x86_names.h - CPUID feature-bit names and MSR names for ckvm-info.
 *
 * These are tables of facts from the Intel SDM, the AMD APM and the KVM
 * documentation (Documentation/virt/kvm/x86/cpuid.rst, msr.rst). Names follow
 * the spelling of /proc/cpuinfo where it has one.
 */
#ifndef CKVM_INFO_X86_NAMES_H
#define CKVM_INFO_X86_NAMES_H

#include <stddef.h>
#include <stdint.h>

enum x86_reg { X86_EAX, X86_EBX, X86_ECX, X86_EDX };

/* A CPUID output register whose bits are named features. */
struct x86_cpuid_word {
	uint32_t function;
	uint32_t index;          /* sub-leaf */
	enum x86_reg reg;
	const char *const *names; /* 32 entries, NULL = unnamed bit */
};

/* Every decoded word, terminated by an entry with names == NULL. */
extern const struct x86_cpuid_word x86_cpuid_words[];

const char *x86_reg_name(enum x86_reg reg);

/*
 * Name of MSR index (e.g. "IA32_APIC_BASE", "MSR_KVM_SYSTEM_TIME_NEW",
 * "IA32_MC3_STATUS") written into buf; returns buf, or NULL when unknown.
 */
const char *x86_msr_name(uint32_t index, char *buf, size_t len);

#endif
