# SPDX-License-Identifier: BSD-3-Clause
"""echo_bulk: large transfers through polltcp-echo, compared by SHA-256.

Run: PYTHONPATH=tests/integration python3 tests/integration/test_echo_bulk.py \
         build/app/polltcp-echo
"""
import hashlib
import os
import sys
import threading
import time

import ptcp_harness as h
from ptcp_harness import check

MIB = 1 << 20
suite = h.Suite("echo_bulk")


def bulk_echo(srv, data, send_chunk):
    """Send data from one thread, read it back in this one; return (bytes, secs)."""
    t0 = time.monotonic()
    with srv.connect(timeout=20) as s:
        got = h.echo_through(s, data, chunk=send_chunk)
        s.shutdown(h.socket.SHUT_WR)
        tail = s.recv(1)
    check(tail == b"", "extra byte %r after the echoed data" % tail)
    return got, time.monotonic() - t0


def check_same(data, got):
    want, have = hashlib.sha256(data).hexdigest(), hashlib.sha256(got).hexdigest()
    check(len(got) == len(data), "sent %d bytes, got %d back" % (len(data), len(got)))
    check(have == want, "sha256 %s != sent %s; first difference at offset %d"
          % (have[:16], want[:16], h.first_diff(got, data)))


@suite.test(timeout=120)
def one_mib_random_echoed_sha256_equal(ctx):
    srv = ctx.server()
    data = os.urandom(MIB)
    got, secs = bulk_echo(srv, data, 16384)
    check_same(data, got)
    h.log("    1 MiB echoed in %.2f s (%.1f Mbit/s each way)" % (secs, 8 * MIB / secs / 1e6))


@suite.test(timeout=120)
def one_mib_in_odd_sized_writes_echoed(ctx):
    # 1 MiB + 7 in 1000-byte writes: segment boundaries never line up with the MSS.
    srv = ctx.server()
    data = os.urandom(MIB + 7)
    got, _ = bulk_echo(srv, data, 1000)
    check_same(data, got)


@suite.test(timeout=180)
def four_parallel_mib_streams_echoed(ctx):
    srv = ctx.server()
    datas = [os.urandom(MIB) for _ in range(4)]
    results = [None] * 4

    def one(i):
        try:
            results[i] = bulk_echo(srv, datas[i], 32768)[0]
        except BaseException as e:
            results[i] = e

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(150)
    for i in range(4):
        check(not isinstance(results[i], BaseException),
              "stream %d: %r" % (i, results[i]))
        check(results[i] is not None, "stream %d did not finish" % i)
        check_same(datas[i], results[i])


@suite.test
def server_stops_cleanly_after_bulk(ctx):
    srv = ctx.server()
    rc, out = srv.stop()
    check(rc == 0, "exit code %r after SIGTERM" % rc)
    c = h.parse_counters(out)
    total = 6 * MIB + 7                # what the tests above sent (and got back)
    check(c.get("TCP_RX", 0) > total // 1460,
          "TCP_RX %r: too few segments for %d bytes" % (c.get("TCP_RX"), total))
    if "TCP_DATA_RX" in c:             # the stack's own byte counters, when it has them
        check(c["TCP_DATA_RX"] == total, "TCP_DATA_RX %d != %d bytes sent"
              % (c["TCP_DATA_RX"], total))


if __name__ == "__main__":
    sys.exit(suite.main())
