/* SPDX-License-Identifier: MIT */
/*
 * vcpu.c - vCPUs: creation, one thread each, and the KVM_RUN loop.
 *
 * Thread rules (from ckvm/vcpu.h): a vCPU is driven by one thread at a
 * time. The main thread creates and configures every vCPU before any
 * thread starts; from then on only the vCPU's own thread touches it, except
 * for ckvm_vcpu_kick(), which any thread may call. vCPU 0 runs on the main
 * thread itself, the others on one thread each.
 *
 * Stopping: whoever ends the VM calls vmm_stop(), which kicks every vCPU
 * (immediate_exit + KICK_SIGNAL), so each returns from ckvm_vcpu_run()
 * with -EINTR, sees vmm_stopping() and leaves its loop.
 *
 * Halt detection: with the in-kernel irqchip, HLT never exits to us; KVM
 * blocks the vCPU until an interrupt. When all vCPUs look blocked, the
 * monitor thread (main.c) asks each for its state (a "probe": bump probe_gen, kick).
 * The vCPU thread answers from KVM_GET_MP_STATE and RFLAGS.IF: a vCPU
 * halted with interrupts off can only be woken by an NMI or INIT, which
 * nothing here sends, so once every vCPU is halted that way (or is an AP
 * still waiting for its start-up IPI) the guest has stopped for good.
 */
#include "vmm.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RFLAGS_IF (1ull << 9)

/* CPUID as the supported set, with this vCPU's APIC ID filled in. */
static int vcpu_set_cpuid(struct vmm *vmm, struct vcpu *v)
{
	struct kvm_cpuid2 *c;
	int err = ckvm_cpuid2_dup(vmm->cpuid, &c);

	if (err < 0)
		return err;
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];
		switch (e->function) {
		case 1: /* initial APIC ID in EBX[31:24]; "running under a hypervisor" */
			e->ebx = (e->ebx & 0x00ffffffu) | ((uint32_t)v->id << 24);
			e->ecx |= 1u << 31;
			break;
		case 0xb: /* x2APIC topology leaves: EDX = x2APIC ID */
		case 0x1f:
			e->edx = (uint32_t)v->id;
			break;
		}
	}
	err = ckvm_vcpu_set_cpuid2(v->vcpu, c);
	ckvm_cpuid2_free(c);
	return err;
}

/* The boot vCPU starts where the loader said; the others wait for INIT/SIPI. */
static int vcpu_set_boot_state(struct vmm *vmm, struct vcpu *v)
{
	struct kvm_sregs s;
	struct kvm_regs r;
	uint64_t rip = vmm->plan.rip;
	int err = ckvm_vcpu_get_sregs(v->vcpu, &s);

	if (err < 0)
		return err;
	err = x86_setup_sregs(&s, vmm->plan.mode, &rip);
	if (err < 0)
		return err;
	err = ckvm_vcpu_set_sregs(v->vcpu, &s);
	if (err < 0)
		return err;
	memset(&r, 0, sizeof(r));
	r.rflags = 0x2; /* bit 1 is always set; IF clear */
	r.rip = rip;
	r.rsp = vmm->plan.rsp;
	r.rax = vmm->plan.rax;
	r.rbx = vmm->plan.rbx;
	r.rsi = vmm->plan.rsi;
	return ckvm_vcpu_set_regs(v->vcpu, &r);
}

static void vcpu_open_stats(struct vcpu *v)
{
	int fd = ckvm_vcpu_get_stats_fd(v->vcpu);

	v->stat_blocking = -1;
	v->stats_fd = fd;
	if (fd < 0)
		return;
	if (ckvm_stats_open(fd, &v->stats) < 0) {
		v->stats = NULL;
		return;
	}
	v->stat_blocking = ckvm_stats_find(v->stats, "blocking");
}

