#!/usr/bin/env python3
"""`procnotify report` on a 1,000,000-event log (make bench-report).

Writes synthetic logs with build/bench/report_gen (through the real writer)
and times the command line end to end, as a user runs it:

* report for a day: 1,000,000 events all in that day, and the last day of
  a week holding 1,000,000 events;
* query --count over the same day, for comparison;
* report --where over the same day, which reads and tests every event;
* tree --html of a 10,000-process tree, and the page rendered by headless
  Chromium: the page's own figure (navigation start to laid out rows, the
  data-render-ms its script sets) and the whole browser run.

Prints figures only; nothing here passes or fails on speed.
Usage: report_bench.py [DIR]   (DIR for the logs, default /tmp)
"""
import os
import resource
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("BUILD", "build")
PN = f"{BUILD}/procnotify"
GEN = f"{BUILD}/bench/report_gen"
REPS = int(os.environ.get("BENCH_REPS", 7))
DAY = ["--since", "2026-12-01T00:00:00Z", "--until", "2026-12-02T00:00:00Z"]


def timed(argv):
    """Wall seconds of each of REPS runs (the first warms the page cache),
    and the CPU seconds (user and system) of each: on a machine busy with
    other work the wall clock says more of the machine than of procnotify."""
    times, cpu = [], []
    for _ in range(REPS + 1):
        t, c = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        e = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(time.monotonic() - t)
        cpu.append(e.ru_utime + e.ru_stime - c.ru_utime - c.ru_stime)
    return times[1:], cpu[1:]


def row(what, times, cpu=None):
    print(f"{what:58s} {statistics.median(times) * 1e3:8.0f} ms  "
          f"(best {min(times) * 1e3:.0f}, worst {max(times) * 1e3:.0f}, {len(times)} runs"
          + (f"; CPU {statistics.median(cpu) * 1e3:.0f} ms)" if cpu else ")"))


def chromium_render(page, profile):
    """(page's own render ms, wall s of the browser run), the browser and
    its helpers killed after, whatever happens."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    t = time.monotonic()
    p = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          f"--user-data-dir={profile}", "--dump-dom", "file://" + page],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=120)
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
    wall = time.monotonic() - t
    m = re.search(rb'data-render-ms="([0-9.]+)"', out)
    if not m:
        sys.exit("the page did not render (no data-render-ms)")
    return float(m.group(1)), wall


def tree_html(d):
    log, page = f"{d}/tree.db", f"{d}/tree.html"
    subprocess.run([GEN, log, "tree", "10000"], check=True)
    root = "L:5c645282e5804455:1796083200000000000:1000"  # report_gen's first process
    row("tree --html of 10,000 processes", *timed([PN, "tree", "--db", log, "--html", page, root]))
    print(f"page: {os.path.getsize(page) >> 10} KiB")
    runs = [chromium_render(page, f"{d}/profile") for _ in range(REPS)]
    ms = [r[0] / 1e3 for r in runs]
    row("Chromium: navigation start to laid out page (its own clock)", ms)
    row("Chromium: the whole headless run, start to exit", [r[1] for r in runs])


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else "/tmp"
    with tempfile.TemporaryDirectory(dir=base, prefix="pn-report-bench.") as d:
        print(f"# report benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
              f"nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}")
        for days in (1, 7):
            log = f"{d}/log{days}.db"
            t = time.monotonic()
            subprocess.run([GEN, log, "1000000", str(days)], check=True)
            print(f"log of 1,000,000 events over {days} day(s) written in "
                  f"{time.monotonic() - t:.1f} s, {os.path.getsize(log) >> 20} MiB")
            row(f"report --since/--until one day ({days}-day log)", *timed([PN, "report", "--db", log] + DAY))
            row(f"report --json, same day ({days}-day log)", *timed([PN, "report", "--db", log, "--json"] + DAY))
            row(f"query --count, same day ({days}-day log)", *timed([PN, "query", "--db", log, "--count"] + DAY))
            row(f"report --where, same day ({days}-day log)",
                *timed([PN, "report", "--db", log, "--where", "image=/usr/lib/suite/bin/tool-1*"] + DAY))
        tree_html(d)


if __name__ == "__main__":
    main()
