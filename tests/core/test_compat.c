/* SPDX-License-Identifier: MIT */
/*
 * test_compat.c - ckvm/compat.h fallbacks against the system <linux/kvm.h>.
 *
 * Generated layout of this file (keep it in sync with compat.h; the
 * "every_fallback_is_listed" test fails when compat.h gains a name that is
 * not checked here):
 *
 *  Pass 1: the system <linux/kvm.h> is blocked (its include guard is
 *  pre-defined) so compat.h defines EVERY fallback. Each macro value is
 *  captured into enum constants and each struct is renamed to ckvm_fb_<name>
 *  by a macro, so nothing clashes with the system definitions.
 *  Pass 2: the fallback macros are #undef'd and the real <linux/kvm.h> is
 *  included. For every name the system header defines, _Static_assert
 *  checks the value (or the struct's size and every field's offset and size)
 *  against the fallback.
 *
 * Whatever the system header lacks is checked against the documented ABI
 * (api.rst) instead: struct sizes and ioctl numbers.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>
#include <linux/ioctl.h>

/* ---- pass 1: fallbacks only ----------------------------------------------- */
#define __LINUX_KVM_H 1 /* block the system header */
#define KVMIO 0xAE

#define kvm_userspace_memory_region2 ckvm_fb_kvm_userspace_memory_region2
#define kvm_create_guest_memfd ckvm_fb_kvm_create_guest_memfd
#define kvm_memory_attributes ckvm_fb_kvm_memory_attributes
#define kvm_pre_fault_memory ckvm_fb_kvm_pre_fault_memory
#include <ckvm/compat.h>

/* Capture as two enum constants (values may exceed int): low 24 bits and the rest. */
#define CAPTURE(n) fb_lo_##n = (int)((unsigned long long)(n) & 0xffffffULL), \
	fb_hi_##n = (int)((unsigned long long)(n) >> 24),
enum {
	CAPTURE(KVM_CAP_S390_PROTECTED_ASYNC_DISABLE)
	CAPTURE(KVM_CAP_DIRTY_LOG_RING_WITH_BITMAP)
	CAPTURE(KVM_CAP_PMU_EVENT_MASKED_EVENTS)
	CAPTURE(KVM_CAP_COUNTER_OFFSET)
	CAPTURE(KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE)
	CAPTURE(KVM_CAP_ARM_SUPPORTED_BLOCK_SIZES)
	CAPTURE(KVM_CAP_ARM_SUPPORTED_REG_MASK_RANGES)
	CAPTURE(KVM_CAP_USER_MEMORY2)
	CAPTURE(KVM_CAP_MEMORY_FAULT_INFO)
	CAPTURE(KVM_CAP_MEMORY_ATTRIBUTES)
	CAPTURE(KVM_CAP_GUEST_MEMFD)
	CAPTURE(KVM_CAP_VM_TYPES)
	CAPTURE(KVM_CAP_PRE_FAULT_MEMORY)
	CAPTURE(KVM_CAP_X86_APIC_BUS_CYCLES_NS)
	CAPTURE(KVM_CAP_X86_GUEST_MODE)
	CAPTURE(KVM_CAP_ARM_WRITABLE_IMP_ID_REGS)
	CAPTURE(KVM_CAP_ARM_EL2)
	CAPTURE(KVM_CAP_ARM_EL2_E2H0)
	CAPTURE(KVM_CAP_RISCV_MP_STATE_RESET)
	CAPTURE(KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED)
	CAPTURE(KVM_CAP_GUEST_MEMFD_FLAGS)
	CAPTURE(KVM_CAP_ARM_SEA_TO_USER)
	CAPTURE(KVM_CAP_S390_USER_OPEREXEC)
	CAPTURE(KVM_EXIT_LOONGARCH_IOCSR)
	CAPTURE(KVM_EXIT_MEMORY_FAULT)
	CAPTURE(KVM_EXIT_TDX)
	CAPTURE(KVM_EXIT_ARM_SEA)
	CAPTURE(KVM_MEMORY_EXIT_FLAG_PRIVATE)
	CAPTURE(KVM_X86_DEFAULT_VM)
	CAPTURE(KVM_X86_SW_PROTECTED_VM)
	CAPTURE(KVM_X86_SEV_VM)
	CAPTURE(KVM_X86_SEV_ES_VM)
	CAPTURE(KVM_X86_SNP_VM)
	CAPTURE(KVM_X86_TDX_VM)
	CAPTURE(KVM_MEM_GUEST_MEMFD)
	CAPTURE(KVM_SET_USER_MEMORY_REGION2)
	CAPTURE(KVM_CREATE_GUEST_MEMFD)
	CAPTURE(GUEST_MEMFD_FLAG_MMAP)
	CAPTURE(GUEST_MEMFD_FLAG_INIT_SHARED)
	CAPTURE(KVM_SET_MEMORY_ATTRIBUTES)
	CAPTURE(KVM_MEMORY_ATTRIBUTE_PRIVATE)
	CAPTURE(KVM_PRE_FAULT_MEMORY)
};

