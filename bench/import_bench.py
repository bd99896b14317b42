#!/usr/bin/env python3
"""The rate of `procnotify import` (issue 13, item 5).

Writes BENCH_IMPORT_N events (default 1,000,000) of BENCH_IMPORT_HOSTS
hosts (default 10) as one mixed file, as a central rsyslog keeps it: each
host's processes fork, exec (four arguments) and exit, the hosts' lines
interleaved, every line behind a syslog prefix. Then it times the import
into a new log, and the same file again (every event already there: the
cost of idempotency), and prints events per second of wall and of CPU.
No root needed; figures only, nothing passes or fails.
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("BUILD", "build")
N = int(os.environ.get("BENCH_IMPORT_N", "1000000"))
HOSTS = int(os.environ.get("BENCH_IMPORT_HOSTS", "10"))
T0 = 1795737600 * 10**9  # 2026-11-27T00:00:00Z


def rfc3339(ns):
    s, frac = divmod(ns, 10**9)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + ".%09dZ" % frac


def process_lines(host, boot, i, seq):
    """The fork, exec and exit of the i-th process of a host, as pn_fmt_json writes them."""
    pid = 1000 + i % 30000
    start = T0 + i * 1000
    key = "L:%s:%d:%d" % (boot, start, pid)
    parent = "L:%s:%d:%d" % (boot, 5000, 999)
    common = ('"host":"%s","pid":%d,"ppid":999,"tid":%d,"uid":0,"gid":0,"euid":0,'
              % (host, pid, pid))
    fork = ('{"seq":%d,"type":"fork","time":"%s",%s"comm":"bash","image":"/usr/bin/bash",'
            '"key":"%s","parent_key":"%s"}' % (seq, rfc3339(start), common, key, parent))
    exe = ('{"seq":%d,"type":"exec","time":"%s",%s"comm":"curl","image":"/usr/bin/curl",'
           '"key":"%s","parent_key":"%s","filename":"/usr/bin/curl",'
           '"argv":["curl","-s","https://example.org/%d","-o/dev/null"],"argv_truncated":false,'
           '"cwd":"/root","sid":999,"old_tid":%d,"tty":null,"best_effort":false,'
           '"image_truncated":false,"image_deleted":false,"image_dev":"8:1","image_ino":1234,'
           '"cwd_truncated":false,"root":null,"mnt_ns":4026531840,"pid_ns":4026531836}'
           % (seq + 1, rfc3339(start + 300), common, key, parent, i, pid))
    ext = ('{"seq":%d,"type":"exit","time":"%s",%s"comm":"curl","image":"/usr/bin/curl",'
           '"key":"%s","parent_key":"%s","exit_code":0,"signal":null,"signal_name":null,'
           '"core_dumped":false,"duration_ns":700}'
           % (seq + 2, rfc3339(start + 700), common, key, parent))
    return fork, exe, ext


def write_input(path):
    per_host = N // (3 * HOSTS)
    with open(path, "w") as f:
        for i in range(per_host):
            for h in range(HOSTS):
                host = "host-%02d" % h
                prefix = "2026-11-27T00:00:00+00:00 %s procnotify[42]: " % host
                for line in process_lines(host, "%016x" % (0x1000 + h), i, 3 * i + 1):
                    f.write(prefix + line + "\n")
    return per_host * 3 * HOSTS


def timed_import(db, path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    r = subprocess.run([os.path.join(BUILD, "procnotify"), "import", "--db", db, path],
                       stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return r.returncode, r.stderr.strip(), wall, cpu


def main():
    with tempfile.TemporaryDirectory(prefix="pn-import-bench.") as d:
        src = os.path.join(d, "fleet.log")
        t = time.monotonic()
        n = write_input(src)
        size = os.path.getsize(src)
        print("input: %d events of %d hosts, %.0f MB, made in %.1f s"
              % (n, HOSTS, size / 1e6, time.monotonic() - t))
        db = os.path.join(d, "fleet.db")
        figures = {}
        for what in ("first import", "same file again"):
            rc, err, wall, cpu = timed_import(db, src)
            print("%-16s rc %d  %6.1f s wall  %6.1f s CPU  %8.0f events/s wall  "
                  "%8.0f events/s CPU" % (what, rc, wall, cpu, n / wall, n / cpu))
            print("    " + err)
            figures[what] = {"rc": rc, "wall_s": wall, "cpu_s": cpu,
                             "events_per_s": n / wall, "events_per_cpu_s": n / cpu}
        print("log: %.0f MB" % (os.path.getsize(db) / 1e6))
        if os.environ.get("BENCH_JSON"):
            print(json.dumps(figures))


if __name__ == "__main__":
    sys.exit(main())
