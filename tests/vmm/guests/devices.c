/* SPDX-License-Identifier: MIT */
/*
 * devices.c - an ELF64 guest that talks to ckvm-run's small PC devices:
 * reads the date from the CMOS clock, exercises the i8042 controller's
 * command byte and self test, then asks the i8042 for a reset, which ends
 * the VM with status 0.
 */
#include "guest.h"

__asm__(
	".pushsection .text.entry, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
	"	call devices_main\n"
	"1:	cli\n"
	"	hlt\n"
	"	jmp 1b\n"
	".popsection\n");

void devices_main(void);

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static unsigned from_bcd(uint8_t v)
{
	return (v >> 4) * 10u + (v & 0xf);
}

static uint8_t kbc_command(uint8_t cmd)
{
	outb(0x64, cmd);
	for (int i = 0; i < 1000; i++)
		if (inb(0x64) & 1) /* output buffer full */
			return inb(0x60);
	return 0xee;
}

void devices_main(void)
{
	if (cmos(0x0a) & 0x80) {
		uart_puts("devices: rtc update in progress\n");
		guest_exit(0x19);
	}
	unsigned year = from_bcd(cmos(0x32)) * 100 + from_bcd(cmos(0x09));
	unsigned month = from_bcd(cmos(0x08)), day = from_bcd(cmos(0x07));
	uart_puts("devices: rtc date ");
	uart_put_dec(year);
	uart_putc('-');
	uart_put_dec(month);
	uart_putc('-');
	uart_put_dec(day);
	uart_puts(cmos(0x0d) & 0x80 ? " valid\n" : " invalid\n");

	uart_puts("devices: i8042 self test ");
	uart_put_hex(kbc_command(0xaa));
	outb(0x64, 0x60); /* write the command byte... */
	outb(0x60, 0x47); /* ...to 0x47 */
	uart_puts(" command byte ");
	uart_put_hex(kbc_command(0x20));
	uart_puts("\ndevices: resetting through the i8042\n");
	outb(0x64, 0xfe);
	uart_puts("devices: still running after the reset request\n");
	guest_exit(0x19);
}
