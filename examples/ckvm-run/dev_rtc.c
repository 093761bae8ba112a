/* SPDX-License-Identifier: MIT */
/*
 * dev_rtc.c - the MC146818 real-time clock and CMOS RAM (ports 0x70/0x71).
 *
 * Write a register number to 0x70, then read or write it at 0x71. The
 * clock registers read the host's time (UTC) in BCD, 24-hour mode; the
 * "update in progress" bit is never set, so a guest that waits for it to
 * clear (as Linux's CMOS clock code does) never spins. The rest of the 128
 * bytes is plain storage. No alarm or periodic interrupt (IRQ 8).
 * Without this device, reads would return 0xff: "update in progress"
 * forever.
 */
#include "vmm.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RTC_INDEX 0x70
#define RTC_DATA  0x71
enum {
	RTC_SECONDS = 0x00, RTC_MINUTES = 0x02, RTC_HOURS = 0x04, RTC_DAY_OF_WEEK = 0x06,
	RTC_DAY = 0x07, RTC_MONTH = 0x08, RTC_YEAR = 0x09, RTC_REG_A = 0x0a,
	RTC_REG_B = 0x0b, RTC_REG_C = 0x0c, RTC_REG_D = 0x0d, RTC_CENTURY = 0x32,
};
#define REG_A_DEFAULT 0x26 /* 32.768 kHz time base, 1024 Hz rate, UIP clear */
#define REG_B_24H     0x02 /* BCD, 24-hour clock */
#define REG_D_VRT     0x80 /* RAM and time valid */

struct rtc {
	pthread_mutex_t lock;
	uint8_t index;
	uint8_t ram[128];
};

static uint8_t bcd(int v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static uint8_t rtc_read(struct rtc *r, uint8_t reg)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	switch (reg) {
	case RTC_SECONDS: return bcd(tm.tm_sec);
	case RTC_MINUTES: return bcd(tm.tm_min);
	case RTC_HOURS: return bcd(tm.tm_hour);
	case RTC_DAY_OF_WEEK: return bcd(tm.tm_wday + 1);
	case RTC_DAY: return bcd(tm.tm_mday);
	case RTC_MONTH: return bcd(tm.tm_mon + 1);
	case RTC_YEAR: return bcd(tm.tm_year % 100);
	case RTC_CENTURY: return bcd((tm.tm_year + 1900) / 100);
	case RTC_REG_A: return r->ram[RTC_REG_A] & 0x7f; /* never "update in progress" */
	case RTC_REG_C: return 0;                         /* no interrupt flags */
	case RTC_REG_D: return REG_D_VRT;
	default: return r->ram[reg];
	}
}

static void rtc_pio(void *opaque, uint16_t port, bool is_write, uint8_t *data, uint8_t size)
{
	struct rtc *r = opaque;

	pthread_mutex_lock(&r->lock);
	if (port == RTC_INDEX) {
		if (is_write)
			r->index = data[0] & 0x7f; /* bit 7 is the NMI mask */
		else
			memset(data, 0xff, size);
	} else if (is_write) {
		/* The clock itself cannot be set; storage and control bytes can. */
		if (r->index >= RTC_REG_A && r->index != RTC_REG_C && r->index != RTC_REG_D)
			r->ram[r->index] = data[0];
	} else {
		memset(data, 0, size);
		data[0] = rtc_read(r, r->index);
	}
	pthread_mutex_unlock(&r->lock);
}

int rtc_init(struct vmm *vmm)
{
	struct rtc *r = calloc(1, sizeof(*r));

	if (!r)
		return -1;
	pthread_mutex_init(&r->lock, NULL);
	r->ram[RTC_REG_A] = REG_A_DEFAULT;
	r->ram[RTC_REG_B] = REG_B_24H;
	vmm->rtc = r;
	return iobus_register(&vmm->io, RTC_INDEX, 2, rtc_pio, r, "rtc");
}

void rtc_destroy(struct rtc *r)
{
	if (!r)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r);
}
