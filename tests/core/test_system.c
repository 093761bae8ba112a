/* SPDX-License-Identifier: MIT */
/*
 * test_system.c (kvm) - struct ckvm on the real /dev/kvm: opening (default
 * node, path, raw fd with and without close-on-exec, adoption), the API
 * version, KVM_CHECK_EXTENSION, the mmap size and limits, supported and
 * emulated CPUID (grown on E2BIG), the MSR index and feature lists, feature
 * MSR reads, VM creation (default type, every type KVM_CAP_VM_TYPES
 * advertises, invalid types), the Hyper-V CPUID leaves and the MCE
 * capabilities.
 */
#include "t.h"

#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static struct ckvm *kvm_open_or_skip(void)
{
	return t_require_kvm();
}

static void test_open_variants(void **state)
{
	struct ckvm *kvm = NULL, *k2 = NULL;
	int fd;

	(void)state;
	kvm = kvm_open_or_skip();
	assert_true(ckvm_fd(kvm) >= 0);
	assert_true(fcntl(ckvm_fd(kvm), F_GETFD) & FD_CLOEXEC);
	assert_true((fcntl(ckvm_fd(kvm), F_GETFL) & O_ACCMODE) == O_RDWR);
	ckvm_close(kvm);
	t_assert_ok(ckvm_open_path(CKVM_DEFAULT_DEVICE, &kvm));
	ckvm_close(kvm);
	/* raw fds: with and without close-on-exec, default path */
	fd = ckvm_open_raw(NULL, true);
	t_assert_ok(fd);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	fd = ckvm_open_raw(CKVM_DEFAULT_DEVICE, false);
	t_assert_ok(fd);
	assert_false(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* adopt it: the handle uses and owns that fd, now close-on-exec */
	t_assert_ok(ckvm_from_fd(fd, &k2));
	assert_int_equal(ckvm_fd(k2), fd);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(ckvm_get_api_version(k2), 12);
	ckvm_close(k2);
	assert_true(fcntl(fd, F_GETFD) < 0 && errno == EBADF);
	/* adopting a non-KVM fd fails and leaves the fd to the caller, unchanged */
	k2 = NULL;
	fd = open("/dev/null", O_RDWR);
	t_assert_err(ckvm_from_fd(fd, &k2), ENOTTY);
	assert_null(k2);
	assert_int_equal(fcntl(fd, F_GETFD), 0);
	close(fd);
}

static void test_version_and_extensions(void **state)
{
	struct ckvm *kvm = kvm_open_or_skip();
	size_t i;
	long cap;

	(void)state;
	assert_int_equal(ckvm_get_api_version(kvm), 12);
	assert_int_equal(ckvm_ioctl(kvm, KVM_GET_API_VERSION, NULL), 12);
	/* every kernel since 2.6.x has these */
	assert_int_equal(ckvm_check_extension(kvm, KVM_CAP_USER_MEMORY), 1);
	assert_true(ckvm_has_extension(kvm, KVM_CAP_USER_MEMORY));
	/* unknown capability numbers are 0, not an error */
	assert_int_equal(ckvm_check_extension(kvm, 100000), 0);
	assert_int_equal(ckvm_check_extension(kvm, -1), 0);
	assert_false(ckvm_has_extension(kvm, 100000));
	/* raw value and boolean agree for every known capability */
	for (i = 0; (cap = ckvm_cap_by_index(i)) >= 0; i++) {
		int v = ckvm_check_extension(kvm, cap);

		assert_true(v >= 0);
		assert_int_equal(ckvm_has_extension(kvm, cap), v > 0);
	}
	/* an unknown system ioctl through the escape hatch keeps its errno */
	t_assert_err(ckvm_ioctl(kvm, _IO(KVMIO, 0xff), NULL), EINVAL);
	ckvm_close(kvm);
}

static void test_sizes_and_limits(void **state)
{
	struct ckvm *kvm = kvm_open_or_skip();
	struct ckvm_vm *vm = NULL;
	long page = sysconf(_SC_PAGESIZE);
	int mmap_size, nr, max, maxid, slots, v;

	(void)state;
	mmap_size = ckvm_get_vcpu_mmap_size(kvm);
	assert_true(mmap_size >= (int)sizeof(struct kvm_run));
	assert_int_equal(mmap_size % page, 0);
	nr = ckvm_get_nr_vcpus(kvm);
	max = ckvm_get_max_vcpus(kvm);
	maxid = ckvm_get_max_vcpu_id(kvm);
	slots = ckvm_get_nr_memslots(kvm);
	assert_true(nr >= 1 && max >= nr && maxid >= max && slots >= 32);
	/* where the capabilities exist, the getters return their values */
	v = ckvm_check_extension(kvm, KVM_CAP_NR_VCPUS);
	assert_int_equal(nr, v > 0 ? v : 4);
	v = ckvm_check_extension(kvm, KVM_CAP_MAX_VCPUS);
	if (v > 0)
		assert_int_equal(max, v);
	v = ckvm_check_extension(kvm, KVM_CAP_MAX_VCPU_ID);
	if (v > 0)
		assert_int_equal(maxid, v);
	v = ckvm_check_extension(kvm, KVM_CAP_NR_MEMSLOTS);
	if (v > 0)
		assert_int_equal(slots, v);
	/* the VM caches the mmap size */
	t_assert_ok(ckvm_create_vm(kvm, &vm));
	assert_int_equal(ckvm_vm_run_size(vm), (size_t)mmap_size);
	ckvm_vm_close(vm);
	ckvm_close(kvm);
}

static void test_supported_cpuid(void **state)
{
	struct ckvm *kvm = kvm_open_or_skip();
	struct kvm_cpuid2 *c = NULL;
	struct kvm_cpuid_entry2 *e;
	unsigned a, b, cc, d;
	uint32_t i;

	(void)state;
	t_assert_ok(ckvm_get_supported_cpuid(kvm, &c));
	assert_true(c->nent > 1 && c->nent <= ckvm_cpuid2_capacity(c));
	/* ckvm asks for 256 entries first (growth on E2BIG: test_fake_kvm.c) */
	assert_true(ckvm_cpuid2_capacity(c) >= 256);
	print_message("# %u supported CPUID entries (buffer grown to %u)\n", c->nent,
		      ckvm_cpuid2_capacity(c));
	/* leaf 0: the host's vendor string and at least leaf 1 */
	e = ckvm_cpuid2_find(c, 0, 0);
	assert_non_null(e);
	assert_true(e->eax >= 1);
	__cpuid(0, a, b, cc, d);
	assert_int_equal(e->ebx, b);
	assert_int_equal(e->ecx, cc);
	assert_int_equal(e->edx, d);
	assert_non_null(ckvm_cpuid2_find(c, 1, 0));
	assert_non_null(ckvm_cpuid2_find(c, 0x80000000u, 0));
	/* every basic leaf KVM reports is within leaf 0's range */
	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function < 0x40000000u)
			assert_true(c->entries[i].function <= e->eax);
	ckvm_cpuid2_free(c);
	ckvm_close(kvm);
}

