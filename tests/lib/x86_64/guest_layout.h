/* SPDX-License-Identifier: MIT */
/*
 * guest_layout.h - guest-physical layout and ucall ports of the tiny-guest
 * harness (x86_64). Only #defines: included from C and from guest .S files.
 * See tests/lib/guest.h for the description.
 */
#ifndef CKVM_TEST_GUEST_LAYOUT_H
#define CKVM_TEST_GUEST_LAYOUT_H

#define T_GDT_GPA       0x1000
#define T_IDT_GPA       0x2000
#define T_TSS_GPA       0x3000
#define T_PML4_GPA      0x4000
#define T_PDPT_GPA      0x5000
#define T_STACK_TOP     0x8000   /* kernel/real-mode stack: 0x7000..0x7fff */
#define T_CODE_GPA      0x8000   /* guest code is loaded here */
#define T_CODE_MAX      0x8000   /* up to 0x10000 */
#define T_PD_GPA        0x10000  /* 4 page directories: 0x10000..0x13fff */
#define T_USER_STACK    0x1f000  /* user stack top by convention (0x14000..0x1efff) */
#define T_DATA_GPA      0x20000  /* free for guest data */
#define T_IDMAP_BYTES   0x100000000 /* 4 GiB identity-mapped with 2 MiB pages */
#define T_MIN_MEM       0x100000 /* smallest guest RAM accepted */

/* GDT selectors */
#define T_SEL_CODE32    0x08
#define T_SEL_DATA      0x10
#define T_SEL_CODE64    0x18
#define T_SEL_UCODE64   0x23
#define T_SEL_UDATA     0x2b
#define T_SEL_TSS       0x30

/* ucall ports */
#define T_PORT_REPORT   0x1000
#define T_PORT_DONE     0x1001
#define T_PORT_FAIL     0x1002
#define T_PORT_INPUT    0x1003

/*
 * MMIO ucalls, for CPL3 code: PVM runs guest user mode with IOPL forced to 0
 * (and IF forced to 1), so user code cannot do port I/O. Writes (1..8 bytes)
 * to these GPAs, outside guest RAM, exit as MMIO and are ucalls too.
 */
#define T_UCALL_MMIO        0xf0000000
#define T_UCALL_MMIO_REPORT (T_UCALL_MMIO + 0x00)
#define T_UCALL_MMIO_DONE   (T_UCALL_MMIO + 0x08)
#define T_UCALL_MMIO_FAIL   (T_UCALL_MMIO + 0x10)
#define T_UCALL_MMIO_INPUT  (T_UCALL_MMIO + 0x18) /* read */

/* RFLAGS for 64-bit starts and CPL3 drops: reserved bit 1 + IOPL=3 */
#define T_RFLAGS_IOPL3  0x3002

#endif
