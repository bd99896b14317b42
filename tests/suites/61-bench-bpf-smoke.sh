# Smoke test of the BPF cost benchmark (bench/bpf_cost.py): two cold starts
# and a tiny storm. It checks that every figure is printed for every program
# and that kernel.bpf_stats_enabled is put back as it was found. No check
# depends on speed. Needs root.
. tests/lib.sh
if ! is_root; then skip "bpf bench smoke: needs root"; finish; exit; fi
stats=/proc/sys/kernel/bpf_stats_enabled
before=$(cat $stats)
out=$(mktemp) json=$(mktemp)
trap 'rm -f "$out" "$json"' EXIT
BUILD=$BUILD BENCH_BPF_STARTS=2 BENCH_BPF_N=50 BENCH_BPF_REPS=1 BENCH_BPF_JSON=$json \
	python3 bench/bpf_cost.py >"$out" 2>&1
check "bpf_cost.py exits 0" [ $? -eq 0 ]
cat "$out"
check "kernel.bpf_stats_enabled is back to $before" [ "$(cat $stats)" = "$before" ]
check "every program has its verifier figures and the tracepoints their run time" \
	python3 - "$json" "$BUILD" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))[sys.argv[2]]
progs = f["progs"]
want = {"pn_fork", "pn_exec", "pn_exit", "pn_snapshot"}
ok = set(progs) == want and all(progs[p]["verified_insns"] > 0 for p in want)
ok = ok and all(progs[p]["run_cnt"] > 0 and progs[p]["run_ns"] > 0
                for p in ("pn_fork", "pn_exec", "pn_exit"))
sys.exit(not (ok and len(f["start_ms"]["all"]) == 2 and f["ns_per_process"] > 0))
PY
check "the table has a start-up row" grep -qE '^start to ready, median of 2 \(ms\) +[0-9.]+$' "$out"
finish
