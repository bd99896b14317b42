/* What the subcommands share: their common option values and the log they read. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>
#include "cli.h"

int pn_cli_opt_json(struct pn_opt_call *c)
{
	int json;
	struct pn_opt_call flag = *c;

	flag.dest = &json;
	if (pn_opt_flag(&flag)) {
		memcpy(c->why, flag.why, sizeof(c->why));
		return -1;
	}
	*(enum pn_out_format *)c->dest = json ? PN_OUT_JSON : PN_OUT_TABLE;
	return 0;
}

int pn_cli_opt_format(struct pn_opt_call *c)
{
	static const char *const names[] = { [PN_OUT_TABLE] = "table", [PN_OUT_JSON] = "json",
					     [PN_OUT_CSV] = "csv", [PN_OUT_ECS] = "ecs" };
	struct pn_opt_call word = *c;
	int i;

	word.dest = &i;
	if (pn_opt_enum(&word)) {
		memcpy(c->why, word.why, sizeof(c->why));
		return -1;
	}
	for (size_t f = 0; f < sizeof(names) / sizeof(names[0]); f++)
		if (!strcmp(names[f], c->arg))
			*(enum pn_out_format *)c->dest = (enum pn_out_format)f;
	return 0;
}

/* The PN_MASK bit of one type name; 0 when it names none. */
static uint32_t type_bit(const char *name, size_t len)
{
	char word[16];
	int t;

	if (len >= sizeof(word))
		return 0;
	memcpy(word, name, len);
	word[len] = 0;
	t = pn_event_type_from_name(word);
	return t < 0 ? 0 : PN_MASK(t);
}

int pn_cli_opt_types(struct pn_opt_call *c)
{
	uint32_t *mask = c->dest, bits = PN_MASK(PN_EVENT_LOST);

	for (const char *p = c->arg; ; p++) {
		size_t len = strcspn(p, ",");
		uint32_t bit = type_bit(p, len);

		if (!bit) {
			snprintf(c->why, sizeof(c->why), "unknown event type '%.*s'",
				 (int)(len > 32 ? 32 : len), p);
			return -1;
		}
		bits |= bit;
		p += len;
		if (!*p)
			break;
	}
	*mask = c->again ? *mask | bits : bits;
	return 0;
}

void pn_cli_type_words(pn_buf *b)
{
	for (int t = PN_EVENT_FORK; t < PN_EVENT_TYPE_MAX; t++) {
		const char *n = pn_event_type_name((enum pn_event_type)t);

		if (strcmp(n, "unknown"))
			pn_buf_printf(b, "%s%s", b->len ? " " : "", n);
	}
}

pn_store *pn_cli_open_log(const struct pn_cmd *cmd, const char *path)
{
	pn_store *s;
	char err[256];

	if (!path) {
		pn_opt_usage_error(cmd, "an activity log is needed:", "--db FILE");
		return NULL;
	}
	if (pn_store_open(&s, path, PN_STORE_READ, NULL, err, sizeof(err))) {
		fprintf(stderr, "procnotify: %s: %s\n", path, err);
		return NULL;
	}
	return s;
}

/* A name for the lines of this host among those of many (at most
 * PN_HOST_MAX bytes, as the library takes). It is escaped in every output,
 * but a name with control bytes or spaces only makes a collector's life
 * hard: printable ASCII without spaces, as a DNS name is. */
int pn_cli_opt_hostname(struct pn_opt_call *c)
{
	size_t n = strlen(c->arg);

	for (const char *p = c->arg; *p; p++)
		if (*p <= ' ' || *p > '~')
			n = 0;
	if (n && n <= PN_HOST_MAX) {
		*(const char **)c->dest = c->arg;
		return 0;
	}
	snprintf(c->why, sizeof(c->why), "expected 1 to %d printable ASCII characters, no space",
		 PN_HOST_MAX);
	return -1;
}

int pn_cli_open_page(const char *path)
{
	int fd;

	if (!strcmp(path, "-"))
		return STDOUT_FILENO;
	/* Not through a symbolic link another user planted, and readable by
	 * its owner only, as the log it comes from. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		fprintf(stderr, "procnotify: %s: %s\n", path, strerror(errno));
	return fd;
}

int pn_cli_close_page(const char *path, int fd, int rc)
{
	if (!path || fd == STDOUT_FILENO)
		return rc;
	if (close(fd) && !rc) {
		fprintf(stderr, "procnotify: %s: %s\n", path, strerror(errno));
		rc = -EIO;
	}
	/* Half a page is no page. */
	if (rc)
		unlink(path);
	return rc;
}

const char *pn_cli_machine_id(void)
{
	static char id[64];
	FILE *f = id[0] ? NULL : fopen("/etc/machine-id", "re");

	if (f) {
		if (!fgets(id, sizeof(id), f))
			id[0] = 0;
		id[strcspn(id, "\n")] = 0;
		/* 32 lowercase hex digits (machine-id(5)); anything else is no id. */
		if (strlen(id) != 32 || strspn(id, "0123456789abcdef") != 32)
			id[0] = 0;
		fclose(f);
	}
	return id[0] ? id : NULL;
}
