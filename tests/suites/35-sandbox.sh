# Least privilege of the running monitor (both backends) and the system call
# filter. Needs root; without it every check is reported as skipped.
. tests/lib.sh
if ! is_root; then skip "sandbox: needs root"; finish; exit; fi
python3 tests/e2e/test_sandbox.py
