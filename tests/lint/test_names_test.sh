#!/usr/bin/env bash
# Every doctest case of the given test programs can be run by ctest: ctest
# splits a test name at ';', so a case named with one is registered under a
# cut name that matches no case, and "passes" without running anything.
# Usage: test_names_test.sh PROGRAM...
set -euo pipefail
bad=0
for program in "$@"; do
  names="$("$program" --list-test-cases --no-version 2>&1)" || {
    echo "FAIL: $program --list-test-cases failed: $names"
    exit 1
  }
  while IFS= read -r name; do
    echo "FAIL: $(basename "$program"): test case name with ';' (ctest would run nothing): $name"
    bad=1
  done < <(grep -F ';' <<< "$names" || true)
done
[[ $bad == 0 ]] && echo "PASS: no test case name holds ';' in: $*"
exit "$bad"
