/* SPDX-License-Identifier: MIT */
/*
 * main.c - ckvm-run: a small x86_64 VMM written only with ckvm.
 *
 * The life of a VM, in the order this file does it:
 *   1. open /dev/kvm, create a VM, give it RAM, the in-kernel irqchip and PIT
 *   2. register the port-I/O devices (UART, exit port, i8042, RTC)
 *   3. load the image (flat, ELF, multiboot or Linux) and the MP table
 *   4. create the vCPUs, set CPUID and the boot vCPU's entry state
 *   5. run vCPU 0 on the main thread and the others on threads of their
 *      own (vcpu.c runs KVM_RUN)
 *   6. a monitor thread waits for: a signal, the timeout, stdin bytes for
 *      the UART, and the halt-probe tick; anyone may end the VM (vmm_stop)
 *   7. join the vCPU threads, report, exit with the status vmm_stop set
 */
#include "vmm.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define TSS_ADDR          0xfffbd000ull /* 3 pages KVM needs on Intel, below 4 GiB */
#define IDENTITY_MAP_ADDR 0xfffbc000ull /* 1 page, ditto (real mode under EPT) */
#define PROBE_INTERVAL_MS 100
#define MONITOR_DELAY_MS 20   /* the monitor thread starts this long after the guest */
#define UART_FLUSH_MS 20      /* longest a queued THR write waits (dev_uart.c) */
#define CTRL_A 0x01

/* ---- startup timing -------------------------------------------------------- */
/*
 * CKVM_RUN_TIMING=1 in the environment: print on stderr, at the end, when
 * each step of the VM's life finished (ms since main() started). This is
 * how the breakdown in BENCHMARKS.md ("Startup") was measured.
 */
#define MAX_MARKS 24
static struct { const char *what; struct timespec t; } marks[MAX_MARKS];
static int nmarks = -1; /* -1: timing off */

static void mark(const char *what)
{
	if (nmarks < 0 || nmarks == MAX_MARKS)
		return;
	marks[nmarks].what = what;
	clock_gettime(CLOCK_MONOTONIC, &marks[nmarks++].t);
}

static void print_marks(void)
{
	for (int i = 1; i < nmarks; i++) {
		double at = (double)(marks[i].t.tv_sec - marks[0].t.tv_sec) * 1e3 +
			    (double)(marks[i].t.tv_nsec - marks[0].t.tv_nsec) / 1e6;
		double step = (double)(marks[i].t.tv_sec - marks[i - 1].t.tv_sec) * 1e3 +
			      (double)(marks[i].t.tv_nsec - marks[i - 1].t.tv_nsec) / 1e6;
		fprintf(stderr, PROGRAM_NAME ": timing: %8.3f ms  %-32s (+%.3f ms)\n", at,
			marks[i].what, step);
	}
}

/* ---- stop requests ------------------------------------------------------- */
void vmm_stop(struct vmm *vmm, int status, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&vmm->lock);
	if (!atomic_load(&vmm->stopping)) {
		vmm->status = status;
		va_start(ap, fmt);
		vsnprintf(vmm->message, sizeof(vmm->message), fmt, ap);
		va_end(ap);
		atomic_store(&vmm->stopping, true);
		vcpus_kick_all(vmm);
		uint64_t one = 1;
		if (write(vmm->wake_fd, &one, sizeof(one)) < 0) {
			/* an eventfd write only fails on overflow: the monitor is awake anyway */
		}
	}
	pthread_mutex_unlock(&vmm->lock);
}

bool vmm_stopping(const struct vmm *vmm)
{
	return atomic_load(&vmm->stopping);
}

void vmm_info(const struct vmm *vmm, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (vmm->cfg.quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, PROGRAM_NAME ": %s\n", buf);
}

