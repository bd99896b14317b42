# procnotify report on a recorded workload: the monitor records a known
# run of private programs into a private log, and every section of the
# report, as a table and as JSON, gives back what the workload did. Other
# processes of the machine are in the log too, so each check looks at the
# workload's own images, user and parent, which nothing else has.
. tests/lib.sh
PN=$BUILD/procnotify
suite_scratch report
if ! is_root; then
	skip "report of a recorded workload (needs root to run the monitor)"
	finish
	exit
fi

# Private copies, so that the images are the workload's alone; a user id
# nothing else runs as. The directory must be searchable by that user.
chmod 755 "$D"
mkdir -m 755 "$D/bin"
cp /bin/bash "$D/bin/pn-sh"
cp /bin/true "$D/bin/pn-ok"
cp /bin/false "$D/bin/pn-fail"
cp /bin/sleep "$D/bin/pn-sleep"
cp /bin/true "$D/bin/pn-late"
RUID=48611

# Phase 1: the shell starts 7 children: pn-ok 3 times, pn-fail twice,
# pn-sleep (killed by SIGKILL) and setpriv, which runs pn-ok as $RUID.
cat >"$D/phase1" <<EOF
$D/bin/pn-ok; $D/bin/pn-ok; $D/bin/pn-ok
$D/bin/pn-fail; $D/bin/pn-fail
$D/bin/pn-sleep 30 & s=\$!
until [ /proc/\$s/exe -ef $D/bin/pn-sleep ]; do :; done
kill -KILL \$s; wait
setpriv --reuid $RUID --regid $RUID --clear-groups $D/bin/pn-ok
exit 0
EOF
# Phase 2, after a mark: pn-ok again and pn-late, new to the log.
cat >"$D/phase2" <<EOF
$D/bin/pn-ok; $D/bin/pn-late
exit 0
EOF

record() {
	monitor_ready --db "$D/log.db" --json -o "$D/live.json" || return 1
	"$D/bin/pn-sh" "$D/phase1" 2>"$D/phase1.err" || return 1
	sleep 1.1
	date -u +%Y-%m-%dT%H:%M:%S.%NZ >"$D/mark"
	sleep 0.1
	"$D/bin/pn-sh" "$D/phase2" || return 1
	kill -INT "$MON" && wait "$MON"
	local rc=$?
	MON=
	return $rc
}
check "the monitor records the workload into a private log" record

"$PN" report --db "$D/log.db" --top 0 --json >"$D/all.json"; echo $? >"$D/all.rc"
"$PN" report --db "$D/log.db" --top 0 >"$D/all.txt"; echo $? >"$D/all.txt.rc"
"$PN" report --db "$D/log.db" --top 0 --since "$(cat "$D/mark")" --json >"$D/late.json"
"$PN" report --db "$D/log.db" --top 0 --since "$(cat "$D/mark")" >"$D/late.txt"
check "report --json and the table exit 0" test "$(cat "$D/all.rc") $(cat "$D/all.txt.rc")" = "0 0"

# Each section of the JSON and of the table, checked against the workload.
python3 - "$D" "$RUID" <<'EOF'
import json, re, sys
d, ruid = sys.argv[1], int(sys.argv[2])
b = d + "/bin/"
failures = 0
def check(what, ok):
    global failures
    print(("ok   - " if ok else "FAIL - ") + what)
    failures += not ok

def sections(path):
    """{title: [row lines]} of a table report: blocks between blank lines,
    each a title, the column headings, then its rows."""
    out = {}
    for block in open(path).read().split("\n\n")[1:]:
        lines = [l for l in block.split("\n") if l]
        out[lines[0]] = [l for l in lines[2:] if not l.startswith("  ...") and l != "  (none)"]
    return out

def rows_by(rows, key):
    return {r[key]: r for r in rows}

j, late = json.load(open(d + "/all.json")), json.load(open(d + "/late.json"))
t, lt = sections(d + "/all.txt"), sections(d + "/late.txt")

imgs = rows_by(j["images"]["rows"], "image")
want = {"pn-sh": 2, "pn-ok": 5, "pn-fail": 2, "pn-sleep": 1, "pn-late": 1}
check("images: each private image with its executions " + str(want),
      all(imgs.get(b + n, {}).get("executions") == c for n, c in want.items()))
timgs = {l.split(None, 1)[1]: int(l.split()[0]) for l in t["Top images (executions)"]}
check("images, table: the same counts", all(timgs.get(b + n) == c for n, c in want.items()))

par = [r for r in j["parents"]["rows"] if r["image"] == b + "pn-sh" and r["argv"] == [b + "pn-sh", d + "/phase1"]]
check("parents: the phase 1 shell started 7 processes", len(par) == 1 and par[0]["children"] == 7)
tpar = [l for l in t["Top parents (children started)"] if f"{b}pn-sh : {b}pn-sh {d}/phase1" in l]
check("parents, table: the same shell, 7 children, its key",
      len(tpar) == 1 and tpar[0].split()[0] == "7" and par and tpar[0].endswith(par[0]["key"]))

users = rows_by(j["users"]["rows"], "uid")
check(f"users: uid {ruid} ran one program", users.get(ruid, {}).get("executions") == 1)
tusers = {int(l.split()[1]): int(l.split()[0]) for l in t["Executions per user"]}
check(f"users, table: uid {ruid} ran one program", tusers.get(ruid) == 1)

fails = rows_by(j["failures"]["rows"], "image")
check("failures: pn-fail exited non-zero twice of 2 exits",
      {k: fails.get(b + "pn-fail", {}).get(k) for k in ("exits", "nonzero", "signaled")} ==
      {"exits": 2, "nonzero": 2, "signaled": 0})
