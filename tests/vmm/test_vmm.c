/* SPDX-License-Identifier: MIT */
/*
 * test_vmm.c - ckvm-run end to end (suite vmm): each test runs ckvm-run on
 * a purpose-built guest and checks the guest's output, ckvm-run's messages
 * and its exit status.
 *
 * Meson passes the paths in the environment (CKVM_RUN, GUEST_<NAME>) and
 * the test name as argv[1]; each test is its own meson test with its own
 * timeout. Every child also gets a hard deadline here (run_vmm kills it).
 */
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define DEADLINE_MS 30000

struct result {
	int status;   /* exit status, or 128 + signal */
	char out[65536];
	char err[65536];
	size_t out_len, err_len;
	long long out_ms;  /* when stdout last had data, ms after the start */
};

static const char *env_path(const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v)
		fail_msg("environment variable %s is not set (run through meson test)", name);
	return v;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void drain(int *fd, char *buf, size_t *len, size_t cap)
{
	ssize_t n = read(*fd, buf + *len, cap - 1 - *len);
	if (n > 0) {
		*len += (size_t)n;
		buf[*len] = 0;
		if (*len == cap - 1) { /* full: drop the rest */
			char sink[4096];
			while (read(*fd, sink, sizeof(sink)) > 0)
				;
		}
	} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
		close(*fd);
		*fd = -1;
	}
}

/*
 * Run ckvm-run with args (NULL-terminated), input (or nothing) on its
 * stdin. signal_after_ms > 0 sends signo to it after that long. Output
 * goes to r->out / r->err.
 */
static void run_vmm_full(const char *const *args, const char *input, struct result *r,
			 int signal_after_ms, int signo)
{
	const char *argv[64];
	int out[2], err[2], in[2], n = 0;
	posix_spawn_file_actions_t fa;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	argv[n++] = env_path("CKVM_RUN");
	for (; *args && n < 63; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	posix_spawn_file_actions_init(&fa);
	if (input)
		posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	int e = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	close(err[1]);
	close(in[0]);
	if (e)
		fail_msg("cannot run %s: %s", argv[0], strerror(e));
	if (input && write(in[1], input, strlen(input)) != (ssize_t)strlen(input))
		fail_msg("cannot write ckvm-run's stdin: %s", strerror(errno));
	close(in[1]);

	long long start = now_ms();
	bool signalled = false;
	while (out[0] >= 0 || err[0] >= 0) {
		struct pollfd p[2] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 } };
		long long t = now_ms() - start;
		if (t > DEADLINE_MS) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			fail_msg("ckvm-run still running after %d ms; stdout so far:\n%s\nstderr:\n%s",
				 DEADLINE_MS, r->out, r->err);
		}
		if (signal_after_ms > 0 && !signalled && t >= signal_after_ms) {
			kill(pid, signo);
			signalled = true;
		}
		poll(p, 2, 50);
		if (out[0] >= 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			size_t before = r->out_len;
			drain(&out[0], r->out, &r->out_len, sizeof(r->out));
			if (r->out_len > before)
				r->out_ms = now_ms() - start;
		}
		if (err[0] >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			drain(&err[0], r->err, &r->err_len, sizeof(r->err));
	}
	int ws;
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	r->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	print_message("$ ckvm-run");
	for (int i = 1; argv[i]; i++)
		print_message(" %s", argv[i]);
	print_message("\n[status %d]\n[stdout]\n%s[stderr]\n%s", r->status, r->out, r->err);
}

static void run_vmm(const char *const *args, struct result *r)
{
	run_vmm_full(args, NULL, r, 0, 0);
}

#define assert_contains(hay, needle) do { \
	if (!strstr((hay), (needle))) \
		fail_msg("expected to find \"%s\" in:\n%s", (needle), (hay)); \
} while (0)
#define assert_not_contains(hay, needle) do { \
	if (strstr((hay), (needle))) \
		fail_msg("did not expect \"%s\" in:\n%s", (needle), (hay)); \
} while (0)

