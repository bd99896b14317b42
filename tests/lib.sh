# Helpers for shell test suites: ok/fail/skip counters and the closing line.
# A suite sources this, calls pass/fail/skip, and ends with `finish`.
PN_PASS=0 PN_FAIL=0 PN_SKIP=0
BUILD=${BUILD:-build}
pass() { PN_PASS=$((PN_PASS + 1)); echo "ok   - $*"; }
fail() { PN_FAIL=$((PN_FAIL + 1)); echo "FAIL - $*"; }
# Under CI=true a skip is reported and counted as a failure by run-all.sh.
skip() { PN_SKIP=$((PN_SKIP + 1)); echo "skip - $*"; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
finish() { echo "$PN_PASS passed, $PN_FAIL failed, $PN_SKIP skipped"; [ "$PN_FAIL" -eq 0 ]; }
# True when this process may load BPF programs and open netlink sockets.
is_root() { [ "$(id -u)" -eq 0 ]; }

# A suite's scratch directory $D (/tmp/pn-NAME.XXXXXX) and the monitor it
# may leave running ($MON), both gone when the suite exits, however it
# exits; so is a file system a suite mounts on $D/full.
suite_scratch() {
	D=$(mktemp -d "/tmp/pn-$1.XXXXXX")
	MON=
	trap suite_cleanup EXIT
}
suite_cleanup() {
	[ -n "$MON" ] && kill -KILL "$MON" 2>/dev/null
	mountpoint -q "$D/full" && umount "$D/full"
	rm -rf "$D"
}
# Starts the monitor in the background with the given arguments, its
# standard error in $D/mon.err, and waits for its "ready" line (10 s at
# most); sets MON, which suite_cleanup kills.
monitor_ready() {
	"$BUILD/procnotify" "$@" 2>"$D/mon.err" &
	MON=$!
	for _ in $(seq 100); do
		grep -q 'procnotify: ready' "$D/mon.err" 2>/dev/null && return 0
		kill -0 "$MON" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
