# The unit tests under valgrind's memcheck: leaks and invalid accesses fail.
. tests/lib.sh
suite_scratch valgrind
if ! command -v valgrind >/dev/null; then skip "valgrind not installed"; finish; exit; fi
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		"$t" >"$D/vg.log" 2>&1; then
		pass "valgrind $(basename "$t")"
	else
		cat "$D/vg.log"
		fail "valgrind $(basename "$t")"
	fi
done
finish
