# `procnotify import`: JSON Lines of several hosts, as a central collector
# keeps them (a file per host, one mixed file with syslog prefixes and
# lines a relay delivered twice), into one log. Every event is kept once
# with its host, whatever is imported again; query --host and tree --host
# answer per host even where two hosts share process keys (hosts restored
# from one running snapshot); with root, the live monitor's --hostname
# stream goes through the same path.
. tests/lib.sh
PN=$BUILD/procnotify
suite_scratch import
G=tests/golden/events.jsonl

# Two hosts with the same processes and keys: the golden events, renamed.
rename() { sed -E 's/"host":("([^"\\]|\\.)*"|null)/"host":"'"$1"'"/' "$G"; }
rename db-1 >"$D/db-1.jsonl"
rename db-2 >"$D/db-2.jsonl"
# rsyslog's traditional file format in front of each line, db-2's last
# five lines delivered twice, and lines that are not events.
{
	echo "Dec  2 10:00:00 db-1 sshd[1]: Accepted publickey for root"
	sed 's/^/2026-12-02T10:00:00+00:00 db-1 procnotify[42]: /' "$D/db-1.jsonl"
	sed 's/^/2026-12-02T10:00:00+00:00 db-2 procnotify[43]: /' "$D/db-2.jsonl"
	tail -n 5 "$D/db-2.jsonl"
	echo "<134>1 2026-12-02T10:00:01Z db-2 procnotify 43 - - not an event"
} >"$D/mixed.log"
N=$(wc -l <"$G")

"$PN" import --db "$D/f.db" "$D/db-1.jsonl" 2>"$D/err1"; rc=$?
check "import of one host's file exits 0" test $rc = 0
check "... and says it added every line" grep -q "db-1.jsonl: $N added, 0 already in the log, 0 malformed, 0 other lines skipped" "$D/err1"
check "the log is created mode 0600" test "$(stat -c %a "$D/f.db")" = 600
"$PN" import --db "$D/f.db" "$D/mixed.log" 2>"$D/err2"; rc=$?
check "the mixed file with syslog prefixes and repeats exits 0" test $rc = 0
check "... adds only the second host's events" grep -q "mixed.log: $N added, $((N + 5)) already in the log, 0 malformed, 2 other lines skipped" "$D/err2"
"$PN" import --db "$D/f.db" "$D/db-1.jsonl" "$D/db-2.jsonl" "$D/mixed.log" 2>"$D/err3"
check "importing everything again adds nothing" test "$(grep -c ' 0 added' "$D/err3")" = 3
check "the log holds each event once" test "$("$PN" query --db "$D/f.db" --count)" = $((2 * N))

for h in db-1 db-2; do
	check "query --host $h --json gives back that host's lines byte for byte" \
		cmp -s <("$PN" query --db "$D/f.db" --numeric --host "$h" --json) "$D/$h.jsonl"
done
check "query across hosts holds both hosts' lines" \
	cmp -s <("$PN" query --db "$D/f.db" --numeric --json | sort) <(sort "$D/db-1.jsonl" "$D/db-2.jsonl")
# The golden events' hosts: a hostile one (a newline, ESC, a byte that is
# not UTF-8) and none, on a lost record.
"$PN" import --db "$D/g.db" "$G" 2>/dev/null
check "the golden events come back byte for byte, their hosts included" \
	cmp -s <("$PN" query --db "$D/g.db" --numeric --json) "$G"
n=$("$PN" query --db "$D/f.db" --host nowhere --count); rc=$?
check "query --host of an unknown host matches nothing (exit 1)" test "$n $rc" = "0 1"

KEY=L:5c645282e5804455:1500000000:4242
"$PN" tree --db "$D/f.db" --host db-2 "$KEY" >"$D/tree2" 2>"$D/tree2.err"
check "tree --host of a key shared by two hosts exits 0" test $? = 0
check "... and shows one process, not both hosts' merged" test "$(grep -c "$KEY" "$D/tree2")" = 1
"$PN" tree --db "$D/f.db" "$KEY" >/dev/null 2>"$D/tree.err"
check "tree of that key without --host says it is on two hosts" grep -q "is on 2 hosts in the log" "$D/tree.err"
check "tree --host of a host without the pid finds nothing (exit 1)" \
	test "$("$PN" tree --db "$D/f.db" --host nowhere 4242 2>/dev/null; echo $?)" = 1

