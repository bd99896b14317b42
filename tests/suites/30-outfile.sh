# Files the monitor writes (-o, --db) cannot be steered by another user: no
# symbolic link followed, no file of another user or writable by others, no
# FIFO blocking the start; -o appends; closed standard descriptors stay
# closed to the monitor's own files and sockets.
. tests/lib.sh
PN=$BUILD/procnotify
suite_scratch outfile
chmod 755 "$D"

# Runs the monitor for a moment with "$@"; prints its exit status. A monitor
# that is not refused would run for 20 s: timeout's 124 says it blocked.
run_refused() { timeout 20 "$PN" -d 0.3 "$@" >/dev/null 2>"$D/err"; echo $?; }

echo precious >"$D/victim"
ln -s "$D/victim" "$D/link"
check "-o on a symbolic link is refused (exit 1)" test "$(run_refused -o "$D/link")" = 1
check "... the link's target is untouched" test "$(cat "$D/victim")" = precious
check "... and the reason is given" grep -q 'refusing to write: is a symbolic link' "$D/err"
check "--db on a symbolic link is refused (exit 1)" test "$(run_refused --db "$D/link")" = 1
check "... the link's target is untouched" test "$(cat "$D/victim")" = precious

: >"$D/shared"; : >"$D/shared.db"; chmod 666 "$D/shared" "$D/shared.db"
check "-o on a file others may write is refused (exit 1)" test "$(run_refused -o "$D/shared")" = 1
check "... with the reason" grep -q 'writable by its group or by others' "$D/err"
check "--db on a file others may write is refused (exit 1)" test "$(run_refused --db "$D/shared.db")" = 1
check "... and it stays empty" test ! -s "$D/shared.db"

: >"$D/theirs"; : >"$D/theirs.db"; chmod 600 "$D/theirs" "$D/theirs.db"
chown nobody "$D/theirs" "$D/theirs.db"
if [ "$(stat -c %U "$D/theirs")" = nobody ] && [ "$(id -un)" != nobody ]; then
	check "-o on another user's file is refused (exit 1)" test "$(run_refused -o "$D/theirs")" = 1
	check "... with the reason" grep -q 'owned by another user' "$D/err"
	check "--db on another user's file is refused (exit 1)" test "$(run_refused --db "$D/theirs.db")" = 1
	check "... and it stays empty" test ! -s "$D/theirs.db"
else
	skip "another user's file: cannot give a file to nobody here"
fi

mkfifo -m 600 "$D/fifo"
check "-o on a FIFO without a reader is refused at once, not blocked" test "$(run_refused -o "$D/fifo")" = 1
check "... with the reason" grep -q 'is a FIFO' "$D/err"
# A reader present: the open succeeds, the FIFO must still be refused.
sleep 30 <"$D/fifo" & reader=$!
check "-o on a FIFO with a reader is refused too" test "$(run_refused -o "$D/fifo")" = 1
kill "$reader" 2>/dev/null; wait "$reader" 2>/dev/null
mkdir "$D/dir"
check "-o on a directory is refused" test "$(run_refused -o "$D/dir")" = 1

if ! is_root; then
	skip "append and closed descriptors: need root to load BPF"
	finish
	exit
fi

printf 'yesterday\n' >"$D/log.jsonl"; chmod 600 "$D/log.jsonl"
"$PN" --json -d 0.5 -o "$D/log.jsonl" 2>"$D/err"; rc=$?
check "-o on our own private file runs (exit 0)" test "$rc" = 0
check "-o appends: yesterday's line is still the first" test "$(head -1 "$D/log.jsonl")" = yesterday
"$PN" --json -d 0.5 -o "$D/new.jsonl" 2>"$D/err"; rc=$?
check "-o creates a missing file mode 0600" test "$rc-$(stat -c %a "$D/new.jsonl")" = 0-600

# stderr closed: the -o file (or anything else) must not become fd 2 and
# receive the ready and summary lines.
"$PN" --json -d 0.5 -o "$D/closed2.jsonl" 2>&-; rc=$?
check "with stderr closed the monitor runs (exit 0)" test "$rc" = 0
check "... and no status line lands in the -o file" test "$(grep -c '^procnotify:' "$D/closed2.jsonl")" = 0

# stdout closed: descriptor 1 must be /dev/null, not the kernel socket.
fd1_of_monitor() {
	"$PN" --json --backend netlink -d 5 >&- 2>"$D/err1" & MON=$!
	for _ in $(seq 100); do grep -q 'procnotify: ready' "$D/err1" && break; sleep 0.1; done
	readlink "/proc/$MON/fd/1" >"$D/fd1"
	kill -INT "$MON"; wait "$MON"; MON=
}
fd1_of_monitor
check "with stdout closed, descriptor 1 is /dev/null (not a socket)" test "$(cat "$D/fd1")" = /dev/null

# -o on a file system that fills up (a 64 KiB tmpfs): the write error stops
# the monitor with exit status 1 and says why.
full_output() {
	mkdir "$D/full" && mount -t tmpfs -o size=64k tmpfs "$D/full" || return 1
	"$PN" --json -o "$D/full/events.jsonl" -d 30 2>"$D/full.err" & MON=$!
	local end=$((SECONDS + 30))
	while kill -0 "$MON" 2>/dev/null && [ $SECONDS -lt $end ]; do /bin/true; done
	wait "$MON"; echo $? >"$D/full.rc"; MON=
}
check "-o on a file system that fills up: the monitor stops" full_output
check "... with exit status 1, saying the device is full" \
	test "$(cat "$D/full.rc")-$(grep -c '^procnotify: writing events: No space left on device$' "$D/full.err")" = 1-1
finish
