# SPDX-License-Identifier: BSD-3-Clause
"""steering: polltcp-echo on 2 lcores, every flow owned by one lcore.

Each TCP flow belongs to the lcore that the symmetric Toeplitz hash of its
4-tuple names (lib/wire ptcp_steer.h). Two layouts, 200 concurrent kernel
connections each echoing their own data (verified byte for byte):

  - a multi-queue TAP, one queue per lcore: the kernel's tun picks queues by
    its own flow hash, so some segments arrive on the other lcore's queue
    and are passed to their owner;
  - the same TAP with --queues 1: one lcore polls the only queue pair and
    steers about half of the segments to the other, which hands its frames
    back for transmission (software steering, as for single-queue ports
    such as net_pcap or af_packet).

Both lcores must serve connections, nothing may be dropped between them,
and every connection gets its own data back. ARP goes to lcore 0 only (the
control path), and both lcores address the client through the one
neighbour table it keeps.

Run: PYTHONPATH=tests/integration python3 tests/integration/test_steering.py \
         build/app/polltcp-echo
"""
import re
import sys

import ptcp_harness as h
from ptcp_harness import check
import test_echo_concurrent as ec

N_CONNS = 200
suite = h.Suite("steering")


def run_layout(ctx, extra, name):
    srv = ctx.new_server(["--max-conns", "1024"] + extra, name=name, lcores="0,1")
    with srv:
        socks = ec.open_all(srv, N_CONNS)
        try:
            payloads = [ec.payload_for(i, 4096 + 61 * i) for i in range(N_CONNS)]
            conns = ec.run_echo(socks, payloads, 90)
            wrong = [c.idx for c in conns if bytes(c.got) != c.payload]
            check(not wrong, "%d connections got data back that is not their own: %r"
                  % (len(wrong), wrong[:10]))
        finally:
            for s in socks:
                s.close()
        rc, out = srv.stop()
    check(rc == 0, "exit code %r after SIGTERM" % rc)
    c = h.parse_counters(out)
    acc = h.lcore_accepts(out)
    h.log("%s: accepted per lcore %s; STEER_TX %d STEER_RX %d STEER_DROP %d "
          "TCP_RST_TX %d TCP_NO_CONN %d"
          % (name, acc, c.get("STEER_TX", 0), c.get("STEER_RX", 0), c.get("STEER_DROP", 0),
             c.get("TCP_RST_TX", 0), c.get("TCP_NO_CONN", 0)))
    check(sorted(acc) == [0, 1], "per-lcore lines missing: %r" % acc)
    check(sum(acc.values()) == N_CONNS, "accepted %d, want %d" % (sum(acc.values()), N_CONNS))
    check(min(acc.values()) > N_CONNS // 5, "one lcore served too few: %r" % acc)
    check(c.get("STEER_DROP", 0) == 0, "steering drops: %d" % c.get("STEER_DROP", 0))
    check(c.get("TCP_NO_CONN", 0) == 0,
          "%d segments met no connection (wrong lcore?)" % c.get("TCP_NO_CONN", 0))
    check(c.get("STEER_RX", 0) >= c.get("STEER_TX", 0),
          "steered %d, received %d" % (c.get("STEER_TX", 0), c.get("STEER_RX", 0)))
    # One neighbour table: lcore 0 learned the client from its ARP request
    # and both lcores answered through that entry, with no ARP of their own.
    check(c.get("ARP_RX", 0) > 0, "no ARP received")
    check(c.get("ARP_MISS", 0) == 0, "%d sends found no neighbour entry" % c.get("ARP_MISS", 0))
    for k in ("ARP_TO_CONTROL", "ARP_TO_CONTROL_DROP", "ARP_RESOLVE_HANDOFF_DROP"):
        check(c.get(k, 0) == 0, "%s %d" % (k, c.get(k, 0)))
    return c, out


@suite.test(timeout=180)
def two_lcores_multi_queue_tap_200_connections(ctx):
    c, out = run_layout(ctx, [], "steer-mq")
    check("RSS over 2 queue pairs" in out or "software steering of 2 queue pairs" in out,
          "no steering line in the server's output")


@suite.test(timeout=180)
def two_lcores_one_rx_queue_software_steering_200_connections(ctx):
    c, out = run_layout(ctx, ["--queues", "1"], "steer-1q")
    check("software steering of 1 queue pair to 2 lcores" in out,
          "no software steering line in the server's output")
    # Lcore 1 has no queue: every segment of its flows was steered to it, and
    # every frame it sent went out through lcore 0's TX queue.
    check(c.get("STEER_TX", 0) > N_CONNS, "only %d segments steered" % c.get("STEER_TX", 0))
    check(c.get("TX_HANDOFF", 0) > N_CONNS, "only %d frames handed over for TX"
          % c.get("TX_HANDOFF", 0))
    check(c.get("TX_HANDOFF_DROP", 0) == 0, "TX hand-off drops: %d" % c.get("TX_HANDOFF_DROP", 0))


if __name__ == "__main__":
    sys.exit(suite.main())
