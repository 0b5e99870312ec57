# SPDX-License-Identifier: BSD-3-Clause
"""pmtu: path MTU discovery with the Linux kernel as routers and peer.

polltcp's TAP sits in the server's namespace NS, whose kernel routes (R1);
a second namespace NS-r routes between NS and the client namespace NS-c.
The link between the two routers has MTU 1280; every other link 1500, so
the client announces MSS 1460 and polltcp's 1500-byte segments (DF, as
every segment it sends) cannot cross:

    polltcp 198.18.0.2 --TAP pt0-- NS (R1) 198.18.0.1 | 198.18.2.1 pm0 (MTU 1280)
        --veth-- NS-r (R2) 198.18.2.2 pm1 (MTU 1280) | 198.18.1.254 pr0
        --veth-- NS-c: the Linux client 198.18.1.1 pc0

  icmp       4 MiB echoed: R1 answers the first too-big segment with ICMP
             "fragmentation needed" (next-hop MTU 1280); polltcp lowers its
             MSS to 1240 and resends (TCP_PMTU_REDUCED), the transfer
             completes without a timeout of its connection
  icmp_two_lcores  8 connections on two lcores: each lcore's own path-MTU
             cache learns from an ICMP about one of its connections (docs/
             architecture.md, "Path MTU": the caches are per lcore)
  blackhole  the same with nftables dropping those ICMP messages in R1's
             `output` hook (a path that filters ICMP): polltcp's black-hole
             detection lowers the MSS after two timeouts (TCP_PMTU_BLACKHOLE)
             and the transfer completes

The client's own direction crosses the 1280 link too: R2 sends it the ICMP
(never filtered), and Linux's PMTUD handles it. Every namespace is made
here and deleted on exit; only processes started here are signalled, by PID.

Run: PYTHONPATH=tests/integration python3 tests/integration/test_pmtu.py \
         build/app/polltcp-echo
"""
import os
import socket
import threading
import time

import ptcp_harness as h
from ptcp_harness import check

MIB = 1 << 20
BULK = 4 * MIB
NARROW_MTU = 1280
NFT_TABLE = "ptcpm"
R1_IP, R2_IP = "198.18.2.1", "198.18.2.2"
R1_IF, R2_IF = "pm0", "pm1"

suite = h.Suite("pmtu")


