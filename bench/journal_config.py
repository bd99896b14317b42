"""The storm configuration `procnotify --json -o FILE --journal=SOCKET`:
procnotify sends every event to a real systemd-journald as well, one of the
benchmark's own (tests/e2e/journald.py: a private mount namespace over a
private directory, no systemd as PID 1 needed). The row's monitor CPU is
procnotify's alone; journald is the collector, started first and stopped
last, and its CPU is a note. Its journal must hold an entry for every event
the JSON holds: the capture says so.
"""
import atexit
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import journald  # noqa: E402


def collector():
    """journald's command line, its socket, and its directory (apart from
    the harness's, which is emptied after each run), removed at exit."""
    d = tempfile.mkdtemp(prefix="pn-bench-journald-")
    atexit.register(shutil.rmtree, d, True)
    return journald.command(d), journald.socket_path(d), d


def ready(d, p):
    return journald.ready(d, p)


def check_collector(cap, d):
    """A note unless the journal has one entry per event of the JSON; the
    journal goes, so the next run starts empty."""
    out = subprocess.run(["journalctl", "-D", journald.journal_dir(d), "-q", "-o", "cat",
                          "SYSLOG_IDENTIFIER=procnotify", "--no-pager"],
                         capture_output=True, check=False)
    got = sum(1 for line in out.stdout.split(b"\n")
              if line and b"| lost " not in line)
    shutil.rmtree(journald.journal_dir(d), ignore_errors=True)
    os.makedirs(journald.journal_dir(d), exist_ok=True)
    if got != cap.events:
        cap.notes.append(f"journald got {got} of {cap.events} events")
    return cap
