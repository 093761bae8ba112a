/* SPDX-License-Identifier: MIT */
/*
 * vcpu.c - struct ckvm_vcpu: creation, the kvm_run mapping, KVM_RUN and the
 * kick protocol, and the architecture-independent vCPU ioctls (MP state,
 * ONE_REG, device attributes, guest debug, stats, coalesced MMIO ring,
 * dirty ring harvest).
 */
#include "internal.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef EHWPOISON
#define EHWPOISON 133
#endif

static size_t host_page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);
	return p > 0 ? (size_t)p : 4096;
}

int ckvm_vcpu_from_fd(struct ckvm_vm *vm, int fd, struct ckvm_vcpu **out)
{
	struct ckvm_vcpu *v;
	void *p;
	int r;

	if (!vm || !out)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;
	if (vm->run_size < sizeof(struct kvm_run))
		return -EINVAL;

	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->fd = fd;
	v->id = (unsigned long)-1;
	v->run_size = vm->run_size;
	v->page_size = vm->page_size ? vm->page_size : host_page_size();

	p = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		r = -errno;
		free(v);
		return r;
	}
	v->run = p;

	/* Capabilities the vCPU needs later, read once from the VM fd. */
	r = ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO);
	v->coalesced_page_offset = r > 0 ? r : 0;
#if defined(__x86_64__)
	r = ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
	v->xsave_size = r > (int)sizeof(struct kvm_xsave) ? (size_t)r : sizeof(struct kvm_xsave);
	r = ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_NESTED_STATE);
	v->nested_state_max = r > 0 ? (uint32_t)r : 0;
	r = ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
	v->sync_regs_cap = r > 0 ? (uint64_t)r : 0;
#endif

	if (vm->dirty_ring_entries) {
		size_t bytes = (size_t)vm->dirty_ring_entries * sizeof(struct kvm_dirty_gfn);
		p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 (off_t)CKVM__DIRTY_LOG_PAGE_OFFSET * (off_t)v->page_size);
		if (p == MAP_FAILED) {
			r = -errno;
			munmap(v->run, v->run_size);
			free(v);
			return r;
		}
		v->dirty_gfns = p;
		v->dirty_ring_entries = vm->dirty_ring_entries;
	}
	/* Adopted or created here: the handle's fd never crosses exec(). */
	r = ckvm__set_cloexec(fd);
	if (r < 0) {
		if (v->dirty_gfns)
			munmap(v->dirty_gfns,
			       (size_t)v->dirty_ring_entries * sizeof(struct kvm_dirty_gfn));
		munmap(v->run, v->run_size);
		free(v);
		return r;
	}
	*out = v;
	return 0;
}

int ckvm_vm_create_vcpu(struct ckvm_vm *vm, unsigned long id, struct ckvm_vcpu **out)
{
	int fd, r;

	if (!vm || !out)
		return -EINVAL;
	fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (fd < 0)
		return -errno;
	/* KVM creates vCPU fds with O_CLOEXEC; ckvm_vcpu_from_fd makes sure. */
	r = ckvm_vcpu_from_fd(vm, fd, out);
	if (r < 0) {
		close(fd);
		return r;
	}
	(*out)->id = id;
	return 0;
}