/* The fallback list, for the runtime completeness check. */
static const char *const fallback_names[] = {
	"KVM_CAP_S390_PROTECTED_ASYNC_DISABLE",
	"KVM_CAP_DIRTY_LOG_RING_WITH_BITMAP",
	"KVM_CAP_PMU_EVENT_MASKED_EVENTS",
	"KVM_CAP_COUNTER_OFFSET",
	"KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE",
	"KVM_CAP_ARM_SUPPORTED_BLOCK_SIZES",
	"KVM_CAP_ARM_SUPPORTED_REG_MASK_RANGES",
	"KVM_CAP_USER_MEMORY2",
	"KVM_CAP_MEMORY_FAULT_INFO",
	"KVM_CAP_MEMORY_ATTRIBUTES",
	"KVM_CAP_GUEST_MEMFD",
	"KVM_CAP_VM_TYPES",
	"KVM_CAP_PRE_FAULT_MEMORY",
	"KVM_CAP_X86_APIC_BUS_CYCLES_NS",
	"KVM_CAP_X86_GUEST_MODE",
	"KVM_CAP_ARM_WRITABLE_IMP_ID_REGS",
	"KVM_CAP_ARM_EL2",
	"KVM_CAP_ARM_EL2_E2H0",
	"KVM_CAP_RISCV_MP_STATE_RESET",
	"KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED",
	"KVM_CAP_GUEST_MEMFD_FLAGS",
	"KVM_CAP_ARM_SEA_TO_USER",
	"KVM_CAP_S390_USER_OPEREXEC",
	"KVM_EXIT_LOONGARCH_IOCSR",
	"KVM_EXIT_MEMORY_FAULT",
	"KVM_EXIT_TDX",
	"KVM_EXIT_ARM_SEA",
	"KVM_MEMORY_EXIT_FLAG_PRIVATE",
	"KVM_X86_DEFAULT_VM",
	"KVM_X86_SW_PROTECTED_VM",
	"KVM_X86_SEV_VM",
	"KVM_X86_SEV_ES_VM",
	"KVM_X86_SNP_VM",
	"KVM_X86_TDX_VM",
	"KVM_MEM_GUEST_MEMFD",
	"KVM_SET_USER_MEMORY_REGION2",
	"KVM_CREATE_GUEST_MEMFD",
	"GUEST_MEMFD_FLAG_MMAP",
	"GUEST_MEMFD_FLAG_INIT_SHARED",
	"KVM_SET_MEMORY_ATTRIBUTES",
	"KVM_MEMORY_ATTRIBUTE_PRIVATE",
	"KVM_PRE_FAULT_MEMORY",
};

