/* Container ids from cgroup paths (container.h). */
#include <string.h>
#include "container.h"

/* A path component: its bytes and length. */
struct comp {
	const char *s;
	size_t n;
};

static int starts(struct comp c, const char *prefix)
{
	size_t k = strlen(prefix);

	return c.n >= k && !memcmp(c.s, prefix, k);
}

static int ends(struct comp c, const char *suffix)
{
	size_t k = strlen(suffix);

	return c.n >= k && !memcmp(c.s + c.n - k, suffix, k);
}

/* A runtime's id: 64 lower-case hex digits. */
static int is_hex64(const char *s, size_t n)
{
	if (n != 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static size_t put(char *out, size_t cap, const char *s, size_t n)
{
	if (!n || n >= cap)
		return 0;
	memcpy(out, s, n);
	out[n] = 0;
	return n;
}

/* A systemd unit name's escapes undone: "\x2d" is '-' (systemd-escape). */
static size_t unescape(char *out, size_t cap, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t k = 0;

	for (size_t i = 0; i < n; i++, k++) {
		const char *hi, *lo;

		if (k + 1 >= cap)
			return 0;
		if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' && s[i + 2] && s[i + 3] &&
		    (hi = strchr(hex, s[i + 2])) && (lo = strchr(hex, s[i + 3]))) {
			out[k] = (char)((hi - hex) << 4 | (lo - hex));
			i += 3;
		} else {
			out[k] = s[i];
		}
	}
	out[k] = 0;
	return k;
}

/* The prefixes of a scope named <prefix><64 hex>.scope: Docker,
 * containerd's CRI plugin, CRI-O, Podman (libpod-conmon- is not one: its
 * 64 hex are preceded by "conmon-"). */
static const char *const scope_prefixes[] = { "docker-", "cri-containerd-", "crio-", "libpod-" };

/* The id one component names, given the one before it (prev.s NULL at the
 * top); 0 when it names none. */
static size_t comp_id(struct comp prev, struct comp c, char *out, size_t cap)
{
	if (ends(c, ".scope")) {
		struct comp u = { c.s, c.n - 6 };

		for (size_t i = 0; i < sizeof(scope_prefixes) / sizeof(scope_prefixes[0]); i++) {
			size_t k = strlen(scope_prefixes[i]);

			if (starts(u, scope_prefixes[i]) && is_hex64(u.s + k, u.n - k))
				return put(out, cap, u.s + k, u.n - k);
		}
		if (starts(u, "machine-"))
			return unescape(out, cap, u.s + 8, u.n - 8);
	}
	if (is_hex64(c.s, c.n) && prev.s &&
	    (prev.n == 6 && !memcmp(prev.s, "docker", 6) ? 1 : starts(prev, "pod")))
		return put(out, cap, c.s, c.n);
	if (starts(c, "lxc.payload."))
		return put(out, cap, c.s + 12, c.n - 12);
	if (prev.s && prev.n == 3 && !memcmp(prev.s, "lxc", 3))
		return put(out, cap, c.s, c.n);
	return 0;
}

size_t pn__container_id(const char *p, size_t n, char *out, size_t cap)
{
	struct comp prev = { NULL, 0 }, c;
	size_t found = 0, i = 0;
	char id[256];

	while (i < n) {
		size_t k;

		while (i < n && p[i] == '/')
			i++;
		for (k = i; k < n && p[k] != '/'; k++)
			;
		if (k == i)
			break;
		c = (struct comp){ p + i, k - i };
		k = comp_id(prev, c, id, sizeof(id));
		if (k)
			found = put(out, cap, id, k);
		prev = c;
		i += c.n;
	}
	return found;
}
