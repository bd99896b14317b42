/*
 * The fields a rule may test: every row of PN_FIELD_MAP (procnotify/fields.h)
 * under its own name, but the process keys, and the few that are not event
 * members: type, user, image_sha256, parent.image, ancestor.image and
 * cgroup. Then how each kind reads its value and which operators it takes.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "procnotify/format.h"
#include "rules_internal.h"

/* The cgroup v2 hierarchy: a cgroup's id is its directory's inode number. */
#define PN_CGROUP_ROOT "/sys/fs/cgroup"
#define PN_PASSWD "/etc/passwd"

#define MEMBER_SIZE(name) sizeof(((pn_event *)0)->name)
#define NUM(name, have, types, sgn) \
	{ #name, RK_NUM, RV_PLAIN, offsetof(pn_event, name), MEMBER_SIZE(name), sgn, have, types, 0 },
#define RF_u32(name, have, types) NUM(name, PN_HAVE_##have, types, 0)
#define RF_u64(name, have, types) NUM(name, PN_HAVE_##have, types, 0)
#define RF_i32(name, have, types) NUM(name, PN_HAVE_##have, types, 1)
#define RF_i64(name, have, types) NUM(name, PN_HAVE_##have, types, 1)
#define RF_str(name, have, types) \
	{ #name, RK_STR, RV_PLAIN, offsetof(pn_event, name), 0, 0, PN_HAVE_##have, types, 0 },
#define RF_argv(name, have, types) \
	{ #name, RK_ARGV, RV_PLAIN, offsetof(pn_event, name), 0, 0, PN_HAVE_##have, types, 0 },
#define RF_tty(name, have, types) \
	{ #name, RK_TTY, RV_PLAIN, offsetof(pn_event, name), MEMBER_SIZE(name), 0, PN_HAVE_##have, types, 0 },
#define RF_dev(name, have, types) \
	{ #name, RK_DEV, RV_PLAIN, offsetof(pn_event, name), 0, 0, PN_HAVE_##have, types, 0 },
#define RF_flag(name, have, types) { #name, RK_FLAG, RV_PLAIN, 0, 0, 0, PN_EV_##have, types, 0 },
#define RF_key(name, have, types) /* a key is no value a rule can spell */
#define RF_ROW(name, kind, have, types, ...) RF_##kind(name, have, types)

static const struct pn__rfield table_fields[] = { PN_FIELD_MAP(RF_ROW) };

#define EXIT_MASK PN_MASK(PN_EVENT_EXIT)
#define PROC_MASK (PN__MASK_TYPES & ~PN_MASK(PN_EVENT_LOST))

/* Not members of their own, or read differently from their row. */
static const struct pn__rfield extra_fields[] = {
	{ "type", RK_TYPE, RV_PLAIN, 0, 0, 0, 0, PN__MASK_TYPES, 0 },
	{ "user", RK_NUM, RV_USER, offsetof(pn_event, uid), MEMBER_SIZE(uid), 0, PN_HAVE_UID,
	  PROC_MASK, 0 },
	{ "image_sha256", RK_SHA256, RV_PLAIN, 0, 0, 0, 0, PROC_MASK, 0 },
	{ "parent.image", RK_ANCESTOR, RV_PLAIN, 0, 0, 0, 0, PROC_MASK, 1 },
	{ "ancestor.image", RK_ANCESTOR, RV_PLAIN, 0, 0, 0, 0, PROC_MASK, 0 },
	{ "cgroup", RK_NUM, RV_CGROUP, offsetof(pn_event, cgroup_id), MEMBER_SIZE(cgroup_id), 0,
	  0, PN_MASK(PN_EVENT_EXEC) | PN_MASK(PN_EVENT_CREATE), 0 },
	/* Names for signals; mnt_ns=host. */
	{ "signal", RK_NUM, RV_SIGNAL, offsetof(pn_event, signal), MEMBER_SIZE(signal), 1, 0,
	  EXIT_MASK, 0 },
	{ "mnt_ns", RK_NUM, RV_MNT_NS, offsetof(pn_event, mnt_ns), MEMBER_SIZE(mnt_ns), 0,
	  PN_HAVE_NS, PN_MASK(PN_EVENT_EXEC), 0 },
	/* Unknown after a signal, as JSON's null says; unsigned, as every
	 * output writes it (a Windows status 0xC0000005 is 3221225477). */
	{ "exit_code", RK_NUM, RV_EXIT_CODE, offsetof(pn_event, exit_code), MEMBER_SIZE(exit_code),
	  0, 0, EXIT_MASK, 0 },
};

/* What mnt_ns=host compiles to. */
static const struct pn__rfield mnt_host = { "mnt_ns", RK_MNT_HOST, RV_PLAIN, 0, 0, 0, PN_HAVE_NS,
					    PN_MASK(PN_EVENT_EXEC), 0 };

static const struct pn__rfield *find_in(const struct pn__rfield *t, size_t n, const char *name,
					size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(t[i].name) == len && !memcmp(t[i].name, name, len))
			return &t[i];
	return NULL;
}

const struct pn__rfield *pn__rfield_find(const char *name, size_t len)
{
	/* The tags are what rules produce: a live rule runs before they
	 * exist, so a test of them could never agree with a query's. */
	if (len == 5 && !memcmp(name, "rules", 5))
		return NULL;
	const struct pn__rfield *f =
		find_in(extra_fields, sizeof(extra_fields) / sizeof(extra_fields[0]), name, len);

	return f ? f : find_in(table_fields, sizeof(table_fields) / sizeof(table_fields[0]), name,
			      len);
}

/* ---- values ---- */

static int parse_int(const char *s, int is_signed, unsigned size, int64_t *out)
{
	char *end;

	/* strtoll would take blanks and a '+' too. */
	if (!((*s >= '0' && *s <= '9') || (is_signed && *s == '-')))
		return -EINVAL;
	errno = 0;
	if (is_signed) {
		long long v = strtoll(s, &end, 10);

		if (size == 4 && (v < INT32_MIN || v > INT32_MAX))
			errno = ERANGE;
		*out = v;
	} else {
		unsigned long long u = strtoull(s, &end, 10);

		if (size == 4 && u > UINT32_MAX)
			errno = ERANGE;
		*out = (int64_t)u;
	}
	if (end == s || *end)
		return -EINVAL;
	return errno ? -ERANGE : 0;
}

static int signal_number(const char *s)
{
	for (int sig = 1; pn_signal_name(sig); sig++) {
		const char *name = pn_signal_name(sig);

		if (!strcmp(s, name) || !strcmp(s, name + 3))
			return sig;
	}
	return -1;
}

/* From /etc/passwd itself, never through NSS: a sandboxed monitor that
 * rereads its rules may not open sockets (nscd, sssd). */
static int user_uid(const char *name, int64_t *uid)
{
	FILE *f = fopen(PN_PASSWD, "re");
	struct passwd *pw;
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while ((pw = fgetpwent(f)))
		if (!strcmp(pw->pw_name, name)) {
			*uid = pw->pw_uid;
			rc = 0;
			break;
		}
	fclose(f);
	return rc;
}

static int cgroup_id(const char *path, int64_t *id)
{
	char full[PATH_MAX];
	struct stat st;

	if (path[0] != '/' || strstr(path, "/..") ||
	    snprintf(full, sizeof(full), PN_CGROUP_ROOT "%s", path) >= (int)sizeof(full))
		return -EINVAL;
	if (stat(full, &st) || !S_ISDIR(st.st_mode))
		return -ENOENT;
	*id = (int64_t)st.st_ino;
	return 0;
}

/* A number, or the word a field takes instead (a signal, a user, ...). */
static int num_value(struct pn__rnode *n, const char *value, char *whybuf, size_t whylen,
		     const char **why)
{
	const struct pn__rfield *f = n->f;
	int sig;

	if (f->value == RV_SIGNAL && (sig = signal_number(value)) > 0) {
		n->v.num = sig;
		return 0;
	}
	if (f->value == RV_USER && parse_int(value, 0, 4, &n->v.num)) {
		if (user_uid(value, &n->v.num) == 0)
			return 0;
		*why = "no such user in " PN_PASSWD;
		return -EINVAL;
	}
	if (f->value == RV_CGROUP) {
		if (cgroup_id(value, &n->v.num) == 0)
			return 0;
		*why = "no such cgroup: give its path under " PN_CGROUP_ROOT ", from /";
		return -EINVAL;
	}
	if (f->value == RV_USER)
		return 0;
	if (parse_int(value, f->is_signed, f->size, &n->v.num) == 0)
		return 0;
	snprintf(whybuf, whylen, "%s takes %s%s", f->name,
		 f->is_signed ? "an integer" : "a number from 0",
		 f->value == RV_SIGNAL ? " or a signal name (KILL, SIGKILL)"
		 : f->value == RV_MNT_NS ? " or host" : f->size == 4 ? " that fits 32 bits" : "");
	*why = whybuf;
	return -EINVAL;
}

static int str_value(struct pn__rnode *n, const char *value, char *whybuf, size_t whylen,
		     const char **why)
{
	int rc;

	switch (n->op) {
	case OP_EQ: case OP_NE:
		return pn__glob_compile(&n->v.glob, value, why);
	case OP_SUB:
		n->v.sub.len = strlen(value);
		n->v.sub.s = strdup(value);
		return n->v.sub.s ? 0 : -ENOMEM;
	default:
		rc = pn__ere_compile(&n->v.re, value, whybuf, whylen);
		if (rc)
			*why = whybuf;
		return rc;
	}
}

static int hex_value(struct pn__rnode *n, const char *value, const char **why)
{
	if (strlen(value) != 64)
		goto bad;
	for (int i = 0; i < 32; i++) {
		int hi = value[2 * i], lo = value[2 * i + 1];
		char pair[3] = { (char)hi, (char)lo, 0 };
		char *end;

		if (!strchr("0123456789abcdefABCDEF", hi) || !strchr("0123456789abcdefABCDEF", lo))
			goto bad;
		n->v.sha[i] = (uint8_t)strtoul(pair, &end, 16);
	}
	return 0;
bad:
	*why = "image_sha256 takes 64 hex digits";
	return -EINVAL;
}

static int type_value(struct pn__rnode *n, const char *value, const char **why)
{
	int t = pn_event_type_from_name(value);

	if (t < 0) {
		*why = "unknown event type";
		return -EINVAL;
	}
	n->v.num = t;
	return 0;
}

static int dev_value(struct pn__rnode *n, const char *value, const char **why)
{
	unsigned maj, min;
	int used = 0;

	if (sscanf(value, "%u:%u%n", &maj, &min, &used) != 2 || value[used] || value[0] == '-') {
		*why = "a device is MAJOR:MINOR";
		return -EINVAL;
	}
	n->v.dev = (pn_dev){ maj, min };
	return 0;
}

static int flag_value(struct pn__rnode *n, const char *value, const char **why)
{
	if (!strcmp(value, "true") || !strcmp(value, "1"))
		n->v.flag = 1;
	else if (!strcmp(value, "false") || !strcmp(value, "0"))
		n->v.flag = 0;
	else {
		*why = "a flag is true or false";
		return -EINVAL;
	}
	return 0;
}

/* Which operators a kind takes. */
static int op_allowed(enum pn__rkind k, enum pn__op op)
{
	switch (k) {
	case RK_NUM: return op != OP_SUB && op != OP_RE;
	case RK_STR: case RK_TTY: case RK_ARGV: case RK_ANCESTOR:
		return op == OP_EQ || op == OP_NE || op == OP_SUB || op == OP_RE;
	default: return op == OP_EQ || op == OP_NE;
	}
}

int pn__rnode_value(struct pn__rnode *n, const char *value, char *whybuf, size_t whylen,
		    const char **why)
{
	if (!op_allowed(n->f->kind, n->op)) {
		snprintf(whybuf, whylen, "%s takes %s", n->f->name,
			 n->f->kind == RK_NUM ? "= != < <= > >=" :
			 n->f->kind == RK_STR || n->f->kind == RK_TTY || n->f->kind == RK_ARGV ||
			 n->f->kind == RK_ANCESTOR ? "= != *= ~=" : "= or != only");
		*why = whybuf;
		return -EINVAL;
	}
	if (n->f->value == RV_MNT_NS && !strcmp(value, "host")) {
		if (n->op != OP_EQ && n->op != OP_NE) {
			*why = "mnt_ns=host and mnt_ns!=host only";
			return -EINVAL;
		}
		/* The host's namespace or not: the flag the library sets. */
		n->f = &mnt_host;
		n->v.flag = n->op == OP_EQ;
		return 0;
	}
	switch (n->f->kind) {
	case RK_NUM: return num_value(n, value, whybuf, whylen, why);
	case RK_STR: case RK_TTY: case RK_ARGV: case RK_ANCESTOR: return str_value(n, value, whybuf, whylen, why);
	case RK_SHA256: return hex_value(n, value, why);
	case RK_TYPE: return type_value(n, value, why);
	case RK_DEV: return dev_value(n, value, why);
	case RK_FLAG: return flag_value(n, value, why);
	default: *why = "this field takes no value"; return -EINVAL;
	}
}

void pn__rnode_free(struct pn__rnode *n)
{
	if (n->kind != N_TEST || n->op == OP_SET)
		return;
	switch (n->f->kind) {
	case RK_STR: case RK_TTY: case RK_ARGV: case RK_ANCESTOR:
		if (n->op == OP_SUB)
			free(n->v.sub.s);
		else if (n->op == OP_RE && n->v.re) {
			regfree(n->v.re);
			free(n->v.re);
		} else if (n->op != OP_RE)
			pn__glob_free(&n->v.glob);
		break;
	default:
		break;
	}
}
