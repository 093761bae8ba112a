/* SPDX-License-Identifier: MIT */
/*
 * test_boot.c - unit tests of ckvm-run's boot structures (suite unit, no
 * /dev/kvm): the Linux zero page over a synthetic bzImage (header fields,
 * e820, command line and initrd placement), the identity page tables and
 * GDT, entry sregs, the MP table, and the multiboot information structure.
 */
#include "t.h"
#include "vmm.h"

#include <asm/bootparam.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define RAM (64ull << 20)

static struct guest_mem mem;

static int setup_mem(void **state)
{
	(void)state;
	mem.host = calloc(1, RAM);
	mem.size = mem.low_size = RAM;
	return mem.host ? 0 : -1;
}

static int teardown_mem(void **state)
{
	(void)state;
	free(mem.host);
	return 0;
}

/* A bzImage-shaped buffer: boot sector + 1 setup sector, then a payload. */
#define SETUP_SIZE 0x400
#define PAYLOAD_SIZE 0x1000
static uint8_t image[SETUP_SIZE + PAYLOAD_SIZE];

static struct setup_header *hdr(void)
{
	return (struct setup_header *)(image + 0x1f1);
}

static void make_bzimage(void)
{
	memset(image, 0, sizeof(image));
	struct setup_header *h = hdr();
	h->setup_sects = 1;
	h->syssize = PAYLOAD_SIZE / 16;
	h->boot_flag = 0xaa55;
	h->jump = 0x6aeb; /* jmp over the header: byte 0x201 = 0x6a */
	memcpy(&h->header, "HdrS", 4);
	h->version = 0x020f;
	h->loadflags = LOADED_HIGH;
	h->code32_start = 0x100000;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = 0x200000;
	h->xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G;
	h->cmdline_size = 255;
	h->init_size = 0x20000;
	h->pref_address = 0x100000;
	for (size_t i = 0; i < PAYLOAD_SIZE; i++)
		image[SETUP_SIZE + i] = (uint8_t)(i * 7 + 3);
}

static void test_linux_parse(void **state)
{
	struct linux_kernel k;
	const char *why = NULL;
	(void)state;

	make_bzimage();
	assert_int_equal(linux_parse(image, sizeof(image), &k, &why), 0);
	assert_int_equal(k.version, 0x020f);
	assert_int_equal(k.setup_size, SETUP_SIZE);
	assert_int_equal(k.payload_size, PAYLOAD_SIZE);
	assert_int_equal(k.hdr_end, 0x202 + 0x6a);
	assert_int_equal(k.init_size, 0x20000);
	assert_int_equal(k.cmdline_size, 255);
	assert_int_equal(k.initrd_addr_max, 0x7fffffff);

	/* setup_sects 0 means 4. */
	hdr()->setup_sects = 0;
	assert_int_equal(linux_parse(image, sizeof(image), &k, &why), 0);
	assert_int_equal(k.setup_size, 5 * 512);

	make_bzimage();
	memcpy(image + 0x202, "HdrX", 4);
	assert_int_equal(linux_parse(image, sizeof(image), &k, &why), -EINVAL);
	assert_non_null(strstr(why, "HdrS"));
	make_bzimage();
	hdr()->version = 0x020b;
	assert_int_equal(linux_parse(image, sizeof(image), &k, &why), -EINVAL);
	assert_non_null(strstr(why, "2.12"));
	make_bzimage();
	hdr()->xloadflags = 0;
	assert_int_equal(linux_parse(image, sizeof(image), &k, &why), -EINVAL);
	assert_non_null(strstr(why, "64-bit entry"));
	make_bzimage();
	hdr()->loadflags = 0;
	assert_int_equal(linux_parse(image, sizeof(image), &k, &why), -EINVAL);
	assert_non_null(strstr(why, "zImage"));
	make_bzimage();
	hdr()->setup_sects = 200; /* setup longer than the file */
	assert_int_equal(linux_parse(image, sizeof(image), &k, &why), -EINVAL);
	make_bzimage();
	assert_int_equal(linux_parse(image, 0x200, &k, &why), -EINVAL); /* truncated */
}

