# The activity log end to end: procnotify --db records a known process tree,
# query and tree give it back exactly; a SIGKILLed monitor leaves a sound
# file that the next run appends to, with the gap shown; bad input is
# refused without a crash and without touching the file.
. tests/lib.sh
PN=$BUILD/procnotify
# The test build that honours PN_TEST_CGROUP, for the scoped runs.
SCOPED=$BUILD/tests/procnotify-scoped
suite_scratch store-e2e

sum() { sha256sum "$1" | cut -d' ' -f1; }

# Starts the monitor on a log and waits for "ready"; sets MON.
start_monitor() {
	local db=$1 out=$2 err=$3
	"$PN" --db "$db" --json -o "$out" 2>"$err" &
	MON=$!
	for _ in $(seq 100); do
		grep -q 'procnotify: ready' "$err" && return 0
		kill -0 "$MON" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

stop_monitor() { kill -"$1" "$MON"; wait "$MON"; local rc=$?; MON=; return $rc; }

# The known tree: the script (exit 0) starts a shell that runs a grandchild
# with hostile arguments and one in the background, then exits 3; a sleep
# killed by SIGKILL; a shell that kills itself with SIGTERM.
cat >"$D/tree.sh" <<'EOF'
echo $$ >"$1/root.pid"
/bin/sh -c '/bin/true "a b" "$1"; /bin/sleep 0.1 & wait; exit 3' sh $'\xff'
/bin/sleep 30 &
s=$!
/bin/sh -c 'kill -TERM $$'
# Killed before its exec, on a busy machine, it would still be bash. (Only
# builtins: any other process would be one more node of the tree.)
until [ /proc/$s/exe -ef /bin/sleep ]; do :; done
kill -KILL $s
wait
exit 0
EOF

record_tree() {
	start_monitor "$D/log.db" "$D/live.json" "$D/mon.err" || return 1
	bash "$D/tree.sh" "$D" 2>"$D/tree.sh.err"
	# A reader while the writer runs (WAL): it must not wait or fail.
	sleep 0.5
	"$PN" query --db "$D/log.db" --pid "$(cat "$D/root.pid")" --no-header >"$D/during.txt" 2>&1
	echo $? >"$D/during.rc"
	stop_monitor INT
}

# A chain of 40,000 processes, each the child of the one before (what a
# fork bomb that forks and exits leaves, in 13 s): tree and tree --json
# once recursed per level, built the whole output in memory and indented
# two spaces a level (1 GB, then SIGSEGV). Now: a 1 MiB stack, lines of a
# bounded width, a bounded peak RSS.
CHAIN=40000
PN_CHAIN_DB="$D/chain.db" PN_CHAIN_LEN=$CHAIN "$BUILD/tests/test_store" >/dev/null
deep_tree() {
	(ulimit -s 1024; exec /usr/bin/time -f %M -o "$D/chain$1.rss" "$PN" tree --db "$D/chain.db" $1 1000) \
		>"$D/chain$1.out" 2>/dev/null
}
rss_below() { [ "$(wc -l <"$1")" -eq 1 ] && [ "$(cat "$1")" -lt "$2" ]; }
check "tree of a $CHAIN-level chain succeeds on a 1 MiB stack" deep_tree ""
check "... one line per process, none wider than 200 bytes" \
	test "$(wc -l <"$D/chain.out")-$(awk 'length > 200' "$D/chain.out" | wc -l)" = "$CHAIN-0"
check "... the deepest line says its depth" grep -q "^ *\[depth $((CHAIN - 1))\] $((1000 + CHAIN - 1)) /bin/sh" "$D/chain.out"
check "... in under 48 MiB (peak RSS $(cat "$D/chain.rss") KiB)" rss_below "$D/chain.rss" 49152
check "tree --json of the chain succeeds on a 1 MiB stack" deep_tree --json
nested_ok() {
	python3 - "$D/chain--json.out" "$CHAIN" <<'EOF'
import sys
t, n = open(sys.argv[1]).read(), int(sys.argv[2])
assert t.count('{"pid":') == n and t.endswith("]}" * n + "\n"), len(t)
assert t.startswith('{"pid":1000,') and '"pid":%d,' % (999 + n) in t
EOF
}
check "... $CHAIN nested objects, each closed" nested_ok
check "... in under 48 MiB (peak RSS $(cat "$D/chain--json.rss") KiB)" rss_below "$D/chain--json.rss" 49152

# query | head -1: the query stops when its reader goes away instead of
# reading the rest of the log. Judged by CPU time against the whole query
# (120,000 events, 9 MB of table), not by the clock.
cpu_of() {
	python3 - "$@" <<'EOF'
import os, subprocess, sys
head = sys.argv[1] == "head"
p = subprocess.Popen(sys.argv[2:], stdout=subprocess.PIPE if head else subprocess.DEVNULL)
if head:
    p.stdout.readline()
    p.stdout.close()
_, status, ru = os.wait4(p.pid, 0)
print(int((ru.ru_utime + ru.ru_stime) * 1000), os.waitstatus_to_exitcode(status))
EOF
}
read -r FULL_MS FULL_RC < <(cpu_of all "$PN" query --db "$D/chain.db" --json)
read -r HEAD_MS HEAD_RC < <(cpu_of head "$PN" query --db "$D/chain.db" --json)
check "query | head -1 stops at once: $HEAD_MS ms of CPU against $FULL_MS ms for all, exit $HEAD_RC" \
	test "$FULL_RC-$HEAD_RC" = 0-0 -a "$((HEAD_MS * 3))" -lt "$FULL_MS"

# Exit status as grep's: 0 when an event matched, 1 when none did. --count
# prints the number of matching events alone, with the same status. The
# chain holds a fork, an exec and an exit per process, pids 1000 upward.
"$PN" query --db "$D/chain.db" --pid 999 >"$D/none.txt"; rc=$?
check "query that matches nothing exits 1 (exit $rc), a header only" \
	test "$rc-$(grep -c '^| [0-9]' "$D/none.txt")" = "1-0"
"$PN" query --db "$D/chain.db" --pid 1000 --no-header >/dev/null; rc=$?
check "query that matches exits 0 (exit $rc)" test "$rc" = 0
count() { "$PN" query --db "$D/chain.db" --count "$@"; echo "rc=$?"; }
check "query --count: the whole chain, one line, exit 0" \
	test "$(count | tr '\n' ' ')" = "$((CHAIN * 3)) rc=0 "
check "query --count --pid: one process's three events" test "$(count --pid 1000 | tr '\n' ' ')" = "3 rc=0 "
check "query --count -t exec: one exec a process" test "$(count -t exec | tr '\n' ' ')" = "$CHAIN rc=0 "
check "query --count of nothing: 0, exit 1" test "$(count --pid 999 | tr '\n' ' ')" = "0 rc=1 "
check "query --count --json: the number alone too" \
	test "$("$PN" query --db "$D/chain.db" --count --json --pid 1001)" = 3

# --format csv: the golden events (hostile names, every type) as RFC 4180
# that Python's csv module reads back: the header's columns in every row,
# one row per event, the same events as the JSON, and no raw control byte.
PN_GOLDEN_DB="$D/fmt.db" "$BUILD/tests/test_format_golden" >/dev/null
"$PN" query --db "$D/fmt.db" --format csv >"$D/fmt.csv"; rc=$?
"$PN" query --db "$D/fmt.db" --json >"$D/fmt.json"
csv_matches_json() {
	python3 - "$D/fmt.csv" "$D/fmt.json" <<'EOF'
import csv, json, sys
raw = open(sys.argv[1], "rb").read()
assert not any(b < 0x20 and b != 0x0a for b in raw), "a raw control byte"
raw.decode("utf-8")
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
events = [json.loads(l) for l in open(sys.argv[2])]
head, rows = rows[0], rows[1:]
assert head[:4] == ["seq", "time", "type", "pid"], head
assert len(rows) == len(events) > 10, (len(rows), len(events))
for r, e in zip(rows, events):
    assert len(r) == len(head), (len(r), len(head), r)
    c = dict(zip(head, r))
    assert (c["seq"], c["time"], c["type"]) == (str(e["seq"]), e["time"], e["type"]), (c, e)
    assert c["pid"] == str(e.get("pid", "")), (c, e)
EOF
}
check "query --format csv exits 0 and reads back as the JSON's events" \
	test "$rc-$(csv_matches_json >"$D/fmt.err" 2>&1; echo $?)" = "0-0"
[ -s "$D/fmt.err" ] && tail -3 "$D/fmt.err"
check "query --format csv --no-header: the rows alone" \
	test "$("$PN" query --db "$D/fmt.db" --format csv --no-header | head -1 | cut -d, -f1)" = 1
check "query --format json is --json" cmp -s <("$PN" query --db "$D/fmt.db" --format json) "$D/fmt.json"
"$PN" query --db "$D/fmt.db" --format xml >/dev/null 2>"$D/fmt.err"; rc=$?
check "query --format xml is a usage error that names the formats" \
	test "$rc-$(grep -c 'table json csv' "$D/fmt.err")" = 2-1

# --count is SQLite's count over the same filter: it must agree with the
# events printed, lost records (always shown) included.
count_agrees() {
	local n
	n=$("$PN" query --db "$D/fmt.db" --count "$@")
	[ "$n" = "$("$PN" query --db "$D/fmt.db" --json "$@" | wc -l)" ] && [ "$n" -gt 0 ]
}
for f in "" "-t exec" "-t exit --signaled" "--name ls" "--pid 4242" "--since 2026-11-27T00:00:04Z"; do
	# shellcheck disable=SC2086
	check "query --count $f agrees with the events printed" count_agrees $f
done

if ! is_root; then
	skip "activity log end to end: needs root to load BPF"
	finish
	exit
fi

check "monitor with --db records and stops cleanly on SIGINT" record_tree
ROOT=$(cat "$D/root.pid")
check "the log file is created mode 0600" test "$(stat -c %a "$D/log.db")" = 600
check "a query while the monitor wrote succeeded" test "$(cat "$D/during.rc")" = 0
check "... and saw the tree's exec" grep -q "bash $D/tree.sh" "$D/during.txt"

# One formatter: the log gives back exactly what the monitor printed live.
# (The log also holds a snapshot event per process alive at the start,
# which the live stream shows only when asked for: they are left out.)
"$PN" query --db "$D/log.db" --json --numeric | grep -v '"type":"snapshot"' >"$D/all.json"
check "query --json --numeric equals the live monitor's JSON, event for event" cmp -s "$D/all.json" "$D/live.json"
# Without --numeric each event also names its user and group: root, here.
"$PN" query --db "$D/log.db" --json --pid "$ROOT" >"$D/named.json"
named_ok() {
	python3 - "$D/named.json" "$D/all.json" <<'EOF'
import json, sys
named = [json.loads(l) for l in open(sys.argv[1])]
plain = {json.loads(l)["seq"]: json.loads(l) for l in open(sys.argv[2])}
procs = [e for e in named if e["type"] != "lost"]
assert len(procs) >= 3, len(procs)
for e in procs:
    assert e.pop("user") == "root" and e.pop("group") == "root", e
    assert e == plain[e["seq"]], e
EOF
}
check "query --json names uid 0 and gid 0 root, the rest as live" named_ok

# Golden output of the CLI: the formatters' golden events (every type, the
# change events and lost records included), written to a log by their unit
# test, come out of `procnotify query` as the golden files, byte for byte.
PN_GOLDEN_DB="$D/golden.db" "$BUILD/tests/test_format_golden" >/dev/null
check "query --json --numeric of the golden events is tests/golden/events.jsonl" \
	cmp -s <("$PN" query --db "$D/golden.db" --json --numeric) tests/golden/events.jsonl
# The query's table has dates in the local zone (a zone 5:30 east of UTC
# here, so the check holds on any machine) and the ids.
check "query --numeric (table, TZ 5:30 east) of the golden events is tests/golden/query.table" \
	cmp -s <(TZ=XST-5:30 "$PN" query --db "$D/golden.db" --numeric) tests/golden/query.table
utc_table() {
	diff <(TZ=XST-5:30 "$PN" query --db "$D/golden.db" --numeric --utc --no-header | cut -c3-25) \
		<(sed -n 's/.*"time":"\([^T]*\)T\([^.]*\.[0-9]\{3\}\).*/\1 \2/p' tests/golden/events.jsonl)
}
check "... and with --utc its times are the JSON's UTC times" utc_table

# The table's local times where the zone changes its offset: Central
# Europe (a POSIX TZ, so no zone files are needed), whose summer time
# begins and ends at 01:00 UTC on the last Sundays of March and October.
# query keeps an offset to the end of its quarter hour (src/cli/window.c),
# so an event ten minutes before a change and one at it must not share it.
dst_times() {
	python3 - "$D/dst.jsonl" <<'EOF'
import json, sys
line = json.loads(open("tests/golden/events.jsonl").readline())
times = ["03-29T00:50:00.000", "03-29T00:59:59.999", "03-29T01:00:00.000", "03-29T01:10:00.000",
         "10-25T00:50:00.000", "10-25T01:00:00.000", "10-25T01:05:00.000"]
with open(sys.argv[1], "w") as f:
    for seq, t in enumerate(times, 1):
        line.update(seq=seq, time="2026-" + t + "000000Z")
        f.write(json.dumps(line) + "\n")
EOF
	"$PN" import --db "$D/dst.db" "$D/dst.jsonl" 2>/dev/null &&
		diff <(TZ=CET-1CEST,M3.5.0,M10.5.0/3 "$PN" query --db "$D/dst.db" --no-header |
			cut -c3-25) - <<'EOF'
2026-03-29 01:50:00.000
2026-03-29 01:59:59.999
2026-03-29 03:00:00.000
2026-03-29 03:10:00.000
2026-10-25 02:50:00.000
2026-10-25 02:00:00.000
2026-10-25 02:05:00.000
EOF
}
check "query's local times change with the zone's offset (summer time, both ways)" dst_times

"$PN" tree --db "$D/log.db" "$ROOT" >"$D/tree.txt" 2>"$D/tree.err"
cat >"$D/tree.want" <<EOF
^$ROOT /usr/bin/bash : bash $D/tree.sh $D \[exit 0\] L:[0-9a-f]{16}:[0-9]+:$ROOT <= selected\$
^  [0-9]+ /usr/bin/dash : /bin/sh -c "/bin/true \\\\"a b\\\\" \\\\"\\\$1\\\\"; /bin/sleep 0.1 & wait; exit 3" sh \\\\xff \[exit 3\] L:[^ ]+\$
^    [0-9]+ /usr/bin/true : /bin/true "a b" \\\\xff \[exit 0\] L:[^ ]+\$
^    [0-9]+ /usr/bin/sleep : /bin/sleep 0.1 \[exit 0\] L:[^ ]+\$
^  [0-9]+ /usr/bin/sleep : /bin/sleep 30 \[killed by SIGKILL\] L:[^ ]+\$
^  [0-9]+ /usr/bin/dash : /bin/sh -c "kill -TERM \\\$\\\$" \[killed by SIGTERM\] L:[^ ]+\$
EOF
# Above the root, its ancestors, alive when the monitor started (this
# suite's shell and those that started it); the root's subtree below, as
# deep as the root.
tree_matches() {
	local at n
	at=$(grep -n " <= selected\$" "$D/tree.txt" | cut -d: -f1)
	[ -n "$at" ] && [ "$(wc -l <"$D/tree.txt")" -eq $((at + 5)) ] || return 1
	[ "$(head -n $((at - 1)) "$D/tree.txt" | grep -vc '; observed at start\] ')" = 0 ] || return 1
	n=$(sed -n "${at}p" "$D/tree.txt" | sed 's/[^ ].*//' | wc -c)
	tail -n 6 "$D/tree.txt" | cut -c"$n"- | paste -d '\n' "$D/tree.want" - | while IFS= read -r re && IFS= read -r line; do
		grep -Eq -- "$re" <<<"$line" || { echo "  no match: $line"; echo "  for: $re"; exit 1; }
	done
}
check "tree PID prints exactly the tree, argv and statuses" tree_matches
check "tree PID says it picked the most recent process" grep -q "most recent" "$D/tree.err"

KEY=$(grep -o "L:[0-9a-f]*:[0-9]*:$ROOT" "$D/tree.txt" | head -1)
check "tree KEY gives the same tree" cmp -s <("$PN" tree --db "$D/log.db" "$KEY" 2>/dev/null) "$D/tree.txt"

"$PN" tree --db "$D/log.db" --json "$ROOT" >"$D/tree.json" 2>/dev/null
tree_json_ok() {
	python3 - "$D/tree.json" "$D" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))
