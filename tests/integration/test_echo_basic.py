# SPDX-License-Identifier: BSD-3-Clause
"""echo_basic: the Linux kernel's TCP, ping and the CLI against polltcp-echo.

Run: PYTHONPATH=tests/integration python3 tests/integration/test_echo_basic.py \
         build/app/polltcp-echo
"""
import os
import re
import signal
import socket
import struct
import sys

import ptcp_harness as h
from ptcp_harness import check

suite = h.Suite("echo_basic")


@suite.test
def handshake_and_one_byte_echo(ctx):
    srv = ctx.server()
    with srv.connect() as s:
        s.send(b"x")
        got = h.recv_exactly(s, 1)
        check(got == b"x", "sent b'x', got %r" % got)


@suite.test
def several_kb_message_echoed_intact(ctx):
    srv = ctx.server()
    msg = bytes((i * 7 + 3) & 0xFF for i in range(6000))   # > 4 full segments
    with srv.connect() as s:
        got = h.echo_through(s, msg)
    check(len(got) == len(msg), "sent %d bytes, got %d back" % (len(msg), len(got)))
    check(got == msg, "echoed bytes differ from offset %d" % h.first_diff(got, msg))


@suite.test
def sequential_connections_each_echo(ctx):
    srv = ctx.server()
    for i in range(20):
        msg = b"connection %d says hello\n" % i
        with srv.connect() as s:
            s.sendall(msg)
            got = h.recv_exactly(s, len(msg))
        check(got == msg, "connection %d: sent %r, got %r" % (i, msg, got))


@suite.test
def connect_to_port_without_listener_refused(ctx):
    srv = ctx.server()
    try:
        s = srv.connect(port=9, timeout=5)
    except ConnectionRefusedError:
        return
    except socket.timeout:
        raise AssertionError("connect to port 9 timed out: no RST from the stack")
    s.close()
    raise AssertionError("connect to port 9 succeeded; expected ECONNREFUSED")


def ping_ok(srv, size, count=3, pattern=None):
    """None if all `count` pings of `size` bytes were answered, else why not."""
    args = ["ping", "-n", "-c", str(count), "-i", "0.2", "-W", "2", "-s", str(size)]
    if pattern:
        args += ["-p", pattern]
    p = srv.run(args + [h.STACK_IP], timeout=20)
    m = re.search(r"(\d+) packets transmitted, (\d+) received", p.stdout)
    if p.returncode != 0 or not m or m.group(2) != str(count):
        return "-s %d: exit %d, %s" % (size, p.returncode,
                                        m.group(0) if m else p.stdout.strip()[-200:])
    if "wrong data" in p.stdout or "corrupted" in p.stdout:
        return "-s %d: reply payload differs: %s" % (size, p.stdout.strip()[-300:])
    return None


@suite.test
def ping_of_unfragmented_sizes_answered(ctx):
    # 0: header only; 1472: a full 1500-byte IP packet.
    srv = ctx.server()
    bad = [r for r in (ping_ok(srv, size) for size in (0, 56, 1000, 1472)) if r]
    check(not bad, "; ".join(bad))


@suite.test
def ping_3000_bytes_fragmented_both_ways_answered(ctx):
    # The request arrives as 3 fragments (reassembly); the 3028-byte reply
    # exceeds the MTU, so the stack must fragment it.
    srv = ctx.server()
    r = ping_ok(srv, 3000)
    check(r is None, r)


@suite.test
def ping_payload_pattern_echoed_unchanged(ctx):
    # ping -p fills the payload with a pattern and reports a mismatch as "wrong data".
    srv = ctx.server()
    r = ping_ok(srv, 1400, count=2, pattern="a55aff00")
    check(r is None, r)


# ---- pcapng ------------------------------------------------------------------

def read_pcapng(path):
    """Minimal pcapng reader: validates block framing; returns (link types, frames)."""
    data = open(path, "rb").read()
    check(len(data) >= 28, "%s: %d bytes, too short for a Section Header Block" % (path, len(data)))
    btype = struct.unpack_from("<I", data, 0)[0]
    check(btype == 0x0A0D0D0A, "%s: first block type 0x%08x, not SHB 0x0A0D0D0A" % (path, btype))
    bom = data[8:12]
    if bom == b"\x4d\x3c\x2b\x1a":
        e = "<"
    elif bom == b"\x1a\x2b\x3c\x4d":
        e = ">"
    else:
        raise AssertionError("%s: bad byte-order magic %r" % (path, bom))
    links, frames = [], []
    off = 0
    while off < len(data):
        check(off + 12 <= len(data), "truncated block header at offset %d" % off)
        btype, blen = struct.unpack_from(e + "II", data, off)
        check(blen >= 12 and blen % 4 == 0 and off + blen <= len(data),
              "bad block length %d at offset %d (file %d bytes)" % (blen, off, len(data)))
        trail = struct.unpack_from(e + "I", data, off + blen - 4)[0]
        check(trail == blen, "block at %d: trailing length %d != %d" % (off, trail, blen))
        body = data[off + 8:off + blen - 4]
        if btype == 1:                                  # Interface Description
            links.append(struct.unpack_from(e + "H", body, 0)[0])
        elif btype == 6:                                # Enhanced Packet
            ifid, _, _, caplen, _ = struct.unpack_from(e + "IIIII", body, 0)
            check(ifid < len(links), "EPB for undeclared interface %d" % ifid)
            frames.append(body[20:20 + caplen])
        elif btype == 3:                                # Simple Packet
            caplen = struct.unpack_from(e + "I", body, 0)[0]
            frames.append(body[4:4 + caplen])
        off += blen
    return links, frames