int vcpus_create(struct vmm *vmm)
{
	vmm->vcpus = calloc((size_t)vmm->ncpus, sizeof(*vmm->vcpus));
	if (!vmm->vcpus)
		return -ENOMEM;
	for (int i = 0; i < vmm->ncpus; i++) {
		struct vcpu *v = &vmm->vcpus[i];
		v->vmm = vmm;
		v->id = i;
		v->stats_fd = -1;
		int err = ckvm_vm_create_vcpu(vmm->vm, (unsigned long)i, &v->vcpu);
		if (err < 0) {
			errmsg("vCPU %d: KVM_CREATE_VCPU: %s", i, strerror(-err));
			return err;
		}
		err = vcpu_set_cpuid(vmm, v);
		if (err < 0) {
			errmsg("vCPU %d: KVM_SET_CPUID2: %s", i, strerror(-err));
			return err;
		}
		if (i == 0 && (err = vcpu_set_boot_state(vmm, v)) < 0) {
			errmsg("vCPU 0: setting the entry state: %s", strerror(-err));
			return err;
		}
		vcpu_open_stats(v);
	}
	return 0;
}

bool vcpu_is_blocked(struct vcpu *v)
{
	uint64_t val;

	if (!v->stats || v->stat_blocking < 0 ||
	    ckvm_stats_read(v->stats, (size_t)v->stat_blocking, &val, 1) < 1)
		return true; /* unknown: let the probe find out */
	return val != 0;
}

/* ---- diagnostics ------------------------------------------------------- */
static void dump_segment(const char *name, const struct kvm_segment *s)
{
	fprintf(stderr, "  %-3s sel 0x%04x base 0x%016llx limit 0x%08x type 0x%x%s%s dpl %u\n",
		name, s->selector, (unsigned long long)s->base, s->limit, s->type,
		s->l ? " L" : "", s->db ? " DB" : "", s->dpl);
}

/* Print the vCPU's registers (call from its own thread, vmm->lock held). */
static void dump_registers(struct vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ckvm_vcpu_get_regs(v->vcpu, &r) < 0 || ckvm_vcpu_get_sregs(v->vcpu, &s) < 0) {
		fprintf(stderr, "  (registers unavailable)\n");
		return;
	}
#define R(x) (unsigned long long)(x)
	fprintf(stderr,
		"  rip 0x%016llx rflags 0x%08llx\n"
		"  rax 0x%016llx rbx 0x%016llx rcx 0x%016llx rdx 0x%016llx\n"
		"  rsi 0x%016llx rdi 0x%016llx rbp 0x%016llx rsp 0x%016llx\n"
		"  r8  0x%016llx r9  0x%016llx r10 0x%016llx r11 0x%016llx\n"
		"  r12 0x%016llx r13 0x%016llx r14 0x%016llx r15 0x%016llx\n",
		R(r.rip), R(r.rflags), R(r.rax), R(r.rbx), R(r.rcx), R(r.rdx),
		R(r.rsi), R(r.rdi), R(r.rbp), R(r.rsp), R(r.r8), R(r.r9), R(r.r10), R(r.r11),
		R(r.r12), R(r.r13), R(r.r14), R(r.r15));
	dump_segment("cs", &s.cs);
	dump_segment("ss", &s.ss);
	dump_segment("ds", &s.ds);
	dump_segment("tr", &s.tr);
	fprintf(stderr,
		"  cr0 0x%08llx cr2 0x%016llx cr3 0x%016llx cr4 0x%08llx efer 0x%llx\n"
		"  gdt 0x%llx/0x%x idt 0x%llx/0x%x\n",
		R(s.cr0), R(s.cr2), R(s.cr3), R(s.cr4), R(s.efer),
		R(s.gdt.base), s.gdt.limit, R(s.idt.base), s.idt.limit);
#undef R
}

/* A guest fault: print what happened and the registers, end the VM. */
static void guest_fault(struct vcpu *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void guest_fault(struct vcpu *v, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&v->vmm->lock);
	fprintf(stderr, PROGRAM_NAME ": vCPU %d: %s\n", v->id, what);
	dump_registers(v);
	pthread_mutex_unlock(&v->vmm->lock);
	vmm_stop(v->vmm, EXIT_FAULT, "guest fault on vCPU %d: %s", v->id, what);
}

static const char *internal_error_name(uint32_t sub)
{
	switch (sub) {
	case KVM_INTERNAL_ERROR_EMULATION: return "instruction emulation failed";
	case KVM_INTERNAL_ERROR_SIMUL_EX: return "exception while delivering an exception";
	case KVM_INTERNAL_ERROR_DELIVERY_EV: return "event delivery failed";
	case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON: return "unexpected exit reason";
	default: return "unknown suberror";
	}
}