static struct result res; /* 128 KiB: not on the stack */

/* A scratch file with n pseudo-random bytes; returns its FNV-1a. */
static uint32_t make_blob(char *path, size_t pathsz, size_t n, unsigned seed)
{
	snprintf(path, pathsz, "/tmp/ckvm-vmm-test-%d-%u.bin", (int)getpid(), seed);
	FILE *f = fopen(path, "wb");
	uint32_t h = 0x811c9dc5u, x = seed * 2654435761u + 1;
	assert_non_null(f);
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		uint8_t b = (uint8_t)(x >> 16);
		fputc(b, f);
		h ^= b;
		h *= 16777619u;
	}
	assert_int_equal(fclose(f), 0);
	return h;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_demo(void **state)
{
	(void)state;
	const char *args[] = { env_path("GUEST_DEMO"), NULL };
	run_vmm(args, &res);
	assert_contains(res.out, "Hello from the ckvm demo guest! (256 MiB)\n");
	assert_contains(res.out, "CPL3: 2262 primes below 20000 (correct)\n");
	assert_contains(res.err, "multiboot kernel (ELF)");
	assert_contains(res.err, "guest wrote 0x0 to exit port 0xf4: exit status 1");
	assert_int_equal(res.status, 1);

	/* The same, tearing the VM down before exiting. */
	const char *sync[] = { "--sync-exit", env_path("GUEST_DEMO"), NULL };
	run_vmm(sync, &res);
	assert_contains(res.out, "CPL3: 2262 primes below 20000 (correct)\n");
	assert_int_equal(res.status, 1);
}

static void test_demo_trace(void **state)
{
	(void)state;
	const char *args[] = { "--trace-exits", "-m", "64M", env_path("GUEST_DEMO"), NULL };
	run_vmm(args, &res);
	assert_int_equal(res.status, 1);
	assert_contains(res.out, "Hello from the ckvm demo guest! (64 MiB)\n");
	assert_contains(res.err, "exits by reason (1 vCPU)");
	assert_contains(res.err, "IO_OUT");
	assert_contains(res.err, "IO_IN");
	assert_contains(res.err, "uart");
	assert_contains(res.err, "exit-port  0x0f4          1");
	/* Quiet mode: no start/stop lines, the trace is still printed. */
	const char *quiet[] = { "-q", env_path("GUEST_DEMO"), NULL };
	run_vmm(quiet, &res);
	assert_int_equal(res.status, 1);
	assert_string_equal(res.err, "");
	assert_contains(res.out, "CPL3: 2262 primes below 20000 (correct)\n");
}

static void test_multiboot(void **state)
{
	char initrd[128];
	char expect[128];
	(void)state;
	uint32_t fnv = make_blob(initrd, sizeof(initrd), 3001, 7);
	const char *args[] = { "-m", "64M", "--append", "hello mb", "--initrd", initrd,
			       env_path("GUEST_MBINFO"), NULL };
	run_vmm(args, &res);
	unlink(initrd);
	assert_int_equal(res.status, 33);
	assert_contains(res.out, "mbinfo: magic ok\n");
	assert_contains(res.out, "mbinfo: mem_lower 639 mem_upper 64512\n");
	assert_contains(res.out, " hello mb'\n");
	assert_contains(res.out, "mbinfo: loader 'ckvm-run ");
	assert_contains(res.out, "mbinfo: mmap 0x0 0x9fc00 1\n");
	assert_contains(res.out, "mbinfo: mmap 0x9fc00 0x60400 2\n");
	assert_contains(res.out, "mbinfo: mmap 0x100000 0x3f00000 1\n");
	assert_contains(res.out, "mbinfo: mmap entries 3\n");
	assert_contains(res.out, "mbinfo: mods 1\n");
	snprintf(expect, sizeof(expect), "mbinfo: module size 3001 fnv 0x%x aligned\n", fnv);
	assert_contains(res.out, expect);
}

