/*
 * Pool allocations. ExAllocatePool2 (Windows 10 2004 and later) is looked
 * up at load, since importing it would keep the driver from loading on any
 * older Windows; without it, ExAllocatePoolWithTag from NonPagedPoolNx
 * where Windows has no-execute pool (Windows 8 and later), else from
 * NonPagedPool.
 */
#include "pn_driver.h"

/* The WDK's values (wdm.h, Windows 10 2004), absent from mingw-w64's headers. */
#define PN_POOL_FLAG_UNINITIALIZED 0x0000000000000002ULL
#define PN_POOL_FLAG_NON_PAGED     0x0000000000000040ULL /* no-execute, as every Pool2 pool */

typedef PVOID (NTAPI *pn_pool2_fn)(ULONG64 flags, SIZE_T bytes, ULONG tag);

static pn_pool2_fn pn_pool2;
static POOL_TYPE pn_pool_type = NonPagedPool;

_IRQL_requires_max_(PASSIVE_LEVEL) void pn_pool_init(void)
{
	UNICODE_STRING name;
	RTL_OSVERSIONINFOW v = { .dwOSVersionInfoSize = sizeof(v) };

	PAGED_CODE();
	RtlInitUnicodeString(&name, L"ExAllocatePool2");
	pn_pool2 = (pn_pool2_fn)MmGetSystemRoutineAddress(&name);
	if (pn_pool2) {
		PN_LOG("allocating with ExAllocatePool2\n");
		return;
	}
	if (NT_SUCCESS(RtlGetVersion(&v)) &&
	    (v.dwMajorVersion > 6 || (v.dwMajorVersion == 6 && v.dwMinorVersion >= 2)))
		pn_pool_type = NonPagedPoolNx;
	PN_LOG("ExAllocatePool2 is not exported: allocating with ExAllocatePoolWithTag from %s "
	       "(Windows %lu.%lu)\n", pn_pool_type == NonPagedPoolNx ? "NonPagedPoolNx" : "NonPagedPool",
	       (unsigned long)v.dwMajorVersion, (unsigned long)v.dwMinorVersion);
}

_IRQL_requires_max_(DISPATCH_LEVEL) void *pn_alloc(SIZE_T bytes, ULONG tag)
{
	if (pn_pool2)
		return pn_pool2(PN_POOL_FLAG_NON_PAGED | PN_POOL_FLAG_UNINITIALIZED, bytes, tag);
	return ExAllocatePoolWithTag(pn_pool_type, bytes, tag);
}

_IRQL_requires_max_(DISPATCH_LEVEL) BOOLEAN pn_pool2_used(void)
{
	return pn_pool2 != NULL;
}
