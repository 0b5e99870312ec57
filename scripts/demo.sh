#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build polltcp, start polltcp-echo on a TAP in a private network namespace,
# and let the Linux kernel's TCP/IP talk to it: ping, then a TCP echo.
# Everything it makes (namespace, server, /var/run/dpdk/<prefix>) is removed
# on exit, however it exits. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}

[ "$(id -u)" -eq 0 ] || { echo "demo.sh: needs root (network namespace, TAP)" >&2; exit 1; }

bash scripts/deps.sh
[ -d "$BUILD/meson-private" ] || meson setup "$BUILD"
meson compile -C "$BUILD"

. scripts/netns.sh
trap ptcp_cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n==> %s\n' "$*"; }

step "starting polltcp-echo in namespace (stack $PTCP_STACK_IP, kernel $PTCP_KERNEL_IP)"
ptcp_start "$BUILD/app/polltcp-echo"
echo "namespace $PTCP_NS, server PID $PTCP_PID"
grep 'listening on' "$PTCP_LOG"

step "ip netns exec \$NS ping -c 3 $PTCP_STACK_IP"
ip netns exec "$PTCP_NS" ping -n -c 3 -i 0.3 -W 2 "$PTCP_STACK_IP"

step "a Python (Linux kernel TCP) client sends a line to port 7"
ip netns exec "$PTCP_NS" python3 - "$PTCP_STACK_IP" <<'PY'
import socket, sys
msg = b"hello from the Linux kernel's TCP"
with socket.create_connection((sys.argv[1], 7), timeout=5) as s:
    s.sendall(msg)
    s.shutdown(socket.SHUT_WR)          # our FIN; the server echoes, then closes
    got = b""
    while True:
        b = s.recv(4096)
        if not b:
            break
        got += b
print("sent: %s" % msg.decode())
print("got:  %s" % got.decode(errors="replace"))
sys.exit(0 if got == msg else 1)
PY

step "stopping polltcp-echo with SIGINT; its counters:"
ptcp_stop INT
sed -n '/counters:/,$p' "$PTCP_LOG"
echo "(exit code $PTCP_RC)"
[ "$PTCP_RC" -eq 0 ]
step "demo done: namespace and server cleaned up"
