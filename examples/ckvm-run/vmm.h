/* SPDX-License-Identifier: MIT */
/*
 * vmm.h - the pieces of ckvm-run and how they fit together.
 *
 * ckvm-run is an example VMM written only against ckvm's public API. Read
 * the files in this order:
 *
 *   main.c           options, VM creation, the main thread's event loop,
 *                    the exit status
 *   memory.c         guest RAM (one mmap, one or two memory slots), e820 map
 *   x86_boot.c       GDT, identity page tables, CPU mode at entry (sregs)
 *   loader.c         picks a loader by looking at the image
 *   load_flat.c      raw binary at an address
 *   load_elf.c       ELF32 / ELF64 executables
 *   load_multiboot.c multiboot v1 kernels, their info structure and memory map
 *   load_linux.c     Linux bzImage through the 64-bit boot protocol
 *   mptable.c        the Intel MP table a guest reads to find its CPUs
 *   vcpu.c           vCPU creation (CPUID), threads and the KVM_RUN loop
 *   iobus.c          port I/O dispatch to the devices below
 *   dev_uart.c       16550 UART at 0x3f8, IRQ 4 through the in-kernel irqchip
 *   dev_exit_port.c  port 0xf4: guest-chosen exit status
 *   dev_pit.c        the in-kernel i8254 PIT
 *   dev_i8042.c      keyboard controller without a keyboard: reset requests
 *   dev_rtc.c        CMOS real-time clock (host time)
 *
 * Guest physical memory layout (low memory), shared by all loaders:
 *
 *   0x000000  real-mode IVT and BIOS data area (left zero)
 *   0x000500  GDT built by the VMM (selectors below)
 *   0x001000  PML4, 0x2000 PDPT, 0x3000-0x6fff four page directories:
 *             an identity map of the first 4 GiB with 2 MiB pages
 *   0x008000  initial stack top for the boot vCPU (grows down)
 *   0x008000-0x00ffff free for the guest (e.g. an AP start-up trampoline)
 *   0x010000  Linux zero page or the multiboot information structure
 *   0x020000  command line
 *   0x09fc00  start of the reserved EBDA / BIOS hole (up to 1 MiB)
 *   0x0f0000  MP floating pointer and MP configuration table
 *   0x100000  the kernel / image
 */
#ifndef CKVM_RUN_VMM_H
#define CKVM_RUN_VMM_H

#include <ckvm.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROGRAM_NAME "ckvm-run"

/* ---- guest physical layout ---------------------------------------------- */
#define GDT_ADDR        0x500ull
#define PML4_ADDR       0x1000ull
#define PDPT_ADDR       0x2000ull
#define PD_ADDR         0x3000ull   /* 4 pages */
#define BOOT_STACK_TOP  0x8000ull
#define ZERO_PAGE_ADDR  0x10000ull  /* Linux boot_params */
#define MB_INFO_ADDR    0x10000ull  /* multiboot info (same slot: one or the other) */
#define CMDLINE_ADDR    0x20000ull
#define CMDLINE_MAX     0x10000ull  /* bytes available at CMDLINE_ADDR */
#define EBDA_START      0x9fc00ull
#define BIOS_START      0xf0000ull
#define MPTABLE_ADDR    0xf0000ull
#define HIMEM_START     0x100000ull
#define MMIO_HOLE_START 0xc0000000ull /* RAM above this goes to 4 GiB and up */
#define FOUR_GIB        0x100000000ull
#define IOAPIC_ADDR     0xfec00000ull
#define LAPIC_ADDR      0xfee00000ull

/* GDT selectors (the 64-bit ones match Linux's __BOOT_CS / __BOOT_DS). */
#define SEL_CODE32 0x08
#define SEL_CODE64 0x10
#define SEL_DATA   0x18
#define GDT_ENTRIES 4

