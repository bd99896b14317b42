"""Least privilege: the running monitor, both backends.

After start-up the monitor must hold only the capabilities its backend
still needs (bpf: none; netlink: CAP_SYS_PTRACE), in every thread, with
no_new_privs and a seccomp filter; events must still flow, through a forced
loss and its resync (a new BPF task iterator, or /proc), into the JSON
output and the activity log. A program that links the library's
pn_sandbox() and then makes a forbidden system call must die of SIGSYS.

Run as root. Prints "N passed, N failed, N skipped".
"""
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from pn_test import (BIN, BUILD, SCOPED_BIN, Monitor, Results, Scope, connector_socket, parse_jsonl,
                     refusing, set_rcvbuf)

R = Results()
PROBE = os.path.join(BUILD, "tests", "sandbox_probe")
CAP_SYS_PTRACE = 19
# What each backend keeps, and how to make it lose events.
BACKENDS = {
    "bpf": (0, ["--ring-size", "16384"]),
    "netlink": (1 << CAP_SYS_PTRACE, ["--netlink-rcvbuf", "65536"]),
}


def thread_status(pid):
    """{tid: {field: value}} of the lines of /proc/PID/task/TID/status we check."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/status") as f:
            out[tid] = {k: v.strip() for k, v in (l.split(":", 1) for l in f)
                        if k in ("CapEff", "CapPrm", "CapInh", "CapBnd", "CapAmb",
                                 "NoNewPrivs", "Seccomp")}
    return out


def check_privileges(name, pid, keep):
    threads = thread_status(pid)
    want = {"CapEff": keep, "CapPrm": keep, "CapInh": 0, "CapBnd": keep, "CapAmb": 0}
    bad = {tid: st for tid, st in threads.items()
           if any(int(st[k], 16) != v for k, v in want.items()) or
           st["NoNewPrivs"] != "1" or st["Seccomp"] != "2"}
    R.check(f"{name}: every thread holds only CapEff {keep:016x}, no_new_privs, seccomp filter",
            threads and not bad, str(bad or threads))


def run_trues(n, scope=None):
    pids = set()
    for _ in range(n):
        p = subprocess.Popen(["/bin/true"], preexec_fn=scope and scope.enter)
        p.wait()
        pids.add(p.pid)
    return pids


def check_backend(name, keep, loss_args, tmp):
    db = os.path.join(tmp, f"{name}.db")
    # Only the forced loss may lose anything, however busy the machine: the
    # eBPF monitor sees only the test's cgroup, and the netlink monitor's
    # buffer is widened (through a duplicate of its socket) once the loss is made.
    scope = Scope() if name == "bpf" else None
    mon = Monitor("--json", "--backend", name, "--db", db, *loss_args,
                  binary=SCOPED_BIN if scope else BIN, env=scope.env() if scope else None)
    if not R.check(f"{name}: monitor ready", mon.ready, str(mon.ready)):
        mon.stop()
        return
    check_privileges(name, mon.proc.pid, keep)
    # A stopped reader and a storm: a loss, then a resync under the sandbox.
    mon.proc.send_signal(signal.SIGSTOP)
    run_trues(450, scope)
    # Started in the gap, ended after it: only the resync can name it.
    late = subprocess.Popen(["sleep", "1.5"], preexec_fn=scope and scope.enter)
    if not scope:
        sock = connector_socket(mon.proc.pid)
        set_rcvbuf(sock, 16 << 20)
        os.close(sock)
    mon.proc.send_signal(signal.SIGCONT)
    late.wait()
    after = run_trues(20, scope)
    check_privileges(f"{name} after the resync", mon.proc.pid, keep)
    rc, data, err = mon.stop()
    if scope:
        scope.close()
    events, bad = parse_jsonl(data)
    lost = [e for e in events if e["type"] == "lost"]
    exits = [e for e in events if e["type"] == "exit" and e["pid"] == late.pid]
    R.check(f"{name}: a forced loss was reported", lost, err)
    R.check(f"{name}: after the resync the late process's exit has its image",
            len(exits) == 1 and exits[0]["image"] == os.path.realpath("/usr/bin/sleep"),
            str(exits))
    R.check(f"{name}: every process after the resync reported",
            after <= {e["pid"] for e in events if e["type"] == "exit"})
    R.check(f"{name}: the monitor was not killed, exit 0, valid JSON",
            rc == 0 and not bad, f"rc={rc} {err}")
    q = subprocess.run([BIN, "query", "--db", db, "--json", "--pid", str(late.pid)],
                       capture_output=True)
    R.check(f"{name}: the activity log kept the late process's exit",
            q.returncode == 0 and b'"type":"exit"' in q.stdout, q.stderr.decode())


def check_no_sandbox():
    mon = Monitor("--json", "--backend", "bpf", "--no-sandbox")
    if R.check("--no-sandbox: monitor ready", mon.ready, str(mon.ready)):
        st = thread_status(mon.proc.pid)[str(mon.proc.pid)]
        R.check("--no-sandbox: capabilities kept, no filter",
                int(st["CapEff"], 16) & (1 << 21) and st["Seccomp"] == "0", str(st))
    mon.stop()


def no_core():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def probe(backend, call):
    p = subprocess.run([PROBE, backend, call], capture_output=True, timeout=30,
                       preexec_fn=no_core)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def check_thread_before(backend, keep):
    """A thread started before pn_sandbox() drops its capabilities too."""
    p = subprocess.Popen([PROBE, backend, "before"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=no_core)
    line = p.stdout.readline()
    threads = thread_status(p.pid) if line == b"sandboxed\n" else {}
    p.stdin.close()
    rc = p.wait(timeout=30)
    bad = {tid: st for tid, st in threads.items()
           if int(st["CapPrm"], 16) != keep or int(st["CapEff"], 16) != keep or
           int(st["CapBnd"], 16) != keep or st["Seccomp"] != "2" or st["NoNewPrivs"] != "1"}
    R.check(f"probe {backend}: a thread started before the sandbox is in it too",
            len(threads) == 2 and not bad and rc == 0,
            f"rc={rc} {line!r} {p.stderr.read().decode()} {threads}")


def check_probe(backend):
    for call in ("none", "thread"):
        rc, out, err = probe(backend, call)
        R.check(f"probe {backend}: '{call}' runs and closes inside the sandbox",
                rc == 0 and out == "sandboxed\nsurvived\n", f"rc={rc} {out!r} {err}")
    for call in ("execve", "fork", "socket", "ptrace", "mmap-exec", "bpf-load"):
        rc, out, err = probe(backend, call)
        R.check(f"probe {backend}: '{call}' after the drop is killed by SIGSYS",
                rc == -signal.SIGSYS and out == "sandboxed\n", f"rc={rc} {out!r} {err}")


def check_setup_failures():
    """Each step of the sandbox refused by the kernel (a seccomp filter of
    the test's in the monitor's process): exit 1, never a monitor running
    with more than it should, and one line naming the step and its reason,
    then only the exit summary (no second reason)."""
    caps_signal = signal.SIGRTMIN + 3  # caps.c's CAPS_SIGNAL
    drop = "cannot drop capabilities: Operation not permitted"
    with tempfile.TemporaryDirectory() as tmp:
        # The enforcer's threads drop their capabilities in a signal
        # handler: capset refused there too. Its rule names no file.
        threads = ("--rule", f"deny image={tmp}/none/**")
        for what, refuse, args, words in (
                ("the capability drop's signal handler", ("rt_sigaction", caps_signal), (), drop),
                ("the bounding set's drop", ("prctl", 24), (), drop),     # PR_CAPBSET_DROP
                ("the securebits", ("prctl", 28), (), drop),              # PR_SET_SECUREBITS
                ("the ambient set's clearing", ("prctl", 47), (), drop),  # PR_CAP_AMBIENT
                ("capset(), in every thread", ("capset",), threads, drop),
                ("the signal to the other threads", ("tgkill", None, None, caps_signal), threads,
                 drop),
                ("no_new_privs", ("prctl", 38), (), "cannot set no_new_privs: Operation not permitted"),
                ("seccomp()", ("seccomp",), (), "cannot install the system call filter: ")):
            check_refused(what, refuse, args, words)


def check_refused(what, refuse, args, words):
    """The monitor with one call refused: exit 1, the reason (after the
    enforcer's start, when one ran), then the summaries only."""
    p = subprocess.run([BIN, "-d", "0.5", "--backend", "bpf", *args], capture_output=True,
                       text=True, timeout=30, preexec_fn=refusing(*refuse))
    lines = [line for line in p.stderr.strip().split("\n")
             if not line.startswith("procnotify: enforcing ")]
    R.check(f"{what} refused: exit 1, one line: {words}, then the summary only",
            p.returncode == 1 and lines[0].startswith("procnotify: " + words) and
            all(line.startswith(("procnotify: 0 events: ", "procnotify: enforcement: "))
                for line in lines[1:]), f"rc={p.returncode} {p.stderr}")


def main():
    if os.geteuid() != 0:
        R.skip("sandbox end-to-end", "needs root")
        R.finish()
    with tempfile.TemporaryDirectory() as tmp:
        for name, (keep, loss_args) in BACKENDS.items():
            check_backend(name, keep, loss_args, tmp)
            check_probe(name)
            check_thread_before(name, keep)
    check_no_sandbox()
    check_setup_failures()
    R.finish()


main()