def routed_topology(srv):
    """Build NS-r and NS-c around srv's namespace (see the module doc)."""
    ns_r = srv.add_ns("r")
    ns_c = srv.add_ns("c")
    r1 = ["ip", "netns", "exec", srv.ns]
    r2 = ["ip", "netns", "exec", ns_r]
    cl = ["ip", "netns", "exec", ns_c]
    h._sh(r1 + ["ip", "link", "add", R1_IF, "type", "veth", "peer", "name", R2_IF,
                "netns", ns_r])
    h._sh(r2 + ["ip", "link", "add", h.ROUTER_IF, "type", "veth", "peer", "name",
                h.CLIENT_IF, "netns", ns_c])
    for ns, ifname, addr, mtu in ((r1, R1_IF, R1_IP, NARROW_MTU), (r2, R2_IF, R2_IP, NARROW_MTU),
                                  (r2, h.ROUTER_IF, h.ROUTER_IP, 1500),
                                  (cl, h.CLIENT_IF, h.CLIENT_NET_IP, 1500)):
        h._sh(ns + ["sysctl", "-q", "-w", "net.ipv6.conf.%s.disable_ipv6=1" % ifname])
        h._sh(ns + ["ip", "link", "set", ifname, "mtu", str(mtu)])
        h._sh(ns + ["ip", "addr", "add", "%s/24" % addr, "dev", ifname])
        h._sh(ns + ["ip", "link", "set", ifname, "up"])
    for ns in (r2, cl):
        h._sh(ns + ["ip", "link", "set", "lo", "up"])
    # Forwarding only inside the two router namespaces.
    h._sh(r1 + ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
    # Every oversized segment draws its ICMP: the kernel's per-destination
    # rate limit (1 s, small burst) would otherwise leave connections of the
    # second lcore without one, at random.
    h._sh(r1 + ["sysctl", "-q", "-w", "net.ipv4.icmp_ratelimit=0"])
    # The client's kernel must not learn the path MTU itself: with a cached
    # PMTU its later SYNs announce MSS 1240, and polltcp would never send a
    # segment too big for the link on those connections (no ICMP to learn
    # from). Without DF its packets are fragmented at the narrow link.
    h._sh(cl + ["sysctl", "-q", "-w", "net.ipv4.ip_no_pmtu_disc=1"])
    h._sh(r2 + ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
    h._sh(r1 + ["ip", "route", "add", "198.18.1.0/24", "via", R2_IP])
    h._sh(r2 + ["ip", "route", "add", "198.18.0.0/24", "via", R1_IP])
    h._sh(cl + ["ip", "route", "add", "default", "via", h.ROUTER_IP])
    return ns_c


def echo_from_client(srv, ns_c, nbytes, sport=0):
    """Echo nbytes of random data from the client (from source port sport,
    0: the kernel's choice); returns seconds taken."""
    data = os.urandom(nbytes)
    with srv.netns(ns_c):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(20)
    if sport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((h.CLIENT_NET_IP, sport))
    t0 = time.monotonic()
    with s:
        s.connect((h.STACK_IP, h.ECHO_PORT))
        got = h.echo_through(s, data)
        s.shutdown(socket.SHUT_WR)
        tail = s.recv(1)
    secs = time.monotonic() - t0
    check(len(got) == len(data), "echoed %d of %d bytes" % (len(got), len(data)))
    check(got == data, "echo differs at byte %d" % h.first_diff(got, data))
    check(tail == b"", "extra byte %r after the echoed data" % tail)
    return secs


def kernel_mtu_seen(srv, ns_c):
    """The client's cached path MTU towards the stack (its own PMTUD), or None."""
    p = srv.run(["ip", "route", "get", h.STACK_IP], ns=ns_c)
    for word, val in zip(p.stdout.split(), p.stdout.split()[1:]):
        if word == "mtu":
            return int(val)
    return None


COUNTERS = ["ICMP_FRAG_NEEDED_RX", "TCP_PMTU_REDUCED", "TCP_PMTU_ICMP_REJECTED",
            "TCP_PMTU_ICMP_NOCHANGE", "TCP_PMTU_BLACKHOLE", "TCP_PMTU_RESEND", "PMTU_CACHE_ADD",
            "TCP_RTO", "TCP_REXMIT"]


@suite.test(timeout=120)
def test_pmtu_icmp(ctx):
    """4 MiB echoed across a 1280-byte link: the router's ICMP fragmentation
    needed lowers polltcp's MSS once (RFC 1191), the flight is resent and
    the transfer completes without a timeout."""
    srv = ctx.new_server(["--gateway", h.KERNEL_IP], name="pmtu-icmp")
    with srv:
        ns_c = routed_topology(srv)
        secs = echo_from_client(srv, ns_c, BULK)
        client_mtu = kernel_mtu_seen(srv, ns_c)
        c = h.stop_checked(srv)
    h.log("    %d MiB through a %d-byte link in %.2f s; client's path MTU %s; %s"
          % (BULK // MIB, NARROW_MTU, secs, client_mtu, h.counters_line(c, COUNTERS)))
    check(c.get("ICMP_FRAG_NEEDED_RX", 0) >= 1, "no ICMP fragmentation needed reached the stack")
    check(c.get("TCP_PMTU_REDUCED", 0) == 1,
          "TCP_PMTU_REDUCED %d, expected the one connection lowered once"
          % c.get("TCP_PMTU_REDUCED", 0))
    check(c.get("TCP_PMTU_BLACKHOLE", 0) == 0, "black-hole detection ran though ICMP arrived")
    check(c.get("TCP_PMTU_ICMP_REJECTED", 0) == 0,
          "genuine ICMP rejected (RFC 5927 4.1 check wrong)")
    check(c.get("PMTU_CACHE_ADD", 0) == 1, "the path MTU was not cached")
    # Only the first flight (initial window: 10 segments) was too big.
    check(c.get("ICMP_FRAG_NEEDED_RX", 0) <= 10,
          "%d ICMP errors: segments too big were sent after the MSS was lowered"
          % c.get("ICMP_FRAG_NEEDED_RX", 0))
    check(c.get("TCP_DATA_RX", 0) == BULK, "TCP_DATA_RX %d != %d"
          % (c.get("TCP_DATA_RX", 0), BULK))
    check(c.get("TCP_CONN_TIMEOUT", 0) == 0, "a connection timed out")


@suite.test(timeout=120)
def test_pmtu_icmp_two_lcores(ctx):
    """Two lcores, 8 concurrent connections echoing 512 KiB each across the
    1280-byte link: each lcore's path-MTU cache learns the destination from
    an ICMP about one of its own connections (handed over by the control
    lcore), and every transfer completes."""
    n_conns, size = 8, 512 << 10
    # Source ports chosen so that each lcore owns half of the connections
    # (the kernel's random ports put all 8 on one lcore once in 128 runs).
    ports = h.ports_per_owner(h.CLIENT_NET_IP, h.STACK_IP, h.ECHO_PORT, 2, n_conns // 2)
    srv = ctx.new_server(["--gateway", h.KERNEL_IP], name="pmtu-2l", lcores="0,1")
    errors = []
    with srv:
        ns_c = routed_topology(srv)

        def one(sport):
            try:
                echo_from_client(srv, ns_c, size, sport)
            except BaseException as e:  # reported below
                errors.append(e)
        threads = [threading.Thread(target=one, args=(p,)) for p in ports]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        c = h.stop_checked(srv)
        acc = h.lcore_accepts(srv.output)
    h.log("    %d x %d KiB on two lcores, accepted per lcore %s; %s"
          % (n_conns, size >> 10, acc, h.counters_line(c, COUNTERS + ["PMTU_CACHE_LOWER",
                                                                 "TCP_PMTU_SYNCED",
                                                                 "IP_HANDOFF_TX"])))
    check(not errors, "%d transfers failed: %r" % (len(errors), errors[:1]))
    check(acc == {0: n_conns // 2, 1: n_conns // 2},
          "connections per lcore %s, expected %d each (source ports %s)" % (acc, n_conns // 2, ports))
    check(c.get("PMTU_CACHE_ADD", 0) == 2,
          "PMTU_CACHE_ADD %d: expected one entry on each lcore" % c.get("PMTU_CACHE_ADD", 0))
    check(c.get("TCP_PMTU_REDUCED", 0) >= 2, "TCP_PMTU_REDUCED %d" % c.get("TCP_PMTU_REDUCED", 0))
    check(c.get("ICMP_ERR_TCP_NO_CONN", 0) == 0, "an ICMP error missed its connection's lcore")
    check(c.get("IP_HANDOFF_TX", 0) > 0, "no ICMP error was handed to the other lcore")
    check(c.get("TCP_PMTU_BLACKHOLE", 0) == 0, "black-hole detection ran though ICMP arrived")
    check(c.get("TCP_DATA_RX", 0) == n_conns * size, "TCP_DATA_RX %d != %d"
          % (c.get("TCP_DATA_RX", 0), n_conns * size))


@suite.test(timeout=120)
def test_pmtu_blackhole(ctx):
    """The same with that ICMP dropped by nftables at the router: black-hole
    detection (RFC 4821) lowers the MSS after two timeouts and the transfer
    completes."""
    srv = ctx.new_server(["--gateway", h.KERNEL_IP], name="pmtu-bh")
    with srv:
        ns_c = routed_topology(srv)
        rule = "icmp type destination-unreachable icmp code frag-needed drop"
        with srv.nft_table(NFT_TABLE, {"output": [rule]}):
            secs = echo_from_client(srv, ns_c, BULK)
            dropped = srv.nft_packets(NFT_TABLE).get("output", 0)
        c = h.stop_checked(srv)
    h.log("    %d MiB through a %d-byte link, ICMP filtered (%d dropped), in %.2f s; %s"
          % (BULK // MIB, NARROW_MTU, dropped, secs, h.counters_line(c, COUNTERS)))
    check(dropped > 0, "nftables dropped no ICMP: the black hole was not tested")
    check(c.get("ICMP_FRAG_NEEDED_RX", 0) == 0, "an ICMP fragmentation needed got through")
    check(c.get("TCP_PMTU_BLACKHOLE", 0) >= 1, "TCP_PMTU_BLACKHOLE is 0")
    check(c.get("TCP_PMTU_REDUCED", 0) == 0, "TCP_PMTU_REDUCED without ICMP")
    check(c.get("TCP_DATA_RX", 0) == BULK, "TCP_DATA_RX %d != %d"
          % (c.get("TCP_DATA_RX", 0), BULK))
    check(c.get("TCP_CONN_TIMEOUT", 0) == 0, "a connection timed out")


if __name__ == "__main__":
    raise SystemExit(suite.main())
