#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# What the TCP options and the recovery machinery cost a request/response
# transaction, in the stack alone: tests/bench/stack_pair.c (two stacks in
# one process on one lcore, frames handed from one to the other, no PMD)
# for several variants, run alternately, ROUNDS times each; the median
# cycles per transaction of each, and its ratio to the first variant.
#
# Variants:
#   before    the tree at --before REV (default: the commit before the
#             options were added), built the same way: MSS only, NewReno
#   none      this tree, every option off, NewReno
#   newreno   this tree, every option on, NewReno
#   default   this tree as shipped: window scale, timestamps, SACK, CUBIC
#   no-ts     default without timestamps
#   no-sack   default without SACK
#
# Both trees are built with -O3 and the same flags (meson, release), and
# stack_pair.c of this tree is compiled against each tree's libptcp_stack.a.
# Results: a table on stdout and, with --out DIR, DIR/runs.tsv (every run)
# and DIR/table.md. Needs nothing but the build dependencies: no hugepages,
# no network, no root unless packages are missing.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

BEFORE=9794718      # docs: benchmarks.md from bench.sh on f4d3788, before the options
ROUNDS=7
TX=400000
CONNS="1 64"
SIZE=64
LCORE=1
OUT=""
INSTR=0
VARIANTS="before none newreno default no-ts no-sack"

usage() {
    cat <<'EOF'
Usage: bash scripts/bench_options.sh [options]
  --before REV        the tree to compare with (default 9794718, the last
                      commit before TCP options); "" leaves it out
  --rounds N          runs of each variant, alternating (default 7)
  --transactions N    measured transactions per run (default 400000)
  --conns LIST        connection counts, space separated (default "1 64")
  --size B            request and response bytes (default 64)
  --lcore L           the core to run on (default 1)
  --variants LIST     space separated, from: before none newreno default no-ts no-sack
  --out DIR           keep runs.tsv and table.md there
  --instructions      also count instructions per transaction (valgrind's callgrind,
                      installed if missing): exact, the same on every run, where
                      cycles move with the machine's load and the code's layout
EOF
}

die() { echo "bench_options: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
        --before) BEFORE=$2; shift ;;
        --rounds) ROUNDS=$2; shift ;;
        --transactions) TX=$2; shift ;;
        --conns) CONNS=$2; shift ;;
        --size) SIZE=$2; shift ;;
        --lcore) LCORE=$2; shift ;;
        --variants) VARIANTS=$2; shift ;;
        --out) OUT=$2; shift ;;
        --instructions) INSTR=1 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option $1" ;;
    esac
    shift
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds: a positive number"
[ -z "$BEFORE" ] && VARIANTS=$(echo " $VARIANTS " | sed 's/ before / /')

WORK=$(mktemp -d /tmp/polltcp-bench-options.XXXXXX)
PFX="bopt$$"
cleanup() {
    rm -rf "$WORK"
    rm -rf /var/run/dpdk/"$PFX"* 2>/dev/null
    git -C "$ROOT" worktree prune 2>/dev/null
    return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bash scripts/deps.sh >/dev/null || die "scripts/deps.sh failed"
if [ "$INSTR" = 1 ] && ! command -v valgrind >/dev/null; then
    apt-get install -y valgrind >/dev/null 2>&1 || die "--instructions needs valgrind (apt-get install valgrind)"
fi

# build SRC DIR: libptcp_stack.a of tree SRC in DIR (release, -O3, DWARF).
build() {
    local src=$1 dir=$2
    meson setup "$dir" "$src" --buildtype=release -Doptimization=3 -Ddebug=true \
        -Dtests=false >"$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log" >&2; return 1; }
    meson compile -C "$dir" lib/ptcp_stack >>"$WORK/build.log" 2>&1 \
        || ninja -C "$dir" >>"$WORK/build.log" 2>&1 \
        || { tail -20 "$WORK/build.log" >&2; return 1; }
}

# link SRC DIR EXE [CFLAGS]: stack_pair.c of this tree against SRC's headers and DIR's library.
link() {
    local src=$1 dir=$2 exe=$3; shift 3
    local lib
    lib=$(find "$dir/lib" -name libptcp_stack.a | head -1)
    [ -n "$lib" ] || { echo "no libptcp_stack.a in $dir" >&2; return 1; }
    # shellcheck disable=SC2046
    cc -O3 -g -D_GNU_SOURCE "$@" $(for d in wire core net tcp api port; do echo "-I$src/lib/$d"; done) \
        $(pkg-config --cflags libdpdk) -o "$exe" "$ROOT/tests/bench/stack_pair.c" "$lib" \
        $(pkg-config --libs libdpdk) -lm >>"$WORK/build.log" 2>&1 \
        || { tail -20 "$WORK/build.log" >&2; return 1; }
}

echo "bench_options: building this tree ($(git rev-parse --short HEAD))"
build "$ROOT" "$WORK/b-now" || die "build failed"
link "$ROOT" "$WORK/b-now" "$WORK/sp-now" || die "link failed"
if [[ " $VARIANTS " == *" before "* ]]; then
    BEFORE_SHA=$(git rev-parse --short "$BEFORE" 2>/dev/null) || die "--before: no commit $BEFORE"
    echo "bench_options: building $BEFORE_SHA"
    git worktree add -q --detach "$WORK/src-before" "$BEFORE_SHA" || die "git worktree add failed"
    build "$WORK/src-before" "$WORK/b-before" || die "build of $BEFORE_SHA failed"
    link "$WORK/src-before" "$WORK/b-before" "$WORK/sp-before" -DSTACK_PAIR_NO_OPTION_CONF \
        || die "link against $BEFORE_SHA failed"
