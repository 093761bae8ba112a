/* SPDX-License-Identifier: MIT */
/*
 * test_vm_misc.c (kvm) - VM handle plumbing: adopting a VM fd,
 * VM-scope KVM_CHECK_EXTENSION, KVM_ENABLE_CAP (checked by its effect),
 * the binary stats fds (VM and vCPU, values that move while a guest runs),
 * device attributes on the VM fd, and the ioctl escape hatch.
 */
#include "core_guest.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static void test_vm_from_fd(void **state)
{
	struct t_guest g;
	struct ckvm_vm *vm2 = NULL;
	uint8_t *mem = core_map(0x10000);
	int fd;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	fd = fcntl(ckvm_vm_fd(g.vm), F_DUPFD, 0); /* without FD_CLOEXEC */
	assert_true(fd >= 0);
	t_assert_err(ckvm_vm_from_fd(g.kvm, -1, &vm2), EBADF);
	assert_null(vm2);
	t_assert_err(ckvm_vm_from_fd(NULL, fd, &vm2), EINVAL);
	t_assert_err(ckvm_vm_from_fd(g.kvm, fd, NULL), EINVAL);
	assert_int_equal(fcntl(fd, F_GETFD), 0); /* refused: the fd is untouched */
	t_assert_ok(ckvm_vm_from_fd(g.kvm, fd, &vm2));
	assert_int_equal(ckvm_vm_fd(vm2), fd);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC); /* owned now: close-on-exec */
	assert_int_equal(ckvm_vm_run_size(vm2), ckvm_vm_run_size(g.vm));
	/* the same VM: a slot added through one handle is seen through the other */
	t_assert_ok(core_slot(vm2, CORE_SLOT, 0, CORE_SLOT_GPA, mem, 0x10000));
	t_assert_err(core_slot(g.vm, CORE_SLOT + 1, 0, CORE_SLOT_GPA, mem, 0x10000), EEXIST);
	ckvm_vm_close(vm2);
	assert_true(fcntl(fd, F_GETFD) < 0);
	t_guest_destroy(&g);
	core_unmap(mem, 0x10000);
}

static void test_vm_check_extension(void **state)
{
	struct t_guest g;
	size_t i;
	long cap;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	t_require_cap(g.kvm, KVM_CAP_CHECK_EXTENSION_VM);
	for (i = 0; (cap = ckvm_cap_by_index(i)) >= 0; i++) {
		int v = ckvm_vm_check_extension(g.vm, cap);

		assert_true(v >= 0);
		assert_int_equal(ckvm_vm_has_extension(g.vm, cap), v > 0);
		/* the same ioctl through the escape hatch */
		assert_int_equal(ckvm_vm_ioctl(g.vm, KVM_CHECK_EXTENSION, (void *)(uintptr_t)cap), v);
	}
	assert_int_equal(ckvm_vm_check_extension(g.vm, 100000), 0);
	/* VM-scope values that are sizes or counts */
	assert_true(ckvm_vm_check_extension(g.vm, KVM_CAP_NR_MEMSLOTS) >= 32);
	assert_true(ckvm_vm_check_extension(g.vm, KVM_CAP_MAX_VCPUS) >= 1);
	t_guest_destroy(&g);
}

static void test_enable_cap(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v = NULL;
	struct kvm_enable_cap cap;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	t_require_cap(g.kvm, KVM_CAP_ENABLE_CAP_VM);
	/* unknown capability, non-zero flags */
	t_assert_err(ckvm_vm_enable_cap1(g.vm, 100000, 0), EINVAL);
	memset(&cap, 0, sizeof(cap));
	cap.cap = KVM_CAP_MAX_VCPU_ID;
	cap.flags = 1;
	cap.args[0] = 4;
	t_assert_err(ckvm_vm_enable_cap(g.vm, &cap), EINVAL);
	t_assert_err(ckvm_vm_enable_cap(g.vm, NULL), EINVAL);
	/* KVM_CAP_MAX_VCPU_ID = 4 (x86): ids 0..3 only, checked by creating vCPUs */
	if (ckvm_vm_check_extension(g.vm, KVM_CAP_MAX_VCPU_ID) > 4) {
		cap.flags = 0;
		t_assert_ok(ckvm_vm_enable_cap(g.vm, &cap));
		t_assert_err(ckvm_vm_create_vcpu(g.vm, 4, &v), EINVAL);
		t_assert_ok(ckvm_vm_create_vcpu(g.vm, 3, &v));
		ckvm_vcpu_close(v);
		/* enable_cap1 is the same ioctl: too late now that a vCPU exists */
		assert_true(ckvm_vm_enable_cap1(g.vm, KVM_CAP_MAX_VCPU_ID, 2) < 0);
	}
	t_guest_destroy(&g);
}

