/* SPDX-License-Identifier: MIT */
/*
 * Guests that produce each exit the host can produce (test_exits.c).
 * CPL0 and real-mode parts are kept short: they are emulated on PVM.
 */
#include "x86_64/guest_asm.h"

#define MMIO_BASE 0xd0000000

/* Real mode: port I/O of sizes 1 and 2, IN, string OUT and IN, then HLT. */
GUEST_BEGIN(guest_io_real)
	.code16
	mov $0xab, %al
	mov $0x10, %dx
	out %al, %dx
	mov $0xbeef, %ax
	mov $0x12, %dx
	out %ax, %dx
	mov $0x14, %dx
	in %dx, %al
	movzbl %al, %eax
	UCALL_REPORT_EAX
	cld
	mov $G(io_real_str), %si
	mov $5, %cx
	mov $0x16, %dx
	rep outsb
	mov $G(io_real_buf), %di
	mov $3, %cx
	mov $0x18, %dx
	rep insw
	mov G(io_real_buf), %eax
	UCALL_REPORT_EAX
	movzwl G(io_real_buf) + 4, %eax
	UCALL_REPORT_EAX
	hlt
	UCALL_DONE
io_real_str:
	.ascii "hello"
io_real_buf:
	.space 6
GUEST_END(guest_io_real)

/* 32-bit protected mode: 4-byte port I/O both ways, 4-byte MMIO both ways. */
GUEST_BEGIN(guest_io_prot)
	.code32
	mov $0x11223344, %eax
	mov $0x20, %dx
	out %eax, %dx
	mov $0x22, %dx
	in %dx, %eax
	UCALL_REPORT_EAX
	movl $0x55667788, MMIO_BASE
	mov MMIO_BASE + 0x10, %eax
	UCALL_REPORT_EAX
	hlt
	UCALL_DONE
GUEST_END(guest_io_prot)

/* 64-bit: MMIO of 1, 2, 4 and 8 bytes both ways at CPL0, then at CPL3. */
GUEST_BEGIN(guest_mmio_long)
	.code64
	mov $MMIO_BASE, %ebx
	movb $0x11, (%rbx)
	movw $0x2233, 2(%rbx)
	movl $0x44556677, 4(%rbx)
	movabs $0x8899aabbccddeeff, %rax
	mov %rax, 8(%rbx)
	movzbl 0x10(%rbx), %eax
	UCALL_M_REPORT_RAX
	movzwl 0x12(%rbx), %eax
	UCALL_M_REPORT_RAX
	mov 0x14(%rbx), %eax
	UCALL_M_REPORT_RAX
	mov 0x18(%rbx), %rax
	UCALL_M_REPORT_RAX
	GUEST_TO_USER(1f, T_USER_STACK)
1:
	mov $MMIO_BASE, %ebx
	movabs $0x0123456789abcdef, %rax
	mov %rax, 0x20(%rbx)
	mov 0x28(%rbx), %rax
	UCALL_M_REPORT_RAX
	UCALL_M_DONE
GUEST_END(guest_mmio_long)

/* 64-bit CPL0: hlt (no in-kernel irqchip: KVM_EXIT_HLT). */
GUEST_BEGIN(guest_hlt)
	.code64
	hlt
	UCALL_M_DONE
GUEST_END(guest_hlt)

/* 64-bit CPL0: ud2 with an empty IDT: triple fault. */
GUEST_BEGIN(guest_triple_fault)
	.code64
	ud2
GUEST_END(guest_triple_fault)

/* 64-bit CPL0: int3 (an instruction PVM's CPL0 emulator cannot emulate). */
GUEST_BEGIN(guest_emul_fail)
	.code64
	int3
	UCALL_M_DONE
GUEST_END(guest_emul_fail)

/*
 * 64-bit CPL0: jump to guest-physical 0xd0000000, where no memory slot is:
 * KVM cannot fetch instructions from MMIO, on any host.
 */
GUEST_BEGIN(guest_exec_mmio)
	.code64
	mov $0xd0000000, %eax
	jmp *%rax
GUEST_END(guest_exec_mmio)

/*
 * 64-bit CPL0: RDMSR/WRMSR of a filtered MSR (TSC_AUX) and RDMSR of an MSR
 * KVM does not know. Reports each RDMSR result as EDX:EAX.
 */
