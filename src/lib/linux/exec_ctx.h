/*
 * The context of one exec the kernel asks about, read by the decider: the
 * file from the descriptor fanotify gives, the exec'ing process from /proc.
 * Only what the decision needs is read (PN_NEED_*), each part once.
 */
#ifndef PN_EXEC_CTX_H
#define PN_EXEC_CTX_H
#include <limits.h>
#include <sys/stat.h>
#include "procnotify/enforce.h"
#include "hashcache.h"

#define PN__ANCESTORS_MAX 32
#define PN__ARGV_MAX 32768

struct pn__exec_info {
	pn_event ev;
	pn_exec_ctx ctx;
	int fd;                    /* the file, open for the question */
	struct stat st;
	struct pn__hashcache *cache;
	uint32_t done;             /* PN_NEED_* read so far */
	int cache_only;            /* SHA-256 from the cache only, never read here */
	int hash_missing;          /* cache_only, and the file's hash was not there */
	uint32_t anc_pid;          /* the last ancestor walked to; 0: the walk ended */
	size_t anc_used;
	uint8_t sha256[PN_SHA256_LEN];
	pn_str anc[PN__ANCESTORS_MAX];
	char image[PATH_MAX], cwd[PATH_MAX], comm[16], sha256_hex[2 * PN_SHA256_LEN + 1];
	char anc_buf[8192];
	char argv[PN__ARGV_MAX];
};

/* Starts x for the file fd that pid is about to exec: its path, device and
 * inode. -errno when the file itself cannot be named. */
int pn__exec_info_fill(struct pn__exec_info *x, int fd, uint32_t pid, struct pn__hashcache *cache);
/* Reads what needs asks for and x does not hold yet; what cannot be read
 * stays unknown. PN_NEED_ANCESTORS reads the whole line of ancestors.
 * With cache_only set, a hash the cache does not hold is not computed:
 * hash_missing says so. */
void pn__exec_info_need(struct pn__exec_info *x, uint32_t needs);
/* The rule engine's ancestor walk (pn_rules_input.ancestor), reading /proc
 * only as deep as a rule looks; user is x. */
int pn__exec_info_ancestor(void *user, unsigned depth, pn_str *image);
/* What a denial's event tells beyond what the decision needed: the
 * process, its parent's image, its working directory, the hash when it
 * was computed, and the arguments of the exec. */
void pn__exec_info_complete(struct pn__exec_info *x);
/* After a copy of src into dst: the copy's strings point into the copy. */
void pn__exec_info_rebase(struct pn__exec_info *dst, const struct pn__exec_info *src);
#endif