/* ---- options ------------------------------------------------------------- */
static void usage(FILE *f)
{
	fprintf(f,
"Usage: " PROGRAM_NAME " [OPTION]... IMAGE\n"
"Run IMAGE in a KVM virtual machine (x86_64). IMAGE is a Linux bzImage, a\n"
"multiboot v1 kernel, an ELF32/ELF64 executable or a flat binary; the format\n"
"is detected unless --format says otherwise.\n"
"\n"
"Machine:\n"
"  -m, --memory SIZE      guest RAM, with K, M or G suffix (default 256M)\n"
"  -c, --cpus N           number of vCPUs (default 1); all but vCPU 0 wait for\n"
"                         INIT/SIPI, and an MP table describes them\n"
"Boot:\n"
"  -a, --append TEXT      kernel command line; Linux's default is\n"
"                         \"%s\"\n"
"  -i, --initrd FILE      Linux initrd, or multiboot module 0\n"
"  -f, --format FMT       auto, linux, multiboot, elf or flat (default auto)\n"
"      --load-addr ADDR   flat: load address (default 0x100000)\n"
"      --entry ADDR       flat: entry point (default: the load address)\n"
"      --cpu-mode MODE    flat: 16 (real), 32 (protected) or 64 (long, default)\n"
"Run:\n"
"  -t, --timeout SECONDS  stop the guest after SECONDS (exit status 124)\n"
"      --trace-exits      print the number of exits per reason at the end\n"
"      --sync-exit        wait for the kernel to destroy the VM and free all\n"
"                         memory before exiting (by default a child process\n"
"                         waits for the teardown after we have exited)\n"
"  -q, --quiet            no start/stop messages (errors still go to stderr)\n"
"  -h, --help             this text\n"
"  -V, --version          version of ckvm-run and of the ckvm library\n"
"\n"
"Devices: 16550 UART at 0x3f8 (IRQ 4) on stdin/stdout, exit port 0xf4,\n"
"in-kernel PIC/IOAPIC/LAPIC and PIT, i8042 (reset only), CMOS clock.\n"
"On a terminal, Ctrl-A x quits.\n"
"\n"
"Exit status:\n"
"  0    guest powered off, requested a reset, or halted with interrupts off\n"
"  odd  the guest wrote v to port 0xf4: status (v << 1) | 1\n"
"  2    usage error or image that cannot be loaded\n"
"  4    guest fault (triple fault, KVM internal error, failed VM entry)\n"
"  6    KVM or host error\n"
"  124  --timeout expired\n"
"  128+N  terminated by signal N\n",
		LINUX_DEFAULT_CMDLINE);
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	unsigned shift = 0;

	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case '\0': break;
	default: return -1;
	}
	if (*end == 'i' || *end == 'B')
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

enum { OPT_LOAD_ADDR = 256, OPT_ENTRY, OPT_CPU_MODE, OPT_TRACE_EXITS, OPT_SYNC_EXIT };

