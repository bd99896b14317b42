"""End-to-end: the real monitor against real processes, JSON and table at once.

Run as root. PN_BACKEND (bpf, netlink) picks the backend under test; the
assertions are the same for both except where KNOWS says the backend cannot
know a field, which must then be null. Prints "N passed, N failed, N skipped".
"""
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from pn_test import (BIN, WORKLOAD, Monitor, Results, bpf_ids_held_by, bpf_show, by_pid,
                     parse_jsonl, run_gated, still_loaded)

R = Results()
BACKEND = os.environ.get("PN_BACKEND", "bpf")
# Exec fields a backend cannot know at all (always null), per backend. The
# netlink backend reads image, argv, cwd and uid from /proc when the exec
# arrives: exact for a process still alive then, which every process whose
# exec content is checked here is (gated(): it lingers until both monitors
# have shown its exec).
MAY_LACK = {"filename", "old_tid", "tid", "tty"}
CANNOT_KNOW = {
    "bpf": set(),
    "netlink": MAY_LACK,
}[BACKEND]
BEST_EFFORT = BACKEND == "netlink"  # exec fields read after the fact
HOSTILE = "evil\nname\x1b[31m\t\"q\" sp ü"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")


STATUS = {}  # pid -> the wait status its parent saw (Popen.returncode)


def run(argv, cwd=None, **kw):
    p = subprocess.Popen(argv, cwd=cwd, **kw)
    STATUS[p.pid] = p.wait()
    return p.pid


# The monitors a gated run waits for (set by main).
WATCHED = []


def gated(argv, gates=(1,), **kw):
    pid, status = run_gated(WATCHED, argv, gates, **kw)
    STATUS[pid] = status
    return pid


def run_core_dump(tmp):
    """A SIGSEGV that dumps core (in tmp, which goes afterwards); its wait
    status, with the core bit, is kept apart in CORE_STATUS."""
    unlimited = (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
    p = subprocess.Popen([WORKLOAD, "core", "0"], cwd=tmp,
                         preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_CORE, unlimited))
    _, CORE_STATUS[p.pid] = os.waitpid(p.pid, 0)
    return p.pid


CORE_STATUS = {}


def setup_files(tmp):
    """A copy of the workload under a hostile name, a symlink to it, and a
    copy 130 directories deep (the BPF path walk once stopped at 128)."""
    hostile = os.path.join(tmp, HOSTILE)
    shutil.copy(WORKLOAD, hostile)
    link = os.path.join(tmp, "link-to-workload")
    os.symlink(WORKLOAD, link)
    deep = os.path.join(tmp, *["d"] * 130)
    os.makedirs(deep)
    shutil.copy(WORKLOAD, os.path.join(deep, "deep"))
    return hostile, link, deep


