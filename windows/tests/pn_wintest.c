/*
 * Wine test helper for procnotify.sys.
 *
 * pn_wintest.exe malformed test|release
 *   Sends malformed requests and checks that each fails with the expected
 *   error and that the driver still answers afterwards. Prints "ok <case>"
 *   or "bad <case>: <why>" per case; exits 1 if any case was bad. The
 *   argument says which driver build is loaded.
 * pn_wintest.exe inject PID PPID TID STATUS CREATE_TIME REPEAT IMAGE [CMDLINE]
 *   Test build only: has the driver report REPEAT create/exit pairs of this
 *   synthetic process. Numbers may be hex (0x...); CREATE_TIME is in 100 ns
 *   units since 1601; an empty IMAGE and an absent CMDLINE mean unknown.
 * pn_wintest.exe discard BYTES
 *   One read of at most BYTES bytes, thrown away: frees room in a full queue.
 * pn_wintest.exe cycles SERVICE N
 *   Starts and stops the driver's service N times through the service control
 *   manager, checking each time that the device answers while it runs and is
 *   gone once it stopped. Prints "ok cycles N" or "bad cycles: <why>".
 */
#include <windows.h>
#include <winioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "pn_ioctl.h"

static int bad_cases;

/* Sends one request and compares the outcome with the expected error (0: success). */
static void expect(const char *name, HANDLE dev, DWORD code, void *in, DWORD in_len, void *out,
		   DWORD out_len, DWORD want)
{
	DWORD got = 0, err = 0;

	if (!DeviceIoControl(dev, code, in, in_len, out, out_len, &got, NULL))
		err = GetLastError();
	if (err == want) {
		printf("ok %s\n", name);
		return;
	}
	printf("bad %s: error %lu, expected %lu\n", name, (unsigned long)err, (unsigned long)want);
	bad_cases++;
}

/* An inject request with a 2-byte image "A", sizes as the case wants them. */
struct inject_req {
	struct pn_win_inject rq;
	WCHAR strings[4];
};

static void inject_cases(HANDLE dev, int test_build)
{
	struct inject_req r = { { .pid = 4242, .ppid = 4, .exit_status = 0, .image_len = 2 },
				{ L'A', L'B', 0, 0 } };
	DWORD denied = test_build ? ERROR_INVALID_PARAMETER : ERROR_INVALID_FUNCTION;

	expect("inject-short-input", dev, IOCTL_PN_TEST_INJECT, &r, 4, NULL, 0, denied);
	expect("inject-null-input", dev, IOCTL_PN_TEST_INJECT, NULL, 0, NULL, 0, denied);
	r.rq.image_len = 3;
	expect("inject-odd-string-length", dev, IOCTL_PN_TEST_INJECT, &r, sizeof(r), NULL, 0, denied);
	r.rq.image_len = 2;
	r.rq.cmdline_len = 0xfffe;
	expect("inject-string-past-end", dev, IOCTL_PN_TEST_INJECT, &r, sizeof(r), NULL, 0, denied);
	r.rq.cmdline_len = 0;
	r.rq.repeat = 0xffffffff;
	expect("inject-huge-repeat", dev, IOCTL_PN_TEST_INJECT, &r, sizeof(r), NULL, 0, denied);
	r.rq.repeat = 1;
	expect(test_build ? "inject-valid" : "inject-absent-in-release", dev, IOCTL_PN_TEST_INJECT,
	       &r, sizeof(r), NULL, 0, test_build ? 0 : ERROR_INVALID_FUNCTION);
}

static void read_cases(HANDLE dev, int test_build)
{
	unsigned char small[8], big[PN_WIN_READ_MIN];
	struct pn_win_counters k;
	DWORD got = 0;

	expect("read-null-output", dev, IOCTL_PN_READ_EVENTS, NULL, 0, NULL, 0,
	       ERROR_INSUFFICIENT_BUFFER);
	expect("read-output-shorter-than-header", dev, IOCTL_PN_READ_EVENTS, NULL, 0, small,
	       sizeof(small), ERROR_INSUFFICIENT_BUFFER);
	/* With an event queued (test build), a buffer that cannot hold it must fail... */
	if (test_build)
		expect("read-output-shorter-than-record", dev, IOCTL_PN_READ_EVENTS, NULL, 0, big,
		       sizeof(struct pn_rec_hdr) + 1, ERROR_INSUFFICIENT_BUFFER);
	/* ...and leave it queued for a read that fits. */
	if (test_build && !(DeviceIoControl(dev, IOCTL_PN_READ_EVENTS, NULL, 0, big, sizeof(big),
					     &got, NULL) && got > sizeof(struct pn_rec_hdr))) {
		printf("bad read-after-short-read: got %lu bytes\n", (unsigned long)got);
		bad_cases++;
	} else if (test_build) {
		printf("ok read-after-short-read\n");
	}
	expect("counters-null-output", dev, IOCTL_PN_GET_COUNTERS, NULL, 0, NULL, 0,
	       ERROR_INSUFFICIENT_BUFFER);
	expect("counters-short-output", dev, IOCTL_PN_GET_COUNTERS, NULL, 0, &k, sizeof(k) - 1,
	       ERROR_INSUFFICIENT_BUFFER);
}

static int malformed(HANDLE dev, int test_build)
{
	struct pn_win_counters k;

	expect("unknown-code", dev, PN_WIN_IOCTL(0x8ff, FILE_ANY_ACCESS), NULL, 0, NULL, 0,
	       ERROR_INVALID_FUNCTION);
	expect("foreign-device-code", dev, CTL_CODE(FILE_DEVICE_DISK, 0x800, METHOD_BUFFERED, 0),
	       &k, sizeof(k), &k, sizeof(k), ERROR_INVALID_FUNCTION);
	inject_cases(dev, test_build);
	read_cases(dev, test_build);
	/* The driver still works after all that. */
	expect("counters-after-abuse", dev, IOCTL_PN_GET_COUNTERS, NULL, 0, &k, sizeof(k), 0);
	return bad_cases ? 1 : 0;
}