static void test_multiboot_no_module(void **state)
{
	(void)state;
	const char *args[] = { "-m", "32M", env_path("GUEST_MBINFO"), NULL };
	run_vmm(args, &res);
	assert_int_equal(res.status, 33);
	assert_contains(res.out, "mbinfo: mem_lower 639 mem_upper 31744\n");
	assert_contains(res.out, "mbinfo: mods 0\n");
}

static void test_elf64(void **state)
{
	(void)state;
	const char *args[] = { env_path("GUEST_ELF64"), NULL };
	run_vmm(args, &res);
	assert_int_equal(res.status, 35);
	assert_contains(res.out, "elf64: hello from 64-bit mode, cs 0x10 long mode active\n");
	assert_contains(res.err, "ELF64, entry 0x100000 in 64-bit long mode");
}

static void test_elf32(void **state)
{
	(void)state;
	const char *args[] = { env_path("GUEST_ELF32"), NULL };
	run_vmm(args, &res);
	assert_int_equal(res.status, 37);
	assert_contains(res.out, "elf32: hello from 32-bit protected mode, cs 0x8 paging off\n");
	assert_contains(res.err, "ELF32, entry 0x100000 in 32-bit protected mode");
}

static void test_flat(void **state)
{
	(void)state;
	const char *args64[] = { "--format", "flat", env_path("GUEST_FLAT64"), NULL };
	run_vmm(args64, &res);
	assert_int_equal(res.status, 39);
	assert_contains(res.out, "flat64: hello from 64-bit mode, cs 0x10 long mode active\n");
	assert_contains(res.err, "flat binary at 0x100000, 64-bit long mode");

	const char *args16[] = { "-f", "flat", "--cpu-mode", "16", "--load-addr", "0x7c00",
				 env_path("GUEST_REAL16"), NULL };
	run_vmm(args16, &res);
	assert_int_equal(res.status, 41);
	assert_contains(res.out, "real16: hello from real mode\n");
	assert_contains(res.err, "flat binary at 0x7c00, 16-bit real mode");
}

static void test_smp(void **state)
{
	(void)state;
	const char *args[] = { "--cpus", "2", env_path("GUEST_SMP"), NULL };
	run_vmm(args, &res);
	assert_int_equal(res.status, 69);
	assert_contains(res.out, "smp: MP table lists 2 CPUs\n");
	assert_contains(res.out, "smp: hello from cpu 0\n");
	assert_contains(res.out, "smp: hello from cpu 1\n");
	assert_contains(res.out, "smp: 2 of 2 CPUs checked in\n");
	assert_contains(res.err, "2 vCPUs");

	const char *one[] = { env_path("GUEST_SMP"), NULL };
	run_vmm(one, &res);
	assert_int_equal(res.status, 69);
	assert_contains(res.out, "smp: MP table lists 1 CPUs\n");
	assert_not_contains(res.out, "cpu 1");
}

/*
 * The UART's interrupt through the in-kernel irqchip: the guest transmits
 * on "THR empty" interrupts and receives stdin bytes on "data ready"
 * interrupts, routed by the IOAPIC (what Linux's 8250 driver relies on).
 */
static void test_uart_irq(void **state)
{
	(void)state;
	const char *args[] = { "--timeout", "20", env_path("GUEST_UARTIRQ"), NULL };
	run_vmm_full(args, "ping from stdin\n", &res, 0, 0);
	assert_int_equal(res.status, 43);
	assert_contains(res.out, "uartirq: sent by THR-empty interrupts\n");
	assert_contains(res.out, "uartirq: received 'ping from stdin'\n");
	/* One interrupt per byte sent, one more when the buffer is empty. */
	assert_contains(res.out, "uartirq: 39 THR-empty and ");
}

/*
 * ckvm-run lets KVM queue the guest's THR writes in the coalesced ring
 * instead of exiting for each (dev_uart.c). The guest must not notice:
 * port 0x3f8 with DLAB set is the divisor latch (read back, nothing
 * sent), loopback bytes come back, queued and polled output stay in order.
 */
