/* SPDX-License-Identifier: MIT */
/*
 * Benchmark guests (x86_64, 64-bit, run at CPL3 where this machine's PVM
 * host executes guest code natively). Each is copied to BG_CODE_GPA.
 * The bytes live in .data: they are never executed on the host.
 */
	.section .note.GNU-stack, "", @progbits
	.data
	.code64

/* Port I/O: one OUT to port 0x10 per exit, forever. */
	.globl bg_pio_start, bg_pio_end
bg_pio_start:
1:	out %eax, $0x10
	jmp 1b
bg_pio_end:

/* MMIO: one 4-byte write to the unmapped GPA in %rbx per exit, forever. */
	.globl bg_mmio_start, bg_mmio_end
bg_mmio_start:
1:	mov %eax, (%rbx)
	jmp 1b
bg_mmio_end:

/*
 * Dirty pages: write one byte to each of %rsi pages starting at %rdx, %r8
 * bytes apart; then OUT to port 0x11 (the host harvests) and start over.
 */
	.globl bg_dirty_start, bg_dirty_end
bg_dirty_start:
1:	mov %rsi, %rcx
	mov %rdx, %rdi
2:	mov %al, (%rdi)
	add %r8, %rdi
	dec %rcx
	jnz 2b
	out %eax, $0x11
	inc %eax
	jmp 1b
bg_dirty_end:
