/* SPDX-License-Identifier: MIT */
/*
 * test_device.c (kvm) - struct ckvm_device: KVM_CREATE_DEVICE (real and
 * KVM_CREATE_DEVICE_TEST), adopting a device fd, and KVM_SET/GET/HAS_DEVICE_ATTR,
 * on the device x86 KVM always offers, the KVM-VFIO pseudo device.
 */
#include "core_guest.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Device types an x86 VM cannot have (any kernel with KVM_CREATE_DEVICE). */
static void test_create_device_refused(void **state)
{
	struct t_guest g;
	struct ckvm_device *dev = NULL;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	/* an arm GIC, a made-up number: -ENODEV, nothing created */
	t_assert_err(ckvm_vm_test_create_device(g.vm, KVM_DEV_TYPE_ARM_VGIC_V3), ENODEV);
	t_assert_err(ckvm_vm_test_create_device(g.vm, 1000), ENODEV);
	t_assert_err(ckvm_vm_create_device(g.vm, 1000, 0, &dev), ENODEV);
	assert_null(dev);
	t_assert_err(ckvm_vm_create_device(g.vm, KVM_DEV_TYPE_ARM_VGIC_V3, 0, &dev), ENODEV);
	assert_null(dev);
	t_assert_err(ckvm_vm_create_device(g.vm, 1000, 0, NULL), EINVAL);
	t_guest_destroy(&g);
}

static void test_create_device(void **state)
{
	struct t_guest g;
	struct ckvm_device *dev = NULL, *dev2 = NULL;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	t_require_cap(g.kvm, KVM_CAP_DEVICE_CTRL);
	if (ckvm_vm_test_create_device(g.vm, KVM_DEV_TYPE_VFIO) == -ENODEV)
		t_skip("needs KVM_DEV_TYPE_VFIO (CONFIG_KVM_VFIO)");
	t_assert_ok(ckvm_vm_test_create_device(g.vm, KVM_DEV_TYPE_VFIO));
	/* the TEST flag goes through test_create only: create_device wants a real fd */
	t_assert_err(ckvm_vm_create_device(g.vm, KVM_DEV_TYPE_VFIO, KVM_CREATE_DEVICE_TEST, &dev),
		     EINVAL);
	t_assert_ok(ckvm_vm_create_device(g.vm, KVM_DEV_TYPE_VFIO, 0, &dev));
	assert_true(ckvm_device_fd(dev) >= 0);
	assert_true(fcntl(ckvm_device_fd(dev), F_GETFD) & FD_CLOEXEC);
	assert_int_equal(ckvm_device_type(dev), KVM_DEV_TYPE_VFIO);
	/* the kernel allows one KVM-VFIO device per VM: the first one really exists */
	t_assert_err(ckvm_vm_create_device(g.vm, KVM_DEV_TYPE_VFIO, 0, &dev2), EBUSY);
	assert_null(dev2);
	/* closing the handle releases the device: a new one can be created */
	ckvm_device_close(dev);
	t_assert_ok(ckvm_vm_create_device(g.vm, KVM_DEV_TYPE_VFIO, 0, &dev2));
	ckvm_device_close(dev2);
	t_assert_err(ckvm_vm_create_device(g.vm, KVM_DEV_TYPE_VFIO, 0, NULL), EINVAL);
	t_guest_destroy(&g);
}

