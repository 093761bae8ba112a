/* SPDX-License-Identifier: MIT */
/*
 * bench_lifecycle - VM lifecycle: create a VM, one 4 KiB memory slot at the
 * reset vector page (0xfffff000), one vCPU, run it to HLT (the first
 * instruction it fetches, at 0xfffffff0, in real mode, from its reset
 * state: no register set-up), and destroy it all, with
 *   raw:  ioctl(KVM_CREATE_VM/SET_USER_MEMORY_REGION/CREATE_VCPU), mmap of
 *         kvm_run, ioctl(KVM_RUN), munmap, close, written here;
 *   ckvm: ckvm_create_vm, ckvm_vm_set_user_memory_region,
 *         ckvm_vm_create_vcpu, ckvm_vcpu_run (decoded), ckvm_vcpu_close,
 *         ckvm_vm_close.
 * The variants alternate in blocks of 50 cycles. Reports cycles per second
 * (wall and thread CPU) and the ratio ckvm/raw. Then 10,000 more ckvm
 * cycles check for growth: open fds, mappings, heap bytes in use
 * (mallinfo2) and RSS must come back to where they were.
 */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 50
#define WARMUP 50
#define SLOT_GPA 0xfffff000ull

static uint8_t *page;
static int raw_kvm = -1, run_size;

