/* SPDX-License-Identifier: MIT */
/*
 * device.c - struct ckvm_device: KVM_CREATE_DEVICE and device attributes.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int wrap(int fd, uint32_t type, struct ckvm_device **out)
{
	struct ckvm_device *dev = calloc(1, sizeof(*dev));

	if (!dev)
		return -ENOMEM;
	dev->fd = fd;
	dev->type = type;
	*out = dev;
	return 0;
}

int ckvm_vm_create_device(struct ckvm_vm *vm, uint32_t type, uint32_t flags,
			  struct ckvm_device **out)
{
	struct kvm_create_device cd;
	int r;

	if (!vm || !out)
		return -EINVAL;
	if (flags & KVM_CREATE_DEVICE_TEST)
		return -EINVAL; /* use ckvm_vm_test_create_device(): no fd comes back */
	memset(&cd, 0, sizeof(cd));
	cd.type = type;
	cd.flags = flags;
	/* In/out: the kernel writes the new fd into cd.fd. */
	r = ckvm__ioctl(vm->fd, KVM_CREATE_DEVICE, &cd);
	if (r < 0)
		return r;
	r = ckvm__set_cloexec((int)cd.fd);
	if (r == 0)
		r = wrap((int)cd.fd, type, out);
	if (r < 0)
		close((int)cd.fd);
	return r;
}

int ckvm_vm_test_create_device(struct ckvm_vm *vm, uint32_t type)
{
	struct kvm_create_device cd;

	if (!vm)
		return -EINVAL;
	memset(&cd, 0, sizeof(cd));
	cd.type = type;
	cd.flags = KVM_CREATE_DEVICE_TEST;
	return ckvm__ioctl(vm->fd, KVM_CREATE_DEVICE, &cd);
}

int ckvm_device_from_fd(int fd, struct ckvm_device **out)
{
	int r;

	if (!out)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;
	/* Owned from now on: never inherited across exec(); -EBADF if not open. */
	r = ckvm__set_cloexec(fd);
	if (r < 0)
		return r;
	return wrap(fd, 0, out);
}

void ckvm_device_close(struct ckvm_device *dev)
{
	if (!dev)
		return;
	if (dev->fd >= 0)
		close(dev->fd);
	free(dev);
}

int ckvm_device_fd(const struct ckvm_device *dev)
{
	return dev ? dev->fd : -EINVAL;
}

uint32_t ckvm_device_type(const struct ckvm_device *dev)
{
	return dev ? dev->type : 0;
}

int ckvm_device_set_attr(struct ckvm_device *dev, const struct kvm_device_attr *attr)
{
	if (!dev || !attr)
		return -EINVAL;
	return ckvm__ioctl(dev->fd, KVM_SET_DEVICE_ATTR, (void *)attr);
}

int ckvm_device_get_attr(struct ckvm_device *dev, struct kvm_device_attr *attr)
{
	if (!dev || !attr)
		return -EINVAL;
	return ckvm__ioctl(dev->fd, KVM_GET_DEVICE_ATTR, attr);
}

int ckvm_device_has_attr(struct ckvm_device *dev, const struct kvm_device_attr *attr)
{
	if (!dev || !attr)
		return -EINVAL;
	return ckvm__ioctl(dev->fd, KVM_HAS_DEVICE_ATTR, (void *)attr);
}

static void make_attr(struct kvm_device_attr *a, uint32_t group, uint64_t attr, const void *val)
{
	memset(a, 0, sizeof(*a));
	a->group = group;
	a->attr = attr;
	a->addr = (uint64_t)(uintptr_t)val;
}

int ckvm_device_set_attr_val(struct ckvm_device *dev, uint32_t group, uint64_t attr,
			     const void *val)
{
	struct kvm_device_attr a;

	make_attr(&a, group, attr, val);
	return ckvm_device_set_attr(dev, &a);
}

int ckvm_device_get_attr_val(struct ckvm_device *dev, uint32_t group, uint64_t attr,
			     void *val)
{
	struct kvm_device_attr a;

	if (!val)
		return -EINVAL;
	make_attr(&a, group, attr, val);
	return ckvm_device_get_attr(dev, &a);
}

int ckvm_device_ioctl(struct ckvm_device *dev, unsigned long request, void *arg)
{
	if (!dev)
		return -EINVAL;
	return ckvm__ioctl(dev->fd, request, arg);
}
