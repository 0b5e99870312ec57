# SPDX-License-Identifier: BSD-3-Clause
"""tcp_options: RFC 7323 / RFC 2018 options negotiated with the Linux kernel.

The peer is the kernel's TCP through the TAP (it offers MSS, SACK-permitted,
timestamps and window scale on every SYN).

  handshake_options_both_ways
             --pcap capture: the kernel's SYN offers all four options and our
             SYN-ACK answers all four (TSecr = the SYN's TSval, our shift);
             every later segment either way carries timestamps; SIGUSR1
             prints the connection with options "wts"; the counters say
             window scaling, timestamps and SACK were negotiated
  options_off_mss_only
             --no-wscale --no-timestamps --no-sack: the SYN-ACK carries MSS
             only and later segments no options
  conn_info_printed_when_stopping
             --conn-info: stopping the server with a connection open prints
             that connection (its peer's address and port, options, cc)
  scaled_window_64mib
             64 MiB echoed with --rcv-buf 1 MiB (our shift 5) to a client
             with a 4 MiB receive buffer: SIGUSR1 mid-transfer shows the
             kernel's scaled window and ours both above 65535, bytes intact

Run: PYTHONPATH=tests/integration python3 tests/integration/test_tcp_options.py \\
         build/app/polltcp-echo
"""
import hashlib
import os
import re
import signal
import socket
import struct
import threading
import time

import ptcp_harness as h
from ptcp_harness import check
from test_echo_basic import read_pcapng

MIB = 1 << 20
suite = h.Suite("tcp_options")

OPT_EOL, OPT_NOP, OPT_MSS, OPT_WS, OPT_SACK_PERM, OPT_SACK, OPT_TS = 0, 1, 2, 3, 4, 5, 8


def tcp_seg(frame):
    """(sport, dport, flags, window, options dict) of an Ethernet/IPv4/TCP frame, or None."""
    if len(frame) < 14 + 20 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    if ip[9] != 6 or len(ip) < ihl + 20:
        return None
    tcp = ip[ihl:]
    sport, dport, _, _, off, flags, wnd = struct.unpack_from("!HHIIBBH", tcp, 0)
    hlen = (off >> 4) * 4
    opts, i, raw = {}, 20, tcp[20:hlen]
    i = 0
    while i < len(raw):
        kind = raw[i]
        if kind == OPT_EOL:
            break
        if kind == OPT_NOP:
            i += 1
            continue
        check(i + 1 < len(raw) and raw[i + 1] >= 2, "malformed option in a captured segment")
        olen = raw[i + 1]
        body = raw[i + 2:i + olen]
        if kind == OPT_MSS:
            opts["mss"] = struct.unpack("!H", body)[0]
        elif kind == OPT_WS:
            opts["ws"] = body[0]
        elif kind == OPT_SACK_PERM:
            opts["sack_perm"] = True
        elif kind == OPT_SACK:
            opts["sack"] = len(body) // 8
        elif kind == OPT_TS:
            opts["ts"] = struct.unpack("!II", body)
        i += olen
    return sport, dport, flags, wnd, opts


def captured(srv_args, exchange):
    """Run a server with --pcap, exchange(srv), stop it; return (segments, output)."""
    path = os.path.join(h.log_dir(), "tcp_options-%d.pcapng" % os.getpid())
    if os.path.exists(path):
        os.unlink(path)
    srv = suite.new_server(["--pcap", path] + list(srv_args), name="opts")
    with srv:
        exchange(srv)
        rc, out = srv.stop()
    check(rc == 0, "server exited %r" % rc)
    _, frames = read_pcapng(path)
    segs = [s for s in map(tcp_seg, frames) if s]
    os.unlink(path)
    return segs, out


def counter(out, name):
    m = re.search(r"^\s*%s\s+(\d+)" % name, out, re.M)
    return int(m.group(1)) if m else 0


def conn_lines(srv, mark):
    """SIGUSR1, then the 'conn:' lines it printed."""
    os.kill(srv.proc.pid, signal.SIGUSR1)
    found = []

    def printed():
        found[:] = [l for l in srv.output_since(mark).splitlines() if l.startswith("conn:")]
        return bool(found)
    h.wait_for(printed, 5)
    return list(found)