def tcp_of(frame):
    """(src port, dst port, flags) of an Ethernet/IPv4/TCP frame, else None."""
    if len(frame) < 14 + 20 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    if ip[9] != 6 or len(ip) < ihl + 14:
        return None
    sport, dport = struct.unpack_from("!HH", ip, ihl)
    return sport, dport, ip[ihl + 13]


@suite.test
def pcap_option_writes_pcapng_with_syn(ctx):
    path = os.path.join(h.log_dir(), "echo_basic-%d.pcapng" % os.getpid())
    if os.path.exists(path):
        os.unlink(path)
    srv = ctx.new_server(["--pcap", path], name="pcap")
    with srv:
        with srv.connect() as s:
            s.sendall(b"captured")
            check(h.recv_exactly(s, 8) == b"captured", "echo through capturing server failed")
        rc, out = srv.stop()
    check(rc == 0, "server with --pcap exited %r" % rc)
    check(os.path.exists(path), "--pcap %s: no file written" % path)
    links, frames = read_pcapng(path)
    check(links, "no Interface Description Block")
    check(1 in links, "link types %r, expected Ethernet (1)" % links)
    check(len(frames) >= 4, "only %d packets captured" % len(frames))
    segs = [t for t in map(tcp_of, frames) if t]
    syn = [t for t in segs if t[1] == h.ECHO_PORT and t[2] & 0x02 and not t[2] & 0x10]
    check(syn, "no SYN to port %d among %d TCP segments" % (h.ECHO_PORT, len(segs)))
    synack = [t for t in segs if t[0] == h.ECHO_PORT and t[2] & 0x12 == 0x12]
    check(synack, "no SYN-ACK from port %d (TX not captured?)" % h.ECHO_PORT)


# ---- CLI ---------------------------------------------------------------------

BAD_INVOCATIONS = [
    (["--ip", "198.18.0.2/24", "--no-such-option"], "unknown option"),
    ([], "missing --ip"),
    (["--ip", "198.18.0.300/24"], "bad address"),
    (["--ip", "198.18.0.2/24", "--port", "70000"], "port out of range"),
    (["--ip", "198.18.0.2/24", "--mtu", "banana"], "non-numeric mtu"),
    (["--ip", "198.18.0.2/24", "--cc", "vegas"], "unknown congestion control"),
    (["--ip", "198.18.0.2/24"], "no Ethernet device"),   # EAL starts, finds no port
]


@suite.test
def bad_option_or_missing_device_one_error_line_nonzero_exit(ctx):
    bad = []
    for args, what in BAD_INVOCATIONS:
        p = h.run_without_port(ctx.echo, args)
        # EAL's own log lines (prefixed "EAL:" or similar) are not the app's.
        lines = [l for l in p.stderr.splitlines()
                 if l.strip() and not re.match(r"^\s*(EAL|TELEMETRY|USER1):", l)]
        if p.returncode == 0:
            bad.append("%s: exit 0" % what)
        elif len(lines) != 1:
            bad.append("%s: %d error lines %r" % (what, len(lines), lines[:4]))
        elif "error" not in lines[0].lower():
            bad.append("%s: the line %r does not say error" % (what, lines[0]))
        if "listening on" in p.stdout:
            bad.append("%s: printed 'listening on'" % what)
    check(not bad, "; ".join(bad))


@suite.test
def sigterm_exits_zero_with_counters(ctx):
    srv = ctx.server()
    rc, out = srv.stop()
    check(rc == 0, "exit code %r after SIGTERM" % rc)
    check("counters:" in out, "no 'counters:' line in the output")
    c = h.parse_counters(out)
    check(c.get("TCP_RX", 0) > 0, "TCP_RX not > 0 in %r" % c)
    check(c.get("ICMP_ECHO_TX", 0) > 0, "ICMP_ECHO_TX not > 0 in %r" % c)
    check(c.get("TCP_RST_TX", 0) >= 1, "refused connect sent no RST: %r" % c)


@suite.test
def sigint_exits_zero_with_counters(ctx):
    srv = ctx.new_server(name="sigint")
    with srv:
        with srv.connect() as s:
            s.sendall(b"ping")
            check(h.recv_exactly(s, 4) == b"ping", "echo failed")
        rc, out = srv.stop(sig=signal.SIGINT)
    check(rc == 0, "exit code %r after SIGINT" % rc)
    check(h.parse_counters(out).get("TCP_RX", 0) > 0, "no TCP_RX counter after SIGINT")


if __name__ == "__main__":
    sys.exit(suite.main())