static void test_device_attrs(void **state)
{
	struct t_guest g;
	struct ckvm_device *dev = NULL, *adopted = NULL;
	struct kvm_device_attr a;
	int32_t fdval;
	uint64_t val = 0;
	int efd, dupfd;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	if (ckvm_vm_create_device(g.vm, KVM_DEV_TYPE_VFIO, 0, &dev) == -ENODEV)
		t_skip("needs KVM_DEV_TYPE_VFIO (CONFIG_KVM_VFIO)");
	assert_non_null(dev);
	/* has_attr: the VFIO group/file ADD and DEL attributes exist, others do not */
	memset(&a, 0, sizeof(a));
	a.group = KVM_DEV_VFIO_GROUP;
	a.attr = KVM_DEV_VFIO_GROUP_ADD;
	t_assert_ok(ckvm_device_has_attr(dev, &a));
	a.attr = KVM_DEV_VFIO_GROUP_DEL;
	t_assert_ok(ckvm_device_has_attr(dev, &a));
	a.attr = 99;
	t_assert_err(ckvm_device_has_attr(dev, &a), ENXIO);
	a.group = 99;
	a.attr = 1;
	t_assert_err(ckvm_device_has_attr(dev, &a), ENXIO);
	/* set_attr: the kernel reads the fd through addr and checks it */
	efd = core_eventfd();
	fdval = efd;
	t_assert_err(ckvm_device_set_attr_val(dev, KVM_DEV_VFIO_GROUP, KVM_DEV_VFIO_GROUP_ADD,
					      &fdval), EINVAL); /* not a VFIO file */
	fdval = -1;
	t_assert_err(ckvm_device_set_attr_val(dev, KVM_DEV_VFIO_GROUP, KVM_DEV_VFIO_GROUP_ADD,
					      &fdval), EBADF);
	fdval = efd;
	t_assert_err(ckvm_device_set_attr_val(dev, KVM_DEV_VFIO_GROUP, KVM_DEV_VFIO_GROUP_DEL,
					      &fdval), ENOENT); /* never added */
	/* a bad user pointer for the value */
	memset(&a, 0, sizeof(a));
	a.group = KVM_DEV_VFIO_GROUP;
	a.attr = KVM_DEV_VFIO_GROUP_ADD;
	a.addr = 8;
	t_assert_err(ckvm_device_set_attr(dev, &a), EFAULT);
	/* KVM-VFIO has no readable attributes */
	a.addr = (uint64_t)(uintptr_t)&val;
	t_assert_err(ckvm_device_get_attr(dev, &a), EPERM);
	t_assert_err(ckvm_device_get_attr_val(dev, KVM_DEV_VFIO_GROUP, KVM_DEV_VFIO_GROUP_ADD, &val),
		     EPERM);
	t_assert_err(ckvm_device_get_attr_val(dev, KVM_DEV_VFIO_GROUP, KVM_DEV_VFIO_GROUP_ADD, NULL),
		     EINVAL);
	t_assert_err(ckvm_device_set_attr(dev, NULL), EINVAL);
	t_assert_err(ckvm_device_get_attr(dev, NULL), EINVAL);
	t_assert_err(ckvm_device_has_attr(dev, NULL), EINVAL);
	/* the escape hatch on the device fd */
	a.attr = KVM_DEV_VFIO_GROUP_ADD;
	t_assert_ok(ckvm_device_ioctl(dev, KVM_HAS_DEVICE_ATTR, &a));
	/* adopt a duplicate of the fd: same device, type unknown (0), owned fd */
	dupfd = fcntl(ckvm_device_fd(dev), F_DUPFD_CLOEXEC, 0);
	assert_true(dupfd >= 0);
	t_assert_ok(ckvm_device_from_fd(dupfd, &adopted));
	assert_int_equal(ckvm_device_fd(adopted), dupfd);
	assert_int_equal(ckvm_device_type(adopted), 0);
	t_assert_ok(ckvm_device_has_attr(adopted, &a));
	ckvm_device_close(adopted);
	assert_true(fcntl(dupfd, F_GETFD) < 0);
	close(efd);
	ckvm_device_close(dev);
	t_guest_destroy(&g);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_device_refused),
	};
	/* each may skip (absent capability or device): its own meson test */
	const struct CMUnitTest alone[] = {
		cmocka_unit_test(test_create_device),
		cmocka_unit_test(test_device_attrs),
	};

	ckvm_close(t_require_kvm());
	return t_main(argc, argv, tests, T_ARRAY_LEN(tests), alone, T_ARRAY_LEN(alone));
}
