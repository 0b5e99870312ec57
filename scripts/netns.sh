#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Run polltcp-echo on a TAP inside a private network namespace.
#
# Sourced (scripts/demo.sh does): defines
#   ptcp_start ECHO [app options]  make namespace $PTCP_NS, start the server on a
#                                  TAP in it ($PTCP_PID, log $PTCP_LOG), wait for
#                                  "listening on", configure the kernel side
#   ptcp_stop [SIGNAL]             signal the server (default INT), wait, kill if hung
#   ptcp_cleanup                   stop, delete the namespace and /var/run/dpdk/<prefix>
# Run directly:
#   bash scripts/netns.sh [build/app/polltcp-echo] [app options]
# starts the server and waits; in another shell use the printed
# `ip netns exec ...` commands; Ctrl-C stops it and cleans up.
#
# Addresses: kernel side of the TAP 198.18.0.1/24, the stack 198.18.0.2/24
# (198.18.0.0/15 is the benchmarking range). No traffic leaves the namespace.

PTCP_STACK_IP=198.18.0.2
PTCP_KERNEL_IP=198.18.0.1
PTCP_TAP=pt0
PTCP_NS=""
PTCP_PREFIX=""
PTCP_PID=""
PTCP_LOG=""
PTCP_TMP=""

ptcp_start() {
    local echo=$1; shift
    local tag
    tag="$$-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
    PTCP_NS="ptcp-$tag"
    PTCP_PREFIX="ptcp${tag//-/}"
    PTCP_TMP=$(mktemp -d /tmp/ptcp-demo.XXXXXX)
    PTCP_LOG="$PTCP_TMP/server.log"
    ip netns add "$PTCP_NS"
    ip netns exec "$PTCP_NS" "$echo" \
        --vdev=net_tap0,iface=$PTCP_TAP --no-pci --no-huge -m 256 -l 0 \
        --file-prefix "$PTCP_PREFIX" --log-level='*:warning' \
        -- --ip $PTCP_STACK_IP/24 "$@" </dev/null >"$PTCP_LOG" 2>&1 &
    PTCP_PID=$!            # ip netns exec execs the server: this is its PID
    local i
    for i in $(seq 200); do
        grep -q 'listening on' "$PTCP_LOG" && break
        if ! kill -0 "$PTCP_PID" 2>/dev/null; then
            echo "netns: polltcp-echo exited before listening:" >&2
            cat "$PTCP_LOG" >&2
            return 1
        fi
        sleep 0.1
    done
    if ! grep -q 'listening on' "$PTCP_LOG"; then
        echo "netns: no 'listening on' from polltcp-echo in 20 s:" >&2
        cat "$PTCP_LOG" >&2
        return 1
    fi
    local x=(ip netns exec "$PTCP_NS")
    "${x[@]}" ip link set $PTCP_TAP address 02:00:00:00:00:01
    "${x[@]}" sysctl -q -w net.ipv6.conf.$PTCP_TAP.disable_ipv6=1
    "${x[@]}" ip addr add $PTCP_KERNEL_IP/24 dev $PTCP_TAP
    "${x[@]}" ip link set $PTCP_TAP up
    "${x[@]}" ip link set lo up
}

ptcp_stop() {
    local sig=${1:-INT} i
    [ -n "$PTCP_PID" ] || return 0
    if kill -0 "$PTCP_PID" 2>/dev/null; then
        kill -"$sig" "$PTCP_PID" 2>/dev/null || true
        for i in $(seq 100); do
            kill -0 "$PTCP_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$PTCP_PID" 2>/dev/null; then
            echo "netns: polltcp-echo ignored SIG$sig for 10 s: SIGKILL" >&2
            kill -KILL "$PTCP_PID" 2>/dev/null || true
        fi
    fi
    PTCP_RC=0
    wait "$PTCP_PID" 2>/dev/null || PTCP_RC=$?
    PTCP_PID=""
}

ptcp_cleanup() {
    ptcp_stop TERM
    if [ -n "$PTCP_NS" ]; then
        ip netns del "$PTCP_NS" 2>/dev/null || true
        PTCP_NS=""
    fi
    if [ -n "$PTCP_PREFIX" ]; then
        rm -rf "/var/run/dpdk/$PTCP_PREFIX"
        PTCP_PREFIX=""
    fi
    if [ -n "$PTCP_TMP" ]; then
        rm -rf "$PTCP_TMP"
        PTCP_TMP=""
    fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    cd "$(dirname "$0")/.."
    echo_bin=build/app/polltcp-echo
    if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then echo_bin=$1; shift; fi
    [ "$(id -u)" -eq 0 ] || { echo "netns.sh: needs root" >&2; exit 1; }
    tail_pid=""
    on_exit() {
        [ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null
        ptcp_stop INT
        [ -n "$PTCP_LOG" ] && sed -n '/counters:/,$p' "$PTCP_LOG"
        ptcp_cleanup
    }
    trap on_exit EXIT
    trap 'exit 130' INT TERM
    ptcp_start "$echo_bin" "$@"
    cat <<MSG
polltcp-echo (PID $PTCP_PID) listens on $PTCP_STACK_IP in namespace $PTCP_NS.
Try, from another shell:
  ip netns exec $PTCP_NS ping -c 3 $PTCP_STACK_IP
  ip netns exec $PTCP_NS socat - TCP:$PTCP_STACK_IP:7
Log: $PTCP_LOG. Ctrl-C stops the server and removes the namespace.
MSG
    # In the background: a trapped signal interrupts `wait` at once, but would
    # wait for a foreground tail to end first.
    tail -n +1 -f "$PTCP_LOG" --pid "$PTCP_PID" &
    tail_pid=$!
    wait "$tail_pid" || true
fi
