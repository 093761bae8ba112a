/* SPDX-License-Identifier: MIT */
/*
 * linux_stub.S - a stand-in for a Linux bzImage: the real-mode setup
 * sectors with a valid boot protocol header ("HdrS", version 2.15, 64-bit
 * entry announced in xloadflags), then a "kernel" whose 64-bit entry point
 * sits where Linux's does, 0x200 bytes into the protected-mode part.
 * Linked at 1 MiB - 0x400 and flattened with objcopy -O binary, so the
 * protected-mode part is at 1 MiB when a boot loader puts it there.
 */
#define LOADED_HIGH 0x01
#define XLF_KERNEL_64 0x01
#define XLF_CAN_BE_LOADED_ABOVE_4G 0x02

	.section .setup, "a"
	.code16
setup_start:
	.org 0x1f1
	.byte 1				/* setup_sects: 1 + the boot sector */
	.word 0				/* root_flags */
	.long _stub_syssize		/* syssize, 16-byte units */
	.word 0				/* ram_size */
	.word 0xffff			/* vid_mode */
	.word 0				/* root_dev */
	.word 0xaa55			/* boot_flag */
	.byte 0xeb, header_end - 0x202 - setup_start	/* jump over the header */
	.ascii "HdrS"			/* 0x202 */
	.word 0x020f			/* protocol version 2.15 */
	.long 0				/* realmode_swtch */
	.word 0x1000			/* start_sys_seg */
	.word 0				/* kernel_version */
	.byte 0				/* type_of_loader: the loader sets it */
	.byte LOADED_HIGH		/* loadflags */
	.word 0x8000			/* setup_move_size */
	.long 0x100000			/* code32_start */
	.long 0				/* ramdisk_image */
	.long 0				/* ramdisk_size */
	.long 0				/* bootsect_kludge */
	.word 0				/* heap_end_ptr */
	.byte 0, 0			/* ext_loader_ver, ext_loader_type */
	.long 0				/* cmd_line_ptr */
	.long 0x7fffffff		/* initrd_addr_max */
	.long 0x200000			/* kernel_alignment */
	.byte 0				/* relocatable_kernel */
	.byte 0				/* min_alignment */
	.word XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G	/* xloadflags */
	.long 2047			/* cmdline_size */
	.long 0				/* hardware_subarch */
	.quad 0				/* hardware_subarch_data */
	.long 0, 0			/* payload_offset, payload_length */
	.quad 0				/* setup_data */
	.quad 0x100000			/* pref_address */
	.long _stub_init_size		/* init_size */
	.long 0				/* handover_offset */
	.long 0				/* kernel_info_offset */
header_end:
	.org 0x400

	.section .text.head, "ax"
	.code32
startup_32:				/* 1 MiB: the 32-bit entry, unused here */
	ud2
	.org 0x200
	.code64
	.globl startup_64
startup_64:				/* 1 MiB + 0x200: RSI = boot_params */
	cli
	lea	stub_stack_top(%rip), %rsp
	mov	%rsi, %rdi
	call	stub_main
1:	hlt
	jmp	1b

	.section .bss
	.align 16
	.space 8192
stub_stack_top:
