/* SPDX-License-Identifier: MIT */
/*
 * header_alone.c - compiled once per public header with
 * -DCKVM_TEST_HEADER=<ckvm/xxx.h> and -std=c11: every header must be
 * self-contained (it is the first and only include) and valid C11.
 */
#include CKVM_TEST_HEADER

/* Something to compile so the translation unit is not empty. */
int ckvm_test_header_alone_anchor(void);
int ckvm_test_header_alone_anchor(void)
{
	return 0;
}
