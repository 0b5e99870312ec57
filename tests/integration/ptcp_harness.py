# SPDX-License-Identifier: BSD-3-Clause
"""Namespace + TAP harness for polltcp-echo integration tests (stdlib only).

One Server is one polltcp-echo process inside a network namespace made for
it alone:

    ip netns add ptcp-<pid>-<random>
    ip netns exec NS polltcp-echo --vdev=net_tap0,iface=pt0 --no-pci --no-huge
        -m 256 -l 0 --file-prefix ptcp<unique> --log-level=*:warning
        -- --ip 198.18.0.2/24 [extra args]
    ... wait for "listening on 198.18.0.2:<port>" ...
    kernel side of the TAP, in NS: 02:00:00:00:00:01, no IPv6, 198.18.0.1/24, up

Clients are the Linux kernel's TCP in the same namespace: `with srv.netns():`
moves the calling thread into NS (setns), so sockets and threads made there
live in NS; `srv.run(...)` runs a command in NS.

Cleanup runs on every exit path (stop(), context exit, atexit, SIGTERM/
SIGINT/SIGHUP): SIGTERM to the server's PID, SIGKILL if it hangs, the
namespace deleted, /var/run/dpdk/<prefix> removed. Only processes this
module started are signalled, and only by PID.

A suite is a list of functions run by Suite.main(): each prints
`ok NAME` or `FAIL NAME: reason`, the last line is
`<suite>: N passed, N failed`, and the exit status is non-zero on failure.
"""

import atexit
import contextlib
import ctypes
import ctypes.util
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback

STACK_IP = "198.18.0.2"
KERNEL_IP = "198.18.0.1"
PREFIX_LEN = 24
TAP_IF = "pt0"
# Optional routed client (Server.add_client_ns): its own namespace, a veth
# to the server's namespace, which forwards between it and the TAP.
CLIENT_NET_IP = "198.18.1.1"     # the client, in NS-c on pc0
ROUTER_IP = "198.18.1.254"       # the server's namespace, on pr0
CLIENT_IF, ROUTER_IF = "pc0", "pr0"
KERNEL_MAC = "02:00:00:00:00:01"
ECHO_PORT = 7

START_TIMEOUT = 20.0     # seconds to wait for "listening on"
STOP_TIMEOUT = 15.0      # seconds from SIGTERM to exit before SIGKILL
SOCK_TIMEOUT = 10.0      # default timeout of every client socket
TEST_TIMEOUT = 120.0     # backstop per test function (SIGALRM)

CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)

_live = set()            # Servers not yet cleaned up
_live_lock = threading.Lock()


def log(msg):
    print(msg, flush=True)


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "setns: " + os.strerror(e))


def _sh(args, check=True, timeout=20):
    """Run a short command (ip, sysctl); raise with its output on failure."""
    p = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(args), p.returncode,
                                                p.stdout.strip()))
    return p


def log_dir():
    """Where server logs and captures go: $PTCP_LOG_DIR or a temp folder."""
    d = os.environ.get("PTCP_LOG_DIR")
    if not d:
        d = os.path.join(tempfile.gettempdir(), "ptcp-integ-%d" % os.getpid())
    os.makedirs(d, exist_ok=True)
    return d


