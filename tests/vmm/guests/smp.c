/* SPDX-License-Identifier: MIT */
/*
 * smp.c - an ELF64 guest that finds its CPUs in the MP table and starts
 * them with INIT + SIPI through the (in-kernel) local APIC. Each CPU prints
 * one line; when all have checked in, the boot CPU exits with 0x22
 * (status 69), or 0x23 (71) when some did not within a bounded wait.
 */
#include "guest.h"

#define LAPIC_BASE 0xfee00000ul
#define LAPIC_SVR  0x0f0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define ICR_INIT   0x00004500u /* INIT, level assert */
#define ICR_SIPI   0x00004600u /* start-up, vector in bits 0-7 */
#define SIPI_VECTOR 0x08        /* AP starts at 0x8000 */
#define MAX_CPUS 16

__asm__(
	".pushsection .text.entry, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
	"	lea bsp_stack_top(%rip), %rsp\n"
	"	call smp_main\n"
	"1:	cli\n"
	"	hlt\n"
	"	jmp 1b\n"
	".popsection\n"
	".pushsection .bss\n"
	".align 16\n"
	".space 8192\n"
	"bsp_stack_top:\n"
	".popsection\n");

extern uint8_t tramp_gdtr[10];
extern uint32_t tramp_cr3;
uint8_t ap_stacks[(MAX_CPUS + 1) * 4096] __attribute__((aligned(4096)));
uint32_t ap_stack_next;
static uint32_t ap_count;
static int print_lock;

void smp_main(void);
void ap_main(void);

struct mpf {
	char sig[4];
	uint32_t physptr;
	uint8_t length, spec, checksum, feature1;
	uint8_t feature[4];
} __attribute__((packed));
struct mpc {
	char sig[4];
	uint16_t length;
	uint8_t spec, checksum;
	char oem[8], product[12];
	uint32_t oemptr;
	uint16_t oemsize, count;
	uint32_t lapic;
	uint16_t extlen;
	uint8_t extsum, reserved;
} __attribute__((packed));

static uint8_t sum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;
	while (n--)
		s += *b++;
	return s;
}

static const struct mpc *find_mp_table(void)
{
	for (uintptr_t a = 0xf0000; a < 0x100000; a += 16) {
		const struct mpf *f = (const void *)a;
		if (!memcmp(f->sig, "_MP_", 4) && sum(f, 16) == 0 && f->physptr) {
			const struct mpc *c = (const void *)(uintptr_t)f->physptr;
			if (!memcmp(c->sig, "PCMP", 4) && sum(c, c->length) == 0)
				return c;
		}
	}
	return NULL;
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(LAPIC_BASE + reg) = v;
}

static void lock(void)
{
	while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static void unlock(void)
{
	__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}

static uint32_t my_apic_id(void)
{
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	return b >> 24;
}

static void hello(uint32_t id)
{
	lock();
	uart_puts("smp: hello from cpu ");
	uart_put_dec(id);
	uart_putc('\n');
	unlock();
}

void ap_main(void)
{
	hello(my_apic_id());
	__atomic_fetch_add(&ap_count, 1, __ATOMIC_RELEASE);
	guest_halt();
}

void smp_main(void)
{
	const struct mpc *mpc = find_mp_table();
	uint8_t ids[MAX_CPUS];
	unsigned ncpu = 0;
	uint32_t self = my_apic_id();

	if (!mpc) {
		uart_puts("smp: no MP table\n");
		guest_exit(0x23);
	}
	const uint8_t *e = (const uint8_t *)(mpc + 1);
	for (unsigned i = 0; i < mpc->count; i++) {
		if (e[0] == 0) { /* processor: id, version, flags (1 = enabled) */
			if ((e[3] & 1) && ncpu < MAX_CPUS)
				ids[ncpu++] = e[1];
			e += 20;
		} else {
			e += 8;
		}
	}
	uart_puts("smp: MP table lists ");
	uart_put_dec(ncpu);
	uart_puts(" CPUs\n");
	hello(self);

	/* Hand our GDT and page tables to the APs, then wake them. */
	__asm__ volatile("sgdt %0" : "=m"(tramp_gdtr));
	uint64_t cr3;
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	tramp_cr3 = (uint32_t)cr3;
	lapic_write(LAPIC_SVR, 0x1ff); /* software-enable our local APIC */
	for (unsigned i = 0; i < ncpu; i++) {
		if (ids[i] == self)
			continue;
		lapic_write(LAPIC_ICR_HI, (uint32_t)ids[i] << 24);
		lapic_write(LAPIC_ICR_LO, ICR_INIT);
		lapic_write(LAPIC_ICR_HI, (uint32_t)ids[i] << 24);
		lapic_write(LAPIC_ICR_LO, ICR_SIPI | SIPI_VECTOR);
	}
	for (unsigned long spin = 0; spin < 20000000ul; spin++) {
		if (__atomic_load_n(&ap_count, __ATOMIC_ACQUIRE) + 1 >= ncpu)
			break;
		cpu_relax();
	}
	uint32_t seen = __atomic_load_n(&ap_count, __ATOMIC_ACQUIRE) + 1;
	lock();
	uart_puts("smp: ");
	uart_put_dec(seen);
	uart_puts(" of ");
	uart_put_dec(ncpu);
	uart_puts(" CPUs checked in\n");
	unlock();
	guest_exit(seen == ncpu ? 0x22 : 0x23);
}
