# SPDX-License-Identifier: BSD-3-Clause
"""synflood: polltcp-echo under a spoofed SYN flood and with --max-conns
reached (RFC 4987: SYN cache + SYN cookies).

  flood     several thousand spoofed SYNs per second (raw IPv4 socket,
            IP_HDRINCL, stdlib only) from sources in 198.19.0.0/16 while
            kernel clients connect and echo: every legitimate connection
            succeeds (through SYN cookies once the backlog is full), mbufs in
            use stay flat, the counters show cookies sent and validated.
            The stack reaches the spoofed sources through --gateway
            198.18.0.1 (the kernel side, which does not forward): the
            SYN-ACKs really leave the stack and die quietly in the kernel,
            which therefore sends no RST that could clean up half-open state.
  maxconns  --max-conns 8 with 8 connections held open: a 9th SYN is
            answered with a cookie (TCP_SYN_POOL_FULL), its ACK and data are
            dropped and counted (TCP_ACCEPT_POOL_FULL) while the 8 keep
            echoing; once one closes, the 9th's retransmitted data validates
            the cookie again and is echoed.

Prints the legitimate success rate, connect times, and mbufs in use
before / during / after the flood. Flood loops are bounded in count and
time.

Run: PYTHONPATH=tests/integration python3 tests/integration/test_synflood.py \
         build/app/polltcp-echo
"""
import os
import random
import socket
import struct
import sys
import threading
import time

import ptcp_harness as h
from ptcp_harness import check

suite = h.Suite("synflood")

FLOOD_RATE = 4000          # spoofed SYNs per second
FLOOD_SECS = 8.0           # flood duration (bound in time)
FLOOD_MAX = int(FLOOD_RATE * FLOOD_SECS)   # bound in count
SPOOF_NET = (198, 19)      # spoofed sources 198.19.x.y: off-link for the stack
LEGIT_CONNS = 200          # kernel clients during the flood
LEGIT_WORKERS = 4
MEM_FLAT_TOL = 256         # mbufs in use may move this much under the flood


def syn_packet(src, dst, sport, dport, seq):
    """IPv4 + TCP SYN (MSS 1460) with a valid TCP checksum; the kernel fills
    the IPv4 checksum and total length (IP_HDRINCL)."""
    opts = struct.pack("!BBH", 2, 4, 1460)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, (5 + 1) << 4, 0x02, 64240, 0, 0)
    tcp += opts
    pseudo = struct.pack("!4s4sBBH", src, dst, 0, socket.IPPROTO_TCP, len(tcp))
    c = h.inet_cksum(pseudo + tcp)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64,
                     socket.IPPROTO_TCP, 0, src, dst)
    return ip + tcp


class Flooder(threading.Thread):
    """Spoofed SYNs at FLOOD_RATE per second, at most FLOOD_MAX or FLOOD_SECS."""

    def __init__(self, srv, rate=FLOOD_RATE, secs=FLOOD_SECS, limit=FLOOD_MAX):
        super().__init__(daemon=True)
        with srv.netns():
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
        self.rate, self.secs, self.limit = rate, secs, limit
        self.dst = socket.inet_aton(h.STACK_IP)
        self.sent = 0
        self.errors = 0
        self.elapsed = 0.0
        self.stop_flag = threading.Event()
        self.rng = random.Random(4987)

    def run(self):
        t0 = time.monotonic()
        batch = 50
        try:
            while self.sent < self.limit and not self.stop_flag.is_set():
                now = time.monotonic() - t0
                if now >= self.secs:
                    break
                due = int(now * self.rate) + batch
                while self.sent < min(due, self.limit):
                    r = self.rng.getrandbits(48)
                    src = bytes((SPOOF_NET[0], SPOOF_NET[1], (r >> 8) & 0xFF, r & 0xFF or 1))
                    pkt = syn_packet(src, self.dst, 1024 + ((r >> 16) % 60000), h.ECHO_PORT,
                                     (r >> 16) & 0xFFFFFFFF)
                    try:
                        self.sock.sendto(pkt, (h.STACK_IP, 0))
                    except OSError:
                        self.errors += 1
                    self.sent += 1
                time.sleep(batch / self.rate / 2)
        finally:
            self.elapsed = time.monotonic() - t0
            self.sock.close()


