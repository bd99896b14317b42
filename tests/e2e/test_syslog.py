"""procnotify --syslog against a real rsyslogd, and a TCP collector that
stops reading.

rsyslogd (Debian's) is started by the test in a private directory, with a
TCP input on a loopback port and a unix socket input in that directory, and
always stopped. It writes each message as it came (%msg%, the JSON line)
and, through its own parsers (mmpstrucdata, mmjsonparse), every field it
read back. A known workload (a hostile name with quotes, ], \\, control
bytes and non-ASCII, a name that is not UTF-8, a 32 KiB argv, plain
processes) must arrive once per event, each line equal byte for byte to
the monitor's own --json line, each parsed field equal to the JSON's.

The stalled collector is a socket whose reader stops: the live stream and
the activity log must go on showing every event meanwhile, and the output's
loss must be exact: what the collector got plus what the lost records
(reason "output") count is every event the output was given.
"""
import collections
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
from pn_test import BIN, BUILD, WORKLOAD, Monitor, Results, parse_jsonl, run_named  # noqa: E402
from rsyslog import Rsyslogd, frames, free_port, stop_on_sigterm  # noqa: E402

R = Results()
# Valid UTF-8 that tries to end an SD-PARAM or the element, escape, forge a
# line and colour a terminal.
HOSTILE = 'ev"il] \\x name\n\x1b[31m\t\u00fc'
NOT_UTF8 = b"bad\xff\xfe-name"
BIG_ARG = "A" * 32768
SPAWN_STORM = os.path.join(BUILD, "bench", "spawn_storm")

COLLECTOR = """
global(maxMessageSize="1m")
module(load="imuxsock" SysSock.Use="off")
module(load="imtcp")
module(load="imudp")
module(load="mmjsonparse")
module(load="mmpstrucdata")
template(name="raw" type="string" string="%msg%\\n")
template(name="parsed" type="string" string="%$!all-json%\\n")
template(name="head" type="string"
         string="%pri% %app-name% %procid% %msgid% %hostname%\\n")
ruleset(name="in") {{
    action(type="omfile" file="{d}/raw.jsonl" template="raw")
    action(type="omfile" file="{d}/head.txt" template="head")
    action(type="mmpstrucdata")
    action(type="mmjsonparse" cookie="")
    action(type="omfile" file="{d}/parsed.jsonl" template="parsed")
}}
input(type="imtcp" address="127.0.0.1" port="{port}" ruleset="in" maxFrameSize="1048576")
input(type="imudp" address="127.0.0.1" port="{port}" ruleset="in" rcvbufSize="8m")
input(type="imuxsock" socket="{d}/log" ruleset="in" useSpecialParser="off"
      parseHostname="on" ratelimit.interval="0")
"""


def table_escaped(s):
    """The SD-PARAM value after RFC 5424's unescaping: the table's C-style
    escapes of s (the subset HOSTILE uses)."""
    named = {"\\": "\\\\", "\n": "\\n", "\t": "\\t"}
    return "".join(named.get(c, f"\\x{ord(c):02x}" if ord(c) < 0x20 else c) for c in s)


def workload(d):
    """The known processes: returns their pids."""
    runs = [["./" + HOSTILE, "linger", "0", HOSTILE],
            [b"./" + NOT_UTF8, b"exit", b"0", NOT_UTF8],
            [WORKLOAD, "exit", "0", BIG_ARG]]
    runs += [[WORKLOAD, "exit", str(i)] for i in range(20)]
    return run_named(d, [HOSTILE, NOT_UTF8], runs)


def lines_of(path):
    try:
        with open(path, "rb") as f:
            return [l for l in f.read().split(b"\n") if l]
    except FileNotFoundError:
        return []


