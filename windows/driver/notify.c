/*
 * The process notify routine: the seed's ProcessNotifyCallback, done
 * properly. Each create and exit is logged as the seed's table through
 * DbgPrintEx (what DebugView shows) and queued as a wire record
 * (include/procnotify/record.h) for procnotify.exe to read.
 *
 * Windows calls both routines at PASSIVE_LEVEL, in the context of the
 * creating process (create) or of the exiting process's last thread (exit).
 */
#include "pn_driver.h"
#include <ntstrsafe.h>

static BOOLEAN pn_ex_registered;

/* Any IRQL. The seed's LogCurrentIrql, as a name for the log line. */
static const char *pn_irql_name(KIRQL irql)
{
	switch (irql) {
	case PASSIVE_LEVEL: return "PASSIVE_LEVEL";
	case APC_LEVEL: return "APC_LEVEL";
	case DISPATCH_LEVEL: return "DISPATCH_LEVEL";
	}
	return "UNKNOWN_LEVEL";
}

/*
 * Any IRQL. The seed's table, one DbgPrintEx call per event so rows of
 * concurrent events do not interleave. The name is the record's comm with
 * control bytes and '|' made '?': the debug log is not the place for exact
 * bytes (the record keeps them, and the client escapes them).
 */
static void pn_log_row(const char *event, const struct pn_rec_task *t, const char *status)
{
	char name[PN_COMM_LEN];

	for (int i = 0; i < PN_COMM_LEN; i++) {
		unsigned char c = (unsigned char)t->comm[i];

		name[i] = (c && (c < 0x20 || c == 0x7f || c == '|')) ? '?' : (char)c;
	}
	name[PN_COMM_LEN - 1] = 0;
	PN_LOG("ProcessNotifyCallback (Handling event) IRQL: %s\n"
	       "+------------+----------+------------------+--------+------------+\n"
	       "| Parent PID | PID      | Process Name     | Event  | Status     |\n"
	       "+------------+----------+------------------+--------+------------+\n"
	       "| %10lu | %8lu | %-16s | %-6s | %-10s |\n"
	       "+------------+----------+------------------+--------+------------+\n",
	       pn_irql_name(KeGetCurrentIrql()), (unsigned long)t->ppid, (unsigned long)t->pid,
	       name[0] ? name : "-", event, status);
}

/* Any IRQL. The fields every record shares; the caller adds the rest of known. */
static void pn_fill_task(struct pn_rec_task *t, const struct pn_proc *p)
{
	t->pid = HandleToULong(p->pid);
	t->ppid = HandleToULong(p->ppid);
	t->tid = HandleToULong(p->tid);
	t->known = PN_KNOWN_PARENT | (p->tid ? PN_KNOWN_TID : 0);
	if (p->create_time) {
		t->start_ns = pn_win_unix_ns((pn_u64)p->create_time);
		t->known |= PN_KNOWN_START;
	}
}

/* Any IRQL. Header of a record whose total size is size. */
static void pn_fill_hdr(struct pn_rec_hdr *h, pn_u16 type, ULONG size)
{
	LARGE_INTEGER now;

	KeQuerySystemTime(&now);
	h->type = type;
	h->version = PN_REC_VERSION;
	h->hdr_flags = PN_HDR_WALLCLOCK;
	h->size = size;
	h->time_ns = pn_win_unix_ns((pn_u64)now.QuadPart);
}

/* Any IRQL. comm: the image's base name, cut to 15 bytes on a UTF-8 boundary. */
static void pn_fill_comm(struct pn_rec_task *t, const char *image, ULONG len)
{
	ULONG start = len, n;

	while (start > 0 && image[start - 1] != '\\')
		start--;
	n = len - start;
	if (n > PN_COMM_LEN - 1) {
		n = PN_COMM_LEN - 1;
		while (n > 0 && ((unsigned char)image[start + n] & 0xc0) == 0x80)
			n--;
	}
	RtlCopyMemory(t->comm, image + start, n);
	t->known |= PN_KNOWN_COMM;
}

/* Any IRQL. UTF-16 units of s kept under cap, never splitting a surrogate pair. */
static ULONG pn_units(PCUNICODE_STRING s, ULONG cap, pn_u32 *flags, pn_u32 cut_flag)
{
	ULONG n = s ? s->Length / sizeof(WCHAR) : 0;

	if (n <= cap)
		return n;
	*flags |= cut_flag;
	n = cap;
	if (s->Buffer[n - 1] >= 0xd800 && s->Buffer[n - 1] <= 0xdbff)
		n--;
	return n;
}

