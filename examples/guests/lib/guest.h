/* SPDX-License-Identifier: MIT */
/*
 * guest.h - tiny freestanding support for the example guests (32- and
 * 64-bit): port I/O, a polling 16550 console on COM1 and the exit port.
 *
 * Everything here runs at CPL0 and every IN/OUT traps to the hypervisor
 * (most are VM exits), so keep the output short. The console driver is
 * FIFO-aware, as a 16550A allows: once the line status reports "THR empty"
 * the transmit FIFO takes 16 bytes, so the driver polls the line status
 * once per 16 bytes (counting what it has written since, across calls) and
 * sends each burst with one REP OUTSB. No division on 64-bit values: the
 * 32-bit guests have no libgcc to do it.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#define COM1 0x3f8
#define EXIT_PORT 0xf4

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* REP OUTSB: n bytes from p to one port, back to back, in one instruction. */
static inline void outsb(uint16_t port, const void *p, size_t n)
{
	__asm__ volatile("rep outsb" : "+S"(p), "+c"(n) : "d"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/*
 * Enable the 16-byte FIFOs (once, before printing). Without it the driver
 * sends one byte per "THR empty" poll, as a 16450 needs.
 */
void uart_init(void);
void uart_putc(char c);
/* Strings go out up to 16 bytes per "THR empty" poll (after uart_init). */
void uart_write(const char *s, size_t n);
void uart_puts(const char *s);
void uart_put_dec(unsigned long v);
void uart_put_hex(uint64_t v);   /* "0x..." without leading zeros */

/* Write code to the exit port ((code << 1) | 1 becomes the VMM's exit status). */
__attribute__((noreturn)) void guest_exit(uint32_t code);
/* cli; hlt forever. */
__attribute__((noreturn)) void guest_halt(void);

/* The compiler may emit calls to these. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
