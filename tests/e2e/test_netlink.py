"""The netlink backend beyond the shared e2e suite: both backends against one
workload, a forced overflow and its resync, exec enrichment of short-lived
processes, and the errors without CAP_NET_ADMIN.

Run as root. Prints "N passed, N failed, N skipped".
"""
import collections
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from pn_test import (BIN, WORKLOAD, Monitor, Results, connector_fds, connector_socket,
                     parse_jsonl, set_rcvbuf, spawn_true)

R = Results()
LIFECYCLE = ("fork", "exec", "exit")


def cli(*args, prefix=(), timeout=20):
    p = subprocess.run([*prefix, BIN, *args], capture_output=True, timeout=timeout)
    return p.returncode, p.stderr.decode(errors="replace")


def run(argv):
    p = subprocess.Popen(argv)
    p.wait()
    return p.pid


def start(what, *args):
    """A netlink monitor, or None (reported as a failure) when it is not ready."""
    mon = Monitor("--json", "--backend", "netlink", *args)
    if R.check(f"{what}: monitor ready", mon.ready, str(mon.ready)):
        return mon
    mon.stop()
    return None


def outcome(e):
    """What both backends must agree on for one event."""
    status = (e["exit_code"], e["signal"]) if e["type"] == "exit" else None
    return (e["pid"], e["type"], status)


def check_differential():
    """One scripted workload seen by both backends at once."""
    bm = Monitor("--json", "--backend", "bpf")
    nm = Monitor("--json", "--backend", "netlink")
    if not R.check("differential: both monitors ready", bm.ready and nm.ready,
                   f"{bm.ready} {nm.ready}"):
        bm.stop(), nm.stop()
        return
    pids = set()
    for argv in (["exit", "0"], ["exit", "3"], ["exit", "255"], ["signal", "9"],
                 ["signal", "15"], ["segv", "0"], ["threads", "8", "5"],
                 ["leader-exit", "6"], ["raw-thread-exit", "9"],
                 ["thread-exec", WORKLOAD, "exit", "4"]):
        pids.add(run([WORKLOAD, *argv]))
    pids.add(run(["/bin/sh", "-c", f"{WORKLOAD} exit 1; exec {WORKLOAD} exit 2"]))
    pids |= {run(["/bin/true"]) for _ in range(50)}
    _, bdata, _ = bm.stop()
    _, ndata, _ = nm.stop()
    seen = []
    for data in (bdata, ndata):
        events, _ = parse_jsonl(data)
        # The sh's child is ours too: take every process our children started.
        ours = pids | {e["pid"] for e in events if e["type"] == "fork" and e["ppid"] in pids}
        # The lifecycle only: the connector's extra events have no BPF twin.
        seen.append(collections.Counter(outcome(e) for e in events
                                        if e["type"] in LIFECYCLE and e["pid"] in ours))
    b, n = seen
    R.check(f"differential: the same (pid, type, exit status) from both ({sum(b.values())} events)",
            b == n and sum(b.values()) >= 3 * len(pids),
            f"only bpf: {b - n}; only netlink: {n - b}")


def keys_of(data, pids):
    """{pid: the keys its lifecycle events carried} for the processes pids
    and the children they forked."""
    events, _ = parse_jsonl(data)
    ours = pids | {e["pid"] for e in events if e["type"] == "fork" and e["ppid"] in pids}
    keys = collections.defaultdict(set)
    for e in events:
        if e["type"] in LIFECYCLE and e["pid"] in ours:
            keys[e["pid"]].add(e["key"])
    return keys


