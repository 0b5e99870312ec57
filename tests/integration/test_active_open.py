# SPDX-License-Identifier: BSD-3-Clause
"""active_open: polltcp-load (ptcp_connect) against the Linux kernel's TCP.

Each test makes a namespace (ptcp_harness.Server), starts a Linux echo
server in it (Python sockets, made inside the namespace with setns, bound
to 198.18.0.1:7007 with IP_FREEBIND before the TAP exists), then runs

    polltcp-load --vdev=net_tap0,iface=pt0 --no-pci --no-huge -m 256 -l 0
        --file-prefix ptcp<unique> -- --ip 198.18.0.2/24
        --connect 198.18.0.1:7007 --start-delay 300 [test's options]

inside the namespace. The harness configures the kernel side of pt0 as
soon as polltcp-load prints "ready to connect"; --start-delay gives it
that time (were it late, the stack's ARP and SYN retries cover it, at the
cost of a second). polltcp-load ends by itself; its exit code, result
line, counters and what the Linux server saw are then checked.

  one_connection_1mib ...     1 MiB verified; the server got exactly the
                              documented seeded stream; clean FIN exchange
  twenty_connections_64k ...  20 x 64 KiB, 20 distinct streams
  time_wait_takes_no_connection_slot  600 active closes through 64 slots
  server_sees_stack_address_and_ephemeral_source_ports
  connect_to_port_without_listener_refused (TCP_CONN_REFUSED)
  corrupted_echo_reports_offset_of_first_wrong_byte
  silent_peer_times_out
  sigterm_aborts_connections_prints_counters_exits_1
  bad_options_one_error_line_nonzero_exit

Run: PYTHONPATH=tests/integration python3 tests/integration/test_active_open.py \\
         build/app/polltcp-load
"""
import hashlib
import re
import select
import signal
import socket
import struct
import sys
import threading
import time

import ptcp_harness as h
from ptcp_harness import check

suite = h.Suite("active_open")

LOAD_PORT = 7007            # the Linux echo server
NO_LISTENER_PORT = 7008
START_DELAY_MS = 300
RUN_TIMEOUT = 90.0          # seconds for one polltcp-load run to end by itself
IP_FREEBIND = 15            # linux/in.h: bind an address not (yet) configured
EPHEMERAL = range(49152, 65536)
READY = "ready to connect"

RESULT_RE = re.compile(r"^load: conns (\d+) ok (\d+) failed (\d+) bytes (\d+) "
                       r"time ([\d.]+) s throughput ([\d.]+) Mbit/s$", re.M)
CONNECTED_RE = re.compile(r"^connected (\d+) in ([\d.]+) ms", re.M)
TW_RE = re.compile(r"^load: established \d+ closed \d+ time-wait (\d+)", re.M)
TW_RECORDS_RE = re.compile(r"^load: time-wait records (\d+) connections (\d+)$", re.M)


# ---- the documented test stream (app/load/load.h) ------------------------------

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def _mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def stream(seed, conn, n):
    """The first n bytes polltcp-load sends on connection `conn` with --seed."""
    key = _mix((seed + conn * GOLDEN) & M64)
    words = (n + 7) // 8
    data = struct.pack("<%dQ" % words,
                       *[_mix((key + j * GOLDEN) & M64) for j in range(1, words + 1)])
    return data[:n]


# ---- a Linux echo server inside the namespace ----------------------------------

