/*
 * Image names kept from a process's create to its exit, because Windows
 * gives the exit routine no name. The table is small and bounded: when it
 * is full the oldest entry goes, and that process's exit looks its image up
 * instead. Keys are (pid, create time) so a reused pid never gets another
 * process's name. Everything here runs at PASSIVE_LEVEL; the lock is a spin
 * lock only because the critical sections are a few compares long.
 */
#include "pn_driver.h"

#define PN_IMAGES_MAX 1024

struct pn_image_entry {
	HANDLE pid;
	LONGLONG create_time;
	char *image; /* pool, PN_TAG_IMAGE; NULL: the slot is free */
	ULONG len;
};

static struct pn_image_entry pn_images[PN_IMAGES_MAX];
static ULONG pn_images_next; /* the oldest entry when the table is full */
static KSPIN_LOCK pn_images_lock;

void pn_images_init(void)
{
	KeInitializeSpinLock(&pn_images_lock);
}

/* Takes ownership of image; frees whatever entry it displaces. */
void pn_images_put(HANDLE pid, LONGLONG create_time, char *image, ULONG len)
{
	struct pn_image_entry *e = NULL;
	char *old;
	KIRQL irql;

	KeAcquireSpinLock(&pn_images_lock, &irql);
	for (ULONG i = 0; i < PN_IMAGES_MAX && !e; i++)
		if (!pn_images[i].image)
			e = &pn_images[i];
	if (!e) {
		e = &pn_images[pn_images_next];
		pn_images_next = (pn_images_next + 1) % PN_IMAGES_MAX;
	}
	old = e->image;
	*e = (struct pn_image_entry){ pid, create_time, image, len };
	KeReleaseSpinLock(&pn_images_lock, irql);
	if (old)
		ExFreePoolWithTag(old, PN_TAG_IMAGE);
}

/* Removes the entry of this process and hands its image to the caller, or NULL. */
char *pn_images_take(HANDLE pid, LONGLONG create_time, ULONG *len)
{
	char *image = NULL;
	KIRQL irql;

	KeAcquireSpinLock(&pn_images_lock, &irql);
	for (ULONG i = 0; i < PN_IMAGES_MAX && !image; i++) {
		struct pn_image_entry *e = &pn_images[i];

		if (e->image && e->pid == pid && e->create_time == create_time) {
			image = e->image;
			*len = e->len;
			e->image = NULL;
		}
	}
	KeReleaseSpinLock(&pn_images_lock, irql);
	return image;
}

/* At unload, after the notify routine is gone: nothing else touches the table. */
void pn_images_free(void)
{
	for (ULONG i = 0; i < PN_IMAGES_MAX; i++) {
		if (pn_images[i].image)
			ExFreePoolWithTag(pn_images[i].image, PN_TAG_IMAGE);
		pn_images[i].image = NULL;
	}
}
