/*
 * Test builds only (-DPN_TEST_INJECT; never in the release driver): feeds a
 * synthetic process through pn_on_create and pn_on_exit, the code every
 * notify routine ends in, so that notify code -> ring -> IOCTL -> client ->
 * formatter can be tested where Windows never calls the routine (Wine).
 * Only the EPROCESS lookups of pn_notify_ex are left out; the request
 * carries the values they would return.
 */
#include "pn_driver.h"

/* Larger repeats only make a test slower; this one already overflows the ring. */
#define PN_INJECT_REPEAT_MAX 100000

/* PASSIVE_LEVEL. A string of len bytes at p, or NULL (unknown) when len is 0. */
static PCUNICODE_STRING pn_ustr(UNICODE_STRING *s, const void *p, USHORT len)
{
	s->Buffer = (PWCH)p;
	s->Length = s->MaximumLength = len;
	return len ? s : NULL;
}

NTSTATUS pn_test_inject(const void *in, ULONG len)
{
	const struct pn_win_inject *rq = in;
	UNICODE_STRING image, cmdline;
	struct pn_proc p;
	const char *strings;

	if (!in || len < sizeof(*rq) || ((rq->image_len | rq->cmdline_len) & 1) ||
	    len - sizeof(*rq) < (ULONG)rq->image_len + rq->cmdline_len ||
	    rq->repeat > PN_INJECT_REPEAT_MAX)
		return STATUS_INVALID_PARAMETER;
	strings = (const char *)(rq + 1);
	p = (struct pn_proc){
		.pid = ULongToHandle(rq->pid),
		.ppid = ULongToHandle(rq->ppid),
		.tid = ULongToHandle(rq->tid),
		.create_time = (LONGLONG)rq->create_time,
		.exit_status = (NTSTATUS)rq->exit_status,
		.image = pn_ustr(&image, strings, rq->image_len),
		.cmdline = pn_ustr(&cmdline, strings + rq->image_len, rq->cmdline_len),
	};
	for (pn_u32 i = 0; i < (rq->repeat ? rq->repeat : 1); i++) {
		pn_on_create(&p);
		pn_on_exit(&p);
	}
	return STATUS_SUCCESS;
}
