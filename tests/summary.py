#!/usr/bin/python3
"""Prints the one summary line of `make test`: unit and system test counts added up.

usage: summary.py UNIT_COUNTS_FILE SYSTEST_JUNIT_XML
"""
import sys
import xml.etree.ElementTree as ET

passed = failed = skipped = 0
try:
    with open(sys.argv[1]) as f:
        p, fl = f.read().split()
        passed += int(p)
        failed += int(fl)
except (OSError, ValueError):
    print("unit test counts missing", file=sys.stderr)
    failed += 1
try:
    root = ET.parse(sys.argv[2]).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    for s in suites:
        total = int(s.get("tests", 0))
        bad = int(s.get("failures", 0)) + int(s.get("errors", 0))
        skip = int(s.get("skipped", 0))
        passed += total - bad - skip
        failed += bad
        skipped += skip
except (OSError, ET.ParseError):
    print("system test report missing", file=sys.stderr)
    failed += 1
if skipped:
    print(f"({skipped} skipped)")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
