/* SPDX-License-Identifier: MIT */
/*
 * real16.S - a flat real-mode binary for --format flat --cpu-mode 16
 * --load-addr 0x7c00: prints one line and exits with 0x14 (status 41).
 */
	.code16
	.section .text.entry, "ax"
	.globl _start
_start:
	cld
	mov	$msg, %si
	mov	$0x3f8, %dx
1:	lodsb
	test	%al, %al
	jz	2f
	outb	%al, %dx
	jmp	1b
2:	mov	$0xf4, %dx
	mov	$0x14, %al
	outb	%al, %dx
3:	cli
	hlt
	jmp	3b
msg:	.asciz "real16: hello from real mode\n"
