# The service: the unit passes `systemd-analyze verify` and its sandbox keeps
# the exposure of `systemd-analyze security --offline` at 2.5 or below (2.3
# when written); the monitor speaks the notify protocol (READY=1 once
# attached, RELOADING=1/READY=1 on SIGHUP, STOPPING=1) to a socket the test
# creates. There is no systemd as PID 1 here: the unit is checked, not run.
. tests/lib.sh
T=$(mktemp -d /tmp/pn-systemd.XXXXXX)
cleanup() { rm -rf "$T"; }
trap cleanup EXIT
UNIT=$T/procnotify.service
# The unit as installed, naming the binary under test (verify wants it to exist).
make -s B="$BUILD" "$BUILD/procnotify.service" BINDIR="$(cd "$BUILD" && pwd)" >/dev/null
cp "$BUILD/procnotify.service" "$UNIT"
check "the unit's ExecStart names the built binary" grep -q "^ExecStart=$(cd "$BUILD" && pwd)/procnotify " "$UNIT"

if ! command -v systemd-analyze >/dev/null; then
	skip "systemd-analyze is not installed (scripts/install-deps.sh)"
else
	systemd-analyze verify --man=no "$UNIT" >"$T/verify" 2>&1; rc=$?
	cat "$T/verify"
	check "systemd-analyze verify: no error" test "$rc" = 0
	check "... and no warning" test ! -s "$T/verify"
	systemd-analyze security --offline=yes --threshold=25 "$UNIT" >"$T/security" 2>&1; rc=$?
	tail -1 "$T/security"
	check "systemd-analyze security --offline: exposure at most 2.5" test "$rc" = 0
	check "... the service cannot use IP" grep -q '✓ RestrictAddressFamilies=~AF_(INET|INET6)' "$T/security"
	check "... nor gain privileges" grep -q '✓ NoNewPrivileges=' "$T/security"
	# A weaker unit must be caught: the same check on one without its sandbox.
	grep -v -e '^Protect' -e '^Private' -e '^Restrict' -e '^CapabilityBoundingSet' -e '^SystemCall' \
		"$UNIT" >"$T/weak.service"
	systemd-analyze security --offline=yes --threshold=25 "$T/weak.service" >/dev/null 2>&1
	check "... and the same check fails for the unit without its sandbox" test $? != 0
fi

# The unit's capability bounding set is all the monitor gets as root:
# run it with just that set (and no_new_privs), as systemd would, with each
# backend; without CAP_PERFMON it must fail, so the check can tell.
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
run_capped() {
	local set=$1 backend=$2 loop rc
	# Processes of our own, so an idle machine still has an exec to report.
	(while :; do /bin/true; sleep 0.1; done) & loop=$!
	setpriv --bounding-set "-all,$set" --no-new-privs "$BUILD/procnotify" --backend "$backend" \
		--json -d 1 -o "$T/capped.jsonl" 2>"$T/capped.err"
	rc=$?
	kill "$loop"; wait "$loop" 2>/dev/null
	[ "$rc" = 0 ] && grep -q '"type":"exec"' "$T/capped.jsonl"
}
if is_root && command -v setpriv >/dev/null; then
	check "the unit's capabilities ($caps) suffice for the bpf backend" run_capped "$caps" bpf
	check "... and for the netlink backend" run_capped "$caps" netlink
	check "... and without CAP_PERFMON the bpf backend cannot start" \
		test "$(run_capped "${caps/+perfmon,/}" bpf; echo $?)" != 0
else
	skip "the unit's capability set: needs root and setpriv"
fi

if is_root; then
	python3 tests/e2e/test_notify.py
else
	skip "notify protocol: needs root to load BPF"
fi
finish
