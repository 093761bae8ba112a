/* SPDX-License-Identifier: MIT */
/* ckvm/arm64.h - the arm64-only part of the API. Included by <ckvm.h> on arm64. */
#ifndef CKVM_ARM64_H
#define CKVM_ARM64_H

#include <ckvm/common.h>

CKVM_BEGIN_DECLS

CKVM_END_DECLS

#endif
