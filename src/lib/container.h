/*
 * Which container a cgroup path belongs to, from the layouts the common
 * runtimes give their containers' cgroups (cgroup v2 paths, as
 * /proc/PID/cgroup's "0::" line shows them, or a v1 hierarchy's):
 *
 *   Docker          /docker/<64 hex>, /system.slice/docker-<64 hex>.scope
 *   containerd, Kubernetes (CRI)
 *                   /kubepods/<qos>/pod<uid>/<64 hex>,
 *                   /kubepods.slice/.../cri-containerd-<64 hex>.scope,
 *                   /system.slice/containerd.service/... ,
 *                   cri-o: crio-<64 hex>.scope
 *   Podman          /machine.slice/libpod-<64 hex>.scope (and under a
 *                   user's slice when rootless); libpod-conmon-* is the
 *                   monitor beside the container, not in it
 *   systemd-nspawn  /machine.slice/machine-<name>.scope (the name
 *                   unescaped: \x2d is '-')
 *   LXC             /lxc/<name>, /lxc.payload.<name> (LXC 4 and later);
 *                   lxc.monitor.<name> is LXC's own monitor
 *
 * The innermost match names the container (a container nested in another
 * is its own). Pure and portable: only its arguments are read.
 */
#ifndef PN_CONTAINER_H
#define PN_CONTAINER_H
#include <stddef.h>

/* The container id of the cgroup path p (n bytes): its length, written to
 * out (which holds cap bytes, a NUL included), or 0 when the path is no
 * container's (or the id does not fit). */
size_t pn__container_id(const char *p, size_t n, char *out, size_t cap);
#endif