def legit_clients(srv, n, workers, results):
    """n kernel connections (each: connect, echo 64 bytes, close) over `workers`
    threads; results gets (ok, seconds to connect, error) per connection."""
    lock = threading.Lock()
    todo = list(range(n))

    def worker():
        while True:
            with lock:
                if not todo:
                    return
                i = todo.pop()
            msg = os.urandom(64)
            t0 = time.monotonic()
            err = None
            ct = None
            try:
                with srv.netns():
                    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.settimeout(10)
                try:
                    s.connect((h.STACK_IP, h.ECHO_PORT))
                    ct = time.monotonic() - t0
                    s.sendall(msg)
                    got = h.recv_exactly(s, len(msg), time.monotonic() + 10)
                    if got != msg:
                        err = "echo differs (%d bytes back)" % len(got)
                finally:
                    s.close()
            except Exception as e:
                err = "%s: %s" % (type(e).__name__, e)
            with lock:
                results.append((err is None, ct, err))
            time.sleep(0.02)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for t in threads:
        t.start()
    return threads


COOKIE_CTRS = ["TCP_SYN_RX", "TCP_SYN_QUEUED", "TCP_SYN_BACKLOG_FULL", "TCP_SYN_POOL_FULL",
               "TCP_COOKIE_SENT", "TCP_COOKIE_VALID", "TCP_COOKIE_INVALID",
               "TCP_COOKIE_EXPIRED", "TCP_ACCEPT_POOL_FULL", "TCP_SYNACK_REXMIT",
               "TCP_SYNCACHE_EXPIRED", "TCP_ACCEPTED", "TCP_RST_TX"]