check("failures: pn-sleep was killed by a signal once",
      {k: fails.get(b + "pn-sleep", {}).get(k) for k in ("exits", "nonzero", "signaled")} ==
      {"exits": 1, "nonzero": 0, "signaled": 1})
check("failures: pn-ok never failed", b + "pn-ok" not in fails)
tfails = {l.split(None, 4)[4]: l.split()[:4] for l in t["Failures (exits with a non-zero status or by a signal)"]}
check("failures, table: the same counts", tfails.get(b + "pn-fail") == ["2", "0", "0", "2"]
      and tfails.get(b + "pn-sleep") == ["0", "1", "0", "1"])

new = {r["image"] for r in j["new_images"]["rows"]}
check("new images, whole log: every private image", {b + n for n in want} <= new)
lnew = {r["image"] for r in late["new_images"]["rows"]}
check("new images since the mark: pn-late, not pn-ok nor pn-sh",
      b + "pn-late" in lnew and b + "pn-ok" not in lnew and b + "pn-sh" not in lnew)
tlnew = {l.split(None, 3)[3] for l in lt["Images run for the first time in the log"]}
check("new images since the mark, table: the same", b + "pn-late" in tlnew and b + "pn-ok" not in tlnew)
limgs = rows_by(late["images"]["rows"], "image")
check("since the mark: pn-ok ran once, pn-fail not at all",
      limgs.get(b + "pn-ok", {}).get("executions") == 1 and b + "pn-fail" not in limgs)

s = j["summary"]
hours = j["hours"]
check("hours add up to the summary", sum(h["events"] for h in hours) == s["events"] and
      sum(h["by_type"]["exec"] for h in hours) == s["by_type"]["exec"])
check("summary: at least the workload's 11 execs and 10 processes",
      s["by_type"]["exec"] >= 11 and s["processes"] >= 10)
th = t["Activity per hour"]
check("hours, table: the same hours and counts",
      [l.split()[2:4] for l in th] == [[str(h["events"]), str(h["by_type"]["fork"])] for h in hours])
sys.exit(1 if failures else 0)
EOF
check "every section matches the workload" test $? = 0

# --where: only the events the expression matches are counted.
"$PN" report --db "$D/log.db" --top 0 --json --where "image=$D/bin/pn-ok" >"$D/where.json"
where_ok() {
	python3 - "$D/where.json" "$D/bin/pn-ok" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
rows = j["images"]["rows"]
assert [(r["image"], r["executions"]) for r in rows] == [(sys.argv[2], 5)], rows
assert j["summary"]["by_type"]["exec"] == 5 and j["summary"]["by_type"]["exit"] == 5, j["summary"]
assert j["failures"]["total"] == 0 and j["users"]["total"] == 2, j
EOF
}
check "report --where counts only the events it matches (pn-ok: 5 execs, 5 exits)" where_ok
check "report --where with a bad expression: exit 2, one line" \
	test "$("$PN" report --db "$D/log.db" --where 'image=' 2>&1 >/dev/null | wc -l)-$("$PN" report --db "$D/log.db" --where 'image=' >/dev/null 2>&1; echo $?)" = 1-2

# --host: the same run imported as two hosts; each host's report is the run's.
for h in h1 h2; do
	sed 's/"host":"[^"]*"/"host":"'$h'"/' "$D/live.json" >"$D/live-$h.json"
	"$PN" import --db "$D/fleet.db" --host $h "$D/live-$h.json" 2>/dev/null
done
executions() { # LOG IMAGE [ARGS]: the executions report gives IMAGE
	local log=$1 img=$2
	shift 2
	"$PN" report --db "$log" --top 0 --json "$@" | python3 -c '
import json, sys
rows = json.load(sys.stdin)["images"]["rows"]
print(sum(r["executions"] for r in rows if r["image"] == sys.argv[1]))' "$img"
}
check "report --host h1 of a fleet log: pn-ok ran 5 times there, 10 in all" \
	test "$(executions "$D/fleet.db" "$D/bin/pn-ok" --host h1)-$(executions "$D/fleet.db" "$D/bin/pn-ok")" = 5-10

# A log that is not one, and usage errors.
echo "not sqlite" >"$D/junk.db"
check "a file that is not a log: exit 1, one line" \
	test "$("$PN" report --db "$D/junk.db" 2>&1 >/dev/null | wc -l) $("$PN" report --db "$D/junk.db" >/dev/null 2>&1; echo $?)" = "1 1"
check "no --db: exit 2" test "$("$PN" report >/dev/null 2>&1; echo $?)" = 2
check "--json and --html together: exit 2, no page written" \
	test "$("$PN" report --db "$D/log.db" --json --html "$D/x.html" >/dev/null 2>&1; echo $?)-$(ls "$D/x.html" 2>/dev/null | wc -l)" = 2-0
check "tree --json --html: exit 2" \
	test "$("$PN" tree --db "$D/log.db" --json --html "$D/x.html" 1 >/dev/null 2>&1; echo $?)" = 2
check "--html in a directory that does not exist: exit 1, one line" \
	test "$("$PN" report --db "$D/log.db" --html "$D/no/x.html" 2>&1 >/dev/null | wc -l)-$("$PN" report --db "$D/log.db" --html "$D/no/x.html" >/dev/null 2>&1; echo $?)" = 1-1
check "--top -1: exit 2" test "$("$PN" report --db "$D/log.db" --top -1 >/dev/null 2>&1; echo $?)" = 2
finish
