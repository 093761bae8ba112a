/* SPDX-License-Identifier: MIT */
/* Guests for the kick, sync-regs, ring and SMP tests. Heavy work is at CPL3. */
#include "x86_64/guest_asm.h"

/* Drop to CPL3 and spin forever, counting iterations at T_DATA_GPA. */
GUEST_BEGIN(guest_spin)
	.code64
	GUEST_TO_USER(1f, T_USER_STACK)
1:
	mov $T_DATA_GPA, %ebx
2:
	incq (%rbx)
	jmp 2b
GUEST_END(guest_spin)

/*
 * SMP: RDI = this vCPU's index, RSI = iterations (set by the host). Drop to
 * CPL3, LOCK INC the shared counter at T_DATA_GPA RSI times, report RDI,
 * finish. The host gives each vCPU its own kernel stack.
 */
GUEST_BEGIN(guest_smp)
	.code64
	GUEST_TO_USER(1f, T_USER_STACK)
1:
	mov $T_DATA_GPA, %ebx
	mov %rsi, %rcx
2:
	lock incq (%rbx)
	dec %rcx
	jnz 2b
	mov %rdi, %rax
	UCALL_M_REPORT_RAX
	UCALL_M_DONE
GUEST_END(guest_smp)

/*
 * Dirty pages: RSI = number of pages, RDI = round number. At CPL3, write
 * the 8-byte value (round << 32 | i) at the start of page T_DATA_GPA + i *
 * 4096 for each i, report RSI, then do it again with round + 1 and report.
 */
GUEST_BEGIN(guest_dirty)
	.code64
	GUEST_TO_USER(1f, T_USER_STACK)
1:
	mov $T_DATA_GPA, %ebx
	xor %ecx, %ecx
2:
	mov %rdi, %rax
	shl $32, %rax
	or %rcx, %rax
	mov %rcx, %rdx
	shl $12, %rdx
	mov %rax, (%rbx, %rdx)
	inc %rcx
	cmp %rsi, %rcx
	jne 2b
	mov %rsi, %rax
	UCALL_M_REPORT_RAX
	inc %rdi
	jmp 1b
GUEST_END(guest_dirty)

#define ZONE 0xe0000000
/*
 * Coalesced MMIO: at CPL3 write 1, 2, 4 and 8 bytes into the zone, then
 * RSI 8-byte values 0..RSI-1 at ZONE + 0x100 (more than the ring holds),
 * then finish.
 */
GUEST_BEGIN(guest_coalesced)
	.code64
	GUEST_TO_USER(1f, T_USER_STACK)
1:
	mov $ZONE, %ebx
	movb $0x11, (%rbx)
	movw $0x2222, 0x10(%rbx)
	movl $0x33333333, 0x20(%rbx)
	movabs $0x4444444444444444, %rax
	mov %rax, 0x30(%rbx)
	UCALL_M_REPORT(1)
	xor %ecx, %ecx
2:
	mov %rcx, 0x100(%rbx)
	inc %rcx
	cmp %rsi, %rcx
	jne 2b
	UCALL_M_DONE
GUEST_END(guest_coalesced)

/* Coalesced PIO (CPL0): OUT 0x5a to port 0x70, 0x1234 to port 0x72, finish. */
GUEST_BEGIN(guest_coalesced_pio)
	.code64
	mov $0x70, %dx
	mov $0x5a, %al
	out %al, %dx
	mov $0x72, %dx
	mov $0x1234, %ax
	out %ax, %dx
	UCALL_M_DONE
GUEST_END(guest_coalesced_pio)

/*
 * INIT/SIPI start-up of an AP. guest_sipi_bsp (64-bit CPL0, on the BSP):
 * send INIT, then a start-up IPI with vector 0x30, to all other CPUs
 * through the in-kernel xAPIC's ICR (0xfee00300, "all excluding self"),
 * then finish. guest_sipi_ap (16-bit real mode, loaded at 0x30000 = vector
 * 0x30 << 12): the AP's start-up code; reports 0x5197, then its CS, and
 * finishes.
 */
GUEST_BEGIN(guest_sipi_bsp)
	.code64
	mov $0xfee00300, %ebx
	movl $0x000c4500, (%rbx)  /* INIT, level assert, all excluding self */
	movl $0x000c4630, (%rbx)  /* start-up, vector 0x30 */
	UCALL_DONE
GUEST_END(guest_sipi_bsp)

GUEST_BEGIN(guest_sipi_ap)
	.code16
	mov $0x5197, %eax
	UCALL_REPORT_EAX
	mov %cs, %ax
	movzwl %ax, %eax
	UCALL_REPORT_EAX
	UCALL_DONE
	hlt
	.code64
GUEST_END(guest_sipi_ap)
