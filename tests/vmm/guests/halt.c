/* SPDX-License-Identifier: MIT */
/*
 * halt.c - ELF64 guests that stop without the exit port:
 *   default:   cli; hlt      (ckvm-run ends with status 0, "guest halted")
 *   -DIDLE:    sti; hlt loop (waits for interrupts forever: --timeout or a
 *              signal ends it)
 *   -DTRIPLE:  no IDT, then an invalid opcode: #UD -> #DF -> triple fault
 *              (ckvm-run dumps registers and ends with status 4)
 */
#include "guest.h"

__asm__(
	".pushsection .text.entry, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
	"	call halt_main\n"
	"1:	cli\n"
	"	hlt\n"
	"	jmp 1b\n"
	".popsection\n");

void halt_main(void);

void halt_main(void)
{
#if defined(IDLE)
	uart_puts("idle: waiting for interrupts that never come\n");
	for (;;)
		__asm__ volatile("sti; hlt");
#elif defined(TRIPLE)
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) no_idt = { 0, 0 };
	uart_puts("triple: faulting with no IDT\n");
	__asm__ volatile("lidt %0; ud2" : : "m"(no_idt));
#else
	uart_puts("halt: cli; hlt\n");
#endif
	guest_halt();
}