void ckvm_vcpu_close(struct ckvm_vcpu *vcpu)
{
	if (!vcpu)
		return;
	if (vcpu->coalesced_own)
		munmap(vcpu->coalesced, vcpu->page_size);
	if (vcpu->dirty_gfns)
		munmap(vcpu->dirty_gfns,
		       (size_t)vcpu->dirty_ring_entries * sizeof(struct kvm_dirty_gfn));
	if (vcpu->run)
		munmap(vcpu->run, vcpu->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	free(vcpu);
}

int ckvm_vcpu_fd(const struct ckvm_vcpu *vcpu)
{
	return vcpu ? vcpu->fd : -EINVAL;
}

unsigned long ckvm_vcpu_id(const struct ckvm_vcpu *vcpu)
{
	return vcpu ? vcpu->id : (unsigned long)-1;
}

struct kvm_run *ckvm_vcpu_run_struct(struct ckvm_vcpu *vcpu)
{
	return vcpu ? vcpu->run : NULL;
}

size_t ckvm_vcpu_run_size(const struct ckvm_vcpu *vcpu)
{
	return vcpu ? vcpu->run_size : 0;
}

int ckvm_vcpu_ioctl(struct ckvm_vcpu *vcpu, unsigned long request, void *arg)
{
	int r;

	if (!vcpu)
		return -EINVAL;
	/* Unknown to ckvm: assume it reads and changes state. */
	r = ckvm__vcpu_sync_prepare(vcpu, true);
	if (r < 0)
		return r;
	return ckvm__ioctl(vcpu->fd, request, arg);
}

/* ---- KVM_RUN ----------------------------------------------------------- */

int ckvm_vcpu_run(struct ckvm_vcpu *vcpu, struct ckvm_exit *exit)
{
	struct ckvm_exit scratch;
	int r, err;

	if (!vcpu)
		return -EINVAL;
	/* The run-page copy of the sync regs is rewritten by KVM on exit. */
	vcpu->sync_fresh = 0;
	/*
	 * A memory-fault reason left from an earlier exit must not be taken
	 * for a new one: KVM writes exit_reason on the EFAULT path only when
	 * it fills memory_fault (no architecture reads this value on entry).
	 */
	if (__builtin_expect(vcpu->run->exit_reason == KVM_EXIT_MEMORY_FAULT, 0))
		vcpu->run->exit_reason = KVM_EXIT_UNKNOWN;
	r = ioctl(vcpu->fd, KVM_RUN, 0);
	err = r < 0 ? errno : 0;

	if (err == EINTR) {
		/*
		 * Consume the pending kick. The exchange (acquire) pairs with the
		 * release store in ckvm_vcpu_kick(): whatever the kicker wrote
		 * before kicking is visible to the caller now. A kick stored
		 * after this exchange stays pending for the next run.
		 */
		uint8_t kicked = __atomic_exchange_n(&vcpu->run->immediate_exit, 0,
						     __ATOMIC_ACQ_REL);

		vcpu->sync_fresh = vcpu->run->kvm_valid_regs;
		if (exit) {
			memset(exit, 0, sizeof(*exit));
			exit->kind = CKVM_EXIT_INTERRUPTED;
			exit->reason = vcpu->run->exit_reason;
			exit->run = vcpu->run;
			exit->interrupted.immediate_exit = kicked != 0;
		}
		return -EINTR;
	}
	if (err == EFAULT || err == EHWPOISON) {
		if (vcpu->run->exit_reason != KVM_EXIT_MEMORY_FAULT)
			return -err;
		if (!exit)
			exit = &scratch;
		r = ckvm_exit_decode(vcpu->run, vcpu->run_size, err, exit);
		return r < 0 ? -err : 0;
	}
	if (err)
		return -err;
	vcpu->sync_fresh = vcpu->run->kvm_valid_regs;
	if (!exit)
		return 0;
	return ckvm_exit_decode(vcpu->run, vcpu->run_size, 0, exit);
}

void ckvm_vcpu_set_immediate_exit(struct ckvm_vcpu *vcpu, bool v)
{
	if (vcpu && vcpu->run)
		__atomic_store_n(&vcpu->run->immediate_exit, v ? 1 : 0, __ATOMIC_RELEASE);
}

int ckvm_vcpu_set_kick_signal(struct ckvm_vcpu *vcpu, int signo)
{
	if (!vcpu || signo < 0 || signo >= NSIG)
		return -EINVAL;
	__atomic_store_n(&vcpu->kick_armed, 0, __ATOMIC_RELEASE);
	/* Atomic stores: a concurrent kick may read these (it then sees armed 0). */
	__atomic_store_n(&vcpu->thread, pthread_self(), __ATOMIC_RELAXED);
	__atomic_store_n(&vcpu->kick_signo, signo, __ATOMIC_RELAXED);
	__atomic_store_n(&vcpu->kick_armed, signo ? 1 : 0, __ATOMIC_RELEASE);
	return 0;
}

int ckvm_vcpu_kick(struct ckvm_vcpu *vcpu)
{
	pthread_t thread;
	int r, signo;

	if (!vcpu || !vcpu->run)
		return -EINVAL;
	/*
	 * Order: immediate_exit first, then the signal. If the vCPU thread has
	 * not entered KVM_RUN yet it sees immediate_exit (KVM checks it after
	 * taking the vCPU); if it is in the guest the signal forces an exit.
	 */
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&vcpu->kick_armed, __ATOMIC_ACQUIRE))
		return 0;
	thread = __atomic_load_n(&vcpu->thread, __ATOMIC_RELAXED);
	signo = __atomic_load_n(&vcpu->kick_signo, __ATOMIC_RELAXED);
	if (!signo)
		return 0;
	r = pthread_kill(thread, signo);
	return r ? -r : 0;
}

