"""procnotify --journal against a real systemd-journald.

journald runs without systemd as PID 1: the test starts
/lib/systemd/systemd-journald itself in a private mount namespace whose
/run/systemd, /run/log and /etc/systemd/journald.conf are the test's own
directory and config (volatile storage, no kernel log, no forwarding, no
rate limit), so its socket and journal files are in that directory, visible
from outside, and nothing of the host's is touched. It is always stopped.

A known workload (a hostile name with a newline, an escape, quotes and
non-ASCII; a name that is not UTF-8; arguments with control bytes; a 32 KiB
argument) must come back from `journalctl -D DIR -o json` once per event,
every PROCNOTIFY_* field equal byte for byte to the monitor's own --json
line, and nothing more. The socket's send buffer is shrunk below the
32 KiB argument's message (PN_TEST_JOURNAL_SNDBUF), which a datagram then
cannot carry: that event can only arrive through journald's memfd path.
"""
import atexit
import collections
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from journald import JOURNALD, Journald  # noqa: E402
from pn_test import WORKLOAD, Monitor, Results, parse_jsonl, run_named  # noqa: E402

R = Results()
HOSTILE = 'ev"il name\n\x1b[31m\t\u00fc'
NOT_UTF8 = b"bad\xff\xfe-name"
CONTROL_ARG = "ctl\x01\x02\nline\x7f"
BIG_ARG = "A" * 32768
SNDBUF = 16384   # the kernel doubles it: 32 KiB, below the big event's message

def workload(d):
    """The known processes; returns their pids."""
    runs = [["./" + HOSTILE, "exit", "3", HOSTILE],
            [b"./" + NOT_UTF8, b"exit", b"0", NOT_UTF8],
            [WORKLOAD, "exit", "0", CONTROL_ARG, ""],
            [WORKLOAD, "exit", "0", BIG_ARG]]
    return run_named(d, [HOSTILE, NOT_UTF8], runs)


def raw(s):
    """A JSON string's bytes: \\udcXX gives back the byte that was not UTF-8."""
    return s.encode("utf-8", "surrogateescape")


def expected(ev):
    """The PROCNOTIFY_* fields the event's JSON says journald must hold."""
    want = {}
    for k, v in ev.items():
        name = "PROCNOTIFY_" + k.upper()
        if v is None or v is False:
            continue
        if k == "argv":
            want[name] = b"".join(raw(a) + b"\0" for a in v)
            if ev.get("argv_truncated"):
                want[name] = want[name][:-1]  # the last argument was cut: no NUL
            want["PROCNOTIFY_ARGC"] = str(len(v)).encode()
        elif k == "core_dumped":
            want[name] = b"1" if v else b"0"
        elif v is True:
            want[name] = b"1"
        elif isinstance(v, int):
            want[name] = str(v).encode()
        else:
            want[name] = raw(v)
    if ev["type"] == "exit" and not ev.get("core_dumped"):
        want["PROCNOTIFY_CORE_DUMPED"] = b"0"
    return want


def value(v):
    """journalctl -o json: a string, or bytes as a list of numbers."""
    return bytes(v) if isinstance(v, list) else v.encode("utf-8")


# Fields the journal has that the JSON does not write.
EXTRA = {"PROCNOTIFY_CGROUP_ID", "PROCNOTIFY_OTHER_MNT_NS"}


def check_entries(events, entries, pids):
    by_seq = collections.defaultdict(list)
    for e in entries:
        if "PROCNOTIFY_SEQ" in e:
            by_seq[int(e["PROCNOTIFY_SEQ"])].append(e)
    mine = [ev for ev in events if ev.get("pid") in pids]
    R.check("the workload's fork, exec and exit are in the --json stream",
            len(mine) >= 3 * len(pids), f"{len(mine)} events for {len(pids)} processes")
    once = [ev for ev in mine if len(by_seq[ev["seq"]]) == 1]
    R.check("each of the workload's events is in the journal once",
            len(once) == len(mine), f"{len(once)} of {len(mine)}")
    bad = []
    for ev in once:
        e = by_seq[ev["seq"]][0]
        got = {k: value(v) for k, v in e.items() if k.startswith("PROCNOTIFY_")}
        want = expected(ev)
        diff = {k for k in set(got) | set(want)
                if k not in EXTRA and got.get(k) != want.get(k)}
        if diff:
            k = sorted(diff)[0]
            bad.append((ev["seq"], sorted(diff)[:4], len(got.get(k) or b""),
                        len(want.get(k) or b""), (got.get(k) or b"")[-40:],
                        (want.get(k) or b"")[-40:]))
        msg = value(e["MESSAGE"])
        if (str(ev["pid"]).encode() not in msg or any(c < 0x20 for c in msg) or
                e.get("PRIORITY") != "6" or e.get("SYSLOG_IDENTIFIER") != "procnotify"):
            bad.append((ev["seq"], "MESSAGE, PRIORITY or SYSLOG_IDENTIFIER", msg[:80]))
    R.check("every PROCNOTIFY_* field is the JSON's value, byte for byte, and no more",
            not bad, str(bad[:3]))
    big = [ev for ev in once if len(json.dumps(ev.get("argv"))) > 2 * SNDBUF]
    R.check("the 32 KiB argument, too large for a datagram here, came through a memfd",
            len(big) == 1 and len(value(by_seq[big[0]["seq"]][0]["MESSAGE"])) > 2 * SNDBUF,
            f"{len(big)} events")
    names = [ev for ev in once if ev["type"] == "exec" and ev.get("comm") in
             (HOSTILE[:15], NOT_UTF8[:15].decode("utf-8", "surrogateescape"))]
    R.check("the hostile and the non-UTF-8 names are there, exact", len(names) == 2,
            f"{len(names)}")


def main():
    if not shutil.which("unshare") or not os.access(JOURNALD, os.X_OK):
        R.skip("journald", "unshare or systemd-journald is missing")
        R.finish()
    d = tempfile.mkdtemp(prefix="pn-journal.")
    atexit.register(shutil.rmtree, d, True)
    jd = Journald(d)
    if not R.check("systemd-journald runs on the test's own socket", jd.up,
                   open(os.path.join(d, "journald.log"), "rb").read()[-500:]):
        R.finish()
    env = dict(os.environ, PN_TEST_JOURNAL_SNDBUF=str(SNDBUF))
    mon = Monitor("--json", f"--journal={jd.socket}", env=env)
    R.check("the monitor starts with --journal", mon.ready is not None)
    pids = workload(d)
    rc, out, err = mon.stop()
    events, bad_lines = parse_jsonl(out)
    R.check("the monitor exits 0 and says the journal output lost nothing",
            rc == 0 and not bad_lines and "lost 0" in err.split("journal ")[-1], err[-300:])
    # journald writes what it received before it answers journalctl.
    deadline = time.time() + 30
    entries = jd.entries()
    while time.time() < deadline and len(entries) < len(events):
        time.sleep(0.5)
        entries = jd.entries()
    check_entries(events, entries, set(pids))
    jd.stop()
    R.check("journald is stopped", jd.proc.poll() is not None)
    R.finish()


if __name__ == "__main__":
    main()
