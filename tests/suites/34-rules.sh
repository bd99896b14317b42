# Live rules end to end: errors with FILE:LINE:COL (no root); then tag,
# drop and keep in JSON, the table and the activity log, seq gapless across
# drops, `query --where` equal to what the live rule tagged on a recorded
# workload, and SIGHUP swapping rule sets whole during a spawn storm.
# Every rule names this run's private directory, so the busy machine's other
# processes are seen but never matched.
. tests/lib.sh
PN=$BUILD/procnotify
STORM=$BUILD/bench/spawn_storm
suite_scratch rules
MON2=
trap 'suite_cleanup; [ -n "$MON2" ] && kill -KILL "$MON2" 2>/dev/null' EXIT

# ---- errors (no root) ----
# $1 the one line wanted on stderr; the rest, the command line.
usage_error() {
	local want=$1 out rc
	shift
	out=$("$PN" "$@" --check-config 2>&1); rc=$?
	[ "$rc" = 2 ] && [ "$out" = "$want" ] || { echo "rc=$rc: $out"; return 1; }
}
printf '# rules\n\ntag ok: comm=x\ndrop comm=y and (uid=0 or imagee=/x)\n' >"$D/bad.rules"
check "a rules file's error: FILE:LINE:COL, exit 2" \
	usage_error "$D/bad.rules:4:27: unknown field 'imagee'" --rules "$D/bad.rules"
check "the Nth --rule's error: --rule:N:COL" \
	usage_error "--rule:2:11: unknown event type" --rule 'tag a: uid=0' --rule 'keep type=nope'
printf 'json = true\nrule  =  tag t: argv~=(\n' >"$D/bad.conf"
check "a config key's error: the column in the config line" \
	usage_error "$D/bad.conf:2:23: bad regular expression (POSIX ERE): Unmatched ( or \\(" \
	--config "$D/bad.conf"
check "a missing rules file: its name and why, exit 2" \
	usage_error "$D/none.rules: No such file or directory" --rules "$D/none.rules"
# The issue's six rules, exactly as written: each as --rule, all in a file.
SIX=(
	'deny image=/tmp/**'
	'deny image_sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'
	'tag curl-from-web: image=/usr/bin/curl and ancestor.image=/usr/sbin/nginx'
	'drop comm=cron'
	'keep uid=0 or parent.image=/usr/sbin/sshd'
	'tag odd-exit: type=exit and not exit_code=0'
)
for r in "${SIX[@]}"; do
	check "--rule '$r' passes --check-config" "$PN" --rule "$r" --check-config
done
printf '%s\n' "${SIX[@]}" >"$D/six.rules"
check "the six in one rules file pass --check-config" "$PN" --rules "$D/six.rules" --check-config
printf 'drop comm=y # a comment\n' >"$D/good.rules"
check "a good file passes --check-config" "$PN" --rules "$D/good.rules" --check-config
out=$("$PN" query --db "$D/none.db" --where 'uid=0 and' 2>&1); rc=$?
check "query --where's error: --where:1:COL, exit 2" \
	test "$rc" = 2 -a "$out" = "--where:1:10: expected a field, 'not' or '('"

if ! is_root; then skip "rules: needs root to load BPF"; finish; exit; fi