#undef KVM_CAP_S390_PROTECTED_ASYNC_DISABLE
#undef KVM_CAP_DIRTY_LOG_RING_WITH_BITMAP
#undef KVM_CAP_PMU_EVENT_MASKED_EVENTS
#undef KVM_CAP_COUNTER_OFFSET
#undef KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE
#undef KVM_CAP_ARM_SUPPORTED_BLOCK_SIZES
#undef KVM_CAP_ARM_SUPPORTED_REG_MASK_RANGES
#undef KVM_CAP_USER_MEMORY2
#undef KVM_CAP_MEMORY_FAULT_INFO
#undef KVM_CAP_MEMORY_ATTRIBUTES
#undef KVM_CAP_GUEST_MEMFD
#undef KVM_CAP_VM_TYPES
#undef KVM_CAP_PRE_FAULT_MEMORY
#undef KVM_CAP_X86_APIC_BUS_CYCLES_NS
#undef KVM_CAP_X86_GUEST_MODE
#undef KVM_CAP_ARM_WRITABLE_IMP_ID_REGS
#undef KVM_CAP_ARM_EL2
#undef KVM_CAP_ARM_EL2_E2H0
#undef KVM_CAP_RISCV_MP_STATE_RESET
#undef KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED
#undef KVM_CAP_GUEST_MEMFD_FLAGS
#undef KVM_CAP_ARM_SEA_TO_USER
#undef KVM_CAP_S390_USER_OPEREXEC
#undef KVM_EXIT_LOONGARCH_IOCSR
#undef KVM_EXIT_MEMORY_FAULT
#undef KVM_EXIT_TDX
#undef KVM_EXIT_ARM_SEA
#undef KVM_MEMORY_EXIT_FLAG_PRIVATE
#undef KVM_X86_DEFAULT_VM
#undef KVM_X86_SW_PROTECTED_VM
#undef KVM_X86_SEV_VM
#undef KVM_X86_SEV_ES_VM
#undef KVM_X86_SNP_VM
#undef KVM_X86_TDX_VM
#undef KVM_MEM_GUEST_MEMFD
#undef KVM_SET_USER_MEMORY_REGION2
#undef KVM_CREATE_GUEST_MEMFD
#undef GUEST_MEMFD_FLAG_MMAP
#undef GUEST_MEMFD_FLAG_INIT_SHARED
#undef KVM_SET_MEMORY_ATTRIBUTES
#undef KVM_MEMORY_ATTRIBUTE_PRIVATE
#undef KVM_PRE_FAULT_MEMORY
#undef kvm_userspace_memory_region2
#undef kvm_create_guest_memfd
#undef kvm_memory_attributes
#undef kvm_pre_fault_memory
#undef KVMIO
#undef __LINUX_KVM_H

/* ---- pass 2: the system header ---------------------------------------------- */
#include <linux/kvm.h>

#ifdef CKVM_COMPAT_SIMULATE_NEWER_HEADER
/*
 * Self-check of this test's machinery: pretend the system header is newer
 * and defines some names itself (with the value given on the command line
 * for KVM_CAP_USER_MEMORY2, so a wrong value must stop the build).
 */
#ifndef KVM_CAP_USER_MEMORY2
#define KVM_CAP_USER_MEMORY2 CKVM_COMPAT_SIMULATE_NEWER_HEADER
#endif
#ifndef KVM_SET_MEMORY_ATTRIBUTES
struct kvm_memory_attributes {
	__u64 address;
	__u64 size;
	__u64 attributes;
	__u64 flags;
};
#define KVM_SET_MEMORY_ATTRIBUTES _IOW(KVMIO, 0xd2, struct kvm_memory_attributes)
#endif
#endif

#define SAME(n) (fb_lo_##n == (int)((unsigned long long)(n) & 0xffffffULL) && \
		 fb_hi_##n == (int)((unsigned long long)(n) >> 24))
