/*
 * procnotify.exe internals: the device (device.c) and the deny rules
 * (rules.c); main.c reads and prints.
 */
#ifndef PNC_CLIENT_H
#define PNC_CLIENT_H
#include <windows.h>
#include <winioctl.h>
#include "pn_ioctl.h"

/* How a handle is used, and so the access it asks for (pn_ioctl.h). */
enum pnc_use {
	PNC_READER,  /* reads events: FILE_READ_DATA, overlapped */
	PNC_QUERY,   /* version and counters only: no data access */
	PNC_CONTROL, /* changes state: FILE_WRITE_DATA */
};

void pnc_print_error(const char *what, DWORD err);

/*
 * Opens \\.\name for use and checks that the driver speaks this client's
 * protocol; says in words what is wrong and returns INVALID_HANDLE_VALUE.
 */
HANDLE pnc_open(const wchar_t *name, enum pnc_use use);

/* A synchronous request; 0, or -1 with GetLastError() set. */
int pnc_ioctl(HANDLE dev, DWORD code, const void *in, DWORD in_len, void *out, DWORD cap,
	      DWORD *got);

/* --counters: prints them, checking the reply is whole. Exit status. */
int pnc_counters(HANDLE dev);

/*
 * --deny RULE (n of them; 0 clears): parses each (rules.c), sends them as one
 * set. Exit status; errors are printed.
 */
int pnc_set_deny(HANDLE dev, wchar_t **rules, int n);
#endif
