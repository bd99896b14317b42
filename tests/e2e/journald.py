"""A systemd-journald of a test's (or a benchmark's) own, without systemd
as PID 1.

journald runs in a private mount namespace (unshare --mount) whose
/run/systemd, /run/log and /etc/systemd/journald.conf are bind mounts of
the caller's directory and of a config of its own (volatile storage, no
kernel log, no forwarding, no rate limit): its socket and its journal files
are in that directory, visible from outside, and nothing of the host's is
touched. The namespace goes with the process; stop() ends it, and so
does the end of the process that started it, however it ends.
"""
import atexit
import ctypes
import json
import os
import shutil
import signal
import subprocess
import time

PR_SET_PDEATHSIG = 1


def die_with_parent():
    """In the child: SIGTERM when the test dies, even by SIGKILL (atexit
    does not run then). It survives the execs down to journald."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

JOURNALD = "/lib/systemd/systemd-journald"

CONF = """[Journal]
Storage=volatile
ReadKMsg=no
ForwardToSyslog=no
ForwardToKMsg=no
ForwardToConsole=no
ForwardToWall=no
Audit=no
RateLimitBurst=0
RuntimeMaxUse=2G
"""

# In the private mount namespace: the test's directories over journald's.
START = """set -e
mount --bind "$1/run" /run/systemd
mount --bind "$1/runlog" /run/log
mount --bind "$1/journald.conf" /etc/systemd/journald.conf
exec "$2"
"""


class Journald:
    """A systemd-journald of the test's own, stopped however the test ends."""

    def __init__(self, d):
        self.d = d
        self.log = open(os.path.join(d, "journald.log"), "wb")
        self.proc = subprocess.Popen(command(d), stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True, preexec_fn=die_with_parent)
        atexit.register(self.stop)
        self.socket = socket_path(d)
        self.up = ready(d, self.proc)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def entries(self):
        out = subprocess.run(["journalctl", "-D", journal_dir(self.d), "-o", "json", "--all",
                              "--no-pager"], capture_output=True, check=False)
        return [json.loads(l) for l in out.stdout.split(b"\n") if l.strip()]




def command(d):
    """journald's command line over directory d (made ready for it)."""
    for sub in ("run", "runlog"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    with open(os.path.join(d, "journald.conf"), "w") as f:
        f.write(CONF)
    return [shutil.which("unshare") or "/usr/bin/unshare", "--mount", "--propagation", "private",
            "sh", "-c", START, "sh", d, JOURNALD]


def socket_path(d):
    return os.path.join(d, "run", "journal", "socket")


def journal_dir(d):
    return os.path.join(d, "runlog", "journal")


def ready(d, proc, timeout=20.0):
    """True once journald's socket is there (False if it died first)."""
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        if os.path.exists(socket_path(d)):
            return True
        time.sleep(0.1)
    return os.path.exists(socket_path(d))