#define FB(n) (((unsigned long long)fb_hi_##n << 24) | (unsigned long long)fb_lo_##n)
#define FIELD_SAME(s, f) \
	(offsetof(struct s, f) == offsetof(struct ckvm_fb_##s, f) && \
	 sizeof(((struct s *)0)->f) == sizeof(((struct ckvm_fb_##s *)0)->f))

static unsigned checked_against_system;

static void check_system(void)
{
#ifdef KVM_CAP_S390_PROTECTED_ASYNC_DISABLE
	_Static_assert(SAME(KVM_CAP_S390_PROTECTED_ASYNC_DISABLE), "compat.h KVM_CAP_S390_PROTECTED_ASYNC_DISABLE differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_DIRTY_LOG_RING_WITH_BITMAP
	_Static_assert(SAME(KVM_CAP_DIRTY_LOG_RING_WITH_BITMAP), "compat.h KVM_CAP_DIRTY_LOG_RING_WITH_BITMAP differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_PMU_EVENT_MASKED_EVENTS
	_Static_assert(SAME(KVM_CAP_PMU_EVENT_MASKED_EVENTS), "compat.h KVM_CAP_PMU_EVENT_MASKED_EVENTS differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_COUNTER_OFFSET
	_Static_assert(SAME(KVM_CAP_COUNTER_OFFSET), "compat.h KVM_CAP_COUNTER_OFFSET differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE
	_Static_assert(SAME(KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE), "compat.h KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_ARM_SUPPORTED_BLOCK_SIZES
	_Static_assert(SAME(KVM_CAP_ARM_SUPPORTED_BLOCK_SIZES), "compat.h KVM_CAP_ARM_SUPPORTED_BLOCK_SIZES differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_ARM_SUPPORTED_REG_MASK_RANGES
	_Static_assert(SAME(KVM_CAP_ARM_SUPPORTED_REG_MASK_RANGES), "compat.h KVM_CAP_ARM_SUPPORTED_REG_MASK_RANGES differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_USER_MEMORY2
	_Static_assert(SAME(KVM_CAP_USER_MEMORY2), "compat.h KVM_CAP_USER_MEMORY2 differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_MEMORY_FAULT_INFO
	_Static_assert(SAME(KVM_CAP_MEMORY_FAULT_INFO), "compat.h KVM_CAP_MEMORY_FAULT_INFO differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_MEMORY_ATTRIBUTES
	_Static_assert(SAME(KVM_CAP_MEMORY_ATTRIBUTES), "compat.h KVM_CAP_MEMORY_ATTRIBUTES differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_GUEST_MEMFD
	_Static_assert(SAME(KVM_CAP_GUEST_MEMFD), "compat.h KVM_CAP_GUEST_MEMFD differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_VM_TYPES
	_Static_assert(SAME(KVM_CAP_VM_TYPES), "compat.h KVM_CAP_VM_TYPES differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_PRE_FAULT_MEMORY
	_Static_assert(SAME(KVM_CAP_PRE_FAULT_MEMORY), "compat.h KVM_CAP_PRE_FAULT_MEMORY differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_X86_APIC_BUS_CYCLES_NS
	_Static_assert(SAME(KVM_CAP_X86_APIC_BUS_CYCLES_NS), "compat.h KVM_CAP_X86_APIC_BUS_CYCLES_NS differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_X86_GUEST_MODE
	_Static_assert(SAME(KVM_CAP_X86_GUEST_MODE), "compat.h KVM_CAP_X86_GUEST_MODE differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_ARM_WRITABLE_IMP_ID_REGS
	_Static_assert(SAME(KVM_CAP_ARM_WRITABLE_IMP_ID_REGS), "compat.h KVM_CAP_ARM_WRITABLE_IMP_ID_REGS differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_ARM_EL2
	_Static_assert(SAME(KVM_CAP_ARM_EL2), "compat.h KVM_CAP_ARM_EL2 differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_ARM_EL2_E2H0
	_Static_assert(SAME(KVM_CAP_ARM_EL2_E2H0), "compat.h KVM_CAP_ARM_EL2_E2H0 differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_RISCV_MP_STATE_RESET
	_Static_assert(SAME(KVM_CAP_RISCV_MP_STATE_RESET), "compat.h KVM_CAP_RISCV_MP_STATE_RESET differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED
	_Static_assert(SAME(KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED), "compat.h KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_GUEST_MEMFD_FLAGS
	_Static_assert(SAME(KVM_CAP_GUEST_MEMFD_FLAGS), "compat.h KVM_CAP_GUEST_MEMFD_FLAGS differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_ARM_SEA_TO_USER
	_Static_assert(SAME(KVM_CAP_ARM_SEA_TO_USER), "compat.h KVM_CAP_ARM_SEA_TO_USER differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CAP_S390_USER_OPEREXEC
	_Static_assert(SAME(KVM_CAP_S390_USER_OPEREXEC), "compat.h KVM_CAP_S390_USER_OPEREXEC differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_EXIT_LOONGARCH_IOCSR
	_Static_assert(SAME(KVM_EXIT_LOONGARCH_IOCSR), "compat.h KVM_EXIT_LOONGARCH_IOCSR differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_EXIT_MEMORY_FAULT
	_Static_assert(SAME(KVM_EXIT_MEMORY_FAULT), "compat.h KVM_EXIT_MEMORY_FAULT differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_EXIT_TDX
	_Static_assert(SAME(KVM_EXIT_TDX), "compat.h KVM_EXIT_TDX differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_EXIT_ARM_SEA
	_Static_assert(SAME(KVM_EXIT_ARM_SEA), "compat.h KVM_EXIT_ARM_SEA differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_MEMORY_EXIT_FLAG_PRIVATE
	_Static_assert(SAME(KVM_MEMORY_EXIT_FLAG_PRIVATE), "compat.h KVM_MEMORY_EXIT_FLAG_PRIVATE differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_X86_DEFAULT_VM
	_Static_assert(SAME(KVM_X86_DEFAULT_VM), "compat.h KVM_X86_DEFAULT_VM differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_X86_SW_PROTECTED_VM
	_Static_assert(SAME(KVM_X86_SW_PROTECTED_VM), "compat.h KVM_X86_SW_PROTECTED_VM differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_X86_SEV_VM
	_Static_assert(SAME(KVM_X86_SEV_VM), "compat.h KVM_X86_SEV_VM differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_X86_SEV_ES_VM
	_Static_assert(SAME(KVM_X86_SEV_ES_VM), "compat.h KVM_X86_SEV_ES_VM differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_X86_SNP_VM
	_Static_assert(SAME(KVM_X86_SNP_VM), "compat.h KVM_X86_SNP_VM differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_X86_TDX_VM
	_Static_assert(SAME(KVM_X86_TDX_VM), "compat.h KVM_X86_TDX_VM differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_MEM_GUEST_MEMFD
	_Static_assert(SAME(KVM_MEM_GUEST_MEMFD), "compat.h KVM_MEM_GUEST_MEMFD differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_SET_USER_MEMORY_REGION2
	_Static_assert(SAME(KVM_SET_USER_MEMORY_REGION2), "compat.h KVM_SET_USER_MEMORY_REGION2 differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_CREATE_GUEST_MEMFD
	_Static_assert(SAME(KVM_CREATE_GUEST_MEMFD), "compat.h KVM_CREATE_GUEST_MEMFD differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef GUEST_MEMFD_FLAG_MMAP
	_Static_assert(SAME(GUEST_MEMFD_FLAG_MMAP), "compat.h GUEST_MEMFD_FLAG_MMAP differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef GUEST_MEMFD_FLAG_INIT_SHARED
	_Static_assert(SAME(GUEST_MEMFD_FLAG_INIT_SHARED), "compat.h GUEST_MEMFD_FLAG_INIT_SHARED differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_SET_MEMORY_ATTRIBUTES
	_Static_assert(SAME(KVM_SET_MEMORY_ATTRIBUTES), "compat.h KVM_SET_MEMORY_ATTRIBUTES differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_MEMORY_ATTRIBUTE_PRIVATE
	_Static_assert(SAME(KVM_MEMORY_ATTRIBUTE_PRIVATE), "compat.h KVM_MEMORY_ATTRIBUTE_PRIVATE differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_PRE_FAULT_MEMORY
	_Static_assert(SAME(KVM_PRE_FAULT_MEMORY), "compat.h KVM_PRE_FAULT_MEMORY differs from <linux/kvm.h>");
	checked_against_system++;
#endif
#ifdef KVM_SET_USER_MEMORY_REGION2
	_Static_assert(sizeof(struct kvm_userspace_memory_region2) == sizeof(struct ckvm_fb_kvm_userspace_memory_region2), "size of kvm_userspace_memory_region2");
	_Static_assert(FIELD_SAME(kvm_userspace_memory_region2, slot), "kvm_userspace_memory_region2.slot");
	_Static_assert(FIELD_SAME(kvm_userspace_memory_region2, flags), "kvm_userspace_memory_region2.flags");
	_Static_assert(FIELD_SAME(kvm_userspace_memory_region2, guest_phys_addr), "kvm_userspace_memory_region2.guest_phys_addr");
	_Static_assert(FIELD_SAME(kvm_userspace_memory_region2, memory_size), "kvm_userspace_memory_region2.memory_size");
	_Static_assert(FIELD_SAME(kvm_userspace_memory_region2, userspace_addr), "kvm_userspace_memory_region2.userspace_addr");
	_Static_assert(FIELD_SAME(kvm_userspace_memory_region2, guest_memfd_offset), "kvm_userspace_memory_region2.guest_memfd_offset");
	_Static_assert(FIELD_SAME(kvm_userspace_memory_region2, guest_memfd), "kvm_userspace_memory_region2.guest_memfd");
	_Static_assert(FIELD_SAME(kvm_userspace_memory_region2, pad1), "kvm_userspace_memory_region2.pad1");
	_Static_assert(FIELD_SAME(kvm_userspace_memory_region2, pad2), "kvm_userspace_memory_region2.pad2");
	checked_against_system++;
#endif
#ifdef KVM_CREATE_GUEST_MEMFD
	_Static_assert(sizeof(struct kvm_create_guest_memfd) == sizeof(struct ckvm_fb_kvm_create_guest_memfd), "size of kvm_create_guest_memfd");
	_Static_assert(FIELD_SAME(kvm_create_guest_memfd, size), "kvm_create_guest_memfd.size");
	_Static_assert(FIELD_SAME(kvm_create_guest_memfd, flags), "kvm_create_guest_memfd.flags");
	_Static_assert(FIELD_SAME(kvm_create_guest_memfd, reserved), "kvm_create_guest_memfd.reserved");
	checked_against_system++;
#endif
#ifdef KVM_SET_MEMORY_ATTRIBUTES
	_Static_assert(sizeof(struct kvm_memory_attributes) == sizeof(struct ckvm_fb_kvm_memory_attributes), "size of kvm_memory_attributes");
	_Static_assert(FIELD_SAME(kvm_memory_attributes, address), "kvm_memory_attributes.address");
	_Static_assert(FIELD_SAME(kvm_memory_attributes, size), "kvm_memory_attributes.size");
	_Static_assert(FIELD_SAME(kvm_memory_attributes, attributes), "kvm_memory_attributes.attributes");
	_Static_assert(FIELD_SAME(kvm_memory_attributes, flags), "kvm_memory_attributes.flags");
	checked_against_system++;
#endif
#ifdef KVM_PRE_FAULT_MEMORY
	_Static_assert(sizeof(struct kvm_pre_fault_memory) == sizeof(struct ckvm_fb_kvm_pre_fault_memory), "size of kvm_pre_fault_memory");
	_Static_assert(FIELD_SAME(kvm_pre_fault_memory, gpa), "kvm_pre_fault_memory.gpa");
	_Static_assert(FIELD_SAME(kvm_pre_fault_memory, size), "kvm_pre_fault_memory.size");
	_Static_assert(FIELD_SAME(kvm_pre_fault_memory, flags), "kvm_pre_fault_memory.flags");
	_Static_assert(FIELD_SAME(kvm_pre_fault_memory, padding), "kvm_pre_fault_memory.padding");
	checked_against_system++;
#endif
#ifdef KVM_EXIT_MEMORY_FAULT
	_Static_assert(sizeof(((struct kvm_run *)0)->memory_fault) == sizeof(struct ckvm_memory_fault_info), "memory_fault size");
	_Static_assert(offsetof(struct kvm_run, memory_fault) == offsetof(struct kvm_run, hw), "memory_fault is at the start of the exit union");
	checked_against_system++;
#endif
}

/* Documented ABI, independent of the system header. */
_Static_assert(sizeof(struct ckvm_fb_kvm_userspace_memory_region2) == 160, "api.rst: sizeof(struct kvm_userspace_memory_region2)");
_Static_assert(sizeof(struct ckvm_fb_kvm_create_guest_memfd) == 64, "api.rst: sizeof(struct kvm_create_guest_memfd)");
_Static_assert(sizeof(struct ckvm_fb_kvm_memory_attributes) == 32, "api.rst: sizeof(struct kvm_memory_attributes)");
_Static_assert(sizeof(struct ckvm_fb_kvm_pre_fault_memory) == 64, "api.rst: sizeof(struct kvm_pre_fault_memory)");

/* ---- runtime part (cmocka) ----------------------------------------------------- */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#ifndef CKVM_SOURCE_ROOT
#error "CKVM_SOURCE_ROOT must name the source tree (set by tests/core/meson.build)"
#endif

static void test_fallbacks_match_system(void **state)
{
	(void)state;
	check_system(); /* the _Static_asserts already ran at compile time */
	printf("# %u compat names also defined by the system header, all identical\n",
	       checked_against_system);
#ifdef CKVM_COMPAT_SIMULATE_NEWER_HEADER
	assert_true(checked_against_system >= 2);
#endif
}

static void test_documented_ioctl_numbers(void **state)
{
	(void)state;
	/* api.rst: every ioctl below is on KVMIO (0xAE) with its struct as size. */
	assert_int_equal(_IOC_TYPE(FB(KVM_SET_USER_MEMORY_REGION2)), 0xAE);
	assert_int_equal(_IOC_NR(FB(KVM_SET_USER_MEMORY_REGION2)), 0x49);
	assert_int_equal(_IOC_DIR(FB(KVM_SET_USER_MEMORY_REGION2)), _IOC_WRITE);
	assert_int_equal(_IOC_SIZE(FB(KVM_SET_USER_MEMORY_REGION2)), 160);
	assert_int_equal(_IOC_NR(FB(KVM_SET_MEMORY_ATTRIBUTES)), 0xd2);
	assert_int_equal(_IOC_DIR(FB(KVM_SET_MEMORY_ATTRIBUTES)), _IOC_WRITE);
	assert_int_equal(_IOC_SIZE(FB(KVM_SET_MEMORY_ATTRIBUTES)), 32);
	assert_int_equal(_IOC_NR(FB(KVM_CREATE_GUEST_MEMFD)), 0xd4);
	assert_int_equal(_IOC_DIR(FB(KVM_CREATE_GUEST_MEMFD)), _IOC_READ | _IOC_WRITE);
	assert_int_equal(_IOC_SIZE(FB(KVM_CREATE_GUEST_MEMFD)), 64);
	assert_int_equal(_IOC_NR(FB(KVM_PRE_FAULT_MEMORY)), 0xd5);
	assert_int_equal(_IOC_DIR(FB(KVM_PRE_FAULT_MEMORY)), _IOC_READ | _IOC_WRITE);
	assert_int_equal(_IOC_SIZE(FB(KVM_PRE_FAULT_MEMORY)), 64);
}

static void test_documented_layouts(void **state)
{
	(void)state;
	/* kvm_userspace_memory_region2 extends kvm_userspace_memory_region. */
	assert_int_equal(offsetof(struct ckvm_fb_kvm_userspace_memory_region2, slot),
			 offsetof(struct kvm_userspace_memory_region, slot));
	assert_int_equal(offsetof(struct ckvm_fb_kvm_userspace_memory_region2, userspace_addr),
			 offsetof(struct kvm_userspace_memory_region, userspace_addr));
	assert_int_equal(offsetof(struct ckvm_fb_kvm_userspace_memory_region2, guest_memfd_offset), 32);
	assert_int_equal(offsetof(struct ckvm_fb_kvm_userspace_memory_region2, guest_memfd), 40);
	assert_int_equal(offsetof(struct ckvm_fb_kvm_userspace_memory_region2, pad2), 48);
	assert_int_equal(offsetof(struct ckvm_fb_kvm_create_guest_memfd, flags), 8);
	assert_int_equal(offsetof(struct ckvm_fb_kvm_memory_attributes, attributes), 16);
	assert_int_equal(offsetof(struct ckvm_fb_kvm_pre_fault_memory, flags), 16);
	/* memory_fault: flags, gpa, size, as three u64s. */
	assert_int_equal(sizeof(struct ckvm_memory_fault_info), 24);
}

static void test_documented_values(void **state)
{
	(void)state;
	assert_int_equal(FB(KVM_CAP_USER_MEMORY2), 231);
	assert_int_equal(FB(KVM_CAP_MEMORY_FAULT_INFO), 232);
	assert_int_equal(FB(KVM_CAP_MEMORY_ATTRIBUTES), 233);
	assert_int_equal(FB(KVM_CAP_GUEST_MEMFD), 234);
	assert_int_equal(FB(KVM_CAP_VM_TYPES), 235);
	assert_int_equal(FB(KVM_CAP_PRE_FAULT_MEMORY), 236);
	assert_int_equal(FB(KVM_CAP_GUEST_MEMFD_FLAGS), 244);
	assert_int_equal(FB(KVM_EXIT_MEMORY_FAULT), 39);
	assert_int_equal(FB(KVM_EXIT_TDX), 40);
	assert_int_equal(FB(KVM_MEM_GUEST_MEMFD), 1u << 2);
	assert_int_equal(FB(KVM_MEMORY_ATTRIBUTE_PRIVATE), 1u << 3);
	assert_int_equal(FB(KVM_MEMORY_EXIT_FLAG_PRIVATE), 1u << 3);
	assert_int_equal(FB(GUEST_MEMFD_FLAG_MMAP), 1u << 0);
	assert_int_equal(FB(GUEST_MEMFD_FLAG_INIT_SHARED), 1u << 1);
	assert_int_equal(FB(KVM_X86_DEFAULT_VM), 0);
	assert_int_equal(FB(KVM_X86_SW_PROTECTED_VM), 1);
	assert_int_equal(FB(KVM_X86_SEV_VM), 2);
	assert_int_equal(FB(KVM_X86_SEV_ES_VM), 3);
	assert_int_equal(FB(KVM_X86_SNP_VM), 4);
	assert_int_equal(FB(KVM_X86_TDX_VM), 5);
}

/* Every #define in compat.h (except its guard) must be checked by this file. */
static void test_every_fallback_is_listed(void **state)
{
	char line[512];
	unsigned seen = 0;
	FILE *f = fopen(CKVM_SOURCE_ROOT "/include/ckvm/compat.h", "r");

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char name[128];
		size_t i;
		int found = 0;

		if (sscanf(line, "#define %127[A-Za-z0-9_]", name) != 1)
			continue;
		if (strcmp(name, "CKVM_COMPAT_H") == 0)
			continue;
		for (i = 0; i < sizeof(fallback_names) / sizeof(fallback_names[0]); i++)
			found |= strcmp(fallback_names[i], name) == 0;
		if (!found)
			fail_msg("compat.h defines %s but tests/core/test_compat.c does not check it", name);
		seen++;
	}
	fclose(f);
	assert_int_equal(seen, sizeof(fallback_names) / sizeof(fallback_names[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fallbacks_match_system),
		cmocka_unit_test(test_documented_ioctl_numbers),
		cmocka_unit_test(test_documented_layouts),
		cmocka_unit_test(test_documented_values),
		cmocka_unit_test(test_every_fallback_is_listed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