def scenarios(tmp):
    """Runs every workload; returns {name: pid} and the expectations."""
    hostile, link, deep = setup_files(tmp)
    big = "A" * 20000
    huge = "B" * 40000
    pids = {}
    for code in (0, 3, 255):
        pids[f"exit{code}"] = run([WORKLOAD, "exit", str(code)])
    for sig in (signal.SIGKILL, signal.SIGTERM):
        pids[f"sig{int(sig)}"] = run([WORKLOAD, "signal", str(int(sig))])
    pids["segv"] = run([WORKLOAD, "segv", "0"])
    pids["core"] = run_core_dump(tmp)
    pids["threads"] = run([WORKLOAD, "threads", "8", "5"])
    pids["leader"] = run([WORKLOAD, "leader-exit", "6"])
    pids["rawexit"] = run([WORKLOAD, "raw-thread-exit", "9"])
    pids["threadexec"] = gated([WORKLOAD, "thread-exec", WORKLOAD, "linger", "4"], (2,))
    # sh waits too before its exec (read, a builtin: no process of its own),
    # so each of the two images can be seen.
    pids["doubleexec"] = gated(["/bin/sh", "-c", f"read x; exec {WORKLOAD} linger 2"], (1, 2))
    pids["bigarg"] = gated([WORKLOAD, "linger", big])
    pids["hugearg"] = gated([WORKLOAD, "linger", huge])
    pids["hostile"] = gated(["./" + os.path.basename(hostile), "linger", "1", HOSTILE], cwd=tmp)
    pids["symlink"] = gated([link, "linger", "0"])
    pids["deep"] = gated(["./deep", "linger", "0"], cwd=deep)
    pids["nobody"] = gated([WORKLOAD, "linger", "0"],
                           preexec_fn=lambda: (os.setgid(65534), os.setuid(65534)))
    # script(1) runs the command in a new session on a new pseudo-terminal, through
    # $SHELL -c; "exec" makes the session leader itself become the workload, since
    # dash (SHELL unset or /bin/sh, as under CI) forks rather than exec a lone command.
    subprocess.run(["script", "-qec", f"exec {WORKLOAD} linger 77", "/dev/null"],
                   stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    return pids, dict(hostile=hostile, link=link, deep=deep, big=big, huge=huge)


def known(ev, field, value):
    """ev[field] is value, or null where this backend cannot know the field."""
    return ev[field] == (None if field in CANNOT_KNOW else value)


def one(evs, typ):
    return [e for e in evs if e["type"] == typ]


def check_identity(name, evs, pid):
    forks, execs, exits = one(evs, "fork"), one(evs, "exec"), one(evs, "exit")
    R.check(f"{name}: one fork, one exit", len(forks) == 1 and len(exits) == 1,
            f"{len(forks)} forks, {len(exits)} exits")
    if not (forks and exits):
        return None
    keys = {e["key"] for e in evs}
    R.check(f"{name}: one process key across its events", len(keys) == 1, str(keys))
    R.check(f"{name}: parent is the test runner", forks[0]["ppid"] == os.getpid() and
            forks[0]["parent_key"].endswith(f":{os.getpid()}"), str(forks[0]))
    ex = exits[0]
    R.check(f"{name}: lifetime measured", isinstance(ex["duration_ns"], int) and
            0 < ex["duration_ns"] < 60e9, str(ex["duration_ns"]))
    # The image of its last exec: a backend that could not read that one
    # (netlink, when the process left first) must say null, not name the
    # image the process ran before the exec.
    want = execs[-1]["image"] if execs else forks[0]["image"]
    R.check(f"{name}: exit names the image of its last exec",
            ex["image"] == want and (want is not None or BACKEND != "bpf"),
            f"{ex['image']} (exec: {want})")
    return ex


def check_exit(name, ex, code=None, sig=None):
    """The reported status must be what we expect and what waitpid() saw."""
    if ex is None:
        return
    rc = STATUS.get(ex["pid"])
    R.check(f"{name}: the status the parent saw", rc == (code if sig is None else -sig),
            f"waitpid gave {rc}")
    want = (code, sig, sig and _signame(sig))
    got = (ex["exit_code"], ex["signal"], ex["signal_name"])
    R.check(f"{name}: status {want}", got == want and ex["core_dumped"] is False, str(ex))


def _signame(sig):
    return signal.Signals(sig).name


def check_scenarios(events, pids, files):
    for name, pid in pids.items():
        evs = by_pid(events, pid)
        ex = check_identity(name, evs, pid)
        if name.startswith("exit"):
            check_exit(name, ex, code=int(name[4:]))
        elif name.startswith("sig"):
            check_exit(name, ex, sig=int(name[3:]))
    ex = lambda n: one(by_pid(events, pids[n]), "exit")
    check_exit("segv", (ex("segv") or [None])[0], sig=signal.SIGSEGV)
    core = ex("core")
    status = CORE_STATUS.get(pids["core"], 0)
    R.check("core dump: SIGSEGV with core_dumped true, as waitpid saw it",
            os.WIFSIGNALED(status) and os.WCOREDUMP(status) and len(core) == 1 and
            (core[0]["signal"], core[0]["core_dumped"]) == (signal.SIGSEGV, True),
            f"status {status:#x}, {core}")
    check_exit("threads", (ex("threads") or [None])[0], code=5)
    check_exit("leader pthread_exit", (ex("leader") or [None])[0], code=6)
    # The leader left with status 0, the last thread with SYS_exit(9): the
    # kernel reports the last thread's code to the parent (checked against
    # waitpid in check_exit).
    check_exit("threaded SYS_exit", (ex("rawexit") or [None])[0], code=9)
    check_exit("exec from a thread", (ex("threadexec") or [None])[0], code=4)
    check_exit("double exec", (ex("doubleexec") or [None])[0], code=2)
    tids = {e["tid"] for e in ex("leader")}
    R.check("leader pthread_exit: exit reported by the surviving thread",
            tids and pids["leader"] not in tids, str(tids))
    forks_of_threads = [e for e in events if e["type"] == "fork" and
                        e["ppid"] in (pids["threads"], pids["leader"])]
    R.check("threads are not reported as processes", not forks_of_threads,
            str(forks_of_threads[:2]))
    check_execs(events, pids, files)


def check_execs(events, pids, files):
    def execs(n):
        return one(by_pid(events, pids[n]), "exec")

    te = execs("threadexec")
    other_thread = te[1:] and (te[1]["old_tid"] is None if "old_tid" in CANNOT_KNOW
                               else te[1]["old_tid"] != pids["threadexec"])
    R.check("exec from a non-leader thread: two execs, second by another thread",
            len(te) == 2 and other_thread and
            te[1]["argv"] == [WORKLOAD, "linger", "4"], str(te[1:]))
    de = execs("doubleexec")
    R.check("double exec: sh then the workload, one process",
            [e["image"] for e in de] == [os.path.realpath("/bin/sh"), WORKLOAD], str(de))
    b = execs("bigarg")
    R.check("20 KB argument complete",
            b and b[0]["argv"][2] == files["big"] and b[0]["argv_truncated"] is False)
    h = execs("hugearg")
    R.check("40 KB argument truncated at 32 KiB and flagged",
            h and h[0]["argv_truncated"] is True and
            sum(len(a) + 1 for a in h[0]["argv"]) <= 32768 + 1, str(h and h[0]["argv_truncated"]))
    x = execs("hostile")
    R.check("hostile name: image, filename, comm, argv, cwd exactly",
            x and x[0]["image"] == files["hostile"] and
            known(x[0], "filename", "./" + HOSTILE) and x[0]["comm"] == HOSTILE[:15] and
            x[0]["argv"] == ["./" + HOSTILE, "linger", "1", HOSTILE] and
            x[0]["cwd"] == os.path.dirname(files["hostile"]), str(x))
    s = execs("symlink")
    R.check("symlink: image resolved, filename as passed",
            s and s[0]["image"] == WORKLOAD and known(s[0], "filename", files["link"]), str(s))
    d = execs("deep")
    R.check("130 directories deep: image and cwd whole",
            d and d[0]["image"] == os.path.join(files["deep"], "deep") and
            d[0]["cwd"] == files["deep"], str(d and (d[0]["image"], d[0]["cwd"])))
    n = execs("nobody")
    R.check("uid/gid of a process that changed them", n and n[0]["uid"] == 65534 and
            n[0]["gid"] == 65534, str(n))
    t = [e for e in events if e["type"] == "exec" and e["argv"] == [WORKLOAD, "linger", "77"]]
    tty_ok = t and (t[0]["tty"] is None if "tty" in CANNOT_KNOW
                    else re.fullmatch(r"pts/\d+", t[0]["tty"] or ""))
    R.check("controlling tty and session of a process on a pty",
            tty_ok and t[0]["sid"] == t[0]["pid"], str(t))
    if "tty" not in CANNOT_KNOW:  # else always null, checked below
        R.check("no tty for a process without one", execs("nobody") and
                all(e["tty"] is None for e in execs("nobody")), str(execs("nobody")))
    every = [e for e in events if e["type"] == "exec"]
    R.check(f"exec best_effort is {BEST_EFFORT} on every exec ({BACKEND})",
            every and all(e["best_effort"] is BEST_EFFORT for e in every))
    # Each field either backend may lack: null on every exec where this one
    # cannot know it, and given on some exec where it can.
    for f in sorted(MAY_LACK):
        filled = [e for e in every if e[f] is not None]
        if f in CANNOT_KNOW:
            R.check(f"exec {f}: this backend cannot know it, null on all {len(every)} execs",
                    every and not filled, str(filled[:1]))
        else:
            R.check(f"exec {f}: this backend knows it, given on some exec", filled)


def check_json_shape(events, bad):
    R.check("every JSON line parses", not bad, repr(bad[:2]))
    seqs = [e["seq"] for e in events]
    R.check("seq increases by one from 1", seqs == list(range(1, len(seqs) + 1)))
    R.check("time is RFC 3339 UTC with ns", all(RFC3339.match(e["time"]) for e in events))
    need = {"seq", "type", "time", "pid", "ppid", "tid", "uid", "gid", "comm", "image",
            "key", "parent_key"}
    R.check("process events carry the required keys",
            all(need <= e.keys() for e in events if e["type"] != "lost"))
    R.check("exec events carry argv, argv_truncated, cwd",
            all({"argv", "argv_truncated", "cwd"} <= e.keys()
                for e in events if e["type"] == "exec"))
    R.check("no events lost in this run", not [e for e in events if e["type"] == "lost"])


def check_table(data, pid):
    text = data.decode("utf-8", errors="strict")
    lines = text.split("\n")[:-1]
    R.check("table: no raw control byte anywhere",
            not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text))
    cols = [l for l in lines if l.startswith("| ")]
    R.check("table: every row has 6 columns",
            all(l.count(" | ") == 5 for l in cols), str([l for l in cols if l.count(" | ") != 5][:2]))
    row = [l for l in cols if f" {pid} | " in l and "| exec" in l]
    R.check("table: hostile name escaped C-style",
            row and "| evil\\nname\\x1b[31m\\t |" in row[0] and
            '"evil\\nname\\x1b[31m\\t\\"q\\" sp ü"' in row[0], str(row))