d = sys.argv[2]
def st(n): return ("sig", n["signal_name"]) if n["signal"] else ("exit", n["exit_code"])
# Down the ancestors (alive at the start) to the selected root.
while not t["selected"]:
    assert t["observed_at_start"] and len(t["children"]) == 1, t["pid"]
    t = t["children"][0]
assert not t["observed_at_start"], t
assert t["selected"] and t["argv"] == ["bash", d + "/tree.sh", d] and st(t) == ("exit", 0), t
c = t["children"]
assert [x["image"] for x in c] == ["/usr/bin/dash", "/usr/bin/sleep", "/usr/bin/dash"], c
assert [st(x) for x in c] == [("exit", 3), ("sig", "SIGKILL"), ("sig", "SIGTERM")], c
g = c[0]["children"]
assert [x["argv"] for x in g] == [["/bin/true", "a b", "\udcff"], ["/bin/sleep", "0.1"]], g
assert [st(x) for x in g] == [("exit", 0), ("exit", 0)] and not c[1]["children"], g
assert all(x["parent_key"] == t["key"] for x in c)
EOF
}
check "tree --json nests the same tree with argv and statuses" tree_json_ok

"$PN" query --db "$D/log.db" --ppid "$ROOT" --signaled --no-header >"$D/sig.txt"
check "query --signaled --ppid finds the two killed children" \
	test "$(grep -c 'killed by SIGKILL after' "$D/sig.txt")-$(grep -c 'killed by SIGTERM after' "$D/sig.txt")-$(wc -l <"$D/sig.txt")" = "1-1-2"