static int parse_args(int argc, char **argv, struct vm_config *cfg)
{
	static const struct option opts[] = {
		{ "memory", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "smp", required_argument, NULL, 'c' },
		{ "append", required_argument, NULL, 'a' },
		{ "cmdline", required_argument, NULL, 'a' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "format", required_argument, NULL, 'f' },
		{ "load-addr", required_argument, NULL, OPT_LOAD_ADDR },
		{ "entry", required_argument, NULL, OPT_ENTRY },
		{ "cpu-mode", required_argument, NULL, OPT_CPU_MODE },
		{ "timeout", required_argument, NULL, 't' },
		{ "trace-exits", no_argument, NULL, OPT_TRACE_EXITS },
		{ "sync-exit", no_argument, NULL, OPT_SYNC_EXIT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c;
	uint64_t v;
	char *end;

	*cfg = (struct vm_config){
		.mem_size = 256ull << 20,
		.cpus = 1,
		.format = FMT_AUTO,
		.load_addr = HIMEM_START,
		.entry = UINT64_MAX,
		.flat_mode = MODE_LONG64,
	};
	while ((c = getopt_long(argc, argv, "m:c:a:i:f:t:qhV", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_size(optarg, &cfg->mem_size) < 0 || cfg->mem_size < (2u << 20)) {
				errmsg("--memory: '%s' is not a size of at least 2M", optarg);
				return -1;
			}
			break;
		case 'c':
			if (parse_u64(optarg, &v) < 0 || v < 1 || v > 254) {
				errmsg("--cpus: '%s' is not a number from 1 to 254", optarg);
				return -1;
			}
			cfg->cpus = (int)v;
			break;
		case 'a': cfg->cmdline = optarg; break;
		case 'i': cfg->initrd_path = optarg; break;
		case 'f':
			if (!strcmp(optarg, "auto")) cfg->format = FMT_AUTO;
			else if (!strcmp(optarg, "linux") || !strcmp(optarg, "bzimage")) cfg->format = FMT_LINUX;
			else if (!strcmp(optarg, "multiboot")) cfg->format = FMT_MULTIBOOT;
			else if (!strcmp(optarg, "elf")) cfg->format = FMT_ELF;
			else if (!strcmp(optarg, "flat") || !strcmp(optarg, "raw")) cfg->format = FMT_FLAT;
			else {
				errmsg("--format: unknown format '%s'", optarg);
				return -1;
			}
			break;
		case OPT_LOAD_ADDR:
			if (parse_u64(optarg, &cfg->load_addr) < 0) {
				errmsg("--load-addr: '%s' is not an address", optarg);
				return -1;
			}
			break;
		case OPT_ENTRY:
			if (parse_u64(optarg, &cfg->entry) < 0) {
				errmsg("--entry: '%s' is not an address", optarg);
				return -1;
			}
			break;
		case OPT_CPU_MODE:
			if (!strcmp(optarg, "16") || !strcmp(optarg, "real")) cfg->flat_mode = MODE_REAL;
			else if (!strcmp(optarg, "32") || !strcmp(optarg, "protected")) cfg->flat_mode = MODE_PROT32;
			else if (!strcmp(optarg, "64") || !strcmp(optarg, "long")) cfg->flat_mode = MODE_LONG64;
			else {
				errmsg("--cpu-mode: expected 16, 32 or 64, not '%s'", optarg);
				return -1;
			}
			break;
		case 't':
			errno = 0;
			cfg->timeout = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(cfg->timeout > 0) ||
			    cfg->timeout > 1e7) {
				errmsg("--timeout: '%s' is not a positive number of seconds", optarg);
				return -1;
			}
			break;
		case OPT_TRACE_EXITS: cfg->trace_exits = true; break;
		case OPT_SYNC_EXIT: cfg->sync_exit = true; break;
		case 'q': cfg->quiet = true; break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf(PROGRAM_NAME " %s (built with ckvm %s, running with libckvm %s)\n",
			       CKVM_VERSION_STRING, CKVM_VERSION_STRING, ckvm_version());
			exit(0);
		default:
			fprintf(stderr, "Try '" PROGRAM_NAME " --help'.\n");
			return -1;
		}
	}
	if (optind != argc - 1) {
		errmsg(optind == argc ? "no IMAGE given" : "more than one IMAGE given");
		fprintf(stderr, "Try '" PROGRAM_NAME " --help'.\n");
		return -1;
	}
	cfg->image_path = argv[optind];
	return 0;
}

/* ---- the machine ------------------------------------------------------- */
static int check_cap(struct vmm *vmm, long cap, const char *name)
{
	if (ckvm_has_extension(vmm->kvm, cap))
		return 0;
	errmsg("KVM lacks %s, which ckvm-run needs", name);
	return -1;
}

static int vm_create(struct vmm *vmm)
{
	int err = ckvm_open(&vmm->kvm);

	if (err < 0) {
		errmsg("cannot open " CKVM_DEFAULT_DEVICE ": %s", strerror(-err));
		return -1;
	}
	if (check_cap(vmm, KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP") < 0 ||
	    check_cap(vmm, KVM_CAP_PIT2, "KVM_CAP_PIT2") < 0 ||
	    check_cap(vmm, KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT") < 0 ||
	    check_cap(vmm, KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID") < 0)
		return -1;
	int max = ckvm_get_max_vcpus(vmm->kvm);
	if (max > 0 && vmm->cfg.cpus > max) {
		errmsg("--cpus %d: this KVM allows at most %d vCPUs", vmm->cfg.cpus, max);
		return -1;
	}
	mark("/dev/kvm opened");
	const char *step = "KVM_CREATE_VM";
	if ((err = ckvm_create_vm(vmm->kvm, &vmm->vm)) < 0)
		goto fail;
	mark(step);
	step = "KVM_SET_TSS_ADDR";
	if ((err = ckvm_vm_set_tss_address(vmm->vm, TSS_ADDR)) < 0)
		goto fail;
	step = "KVM_SET_IDENTITY_MAP_ADDR";
	if ((err = ckvm_vm_set_identity_map_address(vmm->vm, IDENTITY_MAP_ADDR)) < 0)
		goto fail;
	step = "guest RAM";
	if ((err = guest_mem_alloc(&vmm->mem, vmm->cfg.mem_size)) < 0)
		goto fail;
	step = "KVM_SET_USER_MEMORY_REGION";
	if ((err = guest_mem_register(&vmm->mem, vmm->vm)) < 0)
		goto fail;
	mark("guest RAM (mmap, memory slot)");
	step = "KVM_CREATE_IRQCHIP";
	if ((err = ckvm_vm_create_irq_chip(vmm->vm)) < 0)
		goto fail;
	mark(step);
	step = "KVM_CREATE_PIT2";
	if ((err = pit_init(vmm)) < 0)
		goto fail;
	mark(step);
	step = "devices";
	vmm->uart = uart_create(vmm, 0x3f8, 4, STDOUT_FILENO);
	if (!vmm->uart || (err = exit_port_init(vmm, 0xf4)) < 0 || (err = i8042_init(vmm)) < 0 ||
	    (err = rtc_init(vmm)) < 0) {
		err = err < 0 ? err : -ENOMEM;
		goto fail;
	}
	return 0;
fail:
	errmsg("%s: %s", step, strerror(-err));
	return -1;
}

static int vm_load(struct vmm *vmm)
{
	struct image kernel, initrd;
	struct load_args a = { &vmm->cfg, &vmm->mem, &kernel, NULL };
	int ret = -1;

	if (read_file(vmm->cfg.image_path, &kernel) < 0)
		return -1;
	if (vmm->cfg.initrd_path) {
		if (read_file(vmm->cfg.initrd_path, &initrd) < 0)
			goto out_kernel;
		a.initrd = &initrd;
	}
	memset(&vmm->plan, 0, sizeof(vmm->plan));
	if (load_image(&a, &vmm->plan) < 0)
		goto out;
	/* What every guest may rely on: the GDT, the identity map, the MP table. */
	if (x86_build_gdt(&vmm->mem) < 0 || x86_build_identity_map(&vmm->mem) < 0 ||
	    mptable_build(&vmm->mem, vmm->ncpus) < 0) {
		errmsg("guest RAM too small for the boot structures");
		goto out;
	}
	ret = 0;
out:
	if (a.initrd)
		free_file(&initrd);
out_kernel:
	free_file(&kernel);
	return ret;
}

static void vm_destroy(struct vmm *vmm)
{
	vcpus_destroy(vmm);
	ckvm_cpuid2_free(vmm->cpuid);
	uart_destroy(vmm->uart);
	i8042_destroy(vmm->i8042);
	rtc_destroy(vmm->rtc);
	ckvm_vm_close(vmm->vm);
	guest_mem_free(&vmm->mem);
	ckvm_close(vmm->kvm);
}

/* ---- the console ------------------------------------------------------- */
static struct termios saved_tio;
static bool tio_saved;

static void console_raw(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tio) < 0)
		return;
	t = saved_tio;
	cfmakeraw(&t);
	t.c_oflag |= OPOST; /* keep \n -> \r\n on output for our own messages */
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
		tio_saved = true;
}

static void console_restore(void)
{
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	tio_saved = false;
}

/* stdin -> UART. Returns false when stdin is finished. */
static bool console_input(struct vmm *vmm, bool *escape)
{
	uint8_t buf[256], out[256];
	size_t room = uart_rx_space(vmm->uart), n = 0;
	ssize_t r;

	if (room == 0)
		return true;
	r = read(STDIN_FILENO, buf, room < sizeof(buf) ? room : sizeof(buf));
	if (r < 0)
		return errno == EINTR || errno == EAGAIN;
	if (r == 0)
		return false;
	for (ssize_t i = 0; i < r; i++) {
		/* On a terminal: Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A. */
		if (tio_saved && *escape) {
			*escape = false;
			if (buf[i] == 'x' || buf[i] == 'X') {
				vmm_stop(vmm, EXIT_OK, "stopped from the console (Ctrl-A x)");
				return false;
			}
			if (buf[i] != CTRL_A)
				out[n++] = CTRL_A;
		} else if (tio_saved && buf[i] == CTRL_A) {
			*escape = true;
			continue;
		}
		out[n++] = buf[i];
	}
	uart_receive(vmm->uart, out, n);
	return true;
}

/* ---- the main loop ------------------------------------------------------ */
static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* All vCPUs blocked in KVM? Then ask each what it is waiting for. */
static void probe_tick(struct vmm *vmm)
{
	unsigned gen = atomic_load(&vmm->probe_gen);

	for (int i = 0; i < vmm->ncpus; i++) {
		if (atomic_load(&vmm->vcpus[i].probe_done) != gen)
			return; /* previous probe still unanswered */
		if (!vcpu_is_blocked(&vmm->vcpus[i]))
			return;
	}
	atomic_store(&vmm->probe_gen, gen + 1);
	vcpus_kick_all(vmm);
}

static void probe_evaluate(struct vmm *vmm)
{
	unsigned gen = atomic_load(&vmm->probe_gen);
	int dead = 0, last = -1;

	if (gen == 0)
		return;
	for (int i = 0; i < vmm->ncpus; i++) {
		struct vcpu *v = &vmm->vcpus[i];
		if (atomic_load(&v->probe_done) != gen)
			return;
		int st = atomic_load(&v->state);
		if (st == VCPU_DEAD_HALT)
			dead++, last = i;
		else if (st != VCPU_PARKED)
			return;
	}
	if (dead)
		vmm_stop(vmm, EXIT_OK, "guest halted: HLT with interrupts disabled on vCPU %d%s",
			 last, vmm->ncpus > 1 ? ", the last running vCPU" : "");
}

/*
 * The monitor thread: everything that is not running a vCPU. It sleeps in
 * poll() on the signalfd, the wake-up eventfd and stdin, with a timeout
 * for the --timeout deadline and the halt-probe tick.
 */
static void *monitor_thread(void *arg)
{
	struct vmm *vmm = arg;
	int sigfd = vmm->sig_fd;
	bool stdin_open = true, escape = false;
	uint64_t deadline = vmm->cfg.timeout > 0 ?
		vmm->start_ms + (uint64_t)(vmm->cfg.timeout * 1000.0) : UINT64_MAX;
	uint64_t next_probe = now_ms();

	while (!vmm_stopping(vmm)) {
		struct pollfd p[3] = {
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = vmm->wake_fd, .events = POLLIN },
			{ .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
		};
		uint64_t now = now_ms();
		uint64_t wake = next_probe < deadline ? next_probe : deadline;
		int timeout = wake > now ? (int)(wake - now) : 0;

		if (uart_coalescing(vmm->uart) && timeout > UART_FLUSH_MS)
			timeout = UART_FLUSH_MS; /* queued output appears this soon */
		if (stdin_open && uart_rx_space(vmm->uart) == 0) {
			p[2].fd = -1; /* guest not reading: look again soon */
			timeout = timeout < 10 ? timeout : 10;
		}
		int r = poll(p, 3, timeout);
		if (r < 0 && errno != EINTR) {
			vmm_stop(vmm, EXIT_HOST, "poll: %s", strerror(errno));
			break;
		}
		if (vmm_stopping(vmm))
			break;
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sigfd, &si, sizeof(si)) == sizeof(si))
				vmm_stop(vmm, EXIT_SIGNAL + (int)si.ssi_signo,
					 "terminated by signal %u (%s)", si.ssi_signo,
					 strsignal((int)si.ssi_signo));
		}
		if (p[1].revents & POLLIN) {
			uint64_t cnt;
			if (read(vmm->wake_fd, &cnt, sizeof(cnt)) < 0) {
				/* spurious wake-up: nothing to read */
			}
			probe_evaluate(vmm);
		}
		uart_flush(vmm->uart);
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
			stdin_open = console_input(vmm, &escape);
		else if (p[2].revents & POLLNVAL)
			stdin_open = false;
		now = now_ms();
		if (now >= deadline)
			vmm_stop(vmm, EXIT_TIMEOUT, "timeout: guest still running after %g s",
				 vmm->cfg.timeout);
		if (now >= next_probe && !vmm_stopping(vmm)) {
			probe_tick(vmm);
			next_probe = now + PROBE_INTERVAL_MS;
		}
	}
	return NULL;
}

