"""Shared pieces of the end-to-end tests: a running monitor, and counters.

The tests start the real `procnotify`, spawn real processes and compare what
the monitor reported with what they know happened.
"""
import atexit
import ctypes
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("BUILD", "build")
BIN = os.path.abspath(os.path.join(BUILD, "procnotify"))
# The monitor built with the test hooks (PN_TEST_CGROUP, see Scope): the
# released one ignores them.
SCOPED_BIN = os.path.abspath(os.path.join(BUILD, "tests", "procnotify-scoped"))
WORKLOAD = os.path.abspath(os.path.join(BUILD, "tests", "workload"))


class Results:
    """pass/fail/skip counters that end with the suite's closing line."""

    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def check(self, what, cond, detail=""):
        if cond:
            self.passed += 1
            print(f"ok   - {what}")
        else:
            self.failed += 1
            print(f"FAIL - {what}" + (f": {detail}" if detail else ""))
        return cond

    def skip(self, what, why):
        self.skipped += 1
        print(f"skip - {what}: {why}")

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed, {self.skipped} skipped")
        sys.exit(1 if self.failed else 0)


class Monitor:
    """A procnotify process, started and attached before __init__ returns."""

    def __init__(self, *args, binary=BIN, env=None, preexec_fn=None, timeout=20):
        # A file without a name (O_TMPFILE): nothing is left behind however the
        # test ends; out_path reads it while the monitor runs.
        self.out = tempfile.TemporaryFile(prefix="pn-e2e-")
        self.out_path = f"/proc/{os.getpid()}/fd/{self.out.fileno()}"
        self.proc = subprocess.Popen([binary, *args], stdout=self.out,
                                     stderr=subprocess.PIPE, env=env,
                                     preexec_fn=preexec_fn)
        self.ready = self._wait_ready(timeout)
        # A test that dies half-way must not leave a monitor running.
        atexit.register(self._kill)

    def _kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def _wait_ready(self, timeout):
        deadline = time.time() + timeout
        line = b""
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                return None
            if line.startswith(b"procnotify: ready"):
                return line.decode()
        return None

    def stop(self, sig=signal.SIGINT, timeout=20):
        """Stops the monitor; returns (exit code, stdout bytes, stderr text)."""
        time.sleep(0.15)  # longer than the flush interval: let the last events arrive
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rest = self.proc.stderr.read()
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc, rest = -999, b""
        self.out.seek(0)
        data = self.out.read()
        self.out.close()
        return rc, data, rest.decode(errors="replace")


def spawn_true(n, in_flight=4):
    """Runs /bin/true n times, in_flight at once; returns their pids."""
    pids, running = set(), []
    for _ in range(n):
        running.append(subprocess.Popen(["/bin/true"]))
        if len(running) == in_flight:
            pids.add(running[0].pid)
            running.pop(0).wait()
    for p in running:
        pids.add(p.pid)
        p.wait()
    return pids


def run_named(d, names, runs):
    """Copies the workload into d under each of names (str, or bytes for a
    name that is not UTF-8), then runs each argv of runs there in turn;
    returns their pids."""
    for name in names:
        base = d.encode() if isinstance(name, bytes) else d
        shutil.copy(WORKLOAD, os.path.join(base, name))
    pids = []
    for argv in runs:
        p = subprocess.Popen(argv, cwd=d)
        p.wait()
        pids.append(p.pid)
    return pids


# A backend that reads /proc after an exec needs the process to still be
# the image it exec'd when the read comes, however late a loaded machine
# makes it: a gated "linger" of the workload (PN_LINGER_STDIN=1) waits for
# a line on stdin, sent once every watching monitor has shown the exec,
# instead of sleeping a fixed 300 ms.
GATED_ENV = dict(os.environ, PN_LINGER_STDIN="1")


