"""The figures of the last recorded `make bench` run, kept in
bench/recorded.json, and the table that puts a new run's beside them, so that
a regression of the storm ratio, the capture, the CPU per event, the idle
cost or the latency shows in the run that made it (issue 16). A run with
BENCH_RECORD=1 (--record) becomes the recorded one: commit the file with
its section of bench/RESULTS.md.

Only figures are printed: nothing here passes or fails, as in run.py. A
change beyond CHANGE_NOTE of the recorded value is named "better" or
"worse"; within it, this VM's noise hides what a change means.
"""
import json
import os
import statistics
import subprocess

RECORDED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "recorded.json")
CHANGE_NOTE = 0.10


def _med(runs, key):
    return statistics.median(r[key] for r in runs)


def _storm(results, labels, n):
    """name -> (value, higher is better) of each storm configuration."""
    out, base = {}, results.get("none") or []
    base_rate = _med(base, "rate") if base and "error" not in base[0] else None
    for name, runs in results.items():
        if name == "none" or not runs or "error" in runs[0]:
            continue
        label = labels[name]
        if base_rate:
            out[f"{label}: storm ratio"] = (_med(runs, "rate") / base_rate, True)
        if "exec_captured" not in runs[0]:
            continue
        out[f"{label}: exec captured %"] = (100 * min(r["exec_captured"] for r in runs) / n, True)
        out[f"{label}: exit captured %"] = (100 * min(r["exit_captured"] for r in runs) / n, True)
        if None not in (r["lost"] for r in runs):
            out[f"{label}: lost"] = (max(r["lost"] for r in runs), False)
        if _med(runs, "events"):
            out[f"{label}: CPU us/event"] = (1e6 * _med(runs, "monitor_cpu_s") / _med(runs, "events"),
                                             False)
    return out


def _rate(rate):
    out = {}
    for r in rate or []:
        if "error" in r:
            continue
        o = r["output"]
        out[f"--json to a {o}: idle CPU %"] = (r["idle_pct"], False)
        out[f"--json to a {o}: CPU % at the target rate"] = (r["cpu_pct"], False)
        out[f"--json to a {o}: paced CPU us/event"] = (r["cpu_us_per_event"], False)
        lat = r.get("latency_from_kernel_ms")
        if lat:
            out[f"--json to a {o}: exec to visible, median ms"] = (lat["median"], False)
            out[f"--json to a {o}: exec to visible, p99 ms"] = (lat["p99"], False)
    return out


def figures(results, labels, stall, rate, n):
    """Every compared figure of a run: name -> (value, higher is better)."""
    out = _storm(results, labels, n)
    if stall and "error" not in stall and "exact" in stall:
        out["stalled consumer: loss reported exactly (1 yes)"] = (int(bool(stall["exact"])), True)
    out.update(_rate(rate))
    return out


def _commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def load():
    try:
        with open(RECORDED) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def record(figs, info, args):
    with open(RECORDED, "w") as f:
        json.dump({"date": info["date"], "commit": _commit(), "n": args.n, "reps": args.reps,
                   "loadavg": info["loadavg"], "figures": {k: v[0] for k, v in figs.items()}},
                  f, indent=1, sort_keys=True)
        f.write("\n")


def _change(old, new, higher_better):
    if old == new:
        return "same"
    if not old:
        return f"{new - old:+g}"
    rel = (new - old) / abs(old)
    word = ""
    if abs(rel) > CHANGE_NOTE:
        word = " better" if (rel > 0) == higher_better else " worse"
    return f"{100 * rel:+.1f}%{word}"


def print_beside(figs, rec, print_table):
    """The run's figures beside the recorded run's, one row each."""
    if not rec:
        print(f"\n## No recorded run to compare with ({os.path.relpath(RECORDED)}); "
              f"BENCH_RECORD=1 makes this run the recorded one")
        return
    print(f"\n## Beside the recorded run: {rec['date']}, commit {rec['commit']}, "
          f"N={rec['n']} x {rec['reps']}, load average {' '.join(rec['loadavg'])}\n")
    if rec.get("note"):
        print(f"({rec['note']})\n")
    rows = [["figure", "recorded", "now", "change"]]
    for name, (new, better) in figs.items():
        old = rec["figures"].get(name)
        rows.append([name, "-" if old is None else f"{old:.3f}", f"{new:.3f}",
                     "new" if old is None else _change(old, new, better)])
    rows += [[name, f"{old:.3f}", "not run", "-"] for name, old in rec["figures"].items()
             if name not in figs]
    print_table(rows)
