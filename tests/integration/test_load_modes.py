# SPDX-License-Identifier: BSD-3-Clause
"""polltcp-load's modes rr, stream, crr and hold, on both backends.

dpdk: polltcp-load <-> memif <-> polltcp-echo, two DPDK processes on
hugepages (ptcp_harness.hugepages: a private hugetlbfs mount and pages
reserved for the test, given back at the end), one lcore each, addresses
198.18.0.10-13 (load, --ip-count 4: crr's TIME-WAIT records spread over
4 x 16384 ports) and 198.18.0.2 (echo). The memif socket is a file of
its own (socket-abstract=no: the echo runs in a namespace of its own, and
abstract Unix sockets are per namespace). The load generator's MAC is
fixed so the server's ARP entry stays right from one run to the next.

kernel: polltcp-load --backend kernel <-> app/kernel-echo, both inside one
private namespace on its loopback device, which owns 198.18.0.0/24; the
client binds 4 source addresses (--ip-count).

Every mode runs 1 s with byte verification on; rr also once paced open loop
(--rate RATE): its measured tx/s lies in a band around the offered rate
(0.7..1.01 of it: the schedule allows no more, and 1 s of a light load
leaves a slow sanitizer build room), the latency histogram holds exactly
the transactions of the measured time, and nothing was left behind. The checks are exact:
after the run the client drains (every byte sent came back, every request
answered) before closing, so bytes_received == bytes_sent ==
verified_bytes, transactions == requests (rr: == bytes / size), and,
per server (one run each), the server's own count of
echoed bytes and accepted connections equals the clients' (hold: every
connection reset by the client is a reset on the server).

Usage: test_load_modes.py POLLTCP-ECHO POLLTCP-LOAD KERNEL-ECHO
"""

import json
import os
import re
import secrets
import signal
import subprocess
import sys

import ptcp_harness as H
from ptcp_harness import check, log

LOAD = None
KECHO = None
RUN_TIMEOUT = 90
SIZE = 100                 # request size (not a multiple of 8: crosses stream words)
LOAD_MAC = "02:00:00:00:00:01"

suite = H.Suite("load_modes")


def parse_run(out, json_path):
    """(result fields, detail fields, json) of one polltcp-load run."""
    lines = out.splitlines()
    res = [l for l in lines if l.startswith("result: ")]
    check(len(res) == 1, "expected one result line, got %d" % len(res))
    first = [l for l in lines if l.startswith(("result: ", "detail: "))][0]
    check(first.startswith("result: "), "the summary's first line is not the result line")
    r = res[0].split()[1:]
    fields = dict(zip(r[0::2], r[1::2]))
    for k in ("mode", "conns", "tx/s", "gbit/s", "conn/s", "p50_us", "p99_us", "p999_us",
              "errors"):
        check(k in fields, "result line lacks %s: %s" % (k, res[0]))
    check(list(fields)[:9] == ["mode", "conns", "tx/s", "gbit/s", "conn/s", "p50_us",
                               "p99_us", "p999_us", "errors"],
          "result fields out of order: %s" % res[0])
    det = {}
    for l in lines:
        m = re.match(r"^detail: (transactions .*)$", l)
        if m:
            w = m.group(1).split()
            det = {k: int(v) for k, v in zip(w[0::2], w[1::2])}
    check(det, "no detail transactions line")
    with open(json_path) as f:
        j = json.load(f)
    check(j["errors"] == int(fields["errors"]), "json errors differ from the result line")
    check(j["bytes_sent"] == det["bytes_sent"], "json bytes_sent differ")
    progress = [l for l in lines if l.startswith("progress: t ")]
    return fields, det, j, progress


