/* The netlink backend's exec paths from /proc, as the BPF side gives them. */
#ifndef PN_NL_PATHS_H
#define PN_NL_PATHS_H
#include <stddef.h>
#include <stdint.h>
#include "procnotify/record.h"

/* Fills x's image, cwd and root (their strings from off on), the image's
 * device and inode, the namespaces, and their known bits and flags.
 * Returns the offset after the strings. */
size_t pn__nl_paths(struct pn_rec_exec *x, uint32_t pid, size_t off);
#endif
