# Unit tests: each program prints "name: N passed, N failed".
. tests/lib.sh
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	if out=$("$t" 2>&1); then pass "$(basename "$t"): ${out##*$'\n'}"; else echo "$out"; fail "$(basename "$t")"; fi
done
finish