"$PN" query --db "$D/log.db" --name true --argv 'a b' --no-header >"$D/true.txt"
check "query --name --argv finds the grandchild's exec, escaped" \
	grep -q '| exec   | .* | /usr/bin/true : /bin/true "a b" \\xff$' "$D/true.txt"
check "query --exit-code 3 finds the shell" test "$("$PN" query --db "$D/log.db" --ppid "$ROOT" --exit-code 3 --no-header | wc -l)" = 1

# The other filters, each both ways: what matches is kept, what does not is
# dropped (lost records, always shown, are not counted).
rows() { "$PN" query --db "$1" --no-header "${@:2}" | grep -vc '| lost'; }
ALL=$(rows "$D/log.db" --pid "$ROOT")
check "query --pid finds the root's fork, exec and exit" test "$ALL" -ge 3
check "query --uid 0 keeps them, --uid 65534 drops them" \
	test "$(rows "$D/log.db" --pid "$ROOT" --uid 0)-$(rows "$D/log.db" --pid "$ROOT" --uid 65534)" = "$ALL-0"
"$PN" query --db "$D/log.db" --ppid "$ROOT" --image '/usr/*/sleep' --no-header | grep -v '| lost' >"$D/image.txt"
check "query --image GLOB finds the sleep, and only it" \
	test "$(grep -c 'killed by SIGKILL' "$D/image.txt")-$(grep -vc /usr/bin/sleep "$D/image.txt")" = "1-0"