static int find_stat(struct ckvm_stats *st, const char *name, uint64_t *val)
{
	int i = ckvm_stats_find(st, name);

	if (i < 0)
		return i;
	return ckvm_stats_read(st, (size_t)i, val, 1) == 1 ? 0 : -EIO;
}

static void test_stats_fds(void **state)
{
	struct t_guest g;
	struct ckvm_vcpu *v;
	struct ckvm_stats *vst = NULL, *cst = NULL;
	uint64_t exits0 = 0, exits1 = 0;
	size_t i, j;
	int vfd, cfd;

	(void)state;
	memset(&g, 0, sizeof(g));
	v = core_guest(&g);
	t_require_cap(g.kvm, KVM_CAP_BINARY_STATS_FD);
	vfd = ckvm_vm_get_stats_fd(g.vm);
	t_assert_ok(vfd);
	assert_true(fcntl(vfd, F_GETFD) & FD_CLOEXEC);
	t_assert_ok(ckvm_stats_open(vfd, &vst));
	assert_true(ckvm_stats_count(vst) > 0);
	/* descriptors: unique names, known types, readable values */
	for (i = 0; i < ckvm_stats_count(vst); i++) {
		const struct ckvm_stat_desc *d = ckvm_stats_desc(vst, i);
		uint64_t vals[1024];

		assert_true((d->flags & KVM_STATS_TYPE_MASK) <= KVM_STATS_TYPE_MAX);
		assert_true(d->size <= 1024);
		assert_int_equal(ckvm_stats_read(vst, i, vals, 1024), d->size);
		for (j = 0; j < i; j++)
			assert_string_not_equal(d->name, ckvm_stats_desc(vst, j)->name);
	}
	assert_true(ckvm_stats_find(vst, "remote_tlb_flush") >= 0);
	/* the vCPU's stats move as the guest runs: every ucall is an exit */
	cfd = ckvm_vcpu_get_stats_fd(v);
	t_assert_ok(cfd);
	t_assert_ok(ckvm_stats_open(cfd, &cst));
	t_assert_ok(find_stat(cst, "exits", &exits0));
	for (i = 0; i < 10; i++)
		assert_int_equal(core_do(&g, v, OP_WRITE32, T_DATA_GPA + 64, (uint64_t)i), CORE_OP_DONE);
	t_assert_ok(find_stat(cst, "exits", &exits1));
	assert_true(exits1 >= exits0 + 10);
	ckvm_stats_close(cst);
	ckvm_stats_close(vst);
	close(cfd);
	close(vfd);
	t_guest_destroy(&g);
}

static void test_vm_device_attr(void **state)
{
	struct t_guest g;
	struct kvm_device_attr a;
	uint64_t val = 0;

	(void)state;
	memset(&g, 0, sizeof(g));
	core_guest_memory(&g);
	memset(&a, 0, sizeof(a));
	a.addr = (uint64_t)(uintptr_t)&val;
	/* x86 has no VM-fd device attributes (arm64 uses them for the SMCCC filter) */
	t_assert_err(ckvm_vm_has_device_attr(g.vm, &a), ENOTTY);
	t_assert_err(ckvm_vm_get_device_attr(g.vm, &a), ENOTTY);
	t_assert_err(ckvm_vm_set_device_attr(g.vm, &a), ENOTTY);
	t_assert_err(ckvm_vm_has_device_attr(g.vm, NULL), EINVAL);
	/* an unknown VM ioctl through the escape hatch */
	assert_true(ckvm_vm_ioctl(g.vm, _IO(KVMIO, 0xff), NULL) < 0);
	t_guest_destroy(&g);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vm_from_fd),
		cmocka_unit_test(test_vm_device_attr),
	};
	/* each may skip (absent capability or device): its own meson test */
	const struct CMUnitTest alone[] = {
		cmocka_unit_test(test_vm_check_extension),
		cmocka_unit_test(test_enable_cap),
		cmocka_unit_test(test_stats_fds),
	};

	ckvm_close(t_require_kvm());
	return t_main(argc, argv, tests, T_ARRAY_LEN(tests), alone, T_ARRAY_LEN(alone));
}
