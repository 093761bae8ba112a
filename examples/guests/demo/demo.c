/* SPDX-License-Identifier: MIT */
/*
 * demo.c - the ckvm demo guest.
 *
 * 1. kmain (CPL0): greet through the UART with the RAM size the multiboot
 *    loader reported, set up SYSCALL, drop to user mode.
 * 2. user_main (CPL3): the heavy part, counting primes by trial division.
 * 3. on_syscall (CPL0): print the result and leave through port 0xf4 with
 *    0 when the count is right (ckvm-run exits with status 1) or 1 (3).
 *
 * Why the split: where KVM emulates guest kernel code in software (as on
 * this project's CI machines), CPL0 instructions cost about a microsecond
 * each, while user mode runs natively. So kernel mode only does what needs
 * it, and prints little: port I/O traps to the hypervisor, so the console
 * (guest.c) polls the UART once per 16 bytes and sends them with one
 * REP OUTSB.
 *
 * The same image runs under ckvm-run and under QEMU
 * (-kernel demo.elf -device isa-debug-exit,iobase=0xf4,iosize=4).
 */
#include "guest.h"

#define PRIME_LIMIT 20000ul
#define PRIME_COUNT 2262ul /* primes below 20000 */

#define MB_BOOTLOADER_MAGIC 0x2badb002u
#define MBI_MEMORY (1u << 0)
#define MSR_STAR   0xc0000081
#define MSR_LSTAR  0xc0000082
#define MSR_FMASK  0xc0000084
#define RFLAGS_IF  0x200

void kmain(uint32_t magic, uint32_t mbi);
void on_syscall(uint64_t result);
void syscall_entry(void);
void enter_user(void (*rip)(void), void *rsp) __attribute__((noreturn));

static uint8_t user_stack[16384] __attribute__((aligned(16)));

static void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* CPL3: native speed even where kernel mode is emulated. */
static void user_main(void)
{
	unsigned long count = 0;

	for (unsigned long n = 2; n < PRIME_LIMIT; n++) {
		bool prime = true;
		for (unsigned long d = 2; d * d <= n; d++) {
			if (n % d == 0) {
				prime = false;
				break;
			}
		}
		count += prime;
	}
	/* Back to the kernel: SYSCALL with the result in RDI. */
	__asm__ volatile("syscall" : : "D"(count) : "rcx", "r11", "memory");
	for (;;)
		;
}

void kmain(uint32_t magic, uint32_t mbi)
{
	uart_init();
	uart_puts("Hello from the ckvm demo guest!");
	if (magic == MB_BOOTLOADER_MAGIC) {
		const uint32_t *info = (const uint32_t *)(uintptr_t)mbi;
		if (info[0] & MBI_MEMORY) {
			uart_puts(" (");
			uart_put_dec((info[2] >> 10) + 1); /* mem_upper: KiB above 1 MiB */
			uart_puts(" MiB)");
		}
	}
	uart_puts("\n");
	/* SYSCALL enters syscall_entry with CS 0x08, SS 0x10 and IF cleared. */
	wrmsr(MSR_STAR, (uint64_t)0x08 << 32 | (uint64_t)0x10 << 48);
	wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
	wrmsr(MSR_FMASK, RFLAGS_IF);
	enter_user(user_main, user_stack + sizeof(user_stack));
}

void on_syscall(uint64_t result)
{
	uart_puts("CPL3: ");
	uart_put_dec((unsigned long)result);
	uart_puts(result == PRIME_COUNT ? " primes below 20000 (correct)\n" :
					  " primes below 20000 (WRONG)\n");
	guest_exit(result == PRIME_COUNT ? 0 : 1);
}
