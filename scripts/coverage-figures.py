#!/usr/bin/env python3
"""Prints the line and branch coverage of src/lib/ from gcovr's JSON summary
beside their targets; with --strict, exits 1 when either is below target.
Usage: coverage-figures.py SUMMARY.json MIN_LINES MIN_BRANCHES [--strict]"""
import json
import sys


def main():
    path, min_lines, min_branches = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    with open(path) as f:
        d = json.load(f)
    lines, branches = d["line_percent"], d["branch_percent"]
    print(f"src/lib coverage: lines {lines}% (target {min_lines:g}%), "
          f"branches {branches}% (target {min_branches:g}%)")
    below = lines < min_lines or branches < min_branches
    if below and "--strict" in sys.argv[4:]:
        print("coverage below target")
        return 1
    return 0


sys.exit(main())
