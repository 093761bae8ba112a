/* SPDX-License-Identifier: MIT */
/* guest.c - console, exit and string helpers for the example guests. */
#include "guest.h"

#define UART_FCR 2
#define UART_LSR 5
#define LSR_THRE 0x20
#define FCR_ENABLE_CLEAR 0x07 /* enable FIFOs, clear both */
#define FIFO_SIZE 16

/*
 * Transmit slots known to be free: the FIFO size right after LSR said
 * "THR empty", minus the bytes written since. The UART may have sent more
 * meanwhile, but only a new poll can tell; counting low is always safe.
 */
static size_t fifo_size = 1, tx_room;

void uart_init(void)
{
	outb(COM1 + UART_FCR, FCR_ENABLE_CLEAR);
	fifo_size = FIFO_SIZE;
	tx_room = 0;
}

void uart_write(const char *s, size_t n)
{
	while (n) {
		if (!tx_room) {
			while (!(inb(COM1 + UART_LSR) & LSR_THRE))
				cpu_relax();
			tx_room = fifo_size; /* transmitter empty: the FIFO is all ours */
		}
		size_t chunk = n < tx_room ? n : tx_room;
		outsb(COM1, s, chunk);
		s += chunk;
		n -= chunk;
		tx_room -= chunk;
	}
}

void uart_putc(char c)
{
	uart_write(&c, 1);
}

void uart_puts(const char *s)
{
	uart_write(s, strlen(s));
}

void uart_put_dec(unsigned long v)
{
	char buf[24];
	int i = 0;

	char out[24];
	int n = 0;

	do {
		buf[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		out[n++] = buf[--i];
	uart_write(out, (size_t)n);
}

void uart_put_hex(uint64_t v)
{
	char out[18] = "0x";
	int shift = 60, n = 2;

	while (shift > 0 && !((v >> shift) & 0xf))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		out[n++] = "0123456789abcdef"[(v >> shift) & 0xf];
	uart_write(out, (size_t)n);
}

void guest_exit(uint32_t code)
{
	outl(EXIT_PORT, code);
	guest_halt(); /* not reached under ckvm-run or QEMU's isa-debug-exit */
}

void guest_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}