check "query --image of no such image finds nothing" test "$(rows "$D/log.db" --image '/nonexistent/*')" = 0
HOUR_AGO=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ) IN_AN_HOUR=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
check "query --since (RFC 3339, an hour ago; and 1h) keeps the root's events" \
	test "$(rows "$D/log.db" --pid "$ROOT" --since "$HOUR_AGO")-$(rows "$D/log.db" --pid "$ROOT" --since 1h)" = "$ALL-$ALL"
check "query --since in an hour drops them" test "$(rows "$D/log.db" --pid "$ROOT" --since "$IN_AN_HOUR")" = 0
check "query --until in an hour keeps them, --until 2000-01-01 drops them" \
	test "$(rows "$D/log.db" --pid "$ROOT" --until "$IN_AN_HOUR")-$(rows "$D/log.db" --pid "$ROOT" --until 2000-01-01)" = "$ALL-0"
# The forms a person types, in a zone set here: a local date and time an
# hour ago, @EPOCH, now, yesterday.
LOCAL_HOUR_AGO=$(TZ=XST-5:30 date -d '-1 hour' '+%Y-%m-%d %H:%M')
check "query --since 'YYYY-MM-DD HH:MM' (local), @EPOCH; --until now keep them" \
	test "$(TZ=XST-5:30 rows "$D/log.db" --pid "$ROOT" --since "$LOCAL_HOUR_AGO")-$(rows "$D/log.db" --pid "$ROOT" --since "@$(date -d '-1 hour' +%s)")-$(rows "$D/log.db" --pid "$ROOT" --until now)" = "$ALL-$ALL-$ALL"
