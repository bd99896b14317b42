# Smoke test of the benchmark harness (bench/run.py): a tiny storm with every
# configuration, a forced-loss stall run and a short latency run. It checks
# that the harness completes and prints a well-formed table, that procnotify
# captured every exec and exit, and that the forced loss was reported exactly.
# No check here depends on speed. Needs root; a peer is skipped only when its
# binary is absent (a skip is a failure under CI=true).
. tests/lib.sh
if ! is_root; then skip "bench smoke: needs root"; finish; exit; fi
N=300
out=$(mktemp) json=$(mktemp)
trap 'rm -f "$out" "$json"' EXIT
BUILD=$BUILD BENCH_N=$N BENCH_REPS=1 BENCH_STALL_N=$N BENCH_STALL_RING=4096 \
	BENCH_RATE=200 BENCH_RATE_SECS=2 BENCH_RATE_IDLE_SECS=1 BENCH_JSON=$json python3 bench/run.py >"$out" 2>&1
check "harness exits 0" [ $? -eq 0 ]
cat "$out"

# The table row of a configuration, found by its label.
row() { grep -E "^$1 " "$out"; }
row_has() { row "$1" | grep -qE -- "$2"; }
full="$N/$N \(100\.00%\)"
check "table has its header" grep -qE '^config +rate/s +min\.\.max +ratio' "$out"
check "no monitor row has a rate and ratio 1.000" row_has "no monitor" '^no monitor +[0-9.]+ +[0-9]+\.\.[0-9]+ +1\.000 '
check "procnotify captured every exec and every exit, 0 lost" \
	row_has "procnotify --json -o FILE" " $full +$full +0 "
check "with 5 rules (none dropping the storm), every exec and every exit, 0 lost" \
	row_has "procnotify --json -o FILE, 5 rules" " $full +$full +0 "
check "with --db, the log holds every exec and every exit, 0 lost" \
	row_has "procnotify --json -o FILE --db LOG" " $full +$full +0 "
check "... and the log read back is the live JSON, byte for byte, seq 1..N" \
	python3 - "$json" <<'PY'
import json, sys
notes = json.load(open(sys.argv[1]))["storm"]["procnotify-db"][0]["notes"]
print(notes[:3])
sys.exit(bool(notes))
PY
# A collector ran beside the monitor (its CPU is noted) and no note says it
# missed an event: $1 the configuration, $2 the daemon, then the notes that
# would say so.
collector_ok() {
	python3 - "$json" "$@" <<'PY'
import json, sys
path, config, daemon, *missed = sys.argv[1:]
notes = json.load(open(path))["storm"][config][0]["notes"]
print(notes)
sys.exit(not (any(n.startswith(daemon + " CPU") for n in notes) and
              not any(m in n for m in missed for n in notes)))
PY
}
check "with --syslog to rsyslogd, every exec and every exit, 0 lost" \
	row_has "procnotify --json -o FILE --syslog=tcp://" " $full +$full +0 "
check "... and rsyslogd ran beside it, and its file holds every event the JSON holds" \
	collector_ok procnotify-syslog rsyslogd "rsyslogd got" "collector file"
check "with --journal to journald, every exec and every exit, 0 lost" \
	row_has "procnotify --json -o FILE --journal" " $full +$full +0 "
check "... and journald ran beside it, and its journal holds every event the JSON holds" \
	collector_ok procnotify-journal journald "journald got"
for peer in "execsnoop -t \+ exitsnoop -t:/usr/sbin/execsnoop /usr/sbin/exitsnoop" \
	"forkstat -e fork,exec,exit:/usr/bin/forkstat"; do
	label=${peer%%:*} bins=${peer#*:} absent=
	for b in $bins; do [ -x "$b" ] || absent=$b; done
	if [ -n "$absent" ]; then skip "peer row ${label//\\/}: $absent is absent"; continue; fi
	check "peer row ${label//\\/} has capture counts" \
		row_has "$label" " [0-9]+/$N \([0-9.]+%\) +[0-9]+/$N \([0-9.]+%\) "
done
check "stall run forced a loss and reported it exactly" python3 - "$json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["stall"]
sys.exit(not (s["kernel_drops"]["total"] > 0 and s["exact"]))
PY
check "stall table says the loss was reported exactly" grep -q '^loss reported exactly: yes$' "$out"
check "latency run (to a pipe) saw every exec" python3 - "$json" <<'PY'
import json, sys
r = {x["output"]: x for x in json.load(open(sys.argv[1]))["rate"]}["pipe"]
sys.exit(not (r["latency_from_spawn_ms"]["count"] == r["n"] == r["latency_from_kernel_ms"]["count"]))
PY
check "CPU runs to a file and to a pipe each wrote 3 events per exec and have a fitted line" \
	python3 - "$json" <<'PY'
import json, math, sys
runs = json.load(open(sys.argv[1]))["rate"]
for r in runs:
    if "error" in r:
        print(f"rate run to a {r['output']}: {r['error']}")
# Only that the figures exist: a two-second run says nothing about speed.
# The events are the spawner's own, so other processes cannot move them.
sys.exit(not (sorted(r["output"] for r in runs) == ["file", "pipe"] and
              all("error" not in r and 3 * r["n"] <= r["events"] <= 3 * r["n"] + 3 and
                  r["cpu_s"] > 0 and math.isfinite(r["estimate_pct"]) for r in runs)))
PY
for o in file pipe; do
	check "rate table has a row with figures for the $o" grep -qE "^$o +[0-9.]+% " "$out"
done
# The run beside the recorded one (bench/recorded.json, committed): its
# storm ratio, capture and CPU per event, and the paced figures, each with
# the recorded value and this run's.
check "the figures are printed beside the recorded run's" \
	grep -qE '^## Beside the recorded run: .*commit [0-9a-f?]+' "$out"
for f in "procnotify --json -o FILE: storm ratio" "procnotify --json -o FILE --db LOG: CPU us/event" \
	"stalled consumer: loss reported exactly \(1 yes\)" "--json to a pipe: exec to visible, p99 ms"; do
	check "beside the recorded run: ${f//\\/}" grep -qE -- "^$f +[0-9.]+ +[0-9.]+ +" "$out"
done
finish
