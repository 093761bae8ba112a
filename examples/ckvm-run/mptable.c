/* SPDX-License-Identifier: MIT */
/*
 * mptable.c - the Intel MultiProcessor Specification (1.4) table.
 *
 * Without ACPI, a guest learns how many CPUs it has, their local APIC IDs,
 * where the IOAPIC is and how ISA interrupts reach it from the MP table:
 * a 16-byte "floating pointer" ("_MP_") that the guest finds by scanning
 * 0xf0000-0xfffff, pointing to a configuration table ("PCMP") of entries.
 * Linux uses it when it finds no ACPI tables; small test kernels like it
 * because it is simple to parse.
 *
 * Our machine: CPUs with APIC IDs 0..n-1 (0 boots), one ISA bus, the
 * in-kernel IOAPIC (ID n) at 0xfec00000 with ISA IRQ i on pin i (KVM's
 * default GSI routing), ExtINT on LINT0 and NMI on LINT1 of every CPU.
 */
#include "vmm.h"

#include <errno.h>
#include <string.h>

struct mpf_intel {              /* floating pointer */
	char signature[4];      /* "_MP_" */
	uint32_t physptr;       /* configuration table */
	uint8_t length;         /* in 16-byte units: 1 */
	uint8_t specification;  /* 4 = version 1.4 */
	uint8_t checksum;
	uint8_t feature1;       /* 0: a configuration table is present */
	uint8_t feature2;       /* bit 7 clear: virtual wire mode, no IMCR */
	uint8_t feature3[3];
} __attribute__((packed));

struct mpc_table {              /* configuration table header */
	char signature[4];      /* "PCMP" */
	uint16_t length;        /* header + entries */
	uint8_t spec;
	uint8_t checksum;
	char oem[8];
	char productid[12];
	uint32_t oemptr;
	uint16_t oemsize;
	uint16_t oemcount;      /* number of entries */
	uint32_t lapic;         /* local APIC address */
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

enum { MP_PROCESSOR = 0, MP_BUS = 1, MP_IOAPIC = 2, MP_INTSRC = 3, MP_LINTSRC = 4 };
enum { MP_INT = 0, MP_NMI = 1, MP_EXTINT = 3 };

struct mpc_cpu {
	uint8_t type, apicid, apicver, cpuflag; /* cpuflag: 1 enabled, 2 boot CPU */
	uint32_t cpufeature, featureflag;
	uint32_t reserved[2];
} __attribute__((packed));

struct mpc_bus {
	uint8_t type, busid;
	char bustype[6];
} __attribute__((packed));

struct mpc_ioapic {
	uint8_t type, apicid, apicver, flags;
	uint32_t apicaddr;
} __attribute__((packed));

struct mpc_intsrc {             /* also used for local interrupt entries */
	uint8_t type, irqtype;
	uint16_t irqflag;       /* 0: polarity and trigger conform to the bus */
	uint8_t srcbus, srcbusirq, dstapic, dstirq;
} __attribute__((packed));

#define LAPIC_VERSION  0x14
#define IOAPIC_VERSION 0x11
#define ISA_BUS 0

static uint8_t checksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (n--)
		sum += *b++;
	return (uint8_t)-sum;
}

int mptable_build(const struct guest_mem *m, int ncpus)
{
	const int nirq = 16;
	size_t entries = (size_t)ncpus + 2 + (size_t)nirq - 1 + 2;
	size_t len = sizeof(struct mpc_table) + (size_t)ncpus * sizeof(struct mpc_cpu) +
		     sizeof(struct mpc_bus) + sizeof(struct mpc_ioapic) +
		     (size_t)(nirq - 1 + 2) * sizeof(struct mpc_intsrc);
	uint64_t table = MPTABLE_ADDR + sizeof(struct mpf_intel);
	uint8_t *base = gpa_ptr(m, MPTABLE_ADDR, sizeof(struct mpf_intel) + len);

	if (ncpus < 1 || ncpus > 254 || len > 0xffff)
		return -E2BIG;
	if (!base || table + len > HIMEM_START)
		return -EFAULT;
	memset(base, 0, sizeof(struct mpf_intel) + len);

	struct mpc_table *hdr = (struct mpc_table *)(base + sizeof(struct mpf_intel));
	uint8_t *p = (uint8_t *)(hdr + 1);
	uint8_t ioapic_id = (uint8_t)ncpus;

	for (int i = 0; i < ncpus; i++) {
		struct mpc_cpu c = {
			.type = MP_PROCESSOR, .apicid = (uint8_t)i, .apicver = LAPIC_VERSION,
			.cpuflag = (uint8_t)(1 | (i == 0 ? 2 : 0)),
			.cpufeature = 0x600,            /* family 6 */
			.featureflag = (1u << 0) | (1u << 9), /* FPU, APIC */
		};
		memcpy(p, &c, sizeof(c));
		p += sizeof(c);
	}
	struct mpc_bus bus = { .type = MP_BUS, .busid = ISA_BUS };
	memcpy(bus.bustype, "ISA   ", 6);
	memcpy(p, &bus, sizeof(bus));
	p += sizeof(bus);
	struct mpc_ioapic io = { MP_IOAPIC, ioapic_id, IOAPIC_VERSION, 1, (uint32_t)IOAPIC_ADDR };
	memcpy(p, &io, sizeof(io));
	p += sizeof(io);
	for (int irq = 0; irq < nirq; irq++) {
		if (irq == 2) /* the PIC cascade: nothing is wired there */
			continue;
		struct mpc_intsrc s = { MP_INTSRC, MP_INT, 0, ISA_BUS, (uint8_t)irq, ioapic_id,
					(uint8_t)irq };
		memcpy(p, &s, sizeof(s));
		p += sizeof(s);
	}
	struct mpc_intsrc lint0 = { MP_LINTSRC, MP_EXTINT, 0, ISA_BUS, 0, 0xff, 0 };
	struct mpc_intsrc lint1 = { MP_LINTSRC, MP_NMI, 0, ISA_BUS, 0, 0xff, 1 };
	memcpy(p, &lint0, sizeof(lint0));
	p += sizeof(lint0);
	memcpy(p, &lint1, sizeof(lint1));

	memcpy(hdr->signature, "PCMP", 4);
	hdr->length = (uint16_t)len;
	hdr->spec = 4;
	memcpy(hdr->oem, "CKVM    ", 8);
	memcpy(hdr->productid, "CKVM-RUN    ", 12);
	hdr->oemcount = (uint16_t)entries;
	hdr->lapic = (uint32_t)LAPIC_ADDR;
	hdr->checksum = checksum(hdr, len);

	struct mpf_intel *mpf = (struct mpf_intel *)base;
	memcpy(mpf->signature, "_MP_", 4);
	mpf->physptr = (uint32_t)table;
	mpf->length = 1;
	mpf->specification = 4;
	mpf->checksum = checksum(mpf, sizeof(*mpf));
	return 0;
}
