/* SPDX-License-Identifier: MIT */
/*
 * ckvm/system.h - struct ckvm, the system handle (/dev/kvm).
 *
 * Thread rules: a struct ckvm may be used from any thread of the process that
 * opened it; the calls here are system ioctls and need no locking (only
 * ckvm_close() must not race other calls on the same handle).
 */
#ifndef CKVM_SYSTEM_H
#define CKVM_SYSTEM_H

#include <ckvm/common.h>

CKVM_BEGIN_DECLS

#define CKVM_DEFAULT_DEVICE "/dev/kvm"

/*
 * Open /dev/kvm (O_RDWR|O_CLOEXEC) and check KVM_GET_API_VERSION == 12.
 * Returns 0 and stores the handle in *out, or -errno: -ENOENT (no KVM),
 * -EACCES (not permitted), -EPROTO (API version other than 12).
 */
CKVM_API int ckvm_open(struct ckvm **out);
/* The same with another device node (-ENOTTY if it is not a KVM device). */
CKVM_API int ckvm_open_path(const char *path, struct ckvm **out);
/*
 * Adopt an already-open /dev/kvm fd (e.g. passed to a jailed process).
 * On success the handle owns fd, sets FD_CLOEXEC on it (it was meant to
 * cross one exec(), not more) and closes it in ckvm_close(); on failure the
 * caller keeps ownership and the fd is unchanged. The API version is
 * checked (-EPROTO, -ENOTTY for a non-KVM file, -EBADF for a closed fd).
 */
CKVM_API int ckvm_from_fd(int fd, struct ckvm **out);
/*
 * Open a device node and return the raw fd (kvm-ioctls' open_with_cloexec):
 * cloexec=false leaves FD_CLOEXEC off for an fd meant to cross exec().
 * path NULL means /dev/kvm.
 */
CKVM_API int ckvm_open_raw(const char *path, bool cloexec);
/* Close the handle and its fd. NULL is allowed. */
CKVM_API void ckvm_close(struct ckvm *kvm);
/* The raw fd (still owned by the handle). */
CKVM_API int ckvm_fd(const struct ckvm *kvm);

/* KVM_GET_API_VERSION: 12 on every kernel since 2.6.22, or -errno. */
CKVM_API int ckvm_get_api_version(struct ckvm *kvm);
/* KVM_CHECK_EXTENSION: the raw value (0 = absent, >0 = present/value) or -errno. */
CKVM_API int ckvm_check_extension(struct ckvm *kvm, long cap);
/* true when KVM_CHECK_EXTENSION returns > 0. */
CKVM_API bool ckvm_has_extension(struct ckvm *kvm, long cap);
/* KVM_GET_VCPU_MMAP_SIZE: size of the kvm_run mapping in bytes, or -errno. */
CKVM_API int ckvm_get_vcpu_mmap_size(struct ckvm *kvm);
/*
 * Limits, from KVM_CHECK_EXTENSION, with the fallbacks api.rst documents:
 * NR_VCPUS absent -> 4; MAX_VCPUS absent -> NR_VCPUS; MAX_VCPU_ID absent ->
 * MAX_VCPUS; NR_MEMSLOTS absent -> 32. -errno only on ioctl failure.
 */
CKVM_API int ckvm_get_nr_vcpus(struct ckvm *kvm);
CKVM_API int ckvm_get_max_vcpus(struct ckvm *kvm);
CKVM_API int ckvm_get_max_vcpu_id(struct ckvm *kvm);
CKVM_API int ckvm_get_nr_memslots(struct ckvm *kvm);

/*
 * Create a VM of the default type (0; on arm64 the host's largest IPA size).
 * The VM handle is independent of kvm: kvm may be closed afterwards.
 */
CKVM_API int ckvm_create_vm(struct ckvm *kvm, struct ckvm_vm **out);
/* KVM_CREATE_VM with any machine type (KVM_X86_SW_PROTECTED_VM, ...). */
CKVM_API int ckvm_create_vm_with_type(struct ckvm *kvm, unsigned long type,
				      struct ckvm_vm **out);

/*
 * Device attributes on /dev/kvm (KVM_CAP_SYS_ATTRIBUTES): x86_64 has group
 * 0 attribute KVM_X86_XCOMP_GUEST_SUPP (the XSAVE features a guest may be
 * given). attr->addr points at the value; get writes through it.
 * Returns 0 or -errno: -ENXIO unknown group/attribute, -EFAULT bad addr,
 * -ENOTTY without the capability, -EINVAL NULL arguments.
 * Thread rules: any thread.
 */
CKVM_API int ckvm_get_device_attr(struct ckvm *kvm, struct kvm_device_attr *attr);
CKVM_API int ckvm_has_device_attr(struct ckvm *kvm, const struct kvm_device_attr *attr);

/* Generic escape hatch: ioctl on the system fd; returns the result or -errno. */
CKVM_API int ckvm_ioctl(struct ckvm *kvm, unsigned long request, void *arg);

CKVM_END_DECLS

#endif
