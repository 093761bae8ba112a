/* SPDX-License-Identifier: MIT */
/*
 * test_fake_kvm.c (unit) - system-handle paths that a real /dev/kvm never
 * takes: this program links libckvm statically and interposes ioctl(2), so
 * a /dev/null fd can play /dev/kvm with any API version, fail
 * KVM_CHECK_EXTENSION with a chosen errno, or make KVM_CREATE_VM fail with
 * EINTR a few times. On x86 it also answers the CPUID-style queries with
 * chosen sizes, and records the x86 VM ioctls of its VM (boot CPU, PMU
 * filter, Hyper-V eventfd, Xen) so the tests can check what reaches KVM and
 * that bad arguments never do. No /dev/kvm needed.
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
static uint32_t fake_hv_entries;    /* KVM_GET_SUPPORTED_HV_CPUID: the same (0: -EINVAL, no Hyper-V) */
static int hv_calls;
/* The VM fd of the last KVM_CREATE_VM: its x86 ioctls are recorded, not issued. */
static int fake_vm_fd = -1;
static int vm_calls;                /* recorded VM ioctls */
static unsigned long vm_last_req;
static unsigned long vm_last_val;   /* integer argument (KVM_SET_BOOT_CPU_ID) */
static union {
	struct kvm_pmu_event_filter pmu;
	uint8_t pmu_bytes[sizeof(struct kvm_pmu_event_filter) + 8 * sizeof(uint64_t)];
	struct kvm_hyperv_eventfd hv;
	struct kvm_xen_hvm_config xen;
} vm_last;
static int fake_vm_ioctl(unsigned long req, void *arg)
{
	vm_calls++;
	vm_last_req = req;
	memset(&vm_last, 0, sizeof(vm_last));
	switch (req) {
	case KVM_SET_BOOT_CPU_ID:
		vm_last_val = (unsigned long)arg;
		return 0;
	case KVM_SET_PMU_EVENT_FILTER: {
		const struct kvm_pmu_event_filter *f = arg;
		uint32_t n = f->nevents < 8 ? f->nevents : 8;

		memcpy(&vm_last.pmu, f, sizeof(*f) + n * sizeof(f->events[0]));
		return 0;
	}
	case KVM_HYPERV_EVENTFD:
		memcpy(&vm_last.hv, arg, sizeof(vm_last.hv));
		return 0;
	case KVM_XEN_HVM_CONFIG:
		memcpy(&vm_last.xen, arg, sizeof(vm_last.xen));
		return 0;
	case KVM_XEN_HVM_GET_ATTR:
	case KVM_XEN_HVM_SET_ATTR:
	case KVM_XEN_HVM_EVTCHN_SEND:
		return 0;
	default:
		vm_calls--;
		return -2; /* not recorded: the real ioctl (on /dev/null) */
	}
}
#endif

int ioctl(int fd, unsigned long req, ...);
int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
#if defined(__x86_64__)
	if (fd == fake_vm_fd && fd >= 0) {
		int r = fake_vm_ioctl(req, arg);

		if (r != -2)
			return r;
	}
#endif
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
#if defined(__x86_64__)
			fake_vm_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
			return fake_vm_fd;
#else
			return fcntl(fd, F_DUPFD_CLOEXEC, 0);
#endif
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
		case KVM_GET_SUPPORTED_HV_CPUID: {
			struct kvm_cpuid2 *c = arg;

			hv_calls++;
			if (!fake_hv_entries) {
				errno = EINVAL;
				return -1;
			}
			if (c->nent < fake_hv_entries) {
				errno = E2BIG;
				return -1;
			}
			c->nent = fake_hv_entries;
			for (uint32_t i = 0; i < c->nent; i++)
				c->entries[i].function = 0x40000000u + i;
			return 0;
		}
		case KVM_X86_GET_MCE_CAP_SUPPORTED:
			*(__u64 *)arg = 0x0000000000000c00ull; /* MCG_CTL_P | MCG_SER_P-like bits */
			return 0;
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

