# End-to-end with the netlink proc connector backend: the shared e2e suite,
# then both backends against one workload, a forced overflow, exec enrichment
# of 1,000 short-lived processes, the errors without CAP_NET_ADMIN, a
# 2,000-process storm and an idle monitor that parks.
# Needs root; without it every check is reported as skipped (a failure under CI=true).
. tests/lib.sh
if ! is_root; then skip "e2e (netlink): needs root"; finish; exit; fi
rc=0
PN_BACKEND=netlink python3 tests/e2e/test_monitor.py || rc=1
PN_BACKEND=netlink python3 tests/e2e/test_paths.py || rc=1
python3 tests/e2e/test_netlink.py || rc=1
# A smaller storm than the eBPF suite's (the connector is the fallback), then the idle check.
PN_BACKEND=netlink PN_STORM_N=2000 python3 tests/e2e/test_storm.py || rc=1
# The programs above print their own closing lines; run-all.sh sums them.
exit $rc
