# Exec enforcement (fanotify permission events), through the library's probe.
# Needs root; without it every check is reported as skipped. The tests deny
# only files in their own temporary directory or with a hash only they
# create; every enforcer they start dies with them.
. tests/lib.sh
if ! is_root; then skip "enforce: needs root"; finish; exit; fi
timeout -s KILL 600 python3 tests/e2e/test_enforce.py