/*
 * The monitor thread starts late, on purpose. A guest that is done within
 * MONITOR_DELAY_MS (most tests, the demo) never has a second thread, and
 * so never waits for one: at exit the kernel must wake every thread to end
 * it, and waking a thread asleep on an idle CPU can take milliseconds on a
 * busy host. Until the monitor runs, termination signals stay pending (they
 * are blocked) and stdin is unread; a SIGALRM then kicks vCPU 0, whose
 * thread (this, the main thread) starts the monitor in monitor_start().
 */
static struct vmm *alarm_vmm;

static void monitor_alarm(int sig)
{
	(void)sig;
	atomic_store(&alarm_vmm->monitor_due, true);
	ckvm_vcpu_kick(alarm_vmm->vcpus[0].vcpu); /* async-signal-safe */
}

static void monitor_arm(struct vmm *vmm)
{
	struct sigaction sa = { .sa_handler = monitor_alarm, .sa_flags = SA_RESTART };
	uint64_t ms = MONITOR_DELAY_MS;
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	if (vmm->cfg.timeout > 0 && vmm->cfg.timeout * 1000.0 < ms)
		ms = (uint64_t)(vmm->cfg.timeout * 1000.0) + 1;
	it.it_value.tv_sec = (time_t)(ms / 1000);
	it.it_value.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	alarm_vmm = vmm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void monitor_disarm(void)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
}

