# The activity log as an investigator reads it, with both backends: the
# processes alive when the monitor started are in it (one snapshot event
# each, marked "observed at start" in trees), so `query` and `tree` answer
# for processes older than the monitor.
. tests/lib.sh
PN=$BUILD/procnotify
suite_scratch history

if ! is_root; then
	skip "the monitor needs root"
	finish
	exit
fi

# A process tree older than the monitor: this shell's child (a bash that
# waits) and grandchild (a dash with a marker in its arguments, waiting for
# its sleep), then the monitor, which runs for a moment and stops.
MARK="pn-history-$$-marker"
bash -c '/bin/dash -c "sleep 60; exit 0" "$2" 2>/dev/null & echo $! >"$1/old.pid"; wait' bash "$D" "$MARK" &
OLD=$!
for _ in $(seq 100); do [ -s "$D/old.pid" ] && break; sleep 0.05; done
SLEEP=$(cat "$D/old.pid")
for _ in $(seq 100); do [ /proc/$SLEEP/exe -ef /bin/dash ] && break; sleep 0.05; done

record() {
	local backend=$1 db=$D/$1.db
	"$PN" --backend "$backend" --db "$db" -o /dev/null 2>"$D/$backend.err" &
	MON=$!
	for _ in $(seq 100); do
		grep -q 'procnotify: ready' "$D/$backend.err" && break
		sleep 0.1
	done
	# The start's snapshot is written at the first delivery: a later process
	# shows that delivery is past.
	/bin/true "$MARK-after"
	for _ in $(seq 100); do
		"$PN" query --db "$db" --argv "$MARK-after" -t exec --count >/dev/null 2>&1 && break
		sleep 0.1
	done
	kill -INT "$MON"; wait "$MON"; MON=
}

for backend in bpf netlink; do
	record "$backend"
	db=$D/$backend.db
	"$PN" query --db "$db" --pid "$SLEEP" -t snapshot --json >"$D/$backend.sleep.json" 2>&1
	snapshot_ok() {
		python3 - "$D/$backend.sleep.json" "$SLEEP" "$OLD" "$MARK" <<'EOF'
import json, os, sys
path, pid, ppid, mark = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
evs = [json.loads(l) for l in open(path)]
snaps = [e for e in evs if e["type"] == "snapshot"]
assert len(snaps) == 1, evs
e = snaps[0]
assert e["pid"] == pid and e["ppid"] == ppid, e
assert e["image"].endswith("/dash") and e["argv"] == ["/bin/dash", "-c", "sleep 60; exit 0", mark], e
assert e["seq"] == 0 and e["best_effort"] is True and e["user"] == "root", e
assert e["host"] == os.uname().nodename, e  # import files it under its host
EOF
	}
	check "$backend: the dash older than the monitor has a snapshot event (image, argv, parent)" snapshot_ok
	"$PN" tree --db "$db" "$SLEEP" >"$D/$backend.tree" 2>"$D/$backend.tree.err"; rc=$?
	check "$backend: tree of it succeeds (exit $rc: $(head -c 200 "$D/$backend.tree.err"))" test "$rc" = 0
	check "... and marks it observed at start, with its arguments" \
		grep -q "^ *$SLEEP /.*dash : /bin/dash -c \"sleep 60; exit 0\" $MARK \[no exit recorded; observed at start\] .* <= selected$" "$D/$backend.tree"
	check "... under its parent, the older shell, also observed at start" \
		grep -q "^ *$OLD /.*bash .*observed at start\]" "$D/$backend.tree"
	# Every process alive at the start: as many snapshot events as /proc
	# had processes then, give or take the ones that came and went.
	n=$("$PN" query --db "$db" -t snapshot --count)
	check "$backend: a snapshot event per running process ($n)" test "$n" -gt 20
	"$PN" tree --db "$db" --json "$SLEEP" >"$D/$backend.tree.json" 2>/dev/null
	check "$backend: tree --json says observed_at_start" \
		grep -q "\"pid\":$SLEEP,.*\"observed_at_start\":true" "$D/$backend.tree.json"
