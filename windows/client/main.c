/*
 * procnotify.exe: reads procnotify.sys's records through IOCTL_PN_READ_EVENTS
 * and prints them with the same decoder and formatters as the Linux CLI
 * (src/lib/decode.c, src/lib/fmt/), so both print the same table and the
 * same JSON. Every string in a record came from some process: it reaches the
 * output only through those formatters, which escape it. Loss needs nothing
 * of its own here: the driver's ring reports it as lost records in the
 * stream, in place, with their count by type.
 *
 * Usage: procnotify.exe [--json] [--drain] | --counters | --reset-counters
 */
#include <windows.h>
#include <winioctl.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <string.h>
#include "procnotify/decode.h"
#include "procnotify/format.h"
#include "pn_ioctl.h"

/* The driver has no completion event to wait on, so an idle client polls this often. */
#define PN_POLL_MS 100

struct pnc_client {
	HANDLE dev;
	int json;
	int drain;            /* stop when the queue is empty */
	uint64_t seq;
	struct pn__decode_ctx ctx;
	pn_buf out;
};

static volatile LONG pnc_stop;

/* Runs on a thread of its own: only asks the loop to stop. */
static BOOL WINAPI pnc_on_ctrl(DWORD type)
{
	if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT && type != CTRL_CLOSE_EVENT)
		return FALSE;
	InterlockedExchange(&pnc_stop, 1);
	return TRUE;
}

static void pnc_print_error(const char *what, DWORD err)
{
	char msg[256] = "";

	FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, err, 0,
		       msg, sizeof(msg), NULL);
	msg[strcspn(msg, "\r\n")] = 0;
	fprintf(stderr, "procnotify: %s: error %lu%s%s\n", what, (unsigned long)err,
		msg[0] ? ": " : "", msg);
}

/* Opens the driver's device, saying in words what to do when that fails. */
static HANDLE pnc_open_device(void)
{
	HANDLE dev = CreateFileW(PN_WIN_USER_PATH, GENERIC_READ | GENERIC_WRITE, 0, NULL,
				 OPEN_EXISTING, 0, NULL);
	DWORD err = GetLastError();

	if (dev != INVALID_HANDLE_VALUE)
		return dev;
	if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND)
		fprintf(stderr, "procnotify: the driver is not loaded (no \\\\.\\procnotify); "
				"load it with `sc.exe start procnotify` (see windows/README.md)\n");
	else if (err == ERROR_ACCESS_DENIED)
		fprintf(stderr, "procnotify: access to \\\\.\\procnotify denied: run as "
				"Administrator; only one reader may have the device open at a time\n");
	else
		pnc_print_error("cannot open \\\\.\\procnotify", err);
	return INVALID_HANDLE_VALUE;
}

static int pnc_ioctl(HANDLE dev, DWORD code, void *out, DWORD cap, DWORD *got)
{
	DWORD n = 0;

	if (!DeviceIoControl(dev, code, NULL, 0, out, cap, &n, NULL))
		return -1;
	if (got)
		*got = n;
	return 0;
}

static void pnc_emit(struct pnc_client *c, pn_event *ev)
{
	ev->seq = ++c->seq;
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

/* An empty queue: wait, or stop. */
static int pnc_idle(struct pnc_client *c)
{
	if (pnc_flush(c))
		return -1;
	if (c->drain)
		return 1;
	Sleep(PN_POLL_MS);
	return 0;
}

static int pnc_run(struct pnc_client *c)
{
	static unsigned char buf[64 * 1024];
	DWORD got;
	int rc = 0;

	_Static_assert(sizeof(buf) >= PN_WIN_READ_MIN, "a read must hold the largest record");
	if (!c->json) {
		pn_fmt_table_header(&c->out);
		rc = pnc_flush(c);
	}
	while (rc == 0 && !pnc_stop) {
		if (pnc_ioctl(c->dev, IOCTL_PN_READ_EVENTS, buf, sizeof(buf), &got)) {
			pnc_print_error("reading events", GetLastError());
			return 1;
		}
		if (got == 0)
			rc = pnc_idle(c);
		else if (pnc_print_records(c, buf, got) || pnc_flush(c))
			rc = -1;
	}
	return rc < 0 ? 1 : 0;
}

static int pnc_counters(HANDLE dev, int reset)
{
	struct pn_win_counters k;

	if (reset ? pnc_ioctl(dev, IOCTL_PN_RESET_COUNTERS, NULL, 0, NULL)
		  : pnc_ioctl(dev, IOCTL_PN_GET_COUNTERS, &k, sizeof(k), NULL)) {
		pnc_print_error("counters", GetLastError());
		return 1;
	}
	if (!reset)
		printf("queued=%llu dropped=%llu read=%llu drops_total=%llu drops_create=%llu "
		       "drops_exit=%llu ring_bytes=%lu ring_used=%lu routine=%s\n",
		       (unsigned long long)k.queued, (unsigned long long)k.dropped,
		       (unsigned long long)k.read, (unsigned long long)k.drops_total,
		       (unsigned long long)k.drops_by_type[PN_REC_CREATE],
		       (unsigned long long)k.drops_by_type[PN_REC_EXIT], (unsigned long)k.ring_bytes,
		       (unsigned long)k.ring_used, k.notify_ex ? "Ex" : "legacy");
	return 0;
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

static void pnc_usage(FILE *f)
{
	fprintf(f, "usage: procnotify.exe [--json] [--drain]\n"
		   "       procnotify.exe --counters | --reset-counters\n"
		   "Prints process creations and exits that procnotify.sys reports, until Ctrl-C.\n"
		   "  --json            one JSON object per line instead of the table\n"
		   "  --drain           print what is queued, then stop\n"
		   "  --counters        print the driver's counters and stop\n"
		   "  --reset-counters  zero the driver's queued/dropped/read counters\n");
}

int main(int argc, char **argv)
{
	struct pnc_client c = { .ctx = { 0, 0, 'W' } };
	int counters = 0, reset = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			c.json = 1;
		else if (!strcmp(argv[i], "--drain"))
			c.drain = 1;
		else if (!strcmp(argv[i], "--counters"))
			counters = 1;
		else if (!strcmp(argv[i], "--reset-counters"))
			reset = 1;
		else {
			pnc_usage(strcmp(argv[i], "--help") ? stderr : stdout);
			return strcmp(argv[i], "--help") ? 2 : 0;
		}
	}
	/* JSON Lines end in \n on every OS; the console shows UTF-8 names as text. */
	_setmode(_fileno(stdout), _O_BINARY);
	SetConsoleOutputCP(CP_UTF8);
	c.dev = pnc_open_device();
	if (c.dev == INVALID_HANDLE_VALUE)
		return 1;
	if (counters || reset) {
		rc = pnc_counters(c.dev, reset);
	} else {
		c.ctx.boot = pnc_host_id();
		SetConsoleCtrlHandler(pnc_on_ctrl, TRUE);
		rc = pnc_run(&c);
	}
	pn_buf_free(&c.out);
	CloseHandle(c.dev);
	return rc;
}
