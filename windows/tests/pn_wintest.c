/*
 * Wine test helper for procnotify.sys.
 *
 * pn_wintest.exe malformed test|release
 *   Sends malformed requests and checks that each fails with the expected
 *   error and that the driver still answers afterwards. Prints "ok <case>"
 *   or "bad <case>: <why>" per case; exits 1 if any case was bad. The
 *   argument says which driver build is loaded.
 * pn_wintest.exe inject PID PPID TID STATUS CREATE_TIME REPEAT IMAGE [CMDLINE
 *                       [CREATOR [FLAGS [LOCATED]]]]
 *   Test build only: has the driver report REPEAT create/exit pairs of this
 *   synthetic process. Numbers may be hex (0x...); CREATE_TIME is in 100 ns
 *   units since 1601; an empty IMAGE and an absent CMDLINE mean unknown.
 *   CREATOR is the creating thread's process, FLAGS are PN_WIN_INJECT_*,
 *   LOCATED the name SeLocateProcessImageName would give. Prints
 *   "creation 0x%08x", the CreationStatus the notify routine decided.
 * pn_wintest.exe open-rules
 *   Test build: who may open the device and read (pn_ioctl.h): one reader,
 *   handles that do not read beside it. "ok/bad <case>" lines.
 * pn_wintest.exe wait
 *   Test build: a wait for events pends while the queue is empty, completes
 *   when the driver queues a record, ends when cancelled or closed.
 * pn_wintest.exe dump
 *   Test build: reads what is queued and prints the wire fields of each
 *   record, "type T pid P ppid Q creator C flags F image_len N", for
 *   fields no output shows.
 * pn_wintest.exe skew BITS
 *   Test build: makes the driver answer as a mismatched one (PN_WIN_SKEW_*).
 * pn_wintest.exe hold MS
 *   Opens the device, prints "open", and closes the handle MS milliseconds
 *   later, then prints "closed": a close that comes while the service is
 *   being stopped.
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
#include <fcntl.h>
#include <io.h>
#include "pn_ioctl.h"

static int bad_cases;
static const wchar_t *dev_path = PN_WIN_TEST_USER_PATH;

static void verdict(const char *name, int ok, const char *why)
{
	if (ok) {
		printf("ok %s\n", name);
		return;
	}
	printf("bad %s: %s (error %lu)\n", name, why, (unsigned long)GetLastError());
	bad_cases++;
}

static HANDLE open_as(DWORD access, DWORD flags)
{
	return CreateFileW(dev_path, access, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
			   flags, NULL);
}

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

/* argv: PID PPID TID STATUS CREATE_TIME REPEAT IMAGE [CMDLINE [CREATOR [FLAGS [LOCATED]]]] */
static int inject(HANDLE dev, int argc, wchar_t **argv)
{
	static unsigned char buf[sizeof(struct pn_win_inject) + PN_UTF8_PER_UTF16 * 0xfffe];
	struct pn_win_inject *rq = (void *)buf;
	size_t img = wcslen(argv[6]) * sizeof(WCHAR);
	size_t cmd = argc > 7 ? wcslen(argv[7]) * sizeof(WCHAR) : 0;
	size_t loc = argc > 10 ? wcslen(argv[10]) * sizeof(WCHAR) : 0;
	pn_u32 creation = 0xffffffff;
	DWORD got = 0;

	if (img > 0xfffe || cmd > 0xfffe || loc > 0xfffe)
		return 2;
	*rq = (struct pn_win_inject){
		.pid = wcstoul(argv[0], NULL, 0), .ppid = wcstoul(argv[1], NULL, 0),
		.tid = wcstoul(argv[2], NULL, 0), .exit_status = wcstoul(argv[3], NULL, 0),
		.create_time = wcstoull(argv[4], NULL, 0), .repeat = wcstoul(argv[5], NULL, 0),
		.image_len = (pn_u16)img, .cmdline_len = (pn_u16)cmd, .located_len = (pn_u16)loc,
		.creator_pid = argc > 8 ? wcstoul(argv[8], NULL, 0) : 0,
		.flags = argc > 9 ? (pn_u16)wcstoul(argv[9], NULL, 0) : 0,
	};
	memcpy(rq + 1, argv[6], img);
	if (cmd)
		memcpy((char *)(rq + 1) + img, argv[7], cmd);
	if (loc)
		memcpy((char *)(rq + 1) + img + cmd, argv[10], loc);
	if (DeviceIoControl(dev, IOCTL_PN_TEST_INJECT, buf, (DWORD)(sizeof(*rq) + img + cmd + loc),
			    &creation, sizeof(creation), &got, NULL) && got == sizeof(creation)) {
		printf("creation 0x%08lx\n", (unsigned long)creation);
		return 0;
	}
	printf("bad inject: error %lu\n", (unsigned long)GetLastError());
	return 1;
}