def held_bpf(pid):
    """The BPF programs and maps the monitor holds, checked to be procnotify's."""
    progs, maps = bpf_ids_held_by(pid, "prog"), bpf_ids_held_by(pid, "map")
    names = {bpf_show("prog", i)["name"] for i in progs}
    R.check("the monitor holds its BPF programs and maps (bpftool finds them)",
            {"pn_fork", "pn_exec", "pn_exit"} <= names and maps, f"{names} maps={maps}")
    return progs, maps


def check_teardown(mon, rc, err, held):
    R.check("monitor exits 0 on SIGINT", rc == 0, f"rc={rc} {err}")
    R.check("exit summary on stderr", "events: fork" in err, err)
    if BACKEND != "bpf":
        return  # nothing is loaded into the kernel; the socket goes with the process
    progs, maps = held
    left = still_loaded("prog", progs) | still_loaded("map", maps)
    R.check("no BPF program or map of the monitor's stays loaded", progs and not left,
            f"held={progs} {maps} left={left}")


def check_kill9():
    """kill -9 leaves nothing loaded: the programs and maps are held only by
    the process's file descriptors, which the kernel closes."""
    mon = Monitor("--json", "--backend", "bpf")
    if not R.check("kill -9: monitor ready", mon.ready):
        mon.stop()
        return
    progs, maps = held_bpf(mon.proc.pid)
    mon.proc.kill()
    mon.proc.wait()
    deadline, left = time.time() + 10, None
    while left != set() and time.time() < deadline:  # maps are freed after an RCU grace period
        left = still_loaded("prog", progs) | still_loaded("map", maps)
        time.sleep(0.05)
    R.check("kill -9: no BPF program or map of the monitor's stays loaded", progs and not left,
            f"held={progs} {maps} left={left}")
    mon.stop()


def main():
    if os.geteuid() != 0:
        R.skip("end-to-end", f"needs root ({BACKEND} backend)")
        R.finish()
    jm = Monitor("--json", "--backend", BACKEND)
    tm = Monitor("--backend", BACKEND)
    ok = R.check("both monitors print ready", jm.ready and tm.ready and BACKEND in jm.ready,
                 str(jm.ready))
    if not ok:
        print(jm.stop(), tm.stop())
        R.finish()
    held = held_bpf(jm.proc.pid) if BACKEND == "bpf" else None
    WATCHED.extend((jm, tm))
    with tempfile.TemporaryDirectory() as tmp:
        pids, files = scenarios(tmp)
        rc, data, err = jm.stop()
        trc, tdata, terr = tm.stop(signal.SIGTERM)
    events, bad = parse_jsonl(data)
    check_json_shape(events, bad)
    check_scenarios(events, pids, files)
    check_teardown(jm, rc, err, held)
    R.check("SIGTERM also exits 0", trc == 0, terr)
    check_table(tdata, pids["hostile"])
    if BACKEND == "bpf":
        check_kill9()
    R.finish()


main()
