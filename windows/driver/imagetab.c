/*
 * Image names kept from a process's create to its exit
 * (windows/common/pn_images.c, unit-tested on Linux) behind a fast mutex:
 * only the notify routines use it, at PASSIVE_LEVEL. The table owns pool
 * memory tagged PN_TAG_IMAGE; what it displaces is freed here, outside
 * the lock.
 */
#include "pn_driver.h"
#include "pn_images.h"

static struct pn_images pn_images; /* in the image: non-paged */
static FAST_MUTEX pn_images_lock;

_IRQL_requires_max_(PASSIVE_LEVEL) void pn_images_start(void)
{
	PAGED_CODE();
	ExInitializeFastMutex(&pn_images_lock);
	pn_images_init(&pn_images);
}

/* Takes ownership of image (pool, PN_TAG_IMAGE). */
_IRQL_requires_max_(APC_LEVEL) void pn_images_keep(HANDLE pid, LONGLONG create_time, char *image,
						   ULONG len)
{
	void *old;

	ExAcquireFastMutex(&pn_images_lock);
	old = pn_images_put(&pn_images, HandleToULong(pid), (pn_u64)create_time, image, len);
	ExReleaseFastMutex(&pn_images_lock);
	if (old)
		ExFreePoolWithTag(old, PN_TAG_IMAGE);
}

/* The process's image (the caller frees it, PN_TAG_IMAGE), or NULL. */
_IRQL_requires_max_(APC_LEVEL) char *pn_images_take_for(HANDLE pid, LONGLONG create_time, ULONG *len)
{
	pn_u32 n = 0;
	char *image;

	ExAcquireFastMutex(&pn_images_lock);
	image = pn_images_take(&pn_images, HandleToULong(pid), (pn_u64)create_time, &n);
	ExReleaseFastMutex(&pn_images_lock);
	*len = n;
	return image;
}

/* At unload, after the notify routine is gone: nothing else touches the table. */
_IRQL_requires_max_(PASSIVE_LEVEL) void pn_images_stop(void)
{
	void *image;

	PAGED_CODE();
	while ((image = pn_images_take_oldest(&pn_images)) != NULL)
		ExFreePoolWithTag(image, PN_TAG_IMAGE);
}
