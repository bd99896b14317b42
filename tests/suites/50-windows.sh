# Windows driver and client: cross-built with mingw-w64, checked as PE files,
# then loaded into Wine, where DriverEntry, the device, IOCTLs and DriverUnload
# run for real. Wine never calls process notify routines, so events come from
# the test build's injection IOCTL, which feeds the driver's notify code.
. tests/lib.sh
W=$BUILD/windows
OBJDUMP=x86_64-w64-mingw32-objdump

if ! command -v x86_64-w64-mingw32-gcc >/dev/null || ! command -v wine >/dev/null ||
	! command -v python3 >/dev/null; then
	skip "windows: needs mingw-w64, wine and python3 (apt-get install gcc-mingw-w64-x86-64 wine python3)"
	finish; exit
fi

check "make windows builds driver, test driver, client and helper" \
	make -s B="$BUILD" windows

# ---- the PE files ----
pe_ok() { # file subsystem-text: the subsystem, and for drivers the imports and flags
	local p; p=$($OBJDUMP -p "$1") || return 1
	grep -q "Subsystem.*($2)" <<<"$p" || return 1
	[ "$2" = "NT native" ] || return 0
	grep -q FORCE_INTEGRITY <<<"$p" &&
		! grep 'DLL Name:' <<<"$p" | grep -viqE 'DLL Name: (ntoskrnl\.exe|hal\.dll)$'
}
check "release procnotify.sys: native subsystem, imports only ntoskrnl/hal, FORCE_INTEGRITY" \
	pe_ok "$W/driver/procnotify.sys" "NT native"
check "test procnotify.sys: native subsystem, imports only ntoskrnl/hal, FORCE_INTEGRITY" \
	pe_ok "$W/test/procnotify.sys" "NT native"
check "procnotify.exe is a console program" pe_ok "$W/client/procnotify.exe" "Windows CUI"
check "the injection code is in the test driver" grep -q "IOCTL_PN_TEST_INJECT is enabled" "$W/test/procnotify.sys"
check "the injection code is not in the release driver" \
	eval '! grep -q "IOCTL_PN_TEST_INJECT" "$W/driver/procnotify.sys"'
imports=$($OBJDUMP -p "$W/driver/procnotify.sys")
has_import() { grep -qE "^\s+[0-9a-f]+\s+[0-9]+\s+$1\$" <<<"$imports"; }
check "release driver: ships without DWARF or a symbol table" eval \
	'! $OBJDUMP -h "$W/driver/procnotify.sys" | grep -q "\.debug_" &&
	 $OBJDUMP -t "$W/driver/procnotify.sys" | grep -q "no symbols"'
check "release driver: its symbols kept apart, with the DWARF and a debug link to them" eval \
	'$OBJDUMP -h "$W/symbols/procnotify.sys.debug" | grep -q "\.debug_info" &&
	 $OBJDUMP -s -j .gnu_debuglink "$W/driver/procnotify.sys" | grep -q "procnotify.sys."'
check "release driver: ASLR with high entropy, NX, stack protector built in" eval \
	'grep -q HIGH_ENTROPY_VA <<<"$imports" && grep -q NX_COMPAT <<<"$imports" &&
	 grep -q DYNAMIC_BASE <<<"$imports" &&
	 x86_64-w64-mingw32-nm "$W/symbols/procnotify.sys.debug" | grep -qE " [TD] __stack_chk_(fail|guard)$" &&
	 [ $(x86_64-w64-mingw32-nm "$W/symbols/procnotify.sys.debug" | grep -cE " [TD] __stack_chk_(fail|guard)$") -eq 2 ]'
check "release driver: Ex2 and ExAllocatePool2 looked up, not imported (loads on older Windows)" eval \
	'has_import MmGetSystemRoutineAddress && has_import PsSetCreateProcessNotifyRoutineEx &&
	 ! has_import PsSetCreateProcessNotifyRoutineEx2 && ! has_import ExAllocatePool2'
check "release driver: sets the device DACL, locks with fast mutexes, pends reads in a cancel-safe queue" eval \
	'has_import ZwSetSecurityObject && has_import ExAcquireFastMutex &&
	 has_import IoReleaseCancelSpinLock'

