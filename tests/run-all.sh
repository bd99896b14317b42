#!/usr/bin/env bash
# Runs every suite in tests/suites/ (in name order) and adds up their closing
# lines "N passed, N failed[, N skipped]". Under CI=true a skip is a failure:
# CI runs as root on a kernel with BPF, so nothing there may be skipped.
# Usage: tests/run-all.sh [SUITE-GLOB]   (env BUILD=dir picks the build to test)
set -u
cd "$(dirname "$0")/.."
pattern=${1:-*}
total_p=0 total_f=0 total_s=0 failed_suites=()
closing='^([A-Za-z0-9_.-]+: )?[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$'
for suite in tests/suites/$pattern.sh; do
	[ -f "$suite" ] || continue
	name=$(basename "$suite" .sh)
	echo "=== $name"
	out=$(mktemp)
	bash "$suite" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	# A suite may run several programs: add up all of their closing lines.
	read -r p f s < <(grep -E "$closing" "$out" | sed -E 's/.*\b([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$/\1 \2 \4/' |
		awk '{p += $1; f += $2; s += $3} END {print p + 0, f + 0, s + 0}')
	rm -f "$out"
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$s" -eq 0 ]; then
		echo "--- $name: no closing line (exit $rc): counted as one failure"
		total_f=$((total_f + 1)); failed_suites+=("$name"); continue
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	total_p=$((total_p + p)); total_f=$((total_f + f)); total_s=$((total_s + s))
	{ [ "$f" -gt 0 ] || { [ "${CI:-}" = true ] && [ "$s" -gt 0 ]; }; } && failed_suites+=("$name")
done
if [ "${CI:-}" = true ] && [ "$total_s" -gt 0 ]; then
	echo "CI=true: $total_s skipped tests count as failures"
	total_f=$((total_f + total_s)); total_s=0
fi
[ ${#failed_suites[@]} -gt 0 ] && echo "failing suites: ${failed_suites[*]}"
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" -eq 0 ]
