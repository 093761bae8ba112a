/* SPDX-License-Identifier: MIT */
/*
 * ckvm.h - umbrella header for ckvm, a C library for building virtual
 * machine monitors on Linux KVM. Include this one header.
 */
#ifndef CKVM_H
#define CKVM_H

#include <ckvm/common.h>
#include <ckvm/system.h>
#include <ckvm/vm.h>
#include <ckvm/vcpu.h>
#include <ckvm/device.h>
#include <ckvm/exit.h>
#include <ckvm/fam.h>
#include <ckvm/names.h>
#include <ckvm/stats.h>
#include <ckvm/snapshot.h>

#if defined(__x86_64__)
#include <ckvm/x86_64.h>
#elif defined(__aarch64__)
#include <ckvm/arm64.h>
#elif defined(__riscv) && __riscv_xlen == 64
#include <ckvm/riscv64.h>
#endif

#endif