def wait_for(cond, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline and not cond():
        time.sleep(0.2)
    return cond()


def json_or_none(line):
    try:
        return json.loads(line.decode("utf-8"))
    except ValueError:
        return None


def ours(lines, pids):
    """The lines of events of our pids."""
    return [l for l in lines if (json_or_none(l) or {}).get("pid") in pids]


def check_delivery(label, d, stream, pids):
    """Every event of pids in the stream reached rsyslog once, exactly."""
    want = ours([l for l in stream.split(b"\n") if l], pids)
    R.check(f"{label}: the workload's fork, exec and exit are in the stream",
            len(want) >= 3 * len(pids), f"{len(want)} lines for {len(pids)} processes")
    got_ready = wait_for(lambda: len(ours(lines_of(f"{d}/raw.jsonl"), pids)) >= len(want))
    raw = lines_of(f"{d}/raw.jsonl")
    R.check(f"{label}: every message rsyslog wrote is one JSON object",
            raw and all(isinstance(json_or_none(l), dict) for l in raw),
            str([l[:200] for l in raw if not isinstance(json_or_none(l), dict)][:2]))
    got = ours(raw, pids)
    counts = collections.Counter(got)
    R.check(f"{label}: every event arrived once, byte for byte the --json line",
            got_ready and counts == collections.Counter(want) and
            all(n == 1 for n in counts.values()),
            f"{len(got)} lines in rsyslog, {len(want)} in the stream")
    return [json.loads(l) for l in want]


def check_fields(label, d, events):
    """rsyslog's parsers give every field back: the JSON's, the SD's."""
    parsed = {}
    for line in lines_of(f"{d}/parsed.jsonl"):
        p = json_or_none(line) or {}
        if "seq" in p:
            parsed[p["seq"]] = p
    hostile = [e for e in events if e["type"] == "exec" and e["comm"] == HOSTILE[:15]]
    big = [e for e in events if e["type"] == "exec" and BIG_ARG[:100] in "".join(e["argv"])]
    bad = []
    for e in events:
        p = dict(parsed.get(e["seq"], {}))
        sd = p.pop("rfc5424-sd", {}).get("procnotify@32473", {})
        if "\\udc" in json.dumps(e):
            continue  # not UTF-8: rsyslog's JSON library makes it U+FFFD (README)
        if p != e or sd.get("seq") != str(e["seq"]) or sd.get("pid") != str(e["pid"]):
            bad.append((e["seq"], p, sd))
    R.check(f"{label}: mmjsonparse and mmpstrucdata give back every field of every event",
            events and not bad, str(bad[:2]))
    if hostile:
        sd = parsed.get(hostile[0]["seq"], {}).get("rfc5424-sd", {}).get("procnotify@32473", {})
        R.check(f"{label}: hostile name: exact in the JSON, RFC 5424-escaped in the SD",
                parsed.get(hostile[0]["seq"], {}).get("image", "").endswith("/" + HOSTILE) and
                sd.get("comm") == table_escaped(HOSTILE[:15]) and
                sd.get("image", "").endswith("/" + table_escaped(HOSTILE)), str(sd))
    else:
        R.check(f"{label}: the hostile name's exec is in the stream", False)
    R.check(f"{label}: the 32 KiB argv arrived whole and parsed",
            big and parsed.get(big[0]["seq"], {}).get("argv") == big[0]["argv"] and
            len("".join(big[0]["argv"])) > 32000)


def check_not_utf8(label, d, events):
    """A name that is not UTF-8: the raw line restores its bytes."""
    raw = {}
    for line in lines_of(f"{d}/raw.jsonl"):
        ev = json_or_none(line) or {}
        raw[ev.get("seq")] = ev
    ex = [e for e in events if e["type"] == "exec" and
          e["image"].encode("utf-8", "surrogateescape").endswith(b"/" + NOT_UTF8)]
    R.check(f"{label}: a name that is not UTF-8 comes back byte for byte from the line",
            ex and raw.get(ex[0]["seq"], {}).get("argv", [None, None, None, ""])[3]
            .encode("utf-8", "surrogateescape") == NOT_UTF8)


def check_headers(label, d, pid):
    heads = [l.decode() for l in lines_of(f"{d}/head.txt")]
    want = f"86 procnotify {pid} "
    R.check(f"{label}: PRI authpriv.info, APP-NAME procnotify, PROCID the monitor's pid, "
            "MSGID the type, HOSTNAME the host's",
            heads and all(h.startswith(want) for h in heads) and
            {h.split()[3] for h in heads} >= {"fork", "exec", "exit"} and
            all(h.split()[4] == socket.gethostname() for h in heads), str(heads[:3]))


def run_target(label, d, target):
    mon = Monitor("--json", f"--syslog={target}")
    R.check(f"{label}: the monitor starts", mon.ready is not None)
    pids = workload(d)
    rc, out, err = mon.stop()
    R.check(f"{label}: exits 0, nothing lost", rc == 0 and "lost 0" in err and
            "events sent, lost 0" in err, err)
    events = check_delivery(label, d, out, set(pids))
    check_fields(label, d, events)
    check_not_utf8(label, d, events)
    check_headers(label, d, mon.proc.pid)


def check_rsyslog():
    # UDP on loopback, with a few dozen processes and a large receive
    # buffer, loses nothing; across a network RFC 5426 promises nothing.
    for label, target in (("tcp", "tcp://127.0.0.1:{port}"), ("unix", "unix:{d}/log"),
                          ("udp", "udp://127.0.0.1:{port}")):
        d = tempfile.mkdtemp(prefix=f"pn-syslog-{label}.")
        port = free_port()
        rs = Rsyslogd(d, "collector", COLLECTOR.format(d=d, port=port), ports=[port],
                      sockets=[f"{d}/log"])
        try:
            run_target(label, d, target.format(port=port, d=d))
            R.check(f"{label}: rsyslogd reported no error", not rs.errors(), str(rs.errors()))
        finally:
            rs.stop()
            shutil.rmtree(d, ignore_errors=True)


class StalledCollector:
    """A TCP collector that accepts, reads nothing until resume(), then reads
    everything until the monitor closes the connection. Its receive buffer is
    small, so it fills fast."""

    def __init__(self):
        self.srv = socket.socket()
        self.srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(1)
        self.port = self.srv.getsockname()[1]
        self.go = threading.Event()
        self.data = b""
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        self.srv.settimeout(120)
        conn, _ = self.srv.accept()
        self.go.wait(300)
        conn.settimeout(120)
        chunks = []
        while True:
            b = conn.recv(1 << 20)
            if not b:
                break
            chunks.append(b)
        self.data = b"".join(chunks)
        conn.close()

    def resume(self):
        self.go.set()

    def close(self):
        self.go.set()
        self.thread.join(130)
        self.srv.close()


class ClosingCollector(threading.Thread):
    """Reads the first connection up to `first` whole frames and closes it,
    then reads a second one to its end: a collector that restarts."""

    def __init__(self, first):
        super().__init__(daemon=True)
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(1)
        self.srv.settimeout(120)
        self.port, self.first = self.srv.getsockname()[1], first
        self.got = []
        self.closed = threading.Event()
        self.start()

    def run(self):
        conn, _ = self.srv.accept()
        data = b""
        while len(frames(data)[0]) < self.first:
            data += conn.recv(4096)
        conn.close()
        self.closed.set()
        # A frame cut short by the close is not a message: whole frames only.
        self.got = frames(data)[0]
        conn, _ = self.srv.accept()
        conn.settimeout(120)
        data = b""
        while True:
            b = conn.recv(1 << 20)
            if not b:
                break
            data += b
        self.got += frames(data)[0]


def check_reconnect():
    """The collector goes away between two events: the output connects again
    (through the sandbox) and the queue holds what came meanwhile."""
    col = ClosingCollector(first=5)
    mon = Monitor("--json", f"--syslog=tcp://127.0.0.1:{col.port}")
    R.check("reconnect: the monitor starts", mon.ready is not None)
    d = tempfile.mkdtemp(prefix="pn-syslog-reconnect.")
    # Events enough for the first connection; what it held unread when it
    # closed is gone (no sender can know): the workload comes after.
    while not col.closed.is_set() and mon.proc.poll() is None:
        subprocess.run(["/bin/true"])
        col.closed.wait(0.05)
    pids = set(storm(300, f"{d}/pids"))
    rc, out, err = mon.stop()
    col.join(130)
    col.srv.close()
    shutil.rmtree(d, ignore_errors=True)
    want = {json.loads(l)["seq"] for l in ours([l for l in out.split(b"\n") if l], pids)}
    got = {(json_or_none(f[f.find(b"] {") + 2:]) or {}).get("seq") for f in col.got}
    R.check("reconnect: every event of 300 processes reached the collector, nothing lost",
            rc == 0 and len(want) >= 900 and want <= got and "events sent, lost 0" in err,
            f"rc={rc} {len(want - got)} of {len(want)} missing; {err}")
    R.check("reconnect: the loss of the connection and its return are said on stderr",
            "connection lost, reconnecting" in err and "connected again" in err, err)


def check_oversize():
    """An event too large for a datagram (a 32 KiB argv of control bytes is
    some 200 KB of JSON) is counted lost, not retried for ever, and the lost
    record follows it to the collector."""
    rx = socket.socket(type=socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    mon = Monitor("--json", f"--syslog=udp://127.0.0.1:{rx.getsockname()[1]}")
    R.check("oversize: the monitor starts", mon.ready is not None)
    big = subprocess.Popen([WORKLOAD, "exit", "0", "\x01" * 32000])
    big.wait()
    after = subprocess.Popen([WORKLOAD, "exit", "7"])
    after.wait()
    rc, out, err = mon.stop()
    rx.settimeout(0.5)
    got = []
    try:
        while True:
            got.append(rx.recv(1 << 17))
    except OSError:
        pass
    rx.close()
    events = parse_jsonl(out)[0]
    ex = [e for e in events if e["type"] == "exec" and e["pid"] == big.pid]
    lost = [e for e in events if e["type"] == "lost" and e.get("reason") == "output"]
    # A lost record carries the seq of the first event it counts: not these.
    seqs = {(json_or_none(m[m.find(b"] {") + 2:]) or {}).get("seq") for m in got
            if b" lost [" not in m}
    R.check("oversize: the exec too large for UDP is a lost record (output, exec) in the "
            "stream, and in the summary",
            rc == 0 and ex and lost and lost[0]["by_type"]["exec"] >= 1 and
            ex[0]["seq"] not in seqs and "events sent, lost 0" not in err, f"{lost} {err}")
    R.check("oversize: the collector got that lost record, and the events after it",
            any(b" lost [" in m for m in got) and
            any(e["pid"] == after.pid and e["seq"] in seqs for e in events), f"{len(got)}")


def storm(n, pidfile):
    subprocess.run([SPAWN_STORM, "-n", str(n), "-j", "4", "-o", pidfile], check=True,
                   stdout=subprocess.DEVNULL)
    with open(pidfile) as f:
        return {int(l.split()[0]) for l in f if l.strip()}


def stream_has_exits(path, pids):
    seen = set()
    for ev in parse_jsonl(open(path, "rb").read())[0]:
        if ev["type"] == "exit" and ev.get("pid") in pids:
            seen.add(ev["pid"])
    return seen == pids


def check_stalled_collector():
    d = tempfile.mkdtemp(prefix="pn-syslog-stall.")
    col = StalledCollector()
    mon = Monitor("--json", f"--syslog=tcp://127.0.0.1:{col.port}", "--output-queue", "64K",
                  "--db", f"{d}/log.db")
    try:
        R.check("stalled collector: the monitor starts", mon.ready is not None)
        pids = storm(4000, f"{d}/pids")
        R.check("stalled collector: the stream shows every process while the collector reads "
                "nothing", wait_for(lambda: stream_has_exits(mon.out_path, pids), 60))
        col.resume()
        rc, out, err = mon.stop()
    finally:
        col.close()
    events, bad = parse_jsonl(out)
    given = [e for e in events if e["type"] != "lost"]
    lost = sum(e["count"] for e in events if e["type"] == "lost" and e.get("reason") == "output")
    got, rest = frames(col.data)
    got_events = [f for f in got if b" procnotify " in f and b" lost [" not in f]
    summary = [l for l in err.split("\n") if "events sent, lost" in l]
    R.check("stalled collector: the output lost events, and said so in the stream",
            rc == 0 and lost > 0 and not bad, f"rc={rc} lost={lost}")
    R.check("stalled collector: what it got plus the lost records is every event, exactly",
            len(got_events) + lost == len(given) and not rest,
            f"got {len(got_events)} + lost {lost} != {len(given)} (rest {len(rest)} bytes)")
    R.check("stalled collector: the summary says the same counts",
            summary and summary[0].endswith(f": {len(got_events)} events sent, lost {lost}"),
            str(summary))
    q = subprocess.run([BIN, "query", "--db", f"{d}/log.db", "--types", "lost", "--json"],
                       capture_output=True)
    in_log = [json.loads(l) for l in q.stdout.split(b"\n") if l]
    R.check("stalled collector: the activity log has the same lost records",
            sum(e["count"] for e in in_log if e.get("reason") == "output") == lost,
            f"{in_log[:3]}")
    shutil.rmtree(d, ignore_errors=True)


def main():
    stop_on_sigterm()
    if not os.path.exists("/usr/sbin/rsyslogd"):
        R.check("rsyslogd is installed (scripts/install-deps.sh)", False)
        R.finish()
    check_rsyslog()
    check_reconnect()
    check_oversize()
    check_stalled_collector()
    R.finish()


if __name__ == "__main__":
    main()
