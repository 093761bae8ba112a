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

/*
 * Hyper-V SIGNAL_EVENT (CPL0): set a guest OS id, enable the hypercall page
 * at T_DATA_GPA + 0x1000 (KVM writes the hypercall instruction there), then
 * call it with HvSignalEvent (code 0x5d, fast: the connection id, RDI from
 * the host, in RDX) and report the status (RAX, 0 = success).
 */
GUEST_BEGIN(guest_hv_signal)
	.code64
	mov $0x40000000, %ecx       /* HV_X64_MSR_GUEST_OS_ID */
	mov $1, %eax
	xor %edx, %edx
	wrmsr
	mov $0x40000001, %ecx       /* HV_X64_MSR_HYPERCALL: page | enable */
	mov $(T_DATA_GPA + 0x1000 + 1), %eax
	xor %edx, %edx
	wrmsr
	mov $0x1005d, %ecx          /* HvSignalEvent, fast */
	mov %rdi, %rdx
	xor %r8d, %r8d
	mov $(T_DATA_GPA + 0x1000), %eax
	call *%rax
	UCALL_M_REPORT_RAX
	UCALL_M_DONE
GUEST_END(guest_hv_signal)

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
