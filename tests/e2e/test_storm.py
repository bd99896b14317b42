"""Storms: nothing is lost silently.

1. A 20,000-process storm with a normal ring: every exec and exit reported
   (pid set equality with what the spawner recorded), no lost record.
2. Forced drops (eBPF backend): a tiny ring and a stopped consumer. The lost records' counts
   must equal the kernel's drop counters (read with bpftool, not through the
   library), and processes that started during the gap and exit after the
   resync must still carry their image.
3. Idle: a monitor that sees no process event stops its flush timer and
   sleeps, and the next process still reaches it. What it sees is narrowed
   to the test's own (a cgroup scope for eBPF, a socket filter for netlink),
   so this holds however many processes the rest of the machine starts.

Run as root. Prints "N passed, N failed, N skipped".
"""
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(__file__))
from pn_test import (BUILD, SCOPED_BIN, Monitor, Results, Scope, Shell, connector_socket, drop_all_messages,
                     kernel_drop_counters, parse_jsonl, wakeups)

R = Results()
SPAWNER = os.path.abspath(os.path.join(BUILD, "bench", "spawn_storm"))
STORM_N = int(os.environ.get("PN_STORM_N", "20000"))
BACKEND = os.environ.get("PN_BACKEND", "bpf")


def spawn_storm(n, pidfile, scope=None):
    """Runs the spawner; returns (exit code, its pid, Counter of child pids, seconds).

    A Counter, not a set: in a long storm on a busy machine pids wrap around
    and the same pid can be two of our children."""
    t0 = time.time()
    p = subprocess.Popen([SPAWNER, "-n", str(n), "-j", "4", "-o", pidfile],
                         stdout=subprocess.DEVNULL, preexec_fn=scope and scope.enter)
    rc = p.wait()
    with open(pidfile) as f:
        pids = Counter(int(l.split()[0]) for l in f if l.strip())
    return rc, p.pid, pids, time.time() - t0


def what_was_seen(events, missing):
    """What the monitor did report for the pids it missed, so that a failure says why."""
    seen = [e for e in events if e.get("pid") in missing][:12]
    return "".join(f"\n    pid {e['pid']}: {e}" for e in seen) or "\n    nothing with those pids"


def storm():
    mon = Monitor("--json", "-t", "exec,exit", "--backend", BACKEND)
    if not R.check("storm: monitor ready", mon.ready):
        return
    with tempfile.NamedTemporaryFile() as pf:
        rc, spawner, pids, secs = spawn_storm(STORM_N, pf.name)
    mrc, data, err = mon.stop()
    events, bad = parse_jsonl(data)
    # Only the spawner's children: other processes on the machine run /bin/true too.
    mine = [e for e in events if e.get("ppid") == spawner]
    execs = Counter(e["pid"] for e in mine if e["type"] == "exec")
    exits = Counter(e["pid"] for e in mine if e["type"] == "exit")
    lost = [e for e in events if e["type"] == "lost"]
    n = sum(pids.values())
    print(f"# storm: {n} processes in {secs:.1f}s ({n / secs:.0f}/s); seen "
          f"{sum(execs.values())} execs, {sum(exits.values())} exits, {len(lost)} lost records")
    R.check("storm: the spawner ran every process", rc == 0 and n == STORM_N, f"rc={rc}, {n}")
    R.check("storm: every exec reported, once", execs == pids,
            f"missing {sum((pids - execs).values())}, extra {sum((execs - pids).values())}"
            + what_was_seen(events, pids - execs))
    R.check("storm: every exit reported, once", exits == pids,
            f"missing {sum((pids - exits).values())}, extra {sum((exits - pids).values())}")
    R.check("storm: no lost record, valid JSON", not lost and not bad and mrc == 0, err)


