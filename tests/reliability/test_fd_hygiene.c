/* SPDX-License-Identifier: MIT */
/*
 * test_fd_hygiene - every handle closes what it opened, and every fd ckvm
 * opens carries FD_CLOEXEC.
 *
 *  - cloexec: after creating one of everything (system handle, VM, vCPUs,
 *    device, stats fds, coalesced MMIO ring, dirty-ring VM, raw /dev/kvm
 *    fd) every fd that appeared in /proc/self/fd has FD_CLOEXEC, except the
 *    one ckvm_open_raw(path, false) was asked to leave inheritable.
 *  - churn: ITERATIONS rounds of open + VM + memory slot + 2 vCPUs (with
 *    their kvm_run mappings, the coalesced ring on one) + stats fds + close
 *    (VM first in odd rounds, vCPUs first in even ones); afterwards the set
 *    of open fds and the number of mappings are exactly what they were.
 *  - churn of vCPUs alone on one VM (create/close thousands of times).
 */
#include "t.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ITERATIONS 1000
#define VCPU_ITERATIONS 2000
#define VCPUS_PER_VM 8
#define MAX_FD 4096

static void fd_set_now(unsigned char *set)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int dfd;

	assert_non_null(d);
	dfd = dirfd(d);
	memset(set, 0, MAX_FD);
	while ((e = readdir(d))) {
		int fd;

		if (e->d_name[0] == '.')
			continue;
		fd = atoi(e->d_name);
		if (fd != dfd && fd >= 0 && fd < MAX_FD)
			set[fd] = 1;
	}
	closedir(d);
}

static int count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	int n = 0, c;

	assert_non_null(f);
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static void assert_same_fds(const unsigned char *before, const char *when)
{
	unsigned char now[MAX_FD];

	fd_set_now(now);
	for (int fd = 0; fd < MAX_FD; fd++) {
		if (before[fd] && !now[fd])
			fail_msg("%s: fd %d was closed (it was open before)", when, fd);
		if (!before[fd] && now[fd]) {
			char path[64], target[256];
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			n = readlink(path, target, sizeof(target) - 1);
			target[n > 0 ? n : 0] = 0;
			fail_msg("%s: fd %d (%s) is still open (leak)", when, fd, target);
		}
	}
}