/* Walk the identity map built at PML4_ADDR: physical address and flags of va. */
static uint64_t walk(uint64_t va, uint64_t *flags)
{
	const uint64_t *pml4 = gpa_ptr(&mem, PML4_ADDR, 4096);
	uint64_t e = pml4[(va >> 39) & 511];
	assert_true(e & 1);
	const uint64_t *pdpt = gpa_ptr(&mem, e & ~0xfffull, 4096);
	e = pdpt[(va >> 30) & 511];
	assert_true(e & 1);
	const uint64_t *pd = gpa_ptr(&mem, e & ~0xfffull, 4096);
	assert_non_null(pd);
	e = pd[(va >> 21) & 511];
	*flags = e & 0xfff;
	return (e & ~0x1fffffull) | (va & 0x1fffff);
}

static void check_page_tables(void)
{
	const uint64_t addrs[] = { 0, 0x7ff8, 0x100200, 0x3ffe123, 0x3fffffff, 0x40000000,
				   0xbfffffff, IOAPIC_ADDR, LAPIC_ADDR + 0x300, 0xffffffff };
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		uint64_t flags;
		assert_int_equal(walk(addrs[i], &flags), addrs[i]);
		assert_int_equal(flags, 0x83); /* present, writable, 2 MiB page */
	}
	/* Nothing above 4 GiB: PDPT entry 4 is empty. */
	const uint64_t *pdpt = gpa_ptr(&mem, PDPT_ADDR, 4096);
	assert_int_equal(pdpt[4], 0);
}

static void check_gdt(void)
{
	const uint64_t *gdt = gpa_ptr(&mem, GDT_ADDR, 8 * GDT_ENTRIES);
	assert_int_equal(gdt[0], 0);
	assert_int_equal(gdt[SEL_CODE32 / 8], 0x00cf9b000000ffffull);
	assert_int_equal(gdt[SEL_CODE64 / 8], 0x00af9b000000ffffull);
	assert_int_equal(gdt[SEL_DATA / 8], 0x00cf93000000ffffull);
}