/*
 * KVM_GET_SUPPORTED_HV_CPUID (system scope; the vCPU scope shares the
 * code): starts at 16 entries and doubles on E2BIG; a kernel without
 * Hyper-V (-EINVAL) or one needing more than CKVM_MAX_CPUID_ENTRIES leaves
 * *out alone and leaks nothing.
 */
static void test_hv_cpuid_grows(void **state)
{
	struct ckvm *kvm = NULL;
	struct kvm_cpuid2 *c = NULL;

	(void)state;
	open_fake();
	t_assert_ok(ckvm_from_fd(fake_fd, &kvm));
	fake_hv_entries = 11; /* Linux 6.18's count: the first guess is enough */
	hv_calls = 0;
	t_assert_ok(ckvm_get_supported_hv_cpuid(kvm, &c));
	assert_int_equal(c->nent, 11);
	assert_int_equal(hv_calls, 1);
	assert_int_equal(c->entries[0].function, 0x40000000);
	ckvm_cpuid2_free(c);
	fake_hv_entries = 40;
	hv_calls = 0;
	c = NULL;
	t_assert_ok(ckvm_get_supported_hv_cpuid(kvm, &c));
	assert_int_equal(c->nent, 40);
	assert_int_equal(c->entries[39].function, 0x40000000 + 39);
	assert_int_equal(hv_calls, 3); /* 16, 32 -> E2BIG, then 64 */
	ckvm_cpuid2_free(c);
	fake_hv_entries = CKVM_MAX_CPUID_ENTRIES + 1;
	c = NULL;
	t_assert_err(ckvm_get_supported_hv_cpuid(kvm, &c), E2BIG);
	assert_null(c);
	fake_hv_entries = 0;
	t_assert_err(ckvm_get_supported_hv_cpuid(kvm, &c), EINVAL);
	assert_null(c);
	t_assert_err(ckvm_get_supported_hv_cpuid(kvm, NULL), EINVAL);
	{
		uint64_t mcg = 0;

		t_assert_ok(ckvm_get_mce_cap_supported(kvm, &mcg));
		assert_int_equal(mcg, 0xc00);
		t_assert_err(ckvm_get_mce_cap_supported(kvm, NULL), EINVAL);
	}
	ckvm_close(kvm);
	fake_fd = -1;
}

/*
 * The x86 VM calls' local checks refuse bad arguments without an ioctl
 * (vm_calls unchanged), and valid ones reach KVM with the struct built as
 * the ABI says (read back from the recorded argument).
 */
