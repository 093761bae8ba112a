/* SPDX-License-Identifier: MIT */
/*
 * elf64.c - a plain ELF64 executable: ckvm-run enters it in 64-bit long
 * mode on its identity map. Built twice: as ELF (exits with 0x11, status
 * 35) and, with -DFLAT, converted to a flat binary for --format flat
 * (exits with 0x13, status 39).
 */
#include "guest.h"

#ifdef FLAT
#define NAME "flat64"
#define CODE 0x13
#else
#define NAME "elf64"
#define CODE 0x11
#endif

__asm__(
	".pushsection .text.entry, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
	"	call elf64_main\n"
	"1:	cli\n"
	"	hlt\n"
	"	jmp 1b\n"
	".popsection\n");

void elf64_main(void);

void elf64_main(void)
{
	uint64_t cs, efer_lo, efer_hi;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	__asm__ volatile("rdmsr" : "=a"(efer_lo), "=d"(efer_hi) : "c"(0xc0000080u));
	uart_puts(NAME ": hello from 64-bit mode, cs ");
	uart_put_hex(cs);
	uart_puts(efer_lo & 0x400 ? " long mode active\n" : " long mode NOT active\n");
	guest_exit(CODE);
}
