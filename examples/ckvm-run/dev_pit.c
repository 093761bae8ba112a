/* SPDX-License-Identifier: MIT */
/*
 * dev_pit.c - the i8254 programmable interval timer, in the kernel.
 *
 * KVM emulates the PIT (ports 0x40-0x43) itself and delivers its interrupt
 * on GSI 0 through the in-kernel irqchip, so no exit ever reaches us.
 * KVM_PIT_SPEAKER_DUMMY also has it answer port 0x61 (speaker / PIT
 * channel 2 gate), which Linux reads while calibrating the TSC.
 * Requires the in-kernel irqchip (KVM_CREATE_IRQCHIP) to exist first.
 */
#include "vmm.h"

int pit_init(struct vmm *vmm)
{
	return ckvm_vm_create_pit2(vmm->vm, KVM_PIT_SPEAKER_DUMMY);
}