# ---- the workload: copies of sh, true and false in $D/bin ----
mkdir -p "$D/bin"
cp /bin/sh "$D/bin/wl-sh"
cp /bin/true "$D/bin/t-true"
cp /bin/false "$D/bin/t-false"
cp /bin/true "$D/bin/drop-me"
B=$D/bin
TOKEN=${D##*.}
workload() {
	"$B/wl-sh" -c "$B/t-true $TOKEN; $B/t-false; $B/drop-me; $B/wl-sh -c '$B/t-true $TOKEN nested; exit 3'"
}
wait_err() { for _ in $(seq 150); do grep -q -- "$1" "$2" && return 0; sleep 0.1; done; return 1; }

cat >"$D/live.rules" <<EOF
# tags, a drop, and the expressions query --where must agree with
tag wl-true: image=$B/** and comm=t-true
drop image=$B/drop-me
tag odd-exit: type=exit and not exit_code=0 and ancestor.image=$B/wl-sh
tag w1: ancestor.image=$B/wl-sh
tag w2: parent.image=$B/wl-sh and type=exec
tag w3: argv*='$TOKEN nested' or (image=$B/t-* and exit_code>0)
tag w4: image~='^$B/t-(true|false)\$' and not type=fork
EOF
"$PN" --json -o "$D/a.jsonl" --db "$D/a.db" --rules "$D/live.rules" 2>"$D/a.err" & MON=$!
"$PN" -o "$D/b.table" --rules "$D/live.rules" --rule "keep image=$B/**" 2>"$D/b.err" & MON2=$!
check "both monitors are ready" wait_err 'procnotify: ready' "$D/a.err"
check "... the table one too" wait_err 'procnotify: ready' "$D/b.err"
for _ in $(seq 20); do workload; done
sleep 0.5
kill -INT "$MON" "$MON2"; wait "$MON"; rca=$?; wait "$MON2"; rcb=$?; MON= MON2=
check "the monitors stop cleanly" test "$rca-$rcb" = 0-0
check "the summary counts the dropped events apart" grep -qE 'dropped by rules [1-9]' "$D/a.err"

"$PN" query --db "$D/a.db" --json --numeric >"$D/log.jsonl"
for w in w1 w2 w3 w4 odd-exit wl-true; do
	expr=$(sed -n "s/^tag $w: //p" "$D/live.rules")
	"$PN" query --db "$D/a.db" --json --numeric --where "$expr" >"$D/where-$w.jsonl"
done
python3 - "$D" "$B" "$TOKEN" >"$D/verdict" 2>&1 <<'EOF'
import json, re, sys
d, b, token = sys.argv[1:]
def lines(p):
    return [json.loads(l) for l in open(p)]
live = lines(f"{d}/a.jsonl")
log = lines(f"{d}/log.jsonl")
fails = 0
def check(what, ok, detail=""):
    global fails
    print(("ok   - " if ok else "FAIL - ") + what + ("" if ok else f": {detail}"))
    fails += not ok
mine = [e for e in live if (e.get("image") or "").startswith(b + "/")]
execs = [e for e in mine if e["type"] == "exec"]
check("the workload's 20 x 3 execs of t-true, t-false and t-true nested are there",
      len([e for e in execs if e["comm"] in ("t-true", "t-false")]) == 60, len(execs))
check("every event of t-true is tagged wl-true",
      all("wl-true" in e.get("rules", []) for e in mine if e["comm"] == "t-true" and e["type"] != "fork"))
fails_exit = [e for e in mine if e["type"] == "exit" and e["comm"] == "t-false"]
check("each exit of t-false (status 1) is tagged odd-exit",
      len(fails_exit) == 20 and all("odd-exit" in e["rules"] for e in fails_exit))
ok_exit = [e for e in mine if e["type"] == "exit" and e["comm"] == "t-true"]
check("no exit 0 is tagged odd-exit", ok_exit and not any("odd-exit" in e["rules"] for e in ok_exit))
dropped = b + "/drop-me"
check("no event of drop-me in the JSON", not any(e.get("image") == dropped for e in live))
check("no event of drop-me in the log", not any(e.get("image") == dropped for e in log))
check("... but its fork, the shell's, is kept",
      sum(e["type"] == "fork" and e.get("image") == b + "/wl-sh" for e in live) >= 40)
seqs = [e["seq"] for e in live]
check("JSON seq runs 1..N without a gap across the drops", seqs == list(range(1, len(seqs) + 1)))
by_seq = {e["seq"]: e for e in log}
check("the log has every event of the JSON under the same seq, with its tags",
      all(by_seq.get(e["seq"], {}).get("rules") == e.get("rules") and
          by_seq[e["seq"]]["pid"] == e.get("pid") for e in live if e["type"] != "lost"),
      [e["seq"] for e in live if e["type"] != "lost" and by_seq.get(e["seq"], {}).get("rules") != e.get("rules")][:5])
for w in ("w1", "w2", "w3", "w4", "odd-exit", "wl-true"):
    want = [e["seq"] for e in live if w in e.get("rules", [])]
    got = [e["seq"] for e in lines(f"{d}/where-{w}.jsonl") if e["type"] != "lost"]
    check(f"query --where of {w} returns exactly the events the live rule tagged ({len(want)})",
          want and got == want, (len(got), len(want), sorted(set(got) ^ set(want))[:5]))
sys.exit(1 if fails else 0)
EOF
rc=$?
cat "$D/verdict"
check "JSON and the log agree with the rules" test "$rc" = 0
check "the table tags t-true's rows" grep -q "t-true .*\[rules wl-true,w1" "$D/b.table"
rows=$(grep '^| [0-9]' "$D/b.table" | grep -vc 'LOST')
kept=$(grep '^| [0-9]' "$D/b.table" | grep -v 'LOST' | grep -c -- "$B/")
check "keep: every table row is the workload's ($kept of $rows)" test "$rows" -gt 0 -a "$rows" = "$kept"
check "no drop-me row in the table" test "$(grep -c '| drop-me ' "$D/b.table")" = 0

# ---- reload under a storm: a set is swapped whole, a bad one refused ----
gen() { printf 'tag g%s-a: image=%s/t-true\ntag g%s-b: comm=t-true\n' "$1" "$B" "$1" >"$D/r.tmp"
	mv "$D/r.tmp" "$D/reload.rules"; }
gen 0
"$PN" --json -t exec -o "$D/r.jsonl" --rules "$D/reload.rules" 2>"$D/r.err" & MON=$!
check "the reloading monitor is ready" wait_err 'procnotify: ready' "$D/r.err"
"$STORM" -n 3000 -j 4 -p "$B/t-true" >"$D/storm.out" & STORMPID=$!
for g in $(seq 1 20); do
	sleep 0.1
	if [ "$g" = 10 ]; then
		printf 'tag g10-a: image=%s/t-true\ntag g10-b: comm=t-true and\n' "$B" >"$D/r.tmp"
		mv "$D/r.tmp" "$D/reload.rules"
	else
		gen "$g"
	fi
	kill -HUP "$MON"
done
wait "$STORMPID"
sleep 0.3
kill -INT "$MON"; wait "$MON"; rc=$?; MON=
check "the monitor stops cleanly after 20 reloads" test "$rc" = 0
check "the bad set is refused with FILE:LINE:COL" \
	grep -qF "$D/reload.rules:2:27: expected a field, 'not' or '('" "$D/r.err"
check "... and the running rules kept" grep -q 'reload: keeping the running options' "$D/r.err"
python3 - "$D/r.jsonl" "$B" >"$D/rverdict" 2>&1 <<'EOF'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
mine = [e for e in evs if e.get("image") == sys.argv[2] + "/t-true"]
gens = []
for e in mine:
    tags = e.get("rules", [])
    g = {t.split("-")[0] for t in tags}
    assert len(g) == 1 and len(tags) == 2 and sorted(tags) == [f"{min(g)}-a", f"{min(g)}-b"], \
        f"seq {e['seq']}: a mixed or partial set {tags}"
    gens.append(int(min(g)[1:]))
assert len(mine) >= 2900, f"only {len(mine)} execs of the storm seen"
assert gens == sorted(gens), "a generation went back"
assert 10 not in gens, "the bad set's tags were applied"
print(f"{len(mine)} execs, each with one whole set; generations seen: {sorted(set(gens))}")
EOF
rc=$?
cat "$D/rverdict"
check "every storm exec carries one whole rule set, generations in order" test "$rc" = 0
finish