# ---- Wine: a private prefix whose services (and so the driver's DbgPrint) log to $LOG ----
T=$(mktemp -d)
export WINEPREFIX=$T/prefix WINEDLLOVERRIDES="mscoree,mshtml=" WINEDEBUG=-all,err+all,warn+debugstr
# Wine turns command-line arguments into UTF-16 with the Unix locale's
# charset: without a UTF-8 locale (an empty environment has none), the
# non-ASCII names below would reach the driver mangled.
export LC_ALL=C.UTF-8
LOG=$T/wine.log
cleanup() { wineserver -k 2>/dev/null; wineserver -w 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
# Create the prefix first and let that server exit: services.exe restarts during
# a first boot, and a service created meanwhile can vanish. Then one persistent
# server, whose services.exe (started by wineboot) logs the driver's DbgPrint.
if ! wineboot -i >"$T/init.log" 2>&1 || ! wineserver -w || ! wineserver -p 300 ||
	! wineboot >"$LOG" 2>&1; then
	fail "wine prefix start-up (wineboot)"; finish; exit
fi
mkdir -p "$WINEPREFIX/drive_c/pn/test" "$WINEPREFIX/drive_c/pn/release"
cp "$W/test/procnotify.sys" "$W/test/pn_wintest.exe" "$W/client/procnotify.exe" "$WINEPREFIX/drive_c/pn/test/"
cp "$W/driver/procnotify.sys" "$WINEPREFIX/drive_c/pn/release/"
CLIENT='C:\pn\test\procnotify.exe'
HELPER='C:\pn\test\pn_wintest.exe'
wq() { wine "$@" 2>>"$T/stderr"; } # the programs' own output, without Wine's noise
cl() { wq "$CLIENT" --device procnotify-test "$@"; } # the client, on the test build's device
sc() { wine sc "$@" >>"$T/sc.out" 2>>"$T/stderr"; }
in_log() { grep -qF -- "$1" "$LOG"; }

out=$(wine "$CLIENT" --drain 2>&1); rc=$?
check "client without the driver: exit 1 and says it is not loaded" \
	eval '[ $rc -eq 1 ] && grep -q "driver is not loaded" <<<"$out"'

check "sc create procnotify-test (the test build's own service name)" \
	sc create procnotify-test type= kernel 'binPath=' 'C:\pn\test\procnotify.sys'
check "sc start procnotify-test" sc start procnotify-test
check "DbgPrint: Ex2 looked up and absent (Wine), the Ex registration used" eval \
	'in_log "procnotify: PsSetCreateProcessNotifyRoutineEx2 is not exported: trying PsSetCreateProcessNotifyRoutineEx" &&
	 in_log "procnotify: process notify routine registered (PsSetCreateProcessNotifyRoutineEx)"'
pool_ok() { # the pool type fits the Windows version the driver saw: Nx from 6.2 (Windows 8) on
	local l; l=$(grep -o "ExAllocatePool2 is not exported: allocating with ExAllocatePoolWithTag from [A-Za-z]* (Windows [0-9]*\.[0-9]*)" "$LOG" | head -1)
	echo "# $l"
	[[ $l =~ from\ (NonPagedPool(Nx)?)\ \(Windows\ ([0-9]+)\.([0-9]+)\) ]] || return 1
	local nx=0; { [ "${BASH_REMATCH[3]}" -gt 6 ] || { [ "${BASH_REMATCH[3]}" -eq 6 ] && [ "${BASH_REMATCH[4]}" -ge 2 ]; }; } && nx=1
	[ "${BASH_REMATCH[1]}" = "$([ $nx = 1 ] && echo NonPagedPoolNx || echo NonPagedPool)" ]
}
check "DbgPrint: ExAllocatePool2 looked up and absent (Wine), the pool type the version supports" pool_ok
check "DbgPrint: the device got its protected DACL" \
	in_log "procnotify: device DACL: SYSTEM and Administrators only, protected"
check "counters: empty ring of 1 MiB, Ex routine, the pool API, no rule" \
	eval '[[ $(cl --counters) == "queued=0 dropped=0 read=0 drops_total=0 drops_create=0 drops_exit=0 ring_bytes=1048576 ring_used=0 routine=Ex pool=ExAllocatePoolWithTag read_requests=0 denied=0 deny_rules=0" ]]'
out=$(wine "$CLIENT" --drain 2>&1); rc=$?
check "the test build has its own device: the default name finds no driver" \
	eval '[ $rc -eq 1 ] && grep -q "no .*procnotify);" <<<"$out"'

# ---- who may open the device (Wine does not enforce DACLs: the DbgPrint above and Windows do) ----
res=$(wq "$HELPER" open-rules); rc=$?
while read -r verdict name rest; do
	case $verdict in ok) pass "open rules: $name" ;; *) fail "open rules: $name $rest" ;; esac
