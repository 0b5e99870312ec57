# SPDX-License-Identifier: BSD-3-Clause
"""fragments: TCP segments that reach the stack as IP fragments, on 1 and 2 lcores.

    NS-c: kernel clients, IP_MTU_DISCOVER = IP_PMTUDISC_DONT (no DF)
      | veth, MTU 1500: 1460-byte segments
    NS:   router; pt0 (kernel side of the TAP) MTU 576: it fragments them
      | TAP, one queue pair per lcore
    polltcp-echo 198.18.0.2 --gateway 198.18.0.1, EAL -l 0 or -l 0,1

With two lcores the kernel's tun picks the queue of a flow by a hash of its
4-tuple, but of a fragment by its addresses only (only the first fragment
has ports): the reassembled segment of a connection owned by the other
lcore must be handed over to it (IP_HANDOFF_*), or it is lost for good (the
client retransmits the same fragmented segment). Every one of N_CONNS
established connections must echo its bytes intact.

ICMP errors are placed by addresses too: with a route MTU below our segments
on the router, its "fragmentation needed" about each connection's segments
must reach the lcore owning that connection (ICMP_ERR_TCP).

Run: PYTHONPATH=tests/integration python3 tests/integration/test_fragments.py \
         build/app/polltcp-echo
"""
import os
import re
import socket
import threading
import time

import ptcp_harness as h
from ptcp_harness import check

N_CONNS = 20
BYTES_PER_CONN = 8 * 1460        # eight full segments each, every one fragmented
ROUTER_MTU = 576                 # pt0 in the server's namespace
IP_MTU_DISCOVER = 10             # <linux/in.h>
IP_PMTUDISC_DONT = 0
ECHO_TIMEOUT = 30.0

suite = h.Suite("fragments")


def no_df(s):
    """The client sends its segments without DF, so the router may fragment them."""
    s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)


def start_routed(ctx, lcores):
    srv = ctx.new_server(["--gateway", h.KERNEL_IP, "--max-conns", "256"],
                         name="frag-l%s" % lcores.replace(",", ""), lcores=lcores)
    srv.start()
    srv.add_client_ns()
    p = srv.run(["ip", "link", "set", h.TAP_IF, "mtu", str(ROUTER_MTU)])
    check(p.returncode == 0, "cannot set the MTU of %s: %s" % (h.TAP_IF, p.stdout))
    return srv


