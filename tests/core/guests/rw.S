/* SPDX-License-Identifier: MIT */
/*
 * rw.S - the core tests' guest: a 64-bit CPL0 loop that executes one
 * command from a mailbox per run and reports (port-I/O ucall) when done.
 *
 * Mailbox at T_DATA_GPA: u64 op, u64 addr, u64 value. Ops:
 *   0 READ32  report *(u32 *)addr          8 IN8     report inb(addr)
 *   1 WRITE8  *(u8  *)addr = value         9 RDMSR   report low 32 bits of MSR addr
 *   2 WRITE16 *(u16 *)addr = value        10 WRMSR   MSR addr = value
 *   3 WRITE32 *(u32 *)addr = value        11 PITRD   latch PIT channel 0, report its count
 *   4 WRITE64 *(u64 *)addr = value
 *   5 OUT8 / 6 OUT16 / 7 OUT32: port addr, data value
 *  12 WAITIRQ sti; hlt; cli: waits for one interrupt (core_irq_handler)
 *
 * core_irq_handler (install it with t_guest_set_idt_gate) sends the LAPIC an
 * EOI, reports CORE_IRQ_SEEN and returns.
 * Ops without a result report CORE_OP_DONE. Unknown ops report FAIL.
 * Each command is a few dozen instructions (CPL0 is emulated slowly here).
 */
#include "x86_64/guest_asm.h"

#define CORE_OP_DONE 0xd0e
#define CORE_IRQ_SEEN 0x1e0

GUEST_BEGIN(core_rw)
	.code64
next:
	mov $T_DATA_GPA, %ebx
	mov 0(%rbx), %rax
	mov 8(%rbx), %rsi
	mov 16(%rbx), %rcx
	cmp $0, %eax
	je op_read32
	cmp $1, %eax
	je op_write8
	cmp $2, %eax
	je op_write16
	cmp $3, %eax
	je op_write32
	cmp $4, %eax
	je op_write64
	cmp $5, %eax
	je op_out8
	cmp $6, %eax
	je op_out16
	cmp $7, %eax
	je op_out32
	cmp $8, %eax
	je op_in8
	cmp $9, %eax
	je op_rdmsr
	cmp $10, %eax
	je op_wrmsr
	cmp $11, %eax
	je op_pitrd
	cmp $12, %eax
	je op_waitirq
	UCALL_FAIL(1)
	jmp next
op_read32:
	mov (%rsi), %eax
	UCALL_REPORT_EAX
	jmp next
op_write8:
	mov %cl, (%rsi)
	jmp done
op_write16:
	mov %cx, (%rsi)
	jmp done
op_write32:
	mov %ecx, (%rsi)
	jmp done
op_write64:
	mov %rcx, (%rsi)
	jmp done
op_out8:
	mov %esi, %edx
	mov %ecx, %eax
	out %al, %dx
	jmp done
op_out16:
	mov %esi, %edx
	mov %ecx, %eax
	out %ax, %dx
	jmp done
op_out32:
	mov %esi, %edx
	mov %ecx, %eax
	out %eax, %dx
	jmp done
op_in8:
	mov %esi, %edx
	xor %eax, %eax
	in %dx, %al
	UCALL_REPORT_EAX
	jmp next
op_rdmsr:
	mov %esi, %ecx
	rdmsr
	UCALL_REPORT_EAX
	jmp next
op_wrmsr:
	mov %rcx, %rax
	mov %rcx, %rdx
	shr $32, %rdx
	mov %esi, %ecx
	wrmsr
	jmp done
op_pitrd:
	xor %eax, %eax
	out %al, $0x43
	in $0x40, %al
	mov %al, %cl
	in $0x40, %al
	mov %al, %ch
	movzwl %cx, %eax
	UCALL_REPORT_EAX
	jmp next
op_waitirq:
	sti
	hlt
	cli
	jmp done
done:
	UCALL_REPORT(CORE_OP_DONE)
	jmp next

	.globl core_irq_handler
core_irq_handler:
	push %rax
	push %rdx
	mov $0xfee000b0, %edx
	movl $0, (%rdx)
	UCALL_REPORT(CORE_IRQ_SEEN)
	pop %rdx
	pop %rax
	iretq
GUEST_END(core_rw)
