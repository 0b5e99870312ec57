# SPDX-License-Identifier: BSD-3-Clause
"""hostile: the stack's memory under out-of-order floods (issue 7 S1, section 3).

Hostile connections are kernel sockets opened normally from the namespace;
their sequence numbers are read with TCP_REPAIR (no data is ever written on
them), and 64 one-byte segments each, separated by gaps so that none can be
coalesced, are then sent beyond RCV.NXT through a raw IPv4 socket. The
stack must hold them within its budget (out-of-order data at most
`pressure` mbufs in all, see docs/architecture.md "Memory budget"), keep
answering, echo 1 MiB intact for a normal client meanwhile, and give every
mbuf back when the hostile connections close.

  ooo_flood       300 hostile connections x 64 segments, default --mbufs
  pool_exhaustion the same flood with --mbufs 1024 (the smallest): windows
                  clamped, out-of-order data dropped and counted, 1 MiB
                  echoed during and after; 48 clients, all connected first
                  (full windows), send 256 KiB and stop reading for 2 s: the
                  queues pass the limit by what the windows promised and the
                  pool comes down to its reserve (in-order data dropped,
                  control frames from the reserve, no RX refill failure);
                  all echoed intact once they read; memory back to idle

Each test prints `mbufs: in use` before, during and after (the server's
periodic report) and the TCP memory line (held / pressure / limit).

Run: PYTHONPATH=tests/integration python3 tests/integration/test_hostile.py \
         build/app/polltcp-echo
"""
import hashlib
import os
import re
import socket
import struct
import threading
import time

import ptcp_harness as h
from ptcp_harness import check

MIB = 1 << 20
HOSTILE_CONNS = 300
SEGS_PER_CONN = 64
SLACK = 512             # mbufs: TX copies, ARP, rings' burst variation
STALLED_CLIENTS = 48    # --mbufs 1024: their queues pass the limit, the pool nears its reserve

TCP_REPAIR = 19
TCP_REPAIR_QUEUE = 20
TCP_QUEUE_SEQ = 21
TCP_RECV_QUEUE = 1
TCP_SEND_QUEUE = 2
TCP_REPAIR_OFF_NO_WP = -1

_MEM_RE = re.compile(r"^tcp memory: held (\d+) pressure (\d+) limit (\d+) reserve (\d+)")

suite = h.Suite("hostile")