done
# Containers: a process in a cgroup laid out as Docker lays out its
# containers' (docker-<64 hex>.scope) has that cgroup and container id on
# its events, in the log too, and query --container finds it by its id or
# the 12 digits docker ps shows; a process beside it has neither id.
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
CID=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
CGDIR=$(mktemp -d "$CG2/pn-history-XXXXXX")
mkdir "$CGDIR/docker-$CID.scope"
trap 'rmdir "$CGDIR/docker-$CID.scope" "$CGDIR" 2>/dev/null; suite_cleanup' EXIT
CGPATH=${CGDIR#"$CG2"}/docker-$CID.scope
in_container() {
	# Joins the cgroup, then runs a process that lives long enough for
	# /proc to show where it is, as a container's processes do.
	sh -c 'echo $$ >"$1/cgroup.procs" && exec /bin/dash -c "sleep 0.3; exit 0" "$2"' sh \
		"$CGDIR/docker-$CID.scope" "$1"
}
for backend in bpf netlink; do
	db=$D/cg-$backend.db
	"$PN" --backend "$backend" --db "$db" --json -o "$D/cg-$backend.json" 2>"$D/cg-$backend.err" &
	MON=$!
	for _ in $(seq 100); do grep -q 'procnotify: ready' "$D/cg-$backend.err" && break; sleep 0.1; done
	in_container "$MARK-in-$backend"
	/bin/dash -c 'sleep 0.1; exit 0' "$MARK-out-$backend"
	for _ in $(seq 100); do
		"$PN" query --db "$db" --argv "$MARK-out-$backend" -t exit --count >/dev/null 2>&1 && break
		sleep 0.1
	done
	kill -INT "$MON"; wait "$MON"; MON=
	cg_ok() {
		python3 - "$D/cg-$backend.json" "$MARK-in-$backend" "$MARK-out-$backend" "$CGPATH" "$CID" <<'EOF'
import json, sys
path, inside, outside, cg, cid = sys.argv[1:]
evs = [json.loads(l) for l in open(path)]
def of(mark):
    execs = [e for e in evs if e["type"] == "exec" and (e.get("argv") or [""])[0] == "/bin/dash"
             and mark in e["argv"]]
    # One process. The netlink backend reads an exec's arguments from /proc
    # when the event arrives (best_effort): on a loaded machine sh's exec is
    # read after sh has become dash and shows dash's arguments too. The
    # last exec of the process is dash's.
    assert execs and len({e["pid"] for e in execs}) == 1, (mark, execs)
    assert len(execs) == 1 or all(e["best_effort"] for e in execs), (mark, execs)
    pid = execs[-1]["pid"]
    # Its exec and exit (its fork was before it joined the cgroup).
    return [execs[-1]] + [e for e in evs if e.get("pid") == pid and e["type"] == "exit"]
ins = of(inside)
assert [e["type"] for e in ins] == ["exec", "exit"], ins
for e in ins:
    assert e["cgroup"] == cg and e["container_id"] == cid, e
for e in of(outside):
    assert e["cgroup"] != cg and e["container_id"] is None, e
EOF
	}
	check "$backend: the process in a Docker-style cgroup has it and its container id on its exec and exit" cg_ok
	# Processes, not exec events: with netlink sh's exec, read late from
	# /proc on a loaded machine, may show the cgroup sh joined after it.
	pids() { grep "$1" | grep -o '"pid":[0-9]*' | sort -u | wc -l; }
	n12=$("$PN" query --db "$db" --container "${CID:0:12}" -t exec --json | pids "$MARK-in-$backend")
	n=$("$PN" query --db "$db" --container "$CID" -t exec --json | pids "$MARK-")
	none=$("$PN" query --db "$db" --container "${CID:0:12}x" -t exec --count)
	check "$backend: query --container finds it by 12 digits and by id, nothing else ($n12 $n $none)" \
		test "$n12-$n-$none" = "1-1-0"
done

# Back to pid 1: the ancestors of the old shell reach the top of the tree
# (with BPF too, whose task iterator may leave pid 1 out: its children
# give its start, /proc the rest).
for backend in bpf netlink; do
	"$PN" tree --db "$D/$backend.db" 1 >"$D/init-$backend.tree" 2>&1; rc=$?
	check "$backend: tree 1 succeeds (exit $rc) and holds the old shell" \
		grep -q "^ *$OLD /.*observed at start" "$D/init-$backend.tree"
done
# The live stream is as before: snapshot events go to the log only, unless
# asked for by name.
"$PN" --json -d 0.5 2>"$D/live.err" | grep -c '"type":"snapshot"' >"$D/live.count"
check "the live JSON has no snapshot event unless --types names it" test "$(cat "$D/live.count")" = 0
# The exit summary counts the snapshot's events too: its total must be the
# sum of the counts it names (it once counted them without naming them).
summary_adds_up() {
	python3 - "$D/live.err" <<'EOF'
import re, sys
line = next(l for l in open(sys.argv[1]) if " events: " in l)
total, counts = re.match(r"procnotify: (\d+) events: ([^;]*);", line).groups()
named = dict((k, int(v)) for k, v in re.findall(r"(\w+) (\d+)", counts))
assert int(total) == sum(named.values()) and named.get("snapshot", 0) > 0, line
EOF
}
check "the exit summary's total is the sum of the counts it names, snapshot among them" summary_adds_up
"$PN" --json --types snapshot -d 0.5 2>/dev/null >"$D/live.snap"
check "--types snapshot prints the running processes live, the dash among them" \
	grep -q "\"type\":\"snapshot\",\"time\":\"[^\"]*\",\"host\":\"$(uname -n)\".*\"pid\":$SLEEP,.*\"$MARK\"\]" "$D/live.snap"

# query --follow: the events so far, then each new one as the monitor logs
# it, once, in order; asleep (no wake-up at all) while the log is still.
FOLLOW_MARK="pn-follow-$$"
"$PN" --db "$D/follow.db" -o /dev/null 2>"$D/follow-mon.err" &
MON=$!
for _ in $(seq 100); do grep -q 'procnotify: ready' "$D/follow-mon.err" && break; sleep 0.1; done
/bin/echo "$FOLLOW_MARK-0" >/dev/null
for _ in $(seq 100); do
	"$PN" query --db "$D/follow.db" --argv "$FOLLOW_MARK-0" -t exec --count >/dev/null && break
	sleep 0.1
done
"$PN" query --db "$D/follow.db" --follow --json --argv "$FOLLOW_MARK" -t exec >"$D/follow.out" 2>"$D/follow.err" &
FOLLOWER=$!
for i in 1 2 3; do sleep 0.3; /bin/echo "$FOLLOW_MARK-$i" >/dev/null; done
for _ in $(seq 200); do [ "$(grep -c '"/bin/echo"' "$D/follow.out")" -ge 4 ] && break; sleep 0.1; done
follow_order() {
	test "$(grep -o "\"/bin/echo\",\"$FOLLOW_MARK-[0-9]\"" "$D/follow.out" | cut -d'"' -f4 | tr '\n' ' ')" = \
		"$FOLLOW_MARK-0 $FOLLOW_MARK-1 $FOLLOW_MARK-2 $FOLLOW_MARK-3 "
}
check "query --follow: the old event, then the three new ones, once each, in order" follow_order
kill -INT "$MON"; wait "$MON"; MON=
sleep 0.5
switches() { awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$FOLLOWER/status"; }
before=$(switches); sleep 2; after=$(switches)
check "... and does not wake while the log is still ($before -> $after context switches in 2 s)" \
	test "$((after - before))" -le 1
kill -INT "$FOLLOWER"; wait "$FOLLOWER"; rc=$?
check "... SIGINT ends it, exit 0 (exit $rc: $(head -c 200 "$D/follow.err"))" test "$rc" = 0
"$PN" query --db "$D/follow.db" --follow --count >/dev/null 2>"$D/follow-count.err"; rc=$?
check "query --follow --count is a usage error" test "$rc-$(wc -l <"$D/follow-count.err")" = "2-2"
pkill -P "$SLEEP" sleep 2>/dev/null
{ wait "$OLD"; } 2>/dev/null
finish
