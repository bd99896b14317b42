"""Memory of the monitor with many live processes (issue 3: bounded memory).

Starts procnotify, then N (default 10,000) sleeping processes, and reports the
monitor's resident memory before and after, and after they all exit.
Run as root: python3 bench/table_rss.py [N]
"""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "e2e"))
from pn_test import Monitor  # noqa: E402


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    mon = Monitor("--json", "-o", "/dev/null")
    if not mon.ready:
        sys.exit("procnotify did not start")
    time.sleep(0.5)
    base = rss_kib(mon.proc.pid)
    kids = [subprocess.Popen(["/bin/sleep", "600"]) for _ in range(n)]
    time.sleep(1)
    live = rss_kib(mon.proc.pid)
    for k in kids:
        k.send_signal(signal.SIGKILL)
    for k in kids:
        k.wait()
    time.sleep(1)
    after = rss_kib(mon.proc.pid)
    peak = rss_kib(mon.proc.pid, "VmHWM")
    mon.stop()
    print(f"| live processes | monitor RSS (KiB) |\n|---|---|\n| baseline | {base} |\n"
          f"| +{n} sleeping | {live} |\n| after they exit | {after} |\n| peak (VmHWM) | {peak} |")


main()
