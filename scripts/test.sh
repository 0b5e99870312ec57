#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build polltcp and run every test phase, then print
#   tests: N passed, N failed[, N skipped]
# summed over all phases (one line per phase before it). Exit non-zero if
# anything failed. Integration tests need root: they make network namespaces
# and TAP devices.
#
# Phases (docs/testing.md):
#   build     $BUILD (build/): every meson test (unit + integration)
#   rfc       python3 scripts/rfc_matrix.py --check (one test)
#   asan      $BUILD_ASAN (build-asan/), gcc, -Db_sanitize=address,undefined:
#             unit + integration suites
#   clang     $BUILD_FUZZ (build-fuzz/), clang, the same sanitizers and
#             -Dfuzz=true: unit + integration suites
#   fuzz      $BUILD_FUZZ: each libFuzzer harness for a fixed number of
#             executions from the seed corpus (one test each;
#             PTCP_FUZZ_RUNS=N overrides the number)
# Only the fast part (build + rfc): PTCP_TEST_QUICK=1 or --quick.
# Other arguments go to every meson test call (e.g. --suite unit).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
BUILD_ASAN=${BUILD_ASAN:-build-asan}
BUILD_FUZZ=${BUILD_FUZZ:-build-fuzz}
QUICK=${PTCP_TEST_QUICK:-0}
FUZZ_RUNS=${PTCP_FUZZ_RUNS:-}

args=()
for a in "$@"; do
    case "$a" in
        --quick|--no-sanitize) QUICK=1 ;;
        *) args+=("$a") ;;
    esac
done
set -- ${args[@]+"${args[@]}"}

bash scripts/deps.sh

RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT

# setup DIR [meson options...]: configure (or reconfigure) a build directory.
setup() {
    local dir=$1
    shift
    if [ -d "$dir/meson-private" ]; then
        meson setup --reconfigure "$dir" "$@"
    else
        meson setup "$dir" "$@"
    fi
}

# record PHASE PASSED FAILED SKIPPED: print the phase line, keep the counts.
record() {
    local line="$1: $2 passed, $3 failed"
    [ "$4" -gt 0 ] && line+=", $4 skipped"
    echo "test.sh: $line"
    echo "$2 $3 $4" >>"$RESULTS"
}

# meson_phase PHASE DIR [meson test args...]: run meson test, record its testlog.json.
meson_phase() {
    local phase=$1 dir=$2 rc=0 counts
    shift 2
    rm -f "$dir/meson-logs/testlog.json"   # never count a stale run
    meson test -C "$dir" --print-errorlogs "$@" || rc=$?
    counts=$(python3 - "$dir/meson-logs/testlog.json" "$rc" <<'PY'
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
    print("test.sh: no %s: meson test did not run" % path, file=sys.stderr)
if rc != 0 and failed == 0:
    failed = 1                          # meson failed without a test result to show
if passed + failed + skipped == 0:
    print("test.sh: no tests ran", file=sys.stderr)
    failed = 1
print(passed, failed, skipped)
PY
)
    # shellcheck disable=SC2086
    record "$phase" $counts
}

# ---- build: the normal build and every suite ------------------------------------
setup "$BUILD"
meson compile -C "$BUILD"
meson_phase build "$BUILD" "$@"

# ---- rfc: the compliance matrix is up to date -----------------------------------
if python3 scripts/rfc_matrix.py --check; then
    record rfc 1 0 0
else
    echo "test.sh: docs/rfc-compliance.md is stale: run python3 scripts/rfc_matrix.py"
    record rfc 0 1 0
fi

if [ "$QUICK" = 0 ]; then
    # Sanitizer runtime options (docs/testing.md "Sanitizers"): every report
    # aborts the process, so the test fails; LeakSanitizer on; the UBSan
    # suppression list holds DPDK-header reports only.
    asan_opts=detect_leaks=1:halt_on_error=1:abort_on_error=1:print_summary=1
    ubsan_opts=halt_on_error=1:abort_on_error=1:print_stacktrace=1:print_summary=1
    ubsan_opts+=:suppressions=$PWD/tests/sanitizer/ubsan.supp
    export ASAN_OPTIONS=${ASAN_OPTIONS:-$asan_opts}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-$ubsan_opts}
    san=(-Db_sanitize=address,undefined -Db_lundef=false)

    # ---- asan: gcc, ASan + UBSan, unit + integration --------------------------
    # A build that fails counts as a failed test; the next phases still run.
    if setup "$BUILD_ASAN" "${san[@]}" && meson compile -C "$BUILD_ASAN"; then
        meson_phase asan "$BUILD_ASAN" "$@"
    else
        echo "test.sh: the gcc sanitizer build failed"
        record asan 0 1 0
    fi

    # ---- clang: ASan + UBSan with clang, unit + integration, fuzzers ----------
    if ! (CC=clang setup "$BUILD_FUZZ" "${san[@]}" -Dfuzz=true &&
          meson compile -C "$BUILD_FUZZ"); then
        echo "test.sh: the clang sanitizer + fuzz build failed"
        record clang 0 1 0
    else
        meson_phase clang "$BUILD_FUZZ" "$@"

        # Each harness: a fixed number of executions from the seed corpus (kept
        # in git, not modified: new inputs go to a scratch directory first in the
        # list), fixed seed. A crash, a sanitizer report or a broken invariant
        # fails it; the reproducer lands in $BUILD_FUZZ/fuzz-artifacts/.
        declare -A runs=([fuzz_wire]=2000000 [fuzz_rx]=40000 [fuzz_conn]=40000)
        mkdir -p "$BUILD_FUZZ/fuzz-artifacts"
        fpass=0 ffail=0
        for h in fuzz_wire fuzz_rx fuzz_conn; do
            n=${FUZZ_RUNS:-${runs[$h]}}
            scratch="$BUILD_FUZZ/fuzz-corpus/$h"
            rm -rf "$scratch"
            mkdir -p "$scratch"
            log="$BUILD_FUZZ/fuzz-artifacts/$h.log"
            start=$(date +%s)
            if "$BUILD_FUZZ/tests/fuzz/$h" -runs="$n" -seed=1 -max_len=4096 \
                -artifact_prefix="$BUILD_FUZZ/fuzz-artifacts/$h-" -print_final_stats=1 \
                "$scratch" "tests/fuzz/corpus/$h" $(ls -d "tests/fuzz/regress/$h" 2>/dev/null) \
                >"$log" 2>&1; then
                fpass=$((fpass + 1))
                echo "test.sh: $h: $n runs OK in $(( $(date +%s) - start )) s" \
                     "($(grep -o 'cov: [0-9]*' "$log" | tail -1))"
            else
                ffail=$((ffail + 1))
                echo "test.sh: $h FAILED after $(( $(date +%s) - start )) s; log $log:"
                grep -v '^#[0-9]' "$log" | tail -40
            fi
        done
        record fuzz "$fpass" "$ffail" 0
    fi
fi

# ---- the summary over all phases (the last line) --------------------------------
awk '{ p += $1; f += $2; s += $3 }
     END { line = sprintf("tests: %d passed, %d failed", p, f)
           if (s > 0) line = line sprintf(", %d skipped", s)
           print line; exit (f > 0) }' "$RESULTS"