done <<<"$res"
check "open rules: helper exit 0, every case seen" eval '[ $rc -eq 0 ] && [ $(grep -c "^ok " <<<"$res") -eq 11 ]'
# The reader holds the device once it has asked to read: wait for its
# request, counted on top of the open-rules cases' own (a check for any
# nonzero count passed at once, and the second client won the race).
read_requests() { cl --counters | sed -n 's/.*read_requests=\([0-9]*\).*/\1/p'; }
before=$(read_requests); echo "# read requests before the reader: $before"
wine "$CLIENT" --device procnotify-test --json >/dev/null 2>>"$T/stderr" &
reader=$!
for _ in $(seq 300); do [ "$(read_requests)" -gt "$before" ] && break; sleep 0.1; done
out=$(wine "$CLIENT" --device procnotify-test --drain 2>&1); rc=$?
check "a second client reader is refused, and says why" \
	eval '[ $rc -eq 1 ] && grep -q "another reader is reading events" <<<"$out"'
check "counters answer while a reader runs" eval 'cl --counters | grep -q "^queued="'

# ---- no polling: an idle reader parks one request ----
k1=$(cl --counters); sleep 1.5; k2=$(cl --counters)
r1=$(sed -n 's/.*read_requests=\([0-9]*\).*/\1/p' <<<"$k1"); r2=$(sed -n 's/.*read_requests=\([0-9]*\).*/\1/p' <<<"$k2")
echo "# idle reader: read requests $r1 then $r2 after 1.5 s"
check "an idle client sends no request in 1.5 s (one parked wait, no timer)" \
	eval '[ -n "$r1" ] && [ "$r1" -ge 1 ] && [ "$r1" = "$r2" ]'
kill -INT $reader
for _ in $(seq 50); do kill -0 $reader 2>/dev/null || break; sleep 0.1; done
kill -0 $reader 2>/dev/null && kill -KILL $reader
wait $reader; rc=$?
check "Ctrl-C ends the parked wait and the client with exit 0" eval '[ $rc -eq 0 ]'
res=$(wq "$HELPER" wait); rc=$?
while read -r verdict name rest; do
	case $verdict in ok) pass "inverted call: $name" ;; *) fail "inverted call: $name $rest" ;; esac
done <<<"$res"
check "inverted call: helper exit 0, every case seen" eval '[ $rc -eq 0 ] && [ $(grep -c "^ok " <<<"$res") -eq 5 ]'
cl --drain >/dev/null

# ---- protocol version and the counters reply ----
wq "$HELPER" skew 1
out=$(wine "$CLIENT" --device procnotify-test --drain 2>&1); rc=$?
check "a driver of another protocol: the client refuses it, naming both" \
	eval '[ $rc -eq 1 ] && grep -q "driver speaks protocol 3, this client 2" <<<"$out"'
wq "$HELPER" skew 2
out=$(wine "$CLIENT" --device procnotify-test --counters 2>&1); rc=$?
check "a short counters reply is an error, not uninitialised numbers" \
	eval '[ $rc -eq 1 ] && grep -q "counters reply is 120 bytes, expected 128" <<<"$out" && ! grep -q queued= <<<"$out"'
wq "$HELPER" skew 0

# ---- the image name when Windows says it may be partial ----
wq "$HELPER" inject 640 4 0 0 133000000000000000 1 '\Device\X\part' '' 0 0x5 '\Device\HarddiskVolume2\full\name.exe' >/dev/null
wq "$HELPER" inject 644 4 0 0 133000000000000000 1 '\Device\X\part' '' 0 0x5 >/dev/null
dump=$(wq "$HELPER" dump)
check "partial name: SeLocateProcessImageName's name is used instead" \
	eval 'grep -q "^type 5 pid 640 ppid 4 creator 0 flags 0x0 image_len 37$" <<<"$dump"'
check "partial name and no other: the partial one, marked truncated" \
	eval 'grep -q "^type 5 pid 644 ppid 4 creator 0 flags 0x2 image_len 14$" <<<"$dump"'

# ---- the creator beside the parent (parent-PID spoofing, elevation) ----
wq "$HELPER" inject 900 1234 0 0 133000000000000000 1 '\Device\X\spoofed.exe' '' 5555 1 >/dev/null
wq "$HELPER" inject 904 1234 0 0 133000000000000000 1 '\Device\X\plain.exe' '' 1234 1 >/dev/null
cl --drain --json >"$T/creator.json"
check "JSON: creator_pid and creator_key beside ppid, creator_not_parent when they differ" \
	python3 - "$T/creator.json" <<'PY'
