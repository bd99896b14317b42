/* Capability checks, so a backend can say what is missing before the kernel
 * refuses it with a bare errno. */
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include "internal.h"

int pn__has_cap(int cap)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return 0;
	return (data[cap / 32].effective >> (cap % 32)) & 1;
}
