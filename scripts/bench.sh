#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# One-command benchmark: polltcp against the Linux kernel and the raw DPDK
# packet rate, measured in one run on the same cores (docs/benchmarks.md).
#
#   bash scripts/bench.sh [options]          (root; bash scripts/bench.sh --help)
#
# Steps: deps.sh (gnuplot-nox, dpdk) -> build build-bench/ (release, -O3) ->
# reserve 2 MiB hugepages and mount hugetlbfs privately -> for each workload
# (a) raw: dpdk-testpmd txonly -> rxonly over memif, (b) polltcp-load <->
# memif <-> polltcp-echo, (c) polltcp-load --backend kernel <-> loopback <->
# kernel-echo in a private network namespace -> scripts/bench_report.py:
# table on stdout, results.json, plots, and (full runs) docs/benchmarks.md.
#
# Every process runs under timeout(1) in a process group of its own and is
# stopped by that group's PID; the EXIT trap (also on Ctrl-C) stops what is
# still running, writes the partial report, removes the hugepage files,
# unmounts, gives the pages back and deletes the namespace. A run that fails
# is recorded with its reason and the next one goes on.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

usage() {
    cat <<'EOF'
Usage: bash scripts/bench.sh [options]
  --duration S        seconds per measured run (default 10)
  --quick             2 s runs, hold 10000 unless --hold: checks the setup, no docs
  --only LIST         comma list of: raw rr64x1 rr64x64 rr64x64r50 rr1kx1 rr1kx64
                      rr64x64p16 stream crr hold (default all); no docs unless --docs
                      (--only hold --docs updates only the large-hold section of
                      docs/benchmarks.md); rr64x64r50 offers both stacks half of
                      the polltcp rr64x64 rate of the same run (needs rr64x64)
  --stacks LIST       polltcp,kernel (default both)
  --hold N            connections held in the hold row (default 1000000)
  --out DIR           results directory (default bench/<UTC timestamp>)
  --docs / --no-docs  rewrite docs/benchmarks.md and docs/img/bench-*.png or not
                      (default: only after a full run)
  --no-build          use build-bench/ as it is
  --profile           perf profile of polltcp-echo in each polltcp run (logs/NAME-perf-*,
                      NAME-profile.md: where the cycles go, cycles per transaction)
  --selftest          check the report code on tests/bench/canned (no root, no run)
Scaling on a bigger host (docs/real-nic.md):
  --server-lcores L   DPDK -l of polltcp-echo (default 0); kernel-echo gets the
                      same CPUs and one thread per CPU
  --client-lcores L   DPDK -l of polltcp-load (default 1); the kernel client runs
                      under taskset on the same CPUs
  --conns-scale K     multiply the connections of every multi-connection row by K
  --server-dev ARGS   EAL device arguments of the server instead of the memif vdev,
  --client-dev ARGS   e.g. "-a 0000:3b:00.0" (both ports cabled back to back)
  --hold-bytes B      hugepage bytes reserved per held connection, server and
                      client together (default 1024: see docs/benchmarks.md)
Environment: BENCH_STACK_ARGS (options for both polltcp-echo and polltcp-load, e.g.
  "--no-timestamps --no-sack --cc newreno" to measure what they cost), BENCH_HUGE_MAX_MB (hugepages on the machine in all, default 8192),
  BENCH_HOLD_HUGE_MAX_MB (the same for a hold run, default 13312: used only when
  no other hugepages are reserved, and never leaving less than 8 GiB of
  MemAvailable to everything else)
EOF
}

DURATION=10
DURATION_SET=0
QUICK=0
ONLY=""
STACKS="polltcp,kernel"
HOLD=1000000
HOLD_SET=0
OUT=""
DOCS=auto
NO_BUILD=0
PROFILE=0
SRV_LCORES=0
CLI_LCORES=1
CONNS_SCALE=1
SRV_DEV=""
CLI_DEV=""
HOLD_BYTES=1024
BUILD_DIR=${BENCH_BUILD:-build-bench}
# Extra options for both polltcp-echo and polltcp-load, e.g. "--no-timestamps --cc newreno"
read -r -a STACK_ARGS <<<"${BENCH_STACK_ARGS:-}"

HUGE_MAX_MB=${BENCH_HUGE_MAX_MB:-8192}  # hugepages on the machine in all, ours and others'
HOLD_HUGE_MAX_MB=${BENCH_HOLD_HUGE_MAX_MB:-13312}  # the same for a hold run, no others' pages
RAM_SPARE_MB=8192         # MemAvailable a hold run leaves to everything else
PAIR_MB=1024              # one pair of DPDK processes (rings, mbuf pools, tables)
ARGS_GIVEN="$*"

die() { echo "bench: error: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) DURATION=${2:?}; DURATION_SET=1; shift ;;
        --quick) QUICK=1 ;;
        --only) ONLY=${2:?}; shift ;;
        --stacks) STACKS=${2:?}; shift ;;
        --hold) HOLD=${2:?}; HOLD_SET=1; shift ;;
        --out) OUT=${2:?}; shift ;;
        --docs) DOCS=yes ;;
        --no-docs) DOCS=no ;;
        --no-build) NO_BUILD=1 ;;
        --profile) PROFILE=1 ;;
        --server-lcores) SRV_LCORES=${2:?}; shift ;;
        --client-lcores) CLI_LCORES=${2:?}; shift ;;
        --conns-scale) CONNS_SCALE=${2:?}; shift ;;
        --server-dev) SRV_DEV=${2:?}; shift ;;
        --client-dev) CLI_DEV=${2:?}; shift ;;
        --hold-bytes) HOLD_BYTES=${2:?}; shift ;;
        --selftest) exec python3 scripts/bench_report.py --selftest ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option '$1'" ;;
    esac
    shift
