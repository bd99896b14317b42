"""Shared pieces of the end-to-end tests: a running monitor, and counters.

The tests start the real `procnotify`, spawn real processes and compare what
the monitor reported with what they know happened.
"""
import atexit
import json
import os
import signal
import subprocess
import sys
import time

BUILD = os.environ.get("BUILD", "build")
BIN = os.path.abspath(os.path.join(BUILD, "procnotify"))
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
        self.out_path = f"/tmp/pn-e2e-{os.getpid()}-{id(self)}.out"
        self.out = open(self.out_path, "wb")
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
        self.out.close()
        with open(self.out_path, "rb") as f:
            data = f.read()
        os.unlink(self.out_path)
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


def loaded_program_ids():
    """Ids of every BPF program loaded on the machine."""
    out = subprocess.run(["bpftool", "prog", "show", "--json"], capture_output=True)
    try:
        return {p["id"] for p in json.loads(out.stdout or b"[]")}
    except ValueError:
        return None


def programs_held_by(pid):
    """Ids of the BPF programs a process holds open (from /proc/PID/fdinfo)."""
    ids = set()
    fdinfo = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(fdinfo):
        try:
            with open(os.path.join(fdinfo, fd)) as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            pass
    return ids


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
