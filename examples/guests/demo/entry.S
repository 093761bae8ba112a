/* SPDX-License-Identifier: MIT */
/*
 * entry.S - the demo guest's way from multiboot's 32-bit protected mode to
 * 64-bit long mode, and back from user mode through SYSCALL.
 *
 * A multiboot loader (ckvm-run, QEMU -kernel, GRUB) enters _start with
 * paging off, EAX = 0x2badb002 and EBX = the multiboot info. Everything
 * this file needs is static data, so the kernel-mode (CPL0) part is about
 * 30 instructions: on a software-virtualised host CPL0 code is slow, user
 * mode (CPL3) is not.
 */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00000003 /* page-aligned modules, memory information */

#define CR4_PAE    0x20
#define CR0_PE_PG  0x80000001
#define MSR_EFER   0xc0000080
#define EFER_SCE   0x001 /* SYSCALL/SYSRET */
#define EFER_LME   0x100 /* long mode enable */

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

	.section .text.entry, "ax"
	.code32
	.globl _start
_start:
	cli
	mov	%eax, %edi		/* multiboot magic: kmain's first argument */
	mov	%ebx, %esi		/* multiboot info: its second */
	lgdt	gdt_ptr
	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$pml4, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$(EFER_LME | EFER_SCE), %eax
	wrmsr
	mov	%cr0, %eax
	or	$CR0_PE_PG, %eax	/* paging on: long mode is now active */
	mov	%eax, %cr0
	ljmp	$0x08, $long_mode	/* load a 64-bit CS */

	.code64
long_mode:
	mov	$0x10, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
	lea	kernel_stack_top(%rip), %rsp
	mov	%edi, %edi		/* upper halves are undefined after the switch */
	mov	%esi, %esi
	call	kmain
	jmp	guest_halt

/* SYSCALL from user mode lands here (MSR_LSTAR): CPL0, RCX = user RIP. */
	.globl syscall_entry
syscall_entry:
	lea	kernel_stack_top(%rip), %rsp	/* the user stack is not trusted */
	call	on_syscall			/* RDI: the user's argument */
	jmp	guest_halt

/* enter_user(rip, rsp): IRETQ to CPL3 with interrupts off. */
	.globl enter_user
enter_user:
	pushq	$0x1b		/* SS: user data, RPL 3 */
	pushq	%rsi		/* RSP */
	pushq	$0x2		/* RFLAGS */
	pushq	$0x23		/* CS: user code, RPL 3 */
	pushq	%rdi		/* RIP */
	iretq

	.data
	.align 16
gdt:
	.quad 0				/* null */
	.quad 0x00af9a000000ffff	/* 0x08: kernel code, 64-bit */
	.quad 0x00cf92000000ffff	/* 0x10: kernel data */
	.quad 0x00cff2000000ffff	/* 0x18: user data (DPL 3) */
	.quad 0x00affa000000ffff	/* 0x20: user code, 64-bit (DPL 3) */
gdt_end:
gdt_ptr:
	.word gdt_end - gdt - 1
	.long gdt

/*
 * Identity map of the first 1 GiB with 2 MiB pages, user-accessible
 * (U/S set at every level) so the CPL3 code can run from the same image.
 * Flags: 0x7 = present | writable | user; 0x87 adds "2 MiB page".
 */
	.align 4096
pml4:
	.long pdpt + 0x7, 0
	.fill 511, 8, 0
pdpt:
	.long pd + 0x7, 0
	.fill 511, 8, 0
pd:
	.set i, 0
	.rept 512
	.long (i << 21) | 0x87, 0
	.set i, i + 1
	.endr

	.bss
	.align 16
	.space 8192
kernel_stack_top:
