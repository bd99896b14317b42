#!/usr/bin/env python3
"""The BPF side's own costs (issue 16): start-up to "ready", the verifier's
figures per program, and the time each program runs in the kernel per event.

* start-up: `procnotify --json` started cold N times (BENCH_BPF_STARTS), the
  time from its start to its "ready" line; median, min, max; and the CPU it
  had used by then (/proc/PID/schedstat), which other work on the machine
  does not inflate as it does the wall time.
* verifier: bench/bpf_verifier's figures (verified_insns, verification time
  and states per program, wall time of the whole load); median of 3 loads.
* kernel cost: with kernel.bpf_stats_enabled=1 (restored afterwards), a
  storm of BENCH_BPF_N posix_spawn(/bin/true) (BENCH_BPF_REPS times) beside
  the monitor; each program's run_time_ns / run_cnt over the storm, from the
  monitor's program descriptors (/proc/PID/fdinfo). Every fork, exec and
  exit on the machine counts, not only the storm's. Each process runs each
  program once (the fork and exit programs also run, and return at once,
  for threads), so the sum is the cost per process.

--compare BUILD measures a second build in the same session, interleaved
with the first, and prints the two side by side: on a busy machine only
figures taken together can be compared. Prints figures only; needs root.
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

PROGS = ("pn_fork", "pn_exec", "pn_exit", "pn_snapshot")
STATS_SYSCTL = "/proc/sys/kernel/bpf_stats_enabled"


def parse_args():
    env = os.environ.get
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=env("BUILD", "build"), help="build to measure (BUILD)")
    ap.add_argument("--compare", default=env("BENCH_BPF_COMPARE"),
                    help="a second build measured beside it (BENCH_BPF_COMPARE)")
    ap.add_argument("--starts", type=int, default=int(env("BENCH_BPF_STARTS", 10)),
                    help="cold starts per build (BENCH_BPF_STARTS, default 10)")
    ap.add_argument("--n", type=int, default=int(env("BENCH_BPF_N", 2000)),
                    help="processes per storm of the kernel cost run (BENCH_BPF_N)")
    ap.add_argument("--reps", type=int, default=int(env("BENCH_BPF_REPS", 3)),
                    help="storms per build (BENCH_BPF_REPS, default 3)")
    ap.add_argument("--json-out", default=env("BENCH_BPF_JSON"),
                    help="also write the figures to this JSON file (BENCH_BPF_JSON)")
    return ap.parse_args()


def cpu_s(pid):
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0]) / 1e9


def start_monitor(build, out):
    """procnotify --json to out; returns the process once it is ready, the
    seconds that took and the CPU seconds it had used, or (process, None,
    None) when it did not start."""
    t0 = time.monotonic()
    p = subprocess.Popen([f"{build}/procnotify", "--backend", "bpf", "--json", "-o", out],
                         stderr=subprocess.PIPE)
    line = p.stderr.readline()
    took = time.monotonic() - t0
    if b"ready" not in line:
        return p, None, None
    return p, took, cpu_s(p.pid)


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGINT)
    try:
        p.wait(30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def cold_start(build, workdir):
    """(ms to ready, ms of CPU by then)."""
    p, took, cpu = start_monitor(build, f"{workdir}/start.jsonl")
    stop(p)
    if took is None:
        sys.exit(f"bpf_cost: {build}/procnotify did not start")
    return took * 1e3, cpu * 1e3


def verifier(build):
    """bench/bpf_verifier's figures: {prog: {key: value}} and the load's ms."""
    out = subprocess.run([f"{build}/bench/bpf_verifier"], capture_output=True, text=True,
                         check=True).stdout
    progs, load_ms = {}, None
    for line in out.splitlines():
        name, *pairs = line.split()
        if name.startswith("load_ms="):
            load_ms = float(name.split("=")[1])
            continue
        progs[name] = {k: int(v) for k, v in (p.split("=") for p in pairs)}
    return progs, load_ms


def prog_stats(pid):
    """{prog_id: fdinfo fields} of every BPF program the process holds."""
    stats = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") != "anon_inode:bpf-prog":
                continue
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                info = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        info = {k.strip(): v.strip() for k, v in info.items()}
        stats[int(info["prog_id"])] = info
    return stats


def prog_names(ids):
    out = subprocess.run(["bpftool", "prog", "show", "-j"], capture_output=True, text=True,
                         check=True).stdout
    return {p["id"]: p.get("name") for p in json.loads(out) if p["id"] in ids}


def storm(build, n):
    argv = [f"{build}/bench/spawn_storm", "-n", str(n), "-j", "4"]
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)


def kernel_cost(build, n, workdir):
    """{prog: (run_time_ns, run_cnt)} accumulated over one storm."""
    p, took, _ = start_monitor(build, f"{workdir}/cost.jsonl")
    try:
        if took is None:
            sys.exit(f"bpf_cost: {build}/procnotify did not start")
        before = prog_stats(p.pid)
        storm(build, n)
        after = prog_stats(p.pid)
        names = prog_names(set(after))
    finally:
        stop(p)
    res = {}
    for pid_, a in after.items():
        b = before.get(pid_, {})
        res[names.get(pid_, str(pid_))] = tuple(
            int(a.get(k, 0)) - int(b.get(k, 0)) for k in ("run_time_ns", "run_cnt"))
    return res


class BpfStats:
    """kernel.bpf_stats_enabled set to 1 for the with-block, then put back."""

    def __enter__(self):
        with open(STATS_SYSCTL) as f:
            self.prev = f.read().strip()
        with open(STATS_SYSCTL, "w") as f:
            f.write("1")
        return self

    def __exit__(self, *exc):
        with open(STATS_SYSCTL, "w") as f:
            f.write(self.prev)


def measure(builds, args, workdir):
    """Every figure for every build, the builds interleaved at each step."""
    res = {b: {"starts_ms": [], "verifier": [], "cost": []} for b in builds}
    for _ in range(args.starts):
        for b in builds:
            res[b]["starts_ms"].append(cold_start(b, workdir))
    for _ in range(3):
        for b in builds:
            res[b]["verifier"].append(verifier(b))
    with BpfStats():
        for _ in range(args.reps):
            for b in builds:
                res[b]["cost"].append(kernel_cost(b, args.n, workdir))
    return {b: summarize(r) for b, r in res.items()}


def summarize(r):
    starts = [t for t, _ in r["starts_ms"]]
    cpus = [c for _, c in r["starts_ms"]]
    progs = {}
    for name in PROGS:
        runs = [v[0][name] for v in r["verifier"] if name in v[0]]
        if runs:
            progs[name] = {"verified_insns": runs[0]["verified_insns"],
                           "verify_ms": statistics.median(x["verify_us"] for x in runs) / 1e3}
    for name in PROGS:
        ns = sum(c.get(name, (0, 0))[0] for c in r["cost"])
        cnt = sum(c.get(name, (0, 0))[1] for c in r["cost"])
        if name in progs and cnt:
            progs[name].update(run_ns=ns / cnt, run_cnt=cnt)
    return {"start_ms": {"median": statistics.median(starts), "min": min(starts),
                         "max": max(starts), "all": starts, "cpu_median": statistics.median(cpus)},
            "load_ms": statistics.median(v[1] for v in r["verifier"]),
            "progs": progs,
            "ns_per_process": sum(progs[p].get("run_ns", 0)
                                  for p in ("pn_fork", "pn_exec", "pn_exit") if p in progs)}


def print_report(figs, builds, args):
    def row(label, fn):
        print(f"{label:34}" + "".join(f"{fn(figs[b]):>22}" for b in builds))

    print(f"# procnotify BPF costs, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'':34}" + "".join(f"{b[-22:]:>22}" for b in builds))
    row(f"start to ready, median of {args.starts} (ms)", lambda f: f"{f['start_ms']['median']:.1f}")
    row("  min..max (ms)", lambda f: f"{f['start_ms']['min']:.0f}..{f['start_ms']['max']:.0f}")
    row("  CPU used by then, median (ms)", lambda f: f"{f['start_ms']['cpu_median']:.1f}")
    row("object load, median of 3 (ms)", lambda f: f"{f['load_ms']:.1f}")
    for name in PROGS:
        row(f"{name} verified_insns", lambda f: f["progs"].get(name, {}).get("verified_insns", "-"))
        row(f"{name} verification (ms)",
            lambda f: f"{f['progs'][name]['verify_ms']:.1f}" if name in f["progs"] else "-")
    for name in PROGS[:3]:
        row(f"{name} ns per run",
            lambda f: f"{f['progs'][name]['run_ns']:.0f}" if "run_ns" in f["progs"].get(name, {})
            else "-")
    row("fork+exec+exit ns per process", lambda f: f"{f['ns_per_process']:.0f}")
    print(f"(kernel cost: {args.reps} storms of {args.n} x posix_spawn(/bin/true) per build, "
          f"kernel.bpf_stats_enabled=1; every process on the machine counts)")


def main():
    args = parse_args()
    if os.geteuid() != 0:
        sys.exit("bpf_cost: needs root")
    builds = [args.build] + ([args.compare] if args.compare else [])
    with tempfile.TemporaryDirectory(prefix="pn-bpfcost-") as workdir:
        figs = measure(builds, args, workdir)
    print_report(figs, builds, args)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(figs, f, indent=1)


if __name__ == "__main__":
    main()