class KernelEcho:
    """Accepts on 198.18.0.1:port in srv's namespace; one thread per connection.

    mode "echo": send back what arrives; "corrupt": the same, with the byte
    at offset `corrupt_at` of the echo flipped; "silent": read, never echo.
    On EOF it closes (FIN). Each connection's record: peer (ip, port),
    received, echoed, sha256 of what it received, eof (the client's FIN
    came after the data), error (e.g. ConnectionResetError) or None.
    """

    def __init__(self, srv, port=LOAD_PORT, mode="echo", corrupt_at=None):
        self.mode = mode
        self.corrupt_at = corrupt_at
        self.conns = []
        self.lock = threading.Lock()
        self.stopping = False
        self.threads = []
        with srv.netns():
            self.ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.setsockopt(socket.IPPROTO_IP, IP_FREEBIND, 1)
        self.ls.bind((h.KERNEL_IP, port))
        self.ls.listen(256)             # a small backlog makes Linux answer with SYN cookies
        self.acceptor = threading.Thread(target=self._accept, daemon=True)
        self.acceptor.start()

    def _accept(self):
        while not self.stopping:
            r, _, _ = select.select([self.ls], [], [], 0.1)
            if not r:
                continue
            try:
                s, peer = self.ls.accept()
            except OSError:
                return
            rec = {"peer": peer, "received": 0, "echoed": 0, "sha": None, "eof": False,
                   "error": None}
            with self.lock:
                self.conns.append(rec)
            t = threading.Thread(target=self._serve, args=(s, rec), daemon=True)
            self.threads.append(t)
            t.start()

    def _serve(self, s, rec):
        sha = hashlib.sha256()
        s.settimeout(60)
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    rec["eof"] = True
                    break
                off = rec["received"]
                sha.update(b)
                rec["received"] += len(b)
                if self.mode == "silent":
                    continue
                if self.mode == "corrupt" and off <= self.corrupt_at < off + len(b):
                    b = bytearray(b)
                    b[self.corrupt_at - off] ^= 0xFF
                    b = bytes(b)
                s.sendall(b)
                rec["echoed"] += len(b)
        except OSError as e:
            rec["error"] = repr(e)
        finally:
            rec["sha"] = sha.hexdigest()
            s.close()

    def stop(self):
        if self.stopping:
            return
        self.stopping = True
        self.acceptor.join(2)
        self.ls.close()
        for t in self.threads:
            t.join(5)


def kernel_states(srv):
    """`ss` lines of TCP sockets in the namespace (all states but LISTEN)."""
    p = srv.run(["ss", "-Htan", "state", "all", "exclude", "listening"], timeout=10)
    return [l for l in p.stdout.splitlines() if l.strip()]


class Run:
    """One polltcp-load run against a KernelEcho; fields filled by load()."""
    rc = None
    out = ""
    server = None
    kernel_after = None


def load(ctx, args, mode="echo", corrupt_at=None, connect_port=LOAD_PORT, name="load",
         during=None, timeout=RUN_TIMEOUT):
    """Run polltcp-load to its end in a fresh namespace with a Linux echo server.

    during(srv) runs once the load printed its ready line (e.g. to signal it).
    Returns a Run; everything (process, namespace, DPDK prefix, sockets) is
    cleaned up whatever happens.
    """
    r = Run()
    srv = ctx.new_server(["--connect", "%s:%d" % (h.KERNEL_IP, connect_port),
                          "--start-delay", str(START_DELAY_MS)] + list(args),
                         name=name, ready=READY)
    srv.make_ns()
    echo = None
    try:
        echo = KernelEcho(srv, mode=mode, corrupt_at=corrupt_at)
        r.server = echo
        srv.start()
        if during is not None:
            during(srv)
        try:
            srv.proc.wait(timeout)
        except Exception:
            pass
        if not srv.alive():
            # Give the kernel a moment to finish its side of the close.
            h.wait_for(lambda: not [l for l in kernel_states(srv)
                                    if l.split()[0] in ("LAST-ACK", "FIN-WAIT-1",
                                                        "ESTAB", "CLOSE-WAIT")], 2.0)
            r.kernel_after = kernel_states(srv)
        r.rc, r.out = srv.wait(10)
    finally:
        if echo is not None:
            echo.stop()
        srv.cleanup()
    return r


def result(out):
    m = RESULT_RE.search(out)
    check(m, "no result line `load: conns N ok N failed N bytes B time T s throughput X "
          "Mbit/s` in the output")
    return {"conns": int(m.group(1)), "ok": int(m.group(2)), "failed": int(m.group(3)),
            "bytes": int(m.group(4)), "time": float(m.group(5)),
            "mbit": float(m.group(6))}


