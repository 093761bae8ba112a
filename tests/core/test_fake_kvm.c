/* SPDX-License-Identifier: MIT */
/*
 * test_fake_kvm.c (unit) - system-handle paths that a real /dev/kvm never
 * takes: this program links libckvm statically and interposes ioctl(2), so
 * a /dev/null fd can play /dev/kvm with any API version, fail
 * KVM_CHECK_EXTENSION with a chosen errno, or make KVM_CREATE_VM fail with
 * EINTR a few times. No /dev/kvm needed.
 */
#include "t.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fake_fd = -1;       /* the fd that plays /dev/kvm */
static int fake_version = 12;
static int fake_check_errno;   /* KVM_CHECK_EXTENSION fails with this when != 0 */
static int fake_create_eintr;  /* KVM_CREATE_VM fails with EINTR this many times */
static int create_calls;
#if defined(__x86_64__)
static uint32_t fake_cpuid_entries; /* KVM_GET_SUPPORTED_CPUID has this many (E2BIG below) */
static int cpuid_calls;
#endif

int ioctl(int fd, unsigned long req, ...);
int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd == fake_fd && fd >= 0) {
		switch (req) {
		case KVM_GET_API_VERSION:
			return fake_version;
		case KVM_CHECK_EXTENSION:
			if (fake_check_errno) {
				errno = fake_check_errno;
				return -1;
			}
			return (unsigned long)arg == KVM_CAP_COALESCED_MMIO ? 2 : 0;
		case KVM_GET_VCPU_MMAP_SIZE:
			return 12288;
		case KVM_CREATE_VM:
			create_calls++;
			if (create_calls <= fake_create_eintr) {
				errno = EINTR;
				return -1;
			}
			return fcntl(fd, F_DUPFD_CLOEXEC, 0);
#if defined(__x86_64__)
		case KVM_GET_SUPPORTED_CPUID: {
			struct kvm_cpuid2 *c = arg;

			cpuid_calls++;
			if (c->nent < fake_cpuid_entries) {
				errno = E2BIG;
				return -1;
			}
			c->nent = fake_cpuid_entries;
			for (uint32_t i = 0; i < c->nent; i++)
				c->entries[i].function = i;
			return 0;
		}
#endif
		default:
			break;
		}
	}
	return (int)syscall(SYS_ioctl, fd, req, arg);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static int open_fake(void)
{
	fake_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	assert_true(fake_fd >= 0);
	return fake_fd;
}

static void test_api_version_checked(void **state)
{
	struct ckvm *kvm = NULL;
	int fd = open_fake();

	(void)state;
	/* adopt: a version other than 12 is refused and the caller keeps the fd */
	fake_version = 11;
	t_assert_err(ckvm_from_fd(fd, &kvm), EPROTO);
	assert_null(kvm);
	assert_true(fcntl(fd, F_GETFD) >= 0);
	fake_version = 13;
	t_assert_err(ckvm_from_fd(fd, &kvm), EPROTO);
	fake_version = 12;
	t_assert_ok(ckvm_from_fd(fd, &kvm));
	assert_int_equal(ckvm_fd(kvm), fd);
	assert_int_equal(ckvm_get_api_version(kvm), 12);
	ckvm_close(kvm); /* closes fd */
	assert_true(fcntl(fd, F_GETFD) < 0);
	fake_fd = -1;
}

static void test_open_path_closes_on_bad_version(void **state)
{
	struct ckvm *kvm = NULL;
	int before, r;

	(void)state;
	/* ckvm_open_path opens the node itself; the fake answers for the next fd */
	before = count_fds();
	fake_fd = open("/dev/null", O_RDONLY); /* reserve the number, then free it */
	close(fake_fd);                        /* open_path gets this fd number */
	fake_version = 0;
	r = ckvm_open_path("/dev/null", &kvm);
	assert_int_equal(r, -EPROTO);
	assert_null(kvm);
	assert_int_equal(count_fds(), before); /* nothing leaked */
	fake_version = 12;
	t_assert_ok(ckvm_open_path("/dev/null", &kvm));
	assert_true(fcntl(ckvm_fd(kvm), F_GETFD) & FD_CLOEXEC);
	ckvm_close(kvm);
	assert_int_equal(count_fds(), before);
	fake_fd = -1;
}