def tcp_segment(src, dst, sport, dport, seq, ack, payload):
    """IPv4 + TCP (ACK, no options) carrying payload, checksums filled."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      5 << 4, 0x10, 64240, 0, 0) + payload
    ph = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    c = h.inet_cksum(ph + tcp)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", h.inet_cksum(ip)) + ip[12:]
    return ip + tcp


def repair_seqs(s):
    """(SND.NXT, RCV.NXT) of a kernel socket, read in repair mode."""
    s.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, 1)
    try:
        s.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE)
        snd = struct.unpack("I", s.getsockopt(socket.IPPROTO_TCP, TCP_QUEUE_SEQ, 4))[0]
        s.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE)
        rcv = struct.unpack("I", s.getsockopt(socket.IPPROTO_TCP, TCP_QUEUE_SEQ, 4))[0]
    finally:
        s.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, TCP_REPAIR_OFF_NO_WP)
    return snd, rcv


def tcp_memory(srv):
    """The last `tcp memory:` line: (held, pressure, limit, reserve) or None."""
    last = None
    for line in srv.output.splitlines():
        m = _MEM_RE.match(line.strip())
        if m:
            last = tuple(int(x) for x in m.groups())
    return last


def sample(srv, what):
    """Wait for a periodic report after now; print and return it."""
    b = srv.wait_stats(lambda b: b["mbufs"] is not None and not b["final"], 5)
    check(b is not None, "no periodic report with an mbufs line within 5 s (%s)" % what)
    mem = tcp_memory(srv)
    h.log("    %-7s mbufs: in use %d of %d; tcp memory held %s (pressure %s, limit %s)"
          % (what, b["mbufs"], b["mbufs_of"], mem and mem[0], mem and mem[1],
             mem and mem[2]))
    return b, mem


def open_hostile(srv, n):
    socks = []
    for _ in range(n):
        socks.append(srv.connect())
    return socks


def flood(srv, socks):
    """64 gapped one-byte segments beyond RCV.NXT on each socket."""
    with srv.netns():
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    try:
        for s in socks:
            snd, rcv = repair_seqs(s)
            sport = s.getsockname()[1]
            for i in range(SEGS_PER_CONN):
                pkt = tcp_segment(h.KERNEL_IP, h.STACK_IP, sport, h.ECHO_PORT,
                                  snd + 1 + 2 * i, rcv, b"x")
                raw.sendto(pkt, (h.STACK_IP, 0))
            time.sleep(0.002)   # a burst per connection: the TAP queue keeps up
    finally:
        raw.close()


def echo_1mib(srv, what):
    data = os.urandom(MIB)
    t0 = time.monotonic()
    s = srv.connect(timeout=60)
    try:
        got = h.echo_through(s, data)
    finally:
        s.close()
    secs = time.monotonic() - t0
    check(hashlib.sha256(got).digest() == hashlib.sha256(data).digest(),
          "1 MiB echo %s corrupted (first difference at %d)" % (what, h.first_diff(data, got)))
    h.log("    1 MiB echoed intact %s in %.2f s" % (what, secs))


def stalled_echoes(srv, n, size):
    """n clients send `size` bytes each without reading for 2 s, then read it all.

    While they stall, the stack's receive and send queues of their
    connections fill up to its memory limit. Returns the report sampled
    during the stall.
    """
    socks, datas, threads, errs = [], [], [], []
    try:
        # All connected first: each gets its full window before memory fills.
        for _ in range(n):
            with srv.netns():
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(s)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
            # Data dropped at the reserve comes back on the kernel's backed-off RTO.
            s.settimeout(120)
            s.connect((h.STACK_IP, h.ECHO_PORT))
            datas.append(os.urandom(size))
        for s, d in zip(socks, datas):
            def send(s=s, d=d):
                try:
                    s.sendall(d)
                except BaseException as e:  # reported below
                    errs.append(e)
            t = threading.Thread(target=send, daemon=True)
            t.start()
            threads.append(t)
        time.sleep(2.0)
        stalled = sample(srv, "stalled")
        # All read at once: data dropped at the reserve returns on each
        # kernel socket's own backed-off RTO, so the waits overlap.
        gots = [None] * n

        def read(i):
            try:
                gots[i] = h.recv_exactly(socks[i], len(datas[i]))
            except BaseException as e:  # reported below
                errs.append(e)
        readers = [threading.Thread(target=read, args=(i,), daemon=True) for i in range(n)]
        for t in readers:
            t.start()
        for t in readers + threads:
            t.join(130)
        check(not errs, "stalled client failed: %r" % (errs[:1],))
        for d, got in zip(datas, gots):
            check(got == d, "stalled echo corrupted (first difference at %s)"
                  % (h.first_diff(d, got) if got is not None else "-"))
    finally:
        for s in socks:
            s.close()
    h.log("    %d x %d KiB echoed intact after a 2 s stall" % (n, size >> 10))
    return stalled


def ping_ok(srv):
    p = srv.run(["ping", "-c", "3", "-i", "0.2", "-W", "1", h.STACK_IP], timeout=20)
    return p.returncode == 0


def hostile_run(ctx, extra, name, small):
    # The raw segments carry no timestamps: on a connection that negotiated
    # them they would be dropped at once (RFC 7323 3.2, TCP_TS_MISSING) and
    # never load the reassembly this test is about.
    srv = ctx.new_server(["--stats-period", "1", "--no-timestamps"] + extra, name=name)
    with srv:
        idle, mem = sample(srv, "before")
        check(mem is not None, "no `tcp memory:` line in the report")
        pressure = mem[1]
        socks = open_hostile(srv, HOSTILE_CONNS)
        try:
            flood(srv, socks)
            time.sleep(1.5)
            during, mem_d = sample(srv, "during")
            check(ping_ok(srv), "no answer to ping during the flood (deaf lcore)")
            echo_1mib(srv, "during the flood")
            if small:
                _, mem_s = stalled_echoes(srv, STALLED_CLIENTS, 256 << 10)
                # In-order data inside windows already advertised is never
                # dropped, and each connection may queue 2 send mbufs: the
                # limit can be passed by that much, no more.
                over = STALLED_CLIENTS * (2 * 65535 // 2304 + 2)
                check(mem_s[0] <= mem[2] + over,
                      "tcp memory held %d during the stall > limit %d + %d"
                      % (mem_s[0], mem[2], over))
            during2, mem_d2 = sample(srv, "during")
            c = during2["counters"]
        finally:
            for s in socks:
                s.close()
        # The stack echoes each FIN back; give the closes time to finish.
        h.wait_for(lambda: (tcp_memory(srv) or (1,))[0] == 0 and
                   (srv.latest_stats() or {}).get("counters", {}).get(
                       "TCP_CONN_CLOSED", 0) >= HOSTILE_CONNS + 1, 20)
        after, mem_a = sample(srv, "after")
        echo_1mib(srv, "after the flood")
        rc, out = srv.stop()
    fin = h.parse_counters(out)
    h.log("    counters: " + " ".join("%s %d" % (k, fin.get(k, 0)) for k in (
        "TCP_OOO_QUEUED", "TCP_OOO_MERGED", "TCP_OOO_DROP_MEM", "TCP_OOO_PRUNE",
        "TCP_WND_CLAMPED", "TCP_SND_MEM_LIMITED", "MBUF_RESERVE_USED",
        "DATA_ALLOC_REFUSED", "TCP_RCV_DROP_MEM", "POOL_EMPTY", "TCP_RST_TX",
        "TCP_CONN_RESET")))
    stats = [l for l in out.splitlines() if re.match(r"^port \d+: ipackets", l)]
    h.log("    " + (stats[-1] if stats else "no port stats line"))
    nombuf = re.search(r"rx_nombuf (\d+)", stats[-1]) if stats else None
    check(rc == 0, "server exit status %d" % rc)
    worst = max(during["mbufs"], during2["mbufs"])
    check(mem_d[0] <= pressure and mem_d2[0] <= mem[2],
          "tcp memory held %d/%d beyond pressure %d / limit %d"
          % (mem_d[0], mem_d2[0], pressure, mem[2]))
    check(worst <= idle["mbufs"] + pressure + SLACK,
          "mbufs in use %d during the flood > idle %d + pressure %d + %d"
          % (worst, idle["mbufs"], pressure, SLACK))
    check(c.get("TCP_OOO_QUEUED", 0) > 0, "nothing was held out of order")
    check(c.get("TCP_OOO_DROP_MEM", 0) > 0, "no out-of-order drop for memory (TCP_OOO_DROP_MEM)")
    if small:
        check(c.get("TCP_WND_CLAMPED", 0) > 0, "windows never clamped under pressure")
        check(c.get("TCP_SND_MEM_LIMITED", 0) > 0,
              "send space never cut by the memory limit (TCP_SND_MEM_LIMITED)")
        check(c.get("MBUF_RESERVE_USED", 0) + c.get("TCP_RCV_DROP_MEM", 0) > 0,
              "the stalled clients never brought the pool down to its reserve")
    check(nombuf is not None and int(nombuf.group(1)) == 0,
          "RX refills failed (rx_nombuf): the lcore went deaf")
    check(fin.get("POOL_EMPTY", 0) == 0, "POOL_EMPTY %d: the pool ran dry" % fin.get("POOL_EMPTY", 0))
    check(mem_a[0] == 0, "tcp memory still holds %d mbufs after the hostile connections closed"
          % mem_a[0])
    check(abs(after["mbufs"] - idle["mbufs"]) <= 64,
          "mbufs in use %d after vs %d before: leak" % (after["mbufs"], idle["mbufs"]))
    check(fin.get("TCP_CONN_RESET", 0) == 0 and fin.get("TCP_RST_TX", 0) == 0,
          "connections reset (RST_TX %d, CONN_RESET %d)"
          % (fin.get("TCP_RST_TX", 0), fin.get("TCP_CONN_RESET", 0)))


@suite.test(timeout=300)
def ooo_flood_held_within_budget_echo_intact(ctx):
    hostile_run(ctx, [], "hostile-ooo", small=False)


@suite.test(timeout=300)
def pool_exhaustion_degrades_and_recovers(ctx):
    hostile_run(ctx, ["--mbufs", "1024"], "hostile-pool", small=True)


if __name__ == "__main__":
    raise SystemExit(suite.main())