check "query --since the same local time read as UTC (--utc) is 5:30 later: they are dropped" \
	test "$(TZ=XST-5:30 rows "$D/log.db" --pid "$ROOT" --utc --since "$LOCAL_HOUR_AGO")" = 0
check "query --since yesterday keeps them, --until yesterday drops them" \
	test "$(rows "$D/log.db" --pid "$ROOT" --since yesterday)-$(rows "$D/log.db" --pid "$ROOT" --until yesterday)" = "$ALL-0"
check "query --user root is --uid 0; --user of a number is that uid" \
	test "$(rows "$D/log.db" --pid "$ROOT" --user root)-$(rows "$D/log.db" --pid "$ROOT" --user 65534)" = "$ALL-0"
# Repeated filters: OR within one, AND across them.
check "query --pid ROOT --pid 999999 --uid 65534 --uid 0: either pid, either uid" \
	test "$(rows "$D/log.db" --pid "$ROOT" --pid 999999 --uid 65534 --uid 0)" = "$ALL"
check "query --pid ROOT --uid 65534: both must hold" test "$(rows "$D/log.db" --pid "$ROOT" --uid 65534)" = 0

# Bad input: clear errors, exit codes, no crash, no change to any file.
SUM=$(sum "$D/log.db")
"$PN" query --db "$D/log.db" --name "'; DROP TABLE event; --" --no-header >"$D/drop.txt"; rc=$?
# Nothing matches: exit 1, unless the log holds a lost record (always shown).
check "a glob with SQL in it is matched literally (exit $rc, nothing found)" \
	test "$rc-$(grep -vc '| lost' "$D/drop.txt")" = "$(grep -q '| lost' "$D/drop.txt"; echo $?)-0"
"$PN" query --db "$D/log.db" --since 'last tuesday' >/dev/null 2>"$D/since.err"; rc=$?
check "malformed --since is a usage error" test "$rc" = 2
check "... that names the bad value" grep -q "last tuesday" "$D/since.err"
check "the log is unchanged by queries and errors" test "$(sum "$D/log.db")" = "$SUM"
events=$(sqlite3 "$D/log.db" 'SELECT count(*) FROM event')
check "... and still holds every table" test "${events:-0}" -gt 0

# A log on a read-only mount (a closed log has no -wal or -shm beside it,
# and SQLite cannot create them there): query and tree read it all the
# same. In a mount namespace of its own, so nothing is left mounted.
mkdir -p "$D/ro" "$D/romnt"
cp "$D/log.db" "$D/ro/log.db"
ro_run() {
	unshare -m sh -c 'mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" && shift 2 && "$@"' \
		sh "$D/ro" "$D/romnt" "$@"
}
check "a read-only mount refuses writes" test "$(ro_run touch "$D/romnt/x" 2>&1 | grep -c 'Read-only')" = 1
ro_run "$PN" query --db "$D/romnt/log.db" --json --numeric >"$D/ro.json" 2>"$D/ro.err"; rc=$?
check "query reads a log on a read-only mount (exit $rc: $(head -c 200 "$D/ro.err"))" \
	test "$rc" = 0 -a -s "$D/ro.json"
check "... and gives what it gives on a writable one" cmp -s <(grep -v '"type":"snapshot"' "$D/ro.json") "$D/all.json"
ro_run "$PN" tree --db "$D/romnt/log.db" "$ROOT" >"$D/ro.tree" 2>/dev/null; rc=$?
check "tree reads a log on a read-only mount" test "$rc" = 0 -a -s "$D/ro.tree"
check "... the same tree" cmp -s "$D/ro.tree" "$D/tree.txt"

"$PN" query --db "$D/missing.db" >/dev/null 2>"$D/missing.err"; rc=$?
check "a missing log is an error (exit 1) and is not created" test "$rc-$(test -e "$D/missing.db"; echo $?)" = "1-1"
printf 'not a database at all\n' >"$D/text.db"; SUM=$(sum "$D/text.db")
"$PN" query --db "$D/text.db" >/dev/null 2>"$D/text.err"; rc=$?
check "a non-SQLite file is refused (exit 1) and left as it was" test "$rc-$(sum "$D/text.db")" = "1-$SUM"
sqlite3 "$D/newer.db" 'CREATE TABLE t(x); PRAGMA user_version = 99;'; SUM=$(sum "$D/newer.db")
"$PN" query --db "$D/newer.db" >/dev/null 2>"$D/newer.err"; rc=$?
check "a newer schema is refused by query, with the reason" test "$rc-$(grep -c newer "$D/newer.err")" = "1-1"
"$PN" --db "$D/newer.db" -d 1 >/dev/null 2>"$D/newer2.err"; rc=$?
check "... and by the monitor, and the file is untouched" test "$rc-$(sum "$D/newer.db")" = "1-$SUM"
# A version the migration table has no step for (it once indexed it: SIGBUS,
# or stray memory run as SQL): one line, exit 1, the file untouched.
for v in -100000 -1 -100; do
	sqlite3 "$D/v$v.db" "PRAGMA user_version = $v;"; SUM=$(sum "$D/v$v.db")
	"$PN" --db "$D/v$v.db" -d 1 >/dev/null 2>"$D/v$v.err"; rc=$?
	check "schema version $v is refused by the monitor: exit 1, one line, file untouched" \
		test "$rc-$(wc -l <"$D/v$v.err")-$(sum "$D/v$v.db")" = "1-1-$SUM"