/*
 * PASSIVE_LEVEL (RtlUnicodeToUTF8N). Converts the first units of s to UTF-8
 * at rec + *off, which has 3 bytes per unit free, and advances *off.
 * Unpaired surrogates become U+FFFD.
 */
static struct pn_strref pn_put_utf8(char *rec, ULONG *off, PCUNICODE_STRING s, ULONG units)
{
	struct pn_strref r = { 0, 0 };
	ULONG got = 0;

	if (units && NT_SUCCESS(RtlUnicodeToUTF8N(rec + *off, 3 * units, &got, s->Buffer,
						  units * sizeof(WCHAR)))) {
		r.off = *off;
		r.len = got;
		*off += got;
	}
	return r;
}

/* PASSIVE_LEVEL. Keeps a copy of the image name for the exit record. */
static void pn_remember_image(const struct pn_proc *p, const char *image, ULONG len)
{
	char *copy;

	if (len == 0)
		return;
	copy = ExAllocatePoolWithTag(NonPagedPoolNx, len, PN_TAG_IMAGE);
	if (!copy)
		return; /* the exit record will look the image up instead */
	RtlCopyMemory(copy, image, len);
	pn_images_put(p->pid, p->create_time, copy, len);
}

/* PASSIVE_LEVEL. A new process: queue a PN_REC_CREATE with its image and command line. */
void pn_on_create(const struct pn_proc *p)
{
	struct pn_rec_create *rec;
	pn_u32 flags = 0;
	ULONG img = pn_units(p->image, PN_WIN_IMAGE_UNITS, &flags, PN_EXEC_IMAGE_TRUNCATED);
	ULONG cmd = pn_units(p->cmdline, PN_WIN_CMDLINE_UNITS, &flags, PN_EXEC_ARGV_TRUNCATED);
	ULONG off = sizeof(*rec);

	rec = ExAllocatePoolWithTag(NonPagedPoolNx, off + 3 * (img + cmd), PN_TAG_RECORD);
	if (!rec) {
		pn_queue_drop(PN_REC_CREATE);
		return;
	}
	RtlZeroMemory(rec, sizeof(*rec));
	pn_fill_task(&rec->task, p);
	rec->flags = flags;
	rec->image = pn_put_utf8((char *)rec, &off, p->image, img);
	rec->cmdline = pn_put_utf8((char *)rec, &off, p->cmdline, cmd);
	rec->task.known |= (p->image ? PN_KNOWN_IMAGE : 0) | (p->cmdline ? PN_KNOWN_ARGV : 0);
	if (rec->image.len)
		pn_fill_comm(&rec->task, (char *)rec + rec->image.off, rec->image.len);
	pn_fill_hdr(&rec->hdr, PN_REC_CREATE, off);
	pn_log_row("create", &rec->task, "-");
	pn_remember_image(p, (char *)rec + rec->image.off, rec->image.len);
	pn_queue_push(&rec->hdr);
	ExFreePoolWithTag(rec, PN_TAG_RECORD);
}

/*
 * PASSIVE_LEVEL. The image of an exiting process that was not remembered
 * (created before the driver loaded, or the table was full): looked up.
 * Returns pool memory tagged PN_TAG_IMAGE, or NULL.
 */
static char *pn_lookup_image(PEPROCESS process, ULONG *len)
{
	PUNICODE_STRING name = NULL;
	char *utf8 = NULL;
	pn_u32 flags = 0;
	ULONG units, off = 0;

	if (!process || !NT_SUCCESS(SeLocateProcessImageName(process, &name)))
		return NULL;
	units = pn_units(name, PN_WIN_IMAGE_UNITS, &flags, PN_EXEC_IMAGE_TRUNCATED);
	if (units)
		utf8 = ExAllocatePoolWithTag(NonPagedPoolNx, 3 * units, PN_TAG_IMAGE);
	if (utf8)
		*len = pn_put_utf8(utf8, &off, name, units).len;
	ExFreePool(name);
	return utf8;
}

