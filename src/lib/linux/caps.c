/* Capabilities: checks, so a backend can say what is missing before the
 * kernel refuses it with a bare errno, and the drop to what the steady state
 * needs (pn_sandbox). */
#include <errno.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include "internal.h"

static int caps_get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return syscall(SYS_capget, &hdr, data) ? -errno : 0;
}

int pn__has_cap(int cap)
{
	struct __user_cap_data_struct data[2];

	if (caps_get(data))
		return 0;
	return (data[cap / 32].effective >> (cap % 32)) & 1;
}

/* Without CAP_SETPCAP the bounding set and securebits stay as they are: the
 * permitted set, emptied below, is what a process without it can use. */
static int limit_bounding_set(uint64_t keep)
{
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap) >= 0; cap++)
		if (!(keep >> cap & 1) && prctl(PR_CAPBSET_DROP, cap))
			return -errno;
	/* uid 0 gets no capability back from an exec or a uid change. */
	if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
		  SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
		  SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
		  SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED))
		return -errno;
	return 0;
}

int pn__caps_limit(uint64_t keep)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	int rc = caps_get(data);

	if (rc)
		return rc;
	/* Only what the thread has can be kept. */
	keep &= (uint64_t)data[1].effective << 32 | data[0].effective;
	if (pn__has_cap(CAP_SETPCAP) && (rc = limit_bounding_set(keep)))
		return rc;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return -errno;
	for (int i = 0; i < 2; i++) {
		data[i].effective = data[i].permitted = (uint32_t)(keep >> (32 * i));
		data[i].inheritable = 0;
	}
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}
