/* SPDX-License-Identifier: MIT */
#include "t.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void t_skip(const char *fmt, ...)
{
	va_list ap;

	fputs("SKIP: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(T_EXIT_SKIP);
}

struct ckvm *t_require_kvm(void)
{
	struct ckvm *kvm = NULL;
	int r = ckvm_open(&kvm);

	/*
	 * -ENOSYS: a /dev/kvm that does not implement the KVM ioctls for this
	 * program's architecture, e.g. a cross-built test under qemu-user on an
	 * x86_64 host (qemu answers ioctls it does not translate with ENOSYS).
	 */
	if (r == -ENOENT || r == -ENODEV || r == -EACCES || r == -EPERM || r == -ENXIO ||
	    r == -ENOSYS)
		t_skip("/dev/kvm: %s", strerror(-r));
	if (r < 0) {
		fprintf(stderr, "FAIL: ckvm_open: %s\n", strerror(-r));
		exit(1);
	}
	return kvm;
}

static void require(int value, long cap)
{
	const char *name;

	if (value > 0)
		return;
	name = ckvm_cap_name(cap);
	if (value < 0 && value != -EINVAL && value != -ENOTTY) {
		fprintf(stderr, "FAIL: KVM_CHECK_EXTENSION(%ld): %s\n", cap, strerror(-value));
		exit(1);
	}
	if (name)
		t_skip("needs %s", name);
	t_skip("needs capability %ld", cap);
}

void t_require_cap(struct ckvm *kvm, long cap)
{
	require(ckvm_check_extension(kvm, cap), cap);
}

void t_require_vm_cap(struct ckvm_vm *vm, long cap)
{
	require(ckvm_vm_check_extension(vm, cap), cap);
}

static unsigned watchdog_seconds;

static void on_alarm(int sig)
{
	char msg[96];
	int n = snprintf(msg, sizeof(msg), "FAIL: watchdog: test still running after %u s\n",
			 watchdog_seconds);
	(void)sig;
	if (n > 0 && write(2, msg, (size_t)n) < 0) {
		/* nothing more to do */
	}
	_exit(1);
}

void t_watchdog(unsigned seconds)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	watchdog_seconds = seconds;
	alarm(seconds);
}

int t_main(int argc, char **argv, const struct CMUnitTest *tests, size_t ntests,
	   const struct CMUnitTest *alone, size_t nalone)
{
	const char *name = argc > 1 ? argv[1] : NULL;
	size_t i;

	if (!name) {
		if (getenv("T_FILTER"))
			cmocka_set_test_filter(getenv("T_FILTER"));
		return _cmocka_run_group_tests(argv[0], tests, ntests, NULL, NULL);
	}
	for (i = 0; i < nalone; i++)
		if (strcmp(alone[i].name, name) == 0)
			return _cmocka_run_group_tests(name, &alone[i], 1, NULL, NULL);
	for (i = 0; i < ntests; i++)
		if (strcmp(tests[i].name, name) == 0)
			return _cmocka_run_group_tests(name, &tests[i], 1, NULL, NULL);
	fprintf(stderr, "FAIL: %s: no test case named %s\n", argv[0], name);
	return 1;
}
