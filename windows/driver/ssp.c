/*
 * The stack protector's guard and failure routine for a driver, which links
 * no C library: gcc's -fstack-protector-strong checks a canary taken from
 * __stack_chk_guard before each protected function returns.
 *
 * The guard is set once, in DriverEntry, before any protected function has
 * stored a canary: so DriverEntry itself is this file's unprotected
 * wrapper, and the driver's real entry (pn_driver_entry) runs after it.
 */
#include "pn_driver.h"

NTSTATUS pn_driver_entry(PDRIVER_OBJECT drv, PUNICODE_STRING registry_path);

#ifndef DRIVER_OVERRAN_STACK_BUFFER
#define DRIVER_OVERRAN_STACK_BUFFER 0xF7 /* the bug check /GS failures raise */
#endif

/* A fixed value until DriverEntry replaces it; never 0, so a zeroed stack is no canary. */
ULONG_PTR __stack_chk_guard = 0x595e9fbd94fda766ULL;

/* A smashed stack: stop the machine before a corrupted return address is used. */
__attribute__((noreturn)) void __stack_chk_fail(void)
{
	KeBugCheckEx(DRIVER_OVERRAN_STACK_BUFFER, (ULONG_PTR)__builtin_return_address(0), 0, 0, 0);
}

/*
 * Per-load entropy without a random-number driver: the cycle counter, the
 * system time and where Windows loaded the image and its stack.
 * Not a cryptographic secret, but not a constant an attacker can read in
 * the file either, which is what the canary needs.
 */
__attribute__((no_stack_protector)) static void pn_guard_init(PDRIVER_OBJECT drv)
{
	ULONG_PTR g = __builtin_ia32_rdtsc();
	LARGE_INTEGER now;

	KeQuerySystemTime(&now);
	g ^= (ULONG_PTR)now.QuadPart * 0x9e3779b97f4a7c15ULL;
	g ^= (ULONG_PTR)drv->DriverStart << 16;
	g ^= (ULONG_PTR)__builtin_frame_address(0);
	g &= ~(ULONG_PTR)0xff; /* a zero low byte stops string overruns at the canary */
	__stack_chk_guard = g ? g : 0x595e9fbd94fda700ULL;
}

__attribute__((no_stack_protector)) NTSTATUS DriverEntry(PDRIVER_OBJECT drv,
							  PUNICODE_STRING registry_path)
{
	pn_guard_init(drv);
	return pn_driver_entry(drv, registry_path);
}
