"""systemd's notify protocol against a socket this test creates: READY=1
only once the monitor is attached (after its "ready" line), RELOADING=1 and
READY=1 around a SIGHUP, STOPPING=1 on SIGTERM; both a path and an abstract
('@') NOTIFY_SOCKET; WATCHDOG=1 at half of WATCHDOG_USEC; an unreachable
socket is reported, not fatal."""
import os
import signal
import socket
import subprocess
import tempfile
import time
from pn_test import BIN, Results

r = Results()


def recv_all(sock, until, timeout=20):
    """Datagrams until one equals or starts with `until`; None on timeout."""
    got, deadline = [], time.time() + timeout
    while time.time() < deadline:
        sock.settimeout(max(0.1, deadline - time.time()))
        try:
            msg = sock.recv(4096).decode()
        except socket.timeout:
            break
        got.append(msg)
        if msg.split("\n")[0] == until:
            return got
    return None


def run(kind):
    d = tempfile.mkdtemp(prefix="pn-notify.")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if kind == "path":
        addr = name = os.path.join(d, "notify")
    else:
        name = f"@pn-notify-test-{os.getpid()}"
        addr = "\0" + name[1:]
    sock.bind(addr)
    env = dict(os.environ, NOTIFY_SOCKET=name)
    err = open(os.path.join(d, "err"), "w+")
    proc = subprocess.Popen([BIN, "--json", "-o", os.path.join(d, "out.jsonl")],
                            stderr=err, env=env)
    try:
        ready = recv_all(sock, "READY=1")
        err.seek(0)
        r.check(f"{kind}: READY=1 arrives", ready is not None, ready)
        r.check(f"{kind}: ... after the monitor said it is attached",
                "procnotify: ready" in err.read())
        r.check(f"{kind}: ... and nothing before it", ready == ["READY=1"], ready)
        proc.send_signal(signal.SIGHUP)
        reload = recv_all(sock, "READY=1")
        r.check(f"{kind}: SIGHUP gives RELOADING=1 then READY=1",
                reload == ["RELOADING=1", "READY=1"], reload)
        proc.send_signal(signal.SIGTERM)
        stop = recv_all(sock, "STOPPING=1")
        r.check(f"{kind}: SIGTERM gives STOPPING=1", stop == ["STOPPING=1"], stop)
        r.check(f"{kind}: the monitor exits 0", proc.wait(timeout=20) == 0)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        sock.close()
        subprocess.run(["rm", "-rf", d])


def watchdog(pid_of_other):
    """WATCHDOG_USEC=300000: WATCHDOG=1 at least every 150 ms even when no
    event wakes the monitor; none when WATCHDOG_PID names another process."""
    d = tempfile.mkdtemp(prefix="pn-notify.")
    path = os.path.join(d, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="300000")
    if pid_of_other:
        env["WATCHDOG_PID"] = "1"
    proc = subprocess.Popen([BIN, "-o", "/dev/null"], stderr=subprocess.DEVNULL, env=env)
    try:
        ready = recv_all(sock, "READY=1")
        start, pings = time.time(), 0
        while time.time() - start < 1.5:
            sock.settimeout(0.2)
            try:
                pings += sock.recv(4096) == b"WATCHDOG=1"
            except socket.timeout:
                pass
        if pid_of_other:
            r.check("WATCHDOG_PID of another process: no WATCHDOG=1", ready and pings == 0, pings)
        else:
            # 1.5 s at one ping per 150 ms is 10; a busy machine may delay a few.
            r.check("WATCHDOG_USEC=300000: WATCHDOG=1 every half of it", ready and pings >= 6, pings)
        proc.send_signal(signal.SIGTERM)
        r.check("... and the monitor exits 0", proc.wait(timeout=20) == 0)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        sock.close()
        subprocess.run(["rm", "-rf", d])


def no_socket():
    """A NOTIFY_SOCKET that cannot be reached: one line, and monitoring goes on."""
    env = dict(os.environ, NOTIFY_SOCKET="/nonexistent/notify")
    p = subprocess.run([BIN, "-d", "0.3", "-o", "/dev/null"], env=env,
                       stderr=subprocess.PIPE, timeout=60)
    lines = p.stderr.decode().splitlines()
    r.check("an unreachable NOTIFY_SOCKET is reported in one line and the run goes on",
            p.returncode == 0 and sum("NOTIFY_SOCKET" in l for l in lines) == 1, lines)


if os.geteuid() != 0:
    r.skip("notify protocol", "needs root to load BPF")
else:
    run("path")
    run("abstract")
    watchdog(False)
    watchdog(True)
    no_socket()
r.finish()
