# The syslog output against real rsyslogd instances that the tests start in
# private directories on loopback ports and always stop: TCP and unix
# targets with hostile names and a 32 KiB argv, a TCP collector that stops
# reading (exact `output` loss), and the fleet chain procnotify -> edge
# rsyslogd -> RELP -> central rsyslogd, killed and restarted in a
# 10,000-process storm, with the configs of packaging/rsyslog/.
# Needs root and rsyslog, rsyslog-relp (scripts/install-deps.sh).
. tests/lib.sh
if ! is_root; then skip "syslog: needs root"; finish; exit; fi
rc=0
python3 tests/e2e/test_syslog.py || rc=1
python3 tests/e2e/test_fleet_chain.py || rc=1
exit $rc