done
"$PN" tree --db "$D/log.db" 4294967295 >/dev/null 2>&1; rc=$?
check "tree of an unknown pid fails cleanly (exit 1)" test "$rc" = 1

# The monitor sees every process on the machine, another run of this suite's
# markers too: each run's markers carry its own token.
TOKEN=${D##*.}

# Crash safety: SIGKILL in the middle of a storm of processes.
storm() { local end=$((SECONDS + 3)); while [ $SECONDS -lt $end ]; do for _ in 1 2 3 4 5 6 7 8; do /bin/true & done; wait; done; }
crash_run() {
	start_monitor "$D/crash.db" /dev/null "$D/crash.err" || return 1
	storm &
	local s=$!
	sleep 1.5
	kill -KILL "$MON"; wait "$MON" 2>/dev/null; MON=
	wait "$s"
}
check "the monitor is SIGKILLed in the middle of a storm" crash_run
check "integrity_check is ok after the crash" test "$(sqlite3 "$D/crash.db" 'PRAGMA integrity_check')" = ok
BEFORE=$(sqlite3 "$D/crash.db" 'SELECT count(*) FROM event')
check "events committed before the crash are there" test "$BEFORE" -gt 100
restart() {
	start_monitor "$D/crash.db" /dev/null "$D/crash2.err" || return 1
	/bin/echo "procnotify-after-crash-marker-$TOKEN" >/dev/null
	sleep 0.5
	stop_monitor INT
}
check "a restart appends to the same file" restart
# On failure, what the log and the restarted monitor said (it once failed
# under load and left nothing to read).
after_crash() {
	"$PN" query --db "$D/crash.db" --argv "procnotify-after-crash-marker-$TOKEN" --type exec --no-header \
		>"$D/after.out" 2>&1
	[ "$(grep -c ' exec ' "$D/after.out")" = 1 ] && return 0
	sed 's/^/#   query: /' "$D/after.out"
	sed 's/^/#   monitor: /' "$D/crash2.err"
	return 1
}
check "the next run's events are there" after_crash
check "the old events are kept" test "$(sqlite3 "$D/crash.db" 'SELECT count(*) FROM event WHERE run = 1')" -eq "$BEFORE"
check "the gap is visible as a lost record of unknown size" \
	grep -q 'LOST an unknown number of records' <("$PN" query --db "$D/crash.db" --type lost --no-header)
check "integrity_check is ok after the restart" test "$(sqlite3 "$D/crash.db" 'PRAGMA integrity_check')" = ok

# One writer per log: a second monitor on it stored every event twice and
# recorded a false crash gap. It is refused with one line, and the first
# runs on.
second_refused() {
	start_monitor "$D/two.db" /dev/null "$D/two.err" || return 1
	"$PN" --db "$D/two.db" -d 1 >/dev/null 2>"$D/two2.err"
	echo $? >"$D/two2.rc"
	kill -0 "$MON" && stop_monitor INT
}
check "a second monitor on a log in use: the first runs on and stops cleanly" second_refused
check "... the second is refused: exit 1, one line that says why" \
	test "$(cat "$D/two2.rc")-$(wc -l <"$D/two2.err")-$(grep -c 'another procnotify is writing' "$D/two2.err")" = 1-1-1
check "... and the log has one run, never ended by a crash" \
	test "$(sqlite3 "$D/two.db" 'SELECT count(*), count(ended_ns) FROM run')" = "1|1"

# A full file system (a 1 MiB tmpfs): the log's failure reaches the exit
# status, with one line naming the log, and what was committed stays sound.
full_run() {
	mkdir "$D/full" && mount -t tmpfs -o size=1m tmpfs "$D/full" || return 1
	"$PN" --db "$D/full/log.db" -o /dev/null -d 30 2>"$D/full.err" &
	MON=$!
	local end=$((SECONDS + 30))
	while kill -0 "$MON" 2>/dev/null && [ $SECONDS -lt $end ]; do /bin/true; done
	wait "$MON"; echo $? >"$D/full.rc"; MON=
}
check "a monitor whose log fills the file system stops" full_run
check "... with exit status 1 and one line naming the log and why" \
	test "$(cat "$D/full.rc")-$(grep -c "^procnotify: $D/full/log.db: .*full" "$D/full.err")" = 1-1
check "... and the log it leaves is sound" \
	test "$(sqlite3 "$D/full/log.db" 'PRAGMA integrity_check')" = ok
# The same file system read-only: the monitor cannot log, and says so; the
# log can still be queried, every exec it holds. How many that is depends
# on the load: on a busy machine the file system may fill before the first
# batch is in (CI beside a storm: none), and then query finds nothing (exit 1).
execs=$(sqlite3 "$D/full/log.db" 'SELECT count(*) FROM event WHERE type = 2')
mount -o remount,ro "$D/full"
"$PN" --db "$D/full/log.db" -d 1 -o /dev/null 2>"$D/ro.err"; rc=$?
check "--db on a read-only file system: exit 1, one line saying so" \
	test "$rc-$(wc -l <"$D/ro.err")-$(grep -c 'Read-only file system' "$D/ro.err")" = 1-1-1
"$PN" query --db "$D/full/log.db" -t exec --no-header >"$D/ro.txt" 2>"$D/ro.qerr"; rc=$?
check "... and query still reads the log there: each of its $execs execs, no error" \
	test "$rc-$(grep -c ' exec ' "$D/ro.txt")-$(wc -c <"$D/ro.qerr")" = "$((execs == 0))-$execs-0"

# Retention from the command line, by monitors that see only a cgroup of the
# test's own (the test-only PN_TEST_CGROUP), so that no event of the busy
# machine lands in the logs while their sizes are judged.
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
CG=$(mktemp -d "${CG2:-/sys/fs/cgroup}/pn-store-XXXXXX")
scoped() { PN_TEST_CGROUP=$(stat -c %i "$CG") "$SCOPED" "$@" -o /dev/null; }
used() { sqlite3 "$1" 'SELECT (SELECT page_count FROM pragma_page_count) - (SELECT freelist_count FROM pragma_freelist_count)'; }
sqlite3 "$D/log.db" ".backup '$D/age.db'"
scoped --db "$D/age.db" --db-max-age 1s -d 3 2>"$D/age.err"; rc=$?
check "--db-max-age 1s: the monitor runs and forgets the known tree's events" \
	test "$rc-$(rows "$D/age.db" --pid "$ROOT")" = "0-0"
# A log of 2,000 processes started inside the cgroup, then a marker.
scoped_log() {
	PN_TEST_CGROUP=$(stat -c %i "$CG") PN=$SCOPED start_monitor "$D/size.db" /dev/null "$D/size0.err" || return 1
	(echo 0 >"$CG/cgroup.procs" && for _ in $(seq 2000); do /bin/true; done &&
		/bin/echo procnotify-size-marker >/dev/null)
	stop_monitor INT
}
check "a log of 2,000 processes of the test's own" scoped_log
scoped --db "$D/empty.db" -d 0.5 2>/dev/null
PAGE=$(sqlite3 "$D/size.db" 'PRAGMA page_size') USED=$(used "$D/size.db") EMPTY=$(used "$D/empty.db")
LIMIT=$(((USED + EMPTY) / 2 * PAGE / 1024)) BYTES=$(stat -c %s "$D/size.db")
EVENTS=$(sqlite3 "$D/size.db" 'SELECT count(*) FROM event')
check "... many pages more than an empty log ($USED against $EMPTY)" test "$USED" -ge $((EMPTY + 8))
scoped --db "$D/size.db" --db-max-size "${LIMIT}K" -d 3 2>"$D/size.err"; rc=$?
check "--db-max-size halfway to empty: the monitor runs and the pages in use fit" \
	test "$rc" = 0 -a "$(($(used "$D/size.db") * PAGE))" -le "$((LIMIT * 1024))"
check "... the oldest events went, the newest stayed, the file shrank" test \
	"$(sqlite3 "$D/size.db" 'SELECT count(*) FROM event')" -lt "$EVENTS" -a \
	"$(rows "$D/size.db" --argv procnotify-size-marker -t exec)" = 1 -a \
	"$(stat -c %s "$D/size.db")" -lt "$BYTES"
# The file system fills up while the monitor sees nothing (its cgroup is
# empty) after its first batch: no write fails during the run, the last
# one does, at the stop (the run's end). That too reaches the exit status, with one line.
close_full() {
	umount "$D/full" && mount -t tmpfs -o size=1m tmpfs "$D/full" || return 1
	PN_TEST_CGROUP=$(stat -c %i "$CG") PN=$SCOPED start_monitor "$D/full/end.db" /dev/null \
		"$D/end.err" || return 1
	# Its one batch, the processes alive at its start, goes in first.
	for _ in $(seq 100); do
		"$PN" query --db "$D/full/end.db" -t snapshot --count >/dev/null 2>&1 && break
		sleep 0.1
	done
	dd if=/dev/zero of="$D/full/pad" bs=4k 2>/dev/null
	stop_monitor INT; echo $? >"$D/end.rc"
}
check "a monitor whose file system fills up while it is idle stops cleanly" close_full
check "... with exit status 1 and one line: the last events could not be saved" \
	test "$(cat "$D/end.rc")-$(grep -c "^procnotify: $D/full/end.db: .*could not be saved" "$D/end.err")" = 1-1
# A log whose name an SQLite URI must escape (a space, %, # and ?), on a
# read-only mount, where query can read it only as an immutable URI.
weird="$D/full/a b%#?.db"
rm -f "$D/full/pad" "$D/full/end.db"* &&
	mount -o "remount,size=$(($(stat -c %s "$D/log.db") / 1024 + 1024))k" "$D/full" &&
	cp "$D/log.db" "$weird" && mount -o remount,ro "$D/full"
check "query reads a log named 'a b%#?.db' on a read-only mount" \
	test "$("$PN" query --db "$weird" --count 2>&1)" = "$("$PN" query --db "$D/log.db" --count)"
rmdir "$CG"

# Another process holds the log's write lock for 8 s at least, and until
# the test has read the stream (a busy machine may need more than 8 s to
# run the markers). It once stopped the whole monitor after 5 s, live
# output too, and the events of that window were never saved. The stream
# goes on, the monitor runs on, and the log gets every event once the lock
# is gone.
hold_lock() {
	python3 - "$1" "${2:-8}" <<'EOF'
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[1] + ".held", "w").close()
time.sleep(float(sys.argv[2]))
for _ in range(600):
    if os.path.exists(sys.argv[1] + ".release"):
        break
    time.sleep(0.1)
c.execute("ROLLBACK")
EOF
}
# The echo's own exec, not the grep's that looks for it; $1 names the test.
marker_execs() { grep '"type":"exec"' | grep -c "\"/bin/echo\",\"procnotify-$1-marker-$TOKEN-"; }
locked_run() {
	start_monitor "$D/locked.db" "$D/locked.json" "$D/locked.err" || return 1
	hold_lock "$D/locked.db" &
	local holder=$!
	for _ in $(seq 100); do [ -e "$D/locked.db.held" ] && break; sleep 0.1; done
	for i in $(seq 50); do /bin/echo "procnotify-locked-marker-$TOKEN-$i" >/dev/null; sleep 0.05; done
	for _ in $(seq 300); do [ "$(marker_execs locked <"$D/locked.json")" = 50 ] && break; sleep 0.1; done
	kill -0 "$holder" && marker_execs locked <"$D/locked.json" >"$D/locked.live"
	touch "$D/locked.db.release"
	wait "$holder"
	sleep 1
	kill -0 "$MON" && stop_monitor INT
}
check "a monitor whose log is locked for 8 s runs on and stops cleanly" locked_run
check "... its stream showed the 50 events while the log was locked" test "$(cat "$D/locked.live")" = 50
all_logged() {
	local n
	n=$("$PN" query --db "$D/locked.db" --type exec --json | marker_execs locked)
	[ "$n" = 50 ] && return 0
	echo "# the log has $n; the monitor said:"
	sed 's/^/#   /' "$D/locked.err"
	return 1
}
check "... and the log has all 50 once the lock was gone" all_logged