def check_exact(mode, fields, det, conns, progress):
    check(fields["errors"] == "0", "%s: errors %s" % (mode, fields["errors"]))
    check(fields["mode"] == mode and fields["conns"] == str(conns), "%s: mode/conns" % mode)
    check(progress, "%s: no progress line" % mode)
    if mode == "hold":
        check(fields.get("conns_held") == str(conns),
              "hold: conns_held %s of %d" % (fields.get("conns_held"), conns))
        check(int(fields["mem_per_conn_bytes"]) > 0, "hold: no memory figure")
        check(det["connects"] == conns and det["closes"] == conns,
              "hold: connects %d closes %d" % (det["connects"], det["closes"]))
        check(det["bytes_sent"] == 0, "hold: bytes were sent")
        return
    check(det["bytes_sent"] > 0, "%s: nothing sent" % mode)
    check(det["bytes_received"] == det["bytes_sent"],
          "%s: %d bytes back of %d sent" % (mode, det["bytes_received"], det["bytes_sent"]))
    check(det["verified_bytes"] == det["bytes_received"],
          "%s: %d verified of %d" % (mode, det["verified_bytes"], det["bytes_received"]))
    if mode in ("rr", "crr"):
        check(det["transactions"] > 0 and det["transactions"] == det["requests"],
              "%s: %d transactions of %d requests" % (mode, det["transactions"],
                                                      det["requests"]))
        check(det["bytes_sent"] == det["transactions"] * SIZE,
              "%s: %d bytes for %d transactions" % (mode, det["bytes_sent"],
                                                    det["transactions"]))
        check(float(fields["p50_us"]) > 0 and float(fields["p99_us"]) >= float(fields["p50_us"]),
              "%s: percentiles %s %s" % (mode, fields["p50_us"], fields["p99_us"]))
    if mode == "crr":
        check(det["rounds"] == det["transactions"] == det["connects"] == det["closes"],
              "crr: rounds %d transactions %d connects %d closes %d"
              % (det["rounds"], det["transactions"], det["connects"], det["closes"]))
        check(float(fields["conn/s"]) > 0, "crr: conn/s 0")
    else:
        check(det["connects"] == conns and det["closes"] == conns,
              "%s: connects %d closes %d of %d" % (mode, det["connects"], det["closes"], conns))
    if mode == "stream":
        check(float(fields["gbit/s"]) > 0, "stream: gbit/s 0")


def check_rate(extra, fields, j, conns):
    """rr --rate: the schedule offered the rate asked, never more, and the latency
    histogram holds exactly the transactions of the measured time."""
    if "--rate" not in extra:
        check("offered_tx_s" not in j, "json has rate fields without --rate")
        return
    rate = int(extra[extra.index("--rate") + 1])
    tx, win = float(fields["tx/s"]), j["window_s"]
    check(j["offered_tx_s"] == rate and j["config"]["rate"] == rate,
          "rate: offered %r config %r, want %d" % (j["offered_tx_s"], j["config"]["rate"], rate))
    # Not more than the schedule (+ a slot per connection for rounding, + 5 %:
    # slots due before a late first poll step are issued inside the window),
    # and a wide lower band: 2000/s is a light load, but the CPUs are shared.
    for what, v in (("tx/s measured", tx), ("requests/s issued", j["issued_tx_s"])):
        check(0.5 * rate <= v <= 1.05 * rate + (conns + 1) / win,
              "rate: %.1f %s, %d offered" % (v, what, rate))
    check(j["samples"] == j["window_transactions"] > 0,
          "rate: %d latency samples, %d transactions in the measured time"
          % (j["samples"], j["window_transactions"]))
    check(abs(tx * win - j["window_transactions"]) <= 2 + 0.001 * tx,
          "rate: %.1f tx/s x %.3f s is not %d transactions"
          % (tx, win, j["window_transactions"]))
    # --warmup 0: the schedule starts with the measured time and no request is
    # issued after it, so issued + still due = the slots of the window (each
    # worker ends its window at its own poll step: 5 % for a descheduled one).
    due = j["requests"] + j["behind"]
    check(abs(due - rate * win) <= conns + 0.05 * rate * win,
          "rate: %d requests issued + %d still due, %.0f scheduled in %.3f s"
          % (j["requests"], j["behind"], rate * win, win))
    check(j["late"] <= j["requests"], "rate: late %d of %d" % (j["late"], j["requests"]))


