/*
 * Container ids from cgroup paths: the layouts of Docker, containerd and
 * Kubernetes, CRI-O, Podman, systemd-nspawn and LXC, as real hosts show
 * them in /proc/PID/cgroup, and paths that only look like them.
 */
#include <stdio.h>
#include "check.h"
#include "container.h"
#include "linux/cgroup.h"
#include "procnotify/format.h"

#define HEX "3f1a2b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70a"

static const char *id_of(const char *path)
{
	static char out[256];

	if (!pn__container_id(path, strlen(path), out, sizeof(out)))
		return "";
	return out;
}

/* /proc/PID/cgroup: the v2 line, a v1 host's systemd line, or the first. */
static void test_parse(void)
{
	static const char v2[] = "0::/system.slice/docker-" HEX ".scope\n";
	static const char hybrid[] = "12:cpu,cpuacct:/docker/" HEX "\n1:name=systemd:/docker/x\n"
				     "0::/user.slice\n";
	static const char v1[] = "12:cpu,cpuacct:/a\n1:name=systemd:/lxc/web01\n";
	static const char odd[] = "5:memory:/b";
	const char *p;
	size_t n;

	n = pn__cg_parse(v2, sizeof(v2) - 1, &p);
	CHECK(n == strlen(v2) - 4 && !memcmp(p, "/system.slice/docker-", 21));
	n = pn__cg_parse(hybrid, sizeof(hybrid) - 1, &p);
	CHECK(n == 11 && !memcmp(p, "/user.slice", 11));
	n = pn__cg_parse(v1, sizeof(v1) - 1, &p);
	CHECK(n == 10 && !memcmp(p, "/lxc/web01", 10));
	n = pn__cg_parse(odd, sizeof(odd) - 1, &p);
	CHECK(n == 2 && !memcmp(p, "/b", 2));
	CHECK(pn__cg_parse("", 0, &p) == 0 && pn__cg_parse("junk", 4, &p) == 0);
}

/* The table names the container: 12 digits of an id, a name whole and
 * escaped (whoever made the cgroup chose it). */
static void test_table(void)
{
	pn_event ev = { .type = PN_EVENT_EXEC, .have = PN_HAVE_CONTAINER | PN_HAVE_IMAGE };
	pn_buf b = { 0 };

	ev.image = (pn_str){ "/bin/sh", 7 };
	ev.container_id = (pn_str){ HEX, 64 };
	pn_fmt_table_row(&b, &ev);
	CHECK(strstr(b.data, "/bin/sh [container 3f1a2b4c5d6e]\n") != NULL);
	pn_buf_reset(&b);
	ev.container_id = (pn_str){ "web\n| x]", 8 };
	pn_fmt_table_row(&b, &ev);
	CHECK(strstr(b.data, "[container \"web\\n\\x7c x]\"]\n") != NULL);
	CHECK(strchr(b.data, '\n') == b.data + b.len - 1);
	pn_buf_reset(&b);
	ev.have &= ~PN_HAVE_CONTAINER;
	pn_fmt_table_row(&b, &ev);
	CHECK(strstr(b.data, "container") == NULL);
	pn_buf_free(&b);
}

int main(void)
{
	/* Docker, cgroupfs and systemd drivers. */
	CHECK_STR(id_of("/docker/" HEX), HEX);
	CHECK_STR(id_of("/system.slice/docker-" HEX ".scope"), HEX);
	/* Kubernetes: cgroupfs driver (containerd, Docker shim), systemd driver
	 * with containerd and with CRI-O; a pod's own cgroup is no container. */
	CHECK_STR(id_of("/kubepods/burstable/pod6b2f2d6c-1d1a-4e8e-9f3a-2c1f6a0d9b11/" HEX), HEX);
	CHECK_STR(id_of("/kubepods/pod6b2f2d6c-1d1a-4e8e-9f3a-2c1f6a0d9b11/" HEX), HEX);
	CHECK_STR(id_of("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod6b2f2d6c_1d1a"
			"_4e8e_9f3a_2c1f6a0d9b11.slice/cri-containerd-" HEX ".scope"), HEX);
	CHECK_STR(id_of("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podabc.slice/"
			"crio-" HEX ".scope"), HEX);
	CHECK_STR(id_of("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podabc.slice"), "");
	/* Podman, root and rootless; conmon is beside the container. */
	CHECK_STR(id_of("/machine.slice/libpod-" HEX ".scope"), HEX);
	CHECK_STR(id_of("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" HEX
			".scope/container"), HEX);
	CHECK_STR(id_of("/machine.slice/libpod-conmon-" HEX ".scope"), "");
	/* systemd-nspawn: the machine's name, unescaped. */
	CHECK_STR(id_of("/machine.slice/machine-debian\\x2dbuild.scope/payload"), "debian-build");
	CHECK_STR(id_of("/machine.slice/machine-web1.scope"), "web1");
	/* LXC, old and new layouts; its monitor is not in the container. */
	CHECK_STR(id_of("/lxc/web01"), "web01");
	CHECK_STR(id_of("/lxc/web01/init.scope"), "web01");
	CHECK_STR(id_of("/lxc.payload.web01/system.slice/cron.service"), "web01");
	CHECK_STR(id_of("/lxc.monitor.web01"), "");
	/* The innermost container wins: Docker in an LXC container. */
	CHECK_STR(id_of("/lxc.payload.ci/docker/" HEX), HEX);
	/* The host's own cgroups, and look-alikes. */
	CHECK_STR(id_of("/"), "");
	CHECK_STR(id_of(""), "");
	CHECK_STR(id_of("/user.slice/user-1000.slice/session-3.scope"), "");
	CHECK_STR(id_of("/system.slice/docker.service"), "");
	CHECK_STR(id_of("/system.slice/docker-1234.scope"), "");        /* not 64 hex */
	CHECK_STR(id_of("/docker/" HEX "0"), "");                      /* 65 */
	CHECK_STR(id_of("/system.slice/docker-" "3F1A2B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F70A"
			".scope"), "");                                /* upper case */
	CHECK_STR(id_of("/other/" HEX), "");                           /* no runtime's parent */
	CHECK_STR(id_of("/" HEX), "");                                 /* no parent at all */
	CHECK_STR(id_of("/dockerd/" HEX), "");
	CHECK_STR(id_of("/lx/web"), "");
	CHECK_STR(id_of("/lxcs/web"), "");
	CHECK_STR(id_of("/lxc/"), "");                                 /* no name after it */
	/* A machine's name: an escape cut short or not \xHH is kept as it is;
	 * a name longer than the room names no container. */
	CHECK_STR(id_of("/machine.slice/machine-a\\x2.scope"), "a\\x2");
	CHECK_STR(id_of("/machine.slice/machine-a\\x2g.scope"), "a\\x2g");
	CHECK_STR(id_of("/machine.slice/machine-a\\y41.scope"), "a\\y41");
	{
		char path[400];

		snprintf(path, sizeof(path), "/machine.slice/machine-%0300d.scope", 7);
		CHECK_STR(id_of(path), "");
		snprintf(path, sizeof(path), "/machine.slice/machine-%0254d.scope", 7);
		CHECK(strlen(id_of(path)) == 254);
	}
	/* Bytes a process chose (a cgroup it may create and name): kept as
	 * they are; the outputs escape them. */
	CHECK_STR(id_of("/lxc/a\nb"), "a\nb");
	{
		char small[8];

		CHECK(pn__container_id("/docker/" HEX, strlen("/docker/" HEX), small, sizeof(small)) == 0);
	}
	test_parse();
	test_table();
	return pn_test_done("test_container");
}
