# SPDX-License-Identifier: BSD-3-Clause
"""echo_close: half-close, orderly close, abortive close, orphaned FIN-WAIT-2 at stop
(--fin-timeout), server restart.

Run: PYTHONPATH=tests/integration python3 tests/integration/test_echo_close.py \
         build/app/polltcp-echo
"""
import os
import socket
import struct
import sys
import threading
import time

import ptcp_harness as h
from ptcp_harness import check

suite = h.Suite("echo_close")


def echo_ok(srv, msg=b"are you there?"):
    with srv.connect() as s:
        s.sendall(msg)
        got = h.recv_exactly(s, len(msg))
    check(got == msg, "echo: sent %r, got %r" % (msg, got))


def send_then_half_close(s, data):
    """Thread: send data, then shutdown(SHUT_WR) (our FIN)."""
    err = []

    def run():
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except BaseException as e:
            err.append(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, err


@suite.test
def half_close_gets_all_data_then_eof(ctx):
    srv = ctx.server()
    msg = os.urandom(200000)
    with srv.connect() as s:
        t, err = send_then_half_close(s, msg)
        got = h.recv_until_eof(s)      # all of the echo, then the server's FIN: b''
        t.join(10)
    check(not err, "send/shutdown failed: %r" % err)
    check(len(got) == len(msg), "after half-close got %d of %d bytes" % (len(got), len(msg)))
    check(got == msg, "echo after half-close differs at offset %d" % h.first_diff(got, msg))


@suite.test
def half_close_with_no_data_gets_eof(ctx):
    srv = ctx.server()
    with srv.connect() as s:
        s.shutdown(socket.SHUT_WR)
        got = s.recv(100)
    check(got == b"", "expected EOF after our FIN, got %r" % got)


@suite.test
def data_after_half_close_still_echoed_in_order(ctx):
    # Several writes, the last one right before the FIN.
    srv = ctx.server()
    parts = [b"first|", b"second|" * 100, b"third"]
    with srv.connect() as s:
        for p in parts:
            s.sendall(p)
        s.shutdown(socket.SHUT_WR)
        got = h.recv_until_eof(s)
    check(got == b"".join(parts), "got %d bytes, want %d" % (len(got), len(b"".join(parts))))


@suite.test
def abortive_close_then_new_connections_served(ctx):
    srv = ctx.server()
    for i in range(3):
        s = srv.connect()
        s.sendall(b"about to reset")
        check(h.recv_exactly(s, 14) == b"about to reset", "echo before RST failed")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()                      # linger on, 0 s: the kernel sends RST
    time.sleep(0.2)
    for i in range(5):
        echo_ok(srv, b"after reset %d" % i)
    # An RST while the server has unacknowledged data in flight.
    s = srv.connect()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.setblocking(False)
    sent = 0
    for _ in range(20):                # as much as fits without blocking
        try:
            sent += s.send(os.urandom(4096))
        except BlockingIOError:
            break
    check(sent > 0, "could not send anything before the reset")
    time.sleep(0.1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    time.sleep(0.2)
    echo_ok(srv, b"still serving")


@suite.test
def stop_counts_rst_received_and_exits_zero(ctx):
    srv = ctx.server()
    rc, out = srv.stop()
    check(rc == 0, "exit code %r after SIGTERM" % rc)
    c = h.parse_counters(out)
    check(c.get("TCP_RST_RX", 0) >= 4, "TCP_RST_RX %r, 4 RSTs were sent" % c.get("TCP_RST_RX"))


@suite.test
def orderly_close_sends_no_rst(ctx):
    # Client closes first after reading its echo; server closes after our FIN.
    srv = ctx.new_server(name="orderly")
    with srv:
        for i in range(10):
            echo_ok(srv, b"orderly %d" % i)
        for i in range(5):
            with srv.connect() as s:
                s.sendall(b"fin first %d" % i)
                s.shutdown(socket.SHUT_WR)
                h.recv_until_eof(s)
        time.sleep(0.5)
        rc, out = srv.stop()
    check(rc == 0, "exit code %r" % rc)
    c = h.parse_counters(out)
    check(c.get("TCP_RST_TX", 0) == 0, "orderly closes made the server send %d RST"
          % c.get("TCP_RST_TX", 0))
    check(c.get("TCP_RST_RX", 0) == 0, "orderly closes drew %d RST from the kernel"
          % c.get("TCP_RST_RX", 0))


@suite.test
def sigterm_with_open_connection_closes_it(ctx):
    # A graceful stop with a client still connected: the client sees FIN or RST
    # (not a hang), and the server still exits 0.
    srv = ctx.new_server(name="open-at-stop")
    with srv:
        s = srv.connect()
        try:
            s.sendall(b"hold")
            check(h.recv_exactly(s, 4) == b"hold", "echo failed")
            rc, out = srv.stop()
            s.settimeout(5)
            try:
                end = s.recv(10)
            except ConnectionResetError:
                end = b""
            except socket.timeout:
                end = None
        finally:
            s.close()
    check(rc == 0, "exit code %r with a connection open" % rc)
    check(end == b"", "client saw %r instead of FIN/RST after the server stopped" % end)


@suite.test
def stop_orphaned_fin_wait_2_ends_after_fin_timeout(ctx):
    # ptcp_close at a graceful stop, and a client that acknowledges our FIN but never
    # sends its own: FIN-WAIT-2 is orphaned and ends after --fin-timeout (500 ms), not
    # at the 2 s drain limit; counted as TCP_FIN_WAIT_2_TIMEOUT.
    srv = ctx.new_server(["--fin-timeout", "500ms"], name="fin-timeout")
    with srv:
        s = srv.connect()
        try:
            s.sendall(b"hold")
            check(h.recv_exactly(s, 4) == b"hold", "echo failed")
            t0 = time.monotonic()
            rc, out = srv.stop()
            took = time.monotonic() - t0
            s.settimeout(5)
            end = s.recv(10)         # our FIN; the client keeps its side open
        finally:
            s.close()
    c = h.parse_counters(out)
    check(rc == 0, "exit code %r" % rc)
    check(end == b"", "client saw %r instead of our FIN" % end)
    check(c.get("TCP_FIN_WAIT_2_TIMEOUT") == 1, "TCP_FIN_WAIT_2_TIMEOUT %r, expected 1"
          % c.get("TCP_FIN_WAIT_2_TIMEOUT"))
    check(took < 1.8, "the stop took %.2f s: FIN-WAIT-2 lasted to the drain limit" % took)
    h.log("    stop with an orphaned FIN-WAIT-2: %.2f s (fin-timeout 0.5 s, drain limit 2 s)"
          % took)


@suite.test
def restart_in_fresh_namespace_serves_again(ctx):
    first = ctx.new_server(name="restart-1")
    with first:
        echo_ok(first, b"first life")
        rc1, _ = first.stop()
    check(rc1 == 0, "first server exited %r" % rc1)
    check(not os.path.exists("/run/netns/" + first.ns), "namespace %s left behind" % first.ns)
    check(not os.path.exists("/var/run/dpdk/" + first.prefix),
          "/var/run/dpdk/%s left behind" % first.prefix)
    second = ctx.new_server(name="restart-2")
    check(second.ns != first.ns and second.prefix != first.prefix, "names reused")
    with second:
        echo_ok(second, b"second life")
        rc2, _ = second.stop()
    check(rc2 == 0, "second server exited %r" % rc2)


if __name__ == "__main__":
    sys.exit(suite.main())
