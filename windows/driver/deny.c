/*
 * The deny rules in force (windows/common/pn_deny.c parses and matches
 * them). A new set replaces the old one whole: it is checked in a private
 * copy first, so a malformed request changes nothing. The set is shared
 * by every creation being checked and taken exclusively only to swap it,
 * so an ERESOURCE, inside a critical region as it requires.
 */
#include "pn_driver.h"
#include "pn_deny.h"

/* One allocation: the parsed set, then the request it points into. */
struct pn_deny_block {
	struct pn_deny_set set;
	ULONG64 req[]; /* 8-aligned, so the UTF-16 strings are aligned */
};

static ERESOURCE pn_deny_lock;
static struct pn_deny_block *pn_deny_rules; /* NULL: no rule */
static BOOLEAN pn_deny_ready;

_IRQL_requires_max_(PASSIVE_LEVEL) void pn_deny_init(void)
{
	PAGED_CODE();
	pn_deny_ready = NT_SUCCESS(ExInitializeResourceLite(&pn_deny_lock));
}

_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_deny_set_rules(const void *req, ULONG len)
{
	struct pn_deny_block *b = NULL, *old;
	ULONG count;

	PAGED_CODE();
	if (!pn_deny_ready)
		return STATUS_INSUFFICIENT_RESOURCES;
	if (!req || len > sizeof(struct pn_win_deny_set) + PN_WIN_DENY_MAX_RULES *
		    (sizeof(struct pn_win_deny_rule) + 4 * PN_WIN_DENY_MAX_UNITS))
		return STATUS_INVALID_PARAMETER;
	b = pn_alloc(sizeof(*b) + len, PN_TAG_DENY);
	if (!b)
		return STATUS_INSUFFICIENT_RESOURCES;
	RtlCopyMemory(b->req, req, len);
	if (pn_deny_parse(b->req, len, &b->set) != 0) {
		ExFreePoolWithTag(b, PN_TAG_DENY);
		return STATUS_INVALID_PARAMETER;
	}
	KeEnterCriticalRegion();
	ExAcquireResourceExclusiveLite(&pn_deny_lock, TRUE);
	old = pn_deny_rules;
	count = b->set.count;
	pn_deny_rules = count ? b : NULL;
	ExReleaseResourceLite(&pn_deny_lock);
	KeLeaveCriticalRegion();
	if (old)
		ExFreePoolWithTag(old, PN_TAG_DENY);
	if (!count)
		ExFreePoolWithTag(b, PN_TAG_DENY);
	PN_LOG("%lu deny rule(s) in force\n", (unsigned long)count);
	return STATUS_SUCCESS;
}

static const pn_u16 *pn_units_of(PCUNICODE_STRING s, pn_u32 *n)
{
	*n = s ? s->Length / sizeof(WCHAR) : 0;
	return s ? (const pn_u16 *)s->Buffer : NULL;
}

_IRQL_requires_max_(APC_LEVEL) int pn_deny_check(PCUNICODE_STRING image, PCUNICODE_STRING cmdline)
{
	pn_u32 ni, nc;
	const pn_u16 *i = pn_units_of(image, &ni), *c = pn_units_of(cmdline, &nc);
	int rule = -1;

	/* No rule, the common case: no lock (a set swapped in meanwhile applies next time). */
	if (!pn_deny_ready || !*(struct pn_deny_block *volatile *)&pn_deny_rules)
		return -1;
	KeEnterCriticalRegion();
	ExAcquireResourceSharedLite(&pn_deny_lock, TRUE);
	if (pn_deny_rules)
		rule = pn_deny_match(&pn_deny_rules->set, i, ni, c, nc);
	ExReleaseResourceLite(&pn_deny_lock);
	KeLeaveCriticalRegion();
	return rule;
}

_IRQL_requires_max_(APC_LEVEL) ULONG pn_deny_rule_count(void)
{
	ULONG n = 0;

	if (!pn_deny_ready)
		return 0;
	KeEnterCriticalRegion();
	ExAcquireResourceSharedLite(&pn_deny_lock, TRUE);
	if (pn_deny_rules)
		n = pn_deny_rules->set.count;
	ExReleaseResourceLite(&pn_deny_lock);
	KeLeaveCriticalRegion();
	return n;
}

/* At unload, after the notify routine and every handle are gone. */
_IRQL_requires_max_(PASSIVE_LEVEL) void pn_deny_free(void)
{
	PAGED_CODE();
	if (pn_deny_rules)
		ExFreePoolWithTag(pn_deny_rules, PN_TAG_DENY);
	pn_deny_rules = NULL;
	if (pn_deny_ready)
		ExDeleteResourceLite(&pn_deny_lock);
	pn_deny_ready = FALSE;
}