static uint64_t cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void raw_cycle(void)
{
	struct kvm_userspace_memory_region r;
	struct kvm_run *run;
	int vm, vcpu;

	vm = ioctl(raw_kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		bench_fail("KVM_CREATE_VM: %s", strerror(errno));
	memset(&r, 0, sizeof(r));
	r.slot = 0;
	r.guest_phys_addr = SLOT_GPA;
	r.memory_size = 4096;
	r.userspace_addr = (uintptr_t)page;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		bench_fail("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		bench_fail("KVM_CREATE_VCPU: %s", strerror(errno));
	run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		bench_fail("mmap kvm_run: %s", strerror(errno));
	if (ioctl(vcpu, KVM_RUN, 0) < 0)
		bench_fail("KVM_RUN: %s", strerror(errno));
	if (run->exit_reason != KVM_EXIT_HLT)
		bench_fail("raw: exit %u, expected HLT", run->exit_reason);
	munmap(run, (size_t)run_size);
	close(vcpu);
	close(vm);
}

static void ckvm_cycle(struct ckvm *kvm)
{
	struct kvm_userspace_memory_region r;
	struct ckvm_vcpu *vcpu;
	struct ckvm_vm *vm;
	struct ckvm_exit exit;

	BENCH_CHECK(ckvm_create_vm(kvm, &vm));
	memset(&r, 0, sizeof(r));
	r.slot = 0;
	r.guest_phys_addr = SLOT_GPA;
	r.memory_size = 4096;
	r.userspace_addr = (uintptr_t)page;
	BENCH_CHECK(ckvm_vm_set_user_memory_region(vm, &r));
	BENCH_CHECK(ckvm_vm_create_vcpu(vm, 0, &vcpu));
	BENCH_CHECK(ckvm_vcpu_run(vcpu, &exit));
	if (exit.kind != CKVM_EXIT_HLT)
		bench_fail("ckvm: exit kind %d, expected HLT", exit.kind);
	ckvm_vcpu_close(vcpu);
	ckvm_vm_close(vm);
}

int main(int argc, char **argv)
{
	double wall[2][BENCH_MAX_REPS], cpu[2][BENCH_MAX_REPS];
	double ratio[BENCH_MAX_REPS], ratio_cpu[BENCH_MAX_REPS];
	struct bench_opts o;
	struct ckvm *kvm;
	long growth_cycles;

	bench_parse(argc, argv, &o, 3, 2000);
	growth_cycles = o.quick ? 500 : 10000;
	if (o.quick)
		o.count = 200;
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		bench_fail("mmap");
	page[0xff0] = 0xf4; /* hlt at the reset vector */
	raw_kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (raw_kvm < 0)
		bench_fail("/dev/kvm: %s", strerror(errno));
	run_size = ioctl(raw_kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	BENCH_CHECK(ckvm_open(&kvm));

	bench_note("lifecycle", "count", "%ld cycles per variant per run, %d runs; growth check "
		   "over %ld cycles", o.count, o.reps, growth_cycles);
	if (bench_want(&o, "rate", NULL)) {
		for (int i = 0; i < WARMUP; i++) {
			raw_cycle();
			ckvm_cycle(kvm);
		}
		for (int rep = 0; rep < o.reps; rep++) {
			uint64_t w[2] = { 0 }, c[2] = { 0 };
			long done = 0;

			for (long b = 0; done < o.count; b++) {
				long k = o.count - done < BLOCK ? o.count - done : BLOCK;

				for (int j = 0; j < 2; j++) {
					int v = (int)((b + j) & 1);
					uint64_t t0, c0;

					if (!bench_want(&o, NULL, v ? "ckvm" : "raw"))
						continue;
					t0 = bench_now_ns();
					c0 = cpu_ns();

					for (long i = 0; i < k; i++) {
						if (v)
							ckvm_cycle(kvm);
						else
							raw_cycle();
					}
					c[v] += cpu_ns() - c0;
					w[v] += bench_now_ns() - t0;
				}
				done += k;
			}
			for (int v = 0; v < 2; v++) {
				wall[v][rep] = w[v] ? (double)o.count / ((double)w[v] / 1e9) : 0;
				cpu[v][rep] = c[v] ? (double)o.count / ((double)c[v] / 1e9) : 0;
			}
			ratio[rep] = wall[0][rep] > 0 ? wall[1][rep] / wall[0][rep] : 0;
			ratio_cpu[rep] = cpu[0][rep] > 0 ? cpu[1][rep] / cpu[0][rep] : 0;
			fprintf(stderr, "  rep %d: raw %.0f/s ckvm %.0f/s (ratio %.4f); thread CPU: "
				"raw %.0f/s ckvm %.0f/s (ratio %.4f)\n", rep, wall[0][rep],
				wall[1][rep], ratio[rep], cpu[0][rep], cpu[1][rep], ratio_cpu[rep]);
		}
		bench_emit("lifecycle", "cycles per second, wall", "raw ioctls", "cycles/s", wall[0], o.reps);
		bench_emit("lifecycle", "cycles per second, wall", "ckvm", "cycles/s", wall[1], o.reps);
		bench_emit("lifecycle", "cycles per second, wall", "ratio ckvm/raw", "x", ratio, o.reps);
		bench_emit("lifecycle", "cycles per second, thread CPU", "raw ioctls", "cycles/s", cpu[0], o.reps);
		bench_emit("lifecycle", "cycles per second, thread CPU", "ckvm", "cycles/s", cpu[1], o.reps);
		bench_emit("lifecycle", "cycles per second, thread CPU", "ratio ckvm/raw", "x", ratio_cpu, o.reps);
	}
	if (bench_want(&o, "growth", NULL)) {
		int fd0, fd1, maps0, maps1;
		long rss0, rss1;
		size_t heap0, heap1;
		double d;

		for (int i = 0; i < WARMUP; i++)
			ckvm_cycle(kvm);
		fd0 = bench_count_fds();
		maps0 = bench_count_maps();
		rss0 = bench_rss_kib();
		heap0 = mallinfo2().uordblks;
		for (long i = 0; i < growth_cycles; i++)
			ckvm_cycle(kvm);
		fd1 = bench_count_fds();
		maps1 = bench_count_maps();
		rss1 = bench_rss_kib();
		heap1 = mallinfo2().uordblks;
		bench_note("lifecycle", "growth", "%ld ckvm cycles: open fds %d -> %d, mappings %d -> %d, "
			   "heap in use %zu -> %zu bytes, RSS %ld -> %ld KiB", growth_cycles, fd0, fd1,
			   maps0, maps1, heap0, heap1, rss0, rss1);
		d = fd1 - fd0;
		bench_emit("lifecycle", "growth over the cycles", "open fds", "fds", &d, 1);
		d = maps1 - maps0;
		bench_emit("lifecycle", "growth over the cycles", "mappings", "maps", &d, 1);
		d = (double)heap1 - (double)heap0;
		bench_emit("lifecycle", "growth over the cycles", "heap in use", "bytes", &d, 1);
		d = (double)(rss1 - rss0);
		bench_emit("lifecycle", "growth over the cycles", "RSS", "KiB", &d, 1);
		if (fd1 != fd0 || maps1 != maps0 || heap1 != heap0)
			bench_fail("resource growth over %ld cycles", growth_cycles);
	}
	ckvm_close(kvm);
	close(raw_kvm);
	return 0;
}
