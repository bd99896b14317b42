"""The fleet chain of README "Fleet", with the shipped configs:

    procnotify --syslog=unix:SOCK -> edge rsyslogd (disk-assisted queue)
        -> RELP -> central rsyslogd -> one JSON Lines file per host

Both rsyslogds are started by the test (private directories, loopback
ports) and always stopped. The central one is killed (SIGKILL) in the
middle of a 10,000-process storm and started again: every event of the
storm must reach the central file, byte for byte the monitor's --json line.
RELP may deliver a message twice after such a kill (the edge sends again
what the dead collector never acknowledged); this check counts by the
event's seq on the one host, and `procnotify import` of the file must hold
each event once.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pn_test import BIN, BUILD, Monitor, Results  # noqa: E402
from rsyslog import Rsyslogd, example, free_port, stop_on_sigterm  # noqa: E402

R = Results()
N = int(os.environ.get("PN_CHAIN_N", "10000"))
SPAWN_STORM = os.path.join(BUILD, "bench", "spawn_storm")


def edge_config(d, cport):
    return 'module(load="imuxsock" SysSock.Use="off")\n' + example(
        "procnotify-edge.conf",
        [("/run/procnotify-syslog.sock", f"{d}/edge.sock"),
         ('target="central.example.org" port="2514"', f'target="127.0.0.1" port="{cport}"')])


def central_config(d, cport):
    return example("procnotify-central.conf",
                   [('input(type="imrelp" port="2514"',
                     f'input(type="imrelp" address="127.0.0.1" port="{cport}"'),
                    ("/var/log/procnotify/", f"{d}/central/")])


def count_lines(path):
    try:
        with open(path, "rb") as f:
            return f.read().count(b"\n")
    except FileNotFoundError:
        return 0


class Killer(threading.Thread):
    """Kills the central rsyslogd once its file holds `at` lines, while the
    storm runs, and starts it again `down_s` later. The new rsyslogd dies
    with this thread: it lives until release() (after the daemons stopped)."""

    def __init__(self, central, path, at, down_s=3.0):
        super().__init__(daemon=True)
        self.central, self.path, self.at, self.down_s = central, path, at, down_s
        self.lines_at_kill = None
        self.error = None
        self.storm_done = threading.Event()
        self.released = threading.Event()

    def release(self):
        self.released.set()
        self.join(60)

    def run(self):
        try:
            while count_lines(self.path) < self.at and not self.storm_done.is_set():
                time.sleep(0.05)
            if self.storm_done.is_set():
                return
            self.central.proc.send_signal(signal.SIGKILL)
            self.central.proc.wait()
            self.lines_at_kill = count_lines(self.path)
            time.sleep(self.down_s)
            self.central.start()
        except Exception as e:  # reported by the main thread
            self.error = e
        self.released.wait(900)


def storm_pids(d):
    subprocess.run([SPAWN_STORM, "-n", str(N), "-j", "4", "-o", f"{d}/pids"], check=True,
                   stdout=subprocess.DEVNULL)
    with open(f"{d}/pids") as f:
        return {int(l.split()[0]) for l in f if l.strip()}


def storm_lines(stream, pids):
    """{seq: line} of the storm's events in the monitor's own stream."""
    out = {}
    for line in stream.split(b"\n"):
        if line:
            ev = json.loads(line)
            if ev.get("pid") in pids:
                out[ev["seq"]] = line
    return out


def central_lines(path):
    """{seq: [lines]} of the central file."""
    out = {}
    try:
        data = open(path, "rb").read()
    except FileNotFoundError:
        return out
    for line in data.split(b"\n"):
        if line:
            out.setdefault(json.loads(line)["seq"], []).append(line)
    return out


def run_chain(d, central, central_file, killer):
    mon = Monitor("--json", f"--syslog=unix:{d}/edge.sock", "--output-queue", "128M")
    R.check("the monitor starts, sending to the edge rsyslogd", mon.ready is not None)
    killer.start()
    try:
        pids = storm_pids(d)
    finally:
        killer.storm_done.set()
    rc, out, err = mon.stop()
    R.check(f"{N} processes: the monitor lost nothing, the output neither",
            rc == 0 and "; lost 0 " in err and "events sent, lost 0" in err, err)
    deadline = time.time() + 60
    while time.time() < deadline and killer.lines_at_kill is not None and \
            killer.error is None and central.proc.poll() is not None:
        time.sleep(0.2)
    R.check("the central rsyslogd was killed in the middle of the storm and came back",
            killer.error is None and killer.lines_at_kill is not None and
            0 < killer.lines_at_kill and central.proc.poll() is None,
            f"error={killer.error} lines at kill={killer.lines_at_kill}")
    want = storm_lines(out, pids)
    R.check("the storm's fork, exec and exit are in the stream", len(want) >= 3 * N,
            f"{len(want)} events for {N} processes")
    deadline = time.time() + 300
    while time.time() < deadline and not set(want) <= set(central_lines(central_file)):
        time.sleep(1)
    got = central_lines(central_file)
    missing = sorted(set(want) - set(got))
    wrong = [s for s in want if s in got and any(l != want[s] for l in got[s])]
    twice = sum(len(got[s]) - 1 for s in want if s in got)
    R.check(f"every event reached the central file ({len(want)} events, "
            f"{twice} sent twice by RELP after the kill)", not missing,
            f"{len(missing)} missing, first seqs {missing[:5]}")
    R.check("... each byte for byte the monitor's --json line", not wrong, str(wrong[:3]))
    check_import(d, central_file, want)


def check_import(d, central_file, want):
    """`procnotify import` of the central file: every event once."""
    imp = subprocess.run([BIN, "import", "--db", f"{d}/fleet.db", central_file],
                         capture_output=True, text=True)
    q = subprocess.run([BIN, "query", "--db", f"{d}/fleet.db", "--json"], capture_output=True)
    seqs = [json.loads(l)["seq"] for l in q.stdout.split(b"\n") if l]
    twice = len(seqs) - len(set(seqs))
    R.check("imported into one activity log, every event of the storm is there once",
            imp.returncode == 0 and set(want) <= set(seqs) and not twice,
            f"import rc={imp.returncode} {imp.stderr.strip()[:200]}; "
            f"{len(set(want) - set(seqs))} missing, {twice} twice")


def main():
    stop_on_sigterm()
    d = tempfile.mkdtemp(prefix="pn-fleet.")
    os.makedirs(f"{d}/central")
    cport = free_port()
    central = Rsyslogd(d, "central", central_config(d, cport), ports=[cport])
    edge = Rsyslogd(d, "edge", edge_config(d, cport), sockets=[f"{d}/edge.sock"])
    central_file = f"{d}/central/{socket.gethostname()}.jsonl"
    killer = Killer(central, central_file, at=N // 2)
    try:
        run_chain(d, central, central_file, killer)
    finally:
        edge.stop()
        central.stop()
        killer.release()
        shutil.rmtree(d, ignore_errors=True)
    R.finish()


if __name__ == "__main__":
    main()
