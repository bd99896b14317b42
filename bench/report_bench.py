#!/usr/bin/env python3
"""`procnotify report` on a 1,000,000-event log (make bench-report).

Writes synthetic logs with build/bench/report_gen (through the real writer)
and times the command line end to end, as a user runs it:

* report for a day: 1,000,000 events all in that day, and the last day of
  a week holding 1,000,000 events;
* query --count over the same day, for comparison.

Prints figures only; nothing here passes or fails on speed.
Usage: report_bench.py [DIR]   (DIR for the logs, default /tmp)
"""
import os
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
    """Wall seconds of each of REPS runs (the first warms the page cache)."""
    times = []
    for _ in range(REPS + 1):
        t = time.monotonic()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        times.append(time.monotonic() - t)
    return times[1:]


def row(what, times):
    print(f"{what:58s} {statistics.median(times) * 1e3:8.0f} ms  "
          f"(best {min(times) * 1e3:.0f}, worst {max(times) * 1e3:.0f}, {len(times)} runs)")


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
            row(f"report --since/--until one day ({days}-day log)", timed([PN, "report", "--db", log] + DAY))
            row(f"report --json, same day ({days}-day log)", timed([PN, "report", "--db", log, "--json"] + DAY))
            row(f"query --count, same day ({days}-day log)", timed([PN, "query", "--db", log, "--count"] + DAY))


if __name__ == "__main__":
    main()