static void test_emulated_cpuid(void **state)
{
	struct ckvm *kvm = kvm_open_or_skip();
	struct kvm_cpuid2 *c = NULL;
	struct kvm_cpuid_entry2 *e;

	(void)state;
	t_require_cap(kvm, KVM_CAP_EXT_EMUL_CPUID);
	t_assert_ok(ckvm_get_emulated_cpuid(kvm, &c));
	assert_true(c->nent >= 1 && c->nent <= ckvm_cpuid2_capacity(c));
	/* KVM emulates MOVBE: CPUID.1:ECX bit 22 */
	e = ckvm_cpuid2_find(c, 1, 0);
	assert_non_null(e);
	assert_true(e->ecx & (1u << 22));
	ckvm_cpuid2_free(c);
	ckvm_close(kvm);
}

static int has_index(const struct kvm_msr_list *l, uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < l->nmsrs; i++)
		if (l->indices[i] == idx)
			return 1;
	return 0;
}

static void test_msr_index_list(void **state)
{
	struct ckvm *kvm = kvm_open_or_skip();
	struct kvm_msr_list *l = NULL;

	(void)state;
	t_assert_ok(ckvm_get_msr_index_list(kvm, &l));
	assert_true(l->nmsrs > 0 && l->nmsrs <= ckvm_msr_list_capacity(l));
	print_message("# %u MSRs in the index list\n", l->nmsrs);
	/* ckvm starts with 16 entries and grows to the count KVM asks for on E2BIG */
	if (l->nmsrs > 16)
		assert_int_equal(ckvm_msr_list_capacity(l), l->nmsrs);
	/* architectural MSRs every KVM saves: SYSENTER_CS/ESP/EIP, TSC */
	assert_true(has_index(l, 0x174) && has_index(l, 0x175) && has_index(l, 0x176));
	assert_true(has_index(l, 0x10));
	t_assert_err(ckvm_get_msr_index_list(kvm, NULL), EINVAL);
	ckvm_msr_list_free(l);
	ckvm_close(kvm);
}