/* Exit statuses of ckvm-run itself (odd values come from the exit port). */
#define EXIT_OK       0   /* guest powered off, reset, or halted for good */
#define EXIT_USAGE    2   /* bad option or unloadable image */
#define EXIT_FAULT    4   /* guest fault: triple fault, internal error, failed entry */
#define EXIT_HOST     6   /* KVM or host failure */
#define EXIT_TIMEOUT  124 /* --timeout expired (as timeout(1)) */
#define EXIT_SIGNAL   128 /* + signal number */

/* ---- configuration --------------------------------------------------------- */
enum image_format { FMT_AUTO, FMT_FLAT, FMT_ELF, FMT_MULTIBOOT, FMT_LINUX };
enum cpu_mode { MODE_REAL, MODE_PROT32, MODE_LONG64 };

struct vm_config {
	const char *image_path;
	uint64_t mem_size;        /* bytes of guest RAM */
	int cpus;
	const char *cmdline;      /* NULL: loader default */
	const char *initrd_path;  /* Linux initrd or multiboot module */
	enum image_format format;
	uint64_t load_addr;       /* flat binaries */
	uint64_t entry;           /* flat binaries; UINT64_MAX = load_addr */
	enum cpu_mode flat_mode;  /* CPU mode for flat binaries */
	double timeout;           /* seconds; 0 = none */
	bool trace_exits;
	bool quiet;
	bool sync_exit;           /* wait for the kernel's VM teardown */
};

/* ---- guest memory ------------------------------------------------------- */
struct guest_mem {
	uint8_t *host;     /* one host mapping of size bytes */
	uint64_t size;     /* total RAM */
	uint64_t low_size; /* RAM at GPA [0, low_size); the rest at [4 GiB, ...) */
};

/* Host pointer for [gpa, gpa + len) if it is all RAM, else NULL. */
void *gpa_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);
/* Copy into guest memory; -EFAULT when the range is not RAM. */
int gpa_write(const struct guest_mem *m, uint64_t gpa, const void *src, uint64_t len);
/* mmap size bytes of RAM (MAP_NORESERVE) and describe the layout. */
int guest_mem_alloc(struct guest_mem *m, uint64_t size);
void guest_mem_free(struct guest_mem *m);
/* Register the RAM with KVM as slot 0 (and slot 1 above 4 GiB). */
int guest_mem_register(const struct guest_mem *m, struct ckvm_vm *vm);

#define E820_RAM      1
#define E820_RESERVED 2
struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};
/* The memory map every loader reports; returns the entry count (<= max). */
int e820_build(const struct guest_mem *m, struct e820_entry *e, int max);

/* ---- boot state -------------------------------------------------------------- */
/* What a loader decided: CPU mode and registers of the boot vCPU at entry. */
struct boot_plan {
	enum cpu_mode mode;
	uint64_t rip, rsp, rax, rbx, rsi;
	char what[96];            /* human description for the startup message */
};

/* x86_boot.c: pure builders over guest memory (unit-tested). */
int x86_build_gdt(const struct guest_mem *m);
int x86_build_identity_map(const struct guest_mem *m);
/* Turn KVM's reset sregs into the entry state of mode. -EINVAL if impossible. */
int x86_setup_sregs(struct kvm_sregs *s, enum cpu_mode mode, uint64_t *rip);

/* ---- loaders --------------------------------------------------------------- */
struct image {
	const char *path;
	const uint8_t *data;
	size_t size;
};
struct load_args {
	const struct vm_config *cfg;
	const struct guest_mem *mem;
	const struct image *kernel;
	const struct image *initrd; /* NULL when none */
};