def echo_all(srv):
    """Connect N_CONNS clients first, then echo distinct data on all at once.

    Returns (failures, connection count): failures is a list of strings.
    """
    socks = []
    for _ in range(N_CONNS):
        socks.append(srv.connect_client(timeout=ECHO_TIMEOUT, setup=no_df))
    failures = []
    lock = threading.Lock()

    def one(i, s):
        data = os.urandom(BYTES_PER_CONN)
        try:
            got = h.echo_through(s, data)
            if got != data:
                why = "%d of %d bytes, first difference at %d" % (
                    len(got), len(data), h.first_diff(got, data))
            else:
                why = None
        except (OSError, AssertionError, TimeoutError) as e:
            why = "%s: %s" % (type(e).__name__, e)
        if why:
            with lock:
                failures.append("conn %d: %s" % (i, why))

    threads = [threading.Thread(target=one, args=(i, s), daemon=True)
               for i, s in enumerate(socks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(ECHO_TIMEOUT + 10)
    for s in socks:
        s.close()
    return failures


def run_case(ctx, lcores):
    srv = start_routed(ctx, lcores)
    try:
        t0 = time.monotonic()
        failures = echo_all(srv)
        secs = time.monotonic() - t0
    finally:
        rc, out = srv.stop()
    c = h.parse_counters(out)
    h.log("  lcores %s: %d of %d connections echoed %d bytes intact in %.1f s; "
          "IP_FRAG_REASM %d IP_HANDOFF_TX %d IP_HANDOFF_RX %d "
          "IP_HANDOFF_DROP %d; accepted per lcore %s"
          % (lcores, N_CONNS - len(failures), N_CONNS, BYTES_PER_CONN, secs,
             c.get("IP_FRAG_REASM", 0), c.get("IP_HANDOFF_TX", 0),
             c.get("IP_HANDOFF_RX", 0),
             c.get("IP_HANDOFF_DROP", 0), h.lcore_accepts(out)))
    check(rc == 0, "server exit code %r" % rc)
    check(not failures, "%d of %d connections failed: %s"
          % (len(failures), N_CONNS, "; ".join(sorted(failures)[:5])))
    # The test must have tested fragments: every data segment came in pieces.
    check(c.get("IP_FRAG_REASM", 0) >= N_CONNS * (BYTES_PER_CONN // 1460),
          "only %d datagrams reassembled" % c.get("IP_FRAG_REASM", 0))
    check(c.get("IP_HANDOFF_DROP", 0) == 0, "hand-off drops: %d" % c.get("IP_HANDOFF_DROP", 0))
    return c, out


@suite.test(timeout=180)
def fragmented_segments_one_lcore(ctx):
    c, _ = run_case(ctx, "0")
    check(c.get("IP_HANDOFF_TX", 0) == 0, "hand-off with one lcore")


@suite.test(timeout=180)
def fragmented_segments_two_lcores(ctx):
    c, out = run_case(ctx, "0,1")
    acc = h.lcore_accepts(out)
    # Both lcores must own connections, else nothing needed handing over.
    check(len(acc) == 2 and min(acc.values()) > 0, "connections per lcore: %s" % acc)
    check(c.get("IP_HANDOFF_TX", 0) > 0, "no datagram was handed over")
    # Every datagram handed over was received, or reached an lcore that had
    # already left its loop while the stop drained (fragments of the
    # clients' last retransmissions): those are freed and counted when
    # every lcore has returned. Either way none is lost uncounted.
    check(c.get("IP_HANDOFF_RX", 0) > 0, "no datagram received from another lcore")
    check(c.get("IP_HANDOFF_RX", 0) + c.get("IP_HANDOFF_STOP_FREED", 0)
          == c.get("IP_HANDOFF_TX", 0),
          "handed over %d, received %d, freed at the stop %d"
          % (c.get("IP_HANDOFF_TX", 0), c.get("IP_HANDOFF_RX", 0),
             c.get("IP_HANDOFF_STOP_FREED", 0)))


@suite.test(timeout=120)
def icmp_errors_about_tcp_reach_owner_two_lcores(ctx):
    """The router's "fragmentation needed" about our segments reaches each
    connection's lcore (ICMP_ERR_TCP), whichever queue it arrived on."""
    n_conns = 16
    srv = ctx.new_server(["--gateway", h.KERNEL_IP, "--max-conns", "256"],
                         name="frag-icmp", lcores="0,1")
    srv.start()
    try:
        srv.add_client_ns()
        # The router's route to the client is narrower than our 1500-byte
        # segments (DF): it answers each with ICMP 3/4 quoting the segment.
        # (A route MTU, not the link's: the client's 1500-byte frames must
        # still come in.)
        p = srv.run(["ip", "route", "replace", "198.18.1.0/24", "dev", h.ROUTER_IF,
                     "mtu", "1000"])
        check(p.returncode == 0, "cannot set the route MTU: %s" % p.stdout)
        socks = [srv.connect_client(timeout=5.0, setup=no_df) for _ in range(n_conns)]
        for s in socks:
            s.sendall(os.urandom(1460))    # echoed as one 1500-byte datagram with DF
        time.sleep(1.0)
        for s in socks:
            s.close()
    finally:
        rc, out = srv.stop()
    c = h.parse_counters(out)
    acc = h.lcore_accepts(out)
    h.log("  ICMP_RX %d ICMP_ERR_TCP %d ICMP_ERR_TCP_NO_CONN %d IP_HANDOFF_TX %d; "
          "accepted per lcore %s"
          % (c.get("ICMP_RX", 0), c.get("ICMP_ERR_TCP", 0), c.get("ICMP_ERR_TCP_NO_CONN", 0),
             c.get("IP_HANDOFF_TX", 0), acc))
    check(rc == 0, "server exit code %r" % rc)
    # Path MTU discovery: once an lcore's first connection has learnt the
    # path MTU (per-lcore cache), its other connections send smaller
    # segments, so there may be fewer than n_conns errors; at least one
    # per lcore, and every one must reach its connection.
    check(c.get("ICMP_ERR_TCP", 0) >= 2 and c.get("ICMP_ERR_TCP", 0) == c.get("ICMP_RX", 0),
          "%d of %d ICMP errors reached their connection"
          % (c.get("ICMP_ERR_TCP", 0), c.get("ICMP_RX", 0)))
    check(c.get("ICMP_ERR_TCP_NO_CONN", 0) == 0,
          "%d ICMP errors reached an lcore without their connection"
          % c.get("ICMP_ERR_TCP_NO_CONN", 0))
    check(len(acc) == 2 and min(acc.values()) > 0, "connections per lcore: %s" % acc)
    check(c.get("IP_HANDOFF_TX", 0) > 0, "no ICMP error was handed over")


if __name__ == "__main__":
    raise SystemExit(suite.main())