static void test_linux_setup(void **state)
{
	struct linux_kernel k;
	struct boot_plan plan = { 0 };
	const char *why = "";
	uint8_t initrd[5000];
	(void)state;

	memset(mem.host, 0xcc, RAM);
	make_bzimage();
	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i ^ 0x5a);
	assert_int_equal(linux_parse(image, sizeof(image), &k, &why), 0);
	assert_int_equal(linux_setup(&mem, image, sizeof(image), &k, "console=ttyS0 root=/dev/ram",
				     initrd, sizeof(initrd), &plan, &why), 0);

	/* Entry: 64-bit, 0x200 into the kernel, RSI = zero page. */
	assert_int_equal(plan.mode, MODE_LONG64);
	assert_int_equal(plan.rip, 0x100200);
	assert_int_equal(plan.rsi, ZERO_PAGE_ADDR);

	/* The protected-mode kernel at 1 MiB. */
	assert_memory_equal(gpa_ptr(&mem, HIMEM_START, PAYLOAD_SIZE), image + SETUP_SIZE,
			    PAYLOAD_SIZE);

	/* Zero page: the copied header, plus what a loader fills in; zero elsewhere. */
	const struct boot_params *bp = gpa_ptr(&mem, ZERO_PAGE_ADDR, sizeof(*bp));
	assert_int_equal(bp->hdr.version, 0x020f);
	assert_int_equal(bp->hdr.syssize, PAYLOAD_SIZE / 16);
	assert_int_equal(bp->hdr.init_size, 0x20000);
	assert_int_equal(bp->hdr.type_of_loader, 0xff);
	assert_int_equal(bp->hdr.loadflags, LOADED_HIGH | CAN_USE_HEAP);
	assert_int_equal(bp->hdr.heap_end_ptr, 0xfe00);
	assert_int_equal(bp->hdr.vid_mode, 0xffff);
	assert_int_equal(bp->hdr.code32_start, 0x100000);
	assert_int_equal(bp->screen_info.orig_video_isVGA, 0);
	assert_int_equal(bp->ext_cmd_line_ptr, 0);
	assert_int_equal(((const uint8_t *)bp)[0], 0);

	/* Command line at CMDLINE_ADDR, NUL-terminated. */
	assert_int_equal(bp->hdr.cmd_line_ptr, CMDLINE_ADDR);
	assert_string_equal((const char *)gpa_ptr(&mem, CMDLINE_ADDR, 64),
			    "console=ttyS0 root=/dev/ram");

	/* e820: low RAM, the EBDA/BIOS hole, RAM from 1 MiB to the end. */
	assert_int_equal(bp->e820_entries, 3);
	assert_int_equal(bp->e820_table[0].addr, 0);
	assert_int_equal(bp->e820_table[0].size, 0x9fc00);
	assert_int_equal(bp->e820_table[0].type, E820_RAM);
	assert_int_equal(bp->e820_table[1].addr, 0x9fc00);
	assert_int_equal(bp->e820_table[1].size, 0x100000 - 0x9fc00);
	assert_int_equal(bp->e820_table[1].type, E820_RESERVED);
	assert_int_equal(bp->e820_table[2].addr, 0x100000);
	assert_int_equal(bp->e820_table[2].size, RAM - 0x100000);
	assert_int_equal(bp->e820_table[2].type, E820_RAM);

	/* initrd: the highest page-aligned address it fits below the end of RAM. */
	uint64_t rd = (RAM - sizeof(initrd)) & ~0xfffull;
	assert_int_equal(bp->hdr.ramdisk_image, rd);
	assert_int_equal(bp->hdr.ramdisk_size, sizeof(initrd));
	assert_int_equal(bp->ext_ramdisk_image, 0);
	assert_memory_equal(gpa_ptr(&mem, rd, sizeof(initrd)), initrd, sizeof(initrd));

	check_page_tables();
	check_gdt();

	/* initrd_addr_max lower than RAM: the initrd ends below it. */
	hdr()->initrd_addr_max = 0x1ffffff;
	assert_int_equal(linux_parse(image, sizeof(image), &k, &why), 0);
	assert_int_equal(linux_setup(&mem, image, sizeof(image), &k, "", initrd, sizeof(initrd),
				     &plan, &why), 0);
	assert_int_equal(bp->hdr.ramdisk_image, (0x2000000 - sizeof(initrd)) & ~0xfffull);
	assert_int_equal(bp->hdr.cmd_line_ptr, CMDLINE_ADDR);
	assert_string_equal((const char *)gpa_ptr(&mem, CMDLINE_ADDR, 4), "");

	/* No initrd: both fields zero. */
	assert_int_equal(linux_setup(&mem, image, sizeof(image), &k, "x", NULL, 0, &plan, &why), 0);
	assert_int_equal(bp->hdr.ramdisk_image, 0);
	assert_int_equal(bp->hdr.ramdisk_size, 0);
}

static void test_linux_setup_errors(void **state)
{
	struct linux_kernel k;
	struct boot_plan plan = { 0 };
	const char *why = "";
	char longline[300];
	(void)state;

	make_bzimage();
	assert_int_equal(linux_parse(image, sizeof(image), &k, &why), 0);
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = 0;
	assert_int_equal(linux_setup(&mem, image, sizeof(image), &k, longline, NULL, 0, &plan, &why),
			 -E2BIG);
	assert_non_null(strstr(why, "cmdline_size"));

	/* An initrd larger than the RAM left above the kernel. */
	static uint8_t big[RAM - 0x100000];
	assert_int_equal(linux_setup(&mem, image, sizeof(image), &k, "", big, sizeof(big), &plan,
				     &why), -ENOMEM);
	assert_non_null(strstr(why, "initrd"));

	/* init_size beyond the RAM. */
	hdr()->init_size = (uint32_t)RAM;
	assert_int_equal(linux_parse(image, sizeof(image), &k, &why), 0);
	assert_int_equal(linux_setup(&mem, image, sizeof(image), &k, "", NULL, 0, &plan, &why),
			 -ENOMEM);
	assert_non_null(strstr(why, "init_size"));
}