# An exit code reads the same in every output of the log (README, "Exit
# codes"): the golden Windows exit (0xC0000005) as 3221225477 in JSON, CSV,
# ECS and the table, and the filters take that number.
"$PN" query --db "$D/g.db" --numeric -t exit --json >"$D/exits.json"
"$PN" query --db "$D/g.db" --numeric -t exit --format csv >"$D/exits.csv"
"$PN" query --db "$D/g.db" --numeric -t exit --format ecs >"$D/exits.ecs"
"$PN" query --db "$D/g.db" --numeric -t exit --no-header >"$D/exits.table"
check "every exit's code is one number in JSON, CSV, ECS and the table" \
	python3 - "$D/exits.json" "$D/exits.csv" "$D/exits.ecs" "$D/exits.table" <<'PY'
import csv, json, sys
# Lost records come with every query: only the exits are compared.
js = [j for j in map(json.loads, open(sys.argv[1])) if j["type"] == "exit"]
rows = [r for r in csv.DictReader(open(sys.argv[2], newline="")) if r["type"] == "exit"]
ecs = [e for e in map(json.loads, open(sys.argv[3])) if e["event"]["action"] == "exit"]
table = [l for l in open(sys.argv[4]).read().splitlines() if "| exit   |" in l]
codes = [j["exit_code"] for j in js]
assert 3221225477 in codes and 3 in codes and None in codes, codes
assert [r["exit_code"] for r in rows] == ["" if c is None else str(c) for c in codes], rows
assert [e["process"].get("exit_code") for e in ecs] == codes, ecs
for c, line in zip(codes, table):
    assert c is None or ("| exit %d " % c) in line + " ", (c, line)
PY
check "the table gives Windows' hex beside it" grep -q "| exit 3221225477 (0xc0000005) after" "$D/exits.table"
exits() { "$PN" query --db "$D/g.db" --json "$@" | grep -c '"type":"exit".*"exit_code":3221225477'; }
check "query --exit-code 3221225477 finds the Windows exit" test "$(exits --exit-code 3221225477)" = 1
check "query --where exit_code=3221225477 finds it too" test "$(exits --where exit_code=3221225477)" = 1

# Lines from before the JSON had a host: --host names it.
sed -E 's/"host":("([^"\\]|\\.)*"|null),//' "$G" >"$D/old.jsonl"
"$PN" import --db "$D/old.db" --host legacy-1 "$D/old.jsonl" 2>/dev/null
check "import --host gives hostless lines a host" \
	test "$("$PN" query --db "$D/old.db" --host legacy-1 --count)" = "$N"

# A truncated line (a relay's size limit) is named, the rest imported.
{ head -n 2 "$G"; head -n 3 "$G" | tail -n 1 | cut -c 1-200; } >"$D/cut.jsonl"
"$PN" import --db "$D/cut.db" "$D/cut.jsonl" 2>"$D/cut.err"; rc=$?
check "a malformed line makes import exit 1" test $rc = 1
check "... naming the file and line" grep -q "cut.jsonl:3: " "$D/cut.err"
check "... and the good lines are in" test "$("$PN" query --db "$D/cut.db" --count)" = 2

check "import without --db is bad usage (exit 2)" \
	test "$("$PN" import "$D/db-1.jsonl" 2>/dev/null; echo $?)" = 2
check "import --hostname-like bad --host is refused (exit 2)" \
	test "$("$PN" import --db "$D/x.db" --host 'a b' "$D/db-1.jsonl" 2>/dev/null; echo $?)" = 2

if is_root; then
	# The live monitor's stream of a known workload, named by --hostname.
	"$PN" --json --hostname edge-7 -o "$D/live.jsonl" 2>"$D/mon.err" &
	MON=$!
	for _ in $(seq 100); do grep -q ready "$D/mon.err" && break; sleep 0.1; done
	/bin/sh -c 'echo $$ >"$1"; exec /bin/true marker-arg' sh "$D/pid"
	sleep 0.5
	kill -INT "$MON"; wait "$MON"; MON=
	P=$(cat "$D/pid")
	check "every live line names the host given by --hostname" \
		test "$(grep -vc '"host":"edge-7"' "$D/live.jsonl")" = 0
	"$PN" import --db "$D/live.db" "$D/live.jsonl" 2>/dev/null
	check "the workload's exec is in the imported log under that host" \
		test "$("$PN" query --db "$D/live.db" --host edge-7 --pid "$P" -t exec --name true --argv marker-arg --count)" = 1
	check "query of the imported log prints the live lines byte for byte" \
		cmp -s <("$PN" query --db "$D/live.db" --numeric --json) "$D/live.jsonl"
else
	skip "the live --hostname stream (needs root)"
fi
finish
