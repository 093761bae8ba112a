/* SPDX-License-Identifier: MIT */
/*
 * rv.h - the riscv64 tiny-guest harness (tests/riscv64 only).
 *
 * Layout (GPA): RAM of RV_RAM_SIZE bytes (rounded up to the host page size)
 * at RV_RAM_GPA, guest code at RV_CODE_GPA (start of RAM), a data area at
 * RV_DATA_GPA, and an MMIO window (no memory slot) right after RAM at
 * rv_mmio_gpa(g). vCPUs start in S-mode with paging off; s8 holds
 * RV_DATA_GPA and s9 the MMIO address, so guests need no absolute
 * addresses.
 *
 * Guests are GNU assembly in the guests directory between
 * RV_GUEST_BEGIN(name) and RV_GUEST_END(name) (guests/rv_asm.h). They end
 * with an SBI SRST shutdown (RV_SHUTDOWN), which KVM turns into a
 * SYSTEM_EVENT exit of type SHUTDOWN.
 *
 * The rv_* functions fail the current cmocka test on any error. What is
 * not riscv64-specific (RAM slot, ONE_REG access, runs, generic checks,
 * t_set_reg64/t_get_reg64) is in tests/lib/onereg_test.h, shared with
 * tests/arm64.
 */
#ifndef CKVM_TEST_RV_H
#define CKVM_TEST_RV_H

#include "onereg_test.h"

#define RV_RAM_GPA 0x80000000ull
#define RV_RAM_SIZE 0x20000ull
#define RV_CODE_GPA RV_RAM_GPA
#define RV_DATA_GPA (RV_RAM_GPA + 0x10000ull)

struct rv_guest {
	struct ckvm *kvm;
	struct ckvm_vm *vm;
	struct ckvm_vcpu *vcpu;
	uint8_t *mem;
	size_t mem_size;
};

void rv_guest_create(struct rv_guest *g, uint32_t slot_flags);
void rv_guest_add_vcpu(struct rv_guest *g);
/* Copy [start, end) to RV_CODE_GPA and set pc, s8 and s9. */
void rv_guest_load(struct rv_guest *g, const void *start, const void *end);
#define rv_guest_load_code(g, name) do { \
	extern const unsigned char name##_start[], name##_end[]; \
	rv_guest_load((g), name##_start, name##_end); \
} while (0)
uint64_t rv_mmio_gpa(const struct rv_guest *g);
void *rv_gpa(struct rv_guest *g, uint64_t gpa, size_t len);
struct ckvm_exit rv_run_expect(struct rv_guest *g, enum ckvm_exit_kind kind);
/* Run and require a 64-bit MMIO store; returns the value. */
uint64_t rv_run_mmio_write64(struct rv_guest *g);
/* Run and require the SBI SRST shutdown. */
void rv_run_to_shutdown(struct rv_guest *g);
void rv_guest_destroy(struct rv_guest *g);
/* Skip (77, "SKIP: needs KVM_DEV_TYPE_RISCV_AIA") where the host cannot create an AIA. */
void rv_require_aia(struct rv_guest *g);

#endif
