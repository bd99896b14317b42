"""The command's contract: exit codes, one-line errors, and a 1,000-process run.
(Its options, help and usage errors: test_options.py.)

Run as root. Prints "N passed, N failed, N skipped".
"""
import glob
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from pn_test import BIN, Monitor, Results, Scope, parse_jsonl, spawn_true

R = Results()


def cli(*args, prefix=(), timeout=20):
    p = subprocess.run([*prefix, BIN, *args], capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def one_line_error(err, *words):
    lines = err.strip().split("\n")
    # The summary line is not printed when monitoring never started.
    return len(lines) == 1 and lines[0].startswith("procnotify: ") and \
        all(w in lines[0] for w in words)


def check_privilege():
    rc, _, err = cli("-d", "1", prefix=["setpriv", "--reuid=65534", "--regid=65534",
                                        "--clear-groups", "--inh-caps=-all"])
    R.check("not root: exit 1, one line naming what is missing",
            rc == 1 and one_line_error(err, "root", "CAP_BPF"), f"rc={rc} {err}")
    rc, _, err = cli("-d", "1", "--backend", "bpf",
                     prefix=["setpriv", "--bounding-set=-bpf,-perfmon,-sys_admin"])
    R.check("root without CAP_BPF/CAP_SYS_ADMIN: exit 1, one line",
            rc == 1 and one_line_error(err, "CAP_BPF"), f"rc={rc} {err}")
    rc, _, err = cli("-d", "1", "--backend", "bpf", prefix=[
        "unshare", "-m", "sh", "-c", 'mount -t tmpfs none /sys/kernel/btf && exec "$0" "$@"'])
    R.check("no kernel BTF: exit 1, one line naming BTF",
            rc == 1 and one_line_error(err, "BTF"), f"rc={rc} {err}")


def check_thousand():
    """1,000 processes, 4 in flight: every fork, exec and exit is reported."""
    mon = Monitor("--json", "-t", "exec,exit")
    if not R.check("monitor ready for the 1,000-process run", mon.ready):
        return
    t0 = time.time()
    pids = spawn_true(1000)
    spawn_s = time.time() - t0
    rc, data, err = mon.stop()
    events, bad = parse_jsonl(data)
    execs = {e["pid"] for e in events if e["type"] == "exec" and e["image"] == "/usr/bin/true"}
    exits = {e["pid"] for e in events if e["type"] == "exit" and e["pid"] in pids}
    lost = [e for e in events if e["type"] == "lost"]
    print(f"# 1,000 processes in {spawn_s:.2f}s: {len(execs & pids)} execs, "
          f"{len(exits)} exits seen, {len(lost)} lost records")
    R.check("1,000 processes: every exec seen", pids <= execs, f"missing {len(pids - execs)}")
    R.check("1,000 processes: every exit seen", pids == exits, f"missing {len(pids - exits)}")
    R.check("1,000 processes: nothing lost, JSON valid", not lost and not bad)


def check_leftovers():
    """A monitor that never became ready, never stopped: its output once
    stayed in /tmp as pn-e2e-PID-N.out after every such test."""
    mon = Monitor("--no-such-option")
    R.check("a monitor refusing its options is not ready", mon.ready is None)
    mon.proc.wait()
    left = glob.glob(f"/tmp/pn-e2e-{os.getpid()}-*")
    R.check("the e2e monitors leave no output file behind", not left, str(left))


def check_scope_is_test_only():
    """PN_TEST_CGROUP narrows what the test build reports; the released
    monitor ignores it, so no environment can blind it."""
    scope = Scope()
    mon = Monitor("--json", "-t", "exec", "--backend", "bpf", env=scope.env())
    if not R.check("released monitor with PN_TEST_CGROUP set: ready", mon.ready):
        mon.stop()
        return
    pid = subprocess.run(["/bin/sh", "-c", "echo $$"], capture_output=True).stdout
    _, data, _ = mon.stop()
    events, _ = parse_jsonl(data)
    R.check("... it reports a process outside that cgroup",
            any(e["type"] == "exec" and e["pid"] == int(pid) for e in events), f"pid {pid}")


def main():
    if os.geteuid() != 0:
        R.skip("privileged CLI checks", "need root")
        R.finish()
    check_privilege()
    check_thousand()
    check_scope_is_test_only()
    check_leftovers()
    R.finish()


main()
