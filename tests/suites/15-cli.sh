# The command line of every subcommand: help text, option names, values.
# Needs no privilege: nothing here gets as far as monitoring.
. tests/lib.sh
python3 tests/e2e/test_options.py
