# Smoke test of the exec enforcement benchmark (bench/enforce_bench.py): a
# tiny storm in every configuration, procnotify enforcing and fapolicyd
# permissive and enforcing. No check depends on speed: that the harness
# completes, that each configuration ran, that fapolicyd really enforced,
# and that neither fapolicyd nor its policy outlives the bench. Needs root.
. tests/lib.sh
if ! is_root; then skip "enforce bench smoke: needs root"; finish; exit; fi
if [ ! -x /usr/sbin/fapolicyd ]; then skip "enforce bench smoke: fapolicyd absent"; finish; exit; fi
out=$(mktemp) json=$(mktemp)
trap 'rm -f "$out" "$json"' EXIT
before=$(cd /etc/fapolicyd && sha256sum fapolicyd.conf fapolicyd.trust 2>&1; ls)
BUILD=$BUILD BENCH_ENFORCE_N=200 BENCH_REPS=1 BENCH_JSON=$json \
	timeout -s KILL 600 python3 bench/enforce_bench.py >"$out" 2>&1
check "harness exits 0" [ $? -eq 0 ]
cat "$out"
check "every configuration ran" python3 - "$json" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))
want = ["none", "procnotify", "enforce", "fapolicyd-permissive", "fapolicyd"]
sys.exit(not (sorted(res) == sorted(want) and all(r and "rate" in r[0] for r in res.values())))
PY
check "procnotify enforcing decided the storm's execs, denying none" python3 - "$json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["enforce"][0]
sys.exit(not (r["asked"] >= 200 and r["denied"] == 0 and r["p50_us"] > 0))
PY
check "fapolicyd enforcing refused an exec in its private directory" python3 - "$json" <<'PY'
import json, sys
sys.exit(not json.load(open(sys.argv[1]))["fapolicyd"][0]["refuses_private"])
PY
check "no fapolicyd left running" bash -c '! pgrep -x fapolicyd'
after=$(cd /etc/fapolicyd && sha256sum fapolicyd.conf fapolicyd.trust 2>&1; ls)
check "fapolicyd's files are as before the bench (no policy left behind)" [ "$before" = "$after" ]
finish
