/*
 * procnotify.exe: reads procnotify.sys's records and prints them with the
 * same decoder and formatters as the Linux CLI (src/lib/decode.c,
 * src/lib/fmt/), so both print the same table and the same JSON. Every
 * string in a record came from some process: it reaches the output only
 * through those formatters, which escape it. Loss needs nothing of its own
 * here: the driver's ring reports it as lost records in the stream, in
 * place, with their count by type.
 *
 * No polling: the client keeps one IOCTL_PN_WAIT_EVENTS pending, which the
 * driver completes when a record arrives, so an idle client costs nothing
 * and a record reaches it as soon as the driver queues it.
 *
 * Usage: see pnc_usage.
 */
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include "procnotify/decode.h"
#include "procnotify/format.h"
#include "client.h"

struct pnc_client {
	HANDLE dev;
	HANDLE stop;          /* set by Ctrl-C */
	int json;
	int drain;            /* stop when the queue is empty */
	uint64_t seq;
	struct pn__decode_ctx ctx;
	char host[PN_HOST_MAX + 1]; /* every event's host: the computer's DNS name */
	pn_buf out;
};

static HANDLE pnc_stop_event;

/* Runs on a thread of its own: only asks the loop to stop. */
static BOOL WINAPI pnc_on_ctrl(DWORD type)
{
	if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT && type != CTRL_CLOSE_EVENT)
		return FALSE;
	SetEvent(pnc_stop_event);
	return TRUE;
}

static void pnc_emit(struct pnc_client *c, pn_event *ev)
{
	ev->seq = ++c->seq;
	ev->host = (pn_str){ c->host, strlen(c->host) };
	ev->have |= ev->host.len ? PN_HAVE_HOST : 0;
	if (c->json)
		pn_fmt_json(&c->out, ev);
	else
		pn_fmt_table_row(&c->out, ev);
}

/* Decodes the records of one read; the decoder checks every size and offset. */
static int pnc_print_records(struct pnc_client *c, const unsigned char *p, DWORD len)
{
	while (len >= sizeof(struct pn_rec_hdr)) {
		struct pn_rec_hdr h;
		pn_event ev;

		memcpy(&h, p, sizeof(h));
		if (h.size < sizeof(h) || h.size > len)
			break;
		if (pn__decode(p, h.size, &c->ctx, &ev) == 0)
			pnc_emit(c, &ev);
		else
			fprintf(stderr, "procnotify: skipped a malformed record (type %u)\n", h.type);
		p += h.size;
		len -= h.size;
	}
	if (len == 0)
		return 0;
	fprintf(stderr, "procnotify: the driver returned a malformed read\n");
	return -1;
}

static int pnc_flush(struct pnc_client *c)
{
	int bad = c->out.oom || fwrite(c->out.data, 1, c->out.len, stdout) != c->out.len ||
		  fflush(stdout) != 0;

	pn_buf_reset(&c->out);
	if (bad)
		fprintf(stderr, "procnotify: cannot write the output\n");
	return bad ? -1 : 0;
}

/*
 * One read: with --drain, of what is queued now; else a wait the driver
 * completes when records arrive. Returns 1 with *got set, 0 when asked to
 * stop, -1 on error.
 */
static int pnc_read(struct pnc_client *c, void *buf, DWORD cap, DWORD *got)
{
	OVERLAPPED ov = { .hEvent = CreateEventW(NULL, TRUE, FALSE, NULL) };
	DWORD code = c->drain ? IOCTL_PN_READ_EVENTS : IOCTL_PN_WAIT_EVENTS;
	HANDLE both[2] = { ov.hEvent, c->stop };
	BOOL ok;
	int rc = 1;

	if (!ov.hEvent)
		return -1;
	ok = DeviceIoControl(c->dev, code, NULL, 0, buf, cap, got, &ov);
	if (!ok && GetLastError() == ERROR_IO_PENDING) {
		if (WaitForMultipleObjects(2, both, FALSE, INFINITE) != WAIT_OBJECT_0) {
			CancelIoEx(c->dev, &ov);
			rc = 0;
		}
		ok = GetOverlappedResult(c->dev, &ov, got, TRUE);
		if (!ok && GetLastError() == ERROR_OPERATION_ABORTED && rc == 0)
			ok = TRUE, *got = 0;
		else if (ok && *got)
			rc = 1; /* completed as Ctrl-C came: print it, then stop */
	}
	CloseHandle(ov.hEvent);
	if (ok)
		return rc;
	if (GetLastError() == ERROR_SHARING_VIOLATION)
		fprintf(stderr, "procnotify: another reader is reading events from the driver; "
				"only one may at a time\n");
	else
		pnc_print_error("reading events", GetLastError());
	return -1;
}

static int pnc_run(struct pnc_client *c)
{
	static unsigned char buf[64 * 1024];
	DWORD got = 0;
	int rc = 0, r = 1;

	_Static_assert(sizeof(buf) >= PN_WIN_READ_MIN, "a read must hold the largest record");
	if (!c->json) {
		pn_fmt_table_header(&c->out);
		rc = pnc_flush(c);
	}
	/* Ctrl-C is seen here too: under a steady stream no wait ever pends. */
	while (rc == 0 && WaitForSingleObject(c->stop, 0) != WAIT_OBJECT_0 &&
	       (r = pnc_read(c, buf, sizeof(buf), &got)) > 0) {
		if (got == 0 && c->drain)
			break;
		if (pnc_print_records(c, buf, got) || pnc_flush(c))
			rc = -1;
	}
	return rc < 0 || r < 0 ? 1 : 0;
}

