/* SPDX-License-Identifier: MIT */
/*
 * system.c - struct ckvm: the /dev/kvm system handle.
 */
#include "internal.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#define KVM_API_VERSION_EXPECTED 12

int ckvm__set_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0)
		return -errno;
	if (fl & FD_CLOEXEC)
		return 0;
	if (fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

static int check_api_version(int fd)
{
	int r = ckvm__ioctl_val(fd, KVM_GET_API_VERSION, 0);

	if (r < 0)
		return r;
	if (r != KVM_API_VERSION_EXPECTED)
		return -EPROTO;
	return 0;
}

int ckvm_open_raw(const char *path, bool cloexec)
{
	int fd;

	if (!path)
		path = CKVM_DEFAULT_DEVICE;
	do {
		fd = open(path, O_RDWR | (cloexec ? O_CLOEXEC : 0));
	} while (fd < 0 && errno == EINTR);
	return fd < 0 ? -errno : fd;
}

int ckvm_from_fd(int fd, struct ckvm **out)
{
	struct ckvm *kvm;
	int r;

	if (!out)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;
	r = check_api_version(fd);
	if (r < 0)
		return r;
	kvm = calloc(1, sizeof(*kvm));
	if (!kvm)
		return -ENOMEM;
	/* Owned from now on: it must not leak across exec() (checked last). */
	r = ckvm__set_cloexec(fd);
	if (r < 0) {
		free(kvm);
		return r;
	}
	kvm->fd = fd;
	*out = kvm;
	return 0;
}

int ckvm_open_path(const char *path, struct ckvm **out)
{
	int fd, r;

	if (!path || !out)
		return -EINVAL;
	fd = ckvm_open_raw(path, true);
	if (fd < 0)
		return fd;
	r = ckvm_from_fd(fd, out);
	if (r < 0)
		close(fd);
	return r;
}

int ckvm_open(struct ckvm **out)
{
	return ckvm_open_path(CKVM_DEFAULT_DEVICE, out);
}

void ckvm_close(struct ckvm *kvm)
{
	if (!kvm)
		return;
	if (kvm->fd >= 0)
		close(kvm->fd);
	free(kvm);
}

int ckvm_fd(const struct ckvm *kvm)
{
	return kvm ? kvm->fd : -EINVAL;
}

int ckvm_get_api_version(struct ckvm *kvm)
{
	if (!kvm)
		return -EINVAL;
	return ckvm__ioctl_val(kvm->fd, KVM_GET_API_VERSION, 0);
}

int ckvm_check_extension(struct ckvm *kvm, long cap)
{
	if (!kvm)
		return -EINVAL;
	return ckvm__ioctl_val(kvm->fd, KVM_CHECK_EXTENSION, (unsigned long)cap);
}

bool ckvm_has_extension(struct ckvm *kvm, long cap)
{
	return ckvm_check_extension(kvm, cap) > 0;
}

int ckvm_get_vcpu_mmap_size(struct ckvm *kvm)
{
	int r;

	if (!kvm)
		return -EINVAL;
	r = ckvm__ioctl_val(kvm->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r == 0)
		return -EINVAL; /* a zero-sized kvm_run is not a usable answer */
	return r;
}

int ckvm_get_nr_vcpus(struct ckvm *kvm)
{
	int r = ckvm_check_extension(kvm, KVM_CAP_NR_VCPUS);

	if (r < 0)
		return r;
	return r > 0 ? r : 4;
}

int ckvm_get_max_vcpus(struct ckvm *kvm)
{
	int r = ckvm_check_extension(kvm, KVM_CAP_MAX_VCPUS);

	if (r < 0)
		return r;
	return r > 0 ? r : ckvm_get_nr_vcpus(kvm);
}

int ckvm_get_max_vcpu_id(struct ckvm *kvm)
{
	int r = ckvm_check_extension(kvm, KVM_CAP_MAX_VCPU_ID);

	if (r < 0)
		return r;
	return r > 0 ? r : ckvm_get_max_vcpus(kvm);
}

int ckvm_get_nr_memslots(struct ckvm *kvm)
{
	int r = ckvm_check_extension(kvm, KVM_CAP_NR_MEMSLOTS);

	if (r < 0)
		return r;
	return r > 0 ? r : 32;
}

int ckvm_create_vm_with_type(struct ckvm *kvm, unsigned long type, struct ckvm_vm **out)
{
	int fd, r;

	if (!kvm || !out)
		return -EINVAL;
	/* KVM_CREATE_VM can fail with EINTR while the kernel is busy (cloud-hypervisor #711). */
	do {
		fd = ckvm__ioctl_val(kvm->fd, KVM_CREATE_VM, type);
	} while (fd == -EINTR);
	if (fd < 0)
		return fd;
	/* The kernel opens VM fds with O_CLOEXEC; make sure anyway. */
	r = ckvm__set_cloexec(fd);
	if (r == 0)
		r = ckvm__vm_wrap(kvm->fd, fd, out);
	if (r < 0)
		close(fd);
	return r;
}

int ckvm_create_vm(struct ckvm *kvm, struct ckvm_vm **out)
{
	unsigned long type = 0;
#if defined(__aarch64__)
	/* arm64: the host's largest IPA size, like kvm-ioctls (src/arm64/system.c). */
	int r = ckvm__arm64_default_vm_type(kvm, &type);

	if (r < 0)
		return r;
#endif
	return ckvm_create_vm_with_type(kvm, type, out);
}

int ckvm_ioctl(struct ckvm *kvm, unsigned long request, void *arg)
{
	if (!kvm)
		return -EINVAL;
	return ckvm__ioctl(kvm->fd, request, arg);
}

int ckvm_get_device_attr(struct ckvm *kvm, struct kvm_device_attr *attr)
{
	if (!kvm || !attr)
		return -EINVAL;
	return ckvm__ioctl(kvm->fd, KVM_GET_DEVICE_ATTR, attr);
}

int ckvm_has_device_attr(struct ckvm *kvm, const struct kvm_device_attr *attr)
{
	if (!kvm || !attr)
		return -EINVAL;
	return ckvm__ioctl(kvm->fd, KVM_HAS_DEVICE_ATTR, (void *)attr);
}
