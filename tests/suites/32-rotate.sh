# Rotation of -o in logrotate's create mode under a storm of processes:
# rename the file, create an empty one, SIGHUP; three times while thousands
# of processes start and end, then once without creating the file. The
# monitor has dropped its privileges by then (unless built without the
# sandbox). Across the rotated files and the new one every
# event is there exactly once: the sequence numbers run 1..N without a gap
# or a repeat, and every marked process has exactly one exec and one exit.
. tests/lib.sh
PN=$BUILD/procnotify
suite_scratch rotate
if ! is_root; then skip "rotation: needs root to load BPF"; finish; exit; fi

"$PN" --json -o "$D/events.jsonl" 2>"$D/err" & MON=$!
for _ in $(seq 200); do grep -q 'procnotify: ready' "$D/err" && break; sleep 0.1; done
check "the monitor is ready" grep -q 'procnotify: ready' "$D/err"
check "... and holds no capability any more (the reopen must do without)" \
	test "$(awk '/^CapEff:/ {print $2}' "/proc/$MON/status")" = 0000000000000000

MARK=pn-rotate-$$
storm() { for _ in $(seq 500); do /bin/true "$MARK"; done; }
storm & s1=$!; storm & s2=$!; storm & s3=$!; storm & s4=$!
for i in 1 2 3; do
	sleep 0.4
	mv "$D/events.jsonl" "$D/events.jsonl.$i"
	install -m 600 /dev/null "$D/events.jsonl"
	kill -HUP "$MON"
done
wait $s1 $s2 $s3 $s4
# A rotation that creates no file (logrotate's nocreate): the monitor makes
# it, mode 0600, after it has dropped its privileges.
mv "$D/events.jsonl" "$D/events.jsonl.4"
kill -HUP "$MON"
new_file_used() {
	for _ in $(seq 50); do
		/bin/true "$MARK-late"
		sleep 0.1
		grep -q "\"$MARK-late\"" "$D/events.jsonl" 2>/dev/null && return 0
	done
	return 1
}
check "without create, SIGHUP makes a new file and writes to it" new_file_used
check "... mode 0600" test "$(stat -c %a "$D/events.jsonl")" = 600
# A link planted where the new file should be: refused, and the monitor
# keeps writing to the file it has.
mv "$D/events.jsonl" "$D/events.jsonl.5"
echo precious >"$D/victim"
ln -s "$D/victim" "$D/events.jsonl"
kill -HUP "$MON"
old_file_kept() {
	for _ in $(seq 50); do
		/bin/true "$MARK-kept"
		sleep 0.1
		grep -q "\"$MARK-kept\"" "$D/events.jsonl.5" && return 0
	done
	return 1
}
check "a link at the path on SIGHUP: the old file stays in use" old_file_kept
check "... the link is refused, with the reason" \
	grep -q "events.jsonl: refusing to write: is a symbolic link" "$D/err"
check "... and the link's target is untouched" test "$(cat "$D/victim")" = precious
sleep 0.5
kill -INT "$MON"; wait "$MON"; rc=$?; MON=
check "the monitor survived three SIGHUPs and stopped cleanly (exit 0)" test "$rc" = 0
other_errors() { grep -v -e 'procnotify: ready' -e 'events: fork' -e 'symbolic link' "$D/err"; }
check "... with no other error on stderr" test "$(other_errors | tee /dev/stderr | wc -l)" = 0
for i in 1 2 3; do
	check "rotated file $i holds events" test "$(wc -l <"$D/events.jsonl.$i")" -gt 0
done
check "the last file holds events" test "$(wc -l <"$D/events.jsonl.5")" -gt 0

python3 - "$D" "$MARK" >"$D/verdict" 2>&1 <<'EOF'
import json, sys, collections
d, mark = sys.argv[1], sys.argv[2]
seqs, per_key = [], collections.defaultdict(collections.Counter)
execs, lost = set(), collections.Counter()
for name in ["events.jsonl.1", "events.jsonl.2", "events.jsonl.3", "events.jsonl.4", "events.jsonl.5"]:
    data = open(f"{d}/{name}", "rb").read()
    # Empty is whole: on a quiet machine the storm can end before the
    # third rotation, and nothing runs until the fourth.
    assert not data or data.endswith(b"\n"), f"{name} ends in the middle of a line: {data[-80:]!r}"
    for line in data.splitlines():
        ev = json.loads(line)
        seqs.append(ev["seq"])
        if ev["type"] in ("exec", "exit"):
            per_key[ev["key"]][ev["type"]] += 1
        if ev["type"] == "exec" and ev.get("argv") == ["/bin/true", mark]:
            execs.add(ev["key"])
        if ev["type"] == "lost":
            # The kernel's own drops on a busy machine (other monitors'
            # storms share the CPUs): counted, so they excuse only themselves.
            by = ev["by_type"] or {"exec": float("inf"), "exit": float("inf")}
            lost.update({"exec": by["exec"], "exit": by["exit"]})
assert seqs == list(range(1, len(seqs) + 1)), "sequence numbers are not 1..N in file order"
# A marked process execs once and exits once: more is an event written twice.
dups = [k for k in execs if per_key[k]["exec"] > 1 or per_key[k]["exit"] > 1]
assert not dups, f"{len(dups)} marked processes with an event written twice: {per_key[dups[0]]}"
assert len(execs) + lost["exec"] >= 2000, f"{len(execs)} marked execs, {lost['exec']} lost"
no_exit = [k for k in execs if per_key[k]["exit"] != 1]
assert len(no_exit) <= lost["exit"], f"{len(no_exit)} marked processes without their exit"
print(f"{len(seqs)} events, {len(execs)} marked processes, each once; kernel drops: {dict(lost)}")
EOF
rc=$?
cat "$D/verdict"
check "across the five files: seq 1..N once each, no event twice, 2000 marked execs with their exits" test "$rc" = 0
finish