/* Keys name the host: create times are wall clock, so no boot id is needed. */
static uint64_t pnc_host_id(void)
{
	char guid[64] = "";
	DWORD n = sizeof(guid);

	if (RegGetValueA(HKEY_LOCAL_MACHINE, "SOFTWARE\\Microsoft\\Cryptography", "MachineGuid",
			 RRF_RT_REG_SZ, NULL, guid, &n) != ERROR_SUCCESS) {
		n = sizeof(guid);
		GetComputerNameA(guid, &n);
	}
	return pn__hash64(guid, strlen(guid));
}

static int pnc_usage(FILE *f, int rc)
{
	fprintf(f, "usage: procnotify.exe [--device NAME] [--json] [--drain]\n"
		   "       procnotify.exe [--device NAME] --counters | --reset-counters\n"
		   "       procnotify.exe [--device NAME] --deny RULE [--deny RULE]... | --deny-clear\n"
		   "Prints process creations and exits that procnotify.sys reports, until Ctrl-C.\n"
		   "  --json            one JSON object per line instead of the table\n"
		   "  --drain           print what is queued, then stop\n"
		   "  --counters        print the driver's counters and stop\n"
		   "  --reset-counters  zero the driver's queued/dropped/read counters\n"
		   "  --deny RULE       refuse creations that match: image=GLOB and/or\n"
		   "                    cmdline=TEXT, separated by a tab; the rules given\n"
		   "                    replace the driver's (windows/README.md)\n"
		   "  --deny-clear      remove every deny rule\n"
		   "  --device NAME     \\\\.\\NAME instead of \\\\.\\procnotify (the test\n"
		   "                    build's device is procnotify-test)\n");
	return rc;
}

struct pnc_opts {
	const wchar_t *device;
	int counters, reset, deny_clear, ndeny;
	wchar_t **deny; /* argv entries of the --deny values, in place */
};

/* Returns -1 when the options are good, else the exit status. */
static int pnc_parse(int argc, wchar_t **argv, struct pnc_client *c, struct pnc_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const wchar_t *a = argv[i];

		if (!wcscmp(a, L"--json"))
			c->json = 1;
		else if (!wcscmp(a, L"--drain"))
			c->drain = 1;
		else if (!wcscmp(a, L"--counters"))
			o->counters = 1;
		else if (!wcscmp(a, L"--reset-counters"))
			o->reset = 1;
		else if (!wcscmp(a, L"--deny-clear"))
			o->deny_clear = 1;
		else if (!wcscmp(a, L"--deny") && i + 1 < argc)
			o->deny[o->ndeny++] = argv[++i];
		else if (!wcscmp(a, L"--device") && i + 1 < argc)
			o->device = argv[++i];
		else
			return pnc_usage(wcscmp(a, L"--help") ? stderr : stdout, wcscmp(a, L"--help") ? 2 : 0);
	}
	return -1;
}

/* The one-shot requests: counters, reset, deny rules. */
static int pnc_control(struct pnc_opts *o)
{
	HANDLE dev = pnc_open(o->device, o->counters ? PNC_QUERY : PNC_CONTROL);
	int rc = 1;

	if (dev == INVALID_HANDLE_VALUE)
		return 1;
	if (o->counters)
		rc = pnc_counters(dev);
	else if (o->reset && pnc_ioctl(dev, IOCTL_PN_RESET_COUNTERS, NULL, 0, NULL, 0, NULL))
		pnc_print_error("resetting the counters", GetLastError());
	else if (o->reset)
		rc = 0;
	else
		rc = pnc_set_deny(dev, o->deny, o->ndeny);
	CloseHandle(dev);
	return rc;
}

int wmain(int argc, wchar_t **argv)
{
	struct pnc_client c = { .ctx = { 0, 0, 'W' } };
	struct pnc_opts o = { .device = L"procnotify", .deny = argv };
	int rc = pnc_parse(argc, argv, &c, &o);

	if (rc >= 0)
		return rc;
	/* JSON Lines end in \n on every OS; the console shows UTF-8 names as text. */
	_setmode(_fileno(stdout), _O_BINARY);
	SetConsoleOutputCP(CP_UTF8);
	if (o.counters || o.reset || o.deny_clear || o.ndeny)
		return pnc_control(&o);
	c.stop = pnc_stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
	c.dev = pnc_open(o.device, PNC_READER);
	if (c.dev == INVALID_HANDLE_VALUE || !c.stop)
		return 1;
	c.ctx.boot = pnc_host_id();
	{
		DWORD n = sizeof(c.host);

		if (!GetComputerNameExA(ComputerNameDnsHostname, c.host, &n))
			c.host[0] = 0;
	}
	SetConsoleCtrlHandler(pnc_on_ctrl, TRUE);
	rc = pnc_run(&c);
	pn_buf_free(&c.out);
	CloseHandle(c.dev);
	return rc;
}
