/* SPDX-License-Identifier: MIT */
/* ckvm/riscv64.h - the riscv64-only part of the API. Included by <ckvm.h> on riscv64. */
#ifndef CKVM_RISCV64_H
#define CKVM_RISCV64_H

#include <ckvm/common.h>

CKVM_BEGIN_DECLS

CKVM_END_DECLS

#endif
