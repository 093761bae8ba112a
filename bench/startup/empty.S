/* SPDX-License-Identifier: MIT */
/*
 * empty.S - the smallest multiboot guest: writes 0 to the exit port at
 * once (status 1). Timing it measures a VMM's own start and exit cost.
 */
	.section .multiboot, "a"
	.align 4
	.long 0x1badb002, 0x3, -(0x1badb002 + 0x3)

	.section .text.entry, "ax"
	.code32
	.globl _start
_start:
	xor	%eax, %eax
	mov	$0xf4, %dx
	outl	%eax, %dx
1:	cli
	hlt
	jmp	1b
