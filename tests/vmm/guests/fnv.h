/* SPDX-License-Identifier: MIT */
/* fnv.h - FNV-1a (32-bit), the checksum test guests report for modules/initrds. */
#ifndef FNV_H
#define FNV_H
#include <stddef.h>
#include <stdint.h>

static inline uint32_t fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 0x811c9dc5u;
	while (n--) {
		h ^= *p++;
		h *= 16777619u;
	}
	return h;
}
#endif
