/* SPDX-License-Identifier: MIT */
/*
 * ckvm/vcpu.h - struct ckvm_vcpu: running guest code and the state every
 * architecture shares. Register and state calls specific to one
 * architecture are in ckvm/x86_64.h, ckvm/arm64.h and ckvm/riscv64.h.
 *
 * Thread rules: a vCPU is driven by ONE thread at a time (KVM_RUN and every
 * other vCPU ioctl, and all access to its kvm_run page). The exceptions,
 * callable from any thread or from a signal handler, are
 * ckvm_vcpu_set_immediate_exit() and ckvm_vcpu_kick().
 *
 * The kick pattern (no lost wakeup):
 *   1. The vCPU thread installs, once, a handler for a signal of the
 *      application's choice (e.g. SIGRTMIN+1 or SIGUSR1), without
 *      SA_RESTART. The handler may be empty. ckvm never installs handlers.
 *   2. The vCPU thread calls ckvm_vcpu_set_kick_signal(vcpu, signo).
 *   3. Any thread calls ckvm_vcpu_kick(vcpu): it stores immediate_exit = 1
 *      with release ordering, then pthread_kill()s the vCPU thread. If the
 *      thread is in the guest the signal forces an exit; if it is about to
 *      enter, immediate_exit makes KVM_RUN return at once. Either way
 *      ckvm_vcpu_run() returns -EINTR with exit->kind CKVM_EXIT_INTERRUPTED
 *      and exit->interrupted.immediate_exit true (a signal alone gives
 *      false), and clears immediate_exit before returning. Kicks coalesce:
 *      several kicks before the vCPU returns give one CKVM_EXIT_INTERRUPTED.
 *   Alternatively block the signal in the vCPU thread and let KVM unblock it
 *   only while in the guest with ckvm_vcpu_set_signal_mask(). Then the
 *   signal stays pending after KVM_RUN returns -EINTR (it is blocked again in
 *   the thread), so consume it, e.g. with sigtimedwait() and a zero timeout,
 *   or the next KVM_RUN returns -EINTR at once.
 *   tests/vcpu/test_kick.c exercises both variants.
 */
#ifndef CKVM_VCPU_H
#define CKVM_VCPU_H

#include <ckvm/common.h>
#include <ckvm/exit.h>
#include <signal.h>

CKVM_BEGIN_DECLS

/*
 * Adopt a vCPU fd (maps its kvm_run with the VM's mmap size, and its dirty
 * ring when the VM has one); owns fd on success and sets FD_CLOEXEC on it;
 * on failure the caller keeps it. The id of an adopted vCPU is unknown:
 * ckvm_vcpu_id() returns (unsigned long)-1. -EBADF for a negative fd, the
 * mmap's errno (e.g. -ENODEV) for an fd that is not a vCPU.
 * Thread rules: any thread; the handle then follows the rules above.
 */
CKVM_API int ckvm_vcpu_from_fd(struct ckvm_vm *vm, int fd, struct ckvm_vcpu **out);
/*
 * Unmap kvm_run and the rings, close the fd. NULL ok. The vCPU must not be
 * running, and no other thread may kick it any more.
 */
CKVM_API void ckvm_vcpu_close(struct ckvm_vcpu *vcpu);
CKVM_API int ckvm_vcpu_fd(const struct ckvm_vcpu *vcpu);
CKVM_API unsigned long ckvm_vcpu_id(const struct ckvm_vcpu *vcpu);
/* The mapped struct kvm_run (valid until ckvm_vcpu_close). */
CKVM_API struct kvm_run *ckvm_vcpu_run_struct(struct ckvm_vcpu *vcpu);
CKVM_API size_t ckvm_vcpu_run_size(const struct ckvm_vcpu *vcpu);