import json, sys
evs = {e["pid"]: e for e in map(json.loads, open(sys.argv[1], encoding="utf-8"))}
s, p = evs[900], evs[904]
assert (s["ppid"], s["creator_pid"], s["creator_not_parent"]) == (1234, 5555, True), s
assert s["creator_key"].startswith("W:") and s["creator_key"].endswith(":5555"), s
assert (p["creator_pid"], p["creator_not_parent"], p["creator_key"]) == (1234, False, p["parent_key"]), p
PY
wq "$HELPER" inject 900 1234 0 0 133000000000000000 1 '\Device\X\spoofed.exe' '' 5555 1 >/dev/null
check "table: a creator that is not the parent is marked" \
	eval 'cl --drain | grep -qE "^\| [0-9:.]+ \| create \|    1234 \|     900 \| spoofed.exe .*\[created by 5555, not the parent\]"'

# ---- deny rules, decided by the code the notify routine runs ----
check "client --deny: two rules pushed" eval \
	'cl --deny "image=*\\evil.exe" --deny "image=*\\powershell.exe	cmdline=-enc " | grep -q "^2 deny rules in force"'
out=$(wq "$HELPER" inject 700 4 0 0 0 1 '\??\C:\x\EVIL.exe' 'evil.exe' 0 1)
check "an image that matches: CreationStatus STATUS_ACCESS_DENIED" eval '[ "$out" = "creation 0xc0000022" ]'
out=$(wq "$HELPER" inject 701 4 0 0 0 1 '\??\C:\W\powershell.exe' 'powershell -enc AAAA' 0 1)
check "image and command line both match: denied" eval '[ "$out" = "creation 0xc0000022" ]'
out=$(wq "$HELPER" inject 702 4 0 0 0 1 '\??\C:\W\powershell.exe' 'powershell -File x.ps1' 0 1)
check "the image alone matches a two-part rule: allowed" eval '[ "$out" = "creation 0x00000000" ]'
check "counters: 2 denied, 2 rules" eval 'cl --counters | grep -q "denied=2 deny_rules=2$"'
cl --drain --json >"$T/deny.json"
check "a denied creation is a deny event, as a denied exec on Linux; an allowed one a create" python3 - "$T/deny.json" <<'PY'
import json, sys
evs = {e["pid"]: e for e in map(json.loads, open(sys.argv[1], encoding="utf-8"))}
assert [evs[p]["type"] for p in (700, 701, 702)] == ["deny", "deny", "create"], evs
assert evs[700]["image"].endswith("EVIL.exe") and evs[701]["argv"] == ["powershell -enc AAAA"], evs
assert "rules" not in evs[700] and "denied" not in evs[702], evs
PY
out=$(wine "$CLIENT" --device procnotify-test --deny "image=*" --deny "bogus=1" 2>&1); rc=$?
check "a malformed rule is refused by the client, the rules stay" \
	eval '[ $rc -eq 2 ] && grep -q "bad deny rule 2" <<<"$out" && cl --counters | grep -q "deny_rules=2$"'
check "client --deny-clear: no rule left" eval 'cl --deny-clear | grep -q "^0 deny rules in force" && cl --counters | grep -q "deny_rules=0$"'
out=$(wq "$HELPER" inject 703 4 0 0 0 1 '\??\C:\x\evil.exe' 'evil.exe' 0 1)
check "after clearing, the same image is allowed" eval '[ "$out" = "creation 0x00000000" ]'
cl --drain >/dev/null

# ---- one process through notify code -> ring -> IOCTL -> client -> shared formatter ----
IMAGE='\Device\HarddiskVolume2\Program Files\Tëst\ünï|x.exe'
CMDLINE=$'"C:\\Program Files\\Tëst\\ünï|x.exe" --arg "a b" \e[31mred'
check "inject a create/exit pair" eval \
	'[ "$(wq "$HELPER" inject 4321 1234 77 0xC0000005 133000000000000000 1 "$IMAGE" "$CMDLINE")" = "creation 0x00000000" ]'