# A log of the schema before this one is upgraded on the log's own thread
# while the monitor watches: its open once migrated it first, blind (22.7 s
# for 8.6 million events), and failed after 5 s when another process held
# the log's write lock. Here one holds it: the monitor is ready and says
# the upgrade has begun, the stream has the markers, and once the lock is
# gone the log is upgraded and has them too.
NEWV=$(sed -n 's/^#define PN_STORE_SCHEMA_VERSION \([0-9]*\)$/\1/p' include/procnotify/store.h)
OLDV=$((NEWV - 1))
old_log() {
	PN_OLD_LOG="$D/old.db" PN_OLD_VERSION=$OLDV "$BUILD/tests/test_store_faults" >/dev/null &&
		sqlite3 "$D/old.db" 'PRAGMA journal_mode = WAL' >/dev/null
}
old_run() {
	old_log || return 1
	hold_lock "$D/old.db" 1 &
	local holder=$! up=0
	for _ in $(seq 100); do [ -e "$D/old.db.held" ] && break; sleep 0.1; done
	start_monitor "$D/old.db" "$D/old.json" "$D/old.err" && up=1
	for i in $(seq 5); do /bin/echo "procnotify-old-marker-$TOKEN-$i" >/dev/null; done
	for _ in $(seq 300); do [ "$(marker_execs old <"$D/old.json")" = 5 ] && break; sleep 0.1; done
	kill -0 "$holder" && marker_execs old <"$D/old.json" >"$D/old.live" &&
		sqlite3 "$D/old.db" 'PRAGMA user_version' >"$D/old.during"
	touch "$D/old.db.release"
	wait "$holder"
	for _ in $(seq 300); do grep -q 'upgraded the log' "$D/old.err" && break; sleep 0.1; done
	[ "$up" = 1 ] && stop_monitor INT
}
check "a monitor on a schema-$OLDV log held locked is ready and stops cleanly" old_run
check "... it said the upgrade from schema $OLDV to $NEWV had begun" \
	grep -q "old.db: upgrading the log from schema $OLDV to $NEWV; its events wait for it" "$D/old.err"