/* One create of pid, no exit, through a handle of its own (any writer). */
static int inject_one(pn_u32 pid)
{
	struct { struct pn_win_inject rq; WCHAR image[2]; } r = {
		{ .pid = pid, .ppid = 4, .image_len = 2, .flags = PN_WIN_INJECT_CREATE_ONLY }, { L'W', 0 }
	};
	HANDLE w = open_as(GENERIC_WRITE, 0);
	DWORD got;
	BOOL ok = w != INVALID_HANDLE_VALUE &&
		  DeviceIoControl(w, IOCTL_PN_TEST_INJECT, &r, sizeof(r), NULL, 0, &got, NULL);

	if (w != INVALID_HANDLE_VALUE)
		CloseHandle(w);
	return ok ? 0 : -1;
}

static void close_all(HANDLE *h, int n)
{
	for (int i = 0; i < n; i++)
		if (h[i] != INVALID_HANDLE_VALUE)
			CloseHandle(h[i]);
}

/* Reads once through h; the error, 0 on success. */
static DWORD read_once(HANDLE h)
{
	static unsigned char buf[PN_WIN_READ_MIN];
	DWORD got;

	return DeviceIoControl(h, IOCTL_PN_READ_EVENTS, NULL, 0, buf, sizeof(buf), &got, NULL) ? 0 : GetLastError();
}

/* Case by case, the one-reader rule beside handles that do not read. */
static int open_rules(void)
{
	HANDLE q = open_as(0, 0), r, r2, w;
	struct pn_win_counters k;
	DWORD err;

	verdict("query-handle-opens", q != INVALID_HANDLE_VALUE, "open with no data access");
	r = open_as(GENERIC_READ, 0);
	verdict("reader-opens-beside-query-handle", r != INVALID_HANDLE_VALUE, "open for read");
	verdict("reader-reads", read_once(r) == 0, "the first read");
	r2 = open_as(GENERIC_READ, 0);
	verdict("second-handle-opens", r2 != INVALID_HANDLE_VALUE, "open for read");
	verdict("second-reader-refused", read_once(r2) == ERROR_SHARING_VIOLATION,
		"a second handle read");
	err = read_once(q);
	/* Windows refuses it for its access (FILE_READ_DATA), Wine reaches the one-reader rule. */
	verdict("query-handle-cannot-read", err == ERROR_SHARING_VIOLATION || err == ERROR_ACCESS_DENIED,
		"a handle without read access read");
	w = open_as(GENERIC_WRITE, 0);
	verdict("writer-opens-beside-reader", w != INVALID_HANDLE_VALUE, "open for write");
	expect("query-handle-gets-counters", q, IOCTL_PN_GET_COUNTERS, NULL, 0, &k, sizeof(k), 0);
	expect("writer-resets-counters", w, IOCTL_PN_RESET_COUNTERS, NULL, 0, NULL, 0, 0);
	verdict("reader-still-reads", read_once(r) == 0, "the reader's second read");
	CloseHandle(r);
	verdict("reader-place-freed-at-close", read_once(r2) == 0, "the other handle's read");
	close_all((HANDLE[]){ q, r2, w }, 3);
	return bad_cases ? 1 : 0;
}

/* Starts a wait on the overlapped reader r; 1 when it is pending. */
static int start_wait(HANDLE r, OVERLAPPED *ov, void *buf, DWORD cap)
{
	DWORD got;

	ResetEvent(ov->hEvent);
	return !DeviceIoControl(r, IOCTL_PN_WAIT_EVENTS, NULL, 0, buf, cap, &got, ov) &&
	       GetLastError() == ERROR_IO_PENDING;
}

/* The inverted call: pends when empty, completes on a record, ends on cancel and close. */
static int wait_cases(void)
{
	static unsigned char buf[PN_WIN_READ_MIN];
	OVERLAPPED ov = { .hEvent = CreateEventW(NULL, TRUE, FALSE, NULL) };
	HANDLE r = open_as(GENERIC_READ, FILE_FLAG_OVERLAPPED);
	DWORD got = 0;
	int pending;

	if (r == INVALID_HANDLE_VALUE || !ov.hEvent) {
		verdict("wait-open", 0, "open the reader");
		return 1;
	}
	while (DeviceIoControl(r, IOCTL_PN_READ_EVENTS, NULL, 0, buf, sizeof(buf), &got, NULL) && got)
		; /* start empty */
	pending = start_wait(r, &ov, buf, sizeof(buf));
	verdict("wait-pends-when-empty", pending && WaitForSingleObject(ov.hEvent, 300) == WAIT_TIMEOUT,
		"the wait did not stay pending");
	verdict("wait-completed-by-record", pending && inject_one(8888) == 0 &&
		WaitForSingleObject(ov.hEvent, 10000) == WAIT_OBJECT_0 &&
		GetOverlappedResult(r, &ov, &got, FALSE) && got >= sizeof(struct pn_rec_create) &&
		((struct pn_rec_create *)buf)->task.pid == 8888, "no record of pid 8888");
	pending = start_wait(r, &ov, buf, sizeof(buf));
	verdict("wait-cancelled", pending && CancelIoEx(r, &ov) &&
		!GetOverlappedResult(r, &ov, &got, TRUE) && GetLastError() == ERROR_OPERATION_ABORTED,
		"cancel did not end the wait");
	pending = start_wait(r, &ov, buf, sizeof(buf));
	CloseHandle(r);
	verdict("close-ends-wait", pending && WaitForSingleObject(ov.hEvent, 10000) == WAIT_OBJECT_0,
		"closing the reader left its wait pending");
	r = open_as(GENERIC_READ, 0);
	verdict("reader-slot-freed-after-wait", r != INVALID_HANDLE_VALUE, "reopen for read");
	if (r != INVALID_HANDLE_VALUE)
		CloseHandle(r);
	CloseHandle(ov.hEvent);
	return bad_cases ? 1 : 0;
}