def forced_drops():
    # The monitor sees only the test's cgroup: other processes' records would
    # go on being dropped into the tiny ring after its counters are read.
    scope = Scope()
    mon = Monitor("--json", "--ring-size", "16384", "--backend", "bpf", binary=SCOPED_BIN,
                  env=scope.env())
    if not R.check("drops: monitor with a 16 KiB ring ready", mon.ready):
        return
    mon.proc.send_signal(signal.SIGSTOP)
    with tempfile.NamedTemporaryFile() as pf:
        spawn_storm(3000, pf.name, scope)
    # Started while nothing is read: their exec records are lost for sure.
    sleepers = [subprocess.Popen(["/bin/sleep", "1.5"], preexec_fn=scope.enter)
                for _ in range(5)]
    mon.proc.send_signal(signal.SIGCONT)
    time.sleep(0.3)  # the monitor drains, sees the gap and resynchronises
    for s in sleepers:
        s.wait()
    time.sleep(0.2)
    total, by_type = kernel_drop_counters(mon.proc.pid)
    rc, data, err = mon.stop()
    scope.close()
    events, bad = parse_jsonl(data)
    lost = [e for e in events if e["type"] == "lost"]
    counted = sum(e["count"] for e in lost)
    print(f"# drops: kernel dropped {total} {by_type}, lost records {len(lost)} "
          f"summing to {counted}")
    R.check("drops: the kernel did drop records", total and total > 0, str(total))
    R.check("drops: lost counts equal the kernel's drop counter", counted == total,
            f"{counted} != {total}")
    for t, name in ((1, "fork"), (2, "exec"), (3, "exit")):
        R.check(f"drops: lost {name} count equals the kernel's",
                sum(e["by_type"][name] for e in lost) == by_type[t])
    seqs = [e["seq"] for e in events]
    R.check("drops: seq has no gap even around losses", seqs == list(range(1, len(seqs) + 1)))
    sleep_exits = [e for e in events if e["type"] == "exit" and
                   e["pid"] in {s.pid for s in sleepers}]
    R.check("drops: exits after the resync still carry their image",
            len(sleep_exits) == 5 and all(e["image"] == "/usr/bin/sleep" for e in sleep_exits),
            str([(e["pid"], e["image"]) for e in sleep_exits]))
    R.check("drops: summary on stderr reports the loss", f"lost {total} " in err, err)


def drops_under_types():
    """Lost records are shown whatever -t selects, with the kernel's counts."""
    scope = Scope()
    mon = Monitor("--json", "-t", "exit", "--ring-size", "16384", "--backend", "bpf",
                  binary=SCOPED_BIN, env=scope.env())
    if not R.check("drops under -t exit: monitor ready", mon.ready):
        mon.stop()
        return
    mon.proc.send_signal(signal.SIGSTOP)
    with tempfile.NamedTemporaryFile() as pf:
        spawn_storm(1000, pf.name, scope)
    mon.proc.send_signal(signal.SIGCONT)
    time.sleep(0.3)
    total, _ = kernel_drop_counters(mon.proc.pid)
    rc, data, err = mon.stop()
    scope.close()
    events, _ = parse_jsonl(data)
    lost = [e for e in events if e["type"] == "lost"]
    R.check("drops under -t exit: lost records shown, summing to the kernel's count",
            total and lost and sum(e["count"] for e in lost) == total,
            f"kernel {total}, lost records {[e['count'] for e in lost]}")
    R.check("drops under -t exit: every other event is an exit",
            {e["type"] for e in events if e["type"] != "lost"} == {"exit"} and rc == 0, err)


def settle(mon, quiet=0.3, timeout=10):
    """Waits until the monitor has written nothing for quiet seconds."""
    deadline, last, since = time.time() + timeout, -1, time.time()
    while time.time() < deadline:
        size = os.path.getsize(mon.out_path)
        if size != last:
            last, since = size, time.time()
        elif time.time() - since >= quiet:
            return True
        time.sleep(0.05)
    return False


def idle_wakeups(mon, seconds=0.5):
    """The monitor's wake-ups in a window, and whether it wrote anything then.
    The monitor sees no process event at all (a scope or a filter makes sure
    of that, whatever else runs on the machine): a parked monitor sleeps
    through the window, a 50 ms timer would wake it 10 times."""
    size0, w0 = os.path.getsize(mon.out_path), wakeups(mon.proc.pid)
    time.sleep(seconds)
    return wakeups(mon.proc.pid) - w0, os.path.getsize(mon.out_path) != size0