def run_load(argv, tag, ns=None, on_wait=None):
    """Run polltcp-load to its end; parse its summary. With on_wait, call it
    when polltcp-load says it waits for its peer to leave (--wait-peer-ms).

    memif: the server notices a client's disconnect asynchronously, and a
    client that connects before it did is refused ("start failed"); that
    attempt is repeated (up to 10 times, 1 s apart: with two lcores on each
    side of this 2-CPU machine the server's control thread gets little CPU),
    nothing else is.
    """
    for attempt in range(10):
        out, rc, jpath = _run_load_once(argv, tag, ns, on_wait)
        if rc != 0 and "start failed" in out and "result: " not in out and attempt < 9:
            log("  %s: memif not ready (%s), again" % (tag, out.strip().splitlines()[-1]))
            H.time.sleep(1)
            continue
        break
    if rc != 0:
        log("\n".join(out.splitlines()[-30:]))
    check(rc == 0, "%s: polltcp-load exit %d" % (tag, rc))
    return parse_run(out, jpath) + (out,)


def _run_load_once(argv, tag, ns, on_wait=None):
    jpath = os.path.join(H.log_dir(), "load-%s-%d.json" % (tag, os.getpid()))
    full = (["ip", "netns", "exec", ns] if ns else []) + argv + ["--json", jpath]
    p = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, preexec_fn=H._child_setup)
    lines, waiting = [], H.threading.Event()

    def reader():
        for line in p.stdout:
            lines.append(line)
            if line.startswith("waiting up to "):
                waiting.set()

    t = H.threading.Thread(target=reader, daemon=True)
    t.start()
    deadline = H.time.monotonic() + RUN_TIMEOUT
    while p.poll() is None and not waiting.is_set() and H.time.monotonic() < deadline:
        waiting.wait(0.05)
    timed_out = p.poll() is None and not waiting.is_set()
    if waiting.is_set() and on_wait is not None:
        on_wait()
    try:
        p.wait(timeout=(RUN_TIMEOUT if not timed_out else 0.01))
    except subprocess.TimeoutExpired:
        timed_out = True
        p.send_signal(H.signal.SIGTERM)       # ends the run: the summary says where it was
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    t.join(10)
    out = "".join(lines)
    if timed_out:
        out += "\n# timed out after %d s\n" % RUN_TIMEOUT
    with open(os.path.join(H.log_dir(), "load-%s-%d.log" % (tag, os.getpid())), "w") as f:
        f.write("# %s\n%s" % (" ".join(full), out))
    return out, p.returncode, jpath


RATE = 2000               # rr --rate: requests offered per second, all connections together
MODES = [
    ("rr", 4, ["--pipeline", "2"]),
    ("rr", 4, ["--pipeline", "2", "--rate", str(RATE)]),
    ("stream", 4, []),
    ("crr", 4, []),
    ("hold", 500, ["--pending", "32"]),
]


def run_tag(mode, extra):
    return mode + ("-rate" if "--rate" in extra else "")


def common(mode, extra):
    return (["--mode", mode, "--size", str(SIZE), "--duration", "1", "--warmup", "0",
             "--verify", "--progress", "1"] + extra)


class MemifEcho(H.Server):
    """polltcp-echo on the server side of a memif link (no TAP, no kernel side)."""

    def __init__(self, echo, huge_dir, sock, lcores="0"):
        super().__init__(echo, name="load_modes-echo")
        self.huge_dir = huge_dir
        self.sock = sock
        self.lcores = lcores

    def argv(self):
        return [self.echo, "--vdev=net_memif0,role=server,socket=%s,socket-abstract=no"
                % self.sock, "--no-pci", "--lcores", self.lcores, "--huge-dir", self.huge_dir,
                "--file-prefix", self.prefix, "--log-level=*:warning", "--",
                "--ip", "%s/%d" % (H.STACK_IP, H.PREFIX_LEN), "--link-wait", "0"]

    def _config_kernel_side(self):
        pass


class KernelEcho(H.Server):
    """app/kernel-echo in the namespace, on its loopback (198.18.0.0/24 local)."""

    def __init__(self):
        super().__init__(KECHO, name="load_modes-kecho")

    def argv(self):
        return [self.echo, "--listen", "%s:%d" % (H.STACK_IP, self.port), "--threads", "1"]

    def make_ns(self):
        ns = super().make_ns()
        H._sh(["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"])
        H._sh(["ip", "netns", "exec", ns, "ip", "addr", "add",
               "%s/%d" % (H.STACK_IP, H.PREFIX_LEN), "dev", "lo"])
        return ns

    def _config_kernel_side(self):
        pass


