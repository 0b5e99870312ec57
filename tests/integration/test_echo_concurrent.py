# SPDX-License-Identifier: BSD-3-Clause
"""echo_concurrent: 100 connections open at once, each echoing its own data.

One thread drives all sockets with selectors (non-blocking), so the test
itself never serialises the connections.

Run: PYTHONPATH=tests/integration python3 tests/integration/test_echo_concurrent.py \
         build/app/polltcp-echo
"""
import errno
import os
import selectors
import socket
import sys
import time

import ptcp_harness as h
from ptcp_harness import check

N_CONNS = 100
suite = h.Suite("echo_concurrent", shared_args=["--max-conns", "256"])


class Conn:
    def __init__(self, idx, payload):
        self.idx = idx
        self.payload = payload
        self.sent = 0
        self.got = bytearray()
        self.connected = False
        self.eof = False


def open_all(srv, n):
    with srv.netns():
        socks = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(n)]
    for s in socks:
        s.setblocking(False)
        rc = s.connect_ex((h.STACK_IP, h.ECHO_PORT))
        check(rc in (0, errno.EINPROGRESS), "connect_ex: %s" % os.strerror(rc))
    return socks


def run_echo(socks, payloads, deadline_s, close_after=True):
    """Connect, send, read back all payloads concurrently; return Conn list."""
    sel = selectors.DefaultSelector()
    conns = []
    for i, (s, p) in enumerate(zip(socks, payloads)):
        c = Conn(i, p)
        conns.append(c)
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
    pending = len(conns)
    deadline = time.monotonic() + deadline_s
    while pending:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        for key, ev in sel.select(min(left, 1.0)):
            s, c = key.fileobj, key.data
            if not c.connected and ev & selectors.EVENT_WRITE:
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                check(err == 0, "conn %d: connect failed: %s" % (c.idx, os.strerror(err)))
                c.connected = True
            if ev & selectors.EVENT_WRITE and c.sent < len(c.payload):
                try:
                    c.sent += s.send(c.payload[c.sent:c.sent + 65536])
                except BlockingIOError:
                    pass
                if c.sent == len(c.payload):
                    sel.modify(s, selectors.EVENT_READ, c)
            if ev & selectors.EVENT_READ:
                try:
                    b = s.recv(65536)
                except BlockingIOError:
                    continue
                check(b, "conn %d: EOF after %d of %d bytes" % (c.idx, len(c.got), len(c.payload)))
                c.got += b
                if len(c.got) >= len(c.payload):
                    sel.unregister(s)
                    pending -= 1
    sel.close()
    slow = [c for c in conns if len(c.got) < len(c.payload)]
    check(not slow, "%d of %d connections incomplete after %.0f s (e.g. conn %d: %d/%d bytes)"
          % (len(slow), len(conns), deadline_s, slow[0].idx if slow else -1,
             len(slow[0].got) if slow else 0, len(slow[0].payload) if slow else 0))
    return conns


def payload_for(i, size):
    tag = b"<conn %03d>" % i
    return (tag * (size // len(tag) + 1))[:size]


@suite.test(timeout=120)
def hundred_concurrent_connections_each_echo_own_data(ctx):
    srv = ctx.server()
    socks = open_all(srv, N_CONNS)
    try:
        payloads = [payload_for(i, 8192 + 37 * i) for i in range(N_CONNS)]
        conns = run_echo(socks, payloads, 60)
        wrong = [c.idx for c in conns if bytes(c.got) != c.payload]
        check(not wrong, "%d connections got data back that is not their own: %r"
              % (len(wrong), wrong[:10]))
    finally:
        for s in socks:
            s.close()


@suite.test(timeout=120)
def hundred_connections_all_established_before_any_data(ctx):
    # All handshakes first, then one byte each: the stack holds 100 at once.
    srv = ctx.server()
    socks = open_all(srv, N_CONNS)
    try:
        sel = selectors.DefaultSelector()
        for s in socks:
            sel.register(s, selectors.EVENT_WRITE)
        up = 0
        deadline = time.monotonic() + 30
        while up < N_CONNS and time.monotonic() < deadline:
            for key, _ in sel.select(1.0):
                err = key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                check(err == 0, "connect failed: %s" % os.strerror(err))
                sel.unregister(key.fileobj)
                up += 1
        sel.close()
        check(up == N_CONNS, "only %d of %d handshakes completed in 30 s" % (up, N_CONNS))
        payloads = [bytes([i]) for i in range(N_CONNS)]
        conns = run_echo(socks, payloads, 30)
        wrong = [c.idx for c in conns if bytes(c.got) != c.payload]
        check(not wrong, "wrong byte back on connections %r" % wrong[:10])
    finally:
        for s in socks:
            s.close()


@suite.test(timeout=120)
def three_rounds_of_hundred_connections(ctx):
    # Closed connections are released: 300 short-lived ones in three waves.
    srv = ctx.server()
    for r in range(3):
        socks = open_all(srv, N_CONNS)
        try:
            payloads = [payload_for(i + 1000 * r, 1000) for i in range(N_CONNS)]
            conns = run_echo(socks, payloads, 30)
            wrong = [c.idx for c in conns if bytes(c.got) != c.payload]
            check(not wrong, "round %d: wrong data on %r" % (r, wrong[:10]))
        finally:
            for s in socks:
                s.close()
        time.sleep(0.3)


@suite.test
def server_stops_cleanly_after_concurrency(ctx):
    srv = ctx.server()
    rc, out = srv.stop()
    check(rc == 0, "exit code %r after SIGTERM" % rc)
    c = h.parse_counters(out)
    check(c.get("TCP_RX", 0) > 0, "no TCP_RX counter: %r" % c)


if __name__ == "__main__":
    sys.exit(suite.main())