def check_suspended():
    """A host that was suspended: CLOCK_BOOTTIME, and with it the start times
    in /proc, runs ahead of CLOCK_MONOTONIC, the connector's and BPF's clock.
    A time namespace whose boot time is 100,000 s ahead makes that so for one
    netlink monitor; every key it gives, from /proc (a process alive before
    it started) or from the connector, must be the eBPF monitor's."""
    early = subprocess.Popen(["sleep", "2"])
    bm = Monitor("--json", "--backend", "bpf")
    nm = Monitor("--time", "--boottime", "100000", BIN, "--json", "--backend", "netlink",
                 binary="/usr/bin/unshare")
    if not R.check("suspended host: both monitors ready", bm.ready and nm.ready,
                   f"{bm.ready} {nm.ready}"):
        bm.stop(), nm.stop()
        return
    pids = {early.pid, run([WORKLOAD, "exit", "0"]), run([WORKLOAD, "threads", "4", "0"]),
            run(["/bin/sh", "-c", f"{WORKLOAD} exit 1; exec {WORKLOAD} exit 2"])}
    early.wait()
    b, n = keys_of(bm.stop()[1], pids), keys_of(nm.stop()[1], pids)
    # A start time is /proc's, in clock ticks, or a fork event's time standing
    # in for it: within a tick of the eBPF one.
    tick = 10**9 // os.sysconf("SC_CLK_TCK")

    def same(pid):
        (bk,), (nk,) = b[pid], n[pid]
        return abs(int(bk.split(":")[2]) - int(nk.split(":")[2])) < tick
    R.check("suspended host: one key per process, the eBPF monitor's to a clock tick",
            b.keys() == n.keys() and len(b) >= len(pids) and
            all(len(b[p]) == len(n[p]) == 1 and same(p) for p in b),
            f"bpf {dict(b)} netlink {dict(n)}")