/* ---- the halt probe ---------------------------------------------------- */
static void vcpu_answer_probe(struct vcpu *v)
{
	struct vmm *vmm = v->vmm;
	unsigned gen = atomic_load(&vmm->probe_gen);
	struct kvm_mp_state mp;
	struct kvm_regs r;
	int state = VCPU_RUNNING;

	if (atomic_load(&v->probe_done) == gen)
		return;
	if (ckvm_vcpu_get_mp_state(v->vcpu, &mp) == 0) {
		if (mp.mp_state == KVM_MP_STATE_HALTED)
			state = ckvm_vcpu_get_regs(v->vcpu, &r) == 0 && !(r.rflags & RFLAGS_IF) ?
				VCPU_DEAD_HALT : VCPU_IDLE;
		else if (mp.mp_state == KVM_MP_STATE_UNINITIALIZED ||
			 mp.mp_state == KVM_MP_STATE_INIT_RECEIVED)
			state = VCPU_PARKED;
	}
	atomic_store(&v->state, state);
	atomic_store(&v->probe_done, gen);
	uint64_t one = 1;
	if (write(vmm->wake_fd, &one, sizeof(one)) < 0) {
		/* the counter cannot overflow in practice; nothing to do */
	}
}

/* ---- the run loop ------------------------------------------------------ */
/* Handle one exit; false ends this vCPU's thread. */
static bool vcpu_handle_exit(struct vcpu *v, struct ckvm_exit *ex)
{
	struct vmm *vmm = v->vmm;

	switch (ex->kind) {
	case CKVM_EXIT_IO_IN:
	case CKVM_EXIT_IO_OUT:
		iobus_dispatch(&vmm->io, ex->io.port, ex->kind == CKVM_EXIT_IO_OUT,
			       ex->io.data, ex->io.size, ex->io.count);
		return true;
	case CKVM_EXIT_MMIO_READ: /* nothing is mapped there: reads return 0 */
		memset(ex->mmio.data, 0, ex->mmio.len);
		return true;
	case CKVM_EXIT_MMIO_WRITE:
	case CKVM_EXIT_INTR:
	case CKVM_EXIT_IRQ_WINDOW_OPEN:
		return true;
	case CKVM_EXIT_HLT: { /* only without an in-kernel irqchip */
		struct kvm_regs r;
		if (ckvm_vcpu_get_regs(v->vcpu, &r) == 0 && !(r.rflags & RFLAGS_IF)) {
			vmm_stop(vmm, EXIT_OK, "vCPU %d halted with interrupts disabled", v->id);
			return false;
		}
		return true;
	}
	case CKVM_EXIT_SHUTDOWN:
		guest_fault(v, "triple fault (KVM_EXIT_SHUTDOWN)");
		return false;
	case CKVM_EXIT_FAIL_ENTRY:
		guest_fault(v, "VM entry failed (hardware reason 0x%" PRIx64 ", host CPU %u)",
			    ex->fail_entry.hardware_entry_failure_reason, ex->fail_entry.cpu);
		return false;
	case CKVM_EXIT_INTERNAL_ERROR: {
		char data[120] = "";
		size_t off = 0;
		for (uint32_t i = 0; i < ex->internal.ndata && off < sizeof(data) - 20; i++)
			off += (size_t)snprintf(data + off, sizeof(data) - off, " 0x%" PRIx64,
						ex->internal.data[i]);
		guest_fault(v, "KVM internal error %u: %s%s%s", ex->internal.suberror,
			    internal_error_name(ex->internal.suberror), off ? "; data" : "", data);
		return false;
	}
	case CKVM_EXIT_SYSTEM_EVENT:
		switch (ex->system_event.type) {
		case KVM_SYSTEM_EVENT_SHUTDOWN:
			vmm_stop(vmm, EXIT_OK, "guest powered off");
			return false;
		case KVM_SYSTEM_EVENT_RESET:
			vmm_stop(vmm, EXIT_OK, "guest requested a reset");
			return false;
		default:
			guest_fault(v, "system event %u (crash)", ex->system_event.type);
			return false;
		}
	case CKVM_EXIT_MEMORY_FAULT:
		guest_fault(v, "memory fault at guest-physical 0x%" PRIx64 " (+0x%" PRIx64 ")",
			    ex->memory_fault.gpa, ex->memory_fault.size);
		return false;
	default: {
		const char *name = ckvm_exit_reason_name(ex->reason);
		guest_fault(v, "unexpected exit %s (%u)", name ? name : "?", ex->reason);
		return false;
	}
	}
}

