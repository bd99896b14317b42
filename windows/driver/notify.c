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

typedef NTSTATUS (NTAPI *pn_register_ex2_fn)(int type, PVOID routine, BOOLEAN remove);
#define PN_NOTIFY_SUBSYSTEMS 0 /* PsCreateProcessNotifySubsystems (WDK ntddk.h) */

static ULONG pn_routine = PN_WIN_ROUTINE_LEGACY; /* the one registered */
static pn_register_ex2_fn pn_register_ex2;
static volatile LONG64 pn_denied;

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

	if (units && NT_SUCCESS(RtlUnicodeToUTF8N(rec + *off, PN_UTF8_PER_UTF16 * units, &got, s->Buffer,
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
	copy = pn_alloc(len, PN_TAG_IMAGE);
	if (!copy)
		return; /* the exit record will look the image up instead */
	RtlCopyMemory(copy, image, len);
	pn_images_keep(p->pid, p->create_time, copy, len);
}

/*
 * Any IRQL. The image name to report. When Windows says the name it gives
 * may be partial (FileOpenNameAvailable FALSE), the name the process object
 * holds is used instead, and failing that the partial one, marked truncated.
 */
static PCUNICODE_STRING pn_image_of(const struct pn_proc *p, pn_u32 *flags)
{
	if (!p->image_partial)
		return p->image;
	if (p->located)
		return p->located;
	if (p->image)
		*flags |= PN_EXEC_IMAGE_TRUNCATED;
	return p->image;
}

/*
 * PASSIVE_LEVEL. A new process: queue a PN_REC_CREATE with its image,
 * command line and creator. Returns the CreationStatus for the routine to
 * set: STATUS_ACCESS_DENIED when a deny rule matches (only routines that can
 * refuse a creation ask, p->can_deny); the record then says PN_EXEC_DENIED.
 */
_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_on_create(const struct pn_proc *p)
{
	struct pn_rec_create *rec;
	pn_u32 flags = 0;
	PCUNICODE_STRING image = pn_image_of(p, &flags);
	ULONG img = pn_units(image, PN_WIN_IMAGE_UNITS, &flags, PN_EXEC_IMAGE_TRUNCATED);
	ULONG cmd = pn_units(p->cmdline, PN_WIN_CMDLINE_UNITS, &flags, PN_EXEC_ARGV_TRUNCATED);
	ULONG off = sizeof(*rec);
	int rule = p->can_deny ? pn_deny_check(image, p->cmdline) : -1;

	PAGED_CODE();
	if (rule >= 0) {
		InterlockedIncrement64(&pn_denied);
		PN_LOG("creation of pid %lu denied by rule %d\n", HandleToULong(p->pid), rule);
		flags |= PN_EXEC_DENIED;
	}
	rec = pn_alloc(off + PN_UTF8_PER_UTF16 * (img + cmd), PN_TAG_RECORD);
	if (!rec) {
		pn_queue_drop(PN_REC_CREATE);
		return rule >= 0 ? STATUS_ACCESS_DENIED : STATUS_SUCCESS;
	}
	RtlZeroMemory(rec, sizeof(*rec));
	pn_fill_task(&rec->task, p);
	rec->flags = flags;
	if (p->creator_pid) {
		rec->creator_pid = HandleToULong(p->creator_pid);
		rec->task.known |= PN_KNOWN_CREATOR;
	}
	rec->image = pn_put_utf8((char *)rec, &off, image, img);
	rec->cmdline = pn_put_utf8((char *)rec, &off, p->cmdline, cmd);
	rec->task.known |= (image ? PN_KNOWN_IMAGE : 0) | (p->cmdline ? PN_KNOWN_ARGV : 0);
	if (rec->image.len)
		pn_fill_comm(&rec->task, (char *)rec + rec->image.off, rec->image.len);
	pn_fill_hdr(&rec->hdr, PN_REC_CREATE, off);
	pn_log_row("create", &rec->task, rule >= 0 ? "DENIED" : "-");
	if (rule < 0) /* a refused process never runs: its exit needs no name kept */
		pn_remember_image(p, (char *)rec + rec->image.off, rec->image.len);
	pn_queue_push(&rec->hdr);
	ExFreePoolWithTag(rec, PN_TAG_RECORD);
	return rule >= 0 ? STATUS_ACCESS_DENIED : STATUS_SUCCESS;
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
		utf8 = pn_alloc(PN_UTF8_PER_UTF16 * units, PN_TAG_IMAGE);
	if (utf8)
		*len = pn_put_utf8(utf8, &off, name, units).len;
	ExFreePool(name);
	return utf8;
}

/* PASSIVE_LEVEL. A process ended: queue a PN_REC_EXIT with its image and status. */
_IRQL_requires_max_(PASSIVE_LEVEL) void pn_on_exit(const struct pn_proc *p)
{
	struct pn_rec_exit *rec;
	ULONG len = 0;
	char *image = pn_images_take_for(p->pid, p->create_time, &len);
	char status[16];

	PAGED_CODE();
	if (!image)
		image = pn_lookup_image(p->process, &len);
	rec = pn_alloc(sizeof(*rec) + len, PN_TAG_RECORD);
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

/*
 * PASSIVE_LEVEL. The routine PsSetCreateProcessNotifyRoutineEx and Ex2
 * call. Windows calls it in the creating thread, so a denied creation
 * fails in the caller with STATUS_ACCESS_DENIED.
 */
static VOID NTAPI pn_notify_ex(PEPROCESS process, HANDLE pid, PPS_CREATE_NOTIFY_INFO info)
{
	struct pn_proc p = { .pid = pid, .create_time = PsGetProcessCreateTimeQuadPart(process) };
	PUNICODE_STRING located = NULL;
	NTSTATUS st;

	PAGED_CODE();
	if (!info) {
		p.ppid = PsGetProcessInheritedFromUniqueProcessId(process);
		p.exit_status = PsGetProcessExitStatus(process);
		p.process = process;
		pn_on_exit(&p);
		return;
	}
	p.ppid = info->ParentProcessId;
	p.creator_pid = info->CreatingThreadId.UniqueProcess;
	p.tid = info->CreatingThreadId.UniqueThread;
	p.image = info->ImageFileName;
	p.cmdline = info->CommandLine;
	p.can_deny = TRUE;
	p.image_partial = !info->FileOpenNameAvailable;
	if (p.image_partial && NT_SUCCESS(SeLocateProcessImageName(process, &located)))
		p.located = located;
	st = pn_on_create(&p);
	if (!NT_SUCCESS(st))
		info->CreationStatus = st;
	if (located)
		ExFreePool(located);
}

/*
 * PASSIVE_LEVEL. The seed's routine, used only when Windows refuses the Ex
 * registration: no command line, no deny, and the image is looked up as
 * the seed did, but with every lookup checked.
 */
static VOID NTAPI pn_notify_legacy(HANDLE ppid, HANDLE pid, BOOLEAN create)
{
	struct pn_proc p = { .pid = pid, .ppid = ppid, .exit_status = STATUS_UNSUCCESSFUL };
	PEPROCESS process = NULL;
	PUNICODE_STRING image = NULL;

	PAGED_CODE();
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

/* PASSIVE_LEVEL. Ex2 for subsystem processes too (WSL), when Windows has it (Windows 10 1703). */
static NTSTATUS pn_register_ex2_routine(void)
{
	UNICODE_STRING name;

	RtlInitUnicodeString(&name, L"PsSetCreateProcessNotifyRoutineEx2");
	pn_register_ex2 = (pn_register_ex2_fn)MmGetSystemRoutineAddress(&name);
	if (!pn_register_ex2) {
		PN_LOG("PsSetCreateProcessNotifyRoutineEx2 is not exported: trying "
		       "PsSetCreateProcessNotifyRoutineEx\n");
		return STATUS_PROCEDURE_NOT_FOUND;
	}
	return pn_register_ex2(PN_NOTIFY_SUBSYSTEMS, (PVOID)pn_notify_ex, FALSE);
}

/* PASSIVE_LEVEL. The richest routine Windows accepts: Ex2, Ex, then the seed's. */
_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_notify_register(void)
{
	static const char *const names[] = { "PsSetCreateProcessNotifyRoutine",
					     "PsSetCreateProcessNotifyRoutineEx",
					     "PsSetCreateProcessNotifyRoutineEx2" };
	NTSTATUS st;

	PAGED_CODE();
	if (NT_SUCCESS(st = pn_register_ex2_routine()))
		pn_routine = PN_WIN_ROUTINE_EX2;
	else if (NT_SUCCESS(st = PsSetCreateProcessNotifyRoutineEx(pn_notify_ex, FALSE)))
		pn_routine = PN_WIN_ROUTINE_EX;
	else {
		PN_ERR("PsSetCreateProcessNotifyRoutineEx refused (0x%08lx; is the image linked "
		       "with /INTEGRITYCHECK?): falling back to PsSetCreateProcessNotifyRoutine, "
		       "without command lines or deny\n", (unsigned long)st);
		st = PsSetCreateProcessNotifyRoutine(pn_notify_legacy, FALSE);
		pn_routine = PN_WIN_ROUTINE_LEGACY;
	}
	if (NT_SUCCESS(st))
		PN_LOG("process notify routine registered (%s)\n", names[pn_routine]);
	return st;
}

/*
 * PASSIVE_LEVEL. Returns once no call of the routine is running any more.
 * Removing fails only for a routine that is not registered, which would be
 * this driver's bug: it is logged, since an unload cannot be refused.
 */
_IRQL_requires_max_(PASSIVE_LEVEL) void pn_notify_unregister(void)
{
	NTSTATUS st;

	PAGED_CODE();
	if (pn_routine == PN_WIN_ROUTINE_EX2)
		st = pn_register_ex2(PN_NOTIFY_SUBSYSTEMS, (PVOID)pn_notify_ex, TRUE);
	else if (pn_routine == PN_WIN_ROUTINE_EX)
		st = PsSetCreateProcessNotifyRoutineEx(pn_notify_ex, TRUE);
	else
		st = PsSetCreateProcessNotifyRoutine(pn_notify_legacy, TRUE);
	if (NT_SUCCESS(st))
		PN_LOG("process notify routine unregistered\n");
	else
		PN_ERR("removing the process notify routine failed: 0x%08lx\n", (unsigned long)st);
}

_IRQL_requires_max_(DISPATCH_LEVEL) void pn_notify_counters(struct pn_win_counters *c)
{
	c->routine = pn_routine;
	c->denied = (pn_u64)pn_denied;
}
