/* SPDX-License-Identifier: MIT */
/*
 * smp_trampoline.S - where an application processor starts.
 *
 * The boot CPU sends INIT and a start-up IPI with vector 0x08, so the AP
 * begins in real mode at 0x0800:0000 = 0x8000 (this section is linked and
 * loaded there). It loads the boot CPU's GDT and page tables (which the
 * boot CPU wrote into tramp_gdtr / tramp_cr3), turns on PAE, long mode and
 * paging in one go, and far-jumps to 64-bit code.
 */
	.section .trampoline, "awx"
	.code16
	.globl ap_trampoline
ap_trampoline:
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	lgdtl	tramp_gdtr
	mov	%cr4, %eax
	or	$0x20, %eax		/* PAE */
	mov	%eax, %cr4
	mov	tramp_cr3, %eax
	mov	%eax, %cr3
	mov	$0xc0000080, %ecx	/* EFER.LME */
	rdmsr
	or	$0x100, %eax
	wrmsr
	mov	%cr0, %eax
	or	$0x80000001, %eax	/* PG | PE */
	mov	%eax, %cr0
	ljmpl	$0x10, $ap_long64	/* the VMM's 64-bit code segment */

	.code64
ap_long64:
	mov	$0x18, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	$1, %eax
	lock xadd %eax, ap_stack_next(%rip)	/* a stack of our own */
	inc	%eax
	shl	$12, %eax
	lea	ap_stacks(%rip), %rsp
	add	%rax, %rsp
	call	ap_main
1:	cli
	hlt
	jmp	1b

	.align 8
	.globl tramp_gdtr, tramp_cr3
tramp_gdtr:
	.word 0
	.quad 0
tramp_cr3:
	.long 0
