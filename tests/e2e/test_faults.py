"""Set-up failures made on purpose: a seccomp filter in the monitor's process
refuses one system call with EPERM before procnotify starts, so the failure
paths of each backend's set-up run against the real kernel.

Run as root. Prints "N passed, N failed, N skipped".
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pn_test import BIN, BUILD, Results, refusing

R = Results()
SHIM = os.path.abspath(os.path.join(BUILD, "tests", "fail_libbpf.so"))
AF_NETLINK = 16
# bpf() commands (include/uapi/linux/bpf.h), refused one at a time.
BPF_MAP_CREATE, BPF_LINK_CREATE, BPF_ITER_CREATE = 0, 28, 33
PROT_READ, MAP_SHARED = 1, 1
SOL_SOCKET, SO_RCVBUFFORCE = 1, 33


def run(*args, refuse):
    p = subprocess.run([BIN, "-d", "0.5", *args], capture_output=True, timeout=30,
                       preexec_fn=refusing(*refuse))
    return p.returncode, p.stderr.decode(errors="replace")


def one_line(err, *words):
    lines = err.strip().split("\n")
    return len(lines) == 1 and lines[0].startswith("procnotify: ") and all(w in lines[0] for w in words)


def main():
    if os.geteuid() != 0:
        R.skip("set-up failures", "need root")
        R.finish()
    rc, err = run("--backend", "bpf", refuse=("bpf",))
    R.check("bpf() refused, --backend bpf: exit 1, one line giving the reason",
            rc == 1 and one_line(err, "Operation not permitted"), f"rc={rc} {err}")
    rc, err = run(refuse=("bpf",))
    R.check("bpf() refused, auto: falls back to netlink and runs",
            rc == 0 and "ready (backend netlink)" in err, f"rc={rc} {err}")
    rc, err = run("--backend", "netlink", refuse=("socket", AF_NETLINK))
    R.check("netlink sockets refused, --backend netlink: exit 1, one line giving the reason",
            rc == 1 and one_line(err, "Operation not permitted"), f"rc={rc} {err}")
    rc, err = run(refuse=("socket", AF_NETLINK))
    R.check("netlink sockets refused, auto: the eBPF backend runs",
            rc == 0 and "ready (backend bpf)" in err, f"rc={rc} {err}")
    steps()
    privileges()
    R.finish()


def privileges():
    """The eBPF backend's privileges, as README gives them: root, or
    CAP_BPF with CAP_PERFMON (no CAP_SYS_ADMIN needed); CAP_BPF alone is
    refused with one line saying what is missing."""
    def without(caps):
        p = subprocess.run(["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}", BIN,
                            "-d", "0.5", "--backend", "bpf"], capture_output=True, timeout=30)
        return p.returncode, p.stderr.decode(errors="replace")
    rc, err = without("-sys_admin")
    R.check("CAP_BPF and CAP_PERFMON without CAP_SYS_ADMIN: the eBPF backend runs",
            rc == 0 and "ready (backend bpf)" in err, f"rc={rc} {err}")
    rc, err = without("-sys_admin,-perfmon")
    R.check("CAP_BPF alone: exit 1, one line naming CAP_BPF and CAP_PERFMON",
            rc == 1 and one_line(err, "not permitted", "CAP_BPF", "CAP_PERFMON"),
            f"rc={rc} {err}")


def steps():
    """Each set-up step of each backend failing on its own: exit 1 and one
    line naming the step."""
    for what, refuse, words in (
            ("bpf(BPF_MAP_CREATE) refused", ("bpf", BPF_MAP_CREATE), "refused the BPF programs"),
            ("bpf(BPF_LINK_CREATE) refused", ("bpf", BPF_LINK_CREATE), "cannot attach"),
            ("bpf(BPF_ITER_CREATE) refused", ("bpf", BPF_ITER_CREATE),
             "cannot list the running processes"),
            ("epoll_create1() refused", ("epoll_create1",), "cannot map the ring buffer"),
            # The first read-only shared mapping is the drop counters'.
            ("mmap(PROT_READ, MAP_SHARED) refused", ("mmap", None, None, PROT_READ, MAP_SHARED),
             "cannot map the drop counters")):
        rc, err = run("--backend", "bpf", refuse=refuse)
        R.check(f"{what}, --backend bpf: exit 1, one line: {words}",
                rc == 1 and one_line(err, words, "Operation not permitted"), f"rc={rc} {err}")
    for what, refuse, words in (
            ("setsockopt() refused", ("setsockopt",), "cannot size the netlink receive buffer"),
            ("bind() refused", ("bind",), "cannot subscribe to process events"),
            ("the subscription's send refused", ("sendto",), "cannot subscribe to process events")):
        rc, err = run("--backend", "netlink", refuse=refuse)
        R.check(f"{what}, --backend netlink: exit 1, one line: {words}",
                rc == 1 and one_line(err, words, "Operation not permitted"), f"rc={rc} {err}")
    # Steps no kernel refusal reaches: libbpf itself fails (an LD_PRELOAD shim).
    for call, words in (("bpf_object__open_skeleton", "cannot open the BPF object"),
                        ("libbpf_num_possible_cpus", "cannot count the CPUs"),
                        ("bpf_map__set_max_entries:1", "ring size"),
                        ("bpf_map__set_max_entries:2", "cannot size the per-CPU maps"),
                        ("bpf_map__set_max_entries:3", "cannot size the per-CPU maps"),
                        ("bpf_program__attach_iter",
                         "cannot create the task iterator: Too many open files")):
        p = subprocess.run([BIN, "-d", "0.5", "--backend", "bpf"], capture_output=True,
                           timeout=30, env=dict(os.environ, LD_PRELOAD=SHIM, PN_FAIL_LIBBPF=call))
        err = p.stderr.decode(errors="replace")
        R.check(f"libbpf's {call} fails: exit 1, one line: {words}",
                p.returncode == 1 and one_line(err, words), f"rc={p.returncode} {err}")
    # The one-line error points at PN_DEBUG_LIBBPF=1 for libbpf's own log.
    p = subprocess.run([BIN, "-d", "0.5", "--backend", "bpf"], capture_output=True, timeout=30,
                       env=dict(os.environ, PN_DEBUG_LIBBPF="1"),
                       preexec_fn=refusing("bpf", BPF_MAP_CREATE))
    err = p.stderr.decode(errors="replace")
    R.check("PN_DEBUG_LIBBPF=1: libbpf says which map it could not create",
            p.returncode == 1 and "libbpf: map 'events': failed to create" in err, err[-300:])
    # SO_RCVBUFFORCE refused: the plain SO_RCVBUF (up to rmem_max) will do.
    rc, err = run("--backend", "netlink", refuse=("setsockopt", None, SOL_SOCKET, SO_RCVBUFFORCE))
    R.check("SO_RCVBUFFORCE refused, --backend netlink: SO_RCVBUF instead, and it runs",
            rc == 0 and "ready (backend netlink)" in err, f"rc={rc} {err}")
    rc, err = run(refuse=("bpf", BPF_LINK_CREATE))
    R.check("bpf(BPF_LINK_CREATE) refused, auto: the eBPF backend gives up, netlink runs",
            rc == 0 and "ready (backend netlink)" in err, f"rc={rc} {err}")


main()