static void test_uart_coalesced(void **state)
{
	(void)state;
	struct ckvm *kvm = t_require_kvm();
	bool coalesced_pio = ckvm_has_extension(kvm, KVM_CAP_COALESCED_PIO) > 0;
	ckvm_close(kvm);

	const char *args[] = { "--trace-exits", "--timeout", "20", env_path("GUEST_UARTCOAL"),
			       NULL };
	run_vmm(args, &res);
	assert_int_equal(res.status, 33);
	assert_contains(res.out, "uartcoal: ok: divisor latch reads back 0x0c\n");
	assert_contains(res.out, "uartcoal: ok: loopback byte received\n");
	/* 'x' and 'y' were queued around a scratch register access, then a check. */
	assert_contains(res.out, "\nxyuartcoal: ok: scratch register keeps 0x5a\n");
	assert_contains(res.out, "uartcoal: unpolled line\nuartcoal: polled line\n");
	assert_not_contains(res.out, "\x0c"); /* the divisor was not transmitted */
	assert_not_contains(res.out, "L");    /* nor was the loopback byte */
	assert_not_contains(res.out, "FAILED");
	if (coalesced_pio)
		assert_contains(res.err, "uart THR writes without an exit (coalesced): ");

	/*
	 * A guest that prints without polling and then never exits again:
	 * its second line (0.1 to 0.3 s in) must come out while it runs (the
	 * monitor thread applies the ring), not only when --timeout ends it
	 * after 1.5 s.
	 */
	const char *spin[] = { "--timeout", "1.5", env_path("GUEST_UARTCOAL_SPIN"), NULL };
	run_vmm(spin, &res);
	assert_int_equal(res.status, 124);
	assert_contains(res.out, "uartcoal: spinning without exits\nuartcoal: still spinning\n");
	if (res.out_ms >= 1000)
		fail_msg("the spinning guest's output came %lld ms after the start", res.out_ms);
}

/* The CMOS clock reads the host's date; the i8042 answers and resets. */
static void test_devices(void **state)
{
	char expect[64];
	time_t now = time(NULL);
	struct tm tm;
	(void)state;
	gmtime_r(&now, &tm);
	const char *args[] = { "--timeout", "20", env_path("GUEST_DEVICES"), NULL };
	run_vmm(args, &res);
	assert_int_equal(res.status, 0);
	snprintf(expect, sizeof(expect), "devices: rtc date %d-%d-", tm.tm_year + 1900,
		 tm.tm_mon + 1);
	assert_contains(res.out, expect);
	assert_contains(res.out, " valid\n");
	assert_contains(res.out, "devices: i8042 self test 0x55 command byte 0x47\n");
	assert_not_contains(res.out, "still running");
	assert_contains(res.err, "guest requested a reset (i8042 command 0xfe)");
}

