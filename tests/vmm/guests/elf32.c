/* SPDX-License-Identifier: MIT */
/*
 * elf32.c - a plain ELF32 executable (no multiboot header): ckvm-run enters
 * it in 32-bit protected mode, paging off. Prints its CS and CR0 and exits
 * with 0x12 (status 37).
 */
#include "guest.h"

__asm__(
	".pushsection .text.entry, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
	"	call elf32_main\n"
	"1:	cli\n"
	"	hlt\n"
	"	jmp 1b\n"
	".popsection\n");

void elf32_main(void);

void elf32_main(void)
{
	uint32_t cs, cr0;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	uart_puts("elf32: hello from 32-bit protected mode, cs ");
	uart_put_hex(cs);
	uart_puts(cr0 & 0x80000000u ? " paging on\n" : " paging off\n");
	guest_exit(0x12);
}
