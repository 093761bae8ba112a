/* SPDX-License-Identifier: MIT */
/*
 * uartirq.c - an ELF64 guest that drives the UART by interrupts, the way
 * Linux's 8250 driver does once user space writes to the console:
 *   - IRQ 4 routed through the in-kernel IOAPIC (pin 4, as the MP table
 *     says) to vector 0x34 on the local APIC, the 8259 PICs masked (KVM
 *     wires every ISA IRQ to both);
 *   - transmit: bytes go out one per "THR empty" interrupt (IER.THRI);
 *   - receive: bytes arrive by "data ready" interrupts (IER.RDI) until a
 *     newline; ckvm-run feeds them from its stdin.
 * Prints the line it received and the interrupt counts, then exits with
 * 0x15 (status 43).
 */
#include "guest.h"

#define IOAPIC 0xfec00000ul
#define LAPIC  0xfee00000ul
#define VECTOR 0x34
#define UART_IER 1
#define UART_IIR 2
#define UART_LSR 5
#define IER_RDI  0x01
#define IER_THRI 0x02

__asm__(
	".pushsection .text.entry, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
	"	lea stack_top(%rip), %rsp\n"
	"	call uartirq_main\n"
	"1:	cli\n"
	"	hlt\n"
	"	jmp 1b\n"
	/* The interrupt entry: save the caller-saved registers, call C. */
	".globl irq_entry\n"
	"irq_entry:\n"
	"	push %rax; push %rcx; push %rdx; push %rsi; push %rdi\n"
	"	push %r8; push %r9; push %r10; push %r11\n"
	"	call uart_irq\n"
	"	pop %r11; pop %r10; pop %r9; pop %r8\n"
	"	pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rax\n"
	"	iretq\n"
	".popsection\n"
	".pushsection .bss\n"
	".align 16\n"
	".space 8192\n"
	"stack_top:\n"
	".popsection\n");

void uartirq_main(void);
void uart_irq(void);
void irq_entry(void);

struct idt_entry {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
} __attribute__((packed));
static struct idt_entry idt[256] __attribute__((aligned(16)));

static const char greeting[] = "uartirq: sent by THR-empty interrupts\n";
static volatile size_t tx_pos;
static volatile unsigned tx_irqs, rx_irqs, irqs;
static char rx[64];
static volatile size_t rx_len;
static volatile bool rx_line;

static void mmio_write(uintptr_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write(IOAPIC, reg);
	mmio_write(IOAPIC + 0x10, v);
}

void uart_irq(void)
{
	uint8_t iir;

	irqs++;
	while (!((iir = inb(COM1 + UART_IIR)) & 1)) {
		if ((iir & 0x0e) == 0x04) { /* received data */
			rx_irqs++;
			while (inb(COM1 + UART_LSR) & 1) {
				char c = (char)inb(COM1);
				if (c == '\n')
					rx_line = true;
				else if (rx_len < sizeof(rx) - 1)
					rx[rx_len++] = c;
			}
		} else if ((iir & 0x0e) == 0x02) { /* THR empty: next byte, or stop */
			tx_irqs++;
			if (tx_pos < sizeof(greeting) - 1)
				outb(COM1, (uint8_t)greeting[tx_pos++]);
			else
				outb(COM1 + UART_IER, IER_RDI);
		}
	}
	mmio_write(LAPIC + 0xb0, 0); /* EOI */
}

void uartirq_main(void)
{
	uintptr_t h = (uintptr_t)irq_entry;
	idt[VECTOR] = (struct idt_entry){ (uint16_t)h, 0x10, 0, 0x8e, (uint16_t)(h >> 16),
					  (uint32_t)(h >> 32), 0 };
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uintptr_t)idt };
	__asm__ volatile("lidt %0" : : "m"(idtr));

	outb(0x21, 0xff);                        /* mask the 8259 PICs: IOAPIC only */
	outb(0xa1, 0xff);
	mmio_write(LAPIC + 0xf0, 0x1ff);         /* enable the local APIC */
	ioapic_write(0x10 + 2 * 4 + 1, 0);       /* pin 4 -> APIC ID 0 */
	ioapic_write(0x10 + 2 * 4, VECTOR);      /* fixed, edge, high, unmasked */

	outb(COM1 + UART_IER, IER_THRI | IER_RDI); /* raises "THR empty" at once */
	while (!rx_line)
		__asm__ volatile("sti; hlt; cli");
	outb(COM1 + UART_IER, 0);

	uart_puts("uartirq: received '");
	uart_write(rx, rx_len);
	uart_puts("'\nuartirq: ");
	uart_put_dec(tx_irqs);
	uart_puts(" THR-empty and ");
	uart_put_dec(rx_irqs);
	uart_puts(" data-ready interrupts\n");
	guest_exit(tx_pos == sizeof(greeting) - 1 ? 0x15 : 0x16);
}
