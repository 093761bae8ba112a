/* SPDX-License-Identifier: MIT */
/* Guests for exits that need an optional capability (test_exits_caps.c). */
#include "x86_64/guest_asm.h"

/*
 * Hyper-V (CPL0): write SCONTROL (a SynIC exit), then HV_X64_MSR_RESET = 1
 * (a KVM_SYSTEM_EVENT_RESET exit).
 */
GUEST_BEGIN(guest_hyperv)
	.code64
	mov $0x40000080, %ecx
	mov $1, %eax
	xor %edx, %edx
	wrmsr
	UCALL_M_REPORT(1)
	mov $0x40000003, %ecx
	mov $1, %eax
	xor %edx, %edx
	wrmsr
	UCALL_M_DONE
GUEST_END(guest_hyperv)

/* Xen (CPL0): hypercall 0x100 with two parameters; report the result. */
GUEST_BEGIN(guest_xen)
	.code64
	mov $0x100, %eax
	mov $0x11, %edi
	mov $0x22, %esi
	vmcall
	UCALL_M_REPORT_RAX
	UCALL_M_DONE
GUEST_END(guest_xen)

/* Bus lock (CPL3): a LOCKed add across a cache-line boundary, then report. */
GUEST_BEGIN(guest_bus_lock)
	.code64
	GUEST_TO_USER(1f, T_USER_STACK)
1:
	mov $(T_DATA_GPA + 62), %ebx
	lock addl $5, (%rbx)
	mov (%rbx), %eax
	UCALL_M_REPORT_RAX
	UCALL_M_DONE
GUEST_END(guest_bus_lock)
