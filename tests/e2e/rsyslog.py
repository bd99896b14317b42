"""rsyslogd instances for the syslog tests, each started by the test itself
in a private directory, on loopback ports, and always stopped.

The fleet configs the tests run are the shipped examples,
packaging/rsyslog/procnotify-{edge,central}.conf, with only their host,
ports and paths replaced: a test that passes says the examples work.
"""
import atexit
import ctypes
import os
import re
import signal
import socket
import subprocess
import sys
import time

RSYSLOGD = "/usr/sbin/rsyslogd"
PR_SET_PDEATHSIG = 1


def die_with_parent():
    """In the child: SIGKILL when the thread that started it ends, so that a
    test killed outright leaves no rsyslogd behind."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def stop_on_sigterm():
    """A test stopped with SIGTERM (a timeout) unwinds: its finally blocks
    and atexit handlers stop the daemons."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                        "packaging", "rsyslog")


def free_port():
    """A loopback port free now for both TCP and UDP."""
    while True:
        with socket.socket() as s, socket.socket(type=socket.SOCK_DGRAM) as u:
            s.bind(("127.0.0.1", 0))
            try:
                u.bind(("127.0.0.1", s.getsockname()[1]))
            except OSError:
                continue
            return s.getsockname()[1]


def example(name, replacements):
    """The shipped example with each (old, new) replaced; every old text must
    be there, so that an example that drifts breaks the test, not silently."""
    with open(os.path.join(EXAMPLES, name)) as f:
        text = f.read()
    for old, new in replacements:
        if old not in text:
            raise AssertionError(f"{name}: {old!r} not found")
        text = text.replace(old, new)
    return text


class Rsyslogd:
    """rsyslogd -n with the config text given, in directory d. Ready once the
    unix sockets named and the TCP ports given accept connections. It dies
    with the thread that started it: (re)start it from a thread that
    outlives it."""

    def __init__(self, d, name, config, ports=(), sockets=()):
        self.d, self.name = d, name
        self.work = os.path.join(d, name + "-work")
        os.makedirs(self.work, exist_ok=True)
        self.conf = os.path.join(d, name + ".conf")
        with open(self.conf, "w") as f:
            f.write(f'global(workDirectory="{self.work}")\n' + config)
        self.pidfile = os.path.join(d, name + ".pid")
        self.log = os.path.join(d, name + ".stderr")
        self.ports, self.sockets = ports, sockets
        self.proc = None
        atexit.register(self.kill)
        self.start()

    def start(self, timeout=30):
        # -n: in the foreground, our child; -i: a pid file of its own; -C: no
        # /dev/console. No /dev/log (the configs turn the system socket off).
        self.proc = subprocess.Popen([RSYSLOGD, "-n", "-C", "-f", self.conf, "-i", self.pidfile],
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(self.log, "ab"), preexec_fn=die_with_parent)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"rsyslogd {self.name} exited {self.proc.returncode}: "
                                   f"{open(self.log).read()[-2000:]}")
            if all(self._accepts(p) for p in self.ports) and \
                    all(os.path.exists(s) for s in self.sockets):
                return
            time.sleep(0.1)
        raise RuntimeError(f"rsyslogd {self.name} not ready in {timeout} s")

    @staticmethod
    def _accepts(port):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False

    def stop(self, timeout=30):
        """SIGTERM: rsyslog writes its queues out (or to disk) and exits."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def errors(self):
        """rsyslog's complaints about its config or its actions."""
        with open(self.log, errors="replace") as f:
            return [l for l in f if re.search(r"error|warning", l, re.I)]


def frames(data):
    """RFC 6587 octet-counted frames of a byte stream, and the bytes after the
    last whole frame."""
    out, i = [], 0
    while True:
        sp = data.find(b" ", i)
        if sp < 0 or not data[i:sp].isdigit():
            break
        n = int(data[i:sp])
        if sp + 1 + n > len(data):
            break
        out.append(data[sp + 1:sp + 1 + n])
        i = sp + 1 + n
    return out, data[i:]
