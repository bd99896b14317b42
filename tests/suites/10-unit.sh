# Unit tests: each program prints its own "name: N passed, N failed" line.
# A program that dies before printing it (a crash, a sanitizer abort) is
# reported here as one failure so it cannot go unnoticed.
. tests/lib.sh
rc=0
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	out=$("$t" 2>&1); status=$?
	echo "$out"
	if ! grep -qE "^$name: [0-9]+ passed, [0-9]+ failed" <<<"$out"; then
		echo "$name: 0 passed, 1 failed"
	fi
	[ $status -eq 0 ] || rc=1
done
exit $rc