/*
 * KVM_RUN, then decode the exit into *exit (exit may be NULL to skip
 * decoding). Returns 0 when the guest exited (see exit->kind), -EINTR when
 * the run was interrupted (exit->kind = CKVM_EXIT_INTERRUPTED,
 * exit->interrupted.immediate_exit says whether a kick did it; immediate_exit
 * has been cleared), 0 with CKVM_EXIT_MEMORY_FAULT when KVM_RUN failed with
 * EFAULT/EHWPOISON and filled a memory-fault exit, -EINVAL (kind
 * CKVM_EXIT_OTHER) for an exit whose sizes or offsets are out of range, or
 * another -errno (-EAGAIN, a plain -EFAULT, ...) as KVM_RUN gave it.
 * (*exit is not written for those.)
 * -EAGAIN on x86 (no exit to handle): an AP
 * that was waiting for INIT/SIPI (mp_state KVM_MP_STATE_UNINITIALIZED, as
 * KVM creates every non-boot vCPU with the in-kernel irqchip) blocks in
 * KVM_RUN until an INIT or start-up IPI arrives, then KVM_RUN returns
 * -EAGAIN with the new state (INIT_RECEIVED, or RUNNABLE at the SIPI
 * vector): simply call ckvm_vcpu_run() again; the next run executes the
 * start-up code (or waits for the SIPI).
 * Costs one ioctl and no copy of kvm_run. Thread rules: the vCPU's thread.
 */
CKVM_API int ckvm_vcpu_run(struct ckvm_vcpu *vcpu, struct ckvm_exit *exit);

/*
 * Store v into kvm_run.immediate_exit (atomic, release). Async-signal-safe;
 * callable from any thread (an exception to the rules above). Needs
 * KVM_CAP_IMMEDIATE_EXIT.
 */
CKVM_API void ckvm_vcpu_set_immediate_exit(struct ckvm_vcpu *vcpu, bool v);
/*
 * Record the calling thread as this vCPU's thread and signo as its kick
 * signal (signo 0: kicks only set immediate_exit). Call from the vCPU thread,
 * and call it again with signo 0 before that thread exits (a kick must never
 * pthread_kill() a thread that is gone). -EINVAL for signo outside 0..NSIG-1.
 */
CKVM_API int ckvm_vcpu_set_kick_signal(struct ckvm_vcpu *vcpu, int signo);
/*
 * Make a running or about-to-run vCPU return promptly from ckvm_vcpu_run()
 * with -EINTR. Callable from any thread and async-signal-safe (an exception
 * to the rules above). Returns 0 or -errno from pthread_kill.
 */
CKVM_API int ckvm_vcpu_kick(struct ckvm_vcpu *vcpu);
/*
 * Finish a pending I/O or MMIO instruction without running further guest
 * code (KVM_RUN with immediate_exit set), e.g. before saving state.
 * A kick that was pending before the call stays pending. Returns 0 when
 * done; 1 when finishing the instruction needed another exit (the next
 * chunk of string I/O, the second half of a split MMIO access...): that
 * exit is in kvm_run (decode it with ckvm_exit_decode(run, size, 0, ...)),
 * handle it like any exit and call again until 0; or -errno.
 */
CKVM_API int ckvm_vcpu_complete_io(struct ckvm_vcpu *vcpu);
/*
 * KVM_SET_SIGNAL_MASK: the signal mask in effect while the vCPU is in the
 * guest. mask NULL removes it (the thread's mask applies).
 */
CKVM_API int ckvm_vcpu_set_signal_mask(struct ckvm_vcpu *vcpu, const sigset_t *mask);

/*
 * Every call below is a vCPU ioctl: the vCPU's thread only (see the top).
 * On x86_64 with sync regs in use, a register write still pending in the
 * run page (see ckvm/x86_64.h) is applied before any of them, so they see
 * it; an error applying it is returned by the call.
 */

/* KVM_GET/SET_MP_STATE. */
CKVM_API int ckvm_vcpu_get_mp_state(struct ckvm_vcpu *vcpu, struct kvm_mp_state *mp);
CKVM_API int ckvm_vcpu_set_mp_state(struct ckvm_vcpu *vcpu, const struct kvm_mp_state *mp);
/* KVM_ENABLE_CAP on the vCPU fd. */
CKVM_API int ckvm_vcpu_enable_cap(struct ckvm_vcpu *vcpu, const struct kvm_enable_cap *cap);
/* KVM_CHECK_EXTENSION is not a vCPU ioctl; see ckvm_vm_check_extension. */

/*
 * KVM_GET/SET_ONE_REG. len must be at least the size encoded in id
 * (ckvm_reg_size(id)), else -EINVAL. Returns the register size.
 */
