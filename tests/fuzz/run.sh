#!/usr/bin/env bash
# Runs libFuzzer targets, each for SECS seconds from its seed corpus
# (tests/fuzz/corpus/TARGET/, read only: what a run finds goes to a
# scratch directory), and prints one line per target:
#   fuzz_NAME: N executions in S s, corpus A -> B units, ok
# A crash, a leak, a sanitizer report or a timeout fails the target; its
# input is kept under $PN_FUZZ_OUT (default /tmp/pn-fuzz) and its path printed,
# to be added to the corpus as a regression input once fixed.
# Usage: tests/fuzz/run.sh BUILD SECS TARGET...
set -u
cd "$(dirname "$0")/../.."
build=$1 secs=$2
shift 2
out=${PN_FUZZ_OUT:-/tmp/pn-fuzz}
mkdir -p "$out"
# The files the targets write (a log to open) go to memory when it can, and
# are removed even after a crash.
shm=/dev/shm
[ -w "$shm" ] || shm=/tmp
export PN_FUZZ_TMP
failed=0
for t in "$@"; do
	scratch=$(mktemp -d "$out/$t.XXXXXX")
	PN_FUZZ_TMP=$(mktemp -d "$shm/pn-fuzz-work.XXXXXX")
	log="$scratch/log"
	# -close_fd_mask=3: the targets' own messages (usage errors) are noise.
	"$build/fuzz/$t" -max_total_time="$secs" -print_final_stats=1 -close_fd_mask=3 \
		-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$scratch/" \
		"$scratch" "tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	rm -rf "$PN_FUZZ_TMP"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	took=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	seeds=$(find "tests/fuzz/corpus/$t" -type f | wc -l)
	found=$(find "$scratch" -maxdepth 1 -type f ! -name log ! -name 'crash-*' ! -name 'leak-*' \
		! -name 'timeout-*' ! -name 'oom-*' | wc -l)
	artifact=$(find "$scratch" -maxdepth 1 -name 'crash-*' -o -maxdepth 1 -name 'leak-*' \
		-o -maxdepth 1 -name 'timeout-*' -o -maxdepth 1 -name 'oom-*' | head -1)
	if [ "$rc" -eq 0 ] && [ -n "$execs" ] && [ -z "$artifact" ]; then
		echo "$t: ${execs} executions in ${secs} s (${took}/s), corpus $seeds -> $((seeds + found)) units, ok"
		rm -rf "$scratch"
	else
		failed=$((failed + 1))
		grep -E 'ERROR|invariant|SUMMARY|runtime error' "$log" | head -5
		echo "$t: FAILED (exit $rc) after ${execs:-?} executions; input: ${artifact:-none}; log: $log"
	fi
done
[ "$failed" -eq 0 ]
