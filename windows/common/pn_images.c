/*
 * The image table: entries in one array, chained per pid bucket and in a
 * doubly linked age list, free slots in a list of their own. Every
 * operation walks one bucket at most.
 */
#include <string.h>
#include "pn_images.h"

#define NONE PN_IMAGES_NONE

static pn_u16 *bucket_of(struct pn_images *t, pn_u32 pid)
{
	/* Windows pids are multiples of 4: drop the bits that never vary. */
	return &t->bucket[(pid >> 2) % PN_IMAGES_BUCKETS];
}

void pn_images_init(struct pn_images *t)
{
	memset(t, 0, sizeof(*t));
	for (pn_u16 i = 0; i < PN_IMAGES_BUCKETS; i++)
		t->bucket[i] = NONE;
	for (pn_u16 i = 0; i < PN_IMAGES_MAX; i++)
		t->e[i].newer = i + 1 < PN_IMAGES_MAX ? i + 1 : NONE;
	t->free = 0;
	t->oldest = t->newest = NONE;
}

/* Takes slot i out of its bucket and the age list and puts it on the free list. */
static void *unlink_slot(struct pn_images *t, pn_u16 i)
{
	struct pn_image_entry *e = &t->e[i];
	pn_u16 *p = bucket_of(t, e->pid);
	void *image = e->image;

	while (*p != i)
		p = &t->e[*p].hnext;
	*p = e->hnext;
	*(e->older != NONE ? &t->e[e->older].newer : &t->oldest) = e->newer;
	*(e->newer != NONE ? &t->e[e->newer].older : &t->newest) = e->older;
	e->image = NULL;
	e->newer = t->free;
	t->free = i;
	t->count--;
	return image;
}

static pn_u16 find(struct pn_images *t, pn_u32 pid, pn_u64 create_time)
{
	pn_u16 i = *bucket_of(t, pid);

	while (i != NONE && (t->e[i].pid != pid || t->e[i].create_time != create_time))
		i = t->e[i].hnext;
	return i;
}

void *pn_images_put(struct pn_images *t, pn_u32 pid, pn_u64 create_time, void *image, pn_u32 len)
{
	pn_u16 i = find(t, pid, create_time), *b = bucket_of(t, pid);
	void *displaced = i != NONE ? unlink_slot(t, i) : NULL;

	if (t->free == NONE)
		displaced = unlink_slot(t, t->oldest);
	i = t->free;
	t->free = t->e[i].newer;
	t->e[i] = (struct pn_image_entry){ create_time, image, pid, len, *b, t->newest, NONE };
	*b = i;
	*(t->newest != NONE ? &t->e[t->newest].newer : &t->oldest) = i;
	t->newest = i;
	t->count++;
	return displaced;
}

void *pn_images_take(struct pn_images *t, pn_u32 pid, pn_u64 create_time, pn_u32 *len)
{
	pn_u16 i = find(t, pid, create_time);

	if (i == NONE)
		return NULL;
	*len = t->e[i].len;
	return unlink_slot(t, i);
}

void *pn_images_take_oldest(struct pn_images *t)
{
	return t->oldest == NONE ? NULL : unlink_slot(t, t->oldest);
}