static void test_linux_stub(void **state)
{
	char initrd[128], expect[160];
	(void)state;
	uint32_t fnv = make_blob(initrd, sizeof(initrd), 4099, 3);
	const char *args[] = { "-m", "128M", "--append", "console=ttyS0 ckvm.test=1",
			       "--initrd", initrd, env_path("GUEST_LINUX_STUB"), NULL };
	run_vmm(args, &res);
	unlink(initrd);
	assert_int_equal(res.status, 97);
	assert_contains(res.err, "Linux bzImage, boot protocol 2.15, 64-bit entry at 0x100200");
	assert_contains(res.out, "stub: boot_params at 0x10000, cs 0x10, loader type 0xff\n");
	assert_contains(res.out, "stub: cmdline 'console=ttyS0 ckvm.test=1'\n");
	assert_contains(res.out, "stub: e820 entries 3\n");
	assert_contains(res.out, "stub: e820 0x0 0x9fc00 1\n");
	assert_contains(res.out, "stub: e820 0x100000 0x7f00000 1\n");
	/* Highest page-aligned place below 128 MiB: 0x8000000 - 4099 rounded down. */
	snprintf(expect, sizeof(expect), "stub: initrd at 0x7ffe000 size 4099 fnv 0x%x\n", fnv);
	assert_contains(res.out, expect);

	/* RAM above 3 GiB goes above the 32-bit hole, at 4 GiB (a second slot). */
	const char *big[] = { "-m", "5G", env_path("GUEST_LINUX_STUB"), NULL };
	run_vmm(big, &res);
	assert_int_equal(res.status, 97);
	assert_contains(res.out, "stub: e820 entries 4\n");
	assert_contains(res.out, "stub: e820 0x100000 0xbff00000 1\n");
	assert_contains(res.out, "stub: e820 0x100000000 0x80000000 1\n");

	const char *bare[] = { env_path("GUEST_LINUX_STUB"), NULL };
	run_vmm(bare, &res);
	assert_int_equal(res.status, 97);
	assert_contains(res.out, "stub: cmdline 'console=ttyS0 earlyprintk=serial panic=-1 reboot=k'\n");
	assert_contains(res.out, "stub: no initrd\n");
}

static void test_triple_fault(void **state)
{
	(void)state;
	const char *args[] = { env_path("GUEST_TRIPLE"), NULL };
	run_vmm(args, &res);
	assert_int_equal(res.status, 4);
	assert_contains(res.out, "triple: faulting with no IDT\n");
	assert_contains(res.err, "vCPU 0: triple fault (KVM_EXIT_SHUTDOWN)");
	assert_contains(res.err, "  rip 0x");
	assert_contains(res.err, "  cs  sel 0x0010");
	assert_contains(res.err, "cr0 0x");
	assert_contains(res.err, "guest fault on vCPU 0: triple fault");
}

static void test_halt(void **state)
{
	(void)state;
	const char *args[] = { "--timeout", "20", env_path("GUEST_HALT"), NULL };
	run_vmm(args, &res);
	assert_int_equal(res.status, 0);
	assert_contains(res.out, "halt: cli; hlt\n");
	assert_contains(res.err, "guest halted: HLT with interrupts disabled on vCPU 0");

	/* Two vCPUs, the second never started (waiting for SIPI): still the end. */
	const char *two[] = { "--timeout", "20", "--cpus", "2", env_path("GUEST_HALT"), NULL };
	run_vmm(two, &res);
	assert_int_equal(res.status, 0);
	assert_contains(res.err, "HLT with interrupts disabled on vCPU 0, the last running vCPU");
}

static void test_timeout(void **state)
{
	(void)state;
	long long t0 = now_ms();
	const char *args[] = { "--timeout", "0.5", env_path("GUEST_IDLE"), NULL };
	run_vmm(args, &res);
	long long took = now_ms() - t0;
	assert_int_equal(res.status, 124);
	assert_contains(res.out, "idle: waiting for interrupts that never come\n");
	assert_contains(res.err, "timeout: guest still running after 0.5 s");
	if (took < 450)
		fail_msg("--timeout 0.5 ended after only %lld ms", took);
}

static void test_signal(void **state)
{
	(void)state;
	const char *args[] = { "--timeout", "20", env_path("GUEST_IDLE"), NULL };
	run_vmm_full(args, NULL, &res, 300, SIGTERM);
	assert_int_equal(res.status, 128 + SIGTERM);
	assert_contains(res.err, "terminated by signal 15");
	run_vmm_full(args, NULL, &res, 300, SIGINT);
	assert_int_equal(res.status, 128 + SIGINT);
	assert_contains(res.err, "terminated by signal 2");
}