static void test_memory_layout(void **state)
{
	struct guest_mem big = { .host = (uint8_t *)0x1000000, .size = 5ull << 30,
				 .low_size = MMIO_HOLE_START };
	struct e820_entry e[8];
	(void)state;

	/* 5 GiB of RAM: 3 GiB below the hole, 2 GiB from 4 GiB. */
	assert_int_equal(e820_build(&big, e, 8), 4);
	assert_int_equal(e[2].addr, 0x100000);
	assert_int_equal(e[2].size, MMIO_HOLE_START - 0x100000);
	assert_int_equal(e[3].addr, FOUR_GIB);
	assert_int_equal(e[3].size, 2ull << 30);
	assert_int_equal(e[3].type, E820_RAM);
	assert_int_equal(e820_build(&big, e, 3), -EINVAL); /* no room */

	assert_ptr_equal(gpa_ptr(&big, 0, 16), big.host);
	assert_ptr_equal(gpa_ptr(&big, MMIO_HOLE_START - 16, 16), big.host + MMIO_HOLE_START - 16);
	assert_null(gpa_ptr(&big, MMIO_HOLE_START - 8, 16)); /* runs into the hole */
	assert_null(gpa_ptr(&big, LAPIC_ADDR, 4));
	assert_ptr_equal(gpa_ptr(&big, FOUR_GIB, 16), big.host + MMIO_HOLE_START);
	assert_ptr_equal(gpa_ptr(&big, FOUR_GIB + (2ull << 30) - 16, 16),
			 big.host + MMIO_HOLE_START + (2ull << 30) - 16);
	assert_null(gpa_ptr(&big, FOUR_GIB + (2ull << 30) - 8, 16)); /* past the end */
	assert_null(gpa_ptr(&mem, RAM, 1));
	assert_null(gpa_ptr(&mem, 0, RAM + 1));
}

static void test_sregs(void **state)
{
	struct kvm_sregs s;
	uint64_t rip;
	(void)state;

	memset(&s, 0, sizeof(s));
	rip = 0x100000;
	assert_int_equal(x86_setup_sregs(&s, MODE_LONG64, &rip), 0);
	assert_int_equal(rip, 0x100000);
	assert_int_equal(s.cs.selector, SEL_CODE64);
	assert_int_equal(s.cs.l, 1);
	assert_int_equal(s.cs.db, 0);
	assert_int_equal(s.ds.selector, SEL_DATA);
	assert_int_equal(s.cr0, 0x80050033);
	assert_int_equal(s.cr3, PML4_ADDR);
	assert_true(s.cr4 & 0x20);
	assert_int_equal(s.efer, 0x500);
	assert_int_equal(s.gdt.base, GDT_ADDR);

	memset(&s, 0, sizeof(s));
	assert_int_equal(x86_setup_sregs(&s, MODE_PROT32, &rip), 0);
	assert_int_equal(s.cs.selector, SEL_CODE32);
	assert_int_equal(s.cs.l, 0);
	assert_int_equal(s.cs.db, 1);
	assert_int_equal(s.cs.limit, 0xffffffff);
	assert_int_equal(s.cr0 & 0x80000001, 1); /* PE, no paging */
	assert_int_equal(s.efer, 0);
	rip = 0x100000000ull;
	assert_int_equal(x86_setup_sregs(&s, MODE_PROT32, &rip), -EINVAL);

	memset(&s, 0, sizeof(s));
	rip = 0x17c00;
	assert_int_equal(x86_setup_sregs(&s, MODE_REAL, &rip), 0);
	assert_int_equal(s.cs.selector, 0x1000);
	assert_int_equal(s.cs.base, 0x10000);
	assert_int_equal(rip, 0x7c00);
	assert_int_equal(s.cr0 & 1, 0);
	rip = 0x100000;
	assert_int_equal(x86_setup_sregs(&s, MODE_REAL, &rip), -EINVAL);
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s += *p++;
	return s;
}

