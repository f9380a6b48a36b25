#!/bin/sh
# Runs each cmocka unit-test binary given after the build dir, prints its
# failures, and writes "<passed> <failed>" (test-case counts) to BUILD/unit.counts.
build=$1; shift
passed=0; failed=0; rc=0
for t in "$@"; do
    out=$(CMOCKA_MESSAGE_OUTPUT=stdout "$t" 2>&1); status=$?
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    p=${p:-0}; f=${f:-0}
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed before its summary
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$f" -ne 0 ]; then
        rc=1
        printf '%s\n' "$out" | grep -v '^\[ \(RUN\|       OK\) ' | tail -60
        echo "FAILED: $t"
    fi
    printf 'unit %-40s %4d passed %d failed\n' "$(basename "$t")" "$p" "$f"
done
echo "$passed $failed" > "$build/unit.counts"
echo "unit tests: $passed passed, $failed failed"
exit $rc
