/*
 * User and group names for ids, as `query` shows them beside the ids:
 * each id is looked up once (getpwuid_r, getgrgid_r: /etc/passwd, or NSS
 * such as LDAP, which may be slow) and remembered, found or not.
 */
#ifndef PN_CLI_NAMES_H
#define PN_CLI_NAMES_H
#include <stdint.h>
#include "procnotify.h"

struct names_entry;
struct names {
	struct names_entry *slots;  /* open addressing; users and groups apart */
	uint32_t cap, used;
};

/* The name of a uid (group 0) or gid (group 1): a string that lives as
 * long as the cache, or NULL when the id has none (or memory ran out). */
const char *names_get(struct names *n, int group, uint32_t id);
void names_free(struct names *n);

/* A user name or a decimal uid, as --user takes it: 0, or -ENOENT. */
int names_parse_user(const char *s, uint32_t *uid);
#endif