GUEST_BEGIN(guest_msr)
	.code64
	mov $0xc0000103, %ecx
	rdmsr
	shl $32, %rdx
	or %rdx, %rax
	UCALL_M_REPORT_RAX
	mov $0xc0000103, %ecx
	mov $0xaabbccdd, %eax
	mov $0x1, %edx
	wrmsr
	mov $0x4b564dff, %ecx
	rdmsr
	UCALL_M_FAIL(1)		/* the host injected #GP: not reached */
	.globl guest_msr_gp_handler
guest_msr_gp_handler:
	UCALL_M_REPORT(0x6d)
	UCALL_M_DONE
GUEST_END(guest_msr)

/* 64-bit CPL0: KVM_HC_MAP_GPA_RANGE hypercall; report the host's return value. */
GUEST_BEGIN(guest_hypercall)
	.code64
	mov $12, %eax
	mov $0x100000, %ebx
	mov $4, %ecx
	mov $0, %edx
	.globl guest_hypercall_vmcall
guest_hypercall_vmcall:
	vmcall
	UCALL_M_REPORT_RAX
	UCALL_M_DONE
GUEST_END(guest_hypercall)

/*
 * 64-bit CPL0: enable interrupts and spin; the handler for vector 0x30
 * reports the vector and finishes.
 */
GUEST_BEGIN(guest_irq)
	.code64
	sti
1:
	pause
	jmp 1b
	.globl guest_irq_handler
guest_irq_handler:
	mov $0x30, %eax
	UCALL_M_REPORT_RAX
	UCALL_M_DONE
GUEST_END(guest_irq)

/* 64-bit CPL0: write then read the local APIC TPR through MMIO. */
GUEST_BEGIN(guest_tpr)
	.code64
	mov $0xfee00080, %ebx
	.globl guest_tpr_write
guest_tpr_write:
	movl $0x20, (%rbx)
	GUEST_TO_USER(1f, T_USER_STACK)
1:
	mov $0xfee00080, %ebx
	.globl guest_tpr_read
guest_tpr_read:
	mov (%rbx), %esi
	mov $1000, %ecx
2:	dec %ecx
	jnz 2b
	mov %esi, %eax
	UCALL_M_REPORT_RAX
	UCALL_M_DONE
GUEST_END(guest_tpr)

/*
 * 64-bit CPL0: software-enable the local APIC, enable interrupts and spin.
 * The handler for vector 0x40 EOIs through MMIO and reports from CPL3.
 */
GUEST_BEGIN(guest_eoi)
	.code64
	mov $0xfee000f0, %ebx
	movl $0x1ff, (%rbx)
	UCALL_M_REPORT(1)
	sti
1:
	pause
	jmp 1b
	.globl guest_eoi_handler
guest_eoi_handler:
	mov $0xfee000b0, %ebx
	movl $0, (%rbx)
	/* to CPL3 (an entry to the guest, where KVM reports the EOI) */
	GUEST_TO_USER(1f, T_USER_STACK)
1:
	mov $0x40, %eax
	UCALL_M_REPORT_RAX
	UCALL_M_DONE
GUEST_END(guest_eoi)

/*
 * 64-bit: read GPA 0x40000000 (a slot whose host memory is PROT_NONE) from
 * CPL3, where the access goes through KVM's page-fault path.
 */
GUEST_BEGIN(guest_memfault)
	.code64
	GUEST_TO_USER(1f, T_USER_STACK)
1:
	mov $0x40000000, %ebx
	mov (%rbx), %rax
	UCALL_M_REPORT_RAX
	UCALL_M_DONE
GUEST_END(guest_memfault)

/* 64-bit: a few instructions to single-step / break on, at CPL0, then CPL3. */
GUEST_BEGIN(guest_debug)
	.code64
	mov $1, %eax
	.globl guest_debug_insn2
guest_debug_insn2:
	add $2, %eax
	.globl guest_debug_insn3
guest_debug_insn3:
	add $3, %eax
	.globl guest_debug_bp
guest_debug_bp:
	add $4, %eax
	UCALL_M_REPORT_RAX
	GUEST_TO_USER(1f, T_USER_STACK)
1:
	mov $10, %eax
	.globl guest_debug_ubp
guest_debug_ubp:
	add $20, %eax
	add $30, %eax
	UCALL_M_REPORT_RAX
	.globl guest_debug_int3
guest_debug_int3:
	int3
	add $40, %eax
	UCALL_M_REPORT_RAX
	UCALL_M_DONE
GUEST_END(guest_debug)