@suite.test(timeout=120)
def syn_flood_legit_clients_all_succeed_memory_flat(ctx):
    srv = ctx.new_server(["--gateway", h.KERNEL_IP, "--stats-period", "1"], name="synflood")
    with srv:
        idle = srv.wait_stats(lambda b: b["mbufs"] is not None, 5, after=0)
        check(idle is not None, "no periodic stats with an mbufs line within 5 s")
        before = idle["mbufs"]
        # One connection before the flood: the kernel side knows the stack's MAC.
        with srv.connect() as s:
            s.sendall(b"hello")
            check(h.recv_exactly(s, 5, time.monotonic() + 5) == b"hello", "no echo")
        flood_mark = srv.mark()
        fl = Flooder(srv)
        fl.start()
        time.sleep(1.0)          # the backlog fills: cookies from here on
        results = []
        threads = legit_clients(srv, LEGIT_CONNS, LEGIT_WORKERS, results)
        for t in threads:
            t.join(FLOOD_SECS + 60)
        fl.join(FLOOD_SECS + 30)
        flood_end = srv.mark()
        during = [b for b in srv.stats_since(flood_mark, flood_end) if not b["final"]]
        after = srv.wait_stats(lambda b: b["mbufs"] is not None, 5)
        c = h.stop_checked(srv)
    ok = sum(1 for r in results if r[0])
    cts = sorted(r[1] for r in results if r[1] is not None)
    errs = [r[2] for r in results if not r[0]]
    samples = [b["mbufs"] for b in during if b["mbufs"] is not None]
    synacks = c.get("TCP_SYN_QUEUED", 0) + c.get("TCP_COOKIE_SENT", 0) + \
        c.get("TCP_SYNACK_REXMIT", 0)
    h.log("    flood: %d spoofed SYNs in %.1f s (%.0f/s, %d send errors)"
          % (fl.sent, fl.elapsed, fl.sent / max(fl.elapsed, 1e-9), fl.errors))
    h.log("    legitimate: %d of %d connections echoed (%.1f%%); connect p50 %.1f ms, "
          "max %.1f ms" % (ok, len(results), 100.0 * ok / max(len(results), 1),
                           1000 * cts[len(cts) // 2] if cts else -1,
                           1000 * cts[-1] if cts else -1))
    h.log("    mbufs in use: before %d, during %s, after %s"
          % (before, samples, after["mbufs"] if after else None))
    h.log("    SYN-ACKs sent %d for %d SYNs (reflection %.2f)"
          % (synacks, c.get("TCP_SYN_RX", 0), synacks / max(c.get("TCP_SYN_RX", 1), 1)))
    h.log("    final: " + h.counters_line(c, COOKIE_CTRS))
    if errs:
        h.log("    first errors: %r" % errs[:5])
    check(len(results) == LEGIT_CONNS, "%d of %d clients ran" % (len(results), LEGIT_CONNS))
    check(ok == LEGIT_CONNS, "%d of %d legitimate connections failed: %s"
          % (LEGIT_CONNS - ok, LEGIT_CONNS, errs[:3]))
    check(fl.sent >= FLOOD_RATE * 2, "the flood sent only %d SYNs" % fl.sent)
    check(c.get("TCP_SYN_RX", 0) >= fl.sent * 0.8,
          "TCP_SYN_RX %d of %d spoofed SYNs" % (c.get("TCP_SYN_RX", 0), fl.sent))
    check(c.get("TCP_SYN_BACKLOG_FULL", 0) > 0, "the backlog never filled")
    check(c.get("TCP_COOKIE_SENT", 0) > 0, "no SYN cookie sent")
    check(c.get("TCP_COOKIE_VALID", 0) > 0, "no SYN cookie validated")
    check(c.get("TCP_COOKIE_INVALID", 0) == 0, "TCP_COOKIE_INVALID %d"
          % c.get("TCP_COOKIE_INVALID", 0))
    check(c.get("TCP_SYN_QUEUED", 0) <= 1024 + c.get("TCP_SYNCACHE_EXPIRED", 0) + 1
          + LEGIT_CONNS, "more entries than the backlog allows")
    check(c.get("TCP_ACCEPTED", 0) >= LEGIT_CONNS + 1, "TCP_ACCEPTED %d"
          % c.get("TCP_ACCEPTED", 0))
    check(len(samples) >= 3, "only %d stats blocks during the flood" % len(samples))
    check(max(samples) - before <= MEM_FLAT_TOL,
          "mbufs in use rose from %d to %d during the flood: not flat"
          % (before, max(samples)))
    check(after is not None and after["mbufs"] - before <= MEM_FLAT_TOL,
          "mbufs in use %s after the flood (before %d)"
          % (after["mbufs"] if after else None, before))


MAXC = 8


def echo_one(s, msg, timeout=5):
    s.sendall(msg)
    return h.recv_exactly(s, len(msg), time.monotonic() + timeout)


@suite.test(timeout=90)
def max_conns_reached_syn_cookie_existing_keep_working(ctx):
    srv = ctx.new_server(["--max-conns", str(MAXC), "--stats-period", "1"],
                         name="synflood-maxc")
    with srv:
        held = []
        try:
            for i in range(MAXC):
                s = srv.connect()
                held.append(s)
                check(echo_one(s, b"conn %d" % i) == b"conn %d" % i, "no echo on %d" % i)
            mark = srv.mark()
            late = srv.connect()     # the kernel completes it: a cookie SYN-ACK came
            late.settimeout(1.0)
            late.sendall(b"late data")
            try:
                early = late.recv(64)
            except socket.timeout:
                early = b""
            # The held connections keep working meanwhile.
            for i, s in enumerate(held):
                check(echo_one(s, b"still %d" % i) == b"still %d" % i,
                      "held connection %d stopped echoing" % i)
            blk = srv.wait_stats(lambda b: b["counters"].get("TCP_ACCEPT_POOL_FULL", 0) >= 1,
                                 5, after=mark)
            # One held connection goes: its slot takes the late one.
            gone = held.pop()
            gone.close()
            late.settimeout(15)
            rest = h.recv_exactly(late, len(b"late data") - len(early),
                                  time.monotonic() + 15)
            got = early + rest
            late.close()
            for i, s in enumerate(held):
                check(echo_one(s, b"after %d" % i) == b"after %d" % i,
                      "held connection %d broken after the late one joined" % i)
        finally:
            for s in held:
                s.close()
        c = h.stop_checked(srv)
    h.log("    --max-conns %d: 9th connection's data %r before a slot freed, %r after"
          % (MAXC, early, got))
    h.log("    final: " + h.counters_line(c, COOKIE_CTRS))
    check(early == b"", "the 9th connection was served while the pool was full")
    check(got == b"late data", "the 9th connection's data came back as %r" % got)
    check(blk is not None, "TCP_ACCEPT_POOL_FULL never counted while full")
    check(blk["counters"].get("TCP_SYN_POOL_FULL", 0) >= 1, "TCP_SYN_POOL_FULL not counted")
    check(blk["counters"].get("TCP_COOKIE_SENT", 0) >= 1, "no cookie sent at max-conns")
    check(c.get("TCP_COOKIE_VALID", 0) >= 2, "TCP_COOKIE_VALID %d: the cookie's ACK and "
          "the retransmitted data" % c.get("TCP_COOKIE_VALID", 0))
    check(c.get("TCP_ACCEPTED", 0) == MAXC + 1, "TCP_ACCEPTED %d" % c.get("TCP_ACCEPTED", 0))
    check(c.get("TCP_CONN_RESET", 0) == 0, "a connection was reset")


if __name__ == "__main__":
    sys.exit(suite.main())
