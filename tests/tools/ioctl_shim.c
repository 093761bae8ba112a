/* SPDX-License-Identifier: MIT */
/*
 * ioctl_shim.c - LD_PRELOAD library for the ckvm-info tests: makes a
 * working /dev/kvm look old, so the "too old" path can be tested.
 *   CKVM_SHIM_API_VERSION=N  KVM_GET_API_VERSION returns N
 *   CKVM_SHIM_HIDE_CAP=N     KVM_CHECK_EXTENSION(N) returns 0
 * Everything else goes to the real ioctl().
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <linux/kvm.h>

int ioctl(int fd, unsigned long request, ...);

int ioctl(int fd, unsigned long request, ...)
{
	static int (*real)(int, unsigned long, ...);
	const char *s;
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!real)
		real = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	if (request == KVM_GET_API_VERSION && (s = getenv("CKVM_SHIM_API_VERSION"))) {
		if (real(fd, request, arg) < 0)
			return -1;
		return atoi(s);
	}
	if (request == KVM_CHECK_EXTENSION && (s = getenv("CKVM_SHIM_HIDE_CAP")) &&
	    (long)arg == atol(s)) {
		if (real(fd, request, arg) < 0)
			return -1;
		return 0;
	}
	return real(fd, request, arg);
}
