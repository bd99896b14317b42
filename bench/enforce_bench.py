#!/usr/bin/env python3
"""Exec enforcement benchmark (issue 14): the spawn storm of `/bin/true`
side by side, in turns, with no monitor, with procnotify logging only, with
procnotify enforcing 100 deny rules that match nothing in the storm, and
with fapolicyd, permissive with its default rules, then enforcing.

fapolicyd enforcing: `allow perm=execute all : trust=1` first, a trust list
of the storm's program and the dynamic loader, and then a deny rule. The
issue's reference puts Debian's default `deny_audit perm=execute all : all`
last; on this shared machine that would refuse every other program of every
other user for the length of the run, so the deny here names a private
directory (the bench checks that an exec there is refused, so fapolicyd
really enforces). The storm's execs are decided by the first rule either
way: the work per exec is the same.

Safety: fapolicyd reads its policy from /etc/fapolicyd; the bench saves the
files it writes and puts them back (finally, atexit, SIGTERM), starts the
daemon itself (never through systemd: install-deps.sh masks the unit),
with PR_SET_PDEATHSIG and a hard timer, so neither the daemon nor its
policy can outlive the bench. Every procnotify run is bounded the same way.

Prints figures only; never passes or fails on speed. Needs root.
"""
import argparse
import atexit
import ctypes
import hashlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as storm  # noqa: E402  (the storm harness: spawner, CPU, waits)

BUILD = os.environ.get("BUILD", "build")
FAPOLICYD = "/usr/sbin/fapolicyd"
FAPO_DIR = "/etc/fapolicyd"
FAPO_FILES = ("fapolicyd.conf", "compiled.rules", "fapolicyd.trust")
HARD_LIMIT_S = 1800
SUMMARY_RE = re.compile(r"enforcement: (\d+) execs asked, (\d+) denied, (\d+) allowed, "
                        r"(\d+) allowed late.*median ([\d.]+) us, p99 ([\d.]+) us, max ([\d.]+) us")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=int(os.environ.get("BENCH_ENFORCE_N", 20000)),
                    help="processes per storm run (BENCH_ENFORCE_N, default 20000)")
    ap.add_argument("--reps", type=int, default=int(os.environ.get("BENCH_REPS", 3)),
                    help="repetitions of each configuration (BENCH_REPS, default 3)")
    ap.add_argument("--inflight", type=int, default=int(os.environ.get("BENCH_INFLIGHT", 4)))
    ap.add_argument("--configs", default=os.environ.get(
        "BENCH_ENFORCE_CONFIGS", "none,procnotify,enforce,fapolicyd-permissive,fapolicyd"),
                    help="configurations (BENCH_ENFORCE_CONFIGS)")
    ap.add_argument("--json-out", default=os.environ.get("BENCH_JSON"),
                    help="also write every figure to this JSON file (BENCH_JSON)")
    return ap.parse_args()


def cpu_s(pid):
    """CPU seconds of every thread of a process, to the nanosecond."""
    total = 0.0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0]) / 1e9
        except OSError:
            pass
    return total


def die_with_parent():
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def rules_100(path):
    """100 deny rules, none matching the storm: 70 image globs, 20 hashes
    of random bytes and 10 parent.image tests (a /proc read per exec)."""
    with open(path, "w") as f:
        for i in range(70):
            f.write(f"deny image=/nonexistent/pn-bench-{i}/**\n")
        for _ in range(20):
            f.write(f"deny image_sha256={os.urandom(32).hex()}\n")
        for i in range(10):
            f.write(f"deny parent.image=/nonexistent/pn-bench-parent-{i}\n")


# ---------------------------------------------------------------- fapolicyd