static void test_check_extension_keeps_errno(void **state)
{
	struct ckvm *kvm = NULL;

	(void)state;
	open_fake();
	t_assert_ok(ckvm_from_fd(fake_fd, &kvm));
	fake_check_errno = EIO;
	t_assert_err(ckvm_check_extension(kvm, KVM_CAP_IRQCHIP), EIO);
	assert_false(ckvm_has_extension(kvm, KVM_CAP_IRQCHIP));
	/* the limit getters report the failure instead of a fallback */
	t_assert_err(ckvm_get_nr_vcpus(kvm), EIO);
	t_assert_err(ckvm_get_max_vcpus(kvm), EIO);
	t_assert_err(ckvm_get_max_vcpu_id(kvm), EIO);
	t_assert_err(ckvm_get_nr_memslots(kvm), EIO);
	fake_check_errno = ENOTTY;
	t_assert_err(ckvm_check_extension(kvm, 0), ENOTTY);
	fake_check_errno = 0;
	/* absent capabilities: the documented fallbacks */
	assert_int_equal(ckvm_check_extension(kvm, KVM_CAP_NR_VCPUS), 0);
	assert_int_equal(ckvm_get_nr_vcpus(kvm), 4);
	assert_int_equal(ckvm_get_max_vcpus(kvm), 4);
	assert_int_equal(ckvm_get_max_vcpu_id(kvm), 4);
	assert_int_equal(ckvm_get_nr_memslots(kvm), 32);
	ckvm_close(kvm);
	fake_fd = -1;
}

static void test_create_vm_retries_eintr(void **state)
{
	struct ckvm *kvm = NULL;
	struct ckvm_vm *vm = NULL;
	int before;

	(void)state;
	open_fake();
	t_assert_ok(ckvm_from_fd(fake_fd, &kvm));
	before = count_fds();
	create_calls = 0;
	fake_create_eintr = 2;
	t_assert_ok(ckvm_create_vm(kvm, &vm));
	assert_int_equal(create_calls, 3);
	assert_int_equal(ckvm_vm_run_size(vm), 12288);
	assert_true(fcntl(ckvm_vm_fd(vm), F_GETFD) & FD_CLOEXEC);
	assert_int_equal(count_fds(), before + 1);
	ckvm_vm_close(vm);
	assert_int_equal(count_fds(), before);
	fake_create_eintr = 0;
	ckvm_close(kvm);
	fake_fd = -1;
}

#if defined(__x86_64__)
/* A host with more CPUID entries than ckvm's first guess (256): ckvm grows and retries. */
static void test_supported_cpuid_grows(void **state)
{
	struct ckvm *kvm = NULL;
	struct kvm_cpuid2 *c = NULL;

	(void)state;
	open_fake();
	t_assert_ok(ckvm_from_fd(fake_fd, &kvm));
	fake_cpuid_entries = 300;
	cpuid_calls = 0;
	t_assert_ok(ckvm_get_supported_cpuid(kvm, &c));
	assert_int_equal(c->nent, 300);
	assert_true(ckvm_cpuid2_capacity(c) >= 300);
	assert_int_equal(c->entries[299].function, 299);
	assert_int_equal(cpuid_calls, 2); /* 256 -> E2BIG, then 512 */
	ckvm_cpuid2_free(c);
	/* A host needing more than CKVM_MAX_CPUID_ENTRIES: -E2BIG, nothing leaked. */
	fake_cpuid_entries = CKVM_MAX_CPUID_ENTRIES + 1;
	c = NULL;
	t_assert_err(ckvm_get_supported_cpuid(kvm, &c), E2BIG);
	assert_null(c);
	ckvm_close(kvm);
	fake_fd = -1;
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api_version_checked),
		cmocka_unit_test(test_open_path_closes_on_bad_version),
		cmocka_unit_test(test_check_extension_keeps_errno),
		cmocka_unit_test(test_create_vm_retries_eintr),
#if defined(__x86_64__)
		cmocka_unit_test(test_supported_cpuid_grows),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