done
for v in DURATION HOLD CONNS_SCALE HOLD_BYTES; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "--${v,,} '${!v}': not a positive integer"
done
if [ "$QUICK" = 1 ]; then
    [ "$DURATION_SET" = 1 ] || DURATION=2
    [ "$HOLD_SET" = 1 ] || HOLD=10000
fi
[ "$DOCS" = auto ] && { [ "$QUICK" = 0 ] && [ -z "$ONLY" ] && DOCS=yes || DOCS=no; }
[ "$(id -u)" = 0 ] || die "needs root (hugepages, network namespaces)"

ALL="raw rr64x1 rr64x64 rr64x64r50 rr1kx1 rr1kx64 rr64x64p16 stream crr hold"
if [ -n "$ONLY" ]; then
    for w in ${ONLY//,/ }; do
        [[ " $ALL " == *" $w "* ]] || die "--only: unknown workload '$w' (known: $ALL)"
    done
fi
wanted() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }
stack_wanted() { [[ ",$STACKS," == *",$1,"* ]]; }

# CPU list of an lcore list ("0-2,5" -> "0,1,2,5"), its first CPU and its size.
expand_list() {
    local out=() part a b
    for part in ${1//,/ }; do
        if [[ $part == *-* ]]; then
            a=${part%-*}; b=${part#*-}
            for ((; a <= b; a++)); do out+=("$a"); done
        else
            out+=("$part")
        fi
    done
    local IFS=,; echo "${out[*]}"
}
SRV_CPUS=$(expand_list "$SRV_LCORES")
CLI_CPUS=$(expand_list "$CLI_LCORES")
SRV_CPU0=${SRV_CPUS%%,*}
CLI_CPU0=${CLI_CPUS%%,*}
SRV_N=$(tr ',' '\n' <<<"$SRV_CPUS" | wc -l)
CLI_N=$(tr ',' '\n' <<<"$CLI_CPUS" | wc -l)

TS=$(date -u +%Y%m%d-%H%M%S)
OUT=${OUT:-bench/$TS}
mkdir -p "$OUT/logs" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd)
: >"$OUT/runs.tsv"

# ---- State the EXIT trap undoes ------------------------------------------------------
TMP=""              # private temporary directory: hugetlbfs mount point, memif sockets
HUGE=""             # our hugetlbfs mount
HUGE_ADDED=0        # pages we added to nr_hugepages
NS=""               # our network namespace
PFX="bench$$"       # DPDK --file-prefix stem (runtime dirs /var/run/dpdk/$PFX*)
PIDS=()             # process groups started (timeout's PID = the group's ID)
REPORTED=0
HP=/sys/kernel/mm/hugepages/hugepages-2048kB

# forget PID: a group we waited for leaves PIDS (its number may be reused).
forget() {
    local p keep=()
    for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}

# stop_group PID [GRACE]: SIGINT to the group (the programs print their
# summaries and exit), SIGKILL after GRACE seconds if any is still there.
stop_group() {
    local pid=$1 grace=${2:-10} i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; forget "$pid"; return 0; }
    kill -INT -- "-$pid" 2>/dev/null
    for ((i = 0; i < grace * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "bench: process group $pid did not stop in ${grace} s: SIGKILL" >&2
        kill -KILL -- "-$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    forget "$pid"
    return 0
}

clean_dpdk_files() {
    [ -n "$HUGE" ] && rm -f "$HUGE"/srv/* "$HUGE"/cli/* 2>/dev/null
    rm -rf /var/run/dpdk/"$PFX"-* 2>/dev/null
    return 0
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    local p
    for p in "${PIDS[@]}"; do stop_group "$p" 5; done
    PIDS=()
    if [ "$REPORTED" = 0 ] && [ -s "$OUT/runs.tsv" ]; then
        echo "bench: writing the partial report" >&2
        python3 scripts/bench_report.py "$OUT" >&2 || true
    fi
    [ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
    clean_dpdk_files
    if [ -n "$HUGE" ] && mountpoint -q "$HUGE"; then
        umount "$HUGE" || echo "bench: could not unmount $HUGE" >&2
    fi
    if [ "$HUGE_ADDED" -gt 0 ]; then
        local cur new
        cur=$(cat $HP/nr_hugepages)
        new=$((cur - HUGE_ADDED))
        [ "$new" -lt 0 ] && new=0
        echo "$new" >$HP/nr_hugepages
        echo "bench: hugepages given back: nr_hugepages $cur -> $(cat $HP/nr_hugepages)" >&2
    fi
    [ -n "$TMP" ] && rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT TERM

# start_bg LOG LIMIT CMD...: run CMD in the background under timeout(1) (its
# own process group, killed after LIMIT s), stdout+stderr to LOG; sets BG.
# NOFILE, when set, raises the file descriptor limit first.
start_bg() {
    local log=$1 limit=$2
    shift 2
    (
        [ -n "${NOFILE:-}" ] && ulimit -n "$NOFILE"
        exec timeout -k 5 "$limit" "$@"
    ) </dev/null >"$log" 2>&1 &
    BG=$!
    PIDS+=("$BG")
}

# wait_for LOG PATTERN SECS PID: until LOG has PATTERN; 1 if PID ended or time ran out.
wait_for() {
    local log=$1 pat=$2 secs=$3 pid=$4 i
    for ((i = 0; i < secs * 10; i++)); do
        grep -q -- "$pat" "$log" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# nap S: an interruptible sleep (Ctrl-C reaches the trap at once).
nap() { sleep "$1" & wait $!; }

# record WORKLOAD STACK MODE CONNS SIZE PIPELINE STATUS CLIENT_LOG SERVER_LOG
record() {
    local IFS=$'\t'
    echo "$*" >>"$OUT/runs.tsv"
    echo "bench: $1 $2: $7"
}
rel() { echo "${1#"$OUT"/}"; }

# Status of a finished client: "ok" when it printed its summary, else why not.
client_status() {
    local rc=$1 log=$2 limit=$3
    if grep -q '^result:' "$log"; then
        [ "$rc" = 0 ] || echo "bench: note: client exited $rc after its summary ($log)" >&2
        echo ok
    elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        echo "failed: timed out after $limit s"
    else
        echo "failed: exit $rc, no result line: $(grep -m1 -i error "$log" | cut -c1-100)"
    fi
}

# ---- Build --------------------------------------------------------------------------------
if [ "$NO_BUILD" = 0 ]; then
    bash scripts/deps.sh || die "scripts/deps.sh failed"
    # -O3 (release) with DWARF: the same code, and perf can name inlined functions.
    if [ ! -d "$BUILD_DIR/meson-private" ]; then
        meson setup "$BUILD_DIR" --buildtype=release -Ddebug=true -Dtests=false \
            >"$OUT/logs/build.log" 2>&1 \
            || { tail -20 "$OUT/logs/build.log" >&2; die "meson setup failed"; }
    fi
    meson configure "$BUILD_DIR" -Doptimization=3 -Ddebug=true >>"$OUT/logs/build.log" 2>&1
    meson compile -C "$BUILD_DIR" -j "$(nproc)" >>"$OUT/logs/build.log" 2>&1 \
        || { tail -20 "$OUT/logs/build.log" >&2; die "build failed (log: $OUT/logs/build.log)"; }
fi
BIN=$BUILD_DIR/app
[[ $BIN == /* ]] || BIN=$ROOT/$BIN
ECHO=$BIN/polltcp-echo
LOAD=${BENCH_LOAD:-$BIN/polltcp-load}   # BENCH_LOAD: a test double
KECHO=$BIN/kernel-echo
TESTPMD=$(command -v dpdk-testpmd || true)
if [ "$PROFILE" = 1 ]; then
    command -v perf >/dev/null || die "--profile needs perf (Debian package linux-perf)"
fi
[ -x "$ECHO" ] && [ -x "$LOAD" ] || die "no $ECHO or $LOAD: build first (or drop --no-build)"

# What this polltcp-load can do (the modes, the kernel backend, a rate limit).
LOAD_HELP=$("$LOAD" -- --help 2>&1)
has_opt() { grep -q -- "--$1\b" <<<"$LOAD_HELP"; }
LOAD_SKIP=""
has_opt mode || LOAD_SKIP="skipped: this polltcp-load has no --mode (rr/stream/crr/hold)"
KERNEL_SKIP=$LOAD_SKIP
[ -n "$KERNEL_SKIP" ] || has_opt backend || KERNEL_SKIP="skipped: polltcp-load has no --backend"
[ -n "$KERNEL_SKIP" ] || [ -x "$KECHO" ] || KERNEL_SKIP="skipped: no $BUILD_DIR/app/kernel-echo"

# Other processes using a CPU right now (they take from the figures): "name(pct%) ...".
others_busy() {
    top -b -w 180 -n 2 -d 0.5 -o %CPU 2>/dev/null | awk '
        /^top -/ { n++ } n == 2 && $1 ~ /^[0-9]+$/ && $9 + 0 >= 20 { printf "%s(%s%%) ", $12, $9 }'
}

# ---- Metadata (first, so that a partial report has it) -------------------------------
{
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "command=bash scripts/bench.sh${ARGS_GIVEN:+ $ARGS_GIVEN}"
    # (modified): tracked files differ from HEAD, not counting what a run writes
    echo "commit=$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- . \
        ':!docs/benchmarks.md' ':!docs/img' 2>/dev/null || echo ' (modified)')"
    echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
    echo "cores=$(nproc)"
    echo "memory=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "kernel=$(uname -r)"
    echo "dpdk=$(pkg-config --modversion libdpdk 2>/dev/null)"
    echo "duration=$DURATION s"
    echo "cores_used=server CPU $SRV_CPUS, client CPU $CLI_CPUS"
    echo "binaries=${BIN#"$ROOT"/}"
    echo "hold=$HOLD"
    echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "busy_start=$(others_busy)"
} >"$OUT/meta.env"

# ---- Hugepages ------------------------------------------------------------------------------
# Processes run one pair at a time, so the need is the largest pair: testpmd
# (16384 mbufs each, ~60 MiB) and the polltcp pairs fit in PAIR_MB; hold adds
# HOLD_BYTES per connection. Measured (bench run of 2026-12-04 17:46, hold
# 1M): polltcp-echo preallocates 378 B per --max-conns slot (the connection
# array, free list and hash table; TIME-WAIT records are capped at 262144
# x 201 B), polltcp-load about as much for its own stack, and the peak
# hugepage use of the two together was 952 MiB for 1M connections, 998 B a
# connection with the fixed pools included: 1024 B leaves a margin.
# hold 10M: 1 GiB + 9.8 GiB. That passes the 8 GiB cap kept for the
# machine's other users, so a hold run may go to HOLD_HUGE_MAX_MB when no
# one else has hugepages reserved, and never below RAM_SPARE_MB of
# MemAvailable for everything else.
base_pages=$((PAIR_MB / 2))
hold_pages=$(( (PAIR_MB + (HOLD * HOLD_BYTES + 1048575) / 1048576 + 1) / 2 ))
want=$base_pages
HOLD_SKIP=""
if wanted hold; then
    want=$((hold_pages > base_pages ? hold_pages : base_pages))
fi
[ -d $HP ] || die "no 2 MiB hugepages on this kernel ($HP)"
before=$(cat $HP/nr_hugepages)
cap_pages=$((HUGE_MAX_MB / 2 - before))
cap_why="the $HUGE_MAX_MB MiB cap"
if wanted hold && [ "$want" -gt "$cap_pages" ] && [ "$before" = 0 ]; then
    avail_mb=$(awk '/MemAvailable/ { print int($2 / 1024) }' /proc/meminfo)
    cap_pages=$(( (avail_mb - RAM_SPARE_MB) / 2 ))
    cap_why="$((avail_mb - RAM_SPARE_MB)) MiB (MemAvailable $avail_mb MiB less $RAM_SPARE_MB MiB kept free)"
    if [ "$cap_pages" -gt $((HOLD_HUGE_MAX_MB / 2)) ]; then
        cap_pages=$((HOLD_HUGE_MAX_MB / 2))
        cap_why="the hold cap of $HOLD_HUGE_MAX_MB MiB"
    fi
    if [ "$cap_pages" -lt $((HUGE_MAX_MB / 2)) ]; then
        cap_pages=$((HUGE_MAX_MB / 2))
        cap_why="the $HUGE_MAX_MB MiB cap"
    fi
fi
if [ "$want" -gt "$cap_pages" ]; then
    if wanted hold && [ "$base_pages" -le "$cap_pages" ]; then
        HOLD_SKIP="skipped: hold $HOLD needs $((hold_pages * 2)) MiB of hugepages; with the $((before * 2)) MiB already reserved on this machine that passes $cap_why"
        echo "bench: $HOLD_SKIP" >&2
        want=$base_pages
    else
        die "need $((want * 2)) MiB of hugepages, $((before * 2)) MiB already reserved, cap: $cap_why"
    fi
fi
echo $((before + want)) >$HP/nr_hugepages 2>/dev/null
after=$(cat $HP/nr_hugepages)
HUGE_ADDED=$((after > before ? after - before : 0))
echo "bench: hugepages: nr_hugepages $before -> $after (+$HUGE_ADDED of $want asked, 2 MiB each)"
if [ "$HUGE_ADDED" -lt "$base_pages" ]; then
    die "the kernel granted $HUGE_ADDED of the $want 2 MiB hugepages asked (memory fragmented?); need at least $base_pages"
fi
if [ "$HUGE_ADDED" -lt "$want" ] && [ -z "$HOLD_SKIP" ]; then
    HOLD_SKIP="skipped: granted $HUGE_ADDED hugepages, hold $HOLD needs $hold_pages"
fi
echo "hugepages=$HUGE_ADDED x 2 MiB reserved by the run" >>"$OUT/meta.env"
TMP=$(mktemp -d /tmp/polltcp-bench.XXXXXX)
mkdir "$TMP/huge"
mount -t hugetlbfs -o "pagesize=2M,size=$((HUGE_ADDED * 2))M" nodev "$TMP/huge" \
    || die "cannot mount hugetlbfs on $TMP/huge"
HUGE=$TMP/huge
mkdir "$HUGE/srv" "$HUGE/cli"

# ---- (a) the raw memif packet rate ---------------------------------------------------------
run_raw() {
    local rxlog=$OUT/logs/raw-rx.log txlog=$OUT/logs/raw-tx.log rx tx
    local sock=$TMP/raw.sock limit=$((DURATION + 60))
    if [ -z "$TESTPMD" ]; then
        record raw raw txonly 1 64 1 "skipped: no dpdk-testpmd (Debian package dpdk-dev)" - -
        return
    fi
    # testpmd needs a main lcore besides the forwarding one: both on one CPU
    # (the main lcore sleeps between its one-second statistics).
    local common=(--huge-unlink --log-level='*:notice')
    local fwd=(--stats-period 1 --nb-cores=1 --total-num-mbufs=16384)
    local sdev=(--no-pci --vdev="net_memif0,role=server,socket=$sock,socket-abstract=no")
    local cdev=(--no-pci --vdev="net_memif0,role=client,socket=$sock,socket-abstract=no")
    [ -n "$SRV_DEV" ] && read -r -a sdev <<<"$SRV_DEV"
    [ -n "$CLI_DEV" ] && read -r -a cdev <<<"$CLI_DEV"
    start_bg "$rxlog" "$limit" "$TESTPMD" --lcores "0@$SRV_CPU0,1@$SRV_CPU0" "${common[@]}" \
        --file-prefix "$PFX-rs" --huge-dir "$HUGE/srv" "${sdev[@]}" \
        -- --forward-mode=rxonly "${fwd[@]}"
    rx=$BG
    if ! wait_for "$rxlog" 'packet forwarding - ports' 30 "$rx"; then
        stop_group "$rx"
        record raw raw txonly 1 64 1 "failed: testpmd (rxonly) did not start" "$(rel "$rxlog")" -
        return
    fi
    start_bg "$txlog" "$limit" "$TESTPMD" --lcores "0@$CLI_CPU0,1@$CLI_CPU0" "${common[@]}" \
        --file-prefix "$PFX-rc" --huge-dir "$HUGE/cli" "${cdev[@]}" \
        -- --forward-mode=txonly --txpkts=64 "${fwd[@]}"
    tx=$BG
    # The link comes up within the first second; the report drops the first
    # and last samples, so +3 s leaves DURATION steady ones.
    nap $((DURATION / 2 + 1))
    # Others on the CPUs in mid-run (ours are the two dpdk-testpmd processes).
    echo "busy_raw=$(others_busy | sed 's/dpdk-testp[^ ]* //g')" >>"$OUT/meta.env"
    nap $((DURATION - DURATION / 2 + 1))
    local st=ok
    kill -0 "$tx" 2>/dev/null || st="failed: testpmd (txonly) ended early"
    kill -0 "$rx" 2>/dev/null || st="failed: testpmd (rxonly) ended early"
    stop_group "$tx"
    stop_group "$rx"
    clean_dpdk_files
    record raw raw txonly 1 64 1 "$st" "$(rel "$rxlog")" "$(rel "$txlog")"
}

# ---- (b) polltcp over memif, (c) the kernel over loopback -----------------------------------
SRV_IP=198.18.0.1
CLI_IP=198.18.1.1
POLLTCP_PORTS_PER_IP=16384     # polltcp's ephemeral ports: 49152..65535
KERNEL_PORTS_PER_IP=64000      # ip_local_port_range 1024 65535 in our namespace

# Per-mode client options and the run's time limit.
client_opts() {       # MODE CONNS SIZE PIPELINE
    local o=(--mode "$1" --conns "$2" --duration "$DURATION")
    [ "$1" = hold ] || o+=(--size "$3")
    [ "$4" -gt 1 ] && o+=(--pipeline "$4")
    echo "${o[@]}"
}
run_limit() {         # MODE CONNS: connection setup of hold at >= 5000/s, plus margins
    if [ "$1" = hold ]; then
        echo $((DURATION + 60 + $2 / 5000))
    else
        echo $((DURATION + 30))
    fi
}

run_polltcp() {       # NAME MODE CONNS SIZE PIPELINE [extra client options]
    local name=$1 mode=$2 conns=$3 size=$4 pipe=$5
    shift 5
    local slog=$OUT/logs/$name-polltcp-server.log clog=$OUT/logs/$name-polltcp-client.log
    local limit srv cli rc st sock=$TMP/$name.sock maxc=4096 ipc=1
    limit=$(run_limit "$mode" "$conns")
    local sdev=(--no-pci --vdev="net_memif0,role=server,socket=$sock,socket-abstract=no")
    local cdev=(--no-pci --vdev="net_memif0,role=client,socket=$sock,socket-abstract=no")
    [ -n "$SRV_DEV" ] && read -r -a sdev <<<"$SRV_DEV"
    [ -n "$CLI_DEV" ] && read -r -a cdev <<<"$CLI_DEV"
    if [ "$mode" = hold ]; then
        maxc=$((conns + 1024))
        # An eighth more addresses than the ports strictly need: the port
        # walk of an address that is 99.9 % full takes ~1000 tries a connect.
        ipc=$(( (conns + conns / 8 + POLLTCP_PORTS_PER_IP - 1) / POLLTCP_PORTS_PER_IP ))
    fi
    # crr: the client closes first, so each connection leaves a TIME-WAIT on
    # its port; 64 addresses and a 200 ms TIME-WAIT (--msl-ms 100, ample
    # over a link whose round trip is microseconds) give 64 x 16384 ports /
    # 0.2 s = 5.2 M connections/s before ports run out. polltcp's client
    # opens 500-600 k/s on one lcore: 16 addresses at a 2 s TIME-WAIT (131 k/s)
    # and 64 (524 k/s) both ran out, with connect errors and stalls.
    local ipopt=()
    [ "$mode" = crr ] && { ipc=64; ipopt=(--msl-ms 100); }
    [ "$ipc" -gt 1 ] && ipopt+=(--ip-count "$ipc")
    start_bg "$slog" $((limit + 30)) "$ECHO" -l "$SRV_LCORES" --file-prefix "$PFX-s" \
        --huge-dir "$HUGE/srv" --huge-unlink "${sdev[@]}" \
        -- --ip "$SRV_IP/15" --max-conns "$maxc" "${STACK_ARGS[@]}"
    srv=$BG
    if ! wait_for "$slog" 'listening on' 30 "$srv"; then
        stop_group "$srv"
        record "$name" polltcp "$mode" "$conns" "$size" "$pipe" \
            "failed: polltcp-echo did not start: $(grep -m1 -i error "$slog" | cut -c1-100)" \
            "$(rel "$clog")" "$(rel "$slog")"
        clean_dpdk_files
        return
    fi
    # shellcheck disable=SC2046
    start_bg "$clog" "$limit" "$LOAD" -l "$CLI_LCORES" --file-prefix "$PFX-c" \
        --huge-dir "$HUGE/cli" --huge-unlink "${cdev[@]}" \
        -- --ip "$CLI_IP/15" "${ipopt[@]}" --connect "$SRV_IP:7" \
        $(client_opts "$mode" "$conns" "$size" "$pipe") \
        --json "$OUT/logs/$name-polltcp.json" "${STACK_ARGS[@]}" "$@"
    cli=$BG
    # hold: the peak hugepage use of both processes (df of our mount), for the report
    local sampler=""
    if [ "$mode" = hold ]; then
        start_bg "$OUT/logs/$name-huge-peak.txt" "$limit" bash -c '
            peak=0
            while kill -0 "$1" 2>/dev/null; do
                u=$(df --output=used -m "$2" | tail -1 | tr -d " ")
                [ "$u" -gt "$peak" ] && peak=$u
                echo "$peak" >"$3"
                sleep 0.5
            done' _ "$cli" "$HUGE" "$OUT/logs/$name-huge-peak.mib"
        sampler=$BG
    fi
    local prof=""
    if [ "$PROFILE" = 1 ]; then
        profile_start "$name" "$srv"
        prof=$PROF_PID
    fi
    wait "$cli" 2>/dev/null
    rc=$?
    forget "$cli"
    [ -n "$prof" ] && { wait "$prof"; forget "$prof"; }
    [ -n "$sampler" ] && { wait "$sampler"; forget "$sampler"; }
    stop_group "$srv"
    clean_dpdk_files
    st=$(client_status "$rc" "$clog" "$limit")
    [ -n "$prof" ] && profile_report "$name" "$mode"
    if [ -s "$OUT/logs/$name-huge-peak.mib" ]; then
        echo "hold_huge_peak_mib=$(cat "$OUT/logs/$name-huge-peak.mib")" >>"$OUT/meta.env"
    fi
    record "$name" polltcp "$mode" "$conns" "$size" "$pipe" "$st" \
        "$(rel "$clog")" "$(rel "$slog")"
}

# profile_start NAME SERVER_GROUP: perf stat + perf record of polltcp-echo over
# a window that starts 1 s into the client's run and ends 1 s before its end
# (no handshakes, no teardown). Sets PROF_PID (empty if there is nothing to profile).
profile_start() {
    local name=$1 srv=$2 epid win=$((DURATION > 3 ? DURATION - 2 : 1))
    PROF_PID=""
    epid=$(pgrep -P "$srv" | head -1)
    [ -n "$epid" ] || return 0
    # Under start_bg: its own process group, bounded, stopped by PID like the rest.
    start_bg "$OUT/logs/$name-perf-record.log" $((win + 30)) bash -c '
        sleep 1
        perf stat -e task-clock,cycles,instructions -p "$1" -o "$2-perf-stat.txt" -- sleep "$3" &
        perf record -e cpu-clock -F 999 --call-graph dwarf,8192 -p "$1" -o "$2.perf.data" \
            -- sleep "$3"
        wait
        echo "window_s=$3" >"$2-perf-window.env"' _ "$epid" "$OUT/logs/$name" "$win"
    PROF_PID=$BG
}

# profile_report NAME MODE: perf reports as text, and NAME-profile.md with the
# cycles per transaction (TSC cycles of the server's CPU time / transactions).
profile_report() {
    local name=$1 mode=$2 d=$OUT/logs data cpu_ms win rate mhz cpt=""
    data=$d/$name.perf.data
    [ -s "$data" ] || { echo "bench: $name: no perf data" >&2; return 0; }
    perf report -i "$data" --no-children --sort dso,srcfile --stdio -g none \
        >"$d/$name-perf-srcfile.txt" 2>/dev/null
    perf report -i "$data" --no-children --sort dso,sym --stdio -g none --percent-limit 0.3 \
        >"$d/$name-perf-symbols.txt" 2>/dev/null
    perf report -i "$data" --no-children --stdio -G --percent-limit 2 \
        >"$d/$name-perf-callers.txt" 2>/dev/null
    cpu_ms=$(awk '/task-clock/ { gsub(",", "", $1); print $1 }' "$d/$name-perf-stat.txt")
    win=$(sed -n 's/^window_s=//p' "$d/$name-perf-window.env" 2>/dev/null)
    case $mode in crr) f='conn\/s' ;; *) f='tx\/s' ;; esac
    rate=$(sed -n "s/^result:.* $f \([0-9.]*\) .*/\1/p" "$d/$name-polltcp-client.log" | tail -1)
    mhz=$(awk -F: '/^cpu MHz/ { print $2; exit }' /proc/cpuinfo)
    if [ -n "$cpu_ms" ] && [ -n "$win" ] && [ -n "$rate" ] && [ -n "$mhz" ]; then
        cpt=$(awk -v c="$cpu_ms" -v w="$win" -v r="$rate" -v m="$mhz" \
              'BEGIN { if (r > 0) printf "%d", (c / 1000 / w) * m * 1e6 / r }')
    fi
    {
        echo "### $name: polltcp-echo, $(grep -m1 '^result:' "$d/$name-polltcp-client.log")"
        echo
        echo "server CPU ${cpu_ms:-?} ms in ${win:-?} s, TSC ${mhz:-?} MHz:" \
             "${cpt:-?} cycles per transaction (includes empty polls)"
        grep -E ' (cycles|instructions) ' "$d/$name-perf-stat.txt" | sed 's/^ */    /'
        echo
        python3 "$ROOT/scripts/bench_report.py" --perf-summary "$d/$name-perf-srcfile.txt" $cpt
    } >"$d/$name-profile.md"
    echo "bench: $name: profile in $(rel "$d/$name-profile.md")"
}

make_ns() {
    [ -n "$NS" ] && return 0
    NS=bench-$$
    ip netns add "$NS" || { NS=""; return 1; }
    ip -n "$NS" link set lo up
    # The same addresses as polltcp's run, on lo: 198.18.0.0/15 is then local.
    ip -n "$NS" addr add "$SRV_IP/15" dev lo
    # Per-namespace settings only: the host's stay as they are.
    ip netns exec "$NS" sysctl -q -w net.ipv4.ip_local_port_range="1024 65535"
    ip netns exec "$NS" sysctl -q -w net.core.somaxconn=65535
    ip netns exec "$NS" sysctl -q -w net.ipv4.tcp_max_syn_backlog=65535 2>/dev/null
    return 0
}

run_kernel() {        # NAME MODE CONNS SIZE PIPELINE [extra client options]
    local name=$1 mode=$2 conns=$3 size=$4 pipe=$5
    shift 5
    local slog=$OUT/logs/$name-kernel-server.log clog=$OUT/logs/$name-kernel-client.log
    local limit srv cli rc st ipc=1 nofile=""
    limit=$(run_limit "$mode" "$conns")
    if ! make_ns; then
        record "$name" kernel "$mode" "$conns" "$size" "$pipe" "failed: ip netns add" - -
        return
    fi
    if [ "$mode" = hold ]; then
        ipc=$(( (conns + KERNEL_PORTS_PER_IP - 1) / KERNEL_PORTS_PER_IP ))
        nofile=$((conns + 4096))
        local nr_open
        nr_open=$(cat /proc/sys/fs/nr_open)
        if [ "$nofile" -gt "$nr_open" ]; then
            record "$name" kernel "$mode" "$conns" "$size" "$pipe" \
                "skipped: $conns sockets per process pass fs.nr_open $nr_open" - -
            return
        fi
        if ! (ulimit -n "$nofile") 2>/dev/null; then
            record "$name" kernel "$mode" "$conns" "$size" "$pipe" \
                "skipped: $conns sockets need $nofile open files per process; the hard RLIMIT_NOFILE is $(ulimit -Hn) and this shell cannot raise it" - -
            return
        fi
        # Both ends are in this kernel: about 2 x 3 KiB per connection.
        local avail_kb need_kb=$((conns * 6))
        avail_kb=$(awk '/MemAvailable/ { print $2 }' /proc/meminfo)
        if [ "$need_kb" -gt $((avail_kb / 2)) ]; then
            record "$name" kernel "$mode" "$conns" "$size" "$pipe" \
                "skipped: $conns kernel connections need ~$((need_kb / 1024)) MiB, $((avail_kb / 1024)) MiB available" - -
            return
        fi
    fi
    # crr: 16 source addresses like polltcp's client; Linux reuses its
    # TIME-WAIT ports for new outgoing connections on loopback (tcp_tw_reuse=2).
    local ipopt=()
    [ "$mode" = crr ] && ipc=16
    [ "$ipc" -gt 1 ] && ipopt=(--ip-count "$ipc")
    NOFILE=$nofile start_bg "$slog" $((limit + 30)) ip netns exec "$NS" \
        taskset -c "$SRV_CPUS" "$KECHO" --listen "$SRV_IP:7" --threads "$SRV_N" --cpus "$SRV_CPUS"
    srv=$BG
    if ! wait_for "$slog" 'listening on' 30 "$srv"; then
        stop_group "$srv"
        record "$name" kernel "$mode" "$conns" "$size" "$pipe" \
            "failed: kernel-echo did not start: $(head -c 100 "$slog")" "$(rel "$clog")" "$(rel "$slog")"
        return
    fi
    # shellcheck disable=SC2046
    NOFILE=$nofile start_bg "$clog" "$limit" ip netns exec "$NS" taskset -c "$CLI_CPUS" \
        "$LOAD" -- --backend kernel --threads "$CLI_N" --ip "$CLI_IP/15" "${ipopt[@]}" \
        --connect "$SRV_IP:7" \
        $(client_opts "$mode" "$conns" "$size" "$pipe") \
        --json "$OUT/logs/$name-kernel.json" "$@"
    cli=$BG
    # hold: the kernel's slab growth (sockets of both ends live in it), sampled
    # system-wide from /proc/meminfo: other work on the machine adds noise.
    local sampler=""
    if [ "$mode" = hold ]; then
        start_bg "$OUT/logs/$name-slab.txt" "$limit" bash -c '
            base=$(awk "/^Slab:/ { print \$2 }" /proc/meminfo); peak=0
            while kill -0 "$1" 2>/dev/null; do
                d=$(( $(awk "/^Slab:/ { print \$2 }" /proc/meminfo) - base ))
                [ "$d" -gt "$peak" ] && peak=$d
                echo "$peak" >"$2"
                sleep 0.5
            done' _ "$cli" "$OUT/logs/$name-slab-peak.kib"
        sampler=$BG
    fi
    wait "$cli" 2>/dev/null
    rc=$?
    forget "$cli"
    [ -n "$sampler" ] && { wait "$sampler"; forget "$sampler"; }
    if [ -s "$OUT/logs/$name-slab-peak.kib" ]; then
        echo "hold_kernel_slab_peak_kib=$(cat "$OUT/logs/$name-slab-peak.kib")" >>"$OUT/meta.env"
    fi
    stop_group "$srv"
    st=$(client_status "$rc" "$clog" "$limit")
    record "$name" kernel "$mode" "$conns" "$size" "$pipe" "$st" \
        "$(rel "$clog")" "$(rel "$slog")"
}

run_workload() {      # NAME MODE CONNS SIZE PIPELINE
    local name=$1 mode=$2 conns=$3 size=$4 pipe=$5
    wanted "$name" || return 0
    if [ "$mode" != hold ] && [ "$conns" -gt 1 ]; then
        conns=$((conns * CONNS_SCALE))
    fi
    if stack_wanted polltcp; then
        if [ -n "$LOAD_SKIP" ]; then
            record "$name" polltcp "$mode" "$conns" "$size" "$pipe" "$LOAD_SKIP" - -
        elif [ "$mode" = hold ] && [ -n "$HOLD_SKIP" ]; then
            record "$name" polltcp "$mode" "$conns" "$size" "$pipe" "$HOLD_SKIP" - -
        else
            run_polltcp "$name" "$mode" "$conns" "$size" "$pipe"
        fi
    fi
    if stack_wanted kernel; then
        if [ -n "$KERNEL_SKIP" ]; then
            record "$name" kernel "$mode" "$conns" "$size" "$pipe" "$KERNEL_SKIP" - -
        else
            run_kernel "$name" "$mode" "$conns" "$size" "$pipe"
        fi
    fi
}

# rr64x64r50: the latency at half of polltcp's peak rr 64 B x64 rate (the
# rr64x64 row of this run), both stacks offered that same rate open loop
# (polltcp-load --rate; --pipeline 1 as in rr64x64). Where the kernel's
# peak is below it, the kernel misses the offered rate: its requests queue
# up and their latency (from the time each was due) grows with the run;
# the report says so beside its figures.
run_rate50() {
    local name=rr64x64r50 c=$((64 * CONNS_SCALE)) why="" peak half
    wanted "$name" || return 0
    if [ -n "$LOAD_SKIP" ]; then
        why=$LOAD_SKIP
    elif ! has_opt rate; then
        why="skipped: this polltcp-load has no --rate"
    fi
    peak=$(sed -n 's/^result:.* tx\/s \([0-9.]*\) .*/\1/p' "$OUT/logs/rr64x64-polltcp-client.log" \
           2>/dev/null | tail -1)
    if [ -z "$why" ] && { [ -z "$peak" ] || [ "${peak%.*}" -lt 2 ]; }; then
        why="skipped: no polltcp rr 64 B x64 figure in this run to halve (run rr64x64 too)"
    fi
    if [ -n "$why" ]; then
        stack_wanted polltcp && record "$name" polltcp rr "$c" 64 1 "$why" - -
        stack_wanted kernel && record "$name" kernel rr "$c" 64 1 "$why" - -
        return 0
    fi
    half=$(( ${peak%.*} / 2 ))
    echo "rate50_offered=$half" >>"$OUT/meta.env"
    echo "bench: $name: offering $half tx/s (half of polltcp's $peak) to both stacks"
    stack_wanted polltcp && run_polltcp "$name" rr "$c" 64 1 --rate "$half"
    if stack_wanted kernel; then
        if [ -n "$KERNEL_SKIP" ]; then
            record "$name" kernel rr "$c" 64 1 "$KERNEL_SKIP" - -
        else
            run_kernel "$name" rr "$c" 64 1 --rate "$half"
        fi
    fi
}

echo "bench: results in $OUT (duration $DURATION s per run)"
wanted raw && run_raw
run_workload rr64x1     rr     1  64    1
run_workload rr64x64    rr     64 64    1
run_rate50
run_workload rr1kx1     rr     1  1024  1
run_workload rr1kx64    rr     64 1024  1
run_workload rr64x64p16 rr     64 64    16
run_workload stream     stream 64 16384 1
run_workload crr        crr    64 64    1
run_workload hold       hold   "$HOLD" 0 1

{
    echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "busy_end=$(others_busy)"
} >>"$OUT/meta.env"
echo
docs=()
if [ "$DOCS" = yes ] && [ "$ONLY" = hold ]; then
    # A hold run of its own: its section of the page, the rest stays.
    docs=(--docs-hold "$ROOT/docs/benchmarks.md")
elif [ "$DOCS" = yes ]; then
    docs=(--docs "$ROOT/docs/benchmarks.md")
fi
python3 scripts/bench_report.py "$OUT" "${docs[@]}"
REPORTED=1
echo
echo "bench: results.json, table.txt, plots and logs in $OUT"
if [ "$DOCS" = yes ] && [ "$ONLY" = hold ]; then
    echo "bench: docs/benchmarks.md: its hold section and hold targets updated"
elif [ "$DOCS" = yes ]; then
    echo "bench: docs/benchmarks.md and docs/img/bench-*.png rewritten"
fi
nfail=$(cut -f7 "$OUT/runs.tsv" | grep -c '^failed')
if [ "$nfail" -gt 0 ]; then
    echo "bench: $nfail run(s) failed (see the lines above the table's end)" >&2
    exit 1
fi
exit 0
