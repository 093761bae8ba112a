/* SPDX-License-Identifier: MIT */
/*
 * ckvm/device.h - struct ckvm_device, a device fd from KVM_CREATE_DEVICE.
 *
 * Thread rules: device ioctls may be issued from any thread of the process
 * that created the VM, concurrently; ckvm_device_close() must not race other
 * calls on the same handle.
 */
#ifndef CKVM_DEVICE_H
#define CKVM_DEVICE_H

#include <ckvm/common.h>

CKVM_BEGIN_DECLS

/*
 * KVM_CREATE_DEVICE of the given type (KVM_DEV_TYPE_*) and flags. The
 * kernel writes the fd back into its struct; ckvm owns and closes it
 * (FD_CLOEXEC set). KVM_CREATE_DEVICE_TEST in flags is -EINVAL: use
 * ckvm_vm_test_create_device(). -ENODEV for a type this VM cannot have.
 */
CKVM_API int ckvm_vm_create_device(struct ckvm_vm *vm, uint32_t type,
				   uint32_t flags, struct ckvm_device **out);
/*
 * KVM_CREATE_DEVICE with KVM_CREATE_DEVICE_TEST: 0 when this VM could
 * create the device type, -errno (typically -ENODEV) when not.
 */
CKVM_API int ckvm_vm_test_create_device(struct ckvm_vm *vm, uint32_t type);
/*
 * Adopt a device fd; on success the handle owns it and sets FD_CLOEXEC on it
 * (-EBADF for a negative or closed fd; the caller keeps it on failure).
 */
CKVM_API int ckvm_device_from_fd(int fd, struct ckvm_device **out);
CKVM_API void ckvm_device_close(struct ckvm_device *dev);
CKVM_API int ckvm_device_fd(const struct ckvm_device *dev);
/* The type passed at creation (0 for an adopted fd). */
CKVM_API uint32_t ckvm_device_type(const struct ckvm_device *dev);

/*
 * Device attributes. attr->addr is a user pointer to the value; for
 * get_attr the kernel writes through it (-EFAULT if it is bad).
 */
CKVM_API int ckvm_device_set_attr(struct ckvm_device *dev,
				  const struct kvm_device_attr *attr);
CKVM_API int ckvm_device_get_attr(struct ckvm_device *dev,
				  struct kvm_device_attr *attr);
/* 0 when the attribute exists, -ENXIO when not, other -errno on error. */
CKVM_API int ckvm_device_has_attr(struct ckvm_device *dev,
				  const struct kvm_device_attr *attr);
/* Convenience: build a kvm_device_attr and set/get a value of any size. */
CKVM_API int ckvm_device_set_attr_val(struct ckvm_device *dev, uint32_t group,
				      uint64_t attr, const void *val);
CKVM_API int ckvm_device_get_attr_val(struct ckvm_device *dev, uint32_t group,
				      uint64_t attr, void *val);
CKVM_API int ckvm_device_ioctl(struct ckvm_device *dev, unsigned long request,
			       void *arg);

CKVM_END_DECLS

#endif