def exec_lines(mon, pid):
    """The lines of pid's exec events the monitor has written so far, in
    JSON Lines or in the table."""
    with open(mon.out_path, "rb") as f:
        data = f.read()
    if data.startswith(b"{"):
        key = b'"pid":%d,' % pid
        return [l for l in data.split(b"\n") if key in l and b'"type":"exec"' in l]
    row = re.compile(rb"^\| [^|]*\| exec +\| +\d+ \| +%d \|" % pid)
    return [l for l in data.split(b"\n") if row.match(l)]


def shown(monitors, pid, n, timeout=30):
    """Waits until each monitor has shown n execs of pid; 30 s at most,
    after which the test's checks say what is missing. A count, not a
    test of the line: the netlink backend reads an exec from /proc when it
    comes, and an earlier exec read late shows the later one's arguments."""
    deadline = time.time() + timeout
    while time.time() < deadline and not all(len(exec_lines(m, pid)) >= n for m in monitors):
        time.sleep(0.02)


def run_gated(monitors, argv, gates=(1,), env=GATED_ENV, **kw):
    """Runs argv, whose lingering parts read stdin (the workload's gated
    linger, sh's read), sending a line each time the monitors have shown
    gates[i] execs of it; returns (pid, wait status)."""
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, bufsize=0, env=env, **kw)
    for gate in gates:
        shown(monitors, p.pid, gate)
        try:
            p.stdin.write(b"\n")
        except BrokenPipeError:  # it ended early: the checks will say how
            break
    p.stdin.close()
    return p.pid, p.wait()


def parse_jsonl(data):
    """Every line must be one JSON object; returns (events, bad lines)."""
    events, bad = [], []
    for line in data.split(b"\n"):
        if not line:
            continue
        try:
            events.append(json.loads(line.decode("utf-8")))
        except (UnicodeDecodeError, ValueError):
            bad.append(line)
    return events, bad


def by_pid(events, pid):
    return [e for e in events if e.get("pid") == pid]


