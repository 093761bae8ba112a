/* SPDX-License-Identifier: MIT */
#include "internal.h"

const char *ckvm_version(void)
{
	return CKVM_VERSION_STRING;
}

unsigned ckvm_version_number(void)
{
	return CKVM_VERSION_NUMBER;
}