def wait_whole(mon, pid, timeout):
    """The event types reported for pid once fork, exec and exit all are, or
    at the timeout; and the seconds that took."""
    t0, seen = time.time(), set()
    while time.time() < t0 + timeout and seen != {"fork", "exec", "exit"}:
        time.sleep(0.02)
        events, _ = parse_jsonl(open(mon.out_path, "rb").read())
        seen = {e["type"] for e in events if e.get("pid") == pid}
    return seen, time.time() - t0


def check_asleep(what, mon):
    wakes, wrote = idle_wakeups(mon)
    R.check(f"{what}: the monitor sleeps through half a second with no process event",
            wakes <= 1 and not wrote, f"{wakes} wake-ups, wrote {'something' if wrote else 'nothing'}")


def idle_scoped(flush_ms):
    """eBPF: the monitor sees only a cgroup of the test's own, in which a
    shell waits. Parked, it sleeps; a lone process the shell starts wakes it
    and is whole before a full flush interval has passed (the first tick after
    a wake-up comes at a fifth of the interval)."""
    scope = Scope()
    shell = Shell(scope)
    mon = Monitor("--json", "--backend", "bpf", "--flush-ms", str(flush_ms), binary=SCOPED_BIN,
                  env=scope.env())
    what = f"idle (bpf, {flush_ms} ms interval)"
    if not R.check(f"{what}: monitor ready", mon.ready):
        mon.stop()
        return
    # The start-up snapshot is delivered, then the first tick finds nothing and parks.
    time.sleep(2 * flush_ms / 1000 + 0.3)
    check_asleep(what, mon)
    # It lives longer than the monitor takes to wake, so its exit comes after
    # the wake-up and waits for the first tick.
    pid = shell.run("/bin/sleep 0.1")
    seen, took = wait_whole(mon, pid, 5 + flush_ms / 1000)
    # Timed only with a 2 s interval: the early tick at 0.4 s against the
    # full one at 2 s leaves room for any scheduling delay.
    R.check(f"{what}: a lone process wakes it and is reported whole" +
            (" before one interval" if flush_ms >= 1000 else ""),
            seen == {"fork", "exec", "exit"} and (flush_ms < 1000 or took < 0.95 * flush_ms / 1000),
            f"{sorted(seen)} in {took:.2f} s")
    shell.close()
    rc, _, err = mon.stop()
    scope.close()
    R.check(f"{what}: monitor exits cleanly", rc == 0, err)


def idle_netlink():
    """Netlink: a socket filter (set from outside through a duplicate of the
    monitor's socket) drops every message, so the monitor sees nothing however
    busy the machine is. Then the filter goes and the next process is whole."""
    mon = Monitor("--json", "--backend", "netlink")
    if not R.check("idle (netlink): monitor ready", mon.ready):
        mon.stop()
        return
    sock = connector_socket(mon.proc.pid)
    drop_all_messages(sock)
    R.check("idle (netlink): the messages queued before the filter are delivered", settle(mon))
    time.sleep(0.2)  # the tick after the last delivery finds nothing and parks
    check_asleep("idle (netlink)", mon)
    drop_all_messages(sock, drop=False)
    os.close(sock)
    child = subprocess.Popen(["/bin/true"])
    child.wait()
    seen, _ = wait_whole(mon, child.pid, 5)
    R.check("idle (netlink): the next process wakes the monitor and is reported whole",
            seen == {"fork", "exec", "exit"}, str(seen))
    rc, _, err = mon.stop()
    R.check("idle (netlink): monitor exits cleanly", rc == 0, err)


def main():
    if os.geteuid() != 0:
        R.skip("storms", "need root")
        R.finish()
    storm()
    if BACKEND == "bpf":
        forced_drops()
        drops_under_types()
        idle_scoped(50)
        idle_scoped(2000)
    else:
        idle_netlink()
    R.finish()


main()