def bpf_ids_held_by(pid, kind="prog"):
    """Ids of the BPF programs (kind "prog") or maps ("map") a process holds
    open, from /proc/PID/fdinfo: the monitor's own, not another one's."""
    ids = set()
    fdinfo = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(fdinfo):
        try:
            with open(os.path.join(fdinfo, fd)) as f:
                for line in f:
                    if line.startswith(f"{kind}_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            pass
    return ids


def bpf_show(kind, ident):
    """bpftool's description of BPF program or map ident, or None once the
    kernel has freed it. Any other answer raises: a bpftool that prints
    nothing or something unexpected cannot pass for "gone"."""
    p = subprocess.run(["bpftool", kind, "show", "id", str(ident), "-j"], capture_output=True)
    try:
        d = json.loads(p.stdout)
    except ValueError:
        d = None
    if isinstance(d, dict) and p.returncode == 0 and d.get("id") == ident:
        return d
    if isinstance(d, dict) and p.returncode != 0 and \
            "No such file or directory" in str(d.get("error")):
        return None
    raise RuntimeError(f"bpftool {kind} show id {ident}: exit {p.returncode}, "
                       f"{p.stdout[:200]!r} {p.stderr[:200]!r}")


def still_loaded(kind, ids):
    """The ids of the set that the kernel still has."""
    return {i for i in ids if bpf_show(kind, i) is not None}


def bpf_map_dump(pid, match):
    """The bpftool dump of the first BPF map held by pid whose name passes
    match, or None. Read independently of the library, so tests compare what
    the stream says with the kernel's own state."""
    map_ids = set()
    for fd in os.listdir(f"/proc/{pid}/fdinfo"):
        try:
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                map_ids |= {int(l.split()[1]) for l in f if l.startswith("map_id:")}
        except OSError:
            pass
    for mid in sorted(map_ids):
        show = subprocess.run(["bpftool", "map", "show", "id", str(mid), "-j"],
                              capture_output=True)
        if match(json.loads(show.stdout or b"{}").get("name", "")):
            dump = subprocess.run(["bpftool", "map", "dump", "id", str(mid), "-j"],
                                  capture_output=True)
            return json.loads(dump.stdout)
    return None


def kernel_drop_counters(pid):
    """(total, by_type) summed over the CPUs of the "drops" map pid holds."""
    dump = bpf_map_dump(pid, lambda name: name == "drops")
    if dump is None:
        return None, None
    cpus = [e["formatted"]["value"] for e in dump]
    return (sum(c["total"] for c in cpus),
            [sum(col) for col in zip(*(c["by_type"] for c in cpus))])


def wakeups(pid):
    """Times the process went to sleep of its own accord (all its threads):
    each is a wait for something, so a parked monitor adds none."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                total += next(int(l.split()[1]) for l in f
                              if l.startswith("voluntary_ctxt_switches"))
        except (OSError, StopIteration):
            pass
    return total


def cgroup2_root():
    """Where the cgroup v2 hierarchy is mounted (mounted here when it is not)."""
    with open("/proc/mounts") as f:
        for line in f:
            dev, where, fstype = line.split()[:3]
            if fstype == "cgroup2":
                return where
    where = tempfile.mkdtemp(prefix="pn-cgroup2-")
    subprocess.run(["mount", "-t", "cgroup2", "none", where], check=True)
    return where


class Scope:
    """A cgroup of the test's own. A test build of the monitor (SCOPED_BIN)
    started with env() reports only what its tasks do (PN_TEST_CGROUP, eBPF
    backend), so the test can watch a monitor that sees nothing however busy
    the machine is. A process enters
    it with enter() as its preexec_fn; a fork is the parent's, so only a child
    of a process inside is reported whole."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="pn-test-", dir=cgroup2_root())
        self.id = os.stat(self.path).st_ino  # the cgroup id BPF sees
        atexit.register(self.close)

    def env(self):
        return dict(os.environ, PN_TEST_CGROUP=str(self.id))

    def enter(self):
        with open(os.path.join(self.path, "cgroup.procs"), "w") as f:
            f.write("0")  # 0: the writer itself

    def close(self):
        if os.path.isdir(self.path):
            os.rmdir(self.path)


class Shell:
    """A shell inside a scope that runs one command per line it is given, in a
    child of its own (so the fork is the scope's), and prints the child's pid."""

    def __init__(self, scope):
        self.proc = subprocess.Popen(
            ["/bin/sh", "-c", 'while read cmd; do $cmd & echo $!; wait; done'],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, preexec_fn=scope.enter)
        atexit.register(self.close)

    def run(self, cmd):
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait()


_libc = ctypes.CDLL(None, use_errno=True)
SYS_PIDFD_GETFD = 438
SOL_SOCKET, SO_ATTACH_FILTER, SO_DETACH_FILTER = 1, 26, 27


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8),
                ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_SockFilter))]


