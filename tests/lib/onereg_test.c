/* SPDX-License-Identifier: MIT */
/* onereg_test.c - helpers for the arm64 and riscv64 tests, see onereg_test.h. */
#include "onereg_test.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ======================= tiny-guest plumbing ============================== */
struct ckvm_vm *t_guest_vm(struct ckvm **kvm)
{
	struct ckvm_vm *vm = NULL;

	*kvm = t_require_kvm();
	t_watchdog(30);
	t_assert_ok(ckvm_create_vm(*kvm, &vm));
	return vm;
}

uint8_t *t_guest_ram(struct ckvm_vm *vm, uint64_t gpa, uint64_t size, uint32_t slot_flags,
		     size_t *mapped)
{
	struct kvm_userspace_memory_region region;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *p;

	*mapped = ((size_t)size + page - 1) & ~(page - 1);
	p = mmap(NULL, *mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		fail_msg("mmap guest RAM: %s", strerror(errno));
	memset(&region, 0, sizeof(region));
	region.slot = 0;
	region.flags = slot_flags;
	region.guest_phys_addr = gpa;
	region.memory_size = *mapped;
	region.userspace_addr = (uint64_t)(uintptr_t)p;
	t_assert_ok(ckvm_vm_set_user_memory_region(vm, &region));
	return p;
}

void *t_guest_ram_at(uint8_t *mem, size_t mem_size, uint64_t ram_gpa, uint64_t gpa, size_t len)
{
	if (gpa < ram_gpa || gpa - ram_gpa > mem_size || len > mem_size - (gpa - ram_gpa))
		fail_msg("GPA 0x%llx+%zu outside guest RAM", (unsigned long long)gpa, len);
	return mem + (gpa - ram_gpa);
}

void t_guest_close(struct ckvm *kvm, struct ckvm_vm *vm, struct ckvm_vcpu *vcpu, uint8_t *mem,
		   size_t mem_size)
{
	ckvm_vcpu_close(vcpu);
	ckvm_vm_close(vm);
	ckvm_close(kvm);
	if (mem)
		munmap(mem, mem_size);
	t_watchdog(0);
}

void t_set_reg64(struct ckvm_vcpu *vcpu, uint64_t id, uint64_t val)
{
	t_assert_ok(ckvm_vcpu_set_one_reg(vcpu, id, &val, sizeof(val)));
}

uint64_t t_get_reg64(struct ckvm_vcpu *vcpu, uint64_t id)
{
	uint64_t val = 0;

	t_assert_ok(ckvm_vcpu_get_one_reg(vcpu, id, &val, sizeof(val)));
	return val;
}

struct ckvm_exit t_run_expect(struct ckvm_vcpu *vcpu, enum ckvm_exit_kind kind, uint64_t pc_id)
{
	struct ckvm_exit e;

	memset(&e, 0, sizeof(e));
	t_assert_ok(ckvm_vcpu_run(vcpu, &e));
	if (e.kind != kind)
		fail_msg("exit %s (reason %u), expected %s; pc 0x%llx", ckvm_exit_kind_name(e.kind),
			 e.reason, ckvm_exit_kind_name(kind),
			 (unsigned long long)t_get_reg64(vcpu, pc_id));
	return e;
}

/* ======================= register names =================================== */
void t_check_reg_name(int (*name)(uint64_t id, char *buf, size_t len), uint64_t id,
		      const char *want)
{
	char buf[64];
	int n = name(id, buf, sizeof(buf));

	if (n < 0)
		fail_msg("name of 0x%llx = %d", (unsigned long long)id, n);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

/* ======================= KVM-generic checks =============================== */
void t_check_memory_slots(struct ckvm_vm *vm, uint64_t ram_gpa, uint64_t free_gpa)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct kvm_userspace_memory_region r;
	struct kvm_userspace_memory_region2 r2;
	uint8_t *extra;

	extra = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(extra != MAP_FAILED);
	memset(&r, 0, sizeof(r));
	r.slot = 1;
	r.guest_phys_addr = free_gpa;
	r.memory_size = page;
	r.userspace_addr = (uint64_t)(uintptr_t)extra;
	t_assert_ok(ckvm_vm_set_user_memory_region(vm, &r));
	/* overlapping slot 0 is refused */
	r.slot = 2;
	r.guest_phys_addr = ram_gpa;
	t_assert_err(ckvm_vm_set_user_memory_region(vm, &r), EEXIST);
	/* move slot 1, then delete it */
	r.slot = 1;
	r.guest_phys_addr = free_gpa + 0x10000000;
	t_assert_ok(ckvm_vm_set_user_memory_region(vm, &r));
	r.memory_size = 0;
	t_assert_ok(ckvm_vm_set_user_memory_region(vm, &r));
	memset(&r2, 0, sizeof(r2));
	if (ckvm_vm_check_extension(vm, KVM_CAP_USER_MEMORY2) > 0) {
		r2.slot = 3;
		r2.guest_phys_addr = free_gpa + 0x20000000;
		r2.memory_size = page;
		r2.userspace_addr = (uint64_t)(uintptr_t)extra;
		t_assert_ok(ckvm_vm_set_user_memory_region2(vm, &r2));
		r2.memory_size = 0;
		t_assert_ok(ckvm_vm_set_user_memory_region2(vm, &r2));
	} else {
		assert_true(ckvm_vm_set_user_memory_region2(vm, &r2) < 0);
	}
	munmap(extra, page);
}

void t_check_run_struct_and_stats(struct ckvm *kvm, struct ckvm_vm *vm, struct ckvm_vcpu *vcpu)
{
	int fd;

	assert_non_null(ckvm_vcpu_run_struct(vcpu));
	assert_int_equal(ckvm_vcpu_run_size(vcpu), (size_t)ckvm_get_vcpu_mmap_size(kvm));
	if (ckvm_check_extension(kvm, KVM_CAP_BINARY_STATS_FD) > 0) {
		fd = ckvm_vm_get_stats_fd(vm);
		t_assert_ok(fd);
		close(fd);
		fd = ckvm_vcpu_get_stats_fd(vcpu);
		t_assert_ok(fd);
		close(fd);
	}
}

void t_check_immediate_exit(struct ckvm_vcpu *vcpu, uint64_t pc_id, uint64_t code_gpa)
{
	struct ckvm_exit e;

	ckvm_vcpu_set_immediate_exit(vcpu, true);
	memset(&e, 0, sizeof(e));
	t_assert_err(ckvm_vcpu_run(vcpu, &e), EINTR);
	assert_int_equal(e.kind, CKVM_EXIT_INTERRUPTED);
	/* the guest did not run: the pc is unchanged */
	assert_int_equal(t_get_reg64(vcpu, pc_id), code_gpa);
}

unsigned t_dirty_pages(struct ckvm_vm *vm, uint32_t slot, size_t mem_size)
{
	uint64_t bitmap[64];
	size_t words = ckvm_dirty_log_words(mem_size), i;
	unsigned dirty = 0;

	assert_true(words <= sizeof(bitmap) / sizeof(bitmap[0]));
	memset(bitmap, 0, sizeof(bitmap));
	t_assert_ok(ckvm_vm_get_dirty_log(vm, slot, mem_size, bitmap, words));
	for (i = 0; i < words; i++)
		dirty += (unsigned)__builtin_popcountll(bitmap[i]);
	return dirty;
}

void t_check_coalesced_write(struct ckvm_vcpu *vcpu, uint64_t gpa, uint32_t value)
{
	struct kvm_coalesced_mmio ent;
	uint32_t v;

	assert_int_equal(ckvm_vcpu_coalesced_mmio_read(vcpu, &ent), 1);
	assert_int_equal(ent.phys_addr, gpa);
	assert_int_equal(ent.len, 4);
	memcpy(&v, ent.data, 4);
	assert_int_equal(v, value);
	assert_int_equal(ckvm_vcpu_coalesced_mmio_read(vcpu, &ent), 0);
}

void t_check_eventfd_once(int efd)
{
	uint64_t count = 0;

	assert_int_equal(read(efd, &count, sizeof(count)), sizeof(count));
	assert_int_equal(count, 1);
}

void t_check_reg_list(struct ckvm_vcpu *vcpu, int (*name)(uint64_t id, char *buf, size_t len),
		      uint64_t min_n, const uint64_t *must, size_t nmust)
{
	struct kvm_reg_list *list = NULL;
	size_t k, found = 0;
	uint64_t i;

	/* the helper grows on E2BIG itself */
	t_assert_ok(ckvm_vcpu_get_reg_list(vcpu, &list));
	assert_non_null(list);
	assert_true(list->n > min_n);
	assert_true(ckvm_reg_list_capacity(list) >= list->n);
	for (i = 0; i < list->n; i++) {
		uint64_t id = list->reg[i];
		uint8_t val[256];
		char buf[64];

		for (k = 0; k < nmust; k++)
			found += id == must[k];
		t_assert_ok(name(id, buf, sizeof(buf)));
		assert_true(ckvm_reg_size(id) <= sizeof(val));
		/* every listed register reads with exactly its size */
		assert_int_equal(ckvm_vcpu_get_one_reg(vcpu, id, val, ckvm_reg_size(id)),
				 ckvm_reg_size(id));
	}
	assert_int_equal(found, nmust);
	ckvm_reg_list_free(list);
}

void t_check_reg_list_e2big(struct ckvm_vcpu *vcpu)
{
	struct kvm_reg_list *small = NULL;
	uint64_t needed;

	t_assert_ok(ckvm_reg_list_alloc(1, &small));
	small->n = 1;
	t_assert_err(ckvm_vcpu_ioctl(vcpu, KVM_GET_REG_LIST, small), E2BIG);
	needed = small->n;
	assert_true(needed > 1);
	t_assert_ok(ckvm_reg_list_reserve(&small, needed));
	small->n = needed;
	t_assert_ok(ckvm_vcpu_ioctl(vcpu, KVM_GET_REG_LIST, small));
	assert_int_equal(small->n, needed);
	ckvm_reg_list_free(small);
}

void t_check_mp_state_stop(struct ckvm_vcpu *vcpu)
{
	struct kvm_mp_state mp;

	t_assert_ok(ckvm_vcpu_get_mp_state(vcpu, &mp));
	assert_int_equal(mp.mp_state, KVM_MP_STATE_RUNNABLE);
	mp.mp_state = KVM_MP_STATE_STOPPED;
	t_assert_ok(ckvm_vcpu_set_mp_state(vcpu, &mp));
	memset(&mp, 0, sizeof(mp));
	t_assert_ok(ckvm_vcpu_get_mp_state(vcpu, &mp));
	assert_int_equal(mp.mp_state, KVM_MP_STATE_STOPPED);
}

void t_compare_regs(struct ckvm_vcpu *a, struct ckvm_vcpu *b, bool (*ignore)(uint64_t id),
		    int (*name)(uint64_t id, char *buf, size_t len))
{
	struct kvm_reg_list *list = NULL;
	uint64_t i;

	t_assert_ok(ckvm_vcpu_get_reg_list(a, &list));
	for (i = 0; i < list->n; i++) {
		uint8_t va[256], vb[256];
		uint64_t id = list->reg[i];
		size_t sz = ckvm_reg_size(id);

		if (ignore(id) || sz > sizeof(va))
			continue;
		assert_int_equal(ckvm_vcpu_get_one_reg(a, id, va, sz), sz);
		assert_int_equal(ckvm_vcpu_get_one_reg(b, id, vb, sz), sz);
		if (memcmp(va, vb, sz) != 0) {
			char buf[64];

			name(id, buf, sizeof(buf));
			fail_msg("register %s differs after restore", buf);
		}
	}
	ckvm_reg_list_free(list);
}

/* ======================= synthetic snapshot blobs ========================= */
void t_put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

void t_put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

struct ckvm_snapshot_writer *t_snap_writer(uint32_t arch, uint32_t kind)
{
	struct ckvm_snapshot_writer *w = NULL;

	t_assert_ok(ckvm_snapshot_writer_create(arch, kind, 0, &w));
	return w;
}

int t_snap_validate(struct ckvm_snapshot_writer *w)
{
	void *blob = NULL;
	size_t len = 0;
	int r;

	t_assert_ok(ckvm_snapshot_writer_finish(w, &blob, &len));
	ckvm_snapshot_writer_free(w);
	r = ckvm_snapshot_validate(blob, len);
	ckvm_snapshot_free(blob);
	return r;
}

void t_snap_add_mp(struct ckvm_snapshot_writer *w, uint32_t state)
{
	struct kvm_mp_state mp = { .mp_state = state };

	t_assert_ok(ckvm_snapshot_writer_add(w, CKVM_SNAPSHOT_REC_MP_STATE, 0, &mp, sizeof(mp)));
}

size_t t_snap_attrs(uint8_t *p, const struct t_snap_attr *e, unsigned n)
{
	unsigned i;

	t_put64(p, n);
	for (i = 0; i < n; i++) {
		t_put32(p + 8 + 24 * i, e[i].group);
		t_put32(p + 8 + 24 * i + 4, e[i].size);
		t_put64(p + 8 + 24 * i + 8, e[i].attr);
		t_put64(p + 8 + 24 * i + 16, e[i].value);
	}
	return 8 + 24 * (size_t)n;
}

int t_snap_validate_vm(uint16_t cfg_type, const void *cfg, size_t cfg_len, uint16_t attrs_type,
		       const struct t_snap_attr *e, unsigned n)
{
	struct ckvm_snapshot_writer *w = t_snap_writer(0, CKVM_SNAPSHOT_KIND_VM);
	uint8_t list[8 + 24 * 8];

	if (cfg)
		t_assert_ok(ckvm_snapshot_writer_add(w, cfg_type, 0, cfg, cfg_len));
	if (n) {
		assert_true(n <= 8);
		t_assert_ok(ckvm_snapshot_writer_add(w, attrs_type, 0, list, t_snap_attrs(list, e, n)));
	}
	return t_snap_validate(w);
}

/* ======================= synthetic exits ================================== */
struct kvm_run *t_run_fresh(uint32_t reason)
{
	static uint8_t buf[T_RUN_BYTES] __attribute__((aligned(64)));

	memset(buf, 0xa5, sizeof(buf)); /* stale bytes everywhere */
	((struct kvm_run *)buf)->exit_reason = reason;
	return (struct kvm_run *)buf;
}

struct ckvm_exit t_exit_decode(struct kvm_run *run, enum ckvm_exit_kind want)
{
	struct ckvm_exit e;

	memset(&e, 0, sizeof(e));
	t_assert_ok(ckvm_exit_decode(run, T_RUN_BYTES, 0, &e));
	assert_int_equal(e.kind, want);
	assert_int_equal(e.reason, run->exit_reason);
	assert_ptr_equal(e.run, run);
	return e;
}

struct ckvm_exit t_system_event(struct kvm_run *run, uint32_t type, uint32_t ndata, uint64_t data0)
{
	struct ckvm_exit e;

	run->system_event.type = type;
	run->system_event.ndata = ndata;
	run->system_event.data[0] = data0;
	e = t_exit_decode(run, CKVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(e.system_event.type, type);
	assert_int_equal(e.system_event.ndata, ndata);
	assert_int_equal(e.system_event.data[0], data0);
	return e;
}
