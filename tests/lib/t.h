/* SPDX-License-Identifier: MIT */
/*
 * t.h - conventions shared by every ckvm test program (cmocka based).
 *
 *  - Exit code 77 means SKIP (Meson). A test skips ONLY when /dev/kvm cannot
 *    be opened (t_require_kvm) or a capability is absent (t_require_cap), and
 *    always prints "SKIP: <reason>" on stderr first. .ci/run collects these.
 *  - Every guest-running test arms t_watchdog(seconds) so a hung guest fails
 *    in seconds.
 *  - Never use cmocka's skip() inside a group: the program would exit 0 and
 *    the skip would count as a pass. A case that may skip runs as its own
 *    meson test (select it with an argument) and calls t_skip().
 */
#ifndef CKVM_T_H
#define CKVM_T_H

#include <ckvm.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define T_EXIT_SKIP 77

/* Open /dev/kvm or exit 77 with "SKIP: /dev/kvm: <why>". */
struct ckvm *t_require_kvm(void);
/* Exit 77 with "SKIP: needs KVM_CAP_<NAME>" when the capability is 0. */
void t_require_cap(struct ckvm *kvm, long cap);
/* Same, VM scope. */
void t_require_vm_cap(struct ckvm_vm *vm, long cap);
/* Print "SKIP: <reason>" and exit 77 (only for absent capabilities/devices). */
void t_skip(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Arm (or with 0 disarm) an alarm that kills the test with a message after `seconds`. */
void t_watchdog(unsigned seconds);

/*
 * main() of a test program whose cases may skip. `tests` always run as one
 * cmocka group (none of them may skip). Each case of `alone` may skip (it
 * needs a capability or a device this host may lack): it runs only when
 * argv[1] names it, as its own meson test, so a skip shows as a skip.
 * argv[1] may also name a case of `tests` (to run it alone). An unknown
 * name fails. T_FILTER in the environment filters the group.
 */
int t_main(int argc, char **argv, const struct CMUnitTest *tests, size_t ntests,
	   const struct CMUnitTest *alone, size_t nalone);
#define T_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* cmocka helpers: assert a ckvm return value, printing the errno name. */
#define t_assert_ok(expr) do { \
	long t__r = (long)(expr); \
	if (t__r < 0) fail_msg("%s = %ld (%s)", #expr, t__r, strerror((int)-t__r)); \
} while (0)
#define t_assert_err(expr, err) do { \
	long t__r = (long)(expr); \
	if (t__r != -(long)(err)) fail_msg("%s = %ld, expected -%s (%d)", #expr, t__r, #err, (int)(err)); \
} while (0)

#endif
