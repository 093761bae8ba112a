/* SPDX-License-Identifier: MIT */
/* ckvm/snapshot.h - versioned save/restore of vCPU and VM state. */
#ifndef CKVM_SNAPSHOT_H
#define CKVM_SNAPSHOT_H

#include <ckvm/common.h>

CKVM_BEGIN_DECLS

CKVM_END_DECLS

#endif
