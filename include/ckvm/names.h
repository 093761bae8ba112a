/* SPDX-License-Identifier: MIT */
/*
 * ckvm/names.h - names of capabilities, exit reasons and exit kinds.
 * Tables are compiled in (no dependency on the header version): every
 * KVM_CAP_* number known to ckvm, including those newer than the system's
 * <linux/kvm.h>.
 *
 * Thread rules: pure lookups in constant tables; any thread, concurrently.
 * The returned strings are static and never freed.
 */
#ifndef CKVM_NAMES_H
#define CKVM_NAMES_H

#include <ckvm/common.h>
#include <ckvm/exit.h>

CKVM_BEGIN_DECLS

/* "KVM_CAP_IRQCHIP" for KVM_CAP_IRQCHIP; NULL for an unknown number. */
CKVM_API const char *ckvm_cap_name(long cap);
/* Inverse: accepts "KVM_CAP_IRQCHIP" or "IRQCHIP" (case-insensitive); -ENOENT if unknown. */
CKVM_API long ckvm_cap_from_name(const char *name);
/*
 * Iterate over the table: returns the i-th known capability number, or -1
 * past the end (use with ckvm_cap_name).
 */
CKVM_API long ckvm_cap_by_index(size_t i);
/* "KVM_EXIT_IO" for KVM_EXIT_IO; NULL if unknown. */
CKVM_API const char *ckvm_exit_reason_name(uint32_t reason);
/* "IO_IN" for CKVM_EXIT_IO_IN; NULL if out of range. */
CKVM_API const char *ckvm_exit_kind_name(enum ckvm_exit_kind kind);

CKVM_END_DECLS

#endif