static void *guest_page(void)
{
	void *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

static void set_slot(struct ckvm_vm *vm, void *mem)
{
	struct kvm_userspace_memory_region r;

	memset(&r, 0, sizeof(r));
	r.slot = 0;
	r.memory_size = 1 << 20;
	r.userspace_addr = (uintptr_t)mem;
	t_assert_ok(ckvm_vm_set_user_memory_region(vm, &r));
}

static void test_cloexec(void **state)
{
	unsigned char before[MAX_FD], now[MAX_FD];
	struct ckvm *kvm = t_require_kvm(), *kvm2 = NULL;
	struct ckvm_vm *vm = NULL, *vm_ring = NULL;
	struct ckvm_vcpu *v0 = NULL, *v1 = NULL, *vr = NULL;
	struct ckvm_device *dev = NULL;
	int stats_vm, stats_vcpu, raw_cloexec, raw_inherit, memfd = -1, checked = 0;
	void *mem = guest_page();

	(void)state;
	fd_set_now(before);
	t_assert_ok(ckvm_open(&kvm2));
	t_assert_ok(ckvm_create_vm(kvm, &vm));
	set_slot(vm, mem);
	t_assert_ok(ckvm_vm_create_vcpu(vm, 0, &v0));
	t_assert_ok(ckvm_vm_create_vcpu(vm, 1, &v1));
	if (ckvm_vcpu_map_coalesced_mmio_ring(v0) < 0)
		fprintf(stderr, "note: no coalesced MMIO ring\n");
#ifdef KVM_DEV_TYPE_VFIO
	if (ckvm_vm_create_device(vm, KVM_DEV_TYPE_VFIO, 0, &dev) < 0) {
		dev = NULL;
		fprintf(stderr, "note: KVM_DEV_TYPE_VFIO unavailable, no device fd checked\n");
	}
#endif
	stats_vm = ckvm_vm_get_stats_fd(vm);
	stats_vcpu = ckvm_vcpu_get_stats_fd(v0);
	t_assert_ok(stats_vm);
	t_assert_ok(stats_vcpu);
	if (ckvm_vm_has_extension(vm, KVM_CAP_GUEST_MEMFD)) {
		memfd = ckvm_vm_create_guest_memfd(vm, 1 << 20, 0);
		if (memfd < 0)
			fprintf(stderr, "note: guest_memfd: %s\n", strerror(-memfd));
	}
	t_assert_ok(ckvm_create_vm(kvm, &vm_ring));
	if (ckvm_vm_enable_dirty_ring(vm_ring, 0) == 0)
		t_assert_ok(ckvm_vm_create_vcpu(vm_ring, 0, &vr));
	raw_cloexec = ckvm_open_raw(NULL, true);
	raw_inherit = ckvm_open_raw(NULL, false);
	t_assert_ok(raw_cloexec);
	t_assert_ok(raw_inherit);

	fd_set_now(now);
	for (int fd = 0; fd < MAX_FD; fd++) {
		int flags;

		if (before[fd] || !now[fd])
			continue;
		flags = fcntl(fd, F_GETFD);
		assert_true(flags >= 0);
		if (fd == raw_inherit) {
			if (flags & FD_CLOEXEC)
				fail_msg("ckvm_open_raw(NULL, false) set FD_CLOEXEC");
			continue;
		}
		if (!(flags & FD_CLOEXEC))
			fail_msg("fd %d opened by ckvm lacks FD_CLOEXEC", fd);
		checked++;
	}
	/* kvm2, vm, v0, v1, 2 stats, vm_ring, raw_cloexec at least */
	assert_true(checked >= 8);
	fprintf(stderr, "%d fds opened by ckvm, all FD_CLOEXEC\n", checked);

	close(raw_cloexec);
	close(raw_inherit);
	close(stats_vm);
	close(stats_vcpu);
	if (memfd >= 0)
		close(memfd);
	ckvm_vcpu_close(vr);
	ckvm_vm_close(vm_ring);
	ckvm_device_close(dev);
	ckvm_vcpu_close(v1);
	ckvm_vcpu_close(v0);
	ckvm_vm_close(vm);
	ckvm_close(kvm2);
	assert_same_fds(before, "after closing one of everything");
	ckvm_close(kvm);
	munmap(mem, 1 << 20);
}

static void test_churn_vms(void **state)
{
	unsigned char before[MAX_FD];
	struct ckvm *probe = t_require_kvm();
	int maps0, maps1;
	void *mem = guest_page();

	(void)state;
	ckvm_close(probe);
	t_watchdog(55);
	fd_set_now(before);
	maps0 = count_maps();
	for (int i = 0; i < ITERATIONS; i++) {
		struct ckvm *kvm;
		struct ckvm_vm *vm;
		struct ckvm_vcpu *v0, *v1;
		int s0, s1;

		t_assert_ok(ckvm_open(&kvm));
		t_assert_ok(ckvm_create_vm(kvm, &vm));
		if (i % 3 == 0)
			ckvm_close(kvm); /* the VM outlives the system handle */
		set_slot(vm, mem);
		t_assert_ok(ckvm_vm_create_vcpu(vm, 0, &v0));
		t_assert_ok(ckvm_vm_create_vcpu(vm, 1, &v1));
		if (i % 4 == 0)
			(void)ckvm_vcpu_map_coalesced_mmio_ring(v1);
		s0 = ckvm_vm_get_stats_fd(vm);
		s1 = ckvm_vcpu_get_stats_fd(v1);
		t_assert_ok(s0);
		t_assert_ok(s1);
		close(s0);
		close(s1);
		if (i % 2) {
			ckvm_vm_close(vm);
			ckvm_vcpu_close(v1);
			ckvm_vcpu_close(v0);
		} else {
			ckvm_vcpu_close(v0);
			ckvm_vcpu_close(v1);
			ckvm_vm_close(vm);
		}
		if (i % 3 != 0)
			ckvm_close(kvm);
	}
	assert_same_fds(before, "after the VM churn");
	maps1 = count_maps();
	if (maps1 != maps0)
		fail_msg("%d mappings after %d VMs, %d before", maps1, ITERATIONS, maps0);
	fprintf(stderr, "%d VMs and %d vCPUs created and closed: fds and %d mappings unchanged\n",
		ITERATIONS, 2 * ITERATIONS, maps0);
	t_watchdog(0);
	munmap(mem, 1 << 20);
}

static void test_churn_vcpus(void **state)
{
	unsigned char before[MAX_FD];
	struct ckvm *kvm = t_require_kvm();
	int maps0, maps1, n = 0;

	(void)state;
	t_watchdog(55);
	fd_set_now(before);
	maps0 = count_maps();
	/*
	 * KVM keeps a vCPU until its VM is destroyed (an id cannot be created
	 * twice), so each VM gets VCPUS_PER_VM vCPUs, each closed at once.
	 */
	while (n < VCPU_ITERATIONS) {
		struct ckvm_vm *vm;

		t_assert_ok(ckvm_create_vm(kvm, &vm));
		for (unsigned long id = 0; id < VCPUS_PER_VM; id++, n++) {
			struct ckvm_vcpu *v;

			t_assert_ok(ckvm_vm_create_vcpu(vm, id, &v));
			assert_non_null(ckvm_vcpu_run_struct(v));
			ckvm_vcpu_close(v);
		}
		ckvm_vm_close(vm);
	}
	assert_same_fds(before, "after the vCPU churn");
	maps1 = count_maps();
	if (maps1 != maps0)
		fail_msg("%d mappings after %d vCPUs, %d before", maps1, n, maps0);
	fprintf(stderr, "%d vCPUs created and closed: fds and %d mappings unchanged\n", n, maps0);
	ckvm_close(kvm);
	t_watchdog(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cloexec),
		cmocka_unit_test(test_churn_vms),
		cmocka_unit_test(test_churn_vcpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
