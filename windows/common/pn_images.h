/*
 * Image names kept from a process's create to its exit, because Windows
 * gives the exit routine no name: a bounded table keyed by (pid, create
 * time), so a reused pid never gets another process's name.
 *
 * When it is full, a new entry displaces the oldest one (the least recently
 * put), never a fresh one: a long-lived process loses its name (its exit
 * looks it up instead), a short-lived one keeps it. Lookups hash the pid,
 * so no operation scans the table.
 *
 * Portable C with no locking and no allocation: the driver wraps every call
 * in its lock and owns the image memory; a Linux unit test runs the rest.
 */
#ifndef PN_IMAGES_H
#define PN_IMAGES_H
#include "procnotify/record.h"

#define PN_IMAGES_MAX     1024
#define PN_IMAGES_BUCKETS 256
#define PN_IMAGES_NONE    0xffff

struct pn_image_entry {
	pn_u64 create_time;
	void *image;   /* the caller's; NULL: the slot is free */
	pn_u32 pid;
	pn_u32 len;
	pn_u16 hnext;  /* next in the pid's bucket */
	pn_u16 older, newer; /* age order, or the free list through newer */
};

struct pn_images {
	struct pn_image_entry e[PN_IMAGES_MAX];
	pn_u16 bucket[PN_IMAGES_BUCKETS];
	pn_u16 oldest, newest, free;
	pn_u32 count;
};

void pn_images_init(struct pn_images *t);

/*
 * Keeps image (len bytes, not NULL) for the process (pid, create_time) as
 * the newest entry. Returns the image it displaced, for the caller to free:
 * the oldest entry's when the table was full, or an earlier one of the same
 * process; NULL when none.
 */
void *pn_images_put(struct pn_images *t, pn_u32 pid, pn_u64 create_time, void *image, pn_u32 len);

/* Removes the process's entry and returns its image (and *len), or NULL. */
void *pn_images_take(struct pn_images *t, pn_u32 pid, pn_u64 create_time, pn_u32 *len);

/* Removes the oldest entry and returns its image, NULL when empty: to free them all. */
void *pn_images_take_oldest(struct pn_images *t);
#endif