def wait_execs(mon, pids, timeout=30):
    """Waits until the monitor has written the exec of every pid."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        events, _ = parse_jsonl(open(mon.out_path, "rb").read())
        if pids <= {e["pid"] for e in events if e["type"] == "exec"}:
            return True
        time.sleep(0.05)
    return False


def check_enrichment():
    """Whether /proc still has a process when its exec arrives is a race, so
    it is controlled here, not counted on: processes that live until the
    monitor has reported their exec must be enriched exactly, every one.
    Execs of /bin/true, which exits at once, may each find /proc empty; the
    share that did not is printed, never asserted (it swings with the load)."""
    mon = start("enrichment", "-t", "exec,exit")
    if not mon:
        return
    sleepers = [subprocess.Popen(["/bin/sleep", "60"]) for _ in range(100)]
    reported = wait_execs(mon, {p.pid for p in sleepers})
    for p in sleepers:
        p.kill()
        p.wait()
    pids = spawn_true(1000)
    _, data, _ = mon.stop()
    # pid_max may be small (32768 here): on a busy machine another program's
    # process can take one of these pids within the run. Such a process has
    # another parent; a null ppid stays in, so the checks on it keep their bite.
    events = [e for e in parse_jsonl(data)[0] if e.get("ppid") in (os.getpid(), None)]
    live = [e for e in events if e["type"] == "exec" and e["pid"] in {p.pid for p in sleepers}]
    R.check("enrichment: a process alive at its exec's report is enriched exactly",
            reported and len(live) == 100 and
            all(e["image"] == os.path.realpath("/bin/sleep") and e["argv"] == ["/bin/sleep", "60"]
                and e["cwd"] == os.getcwd() and e["best_effort"] for e in live),
            f"reported={reported} {len(live)} execs, {[e for e in live if e['image'] is None][:2]}")
    execs = [e for e in events if e["type"] == "exec" and e["pid"] in pids]
    full = [e for e in execs if e["image"] == "/usr/bin/true" and e["argv"] == ["/bin/true"]]
    gone = [e for e in execs if e["image"] is None]
    print(f"# 1,000 /bin/true: {len(execs)} execs, {len(full)} enriched, "
          f"{len(gone)} gone before /proc was read")
    R.check("enrichment: every exec and exit of 1,000 /bin/true reported",
            {e["pid"] for e in execs} == pids and
            {e["pid"] for e in events if e["type"] == "exit" and e["pid"] in pids} == pids)
    R.check("enrichment: each exec's image is its own or null, never another",
            execs and all(e["image"] in ("/usr/bin/true", None) and e["best_effort"]
                          for e in execs),
            str([e for e in execs if e["image"] not in ("/usr/bin/true", None)][:2]))
    # An exec whose image is unknown leaves the image unknown: the exit must
    # not name the one the process ran before it (the spawner's, from the fork).
    image_of = {e["pid"]: e["image"] for e in execs}
    exits = [e for e in events if e["type"] == "exit" and e["pid"] in pids]
    R.check("enrichment: each exit's image is its exec's, null when that was",
            exits and all(e["image"] == image_of.get(e["pid"], "?") for e in exits),
            str([(e["image"], image_of.get(e["pid"])) for e in exits
                 if e["image"] != image_of.get(e["pid"], "?")][:3]))
    R.check("enrichment: each exec knows its parent, read from /proc or not",
            execs and all(e["ppid"] == os.getpid() and e["parent_key"] for e in execs),
            str([e for e in execs if e["ppid"] != os.getpid()][:2]))
    R.check("enrichment: a session is a number or null, never -1 as unsigned",
            execs and all(e["sid"] is None or 0 < e["sid"] < 2**31 for e in execs),
            str([e["sid"] for e in execs if e["sid"] is not None and not 0 < e["sid"] < 2**31][:3]))


def check_overflow():
    """A small receive buffer and a stopped reader: lost, then a correct resync."""
    # Small enough that 1,200 queued events overflow it.
    mon = start("overflow", "--netlink-rcvbuf", "65536")
    if not mon:
        return
    os.kill(mon.proc.pid, signal.SIGSTOP)
    for _ in range(400):
        run(["/bin/true"])
    # Forked and exec'd while the queue is full: only the resync can name it.
    late = subprocess.Popen(["sleep", "1.5"])
    for _ in range(50):
        run(["/bin/true"])
    # The loss is made: widen the buffer (through a duplicate of the
    # monitor's socket) so that a busy machine cannot overflow it again.
    sock = connector_socket(mon.proc.pid)
    set_rcvbuf(sock, 16 << 20)
    os.close(sock)
    os.kill(mon.proc.pid, signal.SIGCONT)
    late.wait()
    rc, data, err = mon.stop()
    events, bad = parse_jsonl(data)
    lost = [e for e in events if e["type"] == "lost"]
    mine = [e for e in events if e.get("pid") == late.pid]
    exits = [e for e in mine if e["type"] == "exit"]
    R.check("overflow: a lost record with an unknown count", lost and
            all(e["count"] is None for e in lost), str(lost[:2]))
    said = re.search(r"; lost 0 \(.*\) and (\d+) losses of unknown count, at least (\d+) records",
                     err)
    R.check("overflow: the exit summary counts the lost records the stream had",
            lost and said and int(said.group(1)) == len(lost) == int(said.group(2)), err)
    R.check("overflow: the late process's fork and exec fell in the gap, its exit after it",
            [e["type"] for e in mine] == ["exit"] and lost and lost[0]["seq"] < mine[0]["seq"],
            str(mine))
    R.check("overflow: after the resync its exit has name, image and key",
            len(exits) == 1 and exits[0]["comm"] == "sleep" and
            exits[0]["image"] == os.path.realpath("/usr/bin/sleep") and
            exits[0]["key"] is not None and exits[0]["exit_code"] == 0, str(exits))
    seqs = [e["seq"] for e in events]
    R.check("overflow: seq has no gap, JSON valid, exit 0",
            seqs == list(range(1, len(seqs) + 1)) and not bad and rc == 0, err)


def changes_child():
    """A child that renames itself, starts a session and drops to nobody."""
    pid = os.fork()
    if pid == 0:
        import ctypes
        ctypes.CDLL(None).prctl(15, b"pn-renamed", 0, 0, 0)  # PR_SET_NAME
        os.setsid()
        os.setgid(65534)
        os.setuid(65534)
        time.sleep(0.3)
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def traced_child():
    """A sleeping child the test attaches to with PTRACE_SEIZE, stops with
    PTRACE_INTERRUPT and detaches from, then kills."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    p = subprocess.Popen(["sleep", "5"])
    rc = libc.ptrace(0x4206, p.pid, 0, 0)  # PTRACE_SEIZE
    rc = rc or libc.ptrace(0x4207, p.pid, 0, 0)  # PTRACE_INTERRUPT
    os.waitpid(p.pid, 0)  # its ptrace-stop
    rc = rc or libc.ptrace(17, p.pid, 0, 0)  # PTRACE_DETACH
    p.kill()
    p.wait()
    return p.pid, rc


