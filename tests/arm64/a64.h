/* SPDX-License-Identifier: MIT */
/*
 * a64.h - the arm64 tiny-guest harness (tests/arm64 only).
 *
 * Layout (IPA): RAM of A64_RAM_SIZE bytes (rounded up to the host page
 * size) at A64_RAM_GPA, guest code at A64_CODE_GPA (start of RAM), a data
 * area at A64_DATA_GPA, and an MMIO window (no memory slot) right after RAM
 * at a64_mmio_gpa(g). vCPUs start at EL1 with the MMU off (PSCI 0.2
 * enabled); x8 holds A64_DATA_GPA and x9 the MMIO address, so guests need
 * no absolute addresses.
 *
 * Guests are GNU assembly in the guests directory, between A64_GUEST_BEGIN(name) and
 * A64_GUEST_END(name) (guests/a64_asm.h): their bytes are copied to
 * A64_CODE_GPA. They end with a PSCI SYSTEM_OFF call (A64_PSCI_OFF), which
 * KVM turns into a SYSTEM_EVENT exit of type SHUTDOWN.
 *
 * The a64_* functions fail the current cmocka test on any error. What is
 * not arm64-specific (RAM slot, ONE_REG access, runs, generic checks,
 * t_set_reg64/t_get_reg64) is in tests/lib/onereg_test.h, shared with
 * tests/riscv64.
 */
#ifndef CKVM_TEST_A64_H
#define CKVM_TEST_A64_H

#include "onereg_test.h"

#define A64_RAM_GPA 0x40000000ull
#define A64_RAM_SIZE 0x20000ull
#define A64_CODE_GPA A64_RAM_GPA
#define A64_DATA_GPA (A64_RAM_GPA + 0x10000ull)
/* vGIC frames of a64_setup_gic (v2 CPU interface, v3 redistributors). */
#define A64_GIC_DIST_BASE 0x08000000ull
#define A64_GIC_CPU_BASE 0x08010000ull
#define A64_GIC_REDIST_BASE 0x080a0000ull

struct a64_guest {
	struct ckvm *kvm;
	struct ckvm_vm *vm;
	struct ckvm_vcpu *vcpu;
	uint8_t *mem;
	size_t mem_size;
	struct kvm_vcpu_init init;
};

/* Open /dev/kvm (skip without it), create the VM and its RAM slot. */
void a64_guest_create(struct a64_guest *g, uint32_t slot_flags);
/* Create vCPU 0, KVM_ARM_VCPU_INIT it (preferred target, PSCI 0.2 | extra features). */
void a64_guest_add_vcpu(struct a64_guest *g, uint64_t extra_features);
/* Copy [start, end) to A64_CODE_GPA and set PC, x8 and x9. */
void a64_guest_load(struct a64_guest *g, const void *start, const void *end);
#define a64_guest_load_code(g, name) do { \
	extern const unsigned char name##_start[], name##_end[]; \
	a64_guest_load((g), name##_start, name##_end); \
} while (0)
/* The GPA of label `sym` of the guest `name` loaded at A64_CODE_GPA. */
#define a64_guest_sym(name, sym) ({ \
	extern const unsigned char name##_start[], sym[]; \
	A64_CODE_GPA + (uint64_t)(sym - name##_start); \
})
uint64_t a64_mmio_gpa(const struct a64_guest *g);
/* Host pointer to guest RAM at gpa. */
void *a64_gpa(struct a64_guest *g, uint64_t gpa, size_t len);
/* Run and require an exit of `kind`. */
struct ckvm_exit a64_run_expect(struct a64_guest *g, enum ckvm_exit_kind kind);
/* Run and require the PSCI SYSTEM_OFF exit. */
void a64_run_to_system_off(struct a64_guest *g);
void a64_guest_destroy(struct a64_guest *g);
/* A vGICv3 if the host can create one, else a vGICv2 (which must then exist). */
uint32_t a64_gic_type(struct ckvm_vm *vm);
/* ckvm_vm_setup_vgic of that type at the A64_GIC_* frames with nr_irqs interrupts. */
struct ckvm_device *a64_setup_gic(struct a64_guest *g, uint32_t type, uint32_t nr_irqs);
/* Whether SPI intid is pending in the distributor. */
bool a64_spi_pending(struct ckvm_device *gic, uint32_t type, uint32_t intid);

#endif
