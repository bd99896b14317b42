# The command line of every subcommand: help text, option names, values.
# Needs no privilege but for one check (a config file overridden by the
# command line, seen in the monitor's "ready" line), skipped without root.
. tests/lib.sh
python3 tests/e2e/test_options.py
