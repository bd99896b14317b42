# The unit and end-to-end suites again, built with ASan and UBSan (clang).
# Any sanitizer report aborts the program under test and fails its checks.
. tests/lib.sh
suite_scratch sanitize
SAN_BUILD=build-san
if ! make -s sanitize-build B=$SAN_BUILD >"$D/build.log" 2>&1; then
	cat "$D/build.log"
	fail "sanitizer build"
	finish
	exit
fi
# A smaller storm: the sanitized monitor is slower, and the point here is memory errors.
export PN_STORM_N=5000
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
rc=0
for suite in tests/suites/10-*.sh tests/suites/2*.sh; do
	echo "--- $(basename "$suite") under ASan+UBSan"
	BUILD=$SAN_BUILD bash "$suite" || rc=1
done
exit $rc