def echo_totals(out):
    m = re.search(r"^echo: accepted (\d+) closed (\d+) reset (\d+) .* bytes (\d+)", out, re.M)
    check(m, "no final echo: line from polltcp-echo")
    return {"accepted": int(m.group(1)), "reset": int(m.group(3)), "bytes": int(m.group(4))}


def memif_run_mode(ctx, huge, srv_lcores, load_lcores, mode, conns, extra, tag):
    """One polltcp-echo, one polltcp-load run against it; checks both ends'
    totals; returns the server's output.

    The server leaves first: polltcp-load runs with --wait-peer-ms and the
    server is stopped when it says it waits, so each side's memif driver
    takes the link down while that side's lcores are no longer polling
    (net_memif in DPDK 22.11 unmaps a departed peer's rings in its control
    thread, under a data path that may still be in rx_burst: a server left
    polling after its client exits dies of SIGSEGV there now and then)."""
    sock = "/tmp/ptcp-memif-%s.sock" % tag
    stopped = {}

    def stop_server():
        stopped["rc"], stopped["out"] = srv.stop()

    try:
        with MemifEcho(ctx.echo, huge, sock, srv_lcores) as srv:
            argv = [LOAD, "--vdev=net_memif0,role=client,socket=%s,socket-abstract=no,"
                    "mac=%s" % (sock, LOAD_MAC), "--no-pci", "--lcores", load_lcores,
                    "--huge-dir", huge, "--file-prefix", "ptcpl" + tag,
                    "--log-level=*:warning", "--",
                    # 16 source addresses: crr passes 200 k conn/s here, and
                    # 2*MSL of TIME-WAIT on 4 x 16384 ports left too few free.
                    "--ip", "198.18.0.10/%d" % H.PREFIX_LEN, "--ip-count", "16",
                    "--connect", "%s:%d" % (H.STACK_IP, H.ECHO_PORT),
                    "--conns", str(conns), "--msl-ms", "100",
                    "--wait-peer-ms", "30000"] + common(mode, extra)
            fields, det, j, prog, lout = run_load(argv, "dpdk-" + run_tag(mode, extra),
                                                  on_wait=stop_server)
            check_exact(mode, fields, det, conns, prog)
            check_rate(extra, fields, j, conns)
            log("  dpdk %s: %s" % (mode, " ".join("%s=%s" % kv for kv in fields.items())))
            check(stopped, "polltcp-load never said it waits for its peer")
            check("peer left: link down after " in lout,
                  "polltcp-load did not see the server leave")
            rc, out = stopped["rc"], stopped["out"]
            check(rc == 0, "polltcp-echo exit %r" % rc)
            t = echo_totals(out)
            check(t["bytes"] == det["bytes_sent"], "server echoed %d bytes, client sent %d"
                  % (t["bytes"], det["bytes_sent"]))
            check(t["accepted"] == det["connects"], "server accepted %d, client connected %d"
                  % (t["accepted"], det["connects"]))
            held = int(fields["conns_held"]) if mode == "hold" else 0
            check(t["reset"] == held, "server saw %d resets, hold reset %d"
                  % (t["reset"], held))
            return out
    finally:
        if os.path.exists(sock):
            os.unlink(sock)
        H._sh(["rm", "-rf", "/var/run/dpdk/ptcpl" + tag], check=False)


def memif_every_mode(ctx, srv_lcores, load_lcores):
    """Every mode over memif, a fresh polltcp-echo for each; returns the
    servers' outputs."""
    outs = []
    with H.hugepages(512) as huge:
        for k, (mode, conns, extra) in enumerate(MODES):
            tag = "%d%s%d" % (os.getpid(), secrets.token_hex(3), k)
            outs.append(memif_run_mode(ctx, huge, srv_lcores, load_lcores, mode, conns,
                                       extra, tag))
    return outs