check "... its stream had the 5 markers while the log was still at schema $OLDV" \
	test "$(cat "$D/old.live" "$D/old.during" | tr '\n' ' ')" = "5 $OLDV "
upgraded_after_ready() {
	awk '/procnotify: ready/ { r = NR } /upgraded the log to schema/ { u = NR }
	     END { exit !(r && u > r) }' "$D/old.err"
}
check "... it said the upgrade had ended, after the ready line" upgraded_after_ready
check "... the log is at schema $NEWV and has the 5 markers" \
	test "$(sqlite3 "$D/old.db" 'PRAGMA user_version')-$("$PN" query --db "$D/old.db" --type exec --json | marker_execs old)" = "$NEWV-5"

# The bench of the log at scale (make bench-store), small and warm only
# (dropping the page cache would slow every other program): it writes its
# shapes, finds the 10,000-process subtree and retention ends. No figure
# is judged here; bench/RESULTS.md has them.
"$BUILD/bench/store_scale" -n 20000 -d 2 -w -o "$D/scale.db" >"$D/scale.out" 2>&1
check "store_scale (20,000 events) exits 0" test $? = 0
check "... and prints the tree of its 10,000-process subtree" \
	grep -qE '^tree of a 10,000-process subtree .*\(100[0-9][0-9] processes\)' "$D/scale.out"
check "... and the retention of a day" grep -q '^retention of a day ' "$D/scale.out"
finish