/* argv: PID PPID TID STATUS CREATE_TIME REPEAT IMAGE [CMDLINE] */
static int inject(HANDLE dev, int argc, wchar_t **argv)
{
	static unsigned char buf[sizeof(struct pn_win_inject) + 2 * 0xfffe];
	struct pn_win_inject *rq = (void *)buf;
	size_t img = wcslen(argv[6]) * sizeof(WCHAR);
	size_t cmd = argc > 7 ? wcslen(argv[7]) * sizeof(WCHAR) : 0;
	DWORD got;

	if (img > 0xfffe || cmd > 0xfffe)
		return 2;
	*rq = (struct pn_win_inject){
		.pid = wcstoul(argv[0], NULL, 0), .ppid = wcstoul(argv[1], NULL, 0),
		.tid = wcstoul(argv[2], NULL, 0), .exit_status = wcstoul(argv[3], NULL, 0),
		.create_time = wcstoull(argv[4], NULL, 0), .repeat = wcstoul(argv[5], NULL, 0),
		.image_len = (pn_u16)img, .cmdline_len = (pn_u16)cmd,
	};
	memcpy(rq + 1, argv[6], img);
	if (cmd)
		memcpy((char *)(rq + 1) + img, argv[7], cmd);
	if (DeviceIoControl(dev, IOCTL_PN_TEST_INJECT, buf, (DWORD)(sizeof(*rq) + img + cmd), NULL,
			    0, &got, NULL))
		return 0;
	printf("bad inject: error %lu\n", (unsigned long)GetLastError());
	return 1;
}

static int discard(HANDLE dev, DWORD bytes)
{
	static unsigned char buf[PN_WIN_READ_MIN];
	DWORD got;

	if (bytes > sizeof(buf) || !DeviceIoControl(dev, IOCTL_PN_READ_EVENTS, NULL, 0, buf, bytes,
						    &got, NULL))
		return 1;
	printf("discarded %lu bytes\n", (unsigned long)got);
	return 0;
}

static HANDLE open_device(void)
{
	return CreateFileW(PN_WIN_USER_PATH, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
			   0, NULL);
}

/* Polls the service until it reaches state, for up to 10 s. */
static int wait_state(SC_HANDLE svc, DWORD state)
{
	SERVICE_STATUS st;

	for (int i = 0; i < 1000; i++) {
		if (!QueryServiceStatus(svc, &st))
			return 0;
		if (st.dwCurrentState == state)
			return 1;
		Sleep(10);
	}
	return 0;
}

/* One start and stop; returns NULL or what went wrong. */
static const char *cycle(SC_HANDLE svc)
{
	struct pn_win_counters k;
	SERVICE_STATUS st;
	HANDLE dev;
	DWORD got;
	int ok;

	if (!StartServiceW(svc, 0, NULL) || !wait_state(svc, SERVICE_RUNNING))
		return "start";
	dev = open_device();
	ok = dev != INVALID_HANDLE_VALUE &&
	     DeviceIoControl(dev, IOCTL_PN_GET_COUNTERS, NULL, 0, &k, sizeof(k), &got, NULL);
	if (dev != INVALID_HANDLE_VALUE)
		CloseHandle(dev);
	if (!ok)
		return "device while running";
	if (!ControlService(svc, SERVICE_CONTROL_STOP, &st) || !wait_state(svc, SERVICE_STOPPED))
		return "stop";
	dev = open_device();
	if (dev == INVALID_HANDLE_VALUE)
		return NULL;
	CloseHandle(dev);
	return "device still there after stop";
}

static int cycles(const wchar_t *name, long n)
{
	SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
	SC_HANDLE svc = scm ? OpenServiceW(scm, name, SERVICE_START | SERVICE_STOP |
						   SERVICE_QUERY_STATUS) : NULL;
	const char *why = svc ? NULL : "open service";
	long i;

	for (i = 0; i < n && !why; i++)
		why = cycle(svc);
	if (why)
		printf("bad cycles: %s failed in cycle %ld (error %lu)\n", why, i,
		       (unsigned long)GetLastError());
	else
		printf("ok cycles %ld\n", n);
	if (svc)
		CloseServiceHandle(svc);
	if (scm)
		CloseServiceHandle(scm);
	return why ? 1 : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: see windows/tests/pn_wintest.c\n");
	return 2;
}

int wmain(int argc, wchar_t **argv)
{
	HANDLE dev;
	int rc;

	if (argc == 4 && !wcscmp(argv[1], L"cycles"))
		return cycles(argv[2], wcstol(argv[3], NULL, 10));
	if (argc < 3 || (wcscmp(argv[1], L"malformed") && wcscmp(argv[1], L"discard") &&
			 (wcscmp(argv[1], L"inject") || argc < 9)))
		return usage();
	dev = open_device();
	if (dev == INVALID_HANDLE_VALUE) {
		printf("bad open: error %lu\n", (unsigned long)GetLastError());
		return 1;
	}
	if (!wcscmp(argv[1], L"malformed"))
		rc = malformed(dev, !wcscmp(argv[2], L"test"));
	else if (!wcscmp(argv[1], L"discard"))
		rc = discard(dev, wcstoul(argv[2], NULL, 0));
	else
		rc = inject(dev, argc - 2, argv + 2);
	CloseHandle(dev);
	return rc;
}
