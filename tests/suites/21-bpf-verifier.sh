# Verifier budget: the instructions the kernel's verifier processes for each
# BPF program (bpf_prog_info.verified_insns), which is most of the monitor's
# start-up. The path walk once cost 337,000 for the exec program and over a
# second before "ready"; each budget here is several times today's figure
# (bench/RESULTS.md), far below a regression of that kind.
# Needs root; without it every check is reported as skipped.
. tests/lib.sh
if ! is_root; then skip "verifier budget: needs root"; finish; exit; fi
out=$("$BUILD"/bench/bpf_verifier)
check "the BPF object loads and reports its figures" [ $? -eq 0 ]
echo "$out"
# The processed instructions of program $1, or nothing when it is not listed.
insns() { echo "$out" | sed -nE "s/^$1 verified_insns=([0-9]+) .*/\1/p"; }
within() { [ -n "$1" ] && [ "$1" -le "$2" ]; }
for budget in pn_fork:1000 pn_exit:1000 pn_exec:8000 pn_snapshot:6000; do
	prog=${budget%%:*} max=${budget#*:}
	n=$(insns "$prog")
	check "$prog: verified_insns ${n:-missing} <= $max" within "$n" "$max"
done
finish
