# End-to-end with the eBPF backend: the real monitor against real processes,
# and what exec paths mean (chroot, mount namespace, memfd, unlinked, long).
# Needs root; without it every check is reported as skipped (a failure under CI=true).
. tests/lib.sh
if ! is_root; then skip "e2e (bpf): needs root"; finish; exit; fi
rc=0
PN_BACKEND=bpf python3 tests/e2e/test_monitor.py || rc=1
PN_BACKEND=bpf python3 tests/e2e/test_paths.py || rc=1
python3 tests/e2e/test_cli.py || rc=1
PN_BACKEND=bpf python3 tests/e2e/test_storm.py || rc=1
"$BUILD"/tests/lib_callbacks || rc=1
python3 tests/e2e/test_faults.py || rc=1
# The programs above print their own closing lines; run-all.sh sums them.
exit $rc