@suite.test(timeout=400)
def test_dpdk_memif_every_mode(ctx):
    """Ensure that every mode over memif against polltcp-echo verifies every byte and
    that the client's and the server's totals agree exactly (a fresh server for
    each mode, which leaves before its client: see memif_run_mode)."""
    memif_every_mode(ctx, "0", "1")


@suite.test(timeout=600)
def test_dpdk_memif_two_lcores_each_every_mode(ctx):
    """Ensure the same with polltcp-load and polltcp-echo on two lcores each over a
    two-queue memif link (no RSS: software steering on both ends, the load's source
    ports chosen so replies come back to the opening lcore), and that both of the
    server's lcores served connections."""
    # Two lcores each, but each process on a CPU of its own (EAL --lcores
    # 0@0,1@0), and a fresh server for each mode (see above).
    acc = {}
    for out in memif_every_mode(ctx, "0@0,1@0", "0@1,1@1"):
        for lcore, n in H.lcore_accepts(out).items():
            acc[lcore] = acc.get(lcore, 0) + n
        c = H.parse_counters(out)
        check(c.get("STEER_DROP", 0) == 0, "steering drops: %d" % c.get("STEER_DROP", 0))
        check(c.get("TCP_NO_CONN", 0) == 0, "%d segments met no connection"
              % c.get("TCP_NO_CONN", 0))
    check(sorted(acc) == [0, 1] and min(acc.values()) > 0,
          "connections per server lcore: %r" % acc)


@suite.test(timeout=300)
def test_kernel_backend_every_mode(ctx):
    """Ensure that every mode of the kernel backend against kernel-echo verifies every
    byte, spreads over --ip-count source addresses, and matches kernel-echo's totals."""
    with KernelEcho() as srv:
        sent = accepted = opened = 0
        for mode, conns, extra in MODES:
            argv = [LOAD, "--backend", "kernel", "--", "--ip", "198.18.0.10/24",
                    "--ip-count", "4", "--connect", "%s:%d" % (H.STACK_IP, H.ECHO_PORT),
                    "--conns", str(conns)] + common(mode, extra)
            fields, det, j, prog, _ = run_load(argv, "kernel-" + run_tag(mode, extra),
                                               ns=srv.ns)
            check_exact(mode, fields, det, conns, prog)
            check_rate(extra, fields, j, conns)
            log("  kernel %s: %s" % (mode, " ".join("%s=%s" % kv for kv in fields.items())))
            sent += det["bytes_sent"]
            accepted += det["connects"]
            opened += det["opens"]
        # Source addresses: TIME-WAIT sockets of crr and the closes remain in the table.
        ss = H._sh(["ip", "netns", "exec", srv.ns, "ss", "-Htan", "state", "time-wait"]).stdout
        srcs = set(re.findall(r"(198\.18\.0\.1[0-3]):\d+", ss))
        check(len(srcs) == 4, "source addresses in TIME-WAIT: %s (want 4)" % sorted(srcs))
        H.time.sleep(0.3)        # the last accepts of the final runs
        rc, out = srv.stop(sig=H.signal.SIGINT)
        check(rc == 0, "kernel-echo exit %r" % rc)
        m = re.search(r"^kernel-echo: conns accepted (\d+) bytes echoed (\d+)$", out, re.M)
        check(m, "no kernel-echo totals line")
        check(int(m.group(2)) == sent, "kernel-echo echoed %s bytes, clients sent %d"
              % (m.group(2), sent))
        # The run's end aborts handshakes in flight (at most --conns per run): the
        # kernel may have completed them on the server side already.
        check(accepted <= int(m.group(1)) <= opened and opened - accepted <= 4,
              "kernel-echo accepted %s, clients connected %d of %d opened"
              % (m.group(1), accepted, opened))