CKVM_API int ckvm_vcpu_get_one_reg(struct ckvm_vcpu *vcpu, uint64_t id, void *val, size_t len);
CKVM_API int ckvm_vcpu_set_one_reg(struct ckvm_vcpu *vcpu, uint64_t id, const void *val, size_t len);
/* Size in bytes of a ONE_REG register from its id. */
CKVM_INLINE size_t ckvm_reg_size(uint64_t id)
{
	return (size_t)1 << ((id & KVM_REG_SIZE_MASK) >> KVM_REG_SIZE_SHIFT);
}
/*
 * KVM_GET_REG_LIST (arm64, riscv64). *list may be NULL (a list is
 * allocated) or a list from ckvm_reg_list_alloc(); it grows on E2BIG (and
 * may move). On success *list holds the ids (n = count); free it with
 * ckvm_reg_list_free(). On failure a list allocated here is freed and *list
 * is left unchanged; a caller's list stays the caller's, with n = 0.
 * Errors: -ENOEXEC before vCPU init (arm64), -E2BIG above CKVM_MAX_REG_LIST.
 */
CKVM_API int ckvm_vcpu_get_reg_list(struct ckvm_vcpu *vcpu, struct kvm_reg_list **list);

/* Device attributes on the vCPU fd (arm64 PMU/timer, ...). */
CKVM_API int ckvm_vcpu_set_device_attr(struct ckvm_vcpu *vcpu, const struct kvm_device_attr *attr);
CKVM_API int ckvm_vcpu_get_device_attr(struct ckvm_vcpu *vcpu, struct kvm_device_attr *attr);
CKVM_API int ckvm_vcpu_has_device_attr(struct ckvm_vcpu *vcpu, const struct kvm_device_attr *attr);

/* KVM_SET_GUEST_DEBUG (x86_64, arm64): single-step and hardware breakpoints. */
CKVM_API int ckvm_vcpu_set_guest_debug(struct ckvm_vcpu *vcpu, const struct kvm_guest_debug *dbg);

/* KVM_PRE_FAULT_MEMORY (KVM_CAP_PRE_FAULT_MEMORY): bytes pre-faulted (> 0) or -errno. */
CKVM_API int64_t ckvm_vcpu_pre_fault_memory(struct ckvm_vcpu *vcpu, uint64_t gpa,
					    uint64_t size);

/* KVM_GET_STATS_FD on the vCPU: a new fd, FD_CLOEXEC, caller owns (readable from any thread). */
CKVM_API int ckvm_vcpu_get_stats_fd(struct ckvm_vcpu *vcpu);

/* ---- coalesced MMIO ring ------------------------------------------------ */
/*
 * Map the coalesced MMIO ring of this vCPU's VM (idempotent); -ENODEV without the cap.
 * The ring is one per VM, reached through any of its vCPUs: consume it from
 * one thread at a time (through whichever vCPU), e.g. the thread that
 * handles the device, or under the VMM's lock.
 */
CKVM_API int ckvm_vcpu_map_coalesced_mmio_ring(struct ckvm_vcpu *vcpu);
/*
 * Pop one entry (acquire load of the producer index, release store of the
 * consumer index). Returns 1 with *entry filled, 0 when empty, -EIO when the
 * ring is not mapped (or its indices are out of range). Safe while vCPUs
 * run (KVM is the producer); one consumer at a time per VM (see above).
 */
CKVM_API int ckvm_vcpu_coalesced_mmio_read(struct ckvm_vcpu *vcpu,
					   struct kvm_coalesced_mmio *entry);

/* ---- dirty ring ------------------------------------------------------------ */
struct ckvm_dirty_page {
	uint32_t slot;   /* as_id << 16 | slot id */
	uint64_t offset; /* page index within the slot */
};
/*
 * Harvest up to max dirty entries from this vCPU's ring into out: each
 * entry is read after an acquire load of its flags and then marked for
 * reset with a release store. Returns the number harvested (0 when none),
 * -ENODEV when the VM has no dirty ring. Call ckvm_vm_reset_dirty_rings()
 * afterwards to re-protect the pages. Thread rules: one harvester at a time
 * per vCPU, any thread, also while the vCPU runs.
 */
CKVM_API int ckvm_vcpu_dirty_ring_harvest(struct ckvm_vcpu *vcpu,
					  struct ckvm_dirty_page *out, size_t max);

/*
 * Generic escape hatch: ioctl on the vCPU fd; result or -errno. ckvm treats
 * it as reading and changing vCPU state (sync regs: a pending run-page write
 * is applied first, the run page's copies are not trusted afterwards).
 * Never use it for KVM_RUN: use ckvm_vcpu_run().
 */
CKVM_API int ckvm_vcpu_ioctl(struct ckvm_vcpu *vcpu, unsigned long request, void *arg);

CKVM_END_DECLS

#endif
