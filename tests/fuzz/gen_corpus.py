#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of the fuzz harnesses: tests/fuzz/corpus/<harness>/<name>.

The seeds are the frames and scenarios of the unit tests (tests/unit/test_*.c)
in each harness's input format (see the comment at the top of fuzz_wire.c,
fuzz_rx.c and fuzz_conn.c). Deterministic; rerun after changing a format:

    python3 tests/fuzz/gen_corpus.py
"""
import os
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")

LOCAL_MAC = bytes([2, 0, 0, 0, 0, 2])
PEER_MAC = bytes([2, 0, 0, 0, 0, 1])
LOCAL_IP = bytes([198, 18, 0, 2])
PEER_IP = bytes([198, 18, 0, 1])
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def eth(payload, etype=0x0800, dst=LOCAL_MAC, src=PEER_MAC):
    return dst + src + struct.pack("!H", etype) + payload


def ipv4(payload, proto, src=PEER_IP, dst=LOCAL_IP, frag=0x4000, ident=1, opts=b""):
    ihl = 5 + len(opts) // 4
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(payload), ident, frag, 64,
                    proto, 0, src, dst) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def tcp_opts(mss=None, wscale=None, sack_perm=False, ts=None, sack=()):
    o = b""
    if mss is not None:
        o += struct.pack("!BBH", 2, 4, mss)
    if sack_perm:
        o += b"\x01\x01\x04\x02"
    if ts is not None:
        o += b"\x01\x01\x08\x0a" + struct.pack("!II", *ts)
    if wscale is not None:
        o += bytes([1, 3, 3, wscale])
    if sack:
        o += bytes([1, 1, 5, 2 + 8 * len(sack)])
        for left, right in sack:
            o += struct.pack("!II", left, right)
    return o


def tcp(sport, dport, seq, ack, flags, wnd=65535, opts=b"", data=b"", src=PEER_IP,
        dst=LOCAL_IP):
    off = (20 + len(opts)) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags, wnd, 0, 0) + opts
    seg = h + data
    ph = src + dst + struct.pack("!BBH", 0, 6, len(seg))
    c = csum(ph + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def icmp(typ, code, rest=b"\0\0\0\0", data=b""):
    m = struct.pack("!BBH", typ, code, 0) + rest + data
    return m[:2] + struct.pack("!H", csum(m)) + m[4:]


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, sha, spa, tha, tpa)


def pattern(n, seed=0):
    return bytes((seed + i * 7) & 0xFF for i in range(n))


# ---- fuzz_wire: byte 0 selects the parser -------------------------------------

def wire_seeds():
    syn = tcp(40000, 7, 0xFFFFFFF0, 0, SYN, opts=tcp_opts(1460, 7, True, (1, 0)))
    sack = tcp(40000, 7, 1, 2, ACK, opts=tcp_opts(ts=(5, 6), sack=[(100, 200), (300, 400)]))
    data = tcp(40000, 7, 1, 2, ACK | PSH, data=pattern(100))
    echo = icmp(8, 0, struct.pack("!HH", 0x1234, 1), pattern(56))
    arp_req = arp(1, PEER_MAC, PEER_IP, b"\0" * 6, LOCAL_IP)
    return {
        "eth": b"\x00" + eth(b""),
        "arp_request": b"\x01" + arp_req,
        "arp_reply": b"\x01" + arp(2, PEER_MAC, PEER_IP, LOCAL_MAC, LOCAL_IP),
        "ipv4": b"\x02" + ipv4(data, 6),
        "ipv4_options": b"\x02" + ipv4(data, 6, opts=b"\x01\x01\x01\x00"),
        "ipv4_fragment": b"\x02" + ipv4(pattern(64), 6, frag=0x2000),
        "icmp_echo": b"\x03" + echo,
        "icmp_unreach": b"\x03" + icmp(3, 4, b"\0\0\x05\xdc", ipv4(syn[:8], 6, LOCAL_IP, PEER_IP)),
        "tcp_syn_opts": b"\x04" + syn,
        "tcp_sack_ts": b"\x04" + sack,
        "tcp_data": b"\x04" + data,
        "tcp_bad_optlen": b"\x04" + tcp(1, 2, 3, 4, ACK, opts=b"\x02\x04\x05\xb4\x03\x00\x00\x00"),
        "frame_arp": b"\x05" + eth(arp_req, 0x0806),
        "frame_icmp": b"\x05" + eth(ipv4(echo, 1)),
        "frame_tcp": b"\x05" + eth(ipv4(syn, 6)),
        "cksum_chain": b"\x06" + bytes([3, 5, 0x1B, 1, 40]) + pattern(200),
        "l4_cksum_chain": b"\x07" + bytes([2, 9, 0x24, 0, 50]) + data,
    }


# ---- fuzz_rx: records against the fixture's slots ------------------------------

def rx_raw(frame):
    return b"\x00" + struct.pack("!H", len(frame)) + frame


def rx_ipv4(proto_sel, src_sel, frag, l4):
    return b"\x01" + bytes([proto_sel, src_sel]) + struct.pack("!HH", frag, len(l4)) + l4


def rx_tcp(slot, flags, seq=0, ack=0, wnd=65535, opts=b"", plen=0, ctl=0, wide=False):
    if wide:
        ctl |= 3
        sa = struct.pack("!II", seq & 0xFFFFFFFF, ack & 0xFFFFFFFF)
    else:
        sa = struct.pack("!hh", seq, ack)
    return (b"\x02" + bytes([slot, flags, ctl]) + sa + struct.pack("!H", wnd) +
            bytes([len(opts)]) + opts + struct.pack("!H", plen))


def rx_time(us_code):
    return b"\x03" + struct.pack("!H", us_code)


def rx_icmp(slot, typ, code, dseq=0):
    return b"\x04" + bytes([slot, typ, code]) + struct.pack("!h", dseq)


def rx_seeds():
    echo = icmp(8, 0, struct.pack("!HH", 7, 1), pattern(3000))
    frags = [(0x2000, echo[:1480]), (0x2000 | 185, echo[1480:2960]), (370, echo[2960:])]
    frag_recs = b"".join(rx_ipv4(1, 0, f, p) for f, p in frags)
    syn_opts = tcp_opts(1460, 7, True, (1, 0))
    return {
        "arp_request": rx_raw(eth(arp(1, PEER_MAC, PEER_IP, b"\0" * 6, LOCAL_IP), 0x0806,
                                  dst=b"\xff" * 6)),
        "arp_reply_other": rx_raw(eth(arp(2, bytes([2, 0, 0, 0, 0, 3]), bytes([198, 18, 0, 3]),
                                          LOCAL_MAC, LOCAL_IP), 0x0806)),
        "icmp_echo": rx_ipv4(1, 0, 0x4000, icmp(8, 0, struct.pack("!HH", 7, 1), pattern(56))),
        "icmp_echo_fragments": frag_recs,
        "udp_port_unreachable": rx_ipv4(2, 0, 0x4000, pattern(28)),
        "syn_new_listener": rx_tcp(11, SYN, 1000, 0, opts=syn_opts, wide=True),
        "syn_closed_port": rx_tcp(10, SYN, 1000, 0, wide=True),
        "syn_fin_listener": rx_tcp(13, SYN | FIN, 5000, 0, wide=True),
        "est_data": rx_tcp(0, ACK | PSH, plen=100),
        "est_data_fin": rx_tcp(0, ACK | PSH | FIN, plen=10) + rx_time(0x0400 | 200),
        "est_rst_in_window": rx_tcp(0, RST, 0, 0),
        "est_rst_not_exact": rx_tcp(0, RST, 100, 0),
        "est_syn_challenge": rx_tcp(0, SYN, 0, 0),
        "est_old_ack": rx_tcp(0, ACK, 0, -100),
        "est_out_of_window": rx_tcp(0, ACK, 30000, 0, plen=10) * 3,
        "est_bad_cksum": rx_tcp(0, ACK | PSH, plen=10, ctl=4),
        "inflight_ack_all": rx_tcp(1, ACK, 0, 3000),
        "inflight_dupacks": rx_tcp(1, ACK, 0, 0) * 4 + rx_tcp(1, ACK, 0, 3000),
        "inflight_sack": rx_tcp(1, ACK, 0, 0, opts=tcp_opts(sack=[(1460, 2920)])),
        "inflight_rto": rx_time((3 << 10) | 1000) + rx_time((10 << 10) | 1000),
        "ooo_fill": rx_tcp(1, ACK | PSH, 0, 1460, plen=100) + rx_tcp(1, ACK, 200, 1460, plen=200),
        "ooo_fin_beyond_gap": rx_tcp(1, ACK | FIN, 450, 0) + rx_tcp(1, ACK, 0, 0, plen=450),
        "fw1_ack_fin": rx_tcp(2, ACK, 0, 1),
        "fw1_fin": rx_tcp(2, ACK | FIN, 0, 1),
        "fw2_fin": rx_tcp(3, ACK | FIN, 0, 0) + rx_time((16 << 10) | 100),
        "close_wait_data": rx_tcp(4, ACK | PSH, 0, 0, plen=10),
        "closing_ack": rx_tcp(5, ACK, 0, 1),
        "last_ack_ack": rx_tcp(6, ACK, 0, 1),
        "time_wait_syn": rx_tcp(7, SYN, 100000, 0, wide=True) + rx_tcp(7, ACK | FIN, -1, 0),
        "syn_received_ack": rx_tcp(8, ACK, 0, 1) + rx_tcp(8, ACK | PSH, 0, 1, plen=20),
        "syn_received_dup_syn": rx_tcp(8, SYN, -1, 0),
        "syn_sent_synack": rx_tcp(9, SYN | ACK, 1000, 1, opts=tcp_opts(536), wide=True),
        "syn_sent_rst": rx_tcp(9, RST | ACK, 0, 1),
        "icmp_unreach_frag_needed": rx_icmp(0, 3, 4) + rx_icmp(1, 3, 4, 0),
        "time_far": rx_time(0xFFFF),
    }


# ---- fuzz_conn: start byte + operations ----------------------------------------

def c_seg(flags, seq=0, ack=0, wnd=65535, o=0, opt_bytes=b"", plen=0, ctl=0):
    return (b"\x00" + bytes([flags, ctl]) + struct.pack("!hhH", seq, ack, wnd) + bytes([o]) +
            opt_bytes + struct.pack("!H", plen))


def c_send(n):
    return b"\x01" + struct.pack("!H", n)


def c_recv(n):
    return b"\x02" + struct.pack("!H", n)


def c_time(code):
    return b"\x06" + struct.pack("!H", code)


def c_ack(wnd=65535):
    return b"\x07" + struct.pack("!H", wnd)


def c_data(n, part=0xFFFF):
    return b"\x08" + struct.pack("!HH", n, part)


SHUTDOWN, CLOSE, ABORT, FIN_OP = b"\x03", b"\x04", b"\x05", b"\x09"


def conn_seeds():
    return {
        "passive_echo": b"\x00" + c_data(100) + c_recv(100) + c_send(100) + c_ack(),
        "active_bulk": b"\x01" + c_send(60000) + c_ack() + c_ack() + c_ack() + c_ack(),
        "orderly_close": b"\x00" + c_send(10) + SHUTDOWN + c_ack() + FIN_OP + c_time(0x1800),
        "passive_close": b"\x00" + FIN_OP + c_recv(10) + CLOSE + c_ack(),
        "close_unread": b"\x00" + c_data(500) + CLOSE,
        "abort": b"\x01" + c_send(3000) + ABORT,
        "zero_window_persist": b"\x00" + c_ack(0) + c_send(2000) + c_time((10 << 10) | 500) +
                               c_time((12 << 10) | 500) + c_ack(),
        "rto_backoff": b"\x00" + c_send(1460) + c_time((10 << 10) | 1000) +
                       c_time((11 << 10) | 1000) + c_ack(),
        "dupacks_fast_rexmit": b"\x08" + c_send(14600) + c_seg(ACK) * 3 + c_ack(),
        "ooo_then_fill": b"\x00" + c_seg(ACK, 1000, 0, plen=100) + c_seg(ACK, 0, 0, plen=1000) +
                         c_recv(1100),
        "sack_ts_options": b"\x00" + c_send(5000) +
                           c_seg(ACK, 0, 0, o=8 | 16, opt_bytes=struct.pack("!II", 9, 9) +
                                 struct.pack("!HH", 1460, 1460)),
        "delack_keepalive": bytes([0x04 | 0x10]) + c_data(10) + c_time((10 << 10) | 100) +
                            c_time((13 << 10) | 1000),
        "syn_received_close": b"\x02" + CLOSE,
        "syn_sent_shutdown": b"\x03" + SHUTDOWN + c_seg(SYN | ACK, 0, 1),
        "rst_in_window": b"\x00" + c_seg(RST, 0, 0),
        "syn_in_established": b"\x00" + c_seg(SYN, 0, 0),
        "recv_window_full": b"\x00" + c_data(1460) * 46 + c_recv(65535),
    }


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    total = 0
    for harness, seeds in (("fuzz_wire", wire_seeds()), ("fuzz_rx", rx_seeds()),
                           ("fuzz_conn", conn_seeds())):
        d = os.path.join(OUT, harness)
        os.makedirs(d)
        for name, data in sorted(seeds.items()):
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
            total += len(data)
    print("gen_corpus: %d bytes in %s" % (total, OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
