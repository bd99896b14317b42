# SIGHUP rereads the config: the types shown change live; an option that
# cannot change while running is refused in one line naming it, and the
# running value is kept; a broken file changes nothing and the monitor goes on.
. tests/lib.sh
PN=$BUILD/procnotify
suite_scratch reload
if ! is_root; then skip "reload: needs root to load BPF"; finish; exit; fi

# Waits until the monitor's stderr has a line matching $1.
wait_err() { for _ in $(seq 100); do grep -q -- "$1" "$D/err" && return 0; sleep 0.1; done; return 1; }
# Starts processes with argument $1-TOKEN until one shows up as an exec in
# the stream. The token is this run's: another run's markers are seen too.
TOKEN=${D##*.}
mark() {
	for _ in $(seq 50); do
		/bin/echo "$1-$TOKEN" >/dev/null
		sleep 0.1
		grep -q "\"argv\":\[\"/bin/echo\",\"$1-$TOKEN\"\]" "$D/out.jsonl" && return 0
	done
	return 1
}

printf 'types = exec\n' >"$D/pn.conf"
"$PN" --config "$D/pn.conf" --json -o "$D/out.jsonl" 2>"$D/err" & MON=$!
check "the monitor is ready" wait_err 'procnotify: ready'
check "an exec is shown before the reload" mark before
printf 'types = exec,exit\nflush-ms = 10\n' >"$D/pn.conf"
kill -HUP "$MON"
check "a changed flush-ms is refused, by name" wait_err 'reload: flush-ms cannot change while running'
check "an exec is shown after the reload" mark after
printf 'types = exec\nbogus = 1\n' >"$D/pn.conf"
kill -HUP "$MON"
check "a broken config is reported with its line" wait_err "$D/pn.conf:2: unknown key 'bogus'"
check "... and the running options are kept" wait_err 'reload: keeping the running options'
check "the monitor still runs" kill -0 "$MON"
check "an exec is shown after the broken reload" mark broken
sleep 0.3
kill -INT "$MON"; wait "$MON"; rc=$?; MON=
check "the monitor stops cleanly (exit 0)" test "$rc" = 0

# Event types by position: up to the 'before' marker the first config ruled,
# from the 'after' marker on the second.
python3 - "$D/out.jsonl" "$TOKEN" >"$D/verdict" 2>&1 <<'EOF'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
at = {m: next(i for i, e in enumerate(evs) if e.get("argv") == ["/bin/echo", f"{m}-{sys.argv[2]}"])
      for m in ("before", "after", "broken")}
types_before = {e["type"] for e in evs[:at["before"] + 1]} - {"lost"}
types_after = {e["type"] for e in evs[at["after"]:]} - {"lost"}
assert types_before == {"exec"}, f"before the reload: {types_before}"
assert "exit" in types_after and "fork" not in types_after, f"after the reload: {types_after}"
print("before:", sorted(types_before), "after:", sorted(types_after))
EOF
rc=$?
cat "$D/verdict"
check "execs only before the reload; execs and exits after, still no fork" test "$rc" = 0
check "exactly one line refused flush-ms" test "$(grep -c 'flush-ms cannot change' "$D/err")" = 1
finish