enum image_format loader_detect(const struct image *img);
const char *format_name(enum image_format f);
int read_file(const char *path, struct image *img);
void free_file(struct image *img);
/* Each returns 0, or -1 after printing why. */
int load_image(const struct load_args *a, struct boot_plan *plan);
int load_flat(const struct load_args *a, struct boot_plan *plan);
int load_elf(const struct load_args *a, struct boot_plan *plan);
int load_multiboot(const struct load_args *a, struct boot_plan *plan);
int load_linux(const struct load_args *a, struct boot_plan *plan);
/*
 * ELF segment loading shared by load_elf and load_multiboot. Fills *entry
 * (physical), *end (highest byte loaded + 1) and *is64.
 */
int elf_load_segments(const struct guest_mem *m, const struct image *img,
		      uint64_t *entry, uint64_t *end, bool *is64);
/* Multiboot v1 header search: offset of the header, or -1. */
long multiboot_find_header(const uint8_t *data, size_t size);

/* load_linux.c: the pure part of the bzImage path (unit-tested). */
struct linux_kernel {
	uint16_t version;         /* boot protocol, e.g. 0x020f */
	uint8_t loadflags;
	uint16_t xloadflags;
	size_t setup_size;        /* real-mode setup: (setup_sects + 1) * 512 */
	size_t payload_size;      /* the protected-mode kernel that follows */
	size_t hdr_end;           /* end of the setup header in the image */
	uint32_t init_size;       /* memory the kernel needs from its load address */
	uint32_t cmdline_size;    /* max command line length, without the NUL */
	uint32_t initrd_addr_max; /* highest address the initrd may end at */
};
/* Check the setup header of a bzImage; on error *why says what is wrong. */
int linux_parse(const uint8_t *img, size_t size, struct linux_kernel *k, const char **why);
/*
 * Lay out everything for the 64-bit boot protocol: kernel at 1 MiB,
 * zero page, command line, initrd (highest fitting address), e820 map,
 * GDT and identity page tables; fill plan (rip = 1 MiB + 0x200, rsi = zero
 * page). Returns 0 or -errno with *why set.
 */
int linux_setup(const struct guest_mem *m, const uint8_t *img, size_t size,
		const struct linux_kernel *k, const char *cmdline, const uint8_t *initrd,
		size_t initrd_size, struct boot_plan *plan, const char **why);
#define LINUX_DEFAULT_CMDLINE "console=ttyS0 earlyprintk=serial panic=-1 reboot=k"

/* mptable.c: MP table for ncpus CPUs at MPTABLE_ADDR. */
int mptable_build(const struct guest_mem *m, int ncpus);

/* ---- devices and port I/O -------------------------------------------------- */
struct vmm;
/* Called once per I/O element: size bytes at data (read: fill, write: consume). */
typedef void (*pio_handler)(void *opaque, uint16_t port, bool is_write,
			    uint8_t *data, uint8_t size);
struct pio_range {
	uint16_t base, len;
	pio_handler fn;
	void *opaque;
	const char *name;
	atomic_ulong count;       /* accesses, for --trace-exits */
};
#define IOBUS_MAX 16
struct iobus {
	struct pio_range r[IOBUS_MAX];
	int n;
	atomic_ulong unhandled;
};
int iobus_register(struct iobus *bus, uint16_t base, uint16_t len, pio_handler fn,
		   void *opaque, const char *name);
/* Dispatch one exit's elements; unhandled reads return all ones. */
void iobus_dispatch(struct iobus *bus, uint16_t port, bool is_write, uint8_t *data,
		    uint8_t size, uint32_t count);

struct uart;
struct uart *uart_create(struct vmm *vmm, uint16_t base, uint32_t irq, int out_fd);
void uart_destroy(struct uart *u);
/* Feed received bytes (from stdin); returns how many were accepted. */
size_t uart_receive(struct uart *u, const uint8_t *buf, size_t n);
size_t uart_rx_space(struct uart *u);
/*
 * Queue THR writes in KVM's coalesced ring, read through vcpu, instead of
 * exiting for each (KVM_CAP_COALESCED_PIO; without it nothing changes).
 * Call before any vCPU runs. 0 or -errno (then every write still exits).
 */