static int dump(HANDLE dev)
{
	static unsigned char buf[64 * 1024];
	DWORD got;

	while (DeviceIoControl(dev, IOCTL_PN_READ_EVENTS, NULL, 0, buf, sizeof(buf), &got, NULL) && got) {
		for (DWORD off = 0; off + sizeof(struct pn_rec_hdr) <= got;) {
			struct pn_rec_create c = { 0 };

			memcpy(&c, buf + off, got - off < sizeof(c) ? got - off : sizeof(c));
			if (c.hdr.size < sizeof(c.hdr))
				return 1;
			if (c.hdr.type == PN_REC_CREATE)
				printf("type %u pid %lu ppid %lu creator %lu flags 0x%lx image_len %lu\n",
				       c.hdr.type, (unsigned long)c.task.pid, (unsigned long)c.task.ppid,
				       (unsigned long)c.creator_pid, (unsigned long)c.flags,
				       (unsigned long)c.image.len);
			else
				printf("type %u pid %lu\n", c.hdr.type, (unsigned long)c.task.pid);
			off += c.hdr.size;
		}
	}
	return 0;
}

static int skew(HANDLE dev, pn_u32 bits)
{
	DWORD got;

	return DeviceIoControl(dev, IOCTL_PN_TEST_SKEW, &bits, sizeof(bits), NULL, 0, &got, NULL) ? 0 : 1;
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
	return open_as(GENERIC_READ | GENERIC_WRITE, 0);
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

static int hold(long ms)
{
	HANDLE dev = open_device();

	if (dev == INVALID_HANDLE_VALUE)
		return 1;
	printf("open\n");
	fflush(stdout);
	Sleep((DWORD)ms);
	if (!CloseHandle(dev))
		return 1;
	printf("closed\n");
	return 0;
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

	_setmode(_fileno(stdout), _O_BINARY); /* lines end in \n, as the tests read them */
	if (argc == 4 && !wcscmp(argv[1], L"cycles"))
		return cycles(argv[2], wcstol(argv[3], NULL, 10));
	if (argc == 3 && !wcscmp(argv[1], L"hold"))
		return hold(wcstol(argv[2], NULL, 10));
	if (argc == 2 && !wcscmp(argv[1], L"open-rules"))
		return open_rules();
	if (argc == 2 && !wcscmp(argv[1], L"wait"))
		return wait_cases();
	if (argc == 2 && !wcscmp(argv[1], L"dump")) {
		dev = open_device();
		rc = dev == INVALID_HANDLE_VALUE ? 1 : dump(dev);
		if (dev != INVALID_HANDLE_VALUE)
			CloseHandle(dev);
		return rc;
	}
	if (argc < 3 || (wcscmp(argv[1], L"malformed") && wcscmp(argv[1], L"discard") &&
			 wcscmp(argv[1], L"skew") && (wcscmp(argv[1], L"inject") || argc < 9)))
		return usage();
	if (!wcscmp(argv[1], L"malformed") && !wcscmp(argv[2], L"release"))
		dev_path = PN_WIN_USER_PATH;
	/* Reader and writer at once: the inject and discard cases need both. */
	dev = open_device();
	if (dev == INVALID_HANDLE_VALUE) {
		printf("bad open: error %lu\n", (unsigned long)GetLastError());
		return 1;
	}
	if (!wcscmp(argv[1], L"malformed"))
		rc = malformed(dev, !wcscmp(argv[2], L"test"));
	else if (!wcscmp(argv[1], L"discard"))
		rc = discard(dev, wcstoul(argv[2], NULL, 0));
	else if (!wcscmp(argv[1], L"skew"))
		rc = skew(dev, wcstoul(argv[2], NULL, 0));
	else
		rc = inject(dev, argc - 2, argv + 2);
	CloseHandle(dev);
	return rc;
}