def steer_hash(saddr, daddr, sport, dport):
    """The Toeplitz hash lib/wire/ptcp_steer.h computes for an IPv4 TCP
    4-tuple with the default symmetric key (0x6d5a repeated)."""
    key = bytes((0x6d, 0x5a) * 8)            # 12 input bytes read 16 key bytes
    kint = int.from_bytes(key, "big")
    data = (socket.inet_aton(saddr) + socket.inet_aton(daddr)
            + sport.to_bytes(2, "big") + dport.to_bytes(2, "big"))
    h = 0
    for i in range(96):
        if data[i // 8] & (0x80 >> (i % 8)):
            h ^= (kint >> (128 - 32 - i)) & 0xffffffff
    return h


def steer_owner(saddr, daddr, sport, dport, n_owners):
    """Index of the lcore (0 = the first) that owns the flow when the stack
    runs n_owners lcores (a power of two: the redirection table's round
    robin then reduces to the hash modulo n_owners)."""
    return steer_hash(saddr, daddr, sport, dport) % n_owners


def ports_per_owner(saddr, daddr, dport, n_owners, per_owner, first=40000):
    """Client source ports from `first` up, per_owner of them owned by each
    of the n_owners lcores: connections spread over every lcore by design,
    not by chance."""
    picked = {o: [] for o in range(n_owners)}
    port = first
    while min(len(v) for v in picked.values()) < per_owner:
        o = steer_owner(saddr, daddr, port, dport, n_owners)
        if len(picked[o]) < per_owner:
            picked[o].append(port)
        port += 1
    return [p for o in range(n_owners) for p in picked[o]]


def lcore_accepts(output):
    """{lcore: connections accepted} from the report's per-lcore lines
    ("lcore 1 queue 1: rx N tx N accepted N ..."; several lcores only)."""
    out = {}
    for m in re.finditer(r"^lcore (\d+) queue \d+: .*accepted (\d+)", output, re.M):
        out[int(m.group(1))] = out.get(int(m.group(1)), 0) + int(m.group(2))
    return out


def parse_counters(output):
    """{NAME: int} from the `counters:` block the server prints at exit.

    The block is the line containing `counters:` followed by lines
    `  NAME value`; the last such block in the output wins.
    """
    counters = {}
    lines = output.splitlines()
    start = None
    for i, line in enumerate(lines):
        if line.strip().endswith("counters:"):
            start = i
    if start is None:
        return counters
    for line in lines[start + 1:]:
        m = re.match(r"^\s+([A-Z][A-Z0-9_]*)\s+(\d+)\s*$", line)
        if not m:
            break
        counters[m.group(1)] = int(m.group(2))
    return counters


_MBUFS_RE = re.compile(r"^mbufs: in use (\d+) of (\d+)\s*$")
_PERIODIC_RE = re.compile(r"^stats \((\d+) s\):\s*$")


def parse_mbufs_in_use(output):
    """[(in_use, total), ...] from every `mbufs: in use N of M` line, in order."""
    out = []
    for line in output.splitlines():
        m = _MBUFS_RE.match(line.strip())
        if m:
            out.append((int(m.group(1)), int(m.group(2))))
    return out


def parse_stats(output):
    """Every report the server printed, periodic and final, in order.

    A report (ptcp_port_report / --stats-period) is a `port N: ...` line,
    `mbufs: in use N of M`, maybe `impair ...` lines, then a header
    (`stats (N s):` periodic, `counters:` final) and `  NAME value` lines.
    Each block is a dict:
      final      True for `counters:`
      secs       N of `stats (N s):` (None for the final block)
      mbufs      in-use count of the mbufs line before the header (or None)
      mbufs_of   pool size of that line
      counters   {NAME: int}
      line       index of the header line in `output`
      open       True while no later line closed the counters (may grow)
    """
    blocks = []
    mbufs = mbufs_of = None
    cur = None
    for i, raw in enumerate(output.splitlines()):
        line = raw.rstrip()
        if cur is not None:
            m = re.match(r"^\s+([A-Z][A-Z0-9_]*)\s+(\d+)$", line)
            if m:
                cur["counters"][m.group(1)] = int(m.group(2))
                continue
            cur["open"] = False
            cur = None
        m = _MBUFS_RE.match(line.strip())
        if m:
            mbufs, mbufs_of = int(m.group(1)), int(m.group(2))
            continue
        m = _PERIODIC_RE.match(line.strip())
        if m or line.strip().endswith("counters:"):
            cur = {"final": m is None, "secs": int(m.group(1)) if m else None,
                   "mbufs": mbufs, "mbufs_of": mbufs_of, "counters": {},
                   "line": i, "open": True}
            blocks.append(cur)
            mbufs = mbufs_of = None
    return blocks


class ServerError(Exception):
    pass


class Server:
    """One polltcp-echo in its own namespace. Use as a context manager."""

    def __init__(self, echo, extra_args=(), name="srv", port=ECHO_PORT,
                 ready="listening on", lcores="0"):
        """echo: the binary to run (polltcp-echo, or polltcp-load); it gets the
        EAL options and `-- --ip 198.18.0.2/24` + extra_args. ready: the text
        of the line that says it is up (the kernel side is configured then).
        lcores: EAL -l list; with more than one the TAP gets a queue pair per
        lcore and the kernel's tun spreads flows over them.
        """
        self.lcores = lcores
        self.echo = os.path.abspath(echo)
        self.extra_args = list(extra_args)
        self.port = port
        self.ready_text = ready
        tag = "%d-%s" % (os.getpid(), secrets.token_hex(3))
        self.ns = "ptcp-" + tag
        self.prefix = "ptcp" + tag.replace("-", "")
        self.log_path = os.path.join(log_dir(), "%s-%s.log" % (name, self.ns))
        self.proc = None
        self.returncode = None
        self._lines = []
        self._lines_lock = threading.Lock()
        self._ready = threading.Event()
        self._reader = None
        self._ns_made = False
        self.client_ns = None    # made by add_client_ns()
        self.extra_ns = []       # made by add_ns(), deleted by cleanup()
        self._cleaned = False

    # ---- lifecycle -----------------------------------------------------

    def argv(self):
        return [self.echo,
                "--vdev=net_tap0,iface=%s" % TAP_IF, "--no-pci", "--no-huge",
                "-m", "256", "-l", self.lcores, "--file-prefix", self.prefix,
                "--log-level=*:warning", "--",
                "--ip", "%s/%d" % (STACK_IP, PREFIX_LEN)] + self.extra_args

    def start(self):
        with _live_lock:
            _live.add(self)
        try:
            self.make_ns()
            self._logf = open(self.log_path, "w")
            self._logf.write("# ip netns exec %s %s\n" % (self.ns, " ".join(self.argv())))
            self.proc = subprocess.Popen(
                ["ip", "netns", "exec", self.ns] + self.argv(),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, preexec_fn=_child_setup)
            self._reader = threading.Thread(target=self._read, daemon=True)
            self._reader.start()
            self._wait_ready()
            self._config_kernel_side()
        except BaseException:
            self.cleanup()
            raise
        return self

    def make_ns(self):
        """Create the namespace now (start() does it if not done), e.g. to
        start a kernel server there before the DPDK process; cleanup() and
        the exit handlers delete it."""
        with _live_lock:
            _live.add(self)
        if not self._ns_made:
            _sh(["ip", "netns", "add", self.ns])
            self._ns_made = True
        return self.ns

    def _read(self):
        for raw in iter(self.proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._lines_lock:
                self._lines.append(line)
                self._logf.write(line + "\n")
                self._logf.flush()
            if self.ready_text in line:
                self._ready.set()
        self.proc.stdout.close()

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._ready.wait(0.1):
                want = "listening on %s:%d" % (STACK_IP, self.port)
                if self.ready_text == "listening on" and want not in self.output:
                    raise ServerError("ready line lacks %r" % want)
                return
            if self.proc.poll() is not None:
                self._reader.join(2)
                raise ServerError("server exited with %d before %r"
                                  % (self.proc.returncode, self.ready_text))
        raise ServerError("no %r within %.0f s" % (self.ready_text, START_TIMEOUT))

    def _config_kernel_side(self):
        ns = ["ip", "netns", "exec", self.ns]
        _sh(ns + ["ip", "link", "set", TAP_IF, "address", KERNEL_MAC])
        _sh(ns + ["sysctl", "-q", "-w", "net.ipv6.conf.%s.disable_ipv6=1" % TAP_IF])
        _sh(ns + ["ip", "addr", "add", "%s/%d" % (KERNEL_IP, PREFIX_LEN),
                  "dev", TAP_IF])
        _sh(ns + ["ip", "link", "set", TAP_IF, "up"])
        _sh(ns + ["ip", "link", "set", "lo", "up"])

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Signal the server, wait; return (exit code, output).

        The exit code is None when the server hung and had to be killed.
        """
        rc = None
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.send_signal(sig)
            except ProcessLookupError:
                pass
            try:
                rc = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._note("# server did not exit %.0f s after signal %d: SIGKILL"
                           % (timeout, sig))
                self.proc.kill()
                self.proc.wait(5)
                rc = None
        elif self.proc is not None:
            rc = self.proc.returncode
        self.returncode = rc
        self.cleanup()
        return rc, self.output

    def wait(self, timeout):
        """Wait for the process to exit by itself; return (exit code, output).

        After `timeout` s it gets SIGTERM (then SIGKILL) and the exit code
        is None. Cleans up like stop().
        """
        rc = None
        if self.proc is not None:
            try:
                rc = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._note("# still running after %.0f s: SIGTERM" % timeout)
                self.stop()
                self.returncode = None
                return None, self.output
        if self._reader is not None:
            self._reader.join(5)
        self.returncode = rc
        self.cleanup()
        return rc, self.output

    def _note(self, text):
        with self._lines_lock:
            self._lines.append(text)

    def cleanup(self):
        """Kill (by PID) what we started, delete the namespace and prefix."""
        if self._cleaned:
            return
        self._cleaned = True
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.terminate()
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    pass
            except ProcessLookupError:
                pass
        if self._reader is not None:
            self._reader.join(5)
        if self.client_ns is not None:
            _sh(["ip", "netns", "del", self.client_ns], check=False)
            self.client_ns = None
        for ns in self.extra_ns:
            _sh(["ip", "netns", "del", ns], check=False)
        self.extra_ns = []
        if self._ns_made:
            _sh(["ip", "netns", "del", self.ns], check=False)
            self._ns_made = False
        shutil.rmtree(os.path.join("/var/run/dpdk", self.prefix), ignore_errors=True)
        if getattr(self, "_logf", None) is not None:
            self._logf.close()
        with _live_lock:
            _live.discard(self)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        if not self._cleaned:
            self.stop()
        return False

    # ---- observing ---------------------------------------------------------

    @property
    def output(self):
        with self._lines_lock:
            return "\n".join(self._lines) + ("\n" if self._lines else "")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def mark(self):
        """A position in the output, for output_since() / stats_since()."""
        with self._lines_lock:
            return len(self._lines)

    def output_since(self, mark, until=None):
        """The output lines read between two marks (until=None: up to now)."""
        with self._lines_lock:
            lines = self._lines[mark:until]
        return "\n".join(lines) + ("\n" if lines else "")

    def stats_since(self, mark=0, until=None):
        """parse_stats() of the output between two marks."""
        return parse_stats(self.output_since(mark, until))

    def latest_stats(self):
        """The last complete report (periodic or final), or None."""
        blocks = parse_stats(self.output)
        return blocks[-1] if blocks else None

    def wait_stats(self, pred, timeout, after=None):
        """Wait for a report read after mark `after` (default: now) with pred(block).

        Needs --stats-period. Only complete blocks count (a block is
        complete once a later line follows it, or the server has exited).
        Returns the first matching block, or None on timeout or exit.
        """
        start = self.mark() if after is None else after
        deadline = time.monotonic() + timeout
        while True:
            done = not self.alive()
            for b in self.stats_since(start):
                if (done or not b["open"]) and pred(b):
                    return b
            if done or time.monotonic() > deadline:
                return None
            time.sleep(0.1)

    # ---- nftables, inside the namespace only --------------------------------

    def nft(self, script):
        """Load an nft script (`nft -f -`) in this server's namespace."""
        p = subprocess.run(["ip", "netns", "exec", self.ns, "nft", "-f", "-"],
                           input=script, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=20)
        if p.returncode != 0:
            raise RuntimeError("nft -f - in %s: exit %d: %s\n%s"
                               % (self.ns, p.returncode, p.stdout.strip(), script))

    @contextlib.contextmanager
    def nft_table(self, table, chains):
        """Install `table inet TABLE` in the namespace for the block, then delete it.

        chains: {hook: [rule, ...]}, hook "input", "output" or "forward"; each rule
        gets a `counter` in front of its verdict so nft_packets() can read it.
        Nothing outside the namespace is touched; the table also goes away
        with the namespace if the block is left abnormally.
        """
        lines = ["table inet %s {" % table]
        for hook, rules in chains.items():
            lines.append("  chain %s { type filter hook %s priority 0; policy accept;"
                         % (hook, hook))
            for r in rules:
                head, verdict = r.rsplit(" ", 1)
                lines.append("    %s counter %s" % (head, verdict))
            lines.append("  }")
        lines.append("}")
        self.nft("\n".join(lines) + "\n")
        try:
            yield self
        finally:
            if self._ns_made:
                self.run(["nft", "delete", "table", "inet", table], timeout=20)

    def nft_packets(self, table):
        """{hook: packets matched by its rules} of a table made by nft_table()."""
        out = {}
        for hook, _, n in self.nft_rule_packets(table):
            out[hook] = out.get(hook, 0) + n
        return out

    def nft_rule_packets(self, table):
        """[(hook, rule text, packets)] of a table made by nft_table(), in order."""
        p = self.run(["nft", "list", "table", "inet", table], timeout=20)
        out, hook = [], None
        for line in p.stdout.splitlines():
            m = re.search(r"type filter hook (\w+)", line)
            if m:
                hook = m.group(1)
                continue
            m = re.search(r"^\s*(.*?)\s*counter packets (\d+)", line)
            if m:
                out.append((hook, m.group(1), int(m.group(2))))
        return out

    def dump(self, tail=60):
        """Print the server's log (last `tail` lines) and counters if any."""
        lines = self.output.splitlines()
        if self.proc is None:
            state = "never started"
        elif self.proc.poll() is None:
            state = "running, PID %d" % self.proc.pid
        elif self._cleaned and self.returncode is not None:
            state = "stopped, exit code %d" % self.returncode
        else:
            state = "EXITED on its own or killed, exit code %d" % self.proc.returncode
        log("---- server %s: %s; log %s, last %d of %d lines ----"
            % (self.ns, state, self.log_path, min(tail, len(lines)), len(lines)))
        for line in lines[-tail:]:
            log("  | " + line)
        c = parse_counters(self.output)
        if c:
            log("---- counters: " + " ".join("%s=%d" % kv for kv in sorted(c.items())))

    # ---- clients in the namespace -----------------------------------------

    @contextlib.contextmanager
    def netns(self, ns=None):
        """Move the calling thread into the namespace for the block.

        Sockets and threads created inside stay in the namespace after the
        block; the thread itself returns to where it was. ns: another
        namespace of this server (client_ns); default its own.
        """
        here = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        there = os.open("/run/netns/" + (ns or self.ns), os.O_RDONLY)
        try:
            _setns(there)
            try:
                yield self
            finally:
                _setns(here)
        finally:
            os.close(there)
            os.close(here)

    def run(self, args, timeout=30, ns=None):
        """Run a command in the namespace (or ns, e.g. client_ns); text output."""
        return subprocess.run(["ip", "netns", "exec", ns or self.ns] + list(args),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=timeout)

    def connect(self, port=None, timeout=SOCK_TIMEOUT):
        """A kernel TCP socket in the namespace connected to the stack."""
        with self.netns():
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect((STACK_IP, self.port if port is None else port))
        except BaseException:
            s.close()
            raise
        return s

    def add_client_ns(self, rto_min_ms=None):
        """A second namespace whose kernel reaches the stack through a router.

            NS-c: pc0 198.18.1.1/24, default via 198.18.1.254, gso_max_segs 1
              | veth
            NS:   pr0 198.18.1.254/24, ip_forward=1, pt0 198.18.0.1/24
              | TAP
            polltcp 198.18.0.2 (start it with --gateway 198.18.0.1)

        Packets the server's namespace drops in its `forward` hook are lost
        on the path, as on a real network: neither end's TCP learns of the
        drop from its own transmit path (a drop in the sender's own output
        or postrouting hook is returned to its TCP, which just sends again).
        With gso_max_segs 1 on pc0 each forwarded packet is one segment.
        Both ends are created inside namespaces this Server owns; NS-c is
        deleted by cleanup(). rto_min_ms: the client's RTO floor on that
        route (`ip route ... rto_min`; Linux's default is 200 ms). Returns
        NS-c's name; see connect_client().
        """
        if self.client_ns is not None:
            return self.client_ns
        ns_c = self.ns + "-c"
        _sh(["ip", "netns", "add", ns_c])
        self.client_ns = ns_c
        c = ["ip", "netns", "exec", ns_c]
        r = ["ip", "netns", "exec", self.ns]
        _sh(c + ["ip", "link", "add", CLIENT_IF, "type", "veth", "peer", "name", ROUTER_IF,
                 "netns", self.ns])
        for ns, ifname, addr in ((c, CLIENT_IF, CLIENT_NET_IP), (r, ROUTER_IF, ROUTER_IP)):
            _sh(ns + ["sysctl", "-q", "-w", "net.ipv6.conf.%s.disable_ipv6=1" % ifname])
            _sh(ns + ["ip", "addr", "add", "%s/24" % addr, "dev", ifname])
            _sh(ns + ["ip", "link", "set", ifname, "up"])
        _sh(c + ["ip", "link", "set", "lo", "up"])
        route = ["ip", "route", "add", "default", "via", ROUTER_IP]
        if rto_min_ms is not None:
            route += ["rto_min", "%dms" % rto_min_ms]
        _sh(c + route)
        # One segment per packet: the client's TCP builds no TSO/GSO bursts
        # (read at connect); veth does no GRO unless XDP or NAPI is set up.
        _sh(c + ["ip", "link", "set", CLIENT_IF, "gso_max_segs", "1"])
        _sh(r + ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
        return ns_c

    def add_ns(self, suffix):
        """Another namespace NS-<suffix> for a test's own topology (routers,
        peers); deleted with the server's by cleanup(). Returns its name."""
        with _live_lock:
            _live.add(self)
        ns = "%s-%s" % (self.ns, suffix)
        _sh(["ip", "netns", "add", ns])
        self.extra_ns.append(ns)
        return ns

    def connect_client(self, port=None, timeout=SOCK_TIMEOUT, setup=None):
        """A kernel TCP socket in the client namespace connected to the stack.

        setup(sock) runs before connect (e.g. to set SO_RCVBUF).
        """
        ns_c = self.add_client_ns()
        with self.netns(ns_c):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            if setup is not None:
                setup(s)
            s.connect((STACK_IP, self.port if port is None else port))
        except BaseException:
            s.close()
            raise
        return s


def run_without_port(echo, app_args, timeout=30):
    """Run polltcp-echo with no device (EAL only, no network) and app_args.

    For argument checks: no namespace, no TAP. Returns CompletedProcess
    with separate text stdout and stderr; the DPDK prefix is removed.
    """
    prefix = "ptcp%dx%s" % (os.getpid(), secrets.token_hex(3))
    argv = [os.path.abspath(echo), "--no-pci", "--no-huge", "-m", "256", "-l", "0",
            "--file-prefix", prefix, "--log-level=*:warning", "--"] + list(app_args)
    try:
        return subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=timeout,
                              preexec_fn=_child_setup)
    finally:
        shutil.rmtree(os.path.join("/var/run/dpdk", prefix), ignore_errors=True)


def _child_setup():
    """In the server's child: die with us, and keep our terminal's ^C off it."""
    os.setsid()
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _cleanup_all():
    with _live_lock:
        servers = list(_live)
    for s in servers:
        try:
            s.cleanup()
        except Exception as e:  # keep cleaning the others
            log("cleanup of %s failed: %s" % (s.ns, e))


def _on_signal(signum, frame):
    log("signal %d: cleaning up" % signum)
    _cleanup_all()
    os._exit(128 + signum)


atexit.register(_cleanup_all)
for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(_sig, _on_signal)


# ---- client helpers --------------------------------------------------------

def recv_exactly(s, n, deadline=None):
    """Read exactly n bytes (or fewer if the peer closes first)."""
    chunks = []
    got = 0
    while got < n:
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError("got %d of %d bytes before the deadline" % (got, n))
        b = s.recv(min(65536, n - got))
        if not b:
            break
        chunks.append(b)
        got += len(b)
    return b"".join(chunks)


def recv_until_eof(s, limit=64 << 20):
    chunks = []
    got = 0
    while got <= limit:
        b = s.recv(65536)
        if not b:
            return b"".join(chunks)
        chunks.append(b)
        got += len(b)
    raise AssertionError("more than %d bytes before EOF" % limit)


def echo_through(s, data, chunk=16384):
    """Send data on s from a thread while reading the same length back here.

    Returns the bytes read. Sending and reading concurrently keeps either
    side from blocking on a full window.
    """
    err = []

    def sender():
        try:
            view = memoryview(data)
            for off in range(0, len(view), chunk):
                s.sendall(view[off:off + chunk])
        except BaseException as e:  # reported by the reader
            err.append(e)

    t = threading.Thread(target=sender, daemon=True)
    t.start()
    try:
        got = recv_exactly(s, len(data))
    finally:
        t.join(s.gettimeout() or SOCK_TIMEOUT)
    if err:
        raise AssertionError("send failed: %r" % err[0])
    return got


def first_diff(a, b):
    """Offset of the first differing byte of a and b (min length if a prefix)."""
    for i in range(min(len(a), len(b))):
        if a[i] != b[i]:
            return i
    return min(len(a), len(b))


def wait_for(pred, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


# ---- suite runner ------------------------------------------------------------

class _Alarm(Exception):
    pass


def _alarm(signum, frame):
    raise _Alarm("test exceeded its time limit")


class Suite:
    """Tests of one script. A test is fn(ctx) where ctx is this Suite.

    ctx.echo            path of polltcp-echo
    ctx.server()        the shared Server (started on first use)
    ctx.new_server(..)  an extra Server the test owns (use with `with`)
    """

    def __init__(self, name, shared_args=()):
        self.name = name
        self.shared_args = list(shared_args)
        self.tests = []
        self.echo = None
        self._shared = None
        self._shared_failed = None
        self._servers = []

    def test(self, fn=None, timeout=TEST_TIMEOUT):
        def deco(f):
            self.tests.append((f.__name__, f, timeout))
            return f
        return deco(fn) if fn is not None else deco

    def server(self):
        if self._shared_failed is not None:
            raise ServerError("shared server failed to start: %s" % self._shared_failed)
        if self._shared is None or self._shared._cleaned:
            srv = Server(self.echo, self.shared_args, name=self.name)
            self._servers.append(srv)
            try:
                srv.start()
            except Exception as e:
                self._shared_failed = e
                srv.dump()
                raise
            self._shared = srv
        return self._shared

    def new_server(self, extra_args=(), name=None, **kw):
        srv = Server(self.echo, extra_args, name=name or self.name, **kw)
        self._servers.append(srv)
        return srv

    def main(self, argv=None):
        argv = sys.argv if argv is None else argv
        if len(argv) != 2:
            sys.stderr.write("usage: %s PATH/TO/polltcp-echo\n" % argv[0])
            return 2
        self.echo = argv[1]
        if os.geteuid() != 0:
            log("%s: needs root (network namespaces, TAP): skipped" % self.name)
            return 77
        if not os.access(self.echo, os.X_OK):
            log("%s: %s is not executable" % (self.name, self.echo))
            return 1
        signal.signal(signal.SIGALRM, _alarm)
        passed = failed = 0
        for tname, fn, limit in self.tests:
            t0 = time.monotonic()
            signal.setitimer(signal.ITIMER_REAL, limit)
            try:
                fn(self)
            except BaseException as e:
                signal.setitimer(signal.ITIMER_REAL, 0)
                if isinstance(e, (KeyboardInterrupt, SystemExit)):
                    raise
                failed += 1
                reason = str(e) or type(e).__name__
                if not isinstance(e, AssertionError):
                    reason = "%s: %s" % (type(e).__name__, reason)
                log("FAIL %s: %s" % (tname, reason.splitlines()[0] if reason else ""))
                for line in traceback.format_exc().rstrip().splitlines():
                    log("    " + line)
                for srv in self._servers[-2:]:
                    srv.dump(tail=40)
            else:
                signal.setitimer(signal.ITIMER_REAL, 0)
                passed += 1
                log("ok %s (%.1f s)" % (tname, time.monotonic() - t0))
        if self._shared is not None and not self._shared._cleaned:
            rc, out = self._shared.stop()
            if failed:
                self._shared.dump(tail=200)
        _cleanup_all()
        log("%s: %d passed, %d failed" % (self.name, passed, failed))
        return 1 if failed else 0


def check(cond, msg):
    """assert that survives python -O."""
    if not cond:
        raise AssertionError(msg)


def inet_cksum(data):
    """RFC 1071 Internet checksum of data (for raw-socket tests)."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def counters_line(c, names):
    """'NAME=value ...' for the named counters (0 when absent)."""
    return " ".join("%s=%d" % (n, c.get(n, 0)) for n in names)


def stop_checked(srv):
    """SIGTERM the server; assert exit code 0 and return its final counters."""
    rc, out = srv.stop()
    check(rc == 0, "server exit code %r after SIGTERM" % rc)
    c = parse_counters(out)
    check(c, "no final counters: block in the server's output")
    return c


# ---- hugepages ---------------------------------------------------------------

_NR_HUGEPAGES = "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"


@contextlib.contextmanager
def hugepages(pages=512):
    """Reserve `pages` more 2 MiB hugepages and mount hugetlbfs on a private
    temporary directory; yield the directory (for EAL --huge-dir).

    On exit: the hugepage files left there are removed, the directory is
    unmounted and removed, and the reservation is lowered by what we added
    (not reset to the value we saw: another user may have changed it
    meanwhile, and their pages are theirs). Raises RuntimeError when the
    kernel grants fewer pages than asked (memory too fragmented).
    """
    with open(_NR_HUGEPAGES) as f:
        before = int(f.read())
    added = 0
    d = tempfile.mkdtemp(prefix="ptcp-huge-")
    mounted = False
    try:
        with open(_NR_HUGEPAGES, "w") as f:
            f.write(str(before + pages))
        with open(_NR_HUGEPAGES) as f:
            now = int(f.read())
        added = max(0, now - before)
        if added < pages:
            raise RuntimeError("asked for %d more 2 MiB hugepages, got %d" % (pages, added))
        _sh(["mount", "-t", "hugetlbfs", "-o", "pagesize=2M", "nodev", d])
        mounted = True
        yield d
    finally:
        if mounted:
            for name in os.listdir(d):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(d, name))
            _sh(["umount", d], check=False)
        with contextlib.suppress(OSError):
            os.rmdir(d)
        if added:
            with open(_NR_HUGEPAGES) as f:
                cur = int(f.read())
            with open(_NR_HUGEPAGES, "w") as f:
                f.write(str(max(0, cur - added)))
