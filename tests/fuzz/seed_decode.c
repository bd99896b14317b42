/*
 * Writes the decode target's seed corpus: one well-formed record of each
 * kind, as the producers make them (tests/unit/recbuild.h). Run by
 * `make fuzz-seeds`, which commits nothing: review and add the files.
 * Usage: seed_decode DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include "recbuild.h"

static const char *dir;

static void save(const char *name, const struct recbuf *r)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(r->u.bytes, 1, r->len, f) != r->len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void exec_like(struct recbuf *r, int type)
{
	static const char argv[] = "ls\0-la\0two words\0";

	rb_start(r, type, type == PN_REC_EXEC ? sizeof(r->u.exec) : sizeof(r->u.create),
		 2000000000);
	if (type == PN_REC_CREATE) {
		r->u.hdr.hdr_flags = PN_HDR_WALLCLOCK;
		rb_task(&r->u.create.task, 4242, 4000, 1500000000, "cmd.exe");
		rb_str(r, &r->u.create.image, "C:\\Windows\\cmd.exe", 18);
		rb_str(r, &r->u.create.cmdline, "cmd.exe /c \"dir\"", 16);
		return;
	}
	rb_task(&r->u.exec.task, 4242, 4000, 1500000000, "ls\x1b");
	r->u.exec.task.known |= PN_KNOWN_IMAGE | PN_KNOWN_ARGV | PN_KNOWN_CWD |
				PN_KNOWN_FILENAME | PN_KNOWN_SID | PN_KNOWN_TTY;
	r->u.exec.sid = 4000;
	strcpy(r->u.exec.tty, "pts/3");
	rb_str(r, &r->u.exec.filename, "/bin/ls", 7);
	rb_str(r, &r->u.exec.image, "/usr/bin/l\xc2\xa0s", 12);
	rb_str(r, &r->u.exec.cwd, "/home/u", 7);
	rb_str(r, &r->u.exec.argv, argv, sizeof(argv) - 1);
}

int main(int argc, char **argv)
{
	struct recbuf r;

	if (argc != 2)
		return 2;
	dir = argv[1];
	rb_start(&r, PN_REC_FORK, sizeof(r.u.fork), 1000000000);
	rb_task(&r.u.fork.task, 4242, 4000, 1000000000, "bash");
	save("fork", &r);
	exec_like(&r, PN_REC_EXEC);
	save("exec", &r);
	exec_like(&r, PN_REC_CREATE);
	save("create", &r);
	rb_start(&r, PN_REC_EXIT, sizeof(r.u.exit), 3500000000);
	rb_task(&r.u.exit.task, 4242, 4000, 1500000000, "ls");
	r.u.exit.status = 11 | 0x80;
	r.u.exit.status_kind = PN_EXIT_WAITSTATUS;
	save("exit", &r);
	rb_start(&r, PN_REC_LOST, sizeof(r.u.lost), 4000000000);
	r.u.lost.count = 5;
	r.u.lost.count_known = 1;
	r.u.lost.by_type[PN_REC_FORK] = 5;
	save("lost", &r);
	rb_start(&r, PN_REC_SNAPSHOT, sizeof(r.u.snap), 4500000000);
	rb_task(&r.u.snap.task, 1, 0, 100, "init");
	save("snapshot", &r);
	rb_start(&r, PN_REC_SETUID, sizeof(r.u.change), 5000000000);
	rb_task(&r.u.change.task, 4242, 4000, 1500000000, "su");
	r.u.change.id_real = 0;
	r.u.change.id_effective = 0;
	save("setuid", &r);
	return 0;
}
