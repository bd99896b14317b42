/*
 * The config file: the same rows as the command line, one `key = value` per
 * line (flags take true/false or yes/no), blank lines and lines starting
 * with '#' ignored. The first error stops the read with "FILE:LINE: why".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* A config file is a few dozen lines; anything huge is a mistake. */
#define CONFIG_MAX_BYTES (1 << 20)

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

static size_t find_key(const struct pn_cmd *cmd, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++) {
		const struct pn_opt *r = &cmd->opts[i];

		if (r->name && !(r->flags & PN_OPT_CLI_ONLY) &&
		    (!strcmp(r->name, key) || (r->alias && !strcmp(r->alias, key))))
			return i;
	}
	return n;
}

/* Reads the whole file, NUL-terminated; -errno. */
static int slurp(const char *path, char **text)
{
	FILE *f = fopen(path, "re");
	size_t len;
	int err;

	if (!f)
		return -errno;
	*text = malloc(CONFIG_MAX_BYTES + 1);
	len = *text ? fread(*text, 1, CONFIG_MAX_BYTES + 1, f) : 0;
	err = !*text ? -ENOMEM : ferror(f) ? -EIO : len > CONFIG_MAX_BYTES ? -EFBIG : 0;
	fclose(f);
	if (!err)
		(*text)[len] = 0;
	return err;
}

static int parse_line(const struct pn_cmd *cmd, size_t n, char *line, void *opts,
		      unsigned char *seen, const char *prefix, struct pn_opt_where *at)
{
	char *eq = strchr(line, '='), *key, *value;
	const char *start = line;
	size_t i;

	line = trim(line);
	if (!*line || *line == '#')
		return 0;
	if (!eq) {
		fprintf(stderr, "%sexpected 'key = value'\n", prefix);
		return -1;
	}
	*eq = 0;
	key = trim(line);
	i = find_key(cmd, n, key);
	if (i == n) {
		pn_opt_error(prefix, "unknown key", key, NULL);
		return -1;
	}
	value = trim(eq + 1);
	at->col = (unsigned)(value - start) + 1;
	return pn_opt_apply(cmd, i, value, opts, seen, prefix, key, at) ? -1 : 0;
}

int pn_opt_parse_file(const struct pn_cmd *cmd, const char *path, int must_exist,
		      void *opts, char **text)
{
	size_t n = pn_opt_count(cmd);
	unsigned char seen[n];
	char prefix[strlen(path) + 16];
	char *line, *next;
	unsigned lineno = 1;
	int rc = slurp(path, text);

	if (rc == -ENOENT && !must_exist)
		return 0;
	if (rc) {
		fprintf(stderr, "procnotify: cannot read %s: %s\n", path, strerror(-rc));
		return PN_EXIT_USAGE;
	}
	memset(seen, 0, n);
	for (line = *text; line; lineno++, line = next) {
		struct pn_opt_where at = { path, lineno, 1 };

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		snprintf(prefix, sizeof(prefix), "%s:%u: ", path, lineno);
		if (parse_line(cmd, n, line, opts, seen, prefix, &at))
			return PN_EXIT_USAGE;
	}
	return 0;
}