static void test_x86_vm_local_checks(void **state)
{
	struct ckvm *kvm = NULL;
	struct ckvm_vm *vm = NULL;
	uint64_t ev[3];
	int calls;

	(void)state;
	open_fake();
	t_assert_ok(ckvm_from_fd(fake_fd, &kvm));
	t_assert_ok(ckvm_create_vm(kvm, &vm));
	assert_int_equal(ckvm_vm_fd(vm), fake_vm_fd);
	vm_calls = 0;

	/* KVM_SET_BOOT_CPU_ID: a vCPU id is 32 bits */
	t_assert_err(ckvm_vm_set_boot_cpu_id(vm, (unsigned long)UINT32_MAX + 1), EINVAL);
	assert_int_equal(vm_calls, 0);
	t_assert_ok(ckvm_vm_set_boot_cpu_id(vm, 3));
	assert_int_equal(vm_calls, 1);
	assert_int_equal(vm_last_req, KVM_SET_BOOT_CPU_ID);
	assert_int_equal(vm_last_val, 3);

	/* KVM_SET_PMU_EVENT_FILTER */
	ev[0] = ckvm_pmu_event(0xc0, 0);
	ev[1] = ckvm_pmu_event(0x1c2, 0x34);
	ev[2] = ckvm_pmu_masked_event(0x1c2, 0xf0, 0x30, true);
	/* the encodings, bit by bit as api.rst lays them out */
	assert_int_equal(ev[0], 0xc0);
	assert_int_equal(ev[1], 0xc2ull | 0x34ull << 8 | 0x1ull << 32);
	assert_int_equal(ev[2], 0xc2ull | 0x30ull << 8 | 0x1ull << 32 | 1ull << 55 | 0xf0ull << 56);
	assert_int_equal(ckvm_pmu_masked_event(0xfff, 0, 0, false), 0xffull | 0xfull << 32);
	calls = vm_calls;
	t_assert_err(ckvm_vm_set_pmu_event_filter(vm, 2, 0, 0, ev, 1), EINVAL);
	t_assert_err(ckvm_vm_set_pmu_event_filter(vm, KVM_PMU_EVENT_DENY, 2, 0, ev, 1), EINVAL);
	t_assert_err(ckvm_vm_set_pmu_event_filter(vm, KVM_PMU_EVENT_DENY, 0, 0, NULL, 1), EINVAL);
	t_assert_err(ckvm_vm_set_pmu_event_filter(vm, KVM_PMU_EVENT_DENY, 0, 0, ev,
						  CKVM_MAX_PMU_EVENTS + 1), E2BIG);
	t_assert_err(ckvm_vm_set_pmu_event_filter(vm, KVM_PMU_EVENT_DENY, 0, 0, ev, SIZE_MAX), E2BIG);
	t_assert_err(ckvm_vm_set_pmu_event_filter(NULL, KVM_PMU_EVENT_DENY, 0, 0, ev, 1), EINVAL);
	assert_int_equal(vm_calls, calls);
	t_assert_ok(ckvm_vm_set_pmu_event_filter(vm, KVM_PMU_EVENT_DENY,
						 KVM_PMU_EVENT_FLAG_MASKED_EVENTS, 0x5, ev, 3));
	assert_int_equal(vm_calls, calls + 1);
	assert_int_equal(vm_last_req, KVM_SET_PMU_EVENT_FILTER);
	assert_int_equal(vm_last.pmu.action, KVM_PMU_EVENT_DENY);
	assert_int_equal(vm_last.pmu.nevents, 3);
	assert_int_equal(vm_last.pmu.fixed_counter_bitmap, 0x5);
	assert_int_equal(vm_last.pmu.flags, KVM_PMU_EVENT_FLAG_MASKED_EVENTS);
	for (int i = 0; i < 4; i++)
		assert_int_equal(vm_last.pmu.pad[i], 0);
	assert_memory_equal(vm_last.pmu.events, ev, sizeof(ev));
	/* an empty list needs no array */
	t_assert_ok(ckvm_vm_set_pmu_event_filter(vm, KVM_PMU_EVENT_ALLOW, 0, 0, NULL, 0));
	assert_int_equal(vm_last.pmu.nevents, 0);
	/* the raw form: only the count is checked */
	{
		union {
			struct kvm_pmu_event_filter f;
			uint8_t b[sizeof(struct kvm_pmu_event_filter) + sizeof(uint64_t)];
		} raw;

		memset(&raw, 0, sizeof(raw));
		raw.f.nevents = CKVM_MAX_PMU_EVENTS + 1;
		calls = vm_calls;
		t_assert_err(ckvm_vm_set_pmu_event_filter_raw(vm, &raw.f), E2BIG);
		t_assert_err(ckvm_vm_set_pmu_event_filter_raw(vm, NULL), EINVAL);
		assert_int_equal(vm_calls, calls);
		raw.f.nevents = 1;
		raw.f.events[0] = 0xc0;
		t_assert_ok(ckvm_vm_set_pmu_event_filter_raw(vm, &raw.f));
		assert_int_equal(vm_last.pmu.nevents, 1);
		assert_int_equal(vm_last.pmu.events[0], 0xc0);
	}

	/* KVM_HYPERV_EVENTFD */
	calls = vm_calls;
	t_assert_err(ckvm_vm_hyperv_eventfd(vm, KVM_HYPERV_CONN_ID_MASK + 1, 0, 0), EINVAL);
	t_assert_err(ckvm_vm_hyperv_eventfd(vm, 1, 0, 2), EINVAL);
	t_assert_err(ckvm_vm_hyperv_eventfd(vm, 1, -1, 0), EBADF);
	assert_int_equal(vm_calls, calls);
	t_assert_ok(ckvm_vm_hyperv_eventfd(vm, KVM_HYPERV_CONN_ID_MASK, 7, 0));
	assert_int_equal(vm_last_req, KVM_HYPERV_EVENTFD);
	assert_int_equal(vm_last.hv.conn_id, KVM_HYPERV_CONN_ID_MASK);
	assert_int_equal(vm_last.hv.fd, 7);
	assert_int_equal(vm_last.hv.flags, 0);
	/* deassign: the fd is not needed, -1 goes to KVM whatever was passed */
	t_assert_ok(ckvm_vm_hyperv_eventfd(vm, 5, 9, KVM_HYPERV_EVENTFD_DEASSIGN));
	assert_int_equal(vm_last.hv.conn_id, 5);
	assert_int_equal(vm_last.hv.fd, -1);
	assert_int_equal(vm_last.hv.flags, KVM_HYPERV_EVENTFD_DEASSIGN);

	/* Xen: hypercall interception and blobs exclude each other */
	{
		struct kvm_xen_hvm_config xc;
		struct kvm_xen_hvm_attr xa;
		struct kvm_irq_routing_xen_evtchn evt;

		memset(&xc, 0, sizeof(xc));
		memset(&xa, 0, sizeof(xa));
		memset(&evt, 0, sizeof(evt));
		calls = vm_calls;
		xc.flags = KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL;
		xc.blob_addr_64 = 0x1000;
		t_assert_err(ckvm_vm_xen_hvm_config(vm, &xc), EINVAL);
		xc.blob_addr_64 = 0;
		xc.blob_size_32 = 1;
		t_assert_err(ckvm_vm_xen_hvm_config(vm, &xc), EINVAL);
		t_assert_err(ckvm_vm_xen_hvm_config(vm, NULL), EINVAL);
		t_assert_err(ckvm_vm_xen_hvm_get_attr(vm, NULL), EINVAL);
		t_assert_err(ckvm_vm_xen_hvm_set_attr(vm, NULL), EINVAL);
		t_assert_err(ckvm_vm_xen_hvm_evtchn_send(vm, NULL), EINVAL);
		assert_int_equal(vm_calls, calls);
		xc.blob_size_32 = 0;
		xc.msr = 0x40000200;
		t_assert_ok(ckvm_vm_xen_hvm_config(vm, &xc));
		assert_int_equal(vm_last_req, KVM_XEN_HVM_CONFIG);
		assert_int_equal(vm_last.xen.flags, KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL);
		assert_int_equal(vm_last.xen.msr, 0x40000200);
		/* blobs without interception are KVM's to judge */
		xc.flags = 0;
		xc.blob_addr_64 = 0x1000;
		xc.blob_size_64 = 1;
		t_assert_ok(ckvm_vm_xen_hvm_config(vm, &xc));
		assert_int_equal(vm_last.xen.blob_size_64, 1);
		t_assert_ok(ckvm_vm_xen_hvm_get_attr(vm, &xa));
		assert_int_equal(vm_last_req, KVM_XEN_HVM_GET_ATTR);
		t_assert_ok(ckvm_vm_xen_hvm_set_attr(vm, &xa));
		assert_int_equal(vm_last_req, KVM_XEN_HVM_SET_ATTR);
		t_assert_ok(ckvm_vm_xen_hvm_evtchn_send(vm, &evt));
		assert_int_equal(vm_last_req, KVM_XEN_HVM_EVTCHN_SEND);
		assert_int_equal(vm_calls, calls + 5);
	}
	ckvm_vm_close(vm);
	fake_vm_fd = -1;
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
		cmocka_unit_test(test_hv_cpuid_grows),
		cmocka_unit_test(test_x86_vm_local_checks),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