void monitor_start(struct vmm *vmm)
{
	if (vmm->monitor_started || !atomic_load(&vmm->monitor_due) || vmm_stopping(vmm))
		return;
	int err = pthread_create(&vmm->monitor, NULL, monitor_thread, vmm);
	if (err) {
		vmm_stop(vmm, EXIT_HOST, "cannot start the monitor thread: %s", strerror(err));
		return;
	}
	vmm->monitor_started = true;
}

static void print_exit_trace(struct vmm *vmm)
{
	uint64_t total[CKVM_EXIT_KIND_COUNT] = { 0 }, sum = 0;

	for (int i = 0; i < vmm->ncpus; i++)
		for (int k = 0; k < CKVM_EXIT_KIND_COUNT; k++)
			total[k] += vmm->vcpus[i].exits[k];
	fprintf(stderr, PROGRAM_NAME ": exits by reason (%d vCPU%s):\n", vmm->ncpus,
		vmm->ncpus > 1 ? "s, all" : "");
	for (int k = 0; k < CKVM_EXIT_KIND_COUNT; k++) {
		if (!total[k])
			continue;
		const char *name = ckvm_exit_kind_name((enum ckvm_exit_kind)k);
		fprintf(stderr, "  %-18s %10" PRIu64 "\n", name ? name : "?", total[k]);
		sum += total[k];
	}
	fprintf(stderr, "  %-18s %10" PRIu64 "\n", "total", sum);
	fprintf(stderr, PROGRAM_NAME ": port I/O by device:\n");
	for (int i = 0; i < vmm->io.n; i++)
		fprintf(stderr, "  %-10s 0x%03x %10lu\n", vmm->io.r[i].name, vmm->io.r[i].base,
			atomic_load(&vmm->io.r[i].count));
	fprintf(stderr, "  %-16s %10lu\n", "unhandled", atomic_load(&vmm->io.unhandled));
	if (uart_queued_writes(vmm->uart))
		fprintf(stderr, PROGRAM_NAME ": uart THR writes without an exit (coalesced): %lu\n",
			uart_queued_writes(vmm->uart));
}