fi

variant_cmd() {
    case "$1" in
        before)  echo "$WORK/sp-before" ;;
        none)    echo "$WORK/sp-now --no-timestamps --no-sack --no-wscale --cc newreno" ;;
        newreno) echo "$WORK/sp-now --cc newreno" ;;
        default) echo "$WORK/sp-now" ;;
        no-ts)   echo "$WORK/sp-now --no-timestamps" ;;
        no-sack) echo "$WORK/sp-now --no-sack" ;;
        *) return 1 ;;
    esac
}
for v in $VARIANTS; do variant_cmd "$v" >/dev/null || die "unknown variant $v"; done

TSV=$WORK/runs.tsv
printf 'round\tconns\tvariant\tcycles_per_tx\tns_per_tx\n' >"$TSV"
for conns in $CONNS; do
    for ((r = 1; r <= ROUNDS; r++)); do
        for v in $VARIANTS; do
            # shellcheck disable=SC2086
            set -- $(variant_cmd "$v")
            exe=$1; shift
            line=$("$exe" --no-huge -m 256 --no-pci --no-shconf --no-telemetry -l "$LCORE" \
                --log-level='*:error' --file-prefix "$PFX-$v" -- --conns "$conns" \
                --size "$SIZE" --warmup 20000 --transactions "$TX" "$@" 2>&1 | tail -1)
            [[ $line == stack_pair* ]] || die "$v, $conns conns: $line"
            cyc=$(sed -E 's/.* cycles_per_tx ([0-9.]+).*/\1/' <<<"$line")
            ns=$(sed -E 's/.* ns_per_tx ([0-9.]+).*/\1/' <<<"$line")
            printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$conns" "$v" "$cyc" "$ns" >>"$TSV"
        done
        echo "bench_options: $conns conns, round $r of $ROUNDS done" >&2
    done
done

python3 - "$TSV" "$VARIANTS" "$SIZE" "$TX" "$ROUNDS" "$(git rev-parse --short HEAD)" \
    "${BEFORE_SHA:-}" >"$WORK/table.md" <<'EOF'
import statistics, sys
tsv, variants, size, tx, rounds, head, before = sys.argv[1:8]
variants = variants.split()
rows = [l.rstrip("\n").split("\t") for l in open(tsv)][1:]
runs = {}
for r, conns, v, cyc, ns in rows:
    runs.setdefault((int(conns), v), []).append(float(cyc))
base = variants[0]
print("stack pair, %s B request/response, %s transactions per run, %s runs of each "
      "variant alternating (cycles per transaction, both stacks; spread = (max - min) / "
      "median; other load on the machine only ever adds cycles, so the minimum is the "
      "steadier figure)" % (size, tx, rounds))
print("tree %s%s" % (head, (", before = %s" % before) if before else ""))
print()
print("| conns | variant | median | spread | vs %s | minimum | vs %s |" % (base, base))
print("| --- | --- | --- | --- | --- | --- | --- |")
for conns in sorted({k[0] for k in runs}):
    b = statistics.median(runs[(conns, base)])
    bmin = min(runs[(conns, base)])
    for v in variants:
        xs = runs[(conns, v)]
        m = statistics.median(xs)
        print("| %d | %s | %.0f | %.1f %% | %+.1f %% | %.0f | %+.1f %% |"
              % (conns, v, m, 100 * (max(xs) - min(xs)) / m, 100 * (m / b - 1),
                 min(xs), 100 * (min(xs) / bmin - 1)))
EOF
# Instructions per transaction: callgrind counts inside step() (both stacks'
# RX, timers and TX; EAL and set-up excluded) for T and 2T transactions; the
# difference over T leaves out the handshakes, warm-up and drain.
if [ "$INSTR" = 1 ]; then
    it=20000
    {
        echo
        echo "instructions per transaction (callgrind, ($it more) / $it transactions, both stacks):"
        echo
        echo "| conns | variant | instructions/tx | vs ${VARIANTS%% *} |"
        echo "| --- | --- | --- | --- |"
    } >>"$WORK/table.md"
    for conns in $CONNS; do
        base=""
        for v in $VARIANTS; do
            # shellcheck disable=SC2086
            set -- $(variant_cmd "$v")
            exe=$1; shift
            tot=()
            for n in $it $((2 * it)); do
                valgrind --tool=callgrind --toggle-collect=step \
                    --callgrind-out-file="$WORK/cg.out" "$exe" --no-huge -m 256 --no-pci \
                    --no-shconf --no-telemetry -l "$LCORE" --log-level='*:error' \
                    --file-prefix "$PFX-cg" -- --conns "$conns" --size "$SIZE" --warmup 2000 \
                    --transactions "$n" "$@" >/dev/null 2>&1 || die "callgrind: $v failed"
                tot+=("$(callgrind_annotate "$WORK/cg.out" 2>/dev/null |
                         awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }')")
            done
            per=$(( (tot[1] - tot[0]) / it ))
            [ -z "$base" ] && base=$per
            awk -v c="$conns" -v v="$v" -v p="$per" -v b="$base" \
                'BEGIN { printf "| %s | %s | %d | %+.1f %% |\n", c, v, p, 100 * (p / b - 1) }' \
                >>"$WORK/table.md"
        done
    done
fi
cat "$WORK/table.md"
if [ -n "$OUT" ]; then
    mkdir -p "$OUT" && cp "$TSV" "$WORK/table.md" "$OUT/" && echo "bench_options: $OUT/table.md"
fi
