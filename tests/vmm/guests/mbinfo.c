/* SPDX-License-Identifier: MIT */
/*
 * mbinfo.c - a multiboot v1 kernel (ELF32, 32-bit C) that prints what the
 * loader handed over: magic, memory sizes, command line, loader name,
 * memory map and module 0 (with its size and FNV-1a checksum). Exits with
 * 0x10 (status 33) when the magic is right, 0x11 (35) when not.
 */
#include "guest.h"
#include "fnv.h"

__asm__(
	".pushsection .multiboot, \"a\"\n"
	".align 4\n"
	".long 0x1badb002, 0x3, -(0x1badb002 + 0x3)\n"
	".popsection\n"
	".pushsection .text.entry, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
	"	mov $stack_top, %esp\n"
	"	push %ebx\n"
	"	push %eax\n"
	"	call mb_main\n"
	"1:	cli\n"
	"	hlt\n"
	"	jmp 1b\n"
	".popsection\n"
	".pushsection .bss\n"
	".align 16\n"
	".space 4096\n"
	"stack_top:\n"
	".popsection\n");

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr, drives_length, drives_addr, config_table;
	uint32_t boot_loader_name;
};
struct mb_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));
struct mb_mod {
	uint32_t start, end, string, reserved;
};

void mb_main(uint32_t magic, const struct mb_info *mbi);

static void line(const char *label, uint64_t v)
{
	uart_puts("mbinfo: ");
	uart_puts(label);
	uart_put_hex(v);
	uart_putc('\n');
}

void mb_main(uint32_t magic, const struct mb_info *mbi)
{
	if (magic != 0x2badb002u) {
		line("bad magic ", magic);
		guest_exit(0x11);
	}
	uart_puts("mbinfo: magic ok\n");
	line("flags ", mbi->flags);
	if (mbi->flags & 1) {
		uart_puts("mbinfo: mem_lower ");
		uart_put_dec(mbi->mem_lower);
		uart_puts(" mem_upper ");
		uart_put_dec(mbi->mem_upper);
		uart_putc('\n');
	}
	if (mbi->flags & (1u << 2)) {
		uart_puts("mbinfo: cmdline '");
		uart_puts((const char *)(uintptr_t)mbi->cmdline);
		uart_puts("'\n");
	}
	if (mbi->flags & (1u << 9)) {
		uart_puts("mbinfo: loader '");
		uart_puts((const char *)(uintptr_t)mbi->boot_loader_name);
		uart_puts("'\n");
	}
	if (mbi->flags & (1u << 6)) {
		unsigned n = 0;
		for (uint32_t off = 0; off < mbi->mmap_length;) {
			const struct mb_mmap *e = (const void *)(uintptr_t)(mbi->mmap_addr + off);
			uart_puts("mbinfo: mmap ");
			uart_put_hex(e->addr);
			uart_putc(' ');
			uart_put_hex(e->len);
			uart_putc(' ');
			uart_put_dec(e->type);
			uart_putc('\n');
			off += e->size + 4;
			n++;
		}
		uart_puts("mbinfo: mmap entries ");
		uart_put_dec(n);
		uart_putc('\n');
	}
	if (mbi->flags & (1u << 3)) {
		uart_puts("mbinfo: mods ");
		uart_put_dec(mbi->mods_count);
		uart_putc('\n');
		const struct mb_mod *m = (const void *)(uintptr_t)mbi->mods_addr;
		for (uint32_t i = 0; i < mbi->mods_count; i++) {
			uart_puts("mbinfo: module size ");
			uart_put_dec(m[i].end - m[i].start);
			uart_puts(" fnv ");
			uart_put_hex(fnv1a((const uint8_t *)(uintptr_t)m[i].start, m[i].end - m[i].start));
			uart_puts(m[i].start & 0xfff ? " unaligned\n" : " aligned\n");
		}
	} else {
		uart_puts("mbinfo: mods 0\n");
	}
	guest_exit(0x10);
}
