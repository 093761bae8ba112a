/* SPDX-License-Identifier: MIT */
/*
 * ckvm/common.h - definitions shared by every ckvm header.
 *
 * Conventions used throughout ckvm:
 *  - Every function that returns int returns 0 or a non-negative value on
 *    success and a negative errno value (-EINVAL, -EBADF, ...) on failure.
 *    errno itself is unspecified after a ckvm call.
 *  - The library never prints, never aborts, never installs signal handlers
 *    and keeps no global state.
 *  - Every file descriptor the library opens carries FD_CLOEXEC.
 *  - Objects are opaque and library-allocated; each has a create/open and a
 *    close. Close functions accept NULL.
 */
#ifndef CKVM_COMMON_H
#define CKVM_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#include <ckvm/version.h>
#include <ckvm/compat.h>

#ifdef __cplusplus
#define CKVM_BEGIN_DECLS extern "C" {
#define CKVM_END_DECLS }
#else
#define CKVM_BEGIN_DECLS
#define CKVM_END_DECLS
#endif

#if defined(__GNUC__)
#define CKVM_API __attribute__((visibility("default")))
#define CKVM_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define CKVM_API
#define CKVM_WARN_UNUSED
#endif

/* static inline helpers over kernel-ABI structs only. */
#define CKVM_INLINE static inline

CKVM_BEGIN_DECLS

struct ckvm;        /* /dev/kvm (system fd) */
struct ckvm_vm;     /* a VM fd */
struct ckvm_vcpu;   /* a vCPU fd and its mapped struct kvm_run */
struct ckvm_device; /* a device fd from KVM_CREATE_DEVICE */

/* Address space of an I/O address (ioeventfd, coalesced zones). */
enum ckvm_io_space {
	CKVM_IO_PIO = 0,  /* x86 port I/O */
	CKVM_IO_MMIO = 1, /* guest-physical memory-mapped I/O */
};

/* Library version as a string ("0.1.0") and as MAJOR<<16|MINOR<<8|PATCH. */
CKVM_API const char *ckvm_version(void);
CKVM_API unsigned ckvm_version_number(void);

CKVM_END_DECLS

#endif
