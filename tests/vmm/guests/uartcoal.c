/* SPDX-License-Identifier: MIT */
/*
 * uartcoal.c - an ELF64 guest that checks the UART where ckvm-run queues
 * writes to the THR port (0x3f8) in KVM's coalesced ring instead of exiting
 * (dev_uart.c). The guest must not be able to tell:
 *   - with LCR.DLAB set, a write to 0x3f8 is the divisor latch (DLL): it
 *     reads back, and nothing is transmitted;
 *   - in loopback mode a byte written to THR comes back: LSR says "data
 *     ready" and RBR returns it;
 *   - bytes written without polling the line status come out, in order
 *     with what follows.
 * Prints one line per check and exits with 0x10 (status 33) when all
 * passed, or with the number of the failed check.
 *
 * -DSPIN: prints a line without polling, spins at CPL0 for about 0.1 s,
 * prints another and spins for good, all without a single exit (past the
 * one kick that starts ckvm-run's monitor thread, 20 ms in). The second
 * line must still come out while the guest runs: the monitor thread
 * applies the ring periodically. --timeout ends it.
 */
#include "guest.h"

#define UART_DLM 1
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define LCR_8N1  0x03
#define LCR_DLAB 0x80
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define LSR_DR   0x01

__asm__(
	".pushsection .text.entry, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
	"	call uartcoal_main\n"
	"1:	cli\n"
	"	hlt\n"
	"	jmp 1b\n"
	".popsection\n");

void uartcoal_main(void);

static inline uint64_t __attribute__((unused)) rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* Straight to THR, no line status poll: each is a coalesced write. */
static void put_unpolled(const char *s)
{
	while (*s)
		outb(COM1, (uint8_t)*s++);
}

static void __attribute__((unused)) check(int n, bool ok, const char *what)
{
	uart_puts(ok ? "uartcoal: ok: " : "uartcoal: FAILED: ");
	uart_puts(what);
	uart_puts("\n");
	if (!ok)
		guest_exit((uint32_t)n);
}

void uartcoal_main(void)
{
	uart_init();
#ifdef SPIN
	put_unpolled("uartcoal: spinning without exits\n");
	uint64_t t0 = rdtsc();
	while (rdtsc() - t0 < 300000000ull) /* 0.1 s at 3 GHz, 0.3 s at 1 GHz */
		cpu_relax();
	put_unpolled("uartcoal: still spinning\n");
	for (;;)
		cpu_relax();
#else
	/* 1. The divisor latch shares port 0x3f8 with THR. */
	outb(COM1 + UART_LCR, LCR_8N1 | LCR_DLAB);
	outb(COM1, 0x0c);                /* DLL: 9600 baud; queued, not sent */
	outb(COM1 + UART_DLM, 0x00);
	uint8_t dll = inb(COM1);
	outb(COM1 + UART_LCR, LCR_8N1);
	check(1, dll == 0x0c, "divisor latch reads back 0x0c");

	/* 2. Loopback: the byte written to THR is received. */
	outb(COM1 + UART_MCR, MCR_OUT2 | MCR_LOOP);
	outb(COM1, 'L');
	uint8_t lsr = inb(COM1 + UART_LSR);
	uint8_t rbr = inb(COM1);
	outb(COM1 + UART_MCR, MCR_OUT2);
	check(2, (lsr & LSR_DR) && rbr == 'L', "loopback byte received");

	/* 3. The scratch register, between queued writes. */
	outb(COM1, 'x');
	outb(COM1 + UART_SCR, 0x5a);
	outb(COM1, 'y');
	check(3, inb(COM1 + UART_SCR) == 0x5a, "scratch register keeps 0x5a");

	/* 4. Unpolled output, then polled output: in that order. */
	put_unpolled("uartcoal: unpolled line\n");
	uart_puts("uartcoal: polled line\n");
	guest_exit(0x10);
#endif
}
