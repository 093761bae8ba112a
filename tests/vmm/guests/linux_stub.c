/* SPDX-License-Identifier: MIT */
/*
 * linux_stub.c - the stub kernel's body: reads the zero page the boot
 * loader passed in RSI and prints what a kernel would use (command line,
 * e820 map, initrd with its FNV-1a checksum), then exits with 0x30
 * (status 97).
 */
#include "guest.h"
#include "fnv.h"

#include <asm/bootparam.h>

void stub_main(const struct boot_params *bp);

void stub_main(const struct boot_params *bp)
{
	uint64_t cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	uart_puts("stub: boot_params at ");
	uart_put_hex((uintptr_t)bp);
	uart_puts(", cs ");
	uart_put_hex(cs);
	uart_puts(", loader type ");
	uart_put_hex(bp->hdr.type_of_loader);
	uart_putc('\n');
	uart_puts("stub: cmdline '");
	if (bp->hdr.cmd_line_ptr)
		uart_puts((const char *)(uintptr_t)bp->hdr.cmd_line_ptr);
	uart_puts("'\n");
	uart_puts("stub: e820 entries ");
	uart_put_dec(bp->e820_entries);
	uart_putc('\n');
	for (unsigned i = 0; i < bp->e820_entries && i < E820_MAX_ENTRIES_ZEROPAGE; i++) {
		uart_puts("stub: e820 ");
		uart_put_hex(bp->e820_table[i].addr);
		uart_putc(' ');
		uart_put_hex(bp->e820_table[i].size);
		uart_putc(' ');
		uart_put_dec(bp->e820_table[i].type);
		uart_putc('\n');
	}
	if (bp->hdr.ramdisk_size) {
		const uint8_t *rd = (const uint8_t *)(uintptr_t)bp->hdr.ramdisk_image;
		uart_puts("stub: initrd at ");
		uart_put_hex(bp->hdr.ramdisk_image);
		uart_puts(" size ");
		uart_put_dec(bp->hdr.ramdisk_size);
		uart_puts(" fnv ");
		uart_put_hex(fnv1a(rd, bp->hdr.ramdisk_size));
		uart_putc('\n');
	} else {
		uart_puts("stub: no initrd\n");
	}
	guest_exit(0x30);
}