/* PASSIVE_LEVEL. A process ended: queue a PN_REC_EXIT with its image and status. */
void pn_on_exit(const struct pn_proc *p)
{
	struct pn_rec_exit *rec;
	ULONG len = 0;
	char *image = pn_images_take(p->pid, p->create_time, &len);
	char status[16];

	if (!image)
		image = pn_lookup_image(p->process, &len);
	rec = ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(*rec) + len, PN_TAG_RECORD);
	if (rec) {
		RtlZeroMemory(rec, sizeof(*rec));
		pn_fill_task(&rec->task, p);
		rec->status = (pn_u32)p->exit_status;
		rec->status_kind = PN_EXIT_NTSTATUS;
		if (image) {
			RtlCopyMemory(rec + 1, image, len);
			rec->image = (struct pn_strref){ sizeof(*rec), len };
			rec->task.known |= PN_KNOWN_IMAGE;
			pn_fill_comm(&rec->task, image, len);
		}
		pn_fill_hdr(&rec->hdr, PN_REC_EXIT, sizeof(*rec) + len);
		RtlStringCbPrintfA(status, sizeof(status), "0x%08lx", (unsigned long)p->exit_status);
		pn_log_row("exit", &rec->task, status);
		pn_queue_push(&rec->hdr);
		ExFreePoolWithTag(rec, PN_TAG_RECORD);
	} else {
		pn_queue_drop(PN_REC_EXIT);
	}
	if (image)
		ExFreePoolWithTag(image, PN_TAG_IMAGE);
}

/* PASSIVE_LEVEL. The routine PsSetCreateProcessNotifyRoutineEx calls. */
static VOID NTAPI pn_notify_ex(PEPROCESS process, HANDLE pid, PPS_CREATE_NOTIFY_INFO info)
{
	struct pn_proc p = { .pid = pid, .create_time = PsGetProcessCreateTimeQuadPart(process) };

	if (info) {
		p.ppid = info->ParentProcessId;
		p.tid = info->CreatingThreadId.UniqueThread;
		p.image = info->ImageFileName;
		p.cmdline = info->CommandLine;
		pn_on_create(&p);
	} else {
		p.ppid = PsGetProcessInheritedFromUniqueProcessId(process);
		p.exit_status = PsGetProcessExitStatus(process);
		p.process = process;
		pn_on_exit(&p);
	}
}

/*
 * PASSIVE_LEVEL. The seed's routine, used only when the Ex registration is
 * refused: no command line, and the image is looked up as the seed did, but
 * with every lookup checked.
 */
static VOID NTAPI pn_notify_legacy(HANDLE ppid, HANDLE pid, BOOLEAN create)
{
	struct pn_proc p = { .pid = pid, .ppid = ppid, .exit_status = STATUS_UNSUCCESSFUL };
	PEPROCESS process = NULL;
	PUNICODE_STRING image = NULL;

	if (NT_SUCCESS(PsLookupProcessByProcessId(pid, &process))) {
		p.create_time = PsGetProcessCreateTimeQuadPart(process);
		p.exit_status = PsGetProcessExitStatus(process);
		p.process = process;
	} else {
		PN_ERR("PsLookupProcessByProcessId(%lu) failed: status unknown\n", HandleToULong(pid));
	}
	if (create && process && NT_SUCCESS(SeLocateProcessImageName(process, &image)))
		p.image = image;
	if (create)
		pn_on_create(&p);
	else
		pn_on_exit(&p);
	if (image)
		ExFreePool(image);
	if (process)
		ObDereferenceObject(process);
}

/* PASSIVE_LEVEL. Prefers the Ex routine; falls back to the seed's and says so. */
NTSTATUS pn_notify_register(void)
{
	NTSTATUS st = PsSetCreateProcessNotifyRoutineEx(pn_notify_ex, FALSE);

	if (NT_SUCCESS(st)) {
		pn_ex_registered = TRUE;
		PN_LOG("process notify routine registered (PsSetCreateProcessNotifyRoutineEx)\n");
		return st;
	}
	PN_ERR("PsSetCreateProcessNotifyRoutineEx refused (0x%08lx; is the image linked with "
	       "/INTEGRITYCHECK?): falling back to PsSetCreateProcessNotifyRoutine, "
	       "without command lines\n", (unsigned long)st);
	st = PsSetCreateProcessNotifyRoutine(pn_notify_legacy, FALSE);
	if (NT_SUCCESS(st))
		PN_LOG("process notify routine registered (PsSetCreateProcessNotifyRoutine)\n");
	return st;
}

/* PASSIVE_LEVEL. Returns once no call of the routine is running any more. */
void pn_notify_unregister(void)
{
	if (pn_ex_registered)
		PsSetCreateProcessNotifyRoutineEx(pn_notify_ex, TRUE);
	else
		PsSetCreateProcessNotifyRoutine(pn_notify_legacy, TRUE);
	PN_LOG("process notify routine unregistered\n");
}

/* Any IRQL. For the counters: which routine is registered. */
BOOLEAN pn_notify_is_ex(void)
{
	return pn_ex_registered;
}