cl --drain --json >"$T/one.json"
check "client --json reads it back: pids, names, command line, exit status" python3 - "$T/one.json" "$IMAGE" "$CMDLINE" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
image, cmdline = sys.argv[2], sys.argv[3]
c, e = (json.loads(l) for l in lines)
start_ns = (133000000000000000 - 116444736000000000) * 100
assert len(lines) == 2, lines
assert (c["type"], c["seq"], e["type"], e["seq"]) == ("create", 1, "exit", 2)
for ev in (c, e):
    assert (ev["pid"], ev["ppid"], ev["tid"]) == (4321, 1234, 77), ev
    assert ev["image"] == image and ev["comm"] == "ünï|x.exe", ev
    assert ev["key"].startswith("W:") and ev["key"].endswith(":%d:4321" % start_ns), ev
assert c["argv"] == [cmdline] and c["argv_truncated"] is False, c
assert e["nt_status"] == "0xc0000005" and e["exit_code"] == 0xC0000005, e
assert e["duration_ns"] > 0, e
PY
check "JSON escapes the escape byte in the command line" grep -qF '\u001b[31mred' "$T/one.json"
check "DbgPrint shows the seed's table row with the IRQL" eval \
	'in_log "ProcessNotifyCallback (Handling event) IRQL: PASSIVE_LEVEL" && grep -qE "^\|       1234 \|     4321 \| ünï\?x\.exe +\| exit   \| 0xc0000005 \|" "$LOG"'

wq "$HELPER" inject 4321 1234 77 0xC0000005 133000000000000000 1 "$IMAGE" "$CMDLINE" >/dev/null
cl --drain >"$T/table.txt"
check "table output escapes names and shows the exit status" eval \
	'grep -qE "^\| [0-9:.]+ \| exit   \|    1234 \|    4321 \| ünï\\\\x7cx\.exe +\| exit 3221225477 \\(0xc0000005\\) after " "$T/table.txt" &&
	 grep -qF "\\x1b[31mred" "$T/table.txt"'
wq "$HELPER" inject 99 4 0 0 0 1 '' >/dev/null
check "unknown image and command line come out as null" eval \
	'cl --drain --json | grep -q "\"pid\":99,.*\"comm\":null,\"image\":null,.*\"argv\":null"'

# ---- loss: a full ring drops, and the client reports it as on Linux ----
cl --reset-counters
start=$(cl --counters)
wq "$HELPER" inject 500 4 0 0 0 5000 '\Device\X\many.exe' many.exe >/dev/null
wq "$HELPER" discard 2000 >/dev/null  # room for one more pair, queued after the drops
wq "$HELPER" inject 777 4 0 1 0 1 '\Device\X\marker.exe' >/dev/null
counters=$(cl --counters)
cl --drain --json >"$T/lost.json"
check "a record queued after drops brings a lost event with the driver's count by type" \
	python3 - "$T/lost.json" "$start" "$counters" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
k0, k = (dict(f.split("=") for f in a.split()) for a in sys.argv[2:4])
delta = lambda f: int(k[f]) - int(k0[f])
lost = [i for i, e in enumerate(evs) if e["type"] == "lost"]
assert int(k["dropped"]) > 0 and len(lost) == 1, (k, lost)
ev = evs[lost[0]]
assert ev["count"] == int(k["dropped"]) == delta("drops_total"), (ev, k)
assert ev["by_type"] == {"fork": 0, "exec": 0, "exit": delta("drops_exit"),
                         "create": delta("drops_create")}, (ev, k0, k)
assert ev["by_type"]["exit"] + ev["by_type"]["create"] == ev["count"], ev
assert evs[lost[0] + 1]["pid"] == 777 and evs[lost[0] + 1]["type"] == "create"
assert [e["seq"] for e in evs] == list(range(1, len(evs) + 1))
PY
wq "$HELPER" inject 500 4 0 0 0 5000 '\Device\X\many.exe' many.exe >/dev/null
before=$(cl --counters)
cl --drain --json >"$T/tail.json"
check "drops with nothing queued after them are reported when the ring runs dry" python3 - "$T/tail.json" "$counters" "$before" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
k0, k1 = (dict(f.split("=") for f in a.split()) for a in sys.argv[2:4])
assert evs[-1]["type"] == "lost", evs[-1]
assert evs[-1]["count"] == int(k1["drops_total"]) - int(k0["drops_total"]) > 0, (evs[-1], k0, k1)
assert sum(evs[-1]["by_type"].values()) == evs[-1]["count"], evs[-1]
assert len([e for e in evs if e["type"] == "lost"]) == 1, "each drop is reported once"
PY