int ckvm_vcpu_complete_io(struct ckvm_vcpu *vcpu)
{
	uint8_t pending;
	int r;

	if (!vcpu)
		return -EINVAL;
	/* Keep a kick that is already pending: only undo our own flag. */
	pending = __atomic_exchange_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	vcpu->sync_fresh = 0;
	if (vcpu->run->exit_reason == KVM_EXIT_MEMORY_FAULT)
		vcpu->run->exit_reason = KVM_EXIT_UNKNOWN; /* as in ckvm_vcpu_run */
	r = ioctl(vcpu->fd, KVM_RUN, 0);
	r = r < 0 ? -errno : 0;
	if (!pending)
		__atomic_store_n(&vcpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	if (r == -EINTR) {
		/* Done: the pending instruction completed, no guest code ran. */
		vcpu->sync_fresh = vcpu->run->kvm_valid_regs;
		return 0;
	}
	if (r == 0) {
		/*
		 * Completing the instruction needed another exit (the next chunk
		 * of string I/O, the second half of a split MMIO access): it is
		 * in kvm_run now and must be handled before saving.
		 */
		vcpu->sync_fresh = vcpu->run->kvm_valid_regs;
		return 1;
	}
	return r;
}

int ckvm_vcpu_set_signal_mask(struct ckvm_vcpu *vcpu, const sigset_t *mask)
{
	/* The kernel's sigset is _NSIG/8 = 8 bytes on every supported arch. */
	union {
		struct kvm_signal_mask m;
		uint8_t bytes[sizeof(struct kvm_signal_mask) + 8];
	} u;

	if (!vcpu)
		return -EINVAL;
	if (!mask)
		return ckvm__ioctl(vcpu->fd, KVM_SET_SIGNAL_MASK, NULL);
	memset(&u, 0, sizeof(u));
	u.m.len = 8;
	/* glibc's sigset_t starts with the kernel's 64-bit word. */
	memcpy(u.m.sigset, mask, 8);
	return ckvm__ioctl(vcpu->fd, KVM_SET_SIGNAL_MASK, &u.m);
}

/* ---- generic state ---------------------------------------------------- */

/*
 * An ioctl on the vCPU fd after ckvm__vcpu_sync_prepare(): the reads see a
 * register write still pending in the run page, and writes invalidate the
 * run page's copies.
 */
static int vcpu_ioctl(struct ckvm_vcpu *vcpu, bool writes, unsigned long req, void *arg)
{
	int r = ckvm__vcpu_sync_prepare(vcpu, writes);

	if (r < 0)
		return r;
	return ckvm__ioctl(vcpu->fd, req, arg);
}

int ckvm_vcpu_get_mp_state(struct ckvm_vcpu *vcpu, struct kvm_mp_state *mp)
{
	if (!vcpu || !mp)
		return -EINVAL;
	/* May process a pending INIT/SIPI, which changes registers. */
	return vcpu_ioctl(vcpu, true, KVM_GET_MP_STATE, mp);
}

int ckvm_vcpu_set_mp_state(struct ckvm_vcpu *vcpu, const struct kvm_mp_state *mp)
{
	if (!vcpu || !mp)
		return -EINVAL;
	return vcpu_ioctl(vcpu, true, KVM_SET_MP_STATE, (void *)mp);
}

int ckvm_vcpu_enable_cap(struct ckvm_vcpu *vcpu, const struct kvm_enable_cap *cap)
{
	if (!vcpu || !cap)
		return -EINVAL;
	return vcpu_ioctl(vcpu, true, KVM_ENABLE_CAP, (void *)cap);
}

static int one_reg(struct ckvm_vcpu *vcpu, unsigned long req, uint64_t id, const void *val,
		   size_t len)
{
	struct kvm_one_reg reg;
	size_t size;
	int r;

	if (!vcpu || !val)
		return -EINVAL;
	size = ckvm_reg_size(id);
	if (len < size)
		return -EINVAL;
	reg.id = id;
	reg.addr = (uint64_t)(uintptr_t)val;
	r = vcpu_ioctl(vcpu, req == KVM_SET_ONE_REG, req, &reg);
	return r < 0 ? r : (int)size;
}

int ckvm_vcpu_get_one_reg(struct ckvm_vcpu *vcpu, uint64_t id, void *val, size_t len)
{
	return one_reg(vcpu, KVM_GET_ONE_REG, id, val, len);
}

int ckvm_vcpu_set_one_reg(struct ckvm_vcpu *vcpu, uint64_t id, const void *val, size_t len)
{
	return one_reg(vcpu, KVM_SET_ONE_REG, id, val, len);
}

int ckvm_vcpu_get_reg_list(struct ckvm_vcpu *vcpu, struct kvm_reg_list **list)
{
	struct kvm_reg_list *l;
	bool ours = false;
	int r;

	if (!vcpu || !list)
		return -EINVAL;
	l = *list;
	if (!l) {
		r = ckvm_reg_list_alloc(64, &l);
		if (r < 0)
			return r;
		ours = true;
	}
	for (;;) {
		uint64_t cap = ckvm_reg_list_capacity(l);
		uint64_t need;

		l->n = cap;
		r = vcpu_ioctl(vcpu, false, KVM_GET_REG_LIST, l);
		if (r != -E2BIG)
			break;
		/* The kernel wrote the number it needs into n. */
		need = l->n;
		if (need <= cap)
			need = cap * 2;
		l->n = 0;
		if (need > CKVM_MAX_REG_LIST)
			break; /* r is -E2BIG */
		r = ckvm_reg_list_reserve(&l, need);
		if (r < 0)
			break;
		if (!ours)
			*list = l; /* the caller's list moved */
	}
	if (r < 0) {
		/* A list allocated here is freed; a caller's list stays theirs, count 0. */
		if (ours)
			ckvm_reg_list_free(l);
		else
			l->n = 0;
		return r;
	}
	*list = l;
	return 0;
}

int ckvm_vcpu_set_device_attr(struct ckvm_vcpu *vcpu, const struct kvm_device_attr *attr)
{
	if (!vcpu || !attr)
		return -EINVAL;
	return vcpu_ioctl(vcpu, true, KVM_SET_DEVICE_ATTR, (void *)attr);
}

int ckvm_vcpu_get_device_attr(struct ckvm_vcpu *vcpu, struct kvm_device_attr *attr)
{
	if (!vcpu || !attr)
		return -EINVAL;
	return vcpu_ioctl(vcpu, false, KVM_GET_DEVICE_ATTR, attr);
}

int ckvm_vcpu_has_device_attr(struct ckvm_vcpu *vcpu, const struct kvm_device_attr *attr)
{
	if (!vcpu || !attr)
		return -EINVAL;
	return vcpu_ioctl(vcpu, false, KVM_HAS_DEVICE_ATTR, (void *)attr);
}

int ckvm_vcpu_set_guest_debug(struct ckvm_vcpu *vcpu, const struct kvm_guest_debug *dbg)
{
	if (!vcpu || !dbg)
		return -EINVAL;
	return vcpu_ioctl(vcpu, true, KVM_SET_GUEST_DEBUG, (void *)dbg);
}

int64_t ckvm_vcpu_pre_fault_memory(struct ckvm_vcpu *vcpu, uint64_t gpa, uint64_t size)
{
	struct kvm_pre_fault_memory pf;
	uint64_t done = 0;
	int err = 0, spins = 0;

	if (!vcpu || size == 0 || gpa + size < gpa)
		return -EINVAL;
	memset(&pf, 0, sizeof(pf));
	pf.gpa = gpa;
	pf.size = size;
	while (pf.size) {
		uint64_t before = pf.size;
		int r = ioctl(vcpu->fd, KVM_PRE_FAULT_MEMORY, &pf);

		done += before - pf.size;
		if (r == 0) {
			if (pf.size == before)
				break; /* no progress and no error: do not spin */
			continue;
		}
		err = errno;
		/* Interrupted or asked to retry: progress was recorded in pf. */
		if ((err == EINTR || err == EAGAIN) && ++spins < 1000) {
			err = 0;
			continue;
		}
		break;
	}
	if (done > 0)
		return (int64_t)done;
	return err ? -(int64_t)err : -EIO;
}

int ckvm_vcpu_get_stats_fd(struct ckvm_vcpu *vcpu)
{
	int fd;

	if (!vcpu)
		return -EINVAL;
	fd = ioctl(vcpu->fd, KVM_GET_STATS_FD, NULL);
	if (fd < 0)
		return -errno;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* ---- coalesced MMIO ring ------------------------------------------------ */

static uint32_t coalesced_max(const struct ckvm_vcpu *vcpu)
{
	return (uint32_t)((vcpu->page_size - sizeof(struct kvm_coalesced_mmio_ring)) /
			  sizeof(struct kvm_coalesced_mmio));
}

int ckvm_vcpu_map_coalesced_mmio_ring(struct ckvm_vcpu *vcpu)
{
	size_t off;
	void *p;

	if (!vcpu)
		return -EINVAL;
	if (vcpu->coalesced)
		return 0;
	if (vcpu->coalesced_page_offset <= 0)
		return -ENODEV;
	off = (size_t)vcpu->coalesced_page_offset * vcpu->page_size;
	if (off + vcpu->page_size <= vcpu->run_size) {
		/* Usual case: the ring page is part of the kvm_run mapping. */
		vcpu->coalesced = (void *)((uint8_t *)vcpu->run + off);
		return 0;
	}
	p = mmap(NULL, vcpu->page_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, (off_t)off);
	if (p == MAP_FAILED)
		return -errno;
	vcpu->coalesced = p;
	vcpu->coalesced_own = true;
	return 0;
}

int ckvm_vcpu_coalesced_mmio_read(struct ckvm_vcpu *vcpu, struct kvm_coalesced_mmio *entry)
{
	struct kvm_coalesced_mmio_ring *ring;
	uint32_t first, last, max;

	if (!vcpu || !entry)
		return -EINVAL;
	ring = vcpu->coalesced;
	if (!ring)
		return -EIO;
	max = coalesced_max(vcpu);
	/* Producer index: acquire, so the entry's contents are visible. */
	last = __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE);
	first = ring->first;
	if (first == last)
		return 0;
	if (first >= max || last >= max)
		return -EIO; /* corrupt indices: refuse rather than read out of bounds */
	memcpy(entry, &ring->coalesced_mmio[first], sizeof(*entry));
	/* Consumer index: release, so the slot is reused only after our copy. */
	__atomic_store_n(&ring->first, (first + 1) % max, __ATOMIC_RELEASE);
	return 1;
}

/* ---- dirty ring ---------------------------------------------------------- */

int ckvm_vcpu_dirty_ring_harvest(struct ckvm_vcpu *vcpu, struct ckvm_dirty_page *out, size_t max)
{
	size_t n = 0;

	if (!vcpu || (!out && max))
		return -EINVAL;
	if (!vcpu->dirty_gfns || !vcpu->dirty_ring_entries)
		return -ENODEV;
	if (max > (size_t)INT32_MAX)
		max = INT32_MAX;
	while (n < max) {
		struct kvm_dirty_gfn *e =
			&vcpu->dirty_gfns[vcpu->dirty_ring_next & (vcpu->dirty_ring_entries - 1)];
		uint32_t flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);

		if (!(flags & KVM_DIRTY_GFN_F_DIRTY))
			break;
		out[n].slot = e->slot;
		out[n].offset = e->offset;
		/* Hand the entry back to KVM (collected by KVM_RESET_DIRTY_RINGS). */
		__atomic_store_n(&e->flags, KVM_DIRTY_GFN_F_RESET, __ATOMIC_RELEASE);
		vcpu->dirty_ring_next++;
		n++;
	}
	return (int)n;
}
