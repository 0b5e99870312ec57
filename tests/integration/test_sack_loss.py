# SPDX-License-Identifier: BSD-3-Clause
"""sack_loss: with SACK negotiated, loss recovery resends what was lost and little else.

The kernel (in the test's namespace) echoes nothing: it sends random bytes
to polltcp-echo and reads them back. nftables in the namespace's input hook
drops a share of the stack's *data* segments (IP length above 200 bytes)
as they reach the kernel, and counts the packets and bytes it dropped:
the payload lost is those bytes less 52 header bytes each (IPv4 20, TCP 20,
timestamps 12). The stack resends by SACK recovery (RFC 6675, RACK-TLP);
its TCP_REXMIT_BYTES must cover every lost byte (the echo completes intact)
and stay close to it: SACKed data is not resent.

Run: PYTHONPATH=tests/integration python3 tests/integration/test_sack_loss.py \
         build/app/polltcp-echo
"""
import hashlib
import os
import sys
import time

import ptcp_harness as h
from ptcp_harness import check

MIB = 1 << 20
HDR = 20 + 20 + 12      # IPv4, TCP, the timestamps option (negotiated with Linux)
suite = h.Suite("sack_loss")


def nft_data_loss(srv, percent):
    """Drop percent% of the stack's data segments (IP length > 200) at the kernel's input."""
    match = "iifname \"%s\" tcp sport %d ip length > 200" % (h.TAP_IF, srv.port)
    rules = ("table inet ptcp_sack_loss {\n"
             "  chain input { type filter hook input priority 0; policy accept;\n"
             "    %s numgen random mod 1000 < %d counter drop\n"
             "  }\n}\n" % (match, int(percent * 10)))
    p = srv.run(["sh", "-c", "printf '%s' \"$0\" | nft -f -", rules])
    check(p.returncode == 0, "nft: %s" % p.stdout.strip())


def nft_dropped(srv):
    """(packets, bytes) the drop rule counted."""
    p = srv.run(["nft", "list", "table", "inet", "ptcp_sack_loss"])
    packets = total = 0
    for part in p.stdout.split("counter packets ")[1:]:
        words = part.split()
        packets += int(words[0])
        total += int(words[2])
    return packets, total


def echo_under_loss(ctx, extra, percent, size):
    srv = ctx.new_server(list(extra), name="sack-loss")
    data = os.urandom(size)
    with srv:
        nft_data_loss(srv, percent)
        t0 = time.monotonic()
        with srv.connect(timeout=120) as s:
            got = h.echo_through(s, data, chunk=64 * 1024)
        secs = time.monotonic() - t0
        packets, nbytes = nft_dropped(srv)
        rc, out = srv.stop()
    check(len(got) == len(data), "sent %d bytes, got %d back" % (len(data), len(got)))
    check(hashlib.sha256(got).digest() == hashlib.sha256(data).digest(),
          "sha256 differs; first difference at offset %d" % h.first_diff(got, data))
    check(rc == 0, "exit code %r" % rc)
    c = h.parse_counters(out)
    lost = nbytes - packets * HDR
    h.log("    %.2f s, %d data segments dropped (%d payload bytes), TCP_REXMIT_BYTES %d,"
          " TCP_RTO %d, TCP_SACK_RECOVERY %d, TCP_TLP_PROBE %d"
          % (secs, packets, lost, c.get("TCP_REXMIT_BYTES", 0), c.get("TCP_RTO", 0),
             c.get("TCP_SACK_RECOVERY", 0), c.get("TCP_TLP_PROBE", 0)))
    check(packets > 0, "nftables dropped nothing: the test did not test loss")
    return c, packets, lost


@suite.test(timeout=300)
def rfc6675_sack_recovery_resends_about_what_was_lost(ctx):
    c, packets, lost = echo_under_loss(ctx, [], 2, 4 * MIB)
    rexmit = c.get("TCP_REXMIT_BYTES", 0)
    check(c.get("TCP_OPT_SACK_PERMIT", 0) > 0, "SACK was not negotiated: %r" % c)
    check(c.get("TCP_SACK_RECOVERY", 0) > 0, "no SACK recovery ran: %r" % c)
    check(c.get("TCP_SACK_SB_NOMEM", 0) == 0, "scoreboard pool ran dry: %r" % c)
    check(rexmit >= lost, "resent %d bytes, %d were lost" % (rexmit, lost))
    # A resent segment can be lost again (2% of them), a timeout can resend
    # a little that arrived: allow a quarter more, and two segments.
    check(rexmit <= lost * 5 // 4 + 2 * 1448,
          "resent %d bytes for %d lost (more than 125%%): SACKed data resent?" % (rexmit, lost))


@suite.test(timeout=300)
def rfc6582_without_sack_newreno_recovers_the_same_loss(ctx):
    c, packets, lost = echo_under_loss(ctx, ["--no-sack"], 2, 4 * MIB)
    rexmit = c.get("TCP_REXMIT_BYTES", 0)
    check(c.get("TCP_OPT_SACK_PERMIT", 0) == 0, "SACK negotiated despite --no-sack: %r" % c)
    check(c.get("TCP_SACK_RECOVERY", 0) == 0 and c.get("TCP_SACK_SB_ALLOC", 0) == 0,
          "SACK recovery without SACK: %r" % c)
    check(rexmit >= lost, "resent %d bytes, %d were lost" % (rexmit, lost))
    h.log("    without SACK: %.2f times the lost bytes resent, %d timeouts"
          % (rexmit / max(lost, 1), c.get("TCP_RTO", 0)))


if __name__ == "__main__":
    sys.exit(suite.main())