class FapolicydPolicy:
    """fapolicyd's files under /etc, saved before the bench writes them and
    put back however the bench ends."""

    def __init__(self):
        self.saved = {}
        for name in FAPO_FILES:
            path = os.path.join(FAPO_DIR, name)
            self.saved[path] = open(path, "rb").read() if os.path.exists(path) else None
        atexit.register(self.restore)

    def restore(self):
        for path, data in self.saved.items():
            if data is None:
                if os.path.exists(path):
                    os.unlink(path)
            else:
                with open(path, "wb") as f:
                    f.write(data)

    def write(self, enforcing, private_dir):
        conf = self.saved[os.path.join(FAPO_DIR, "fapolicyd.conf")].decode()
        # Its own user cannot be switched to here; rpmdb is not built in.
        conf = re.sub(r"(?m)^uid = .*$", "uid = 0", conf)
        conf = re.sub(r"(?m)^gid = .*$", "gid = 0", conf)
        conf = re.sub(r"(?m)^trust = .*$", "trust = file", conf)
        conf = re.sub(r"(?m)^permissive = .*$", f"permissive = {0 if enforcing else 1}", conf)
        self._put("fapolicyd.conf", conf)
        if enforcing:
            self._put("compiled.rules", "allow perm=execute all : trust=1\n"
                      f"deny perm=execute all : dir={private_dir}/\n")
            trust = []
            for prog in ("/bin/true", "/lib64/ld-linux-x86-64.so.2"):
                real = os.path.realpath(prog)
                data = open(real, "rb").read()
                trust.append(f"{real} {len(data)} {hashlib.sha256(data).hexdigest()}\n")
            self._put("fapolicyd.trust", "".join(trust))
        else:  # Debian's default rule (rules.d/90-deny-execute.rules)
            self._put("compiled.rules", "deny_audit perm=execute all : all\n")

    def _put(self, name, text):
        with open(os.path.join(FAPO_DIR, name), "w") as f:
            f.write(text)


# ---------------------------------------------------------------- monitors

class Running:
    """One monitor process, killed at the hard limit or with the bench."""

    def __init__(self, argv, workdir, ready_text):
        self.err_path = f"{workdir}/monitor.err"
        with open(self.err_path, "w") as e:
            self.p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=e,
                                      preexec_fn=die_with_parent)
        self.timer = threading.Timer(HARD_LIMIT_S, self.kill)
        self.timer.daemon = True
        self.timer.start()
        atexit.register(self.kill)
        self.ok = storm.wait_line(self.err_path, ready_text, self.p, 60) and \
            storm.wait_settled(self.p)

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()

    def stop(self):
        self.timer.cancel()
        storm.stop(self.p, signal.SIGTERM)
        return open(self.err_path, errors="replace").read()


def start(cfg, workdir, policy):
    pn = f"{BUILD}/procnotify"
    out = ["--json", "-o", f"{workdir}/events.json"]
    if cfg == "procnotify":
        return Running([pn, *out], workdir, "procnotify: ready")
    if cfg == "enforce":
        return Running([pn, *out, "--rules", f"{workdir}/rules"], workdir, "procnotify: ready")
    policy.write(cfg == "fapolicyd", f"{workdir}/private")
    os.makedirs("/run/fapolicyd", exist_ok=True)
    return Running([FAPOLICYD, "--debug-deny", "--no-details"], workdir,
                   "Starting to listen for events")


def refused_in_private(workdir):
    """fapolicyd enforcing must refuse an exec in the private directory."""
    target = f"{workdir}/private/true"
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copy("/bin/true", target)
    try:
        subprocess.run([target], timeout=10)
        return False
    except OSError:
        return True