static void test_usage(void **state)
{
	(void)state;
	const char *help[] = { "--help", NULL };
	run_vmm(help, &res);
	assert_int_equal(res.status, 0);
	assert_contains(res.out, "Usage: ckvm-run [OPTION]... IMAGE");
	assert_contains(res.out, "--trace-exits");
	assert_contains(res.out, "--timeout");

	const char *version[] = { "--version", NULL };
	run_vmm(version, &res);
	assert_int_equal(res.status, 0);
	assert_contains(res.out, "ckvm-run " CKVM_VERSION_STRING);

	const char *none[] = { NULL };
	run_vmm(none, &res);
	assert_int_equal(res.status, 2);
	assert_contains(res.err, "no IMAGE given");

	const char *bad_opt[] = { "--memory", "lots", env_path("GUEST_DEMO"), NULL };
	run_vmm(bad_opt, &res);
	assert_int_equal(res.status, 2);
	assert_contains(res.err, "--memory: 'lots' is not a size");

	const char *missing[] = { "/nonexistent/kernel", NULL };
	run_vmm(missing, &res);
	assert_int_equal(res.status, 2);
	assert_contains(res.err, "/nonexistent/kernel: No such file or directory");

	const char *tiny[] = { "-m", "1M", env_path("GUEST_DEMO"), NULL };
	run_vmm(tiny, &res);
	assert_int_equal(res.status, 2);
	assert_contains(res.err, "--memory: '1M' is not a size of at least 2M");

	/* An ELF image has nowhere to put an initrd. */
	const char *initrd_elf[] = { "--initrd", env_path("GUEST_DEMO"), env_path("GUEST_SMP"),
				     NULL };
	run_vmm(initrd_elf, &res);
	assert_int_equal(res.status, 2);
	assert_contains(res.err, "--initrd needs a Linux or multiboot image (this one is elf)");
}

/*
 * The real Linux boot: opt-in, because booting a stock distribution kernel
 * takes minutes where KVM emulates kernel mode in software. With
 * CKVM_LINUX_KERNEL (and optionally CKVM_LINUX_INITRD, e.g. from
 * examples/linux/mkinitramfs.py) the kernel must print its banner, and
 * with the example initramfs reach its init and power off cleanly.
 */
static void test_linux_kernel(void **state)
{
	(void)state;
	const char *kernel = getenv("CKVM_LINUX_KERNEL");
	const char *initrd = getenv("CKVM_LINUX_INITRD");
	if (!kernel || !*kernel)
		t_skip("CKVM_LINUX_KERNEL not set (opt-in Linux boot test)");
	const char *with[] = { "-m", "512M", "--timeout", "50", "--append",
			       "console=ttyS0 earlyprintk=serial panic=-1 reboot=k rdinit=/init",
			       "--initrd", initrd, kernel, NULL };
	const char *without[] = { "-m", "512M", "--timeout", "50", kernel, NULL };
	run_vmm(initrd && *initrd ? with : without, &res);
	assert_contains(res.out, "Linux version ");
	if (initrd && *initrd) {
		assert_contains(res.out, "ckvm-init: hello from the initramfs");
		assert_int_equal(res.status, 0);
	} else {
		/* No root file system: the kernel panics and (panic=-1) reboots. */
		assert_contains(res.out, "Kernel panic");
		assert_int_equal(res.status, 0);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo),
		cmocka_unit_test(test_demo_trace),
		cmocka_unit_test(test_multiboot),
		cmocka_unit_test(test_multiboot_no_module),
		cmocka_unit_test(test_elf64),
		cmocka_unit_test(test_elf32),
		cmocka_unit_test(test_flat),
		cmocka_unit_test(test_smp),
		cmocka_unit_test(test_uart_irq),
		cmocka_unit_test(test_uart_coalesced),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_linux_stub),
		cmocka_unit_test(test_triple_fault),
		cmocka_unit_test(test_halt),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_linux_kernel),
	};

	/* Usage needs no KVM; the Linux test decides about skipping itself. */
	if (argc > 1 && strcmp(argv[1], "usage") && strcmp(argv[1], "linux_kernel"))
		ckvm_close(t_require_kvm());
	if (argc > 1) {
		char filter[64];
		snprintf(filter, sizeof(filter), "test_%s", argv[1]);
		cmocka_set_test_filter(filter);
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