@suite.test
def handshake_options_both_ways(ctx):
    info = []

    def exchange(srv):
        with srv.connect() as s:
            s.sendall(b"x" * 3000)
            check(h.recv_exactly(s, 3000) == b"x" * 3000, "echo failed")
            info.extend(conn_lines(srv, srv.mark()))
    segs, out = captured([], exchange)
    port = h.ECHO_PORT
    syn = [s for s in segs if s[1] == port and s[2] & 0x12 == 0x02]
    synack = [s for s in segs if s[0] == port and s[2] & 0x12 == 0x12]
    check(syn and synack, "no SYN / SYN-ACK captured (%d segments)" % len(segs))
    so, ao = syn[0][4], synack[0][4]
    for k in ("mss", "ws", "sack_perm", "ts"):
        check(k in so, "the kernel's SYN lacks %s: %r" % (k, so))
        check(k in ao, "our SYN-ACK lacks %s (the SYN offered it): %r" % (k, ao))
    check(ao["ts"][1] == so["ts"][0], "SYN-ACK TSecr %d != SYN TSval %d" % (ao["ts"][1], so["ts"][0]))
    check(ao["ws"] <= 14, "our shift %d > 14" % ao["ws"])
    check(synack[0][3] <= 65535, "SYN-ACK window %d" % synack[0][3])
    later = [s for s in segs if not s[2] & 0x06]   # neither SYN nor RST
    check(later, "no segments after the handshake")
    missing = [s for s in later if "ts" not in s[4]]
    check(not missing, "%d of %d later segments lack timestamps, e.g. %r"
          % (len(missing), len(later), missing[:2]))
    check(info and " opts=wts " in info[0], "SIGUSR1 conn line %r" % info[:1])
    for name in ("TCP_OPT_WSCALE", "TCP_OPT_TSTMP", "TCP_OPT_SACK_PERMIT"):
        check(counter(out, name) >= 1, "%s is 0" % name)


@suite.test
def options_off_mss_only(ctx):
    def exchange(srv):
        with srv.connect() as s:
            s.sendall(b"hello")
            check(h.recv_exactly(s, 5) == b"hello", "echo failed")
    segs, out = captured(["--no-wscale", "--no-timestamps", "--no-sack"], exchange)
    port = h.ECHO_PORT
    synack = [s for s in segs if s[0] == port and s[2] & 0x12 == 0x12]
    check(synack, "no SYN-ACK captured")
    check(set(synack[0][4]) == {"mss"}, "SYN-ACK options %r, expected MSS only" % synack[0][4])
    later = [s for s in segs if not s[2] & 0x06 and s[4]]
    check(not later, "segments with options after the handshake: %r" % later[:2])
    check(counter(out, "TCP_OPT_TSTMP") == 0, "timestamps negotiated")


@suite.test(timeout=240)
def scaled_window_64mib(ctx):
    data = os.urandom(64 * MIB)
    srv = ctx.new_server(["--rcv-buf", str(MIB), "--snd-buf", str(MIB)], name="scaled")
    lines = []
    with srv:
        s = srv.connect(timeout=60)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * MIB)

        def sample():
            for _ in range(4):
                time.sleep(0.4)
                lines.extend(conn_lines(srv, srv.mark()))
        t = threading.Thread(target=sample, daemon=True)
        t0 = time.monotonic()
        t.start()
        got = h.echo_through(s, data, chunk=256 * 1024)
        dt = time.monotonic() - t0
        t.join(10)
        s.close()
        check(len(got) == len(data) and hashlib.sha256(got).digest() ==
              hashlib.sha256(data).digest(), "64 MiB came back different (first diff at %d)"
              % h.first_diff(got, data))
        h.log("64 MiB echoed in %.2f s (%.0f Mbit/s each way)" % (dt, len(data) * 8 / dt / 1e6))
    check(lines, "SIGUSR1 printed no connection")
    seen = []
    for line in lines:
        m = re.search(r"wscale=(\d+)/(\d+) .* snd_wnd=(\d+) rcv_wnd=(\d+)", line)
        check(m, "conn line %r" % line)
        seen.append(tuple(map(int, m.groups())))
    h.log("samples (kernel shift, ours, kernel window, ours): %r" % seen)
    snd_ws, rcv_ws = seen[0][0], seen[0][1]
    snd_wnd, rcv_wnd = max(x[2] for x in seen), max(x[3] for x in seen)
    check(rcv_ws == 5, "our shift %d, expected 5 for a 1 MiB buffer" % rcv_ws)
    check(snd_ws >= 1, "the kernel's shift %d" % snd_ws)
    check(snd_wnd > 65535, "the kernel's window %d <= 65535: scaling not used" % snd_wnd)
    check(rcv_wnd > 65535, "our window %d <= 65535: scaling not used" % rcv_wnd)


@suite.test
def conn_info_printed_when_stopping(ctx):
    srv = suite.new_server(["--conn-info"], name="conninfo")
    with srv:
        s = srv.connect()
        s.sendall(b"still open")
        check(h.recv_exactly(s, 10) == b"still open", "echo failed")
        port = s.getsockname()[1]
        rc, out = srv.stop()
        s.close()
    check(rc == 0, "server exited %r" % rc)
    lines = [l for l in out.splitlines() if l.startswith("conn:")]
    check(any(" %s:%d " % (h.KERNEL_IP, port) in l for l in lines),
          "--conn-info printed no line for the open connection (port %d): %r" % (port, lines))
    check(all(" opts=wts " in l and " cc=" in l for l in lines), "conn lines %r" % lines)


if __name__ == "__main__":
    raise SystemExit(suite.main())