static void test_mptable(void **state)
{
	(void)state;
	memset(mem.host, 0, 0x100000);
	assert_int_equal(mptable_build(&mem, 2), 0);
	const uint8_t *mpf = gpa_ptr(&mem, MPTABLE_ADDR, 16);
	assert_memory_equal(mpf, "_MP_", 4);
	assert_int_equal(sum8(mpf, 16), 0);
	uint32_t table;
	memcpy(&table, mpf + 4, 4);
	assert_int_equal(table, MPTABLE_ADDR + 16);
	const uint8_t *t = gpa_ptr(&mem, table, 44);
	uint16_t len, count;
	memcpy(&len, t + 4, 2);
	memcpy(&count, t + 34, 2);
	assert_memory_equal(t, "PCMP", 4);
	assert_int_equal(sum8(t, len), 0);
	/* 2 CPUs + bus + IOAPIC + 15 ISA interrupts + 2 local interrupts. */
	assert_int_equal(count, 2 + 1 + 1 + 15 + 2);
	assert_int_equal(len, 44 + 2 * 20 + 8 * (1 + 1 + 15 + 2));
	const uint8_t *e = t + 44;
	assert_int_equal(e[0], 0);        /* processor */
	assert_int_equal(e[1], 0);        /* APIC ID 0 */
	assert_int_equal(e[3], 3);        /* enabled, boot processor */
	assert_int_equal(e[20 + 1], 1);   /* APIC ID 1 */
	assert_int_equal(e[20 + 3], 1);   /* enabled only */
	assert_int_equal(e[40], 1);       /* bus */
	assert_memory_equal(e + 42, "ISA   ", 6);
	assert_int_equal(e[48], 2);       /* IOAPIC, ID 2, at 0xfec00000 */
	assert_int_equal(e[49], 2);
	uint32_t ioapic;
	memcpy(&ioapic, e + 52, 4);
	assert_int_equal(ioapic, IOAPIC_ADDR);
	/* IRQ 4 (the UART) goes to IOAPIC pin 4. */
	const uint8_t *irq4 = e + 56 + 8 * 3; /* IRQs 0, 1, 3, 4: the fourth entry */
	assert_int_equal(irq4[0], 3);
	assert_int_equal(irq4[5], 4);
	assert_int_equal(irq4[7], 4);
	assert_int_equal(mptable_build(&mem, 0), -E2BIG);
	assert_int_equal(mptable_build(&mem, 255), -E2BIG);
}

