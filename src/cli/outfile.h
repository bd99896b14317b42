/* Files the monitor writes: opened safely, appended to, reopened on SIGHUP. */
#ifndef PN_CLI_OUTFILE_H
#define PN_CLI_OUTFILE_H

struct pn_outfile {
	const char *path;
	char *name;  /* the last component of path, opened in dirfd */
	int dirfd;   /* the directory, held to reopen without a lookup */
	int fd;
};

/* Opens /dev/null on whichever of 0, 1 and 2 is closed. Call first. */
void pn_cli_guard_stdio(void);

/* Opens path for appending (created 0600); refuses a symbolic link, a FIFO,
 * anything but a regular file or a character device, a file of another user
 * and a file others may write, and says why on stderr. Returns f->fd or -1. */
int pn_cli_outfile_open(struct pn_outfile *f, const char *path);

/* Opens the path again (after a rotation) with the same checks and puts the
 * new file under the same descriptor number. On failure the old file stays
 * in use and the reason is on stderr; returns 0 or -1. */
int pn_cli_outfile_reopen(struct pn_outfile *f);

void pn_cli_outfile_close(struct pn_outfile *f);

/* The same checks for a file another module opens (the --db log), before it
 * does: 0 when path is absent or acceptable, else -1 with the reason said. */
int pn_cli_check_private(const char *path);
#endif