def connector_fds(pid):
    """{fd: multicast groups} of the proc connector sockets process pid holds
    (groups 0 until it subscribes), from /proc/net/netlink."""
    with open("/proc/net/netlink") as f:
        rows = [l.split() for l in f.readlines()[1:]]
    groups = {r[-1]: int(r[3], 16) for r in rows if r[1] == "11"}  # NETLINK_CONNECTOR
    fds = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:[") and link[8:-1] in groups:
            fds[int(fd)] = groups[link[8:-1]]
    return fds


def connector_socket(pid):
    """A duplicate of the proc connector socket process pid reads, taken with
    pidfd_getfd: a filter set on it is set on the monitor's socket."""
    fds = connector_fds(pid)
    if not fds:
        raise RuntimeError(f"process {pid} holds no proc connector socket")
    pidfd = os.pidfd_open(pid)
    try:
        dup = _libc.syscall(SYS_PIDFD_GETFD, pidfd, min(fds), 0)
    finally:
        os.close(pidfd)
    if dup < 0:
        raise OSError(ctypes.get_errno(), "pidfd_getfd")
    return dup


def set_rcvbuf(sock, size):
    """Sets the receive buffer of a socket (SO_RCVBUFFORCE: past rmem_max)."""
    val = ctypes.c_int(size)
    if _libc.setsockopt(sock, SOL_SOCKET, 33, ctypes.byref(val), ctypes.sizeof(val)):
        raise OSError(ctypes.get_errno(), "setsockopt SO_RCVBUFFORCE")


def drop_all_messages(sock, drop=True):
    """Makes the kernel drop every message for the socket before it is queued
    (a classic BPF filter returning 0), or, with drop=False, none again."""
    if drop:
        prog = (_SockFilter * 1)(_SockFilter(0x06, 0, 0, 0))  # BPF_RET | BPF_K, 0
        fprog = _SockFprog(1, prog)
        rc = _libc.setsockopt(sock, SOL_SOCKET, SO_ATTACH_FILTER, ctypes.byref(fprog),
                              ctypes.sizeof(fprog))
    else:
        zero = ctypes.c_int(0)  # ignored, but the kernel wants an int's worth
        rc = _libc.setsockopt(sock, SOL_SOCKET, SO_DETACH_FILTER, ctypes.byref(zero),
                              ctypes.sizeof(zero))
    if rc:
        raise OSError(ctypes.get_errno(), "setsockopt")


# System calls a test's seccomp filter can refuse (refusing()), by number.
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}[os.uname().machine]
NR = {"x86_64": {"bpf": 321, "socket": 41, "bind": 49, "setsockopt": 54, "epoll_create1": 291,
                 "mmap": 9, "fanotify_init": 300, "fanotify_mark": 301, "eventfd2": 290,
                 "clone3": 435, "prctl": 157, "seccomp": 317, "rt_sigaction": 13,
                 "capset": 126, "tgkill": 234, "sendto": 44, "statx": 332},
      "aarch64": {"bpf": 280, "socket": 198, "bind": 200, "setsockopt": 208, "epoll_create1": 20,
                  "mmap": 222, "fanotify_init": 262, "fanotify_mark": 263, "eventfd2": 19,
                  "clone3": 435, "prctl": 167, "seccomp": 277, "rt_sigaction": 134,
                  "capset": 91, "tgkill": 131, "sendto": 206, "statx": 291},
      }[os.uname().machine]


def _insn(code, jt, jf, k):
    return struct.pack("HBBI", code, jt, jf, k)


def refusing(syscall, *args, errno=1):
    """A preexec_fn installing a filter that fails syscall with errno (EPERM)
    when each of its arguments args[i] that is not None equals it (the low
    32 bits), and allows the rest: the set-up failures of test_faults.py,
    test_enforce.py and test_sandbox.py, made by the real kernel."""
    ld_w, jeq, ret = 0x20, 0x15, 0x06  # BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K, BPF_RET|BPF_K
    allow, deny = 0x7FFF0000, 0x00050000 | errno  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO
    conds = [(16 + 8 * i, v) for i, v in enumerate(args) if v is not None]  # seccomp_data.args[i]
    prog = [_insn(ld_w, 0, 0, 4), _insn(jeq, 1, 0, AUDIT_ARCH), _insn(ret, 0, 0, allow),
            _insn(ld_w, 0, 0, 0), _insn(jeq, 0, 1 + 2 * len(conds), NR[syscall])]
    for n, (off, value) in enumerate(conds):  # a mismatch jumps to the allow at the end
        prog += [_insn(ld_w, 0, 0, off), _insn(jeq, 0, 1 + 2 * (len(conds) - n - 1), value)]
    prog += [_insn(ret, 0, 0, deny), _insn(ret, 0, 0, allow)]
    code = b"".join(prog)
    buf = ctypes.create_string_buffer(code, len(code))

    class Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    def install():
        fprog = Fprog(len(prog), ctypes.addressof(buf))
        if _libc.prctl(22, 2, ctypes.byref(fprog), 0, 0):  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
            os._exit(99)
    return install