static void test_msr_lists(void **state)
{
	struct ckvm *kvm = kvm_open_or_skip();
	struct kvm_msr_list *f = NULL;
	struct kvm_msrs *m = NULL;
	uint32_t i;

	(void)state;
	t_require_cap(kvm, KVM_CAP_GET_MSR_FEATURES);
	t_assert_ok(ckvm_get_msr_feature_index_list(kvm, &f));
	assert_true(f->nmsrs > 0);
	/* every feature MSR can be read on the system fd, and the values are stable */
	t_assert_ok(ckvm_msrs_alloc(f->nmsrs, &m));
	for (i = 0; i < f->nmsrs; i++)
		t_assert_ok(ckvm_msrs_push(m, f->indices[i], 0xdeadbeefdeadbeefULL));
	assert_int_equal(ckvm_get_msrs(kvm, m), (int)f->nmsrs);
	for (i = 0; i < f->nmsrs; i++) {
		uint64_t first = m->entries[i].data;
		struct kvm_msrs *one = NULL;

		t_assert_ok(ckvm_msrs_alloc(1, &one));
		t_assert_ok(ckvm_msrs_push(one, f->indices[i], 0));
		assert_int_equal(ckvm_get_msrs(kvm, one), 1);
		assert_true(one->entries[0].data == first);
		ckvm_msrs_free(one);
	}
	/* a count above ckvm's limit is refused before the ioctl */
	m->nmsrs = CKVM_MAX_MSR_ENTRIES + 1;
	t_assert_err(ckvm_get_msrs(kvm, m), E2BIG);
	t_assert_err(ckvm_get_msrs(kvm, NULL), EINVAL);
	t_assert_err(ckvm_get_msr_feature_index_list(kvm, NULL), EINVAL);
	ckvm_msrs_free(m);
	ckvm_msr_list_free(f);
	ckvm_close(kvm);
}

/*
 * KVM_GET_SUPPORTED_HV_CPUID on /dev/kvm: Hyper-V's leaves, starting with
 * the vendor leaf whose EAX is the highest leaf, and the interface leaf
 * 0x40000001 whose EAX is "Hv#1" (the TLFS signature a guest checks).
 */
static void test_hv_cpuid(void **state)
{
	struct ckvm *kvm = kvm_open_or_skip();
	struct kvm_cpuid2 *c = NULL, *keep;
	struct kvm_cpuid_entry2 *e;

	(void)state;
	t_require_cap(kvm, KVM_CAP_SYS_HYPERV_CPUID);
	t_assert_ok(ckvm_get_supported_hv_cpuid(kvm, &c));
	assert_true(c->nent >= 2 && c->nent <= ckvm_cpuid2_capacity(c));
	e = ckvm_cpuid2_find(c, 0x40000000, 0);
	assert_non_null(e);
	assert_true(e->eax >= 0x40000001 && e->eax < 0x40000100);
	for (uint32_t i = 0; i < c->nent; i++)
		assert_true(c->entries[i].function >= 0x40000000 &&
			    c->entries[i].function <= 0x400000ff);
	e = ckvm_cpuid2_find(c, 0x40000001, 0);
	assert_non_null(e);
	assert_int_equal(e->eax, 0x31237648); /* "Hv#1" */
	/* *out is left alone on failure */
	keep = c;
	t_assert_err(ckvm_get_supported_hv_cpuid(NULL, &c), EINVAL);
	assert_ptr_equal(c, keep);
	ckvm_cpuid2_free(c);
	ckvm_close(kvm);
}

/*
 * KVM_X86_GET_MCE_CAP_SUPPORTED: the same value as the raw ioctl, with no
 * bank count in it (the count is KVM_CAP_MCE's value); vCPUs accept it
 * with a bank count (tests/vcpu/test_state.c:test_mce injects an error).
 */
static void test_mce_cap(void **state)
{
	struct ckvm *kvm = kvm_open_or_skip();
	struct ckvm_vm *vm = NULL;
	struct ckvm_vcpu *v = NULL;
	__u64 raw = 0;
	uint64_t mcg = ~0ull;
	int banks;

	(void)state;
	t_require_cap(kvm, KVM_CAP_MCE);
	t_assert_ok(ckvm_get_mce_cap_supported(kvm, &mcg));
	t_assert_ok(ckvm_ioctl(kvm, KVM_X86_GET_MCE_CAP_SUPPORTED, &raw));
	assert_int_equal(mcg, raw);
	assert_int_equal(mcg & 0xff, 0);
	print_message("# MCG_CAP bits %#llx, up to %d banks\n", (unsigned long long)mcg,
		      ckvm_check_extension(kvm, KVM_CAP_MCE));
	banks = ckvm_check_extension(kvm, KVM_CAP_MCE);
	assert_true(banks >= 1);
	t_assert_ok(ckvm_create_vm(kvm, &vm));
	t_assert_ok(ckvm_vm_create_vcpu(vm, 0, &v));
	t_assert_ok(ckvm_vcpu_setup_mce(v, mcg | (uint64_t)banks));
	/* a capability bit KVM did not offer is refused (bits 16-23 are a count) */
	for (int bit = 8; bit < 64; bit++) {
		if (bit >= 16 && bit < 24)
			continue;
		if (!(mcg & (1ull << bit))) {
			t_assert_err(ckvm_vcpu_setup_mce(v, mcg | (1ull << bit) | 1), EINVAL);
			break;
		}
	}
	ckvm_vcpu_close(v);
	ckvm_vm_close(vm);
	ckvm_close(kvm);
}

