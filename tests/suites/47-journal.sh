# The journald output against a real systemd-journald that the test starts
# itself, without systemd as PID 1, in a private mount namespace over the
# test's own directory, and always stops: journalctl -D DIR -o json must
# give back every field of a known workload exactly (hostile names, control
# bytes, a 32 KiB argument through journald's memfd path).
# Needs root (the mount namespace) and systemd (journald, journalctl).
. tests/lib.sh
if ! is_root; then skip "journal: needs root"; finish; exit; fi
python3 tests/e2e/test_journal.py
