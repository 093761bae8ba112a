/* SPDX-License-Identifier: MIT */
/*
 * internal.h - private definitions shared by ckvm's source files.
 * Nothing here is part of the ABI.
 */
#ifndef CKVM_INTERNAL_H
#define CKVM_INTERNAL_H

#include <ckvm.h>

#include <errno.h>
#include <pthread.h>
#include <sys/ioctl.h>

/* Internal symbols are hidden by -fvisibility=hidden; only CKVM_API exports. */

struct ckvm {
	int fd;
};

struct ckvm_vm {
	int fd;
	size_t run_size;          /* KVM_GET_VCPU_MMAP_SIZE */
	size_t page_size;         /* sysconf(_SC_PAGESIZE) */
	uint32_t dirty_ring_entries; /* 0: no dirty ring */
	bool dirty_ring_acq_rel;
	int coalesced_page_offset; /* KVM_COALESCED_MMIO_PAGE_OFFSET, 0 if no cap */
};

struct ckvm_vcpu {
	int fd;
	unsigned long id;
	struct kvm_run *run;
	size_t run_size;
	size_t page_size;
	/* coalesced MMIO ring (mapped on demand), part of the vCPU mapping */
	struct kvm_coalesced_mmio_ring *coalesced;
	int coalesced_page_offset;
	/* dirty ring (mapped at creation when the VM has one) */
	struct kvm_dirty_gfn *dirty_gfns;
	uint32_t dirty_ring_entries;
	uint32_t dirty_ring_next;   /* next index to harvest (free-running) */
	/* kick target */
	pthread_t thread;
	int kick_signo;             /* 0: none */
	int kick_armed;             /* thread is valid */
	/* sync regs: bits of kvm_valid_regs whose run-page copy is current */
	uint64_t sync_fresh;
	uint64_t sync_regs_cap;     /* KVM_CAP_SYNC_REGS on the VM (x86), 0 if absent */
	/* vcpu area: read from the VM at creation */
	bool coalesced_own;         /* coalesced ring mapped separately (munmap on close) */
	size_t xsave_size;          /* KVM_CAP_XSAVE2 on the VM, at least 4096 */
	uint32_t nested_state_max;  /* KVM_CAP_NESTED_STATE, 0 if absent */
};

struct ckvm_device {
	int fd;
	uint32_t type;
};

/* ioctl returning the result (>= 0) or -errno. */
static inline int ckvm__ioctl(int fd, unsigned long req, void *arg)
{
	int r = ioctl(fd, req, arg);
	return r < 0 ? -errno : r;
}

/* Same with an integer argument (KVM_SET_TSS_ADDR, KVM_CREATE_VM...). */
static inline int ckvm__ioctl_val(int fd, unsigned long req, unsigned long val)
{
	int r = ioctl(fd, req, val);
	return r < 0 ? -errno : r;
}

/* ---- vCPU helpers (vcpu.c, x86_64/vcpu.c) ---- */
#if defined(__x86_64__)
/* Write the run page's pending (dirty) sync-regs copies with ioctls, in order. */
int ckvm__vcpu_sync_flush(struct ckvm_vcpu *vcpu);
/* CPUID-style query into a new buffer, grown on E2BIG (x86_64/system.c). */
int ckvm__cpuid_query(int fd, unsigned long req, uint32_t first, struct kvm_cpuid2 **out);
/* First guess for KVM_GET_SUPPORTED_HV_CPUID (KVM has 11 leaves in Linux 6.18). */
#define CKVM__HV_CPUID_FIRST_GUESS 16u
#endif
/*
 * Call before any vCPU ioctl other than KVM_RUN and the sync-regs fast
 * path: a register write still pending in the run page is applied first
 * (so the ioctl sees it, and it cannot later overwrite the ioctl's effect),
 * and with writes=true the run page's copies stop counting as current (the
 * ioctl may change what they hold: NMI, SMI, MSRs, nested state...).
 * One load and a branch when sync regs are not in use.
 */
static inline int ckvm__vcpu_sync_prepare(struct ckvm_vcpu *vcpu, bool writes)
{
#if defined(__x86_64__)
	if (vcpu->run->kvm_dirty_regs) {
		int r = ckvm__vcpu_sync_flush(vcpu);

		if (r < 0)
			return r;
	}
	if (writes)
		vcpu->sync_fresh = 0;
#else
	(void)vcpu;
	(void)writes;
#endif
	return 0;
}

/* ---- core helpers (system.c, vm.c, fam.c) ---- */
/* FAM engine internals: size of the kernel-struct part of a FAM object (0 if foreign). */
size_t ckvm__fam_size(const void *p);
extern const struct ckvm_fam_type ckvm__irq_routing_type;
extern const struct ckvm_fam_type ckvm__reg_list_type;
#if defined(__x86_64__)
extern const struct ckvm_fam_type ckvm__cpuid2_type;
extern const struct ckvm_fam_type ckvm__msrs_type;
extern const struct ckvm_fam_type ckvm__msr_list_type;
#endif
/* Make fd close-on-exec (no-op if already). 0 or -errno. */
int ckvm__set_cloexec(int fd);
/* Fill a new VM handle around fd with the system handle's mmap size. */
int ckvm__vm_wrap(int kvm_fd, int vm_fd, struct ckvm_vm **out);

/* ---- arm64 / riscv64 hooks (src/arm64, src/riscv64; owned by ports) ---- */
/*
 * Page offset of the dirty ring in the vCPU mapping: the Linux 6.1 arm64 and
 * riscv64 headers lack KVM_DIRTY_LOG_PAGE_OFFSET (<linux/kvm.h> then makes
 * it 0), so ckvm/compat-arch.h supplies the ABI value there.
 */
#if defined(CKVM_ARCH_DIRTY_LOG_PAGE_OFFSET)
#define CKVM__DIRTY_LOG_PAGE_OFFSET CKVM_ARCH_DIRTY_LOG_PAGE_OFFSET
#else
#define CKVM__DIRTY_LOG_PAGE_OFFSET KVM_DIRTY_LOG_PAGE_OFFSET
#endif
#if defined(__aarch64__)
/* ckvm_create_vm's machine type on arm64: the host's largest IPA size (0 if not selectable). */
int ckvm__arm64_default_vm_type(struct ckvm *kvm, unsigned long *type);
#endif

#endif
