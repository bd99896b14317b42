/*
 * The context of one exec the kernel asks about, read by the decider: the
 * file from the descriptor fanotify gives, the exec'ing process from /proc.
 * Only what the rules need is read (PN_NEED_*).
 */
#ifndef PN_EXEC_CTX_H
#define PN_EXEC_CTX_H
#include <limits.h>
#include "procnotify/enforce.h"
#include "hashcache.h"

#define PN__ANCESTORS_MAX 32
#define PN__ARGV_MAX 32768

struct pn__exec_info {
	pn_event ev;
	pn_exec_ctx ctx;
	uint8_t sha256[PN_SHA256_LEN];
	pn_str anc[PN__ANCESTORS_MAX];
	char image[PATH_MAX], cwd[PATH_MAX], comm[16], sha256_hex[2 * PN_SHA256_LEN + 1];
	char anc_buf[8192];
	char argv[PN__ARGV_MAX];
};

/* Fills x for the file fd that pid is about to exec. -errno when the file
 * itself cannot be named (what the process cannot tell is left unknown). */
int pn__exec_info_fill(struct pn__exec_info *x, int fd, uint32_t pid, uint32_t needs,
		       struct pn__hashcache *cache);
/* What a denial's event tells beyond what the decision needed: the
 * process, its parent's image, and the arguments of the exec, read from
 * the caller's memory while it waits in execve(2) (unknown when they
 * cannot be read). */
void pn__exec_info_complete(struct pn__exec_info *x, uint32_t needs);
/* After a copy of src into dst: the copy's strings point into the copy. */
void pn__exec_info_rebase(struct pn__exec_info *dst, const struct pn__exec_info *src);
#endif