def report(what, res):
    h.log("    %s: %d bytes verified in %.3f s, %.1f Mbit/s"
          % (what, res["bytes"], res["time"], res["mbit"]))


def check_clean_success(r, conns, nbytes, tw_records=None):
    res = result(r.out)
    check(r.rc == 0, "exit code %r, expected 0" % r.rc)
    check(res == dict(res, conns=conns, ok=conns, failed=0, bytes=conns * nbytes),
          "result %r, expected %d ok of %d and %d bytes" % (res, conns, conns, conns * nbytes))
    m = CONNECTED_RE.search(r.out)
    check(m and int(m.group(1)) == conns, "no `connected %d` line" % conns)
    c = h.parse_counters(r.out)
    check(c.get("TCP_CONNECTED") == conns, "TCP_CONNECTED %r, expected %d"
          % (c.get("TCP_CONNECTED"), conns))
    # We close first: every connection reaches TIME-WAIT; nobody resets.
    check(c.get("TCP_TIME_WAIT") == conns, "TCP_TIME_WAIT %r, expected %d"
          % (c.get("TCP_TIME_WAIT"), conns))
    # TIME-WAIT is a compact record: on_closed(0) came when it began ("time-wait N"), the
    # records are still held at the end (2*MSL = 60 s) and no connection slot is.
    m = TW_RE.search(r.out)
    check(m and int(m.group(1)) == conns, "no `time-wait %d` in the result" % conns)
    m = TW_RECORDS_RE.search(r.out)
    want = conns if tw_records is None else tw_records
    check(m and int(m.group(1)) == want and int(m.group(2)) == 0,
          "expected `load: time-wait records %d connections 0`, got %r"
          % (want, m.group(0) if m else None))
    for k in ("TCP_RST_TX", "TCP_RST_RX", "TCP_CONN_RESET", "TCP_CONN_REFUSED"):
        check(c.get(k, 0) == 0, "%s = %d on a clean run" % (k, c.get(k, 0)))
    check(c.get("TCP_DATA_TX") == conns * nbytes and c.get("TCP_DATA_RX") == conns * nbytes,
          "TCP_DATA_TX %r / TCP_DATA_RX %r, expected %d"
          % (c.get("TCP_DATA_TX"), c.get("TCP_DATA_RX"), conns * nbytes))
    # The Linux side: every connection got all the data, then our FIN, no error.
    recs = r.server.conns
    check(len(recs) == conns, "the Linux server accepted %d connections, expected %d"
          % (len(recs), conns))
    bad = [x for x in recs if x["received"] != nbytes or x["echoed"] != nbytes
           or not x["eof"] or x["error"]]
    check(not bad, "%d Linux-side connections not clean, e.g. %r" % (len(bad), bad[:2]))
    # Our last ACK went out: the kernel has no socket left in LAST-ACK and the like.
    left = [l for l in (r.kernel_after or []) if l.split()[0] != "TIME-WAIT"]
    check(r.kernel_after is not None and not left,
          "kernel sockets left after the run: %r" % (left or r.kernel_after))
    return res


# ---- tests -------------------------------------------------------------------------

@suite.test
def one_connection_1mib_verified_and_closed_cleanly(ctx):
    seed, n = 7, 1 << 20
    r = load(ctx, ["--conns", "1", "--bytes", "1M", "--seed", str(seed)], name="one")
    res = check_clean_success(r, 1, n)
    report("1 x 1 MiB", res)
    want = hashlib.sha256(stream(seed, 0, n)).hexdigest()
    check(r.server.conns[0]["sha"] == want,
          "the Linux server received other bytes than the documented stream of seed %d" % seed)


@suite.test
def twenty_connections_64k_each_verified(ctx):
    seed, n, conns = 11, 64 << 10, 20
    r = load(ctx, ["--conns", str(conns), "--bytes", "64K", "--seed", str(seed)],
             name="twenty")
    res = check_clean_success(r, conns, n)
    report("20 x 64 KiB", res)
    got = sorted(x["sha"] for x in r.server.conns)
    want = sorted(hashlib.sha256(stream(seed, k, n)).hexdigest() for k in range(conns))
    check(len(set(got)) == conns, "the %d connections did not carry distinct streams" % conns)
    check(got == want, "the streams received differ from connections 0..%d of seed %d"
          % (conns - 1, seed))