int uart_start_coalescing(struct uart *u, struct ckvm_vcpu *vcpu);
/* Apply queued THR writes; any thread. Cheap when nothing can be queued. */
void uart_flush(struct uart *u);
bool uart_coalescing(struct uart *u);
/* THR writes that reached the UART through the ring (no exit of their own). */
unsigned long uart_queued_writes(struct uart *u);

int exit_port_init(struct vmm *vmm, uint16_t port);
int pit_init(struct vmm *vmm);
struct i8042;
int i8042_init(struct vmm *vmm);
void i8042_destroy(struct i8042 *k);
struct rtc;
int rtc_init(struct vmm *vmm);
void rtc_destroy(struct rtc *r);

/* ---- vCPUs ----------------------------------------------------------------- */
enum vcpu_state {
	VCPU_RUNNING = 0,  /* or runnable */
	VCPU_IDLE,         /* HLT with interrupts enabled: waits for an interrupt */
	VCPU_DEAD_HALT,    /* HLT with interrupts disabled: stopped for good */
	VCPU_PARKED,       /* AP waiting for INIT/SIPI */
};

struct vcpu {
	struct vmm *vmm;
	struct ckvm_vcpu *vcpu;
	int id;
	pthread_t thread;
	bool thread_started;
	int stats_fd;             /* binary stats fd, or -1 */
	struct ckvm_stats *stats; /* for the "blocking" statistic; may be NULL */
	int stat_blocking;        /* index, or -1 */
	/* halt probe: written by the vCPU thread, read by the main thread */
	atomic_uint probe_done;   /* generation answered */
	atomic_int state;         /* enum vcpu_state */
	uint64_t exits[CKVM_EXIT_KIND_COUNT];
};

struct vmm {
	struct vm_config cfg;
	struct ckvm *kvm;
	struct ckvm_vm *vm;
	struct guest_mem mem;
	struct iobus io;
	struct uart *uart;
	struct i8042 *i8042;
	struct rtc *rtc;
	struct kvm_cpuid2 *cpuid;     /* supported CPUID, adjusted per vCPU */
	struct boot_plan plan;
	struct vcpu *vcpus;
	int ncpus;
	pthread_t monitor;            /* signals, timeout, stdin, halt probe */
	bool monitor_started;         /* main thread only */
	atomic_bool monitor_due;      /* set by SIGALRM: time to start it */
	uint64_t start_ms;            /* CLOCK_MONOTONIC when the guest started */
	int wake_fd;                  /* eventfd: wakes the monitor thread */
	int sig_fd;                   /* signalfd of the termination signals */
	atomic_uint probe_gen;        /* halt probe generation (main thread) */
	/* stop request: first one wins */
	pthread_mutex_t lock;         /* also serialises diagnostic output */
	atomic_bool stopping;
	int status;
	char message[256];
};

/* vcpu.c */
int vcpus_create(struct vmm *vmm);
/* Make the calling thread v's thread (its kick target). */
int vcpu_claim_thread(struct vcpu *v);
/* Run v until the VM stops. */
void vcpu_loop(struct vcpu *v);
/* Start one thread per vCPU 1..n-1. */
int vcpus_start(struct vmm *vmm);
void vcpus_kick_all(struct vmm *vmm);
void vcpus_join(struct vmm *vmm);
void vcpus_destroy(struct vmm *vmm);
bool vcpu_is_blocked(struct vcpu *v); /* from binary stats; true if unknown */
#define KICK_SIGNAL SIGUSR1

/* main.c: end the VM with status and a message (first caller wins), kick all vCPUs. */
void vmm_stop(struct vmm *vmm, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool vmm_stopping(const struct vmm *vmm);
/* Start the monitor thread if it is due (vCPU 0's thread, after a kick). */
void monitor_start(struct vmm *vmm);
/* Messages on stderr, prefixed "ckvm-run: ". */
void vmm_info(const struct vmm *vmm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