def threaded_child():
    """A child with four threads: one renames itself, then the process
    changes its ids (glibc changes them in every thread, and the kernel
    reports each thread's change)."""
    pid = os.fork()
    if pid == 0:
        import ctypes
        import threading
        libc, done = ctypes.CDLL(None), threading.Event()
        renamed = threading.Event()

        def worker(i):
            if i == 0:
                libc.prctl(15, b"pn-thread", 0, 0, 0)  # PR_SET_NAME, this thread only
                renamed.set()
            done.wait()
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        renamed.wait()
        os.setgid(65534)
        os.setuid(65534)
        done.set()
        for t in threads:
            t.join()
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def check_extra_events():
    """The connector's other events: rename, credentials, session, tracer, core."""
    mon = start("extra events")
    if not mon:
        return
    cpid = changes_child()
    tpid, trc = traced_child()
    mpid = threaded_child()
    spid = run([WORKLOAD, "segv", "0"])
    _, data, _ = mon.stop()
    events, _ = parse_jsonl(data)
    of = lambda pid, typ: [e for e in events if e.get("pid") == pid and e["type"] == typ]
    R.check("comm: the new name, and the exit carries it",
            [e["comm"] for e in of(cpid, "comm")] == ["pn-renamed"] and
            [e["comm"] for e in of(cpid, "exit")] == ["pn-renamed"], str(of(cpid, "comm")))
    R.check("setsid: the process leads a session of its own id",
            [e["sid"] for e in of(cpid, "setsid")] == [cpid], str(of(cpid, "setsid")))
    R.check("setgid, setuid: the new ids, once per process",
            [(e["new_gid"], e["new_egid"]) for e in of(cpid, "setgid")] == [(65534, 65534)] and
            [(e["new_uid"], e["new_euid"]) for e in of(cpid, "setuid")] == [(65534, 65534)],
            str(of(cpid, "setuid") + of(cpid, "setgid")))
    R.check("ptrace: the tracer's pid on attach, null on detach",
            trc == 0 and [(e["tracer_pid"], e["attached"]) for e in of(tpid, "ptrace")] ==
            [(os.getpid(), True), (None, False)], f"rc={trc} {of(tpid, 'ptrace')}")
    R.check("setuid, setgid of a process of 4 threads: once each",
            [e["new_uid"] for e in of(mpid, "setuid")] == [65534] and
            [e["new_gid"] for e in of(mpid, "setgid")] == [65534],
            str(of(mpid, "setuid") + of(mpid, "setgid")))
    R.check("a thread's rename is not the process's: no comm event, the exit keeps its name",
            not of(mpid, "comm") and [e["comm"] for e in of(mpid, "exit")] == ["python3"],
            str(of(mpid, "comm") + of(mpid, "exit")))
    R.check("coredump: reported before the SIGSEGV exit",
            len(of(spid, "coredump")) == 1 and [e["signal"] for e in of(spid, "exit")] == [11] and
            of(spid, "coredump")[0]["seq"] < of(spid, "exit")[0]["seq"], str(of(spid, "coredump")))


def one_line_error(err, *words):
    lines = err.strip().split("\n")
    return len(lines) == 1 and lines[0].startswith("procnotify: ") and \
        all(w in lines[0] for w in words)


