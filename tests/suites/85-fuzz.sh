# The libFuzzer targets (tests/fuzz/), each for a few seconds from its seed
# corpus, regression inputs included: a crash, a sanitizer report or a
# broken invariant fails it. `make fuzz` runs them longer (FUZZ_SECS).
. tests/lib.sh
suite_scratch fuzz
secs=${PN_FUZZ_SECS:-5}
if ! make -s fuzz-build >"$D/build.log" 2>&1; then
	cat "$D/build.log"
	fail "fuzz targets build (clang -fsanitize=fuzzer,address,undefined)"
	finish
	exit
fi
pass "fuzz targets build"
for src in tests/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	line=$(tests/fuzz/run.sh build-fuzz "$secs" "$t")
	check "$line" test "${line%, ok}" != "$line"
done
finish
