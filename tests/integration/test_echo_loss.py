# SPDX-License-Identifier: BSD-3-Clause
"""echo_loss: bulk echo stays correct when the path loses, reorders, duplicates.

Loss is injected by nftables in the test's namespace (numgen random) in
the kernel's input hook: segments the stack sent are lost, so its
retransmission is exercised. (Dropping in the kernel's output hook is not
loss on the wire: the kernel sees a local error and resends at once, so the
stack never notices. Loss towards the stack is tested with a routed client
and drops in the forward hook, in test_reliable.py.) Reordering and
duplication come from the stack's own seeded `--impair` option. The
outgoing loss is run once more under each congestion control (--cc).

Run: PYTHONPATH=tests/integration python3 tests/integration/test_echo_loss.py \
         build/app/polltcp-echo
"""
import hashlib
import os
import signal
import sys
import time

import ptcp_harness as h
from ptcp_harness import check

MIB = 1 << 20
suite = h.Suite("echo_loss")


def nft_loss(srv, percent):
    """Drop `percent`% of the stack's TCP port-7 segments as they reach the kernel."""
    match = "iifname \"%s\" tcp sport %d" % (h.TAP_IF, srv.port)
    rules = ("table inet ptcp_loss {\n"
             "  chain input { type filter hook input priority 0; policy accept;\n"
             "    %s numgen random mod 100 < %d counter drop\n"
             "  }\n}\n" % (match, percent))
    p = srv.run(["sh", "-c", "printf '%s' \"$0\" | nft -f -", rules])
    check(p.returncode == 0, "nft: %s" % p.stdout.strip())


def nft_dropped(srv):
    p = srv.run(["nft", "list", "table", "inet", "ptcp_loss"])
    total = 0
    for word in p.stdout.split("packets ")[1:]:
        total += int(word.split()[0])
    return total


def bulk_sha(srv, size, timeout):
    data = os.urandom(size)
    t0 = time.monotonic()
    with srv.connect(timeout=timeout) as s:
        got = h.echo_through(s, data, chunk=32768)
    secs = time.monotonic() - t0
    check(len(got) == len(data), "sent %d bytes, got %d back" % (len(data), len(got)))
    check(hashlib.sha256(got).digest() == hashlib.sha256(data).digest(),
          "sha256 differs; first difference at offset %d" % h.first_diff(got, data))
    return secs


@suite.test(timeout=240)
def one_mib_echoed_with_3pct_loss_from_stack_retransmitted(ctx):
    srv = ctx.new_server(name="loss-out")
    with srv:
        nft_loss(srv, 3)
        secs = bulk_sha(srv, MIB, 60)
        dropped = nft_dropped(srv)
        rc, out = srv.stop()
    c = h.parse_counters(out)
    h.log("    %.2f s, %d segments dropped, TCP_REXMIT %d" % (secs, dropped, c.get("TCP_REXMIT", 0)))
    check(dropped > 0, "nftables dropped nothing: the test did not test loss")
    check(rc == 0, "exit code %r" % rc)
    check(c.get("TCP_REXMIT", 0) > 0, "segments were lost but TCP_REXMIT is 0: %r" % c)


def conn_line(srv):
    """SIGUSR1 while a connection is open: its 'conn:' line (ptcp_conn_info)."""
    mark = srv.mark()
    os.kill(srv.proc.pid, signal.SIGUSR1)
    found = []

    def printed():
        found[:] = [l for l in srv.output_since(mark).splitlines() if l.startswith("conn:")]
        return bool(found)
    h.wait_for(printed, 5)
    return found[0] if found else ""


@suite.test(timeout=300)
def one_mib_echoed_with_3pct_loss_under_each_congestion_control(ctx):
    """--cc newreno and --cc cubic: intact echo, the connection reports its
    algorithm, and the losses made it reduce (fast retransmit or timeout)."""
    for cc in ("newreno", "cubic"):
        srv = ctx.new_server(["--cc", cc], name="loss-" + cc)
        with srv:
            nft_loss(srv, 3)
            data = os.urandom(MIB)
            with srv.connect(timeout=60) as s:
                got = h.echo_through(s, data, chunk=32768)
                line = conn_line(srv)
            check(got == data,
                  "--cc %s: echo differs at offset %d" % (cc, h.first_diff(got, data)))
            rc, out = srv.stop()
        c = h.parse_counters(out)
        events = c.get("TCP_CC_CONGESTION_EVENT", 0) + c.get("TCP_RTO", 0)
        h.log("    --cc %s: TCP_REXMIT %d, congestion events %d, timeouts %d" % (
            cc, c.get("TCP_REXMIT", 0), c.get("TCP_CC_CONGESTION_EVENT", 0), c.get("TCP_RTO", 0)))
        check(rc == 0, "--cc %s: exit code %r" % (cc, rc))
        check((" cc=%s" % cc) in line, "--cc %s: SIGUSR1 conn line %r" % (cc, line))
        check(c.get("TCP_REXMIT", 0) > 0 and events > 0,
              "--cc %s: no retransmission or reduction under loss: %r" % (cc, c))


@suite.test(timeout=240)
def one_mib_echoed_through_reorder_and_duplication(ctx):
    srv = ctx.new_server(["--impair", "reorder=2%,dup=2%,seed=42"], name="impair")
    with srv:
        check("impair:" in srv.output, "the server did not report an active --impair")
        secs = bulk_sha(srv, MIB, 60)
        rc, out = srv.stop()
    h.log("    %.2f s" % secs)
    check(rc == 0, "exit code %r" % rc)


if __name__ == "__main__":
    sys.exit(suite.main())
