/*
 * Test builds only (-DPN_TEST_INJECT; never in the release driver): feeds a
 * synthetic process through pn_on_create and pn_on_exit, the code every
 * notify routine ends in, so that notify code -> deny decision -> ring ->
 * IOCTL -> client -> formatter can be tested where Windows never calls the
 * routine (Wine). Only the EPROCESS lookups of pn_notify_ex are left out;
 * the request carries the values they would return (the creator, the
 * FileOpenNameAvailable flag, SeLocateProcessImageName's name). The
 * CreationStatus pn_on_create decides is handed back to the caller.
 */
#include "pn_driver.h"

/* Larger repeats only make a test slower; this one already overflows the ring. */
#define PN_INJECT_REPEAT_MAX 100000

ULONG pn_test_skew;

/* A string of len bytes at p, or NULL (unknown) when len is 0. */
static PCUNICODE_STRING pn_ustr(UNICODE_STRING *s, const void *p, USHORT len)
{
	s->Buffer = (PWCH)p;
	s->Length = s->MaximumLength = len;
	return len ? s : NULL;
}

static BOOLEAN pn_inject_valid(const struct pn_win_inject *rq, ULONG len)
{
	return rq && len >= sizeof(*rq) &&
	       !((rq->image_len | rq->cmdline_len | rq->located_len) & 1) &&
	       len - sizeof(*rq) >= (ULONG)rq->image_len + rq->cmdline_len + rq->located_len &&
	       rq->repeat <= PN_INJECT_REPEAT_MAX;
}

_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_test_inject(const void *in, ULONG len, void *out,
							    ULONG cap, ULONG *got)
{
	const struct pn_win_inject *rq = in;
	UNICODE_STRING image, cmdline, located;
	NTSTATUS creation = STATUS_SUCCESS;
	struct pn_proc p;
	const char *strings;

	PAGED_CODE();
	if (!pn_inject_valid(rq, len))
		return STATUS_INVALID_PARAMETER;
	strings = (const char *)(rq + 1);
	p = (struct pn_proc){
		.pid = ULongToHandle(rq->pid),
		.ppid = ULongToHandle(rq->ppid),
		.creator_pid = ULongToHandle(rq->creator_pid),
		.tid = ULongToHandle(rq->tid),
		.create_time = (LONGLONG)rq->create_time,
		.exit_status = (NTSTATUS)rq->exit_status,
		.image = pn_ustr(&image, strings, rq->image_len),
		.cmdline = pn_ustr(&cmdline, strings + rq->image_len, rq->cmdline_len),
		.located = pn_ustr(&located, strings + rq->image_len + rq->cmdline_len,
				   rq->located_len),
		.image_partial = (rq->flags & PN_WIN_INJECT_NAME_PARTIAL) != 0,
		.can_deny = TRUE,
	};
	for (pn_u32 i = 0; i < (rq->repeat ? rq->repeat : 1); i++) {
		if (!(rq->flags & PN_WIN_INJECT_EXIT_ONLY))
			creation = pn_on_create(&p);
		/* An exit follows even a denied creation, as on Windows for a process whose creation a driver failed. */
		if (!(rq->flags & PN_WIN_INJECT_CREATE_ONLY))
			pn_on_exit(&p);
	}
	if (out && cap >= sizeof(pn_u32)) {
		*(pn_u32 *)out = (pn_u32)creation;
		*got = sizeof(pn_u32);
	}
	return STATUS_SUCCESS;
}

_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_test_set_skew(const void *in, ULONG len)
{
	PAGED_CODE();
	if (!in || len != sizeof(pn_u32))
		return STATUS_INVALID_PARAMETER;
	pn_test_skew = *(const pn_u32 *)in;
	return STATUS_SUCCESS;
}
