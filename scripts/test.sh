#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build polltcp and run every test suite (unit, integration), then print
#   tests: N passed, N failed[, N skipped]
# from meson's testlog.json. Exit non-zero if anything failed.
# Integration tests need root: they make network namespaces and TAP devices.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}

bash scripts/deps.sh

if [ -d "$BUILD/meson-private" ]; then
    meson setup --reconfigure "$BUILD"
else
    meson setup "$BUILD"
fi
meson compile -C "$BUILD"

rm -f "$BUILD/meson-logs/testlog.json"   # never count a stale run
rc=0
meson test -C "$BUILD" --print-errorlogs "$@" || rc=$?

python3 - "$BUILD/meson-logs/testlog.json" "$rc" <<'PY'
import json, sys
path, rc = sys.argv[1], int(sys.argv[2])
passed = failed = skipped = 0
try:
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line).get("result", "")
            if r in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif r == "SKIP":
                skipped += 1
            else:                       # FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS, ...
                failed += 1
except FileNotFoundError:
    print("test.sh: no %s: meson test did not run" % path)
if rc != 0 and failed == 0:
    failed = 1                          # meson failed without a test result to show
if passed + failed + skipped == 0:
    print("test.sh: no tests ran")
    failed = 1
line = "tests: %d passed, %d failed" % (passed, failed)
if skipped:
    line += ", %d skipped" % skipped
print(line)
sys.exit(1 if failed else 0)
PY