@suite.test
def time_wait_takes_no_connection_slot(ctx):
    # 600 active closes through 64 connection slots within 2*MSL: TIME-WAIT is a compact
    # record, not a slot. Records: 8 * max_conns = 512; the other 88 skip TIME-WAIT
    # (TCP_TW_POOL_EMPTY, as Linux) and still close cleanly.
    conns, slots = 600, 64
    r = load(ctx, ["--conns", str(conns), "--bytes", "1K", "--max-conns", str(slots)],
             name="twslots")
    res = check_clean_success(r, conns, 1024, tw_records=8 * slots)
    c = h.parse_counters(r.out)
    check(c.get("TCP_TW_POOL_EMPTY") == conns - 8 * slots, "TCP_TW_POOL_EMPTY %r, expected %d"
          % (c.get("TCP_TW_POOL_EMPTY"), conns - 8 * slots))
    check(c.get("TCP_SYN_DROP", 0) == 0, "TCP_SYN_DROP %r" % c.get("TCP_SYN_DROP"))
    report("600 x 1 KiB through 64 slots", res)


@suite.test
def server_sees_stack_address_and_ephemeral_source_ports(ctx):
    conns = 20
    r = load(ctx, ["--conns", str(conns), "--bytes", "1K"], name="ports")
    check(r.rc == 0, "exit code %r" % r.rc)
    peers = [x["peer"] for x in r.server.conns]
    check(len(peers) == conns, "%d connections accepted, expected %d" % (len(peers), conns))
    check(all(ip == h.STACK_IP for ip, _ in peers), "peer addresses %r, expected all %s"
          % (sorted({ip for ip, _ in peers}), h.STACK_IP))
    ports = [p for _, p in peers]
    check(all(p in EPHEMERAL for p in ports), "source ports outside 49152..65535: %r"
          % sorted(p for p in ports if p not in EPHEMERAL))
    check(len(set(ports)) == conns, "source ports not distinct: %r" % sorted(ports))


@suite.test
def connect_to_port_without_listener_refused(ctx):
    r = load(ctx, ["--conns", "1"], connect_port=NO_LISTENER_PORT, name="refused")
    check(r.rc == 1, "exit code %r, expected 1" % r.rc)
    check(re.search(r"refused.*ECONNREFUSED", r.out),
          "no 'refused (ECONNREFUSED' message in the output")
    check(re.search(r"^polltcp-load: error: 1 of 1 connections .* failed \(refused 1\)$",
                    r.out, re.M), "no summary error line naming the refusal")
    res = result(r.out)
    check(res["ok"] == 0 and res["failed"] == 1, "result %r" % res)
    c = h.parse_counters(r.out)
    check(c.get("TCP_CONN_REFUSED") == 1, "TCP_CONN_REFUSED %r, expected 1"
          % c.get("TCP_CONN_REFUSED"))
    check(c.get("TCP_RST_RX") == 1 and "TCP_CONNECTED" not in c,
          "counters %r" % {k: v for k, v in c.items() if k.startswith("TCP")})
    check(not r.server.conns, "the Linux server on port %d accepted something" % LOAD_PORT)


@suite.test
def corrupted_echo_reports_offset_of_first_wrong_byte(ctx):
    at = 100000
    r = load(ctx, ["--conns", "1", "--bytes", "256K"], mode="corrupt", corrupt_at=at,
             name="corrupt")
    check(r.rc == 1, "exit code %r, expected 1" % r.rc)
    m = re.search(r"data mismatch at offset (\d+)", r.out)
    check(m, "no 'data mismatch at offset' message")
    check(int(m.group(1)) == at, "reported offset %s, corrupted %d" % (m.group(1), at))
    res = result(r.out)
    check(res["ok"] == 0 and res["bytes"] == at, "result %r: expected %d bytes verified"
          % (res, at))
    c = h.parse_counters(r.out)
    check(c.get("TCP_RST_TX", 0) >= 1, "the connection was not reset (TCP_RST_TX %r)"
          % c.get("TCP_RST_TX"))


