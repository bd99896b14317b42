/*
 * The enforcer's marks on file systems, from a mount table of the test's
 * own: mount points written with mountinfo's octal escapes, lines that are
 * not the kernel's form, a file system seen at two mount points, one that
 * refuses the mark, a table longer than the first read, and a rescan that
 * keeps the marks it has. The group is a notification group (FAN_OPEN_EXEC,
 * never a permission event): nothing on the host waits for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "linux/fan_marks.h"
#include "check.h"

static char dir[] = "/tmp/pn-marks.XXXXXX";

static int has(const struct pn__fan_marks *m, unsigned maj, unsigned min)
{
	for (size_t i = 0; i < m->ndevs; i++)
		if (m->devs[i] == makedev(maj, min))
			return 1;
	return 0;
}

/* A mount table in a file, as the marks read /proc/self/mountinfo. */
static int table(const char *text, size_t pad_lines)
{
	char path[64];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/mountinfo", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	/* Lines of a file system already seen: only the table's length grows. */
	for (size_t i = 0; i < pad_lines; i++)
		fprintf(f, "%zu 1 7:100 / %s/a\\040b rw,relatime shared:1 - tmpfs tmpfs rw\n",
			1000 + i, dir);
	fclose(f);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	unlink(path);
	return fd;
}

static void test_scan(int fan)
{
	char text[8192], *p = text, sub[128];
	struct pn__fan_marks m = { .fan_fd = fan, .mask = FAN_OPEN_EXEC };

	snprintf(sub, sizeof(sub), "%s/a b", dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof(sub), "%s/back\\slash", dir);
	mkdir(sub, 0700);
	p += sprintf(p, "21 1 7:100 / %s/a\\040b rw - tmpfs tmpfs rw\n", dir);
	p += sprintf(p, "22 1 7:101 / %s/back\\134slash rw - tmpfs tmpfs rw\n", dir);
	p += sprintf(p, "23 1 7:100 / /elsewhere rw - tmpfs tmpfs rw\n"); /* seen: not marked */
	p += sprintf(p, "24 1 7:102 / %s/no\\040such rw - tmpfs tmpfs rw\n", dir); /* refused */
	p += sprintf(p, "25 1 7:103 / %s/a\\9b rw\n", dir);  /* not an escape: "a\9b" */
	p += sprintf(p, "26 1 7:104\n");                      /* too few fields */
	p += sprintf(p, "27 1 seven / %s rw\n", dir);          /* no device */
	/* A backslash not followed by three octal digits, the first 0-3, is
	 * itself: these directories are named so (decoded, they would not
	 * exist and be refused). */
	for (int i = 0; i < 6; i++) {
		static const char *const odd[] = { "!00", "400", "0!0", "080", "00!", "008" };

		snprintf(sub, sizeof(sub), "%s/e\\%s", dir, odd[i]);
		mkdir(sub, 0700);
		p += sprintf(p, "%d 1 9:%d / %s/e\\%s rw\n", 30 + i, i, dir, odd[i]);
	}
	/* Forty more file systems: the list of marks grows. */
	for (int i = 0; i < 40; i++)
		p += sprintf(p, "%d 1 8:%d / %s rw - tmpfs tmpfs rw\n", 100 + i, i, dir);
	m.mountinfo_fd = table(text, 2000); /* over 64 KiB */
	CHECK(m.mountinfo_fd >= 0);
	CHECK(pn__marks_rescan(&m) == 0);
	CHECK(m.ndevs == 48 && has(&m, 7, 100) && has(&m, 7, 101) && has(&m, 8, 39));
	CHECK(has(&m, 9, 0) && has(&m, 9, 1) && has(&m, 9, 2) && has(&m, 9, 3) && has(&m, 9, 4) &&
	      has(&m, 9, 5));
	CHECK(!has(&m, 7, 102) && !has(&m, 7, 103) && !has(&m, 7, 104));
	CHECK(m.refused == 2);
	/* Again, the group unusable: what is marked stays marked, unasked. */
	m.fan_fd = -1;
	CHECK(pn__marks_rescan(&m) == 0);
	CHECK(m.ndevs == 48 && m.refused == 2);
	/* A file system gone from the table is forgotten. */
	close(m.mountinfo_fd);
	m.fan_fd = fan;
	m.mountinfo_fd = table("21 1 7:100 / / rw\n", 0);
	CHECK(pn__marks_rescan(&m) == 0 && m.ndevs == 1 && has(&m, 7, 100) && m.refused == 0);
	pn__marks_close(&m);
	CHECK(m.mountinfo_fd == -1 && m.devs == NULL);
	pn__marks_close(&m); /* twice is harmless */
}

/* The root file system refusing the mark: nothing would be enforced, so
 * the marks are not open, with the reason. */
static void test_root_refused(void)
{
	struct pn__fan_marks m;
	char err[256] = "";

	CHECK(pn__marks_open(&m, -1, FAN_OPEN_EXEC, err, sizeof(err)) == -EBADF);
	CHECK_STR(err, "cannot watch execs on the root file system: Bad file descriptor");
	CHECK(m.ndevs == 0 && m.refused > 0);
	pn__marks_close(&m);
}

int main(void)
{
	char cmd[64];
	int fan;

	if (!mkdtemp(dir))
		return 1;
	fan = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY);
	CHECK(fan >= 0); /* needs CAP_SYS_ADMIN */
	if (fan >= 0)
		test_scan(fan);
	test_root_refused();
	if (fan >= 0)
		close(fan);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd)) {
		/* a temporary directory left behind fails nothing */
	}
	return pn_test_done("test_fan_marks");
}