/*
 * Destroying a VM that has an in-kernel irqchip is slow on some hosts (the
 * kernel waits for SRCU grace periods while it unregisters the PIC, IOAPIC
 * and PIT: 5 to 20 ms on this project's machine, more than everything else
 * ckvm-run does), and so is tearing down an address space that KVM has
 * watched (another grace period). Nobody needs to wait for either: a child
 * process keeps the last references to the KVM file descriptors and to our
 * memory, waits until we are gone, and pays for the teardown after our
 * caller has its exit status. --sync-exit skips this and tears down in-line,
 * as does a kernel without pidfds (before Linux 5.3).
 *
 * "Until we are gone" means until every thread of this process has exited,
 * and KVM adds one of its own: the first KVM_RUN starts a kernel worker
 * ("kvm-nx-lpage-recovery") inside our thread group, which exits after the
 * main thread and would otherwise drop the last references. A pidfd becomes
 * readable only when the whole thread group is gone.
 *
 * The child shares our memory (CLONE_VM, like a thread, but with a file
 * table of its own): that is what keeps the address space alive, and it
 * costs less than fork(), which copies page tables. It runs on a stack of
 * its own and calls nothing but syscall(), so it touches no C library
 * state that our threads use (syscall() would write errno on failure; none
 * of its three calls fails here: no signal is sent to the child, and its
 * blocked signals are those of the main thread).
 */
