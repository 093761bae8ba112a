/* SPDX-License-Identifier: MIT */
/* Guests for test_state.c. */
#include "x86_64/guest_asm.h"

/*
 * 64-bit CPL0: IN from port 0x50, OUT to port 0x51 right after. Used to
 * show that ckvm_vcpu_complete_io() finishes the IN without running on.
 */
GUEST_BEGIN(guest_complete_io)
	.code64
	mov $0x50, %dx
	in %dx, %al
	.globl guest_complete_io_after_in
guest_complete_io_after_in:
	mov $0x51, %dx
	out %al, %dx
	UCALL_M_DONE
GUEST_END(guest_complete_io)

/* 64-bit CPL0: spin; the NMI handler (vector 2) reports 2 and finishes. */
GUEST_BEGIN(guest_nmi)
	.code64
1:
	pause
	jmp 1b
	.globl guest_nmi_handler
guest_nmi_handler:
	UCALL_M_REPORT(2)
	UCALL_M_DONE
GUEST_END(guest_nmi)

/* 64-bit CPL0: report RBX, CR2, RBX again; the host changes them in between. */
GUEST_BEGIN(guest_regs)
	.code64
	mov %rbx, %rax
	UCALL_M_REPORT_RAX
	mov %cr2, %rax
	UCALL_M_REPORT_RAX
	mov %rbx, %rax
	UCALL_M_REPORT_RAX
	UCALL_M_DONE
GUEST_END(guest_regs)

/*
 * 64-bit CPL0: REP INSB of 1500 bytes from port 0x52 to T_DATA_GPA (KVM
 * moves at most 1024 bytes per exit).
 */
GUEST_BEGIN(guest_complete_io_str)
	.code64
	cld
	mov $T_DATA_GPA, %edi
	mov $1500, %ecx
	mov $0x52, %dx
	.globl guest_complete_io_str_insn
guest_complete_io_str_insn:
	rep insb
	.globl guest_complete_io_str_after
guest_complete_io_str_after:
	UCALL_M_DONE
GUEST_END(guest_complete_io_str)

/* 64-bit CPL0: forever report RBX, then CR2 (the host changes them in between). */
GUEST_BEGIN(guest_regs_loop)
	.code64
1:
	mov %rbx, %rax
	UCALL_M_REPORT_RAX
	mov %cr2, %rax
	UCALL_M_REPORT_RAX
	jmp 1b
GUEST_END(guest_regs_loop)

/*
 * 64-bit CPL0: 8-byte MMIO accesses that cross a page boundary, which KVM
 * splits into two exits of 4 bytes: a write, then a read.
 */
GUEST_BEGIN(guest_complete_io_split)
	.code64
	movabs $0x1122334455667788, %rax
	movabs %rax, 0xd0000ffc
	.globl guest_complete_io_split_read
guest_complete_io_split_read:
	movabs 0xd0001ffc, %rax
	.globl guest_complete_io_split_after
guest_complete_io_split_after:
	UCALL_M_REPORT_RAX
	UCALL_M_DONE
GUEST_END(guest_complete_io_split)

/*
 * 64-bit CPL0: WRMSR 0 to MSR_KVM_SYSTEM_TIME_NEW (kvmclock off). Reports 1
 * when it worked, 0x6d from the #GP handler when KVM refused it.
 */
GUEST_BEGIN(guest_pv_msr)
	.code64
	mov $0x4b564d01, %ecx
	xor %eax, %eax
	xor %edx, %edx
	wrmsr
	UCALL_M_REPORT(1)
	UCALL_M_DONE
	.globl guest_pv_msr_gp
guest_pv_msr_gp:
	UCALL_M_REPORT(0x6d)
	UCALL_M_DONE
GUEST_END(guest_pv_msr)