static void test_create_vm(void **state)
{
	struct ckvm *kvm = kvm_open_or_skip();
	struct ckvm_vm *vm = NULL, *vm2 = NULL;
	unsigned long t;
	int types;

	(void)state;
	t_assert_ok(ckvm_create_vm(kvm, &vm));
	assert_true(fcntl(ckvm_vm_fd(vm), F_GETFD) & FD_CLOEXEC);
	assert_true(ckvm_vm_fd(vm) != ckvm_fd(kvm));
	/* the VM outlives the system handle */
	ckvm_close(kvm);
	assert_true(ckvm_vm_check_extension(vm, KVM_CAP_USER_MEMORY) > 0);
	ckvm_vm_close(vm);

	kvm = kvm_open_or_skip();
	t_assert_ok(ckvm_create_vm_with_type(kvm, KVM_X86_DEFAULT_VM, &vm));
	ckvm_vm_close(vm);
	/* unknown machine types */
	t_assert_err(ckvm_create_vm_with_type(kvm, 0xdead, &vm2), EINVAL);
	assert_null(vm2);
	/* every type KVM_CAP_VM_TYPES lists can be created, the others cannot */
	types = ckvm_check_extension(kvm, KVM_CAP_VM_TYPES);
	if (types > 0) {
		for (t = 0; t < 8; t++) {
			int r = ckvm_create_vm_with_type(kvm, t, &vm2);

			if (types & (1 << t)) {
				t_assert_ok(r);
				ckvm_vm_close(vm2);
			} else {
				assert_true(r < 0);
			}
			vm2 = NULL;
		}
	} else {
		print_message("# KVM_CAP_VM_TYPES absent: only the default type checked\n");
	}
	t_assert_err(ckvm_create_vm(kvm, NULL), EINVAL);
	ckvm_close(kvm);
}

/* System-scope device attributes (KVM_CAP_SYS_ATTRIBUTES). */
static void test_sys_attributes(void **state)
{
	struct ckvm *kvm = kvm_open_or_skip();
	uint64_t v = 0xdeadbeefcafef00dull;
	struct kvm_device_attr a = { .group = 0, .attr = 0, .addr = (uint64_t)(uintptr_t)&v };

	(void)state;
	t_require_cap(kvm, KVM_CAP_SYS_ATTRIBUTES);
#if defined(__x86_64__)
	a.attr = KVM_X86_XCOMP_GUEST_SUPP;
	t_assert_ok(ckvm_has_device_attr(kvm, &a));
	t_assert_ok(ckvm_get_device_attr(kvm, &a));
	/* the kernel wrote the value: XCR0 bits it lets guests use (none beyond AVX-512/AMX tiles) */
	assert_true(v != 0xdeadbeefcafef00dull);
	assert_int_equal(v & ~0xffffffffffffull, 0);
	print_message("# KVM_X86_XCOMP_GUEST_SUPP = %#llx\n", (unsigned long long)v);
	/* a bad addr: the kernel cannot write through it */
	a.addr = 8;
	t_assert_err(ckvm_get_device_attr(kvm, &a), EFAULT);
#endif
	/* an attribute that does not exist */
	a.attr = 0x7fff;
	t_assert_err(ckvm_has_device_attr(kvm, &a), ENXIO);
	t_assert_err(ckvm_get_device_attr(kvm, NULL), EINVAL);
	t_assert_err(ckvm_has_device_attr(NULL, &a), EINVAL);
	ckvm_close(kvm);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_variants),
		cmocka_unit_test(test_version_and_extensions),
		cmocka_unit_test(test_sizes_and_limits),
		cmocka_unit_test(test_supported_cpuid),
		cmocka_unit_test(test_msr_index_list),
		cmocka_unit_test(test_create_vm),
	};
	/* each may skip (absent capability): its own meson test */
	const struct CMUnitTest alone[] = {
		cmocka_unit_test(test_emulated_cpuid),
		cmocka_unit_test(test_msr_lists),
		cmocka_unit_test(test_hv_cpuid),
		cmocka_unit_test(test_mce_cap),
		cmocka_unit_test(test_sys_attributes),
	};

	ckvm_close(t_require_kvm());
	return t_main(argc, argv, tests, T_ARRAY_LEN(tests), alone, T_ARRAY_LEN(alone));
}