void vcpu_loop(struct vcpu *v)
{
	struct vmm *vmm = v->vmm;

	while (!vmm_stopping(vmm)) {
		struct ckvm_exit ex;
		int r = ckvm_vcpu_run(v->vcpu, &ex);
		/*
		 * THR writes the guest made since the last exit may wait in
		 * KVM's coalesced ring (dev_uart.c): apply them first, so the
		 * UART sees its accesses in the order the guest made them.
		 */
		uart_flush(vmm->uart);
		if (r == -EINTR) { /* kicked: stop request, halt probe, monitor due */
			v->exits[CKVM_EXIT_INTERRUPTED]++;
			if (v->id == 0)
				monitor_start(vmm);
			vcpu_answer_probe(v);
			continue;
		}
		if (r == -EAGAIN) {
			/*
			 * An AP waiting for INIT/SIPI (KVM_MP_STATE_UNINITIALIZED)
			 * returns this once an event has arrived: run again.
			 */
			continue;
		}
		if (r < 0) {
			vmm_stop(vmm, EXIT_HOST, "vCPU %d: KVM_RUN failed: %s", v->id,
				 strerror(-r));
			break;
		}
		if ((unsigned)ex.kind < CKVM_EXIT_KIND_COUNT)
			v->exits[ex.kind]++;
		if (!vcpu_handle_exit(v, &ex))
			break;
	}
}

int vcpu_claim_thread(struct vcpu *v)
{
	int err = ckvm_vcpu_set_kick_signal(v->vcpu, KICK_SIGNAL);

	if (err < 0)
		errmsg("vCPU %d: cannot set its kick signal: %s", v->id, strerror(-err));
	return err;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;

	if (vcpu_claim_thread(v) < 0)
		vmm_stop(v->vmm, EXIT_HOST, "vCPU %d: no kick signal", v->id);
	else
		vcpu_loop(v);
	return NULL;
}

/*
 * Threads for vCPUs 1..n-1; vCPU 0 runs on the main thread. No need to wait
 * for them to start: a kick before a thread has claimed its vCPU still sets
 * immediate_exit, so its first KVM_RUN returns at once.
 */
int vcpus_start(struct vmm *vmm)
{
	for (int i = 1; i < vmm->ncpus; i++) {
		struct vcpu *v = &vmm->vcpus[i];
		int err = pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (err) {
			vmm_stop(vmm, EXIT_HOST, "cannot start the thread of vCPU %d: %s", i,
				 strerror(err));
			return -err;
		}
		v->thread_started = true;
	}
	return 0;
}

void vcpus_kick_all(struct vmm *vmm)
{
	if (!vmm->vcpus)
		return;
	for (int i = 0; i < vmm->ncpus; i++)
		if (vmm->vcpus[i].vcpu)
			ckvm_vcpu_kick(vmm->vcpus[i].vcpu);
}

void vcpus_join(struct vmm *vmm)
{
	for (int i = 0; i < vmm->ncpus; i++) {
		if (!vmm->vcpus[i].thread_started)
			continue;
		pthread_join(vmm->vcpus[i].thread, NULL);
		vmm->vcpus[i].thread_started = false;
	}
}

void vcpus_destroy(struct vmm *vmm)
{
	if (!vmm->vcpus)
		return;
	for (int i = 0; i < vmm->ncpus; i++) {
		struct vcpu *v = &vmm->vcpus[i];
		ckvm_stats_close(v->stats);
		if (v->stats_fd >= 0)
			close(v->stats_fd);
		ckvm_vcpu_close(v->vcpu);
	}
	free(vmm->vcpus);
	vmm->vcpus = NULL;
}