static char teardown_stack[16384] __attribute__((aligned(16)));

static int teardown_child(void *arg)
{
	struct pollfd pf = { .fd = (int)(intptr_t)arg, .events = POLLIN };

	syscall(SYS_close_range, 0, 2, 0); /* let go of the caller's stdio (pipes) */
	syscall(SYS_ppoll, &pf, 1, NULL, NULL, 0); /* until our parent is gone */
	syscall(SYS_exit, 0); /* drops the last references: the VM is destroyed here */
	return 0;
}

static bool detach_teardown(void)
{
	int pidfd = pidfd_open(getpid(), 0);

	if (pidfd < 0)
		return false;
	pid_t pid = clone(teardown_child, teardown_stack + sizeof(teardown_stack), CLONE_VM,
			  (void *)(intptr_t)pidfd);
	close(pidfd); /* the child has its own copy */
	return pid > 0;
}

static void kick_handler(int sig)
{
	(void)sig; /* only here to interrupt KVM_RUN */
}

int main(int argc, char **argv)
{
	static struct vmm vmm;
	sigset_t sigs;

	const char *timing = getenv("CKVM_RUN_TIMING");
	if (timing && *timing && strcmp(timing, "0") != 0)
		nmarks = 0;
	mark("main");
	if (parse_args(argc, argv, &vmm.cfg) < 0)
		return EXIT_USAGE;
	vmm.ncpus = vmm.cfg.cpus;
	pthread_mutex_init(&vmm.lock, NULL);

	/*
	 * Signals. The termination signals are blocked in every thread and read
	 * from a signalfd by the monitor thread. The kick signal gets an empty
	 * handler installed without SA_RESTART, so it interrupts KVM_RUN.
	 */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	vmm.sig_fd = signalfd(-1, &sigs, SFD_CLOEXEC);
	struct sigaction sa = { .sa_handler = kick_handler };
	sigemptyset(&sa.sa_mask);
	sigaction(KICK_SIGNAL, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	vmm.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vmm.sig_fd < 0 || vmm.wake_fd < 0) {
		errmsg("signalfd/eventfd: %s", strerror(errno));
		return EXIT_HOST;
	}

	int status = EXIT_HOST;
	if (vm_create(&vmm) < 0)
		goto out;
	mark("devices");
	status = EXIT_USAGE;
	if (vm_load(&vmm) < 0)
		goto out;
	mark("image and boot structures loaded");
	status = EXIT_HOST;
	int err = ckvm_get_supported_cpuid(vmm.kvm, &vmm.cpuid);
	if (err < 0) {
		errmsg("KVM_GET_SUPPORTED_CPUID: %s", strerror(-err));
		goto out;
	}
	mark("KVM_GET_SUPPORTED_CPUID");
	if (vcpus_create(&vmm) < 0)
		goto out;
	mark("vCPUs created (CPUID, registers)");
	/* Optional: without it every byte the guest prints is an exit. */
	uart_start_coalescing(vmm.uart, vmm.vcpus[0].vcpu);
	ckvm_cpuid2_free(vmm.cpuid); /* every vCPU has its copy now */
	vmm.cpuid = NULL;

	vmm_info(&vmm, "%s; %d vCPU%s, %" PRIu64 " MiB", vmm.plan.what, vmm.ncpus,
		 vmm.ncpus > 1 ? "s" : "", vmm.cfg.mem_size >> 20);
	console_raw();

	/*
	 * Run. vCPU 0 runs right here on the main thread: a one-vCPU guest
	 * never waits for a new thread to be scheduled (on a busy or nested
	 * host that can take milliseconds). The other vCPUs' threads start
	 * first, the monitor thread a little later (monitor_arm).
	 */
	if (vcpu_claim_thread(&vmm.vcpus[0]) < 0)
		goto out;
	vmm.start_ms = now_ms();
	monitor_arm(&vmm);
	mark("ready to run");
	if (vcpus_start(&vmm) == 0)
		vcpu_loop(&vmm.vcpus[0]);
	monitor_disarm();
	vcpus_join(&vmm);
	uart_flush(vmm.uart); /* the guest's last words may still be in the ring */
	mark("guest done");
	console_restore();

	status = vmm.status;
	if (status == EXIT_OK || ((status & 1) && status < EXIT_SIGNAL))
		vmm_info(&vmm, "%s", vmm.message);
	else
		errmsg("%s", vmm.message); /* faults, timeouts, signals: always shown */
	if (vmm.cfg.trace_exits)
		print_exit_trace(&vmm);

	/*
	 * The monitor, if it was started, may be asleep in poll(); it holds
	 * nothing that must be released, so we do not wait for it: exit() ends
	 * it, and the process's memory goes with it. --sync-exit joins it and
	 * frees everything, for leak checkers.
	 */
	fflush(NULL);
	if (!vmm.cfg.sync_exit && detach_teardown()) {
		mark("teardown left to a child");
		print_marks();
		return status;
	}
out:
	if (vmm.monitor_started) {
		uint64_t one = 1;
		atomic_store(&vmm.stopping, true);
		if (write(vmm.wake_fd, &one, sizeof(one)) < 0) {
			/* eventfd overflow: cannot happen with one write */
		}
		pthread_join(vmm.monitor, NULL);
	}
	console_restore();
	vm_destroy(&vmm);
	close(vmm.sig_fd);
	close(vmm.wake_fd);
	mark("VM destroyed");
	print_marks();
	return status;
}
