"""The storm configuration `procnotify --json -o FILE --syslog=tcp://...`:
procnotify sends every event to a real rsyslogd on a loopback port as well
(RFC 6587 octet counting), and rsyslogd writes each message (%msg%, the
JSON line) to a file. The row's monitor CPU is procnotify's alone; rsyslogd
is the collector, started first and stopped last, and its CPU is a note.
Its file must hold every event the JSON holds: the capture says so.
"""
import atexit
import json
import os
import shutil
import socket
import tempfile
import time

RSYSLOGD = "/usr/sbin/rsyslogd"
CONFIG = """
global(workDirectory="{d}/rsyslog-work" maxMessageSize="1m")
module(load="imtcp")
template(name="raw" type="string" string="%msg%\\n")
ruleset(name="in") {{ action(type="omfile" file="{d}/collector.jsonl" template="raw") }}
input(type="imtcp" address="127.0.0.1" port="{port}" ruleset="in" maxFrameSize="1048576")
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def collector():
    """The rsyslogd command line, its port, and its directory (apart from
    the harness's, which is emptied after each run), removed at exit."""
    port, d = free_port(), tempfile.mkdtemp(prefix="pn-bench-rsyslog-")
    atexit.register(shutil.rmtree, d, True)
    os.makedirs(f"{d}/rsyslog-work")
    with open(f"{d}/rsyslog.conf", "w") as f:
        f.write(CONFIG.format(d=d, port=port))
    return [RSYSLOGD, "-n", "-C", "-f", f"{d}/rsyslog.conf", "-i", f"{d}/rsyslog.pid"], port, d


def accepts(port, p, timeout=30.0):
    """Ready once the port takes a connection (False if rsyslogd died)."""
    deadline = time.time() + timeout
    while time.time() < deadline and p.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def check_collector(cap, d):
    """A note unless rsyslogd's file holds exactly the JSON's events; the
    file goes, so the next run starts empty."""
    path = f"{d}/collector.jsonl"
    got, lost = 0, 0
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            for line in f:
                ev = json.loads(line)
                if ev["type"] == "lost":
                    lost += 1
                else:
                    got += 1
        os.unlink(path)
    except (OSError, ValueError) as e:
        cap.notes.append(f"collector file: {e}")
        return cap
    if got != cap.events:
        cap.notes.append(f"rsyslogd got {got} of {cap.events} events")
    return cap
