/*
 * The device's security: a protected DACL that lets SYSTEM and the
 * Administrators group open it, and nobody else. A device gets a default
 * descriptor from Windows otherwise, and "protected" keeps a later
 * inherited ACE from widening it. (IoCreateDeviceSecure does the same from
 * an SDDL string, but lives in wdmsec.lib, which mingw-w64 lacks.) It is
 * set through a kernel handle with ZwSetSecurityObject, which Wine
 * implements too, rather than ObSetSecurityObjectByPointer, which it does
 * not: so the Wine tests read back the very DACL Windows gets.
 */
#include "pn_driver.h"

/* A SID with room for two sub-authorities, as the two well-known ones need. */
struct pn_sid2 {
	UCHAR revision, count;
	SID_IDENTIFIER_AUTHORITY auth;
	ULONG sub[2];
};

static const struct pn_sid2 pn_sid_system = { 1, 1, { SECURITY_NT_AUTHORITY },
					      { SECURITY_LOCAL_SYSTEM_RID } }; /* S-1-5-18 */
static const struct pn_sid2 pn_sid_admins = { 1, 2, { SECURITY_NT_AUTHORITY },
					      { SECURITY_BUILTIN_DOMAIN_RID,
						DOMAIN_ALIAS_RID_ADMINS } }; /* S-1-5-32-544 */

_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_secure_device(PDEVICE_OBJECT dev)
{
	PSID sys = (PSID)&pn_sid_system, adm = (PSID)&pn_sid_admins;
	ULONG acl_len = sizeof(ACL) + 2 * (sizeof(ACCESS_ALLOWED_ACE) - sizeof(ULONG)) +
			RtlLengthSid(sys) + RtlLengthSid(adm);
	SECURITY_DESCRIPTOR sd;
	HANDLE h = NULL;
	PACL acl;
	NTSTATUS st;

	PAGED_CODE();
	acl = pn_alloc(acl_len, PN_TAG_SECURE);
	if (!acl)
		return STATUS_INSUFFICIENT_RESOURCES;
	st = RtlCreateAcl(acl, acl_len, ACL_REVISION);
	if (NT_SUCCESS(st))
		st = RtlAddAccessAllowedAce(acl, ACL_REVISION, FILE_ALL_ACCESS, sys);
	if (NT_SUCCESS(st))
		st = RtlAddAccessAllowedAce(acl, ACL_REVISION, FILE_ALL_ACCESS, adm);
	if (NT_SUCCESS(st))
		st = RtlCreateSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION);
	if (NT_SUCCESS(st))
		st = RtlSetDaclSecurityDescriptor(&sd, TRUE, acl, FALSE);
	if (NT_SUCCESS(st))
		st = ObOpenObjectByPointer(dev, OBJ_KERNEL_HANDLE, NULL, WRITE_DAC, NULL, KernelMode, &h);
	/* The object manager keeps a copy of what it is given. */
	if (NT_SUCCESS(st))
		st = ZwSetSecurityObject(h, DACL_SECURITY_INFORMATION |
					 PROTECTED_DACL_SECURITY_INFORMATION, &sd);
	if (h)
		ZwClose(h);
	ExFreePoolWithTag(acl, PN_TAG_SECURE);
	if (NT_SUCCESS(st))
		PN_LOG("device DACL: SYSTEM and Administrators only, protected\n");
	return st;
}