@suite.test
def silent_peer_times_out(ctx):
    t0 = time.monotonic()
    r = load(ctx, ["--conns", "2", "--bytes", "64K", "--timeout", "2"], mode="silent",
             name="silent")
    took = time.monotonic() - t0
    check(r.rc == 1, "exit code %r, expected 1" % r.rc)
    check(re.search(r"not finished after [\d.]+ s \(--timeout 2\)", r.out),
          "no timeout message")
    check(re.search(r"failed \(timeout 2\)$", r.out, re.M), "no summary naming 2 timeouts")
    check(took < 20, "the run took %.1f s with --timeout 2" % took)


@suite.test
def sigterm_aborts_connections_prints_counters_exits_1(ctx):
    def term_when_connected(srv):
        check(h.wait_for(lambda: CONNECTED_RE.search(srv.output), 15),
              "no `connected` line")
        time.sleep(0.5)
        srv.proc.send_signal(signal.SIGTERM)

    r = load(ctx, ["--conns", "2", "--bytes", "16G", "--timeout", "120"],
             during=term_when_connected, name="sigterm")
    check(r.rc == 1, "exit code %r after SIGTERM, expected 1" % r.rc)
    check("counters:" in r.out, "no counters after SIGTERM")
    check(re.search(r"interrupted by signal 15", r.out), "no 'interrupted by signal 15'")
    c = h.parse_counters(r.out)
    check(c.get("TCP_RST_TX", 0) == 2, "TCP_RST_TX %r, expected 2 (both aborted)"
          % c.get("TCP_RST_TX"))
    errs = [x["error"] for x in r.server.conns]
    check(len(errs) == 2 and all(e and ("Reset" in e or "BrokenPipe" in e) for e in errs),
          "the Linux side did not see both connections reset: %r" % errs)


BAD_INVOCATIONS = [
    (["--ip", "198.18.0.2/24", "--connect", "198.18.0.1:7", "--no-such-option"],
     "unknown option"),
    (["--ip", "198.18.0.2/24"], "missing --connect"),
    (["--connect", "198.18.0.1:7"], "missing --ip"),
    (["--ip", "198.18.0.2/24", "--connect", "198.18.0.1"], "no port"),
    (["--ip", "198.18.0.2/24", "--connect", "198.18.0.1:0"], "port 0"),
    (["--ip", "198.18.0.2/24", "--connect", "10.1.2.3:7"], "off-link, no gateway"),
    (["--ip", "198.18.0.2/24", "--connect", "198.18.0.2:7"], "our own address"),
    (["--ip", "198.18.0.2/24", "--connect", "198.18.0.1:7", "--conns", "0"], "0 conns"),
    (["--ip", "198.18.0.2/24", "--connect", "198.18.0.1:7", "--bytes", "lots"], "bytes"),
    (["--ip", "198.18.0.2/24", "--connect", "198.18.0.1:7", "--timeout", "0"], "timeout 0"),
    (["--ip", "198.18.0.2/24", "--connect", "198.18.0.1:7"], "no Ethernet device"),
]


@suite.test
def bad_options_one_error_line_nonzero_exit(ctx):
    bad = []
    for args, what in BAD_INVOCATIONS:
        p = h.run_without_port(ctx.echo, args)
        lines = [l for l in p.stderr.splitlines()
                 if l.strip() and not re.match(r"^\s*(EAL|TELEMETRY|USER1):", l)]
        if p.returncode == 0:
            bad.append("%s: exit 0" % what)
        elif len(lines) != 1:
            bad.append("%s: %d error lines %r" % (what, len(lines), lines[:4]))
        elif not lines[0].startswith("polltcp-load: error: "):
            bad.append("%s: the line %r is not `polltcp-load: error: ...`" % (what, lines[0]))
        if READY in p.stdout:
            bad.append("%s: printed %r" % (what, READY))
    check(not bad, "; ".join(bad))


if __name__ == "__main__":
    sys.exit(suite.main())
