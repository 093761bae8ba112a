/* SPDX-License-Identifier: MIT */
/* a64.c - the arm64 tiny-guest harness, see a64.h. */
#include "a64.h"

#include <string.h>

void a64_guest_create(struct a64_guest *g, uint32_t slot_flags)
{
	memset(g, 0, sizeof(*g));
	g->vm = t_guest_vm(&g->kvm);
	g->mem = t_guest_ram(g->vm, A64_RAM_GPA, A64_RAM_SIZE, slot_flags, &g->mem_size);
}

void a64_guest_add_vcpu(struct a64_guest *g, uint64_t extra_features)
{
	t_assert_ok(ckvm_vm_create_vcpu(g->vm, 0, &g->vcpu));
	t_assert_ok(ckvm_vcpu_init_preferred(g->vcpu, g->vm,
					     (1ull << KVM_ARM_VCPU_PSCI_0_2) | extra_features,
					     &g->init));
	assert_true(ckvm_arm64_vcpu_init_has_feature(&g->init, KVM_ARM_VCPU_PSCI_0_2));
}

uint64_t a64_mmio_gpa(const struct a64_guest *g)
{
	return A64_RAM_GPA + g->mem_size;
}

void *a64_gpa(struct a64_guest *g, uint64_t gpa, size_t len)
{
	return t_guest_ram_at(g->mem, g->mem_size, A64_RAM_GPA, gpa, len);
}

void a64_guest_load(struct a64_guest *g, const void *start, const void *end)
{
	size_t len = (size_t)((const uint8_t *)end - (const uint8_t *)start);

	memcpy(a64_gpa(g, A64_CODE_GPA, len), start, len);
	t_set_reg64(g->vcpu, ckvm_arm64_reg_pc(), A64_CODE_GPA);
	t_set_reg64(g->vcpu, ckvm_arm64_reg_x(8), A64_DATA_GPA);
	t_set_reg64(g->vcpu, ckvm_arm64_reg_x(9), a64_mmio_gpa(g));
}

struct ckvm_exit a64_run_expect(struct a64_guest *g, enum ckvm_exit_kind kind)
{
	return t_run_expect(g->vcpu, kind, ckvm_arm64_reg_pc());
}

void a64_run_to_system_off(struct a64_guest *g)
{
	struct ckvm_exit e = a64_run_expect(g, CKVM_EXIT_SYSTEM_EVENT);

	assert_int_equal(e.system_event.type, KVM_SYSTEM_EVENT_SHUTDOWN);
	assert_false(ckvm_arm64_exit_is_psci_off2(&e));
}

void a64_guest_destroy(struct a64_guest *g)
{
	t_guest_close(g->kvm, g->vm, g->vcpu, g->mem, g->mem_size);
	memset(g, 0, sizeof(*g));
}

uint32_t a64_gic_type(struct ckvm_vm *vm)
{
	if (ckvm_vm_test_create_device(vm, KVM_DEV_TYPE_ARM_VGIC_V3) == 0)
		return KVM_DEV_TYPE_ARM_VGIC_V3;
	t_assert_ok(ckvm_vm_test_create_device(vm, KVM_DEV_TYPE_ARM_VGIC_V2));
	return KVM_DEV_TYPE_ARM_VGIC_V2;
}

struct ckvm_device *a64_setup_gic(struct a64_guest *g, uint32_t type, uint32_t nr_irqs)
{
	struct ckvm_device *gic = NULL;

	t_assert_ok(ckvm_vm_setup_vgic(g->vm, type, A64_GIC_DIST_BASE,
				       type == KVM_DEV_TYPE_ARM_VGIC_V3 ? A64_GIC_REDIST_BASE
									: A64_GIC_CPU_BASE,
				       nr_irqs, &gic));
	return gic;
}

bool a64_spi_pending(struct ckvm_device *gic, uint32_t type, uint32_t intid)
{
	uint32_t off = 0x200 + (intid / 32) * 4, val = 0; /* GICD_ISPENDR<n> */

	t_assert_ok(ckvm_vgic_get_reg32(gic, KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
					type == KVM_DEV_TYPE_ARM_VGIC_V3 ? ckvm_vgic_v3_attr(0, off)
									 : ckvm_vgic_v2_attr(0, off),
					&val));
	return val & (1u << (intid % 32));
}