# ---- malformed requests ----
wq "$HELPER" inject 4 0 0 0 0 1 '\Device\X\queued.exe' >/dev/null  # a record for the short-read case
res=$(wq "$HELPER" malformed test); rc=$?
while read -r verdict name rest; do
	case $verdict in ok) pass "malformed IOCTL (test build): $name" ;; *) fail "malformed IOCTL (test build): $name $rest" ;; esac
done <<<"$res"
check "malformed IOCTLs: helper exit 0 and the driver still answers" eval '[ $rc -eq 0 ] && grep -q "^ok counters-after-abuse" <<<"$res"'

# ---- unload, then 100 start/stop cycles ----
# A handle that is closed while the service stops: DriverUnload waits for
# its close, which Wine would otherwise run in the unmapped driver (a page
# fault in winedevice, caught by the crash check at the end).
wine "$HELPER" hold 1000 >"$T/hold.out" 2>>"$T/stderr" & holder=$!
for _ in $(seq 600); do grep -q open "$T/hold.out" && break; sleep 0.1; done
check "a handle is held open across the stop" grep -qx open "$T/hold.out"
check "sc stop procnotify-test" sc stop procnotify-test
wait "$holder"; hold_rc=$?
check "... and closed after the stop began" eval '[ $hold_rc -eq 0 ] && grep -qx closed "$T/hold.out"'
check "DriverUnload waited for that close before it returned" \
	grep -q "unload waited [0-9]* ms for the handles still open to close" "$LOG"
check "DriverUnload unregistered the routine and unloaded" eval \
	'grep -A3 "process notify routine unregistered" "$LOG" | grep -q "Driver unloaded"'
out=$(wine "$CLIENT" --device procnotify-test --drain 2>&1); rc=$?
check "after stop the device is gone" eval '[ $rc -eq 1 ] && grep -q "not loaded" <<<"$out"'
loads=$(grep -c "Driver loaded and process notify routine registered" "$LOG")
# The timeout only guards against a hang: on a slow VM 100 cycles have taken
# over two minutes. The helper's own verdict line is printed either way.
cycles_out=$(timeout 600 wine "$HELPER" cycles procnotify-test 100 2>>"$T/stderr"); rc=$?
echo "# cycles: ${cycles_out:-no output} (exit $rc)"
check "100 start/stop cycles, device present while running and gone after" eval \
	'grep -q "^ok cycles 100" <<<"$cycles_out"'
check "every cycle loaded and unloaded the driver" eval \
	'[ $(( $(grep -c "Driver loaded and process notify routine registered" "$LOG") - loads )) -eq 100 ] &&
	 [ $(grep -c "Driver loaded and process notify routine registered" "$LOG") -eq $(grep -c "Driver unloaded" "$LOG") ]'

# ---- the release build: loads, registers, has no injection IOCTL ----
check "release build: sc create + start" eval \
	'sc create pnrelease type= kernel "binPath=" "C:\pn\release\procnotify.sys" && sc start pnrelease'
check "the test build runs beside the release build: each has its own device" eval \
	'sc start procnotify-test && wq "$CLIENT" --counters | grep -q "^queued=" && cl --counters | grep -q "^queued=" &&
	 sc stop procnotify-test'
check "sc delete procnotify-test" sc delete procnotify-test
res=$(wq "$HELPER" malformed release); rc=$?
check "release build refuses the injection IOCTL and every malformed request" eval \
	'[ $rc -eq 0 ] && grep -q "^ok inject-absent-in-release" <<<"$res"'
check "release build: sc stop + delete" eval 'sc stop pnrelease && sc delete pnrelease'
# The driver's host starts with `sc start`, after wineboot: the log's lines
# before the driver's first DbgPrint are Wine's own start-up. There, once
# under load, a thread crashed right after explorer failed to start for
# want of a display (Wine's own errors, the fourth line of the log): that
# is printed, not counted. A crash from the driver's first line on, or in
# a program's standard error, fails, shown with the lines around it
# (winedbg's report after it names the process).
CRASH="unhandled exception|page fault|winedevice.*(crash|abort)"
first=$(grep -n -m1 -F "procnotify: " "$LOG" | cut -d: -f1)
head -n $(( ${first:-1} - 1 )) "$LOG" | grep -iE -A30 "$CRASH" | sed "s/^/#   before the driver: /"
wine_crashes() { { tail -n +"${first:-1}" "$LOG"; cat "$T/stderr"; } | grep -iE -B8 -A30 "$CRASH"; }
check "no Wine exception or crash in the driver host" eval '! wine_crashes | sed "s/^/#   /" | grep .'
finish