def check_privilege():
    rc, err = cli("-d", "1", "--backend", "netlink", prefix=["setpriv", "--bounding-set=-net_admin"])
    R.check("root without CAP_NET_ADMIN: exit 1, one line naming it",
            rc == 1 and one_line_error(err, "CAP_NET_ADMIN"), f"rc={rc} {err}")
    rc, err = cli("-d", "1", "--backend", "netlink", prefix=[
        "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"])
    R.check("not root, netlink: exit 1, one line naming CAP_NET_ADMIN",
            rc == 1 and one_line_error(err, "CAP_NET_ADMIN"), f"rc={rc} {err}")
    rc, err = cli("-d", "1", prefix=[
        "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"])
    R.check("not root, auto: exit 1, one line giving each backend's reason",
            rc == 1 and one_line_error(err, "bpf: ", "CAP_BPF", "; netlink: ", "CAP_NET_ADMIN"),
            f"rc={rc} {err}")
    rc, err = cli("-d", "0.3", prefix=["setpriv", "--bounding-set=-bpf,-perfmon,-sys_admin"])
    R.check("auto without BPF privileges falls back to netlink",
            rc == 0 and "ready (backend netlink)" in err, f"rc={rc} {err}")
    rc, err = cli("--backend", "netlink", "--netlink-rcvbuf", "0")
    R.check("--netlink-rcvbuf 0 is a usage error", rc == 2, f"rc={rc} {err}")


def connector_portid(pid):
    """The netlink port id of the proc connector socket process pid reads."""
    inodes = {os.readlink(f"/proc/{pid}/fd/{fd}")[8:-1] for fd in connector_fds(pid)}
    with open("/proc/net/netlink") as f:
        rows = [line.split() for line in f.readlines()[1:]]
    return next(int(r[2]) for r in rows if r[1] == "11" and r[-1] in inodes)


def proc_event(what, *fields):
    """One proc connector message as the kernel sends it: netlink header,
    connector header (CN_IDX_PROC), the event padded to 64 bytes."""
    ev = struct.pack("=IIQ", what, 0, time.monotonic_ns()) + struct.pack(f"={len(fields)}I", *fields)
    ev = ev.ljust(64, b"\0")
    cn = struct.pack("=IIIIHH", 1, 1, 0, 0, len(ev), 0) + ev
    return struct.pack("=IHHII", 16 + len(cn), 3, 0, 0, 0) + cn  # NLMSG_DONE


def check_spoofed():
    """Only the kernel speaks for the connector: events another process
    sends to the monitor's socket (root may address it) are not reported."""
    mon = start("spoofed events")
    if not mon:
        return
    fake = 4194305 + 1000  # past the largest pid_max (2^22): no process has it
    with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 11) as s:  # NETLINK_CONNECTOR
        s.bind((0, 0))
        port = connector_portid(mon.proc.pid)
        s.sendto(proc_event(0x1, 1, 1, fake, fake), (port, 0))           # PROC_EVENT_FORK
        s.sendto(proc_event(0x80000000, fake, fake, 0, 0, 1, 1), (port, 0))  # PROC_EVENT_EXIT
    after = run(["/bin/true"])  # read after the spoofed messages
    rc, data, err = mon.stop()
    events, bad = parse_jsonl(data)
    R.check("spoofed events: a real process after them is reported",
            any(e["pid"] == after and e["type"] == "exit" for e in events), err)
    R.check("spoofed events: no event of the pid they name, exit 0",
            rc == 0 and not bad and not [e for e in events if e["pid"] == fake], f"rc={rc} {err}")


def main():
    if os.geteuid() != 0:
        R.skip("netlink end-to-end", "needs root")
        R.finish()
    check_privilege()
    check_differential()
    check_suspended()
    check_enrichment()
    check_overflow()
    check_extra_events()
    check_spoofed()
    R.finish()


main()