def one_run(cfg, args, workdir, policy):
    mon = None if cfg == "none" else start(cfg, workdir, policy)
    if mon and not mon.ok:
        err = mon.stop()
        return {"error": err.strip()[-300:]}
    cpu0 = cpu_s(mon.p.pid) if mon else 0
    sp = storm.run_spawner(args.n, args.inflight, f"{workdir}/pids")
    res = {"rate": sp["rate"], "elapsed_s": sp["elapsed_s"]}
    if mon:
        res["cpu_us_per_spawn"] = (cpu_s(mon.p.pid) - cpu0) / args.n * 1e6
        if cfg == "fapolicyd":
            res["refuses_private"] = refused_in_private(workdir)
        err = mon.stop()
        m = SUMMARY_RE.search(err)
        if m:
            res.update(zip(("asked", "denied", "allowed", "late", "p50_us", "p99_us", "max_us"),
                           map(float, m.groups())))
    for name in ("events.json", "pids"):
        if os.path.exists(f"{workdir}/{name}"):
            os.unlink(f"{workdir}/{name}")
    return res


LABELS = {
    "none": "no monitor",
    "procnotify": "procnotify --json -o FILE (logging only)",
    "enforce": "procnotify --json -o FILE --rules R (100 deny rules, none matching)",
    "fapolicyd-permissive": "fapolicyd permissive, default rules",
    "fapolicyd": "fapolicyd enforcing: trust=1 allow, trust list, deny",
}


def report(results, args):
    base = statistics.median(r["rate"] for r in results["none"]) if results.get("none") else None
    print(f"# exec enforcement: {args.n} x /bin/true, {args.inflight} in flight, median of "
          f"{args.reps}; load average {' '.join(open('/proc/loadavg').read().split()[:3])}")
    print("| config | spawns/s | ratio | monitor CPU per spawn | decision median | p99 | "
          "allowed late |")
    print("|---|---|---|---|---|---|---|")
    for cfg, runs in results.items():
        runs = [r for r in runs if "rate" in r]
        if not runs:
            continue
        rate = statistics.median(r["rate"] for r in runs)
        med = lambda k, fmt: fmt.format(statistics.median(r[k] for r in runs)) \
            if all(k in r for r in runs) else "-"
        print(f"| {LABELS[cfg]} | {rate:.1f} | {rate / base:.3f} | "
              f"{med('cpu_us_per_spawn', '{:.1f} us')} | {med('p50_us', '{:.1f} us')} | "
              f"{med('p99_us', '{:.1f} us')} | {med('late', '{:.0f}')} |"
              if base else f"| {LABELS[cfg]} | {rate:.1f} |")
    for cfg, runs in results.items():
        for r in runs:
            if "error" in r:
                print(f"* {cfg}: did not start: {r['error']}")
            if cfg == "fapolicyd" and "refuses_private" in r and not r["refuses_private"]:
                print("* fapolicyd enforcing did NOT refuse the private directory's exec")


def main():
    args = parse_args()
    if os.geteuid():
        sys.exit("enforce_bench: needs root")
    if subprocess.run(["pgrep", "-x", "fapolicyd"], stdout=subprocess.DEVNULL).returncode == 0:
        sys.exit("enforce_bench: a fapolicyd already runs; not starting another")
    chosen = args.configs.split(",")
    if not os.access(FAPOLICYD, os.X_OK):
        chosen = [c for c in chosen if not c.startswith("fapolicyd")]
        print("enforce_bench: fapolicyd not installed (scripts/install-deps.sh): skipped",
              file=sys.stderr)
    policy = FapolicydPolicy() if any(c.startswith("fapolicyd") for c in chosen) else None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # atexit restores and kills
    workdir = tempfile.mkdtemp(prefix="pn-enforce-bench-")
    rules_100(f"{workdir}/rules")
    results = {c: [] for c in chosen}
    try:
        for rep in range(args.reps):
            for cfg in chosen:  # in turns, so a disturbance hits them alike
                r = one_run(cfg, args, workdir, policy)
                print(f"enforce_bench: rep {rep + 1}/{args.reps} {cfg}: {json.dumps(r)}",
                      file=sys.stderr, flush=True)
                results[cfg].append(r)
    finally:
        if policy:
            policy.restore()
        shutil.rmtree(workdir, ignore_errors=True)
    report(results, args)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