@suite.test
def test_cli_errors(ctx):
    """Ensure that bad mode options fail with one clear line and no crash."""
    cases = [
        (["--backend", "kernel", "--connect", "198.18.0.2:7"], "verify is the dpdk"),
        (["--backend", "kernel", "--connect", "198.18.0.2:7", "--mode", "bogus"],
         "--mode 'bogus'"),
        (["--backend", "kernel", "--connect", "198.18.0.2:7", "--mode", "rr",
          "--pipeline", "0"], "--pipeline"),
        (["--backend", "kernel", "--connect", "198.18.0.2:7", "--mode", "rr",
          "--ip-count", "3"], "--ip-count needs --ip"),
        (["--backend", "nope", "--connect", "198.18.0.2:7"], "not dpdk or kernel"),
        (["--backend", "kernel", "--connect", "198.18.0.2:7", "--mode", "stream",
          "--rate", "100"], "--rate paces --mode rr only"),
        (["--backend", "kernel", "--connect", "198.18.0.2:7", "--mode", "rr",
          "--rate", "0"], "--rate 0: out of range"),
        (["--backend", "kernel", "--connect", "198.18.0.2:7", "--mode", "rr",
          "--rate", "1e6"], "--rate '1e6': not a number"),
        (["--backend", "kernel", "--connect", "198.18.0.2:7", "--mode", "rr",
          "--rate", "2000000000"], "--rate 2000000000: out of range"),
        (["--no-huge", "--", "--backend", "kernel", "--connect", "198.18.0.2:7",
          "--mode", "rr"], "takes no EAL options"),
        (["--backend", "kernel", "--connect", "198.18.0.2:7", "--mode", "rr",
          "--wait-peer-ms", "100"], "--wait-peer-ms waits for the dpdk backend"),
        (["--backend", "kernel", "--connect", "198.18.0.2:7", "--mode", "rr",
          "--wait-peer-ms", "600001"], "--wait-peer-ms 600001: out of range"),
    ]
    for args, want in cases:
        p = subprocess.run([LOAD] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=30)
        check(p.returncode == 1, "%s: exit %d" % (args, p.returncode))
        lines = p.stderr.strip().splitlines()
        check(len(lines) == 1 and want in lines[0], "%s: stderr %r" % (args, p.stderr))


@suite.test
def test_wait_peer_gives_up_when_the_link_stays_up(ctx):
    """Ensure that polltcp-load --wait-peer-ms on a link that never goes down
    (net_null: nothing answers, nothing leaves the process) says it waits,
    gives up after the time asked and closes the port."""
    prefix = "ptcpw%d" % os.getpid()
    argv = [LOAD, "--vdev=net_null0", "--no-huge", "-m", "256", "--no-pci", "-l", "0",
            "--file-prefix", prefix, "--log-level=*:warning", "--",
            "--ip", "198.18.0.10/%d" % H.PREFIX_LEN, "--connect", "198.18.0.2:7",
            "--bytes", "0", "--timeout", "1", "--wait-peer-ms", "300", "--link-wait", "0"]
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=60)
    finally:
        H._sh(["rm", "-rf", "/var/run/dpdk/" + prefix], check=False)
    lines = p.stdout.splitlines()
    wait, gave_up = ("waiting up to 300 ms for the peer to leave",
                     "peer still there after 300 ms: closing the port")
    check(p.returncode == 1, "exit %d (the connection cannot succeed on net_null)"
          % p.returncode)
    check(wait in lines, "no waiting line: %r" % lines[-5:])
    i = lines.index(wait)
    check(lines[i + 1:i + 2] == [gave_up], "no give-up line after it: %r" % lines[i:])


@suite.test
def test_kernel_echo_cli(ctx):
    """Ensure that kernel-echo rejects bad options with one line and exit 1."""
    for args, want in ((["--listen", "198.18.0.2"], "port is missing"),
                       (["--listen", "198.18.0.2:7", "--threads", "0"], "--threads"),
                       (["--listen", "198.18.0.2:7", "--cpus", "3-1"], "goes down"),
                       ([], "missing --listen")):
        p = subprocess.run([KECHO] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=10)
        check(p.returncode == 1 and want in p.stderr and len(p.stderr.splitlines()) == 1,
              "%s: exit %d stderr %r" % (args, p.returncode, p.stderr))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.stderr.write("usage: %s POLLTCP-ECHO POLLTCP-LOAD KERNEL-ECHO\n" % sys.argv[0])
        sys.exit(2)
    LOAD, KECHO = os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    sys.exit(suite.main([sys.argv[0], sys.argv[1]]))
