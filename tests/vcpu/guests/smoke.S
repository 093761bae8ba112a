/* SPDX-License-Identifier: MIT */
/* Smoke guests for the tiny-guest harness: one real-mode, one long-mode. */
#include "x86_64/guest_asm.h"

/* Real mode: report 0x1234, read a value from the host, report it + 1. */
GUEST_BEGIN(guest_real_smoke)
	.code16
	mov $0x1234, %eax
	UCALL_REPORT_EAX
	UCALL_INPUT_EAX
	inc %eax
	UCALL_REPORT_EAX
	/* absolute data access through G(): read a word we placed below */
	mov G(real_word), %ax
	movzx %ax, %eax
	UCALL_REPORT_EAX
	UCALL_DONE
	hlt
real_word:
	.word 0xbeef
GUEST_END(guest_real_smoke)

/* Long mode: report 42 at CPL0, drop to CPL3, loop 10M times, report with MMIO ucalls. */
GUEST_BEGIN(guest_long_smoke)
	.code64
	UCALL_REPORT(42)
	GUEST_TO_USER(1f, T_USER_STACK)
1:
	xor %ecx, %ecx
2:
	inc %ecx
	cmp $10000000, %ecx
	jne 2b
	mov %rcx, %rax
	UCALL_M_REPORT_RAX
	/* report CPL (CS & 3) */
	mov %cs, %eax
	and $3, %eax
	UCALL_M_REPORT_RAX
	UCALL_M_INPUT_RAX
	inc %rax
	UCALL_M_REPORT_RAX
	UCALL_M_DONE
	hlt
GUEST_END(guest_long_smoke)

/* 32-bit protected mode: report CR0.PE and an absolute data word. */
GUEST_BEGIN(guest_prot_smoke)
	.code32
	mov %cr0, %eax
	and $1, %eax
	UCALL_REPORT_EAX
	mov G(prot_word), %eax
	UCALL_REPORT_EAX
	UCALL_DONE
	hlt
prot_word:
	.long 0xcafef00d
GUEST_END(guest_prot_smoke)

/* Started directly at CPL3 (T_MODE_USER64): report CS & 3, then done. */
GUEST_BEGIN(guest_user_smoke)
	.code64
	mov %cs, %eax
	and $3, %eax
	UCALL_M_REPORT_RAX
	UCALL_M_DONE
GUEST_END(guest_user_smoke)
