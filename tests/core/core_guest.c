/* SPDX-License-Identifier: MIT */
#include "core_guest.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

void core_guest_memory(struct t_guest *g)
{
	t_guest_create_vm(g);
	t_guest_add_memory(g, T_MIN_MEM, 0);
}

struct ckvm_vcpu *core_guest_vcpu(struct t_guest *g)
{
	t_guest_load_code(g, core_rw);
	return t_guest_add_vcpu(g, T_MODE_LONG64, T_CODE_GPA);
}

struct ckvm_vcpu *core_guest(struct t_guest *g)
{
	t_watchdog(30);
	core_guest_memory(g);
	return core_guest_vcpu(g);
}

enum t_ucall core_cmd(struct t_guest *g, struct ckvm_vcpu *v, enum core_op op,
		      uint64_t addr, uint64_t value, struct ckvm_exit *exit, uint64_t *result)
{
	uint64_t *mb = t_gpa(g, T_DATA_GPA, 24);

	mb[0] = op;
	mb[1] = addr;
	mb[2] = value;
	return t_run_ucall(g, v, exit, result);
}

uint64_t core_do(struct t_guest *g, struct ckvm_vcpu *v, enum core_op op, uint64_t addr,
		 uint64_t value)
{
	struct ckvm_exit e;
	uint64_t r = 0;
	enum t_ucall u = core_cmd(g, v, op, addr, value, &e, &r);

	if (u != T_UCALL_REPORT)
		fail_msg("op %d addr %#llx: expected a REPORT, got ucall %d (%s)", (int)op,
			 (unsigned long long)addr, (int)u, u == T_UCALL_NONE ? t_exit_str(&e) : "-");
	return r;
}

void core_expect_exit(struct t_guest *g, struct ckvm_vcpu *v, enum core_op op, uint64_t addr,
		      uint64_t value, enum ckvm_exit_kind kind, struct ckvm_exit *exit)
{
	uint64_t r = 0;
	enum t_ucall u = core_cmd(g, v, op, addr, value, exit, &r);

	if (u != T_UCALL_NONE || exit->kind != kind)
		fail_msg("op %d addr %#llx: expected exit %s, got ucall %d value %#llx (%s)",
			 (int)op, (unsigned long long)addr, ckvm_exit_kind_name(kind), (int)u,
			 (unsigned long long)r, u == T_UCALL_NONE ? t_exit_str(exit) : "-");
}

void *core_map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		fail_msg("mmap %zu: %s", len, strerror(errno));
	return p;
}

void core_unmap(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}

int core_slot(struct ckvm_vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa, void *hva,
	      uint64_t size)
{
	struct kvm_userspace_memory_region r;

	memset(&r, 0, sizeof(r));
	r.slot = slot;
	r.flags = flags;
	r.guest_phys_addr = gpa;
	r.memory_size = size;
	r.userspace_addr = (uint64_t)(uintptr_t)hva;
	return ckvm_vm_set_user_memory_region(vm, &r);
}

int core_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (fd < 0)
		fail_msg("eventfd: %s", strerror(errno));
	return fd;
}

uint64_t core_eventfd_read(int efd)
{
	uint64_t v = 0;

	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}
