/*
 * The driver's device from user mode: opening it with the access a use
 * needs, the protocol check, and the counters.
 */
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include "client.h"

void pnc_print_error(const char *what, DWORD err)
{
	char msg[256] = "";

	FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, err, 0,
		       msg, sizeof(msg), NULL);
	msg[strcspn(msg, "\r\n")] = 0;
	fprintf(stderr, "procnotify: %s: error %lu%s%s\n", what, (unsigned long)err,
		msg[0] ? ": " : "", msg);
}

int pnc_ioctl(HANDLE dev, DWORD code, const void *in, DWORD in_len, void *out, DWORD cap,
	      DWORD *got)
{
	DWORD n = 0;

	if (!DeviceIoControl(dev, code, (void *)in, in_len, out, cap, &n, NULL))
		return -1;
	if (got)
		*got = n;
	return 0;
}

static void pnc_open_failed(const wchar_t *name, DWORD err)
{
	if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND)
		fprintf(stderr, "procnotify: the driver is not loaded (no \\\\.\\%ls); "
				"load it with `sc.exe start procnotify` (see windows/README.md)\n",
			name);
	else if (err == ERROR_ACCESS_DENIED)
		fprintf(stderr, "procnotify: access to \\\\.\\%ls denied: run as Administrator\n",
			name);
	else
		pnc_print_error("cannot open the device", err);
}

/* A driver of another protocol would be misread: say which, and stop. */
static int pnc_check_version(HANDLE dev)
{
	struct pn_win_version v;
	DWORD got = 0;

	if (pnc_ioctl(dev, IOCTL_PN_GET_VERSION, NULL, 0, &v, sizeof(v), &got)) {
		if (GetLastError() == ERROR_INVALID_FUNCTION)
			fprintf(stderr, "procnotify: the driver is older than this client (it has no "
					"version request, protocol 1; this client speaks %u): "
					"install the procnotify.sys built with it\n",
				PN_WIN_PROTOCOL);
		else
			pnc_print_error("asking the driver's version", GetLastError());
		return -1;
	}
	if (got != sizeof(v) || v.protocol != PN_WIN_PROTOCOL) {
		fprintf(stderr, "procnotify: the driver speaks protocol %u, this client %u: "
				"install the procnotify.sys and procnotify.exe of one build\n",
			got == sizeof(v) ? v.protocol : 0, PN_WIN_PROTOCOL);
		return -1;
	}
	return 0;
}

HANDLE pnc_open(const wchar_t *name, enum pnc_use use)
{
	static const DWORD access[] = { GENERIC_READ, 0, GENERIC_WRITE };
	wchar_t path[128];
	HANDLE dev;

	if (swprintf(path, sizeof(path) / sizeof(path[0]), L"\\\\.\\%ls", name) < 0) {
		fprintf(stderr, "procnotify: device name too long\n");
		return INVALID_HANDLE_VALUE;
	}
	dev = CreateFileW(path, access[use], FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
			  OPEN_EXISTING, use == PNC_READER ? FILE_FLAG_OVERLAPPED : 0, NULL);
	if (dev == INVALID_HANDLE_VALUE) {
		pnc_open_failed(name, GetLastError());
		return dev;
	}
	if (pnc_check_version(dev) == 0)
		return dev;
	CloseHandle(dev);
	return INVALID_HANDLE_VALUE;
}

static const char *pnc_routine_name(pn_u32 r)
{
	switch (r) {
	case PN_WIN_ROUTINE_LEGACY: return "legacy";
	case PN_WIN_ROUTINE_EX: return "Ex";
	case PN_WIN_ROUTINE_EX2: return "Ex2";
	}
	return "unknown";
}

int pnc_counters(HANDLE dev)
{
	struct pn_win_counters k;
	DWORD got = 0;

	if (pnc_ioctl(dev, IOCTL_PN_GET_COUNTERS, NULL, 0, &k, sizeof(k), &got)) {
		pnc_print_error("counters", GetLastError());
		return 1;
	}
	if (got != sizeof(k)) { /* the rest of k would be whatever the stack held */
		fprintf(stderr, "procnotify: the driver's counters reply is %lu bytes, expected %lu\n",
			(unsigned long)got, (unsigned long)sizeof(k));
		return 1;
	}
	printf("queued=%llu dropped=%llu read=%llu drops_total=%llu drops_create=%llu "
	       "drops_exit=%llu ring_bytes=%lu ring_used=%lu routine=%s pool=%s "
	       "read_requests=%llu denied=%llu deny_rules=%lu\n",
	       (unsigned long long)k.queued, (unsigned long long)k.dropped,
	       (unsigned long long)k.read, (unsigned long long)k.drops_total,
	       (unsigned long long)k.drops_by_type[PN_REC_CREATE],
	       (unsigned long long)k.drops_by_type[PN_REC_EXIT], (unsigned long)k.ring_bytes,
	       (unsigned long)k.ring_used, pnc_routine_name(k.routine),
	       k.pool2 ? "ExAllocatePool2" : "ExAllocatePoolWithTag",
	       (unsigned long long)k.read_requests, (unsigned long long)k.denied,
	       (unsigned long)k.deny_rules);
	return 0;
}