/* A multiboot a.out-kludge image: header at 0, loads at 1 MiB. */
static void test_multiboot_info(void **state)
{
	uint8_t img[0x200];
	uint8_t rd[100];
	uint32_t h[8] = { 0x1badb002, 0x10003, 0, 0x100000, 0x100000, 0, 0x102000, 0x100020 };
	(void)state;

	h[2] = -(h[0] + h[1]);
	memset(img, 0x90, sizeof(img));
	memcpy(img, h, sizeof(h));
	memset(rd, 0x42, sizeof(rd));
	memset(mem.host, 0xcc, 0x200000);

	struct vm_config cfg = { .format = FMT_AUTO, .cmdline = "a b", .mem_size = RAM };
	struct image kernel = { "/boot/k", img, sizeof(img) }, initrd = { "/boot/rd", rd, sizeof(rd) };
	struct load_args a = { &cfg, &mem, &kernel, &initrd };
	struct boot_plan plan = { 0 };

	assert_int_equal(loader_detect(&kernel), FMT_MULTIBOOT);
	assert_int_equal(load_image(&a, &plan), 0);
	assert_int_equal(plan.mode, MODE_PROT32);
	assert_int_equal(plan.rip, 0x100020);
	assert_int_equal(plan.rax, 0x2badb002);
	assert_int_equal(plan.rbx, MB_INFO_ADDR);
	assert_memory_equal(gpa_ptr(&mem, 0x100000, sizeof(img)), img, sizeof(img));
	const uint8_t *bss = gpa_ptr(&mem, 0x100000 + sizeof(img), 0x2000 - sizeof(img));
	for (size_t i = 0; i < 0x2000 - sizeof(img); i++)
		assert_int_equal(bss[i], 0);

	const uint32_t *mbi = gpa_ptr(&mem, MB_INFO_ADDR, 88);
	assert_int_equal(mbi[0], 0x1 | 0x4 | 0x8 | 0x40 | 0x200);
	assert_int_equal(mbi[1], 639);
	assert_int_equal(mbi[2], (RAM - 0x100000) / 1024);
	assert_string_equal((const char *)gpa_ptr(&mem, mbi[4], 16), "/boot/k a b");
	assert_int_equal(mbi[5], 1); /* one module */
	const uint32_t *mod = gpa_ptr(&mem, mbi[6], 16);
	assert_int_equal(mod[0], 0x102000); /* page-aligned after the bss */
	assert_int_equal(mod[1], 0x102000 + sizeof(rd));
	assert_string_equal((const char *)gpa_ptr(&mem, mod[2], 16), "/boot/rd");
	assert_memory_equal(gpa_ptr(&mem, mod[0], sizeof(rd)), rd, sizeof(rd));
	assert_int_equal(mbi[11], 3 * 24); /* mmap_length */
	const uint8_t *mm = gpa_ptr(&mem, mbi[12], 72);
	uint32_t size, type;
	uint64_t addr, len;
	memcpy(&size, mm + 48, 4);
	memcpy(&addr, mm + 52, 8);
	memcpy(&len, mm + 60, 8);
	memcpy(&type, mm + 68, 4);
	assert_int_equal(size, 20);
	assert_int_equal(addr, 0x100000);
	assert_int_equal(len, RAM - 0x100000);
	assert_int_equal(type, 1);
	assert_non_null(strstr((const char *)gpa_ptr(&mem, mbi[16], 32), "ckvm-run"));

	/* A video mode request cannot be honoured: refuse, as the spec says. */
	h[1] = 0x10007;
	h[2] = -(h[0] + h[1]);
	memcpy(img, h, sizeof(h));
	assert_int_equal(multiboot_find_header(img, sizeof(img)), 0);
	assert_int_equal(load_image(&a, &plan), -1);
	/* A bad checksum is no header at all. */
	h[2]++;
	memcpy(img, h, sizeof(h));
	assert_int_equal(multiboot_find_header(img, sizeof(img)), -1);
	assert_int_equal(loader_detect(&kernel), FMT_FLAT);
}

static void test_detect(void **state)
{
	uint8_t buf[0x300] = { 0 };
	struct image img = { "x", buf, sizeof(buf) };
	(void)state;

	assert_int_equal(loader_detect(&img), FMT_FLAT);
	memcpy(buf, "\177ELF", 4);
	assert_int_equal(loader_detect(&img), FMT_ELF);
	memcpy(buf + 0x202, "HdrS", 4);
	assert_int_equal(loader_detect(&img), FMT_LINUX);
	assert_string_equal(format_name(FMT_LINUX), "linux");
	assert_string_equal(format_name(FMT_MULTIBOOT), "multiboot");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux_parse),
		cmocka_unit_test(test_linux_setup),
		cmocka_unit_test(test_linux_setup_errors),
		cmocka_unit_test(test_memory_layout),
		cmocka_unit_test(test_sregs),
		cmocka_unit_test(test_mptable),
		cmocka_unit_test(test_multiboot_info),
		cmocka_unit_test(test_detect),
	};
	return cmocka_run_group_tests(tests, setup_mem, teardown_mem);
}
