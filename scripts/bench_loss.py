#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Bulk transfer under loss: polltcp's congestion control and loss recovery
side by side in one run (docs/benchmarks.md "Loss").

One connection from the Linux kernel (in a network namespace, through the
TAP) echoes BYTES through polltcp-echo, whose port drops --loss percent of
the frames each way (--impair, seeded: every variant sees the same drop
pattern for the same traffic) and adds --delay each way. Variants differ
only in polltcp-echo's options:

  cubic+sack      (the defaults: CUBIC, SACK with RFC 6675 / RACK-TLP)
  newreno+sack    --cc newreno
  cubic/no-sack   --no-sack        (recovery: NewReno partial ACKs, RFC 6582)
  newreno/no-sack --cc newreno --no-sack

Reported per variant and loss rate: seconds for the echo, Mbit/s each way,
polltcp's retransmitted segments and bytes, its timeouts, and the data
segments its port dropped on the way out (what it had to resend). A
variant whose options the binary does not know is skipped with a reason.

  python3 scripts/bench_loss.py [--echo build-bench/app/polltcp-echo]
      [--bytes 16M] [--loss 1,5] [--delay 2ms] [--seed 7] [--json FILE]
      [--docs]          (rewrite the "Loss" section of docs/benchmarks.md)

Root (namespaces, TAP). Uses tests/integration/ptcp_harness.py for the
namespace, the TAP and process handling (kill by PID, cleanup on exit).
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import ptcp_harness as h  # noqa: E402

VARIANTS = [
    ("cubic+sack", []),
    ("newreno+sack", ["--cc", "newreno"]),
    ("cubic/no-sack", ["--no-sack"]),
    ("newreno/no-sack", ["--cc", "newreno", "--no-sack"]),
]

DOC_BEGIN = "<!-- bench_loss begin -->"
DOC_END = "<!-- bench_loss end -->"


def size_arg(s):
    m = re.fullmatch(r"(\d+)([KMG]?)", s)
    if not m:
        raise argparse.ArgumentTypeError("bad size %r" % s)
    return int(m.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30}[m.group(2)]


def counters(out):
    return {k: int(v) for k, v in re.findall(r"^\s+([A-Z0-9_]+)\s+(\d+)\s*$", out, re.M)}


def impair_tx_drops(out):
    m = re.search(r"^impair tx:.*?\bdrop (\d+)", out, re.M)
    return int(m.group(1)) if m else None


def supported(echo, args):
    """True when polltcp-echo's --help lists every long option of args."""
    p = subprocess.run([echo, "--", "--help"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return all(("  " + a + " ") in p.stdout or ("  " + a + "\n") in p.stdout
               or ("  " + a + ",") in p.stdout
               for a in args if a.startswith("--"))


def run_one(echo, extra, data, timeout):
    srv = h.Server(echo, extra, name="bench-loss")
    with srv:
        s = srv.connect(timeout=timeout)
        t0 = time.monotonic()
        got = h.echo_through(s, data, chunk=256 * 1024)
        dt = time.monotonic() - t0
        s.close()
        rc, out = srv.stop()
    ok = len(got) == len(data) and hashlib.sha256(got).digest() == hashlib.sha256(data).digest()
    return dt, ok, rc, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--echo", default=os.path.join(ROOT, "build", "app", "polltcp-echo"))
    ap.add_argument("--bytes", type=size_arg, default=16 << 20)
    ap.add_argument("--loss", default="1,5", help="comma list of percents")
    ap.add_argument("--delay", default="2ms", help="extra one-way delay each direction")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rcv-buf", type=size_arg, default=1 << 20)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--json")
    ap.add_argument("--docs", action="store_true")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench_loss: needs root (network namespaces, TAP)")
    echo = os.path.abspath(a.echo)
    data = os.urandom(a.bytes)
    rows = []
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            stdout=subprocess.PIPE, text=True).stdout.strip()
    for loss in a.loss.split(","):
        impair = "loss=%s%%,delay=%s,seed=%d" % (loss, a.delay, a.seed)
        for name, opts in VARIANTS:
            row = {"loss_pct": float(loss), "variant": name, "options": " ".join(opts)}
            if not supported(echo, opts):
                row["skipped"] = "polltcp-echo has no %s" % " ".join(opts)
                rows.append(row)
                print("%-5s%% %-16s skipped: %s" % (loss, name, row["skipped"]), flush=True)
                continue
            extra = ["--impair", impair, "--rcv-buf", str(a.rcv_buf),
                     "--snd-buf", str(a.rcv_buf)] + opts
            try:
                dt, ok, rc, out = run_one(echo, extra, data, a.timeout)
            except Exception as e:  # recorded, the next variant goes on
                row["error"] = str(e).splitlines()[0] if str(e) else type(e).__name__
                rows.append(row)
                print("%-5s%% %-16s error: %s" % (loss, name, row["error"]), flush=True)
                continue
            c = counters(out)
            row.update({
                "seconds": round(dt, 3),
                "mbit_s": round(a.bytes * 8 / dt / 1e6, 1),
                "verified": ok,
                "exit": rc,
                "rexmit_segs": c.get("TCP_REXMIT", 0),
                "rexmit_bytes": c.get("TCP_REXMIT_BYTES"),
                "rto": c.get("TCP_RTO", 0),
                "tx_dropped": impair_tx_drops(out),
            })
            rows.append(row)
            print("%-5s%% %-16s %7.2f s %7.1f Mbit/s rexmit %5d segs %9s B rto %4d "
                  "tx dropped %5s%s" % (loss, name, dt, row["mbit_s"], row["rexmit_segs"],
                                        row["rexmit_bytes"], row["rto"], row["tx_dropped"],
                                        "" if ok else "  DATA MISMATCH"), flush=True)
    result = {"commit": commit, "bytes": a.bytes, "delay": a.delay, "seed": a.seed,
              "rcv_buf": a.rcv_buf, "rows": rows}
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=1)
    if a.docs:
        write_docs(result)
    return 0 if all(r.get("verified", True) and "error" not in r for r in rows) else 1


def write_docs(res):
    lines = [DOC_BEGIN, "",
             "`python3 scripts/bench_loss.py --docs` on %s: one connection echoes %d MiB "
             "(Linux kernel client through the TAP, polltcp-echo with `--impair "
             "loss=L%%,delay=%s,seed=%d` on its port, so each way loses L%% and gains %s; "
             "buffers %d KiB). Retransmissions are polltcp's (the echo direction); "
             "\"tx dropped\" is what its port dropped on the way out, i.e. what it had "
             "to resend. One run, the variants one after the other."
             % (res["commit"], res["bytes"] >> 20, res["delay"], res["seed"], res["delay"],
                res["rcv_buf"] >> 10), "",
             "| loss | variant | time s | Mbit/s | retransmitted segs | retransmitted bytes "
             "| RTOs | tx dropped |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in res["rows"]:
        if "seconds" not in r:
            lines.append("| %g%% | %s | %s | | | | | |" % (r["loss_pct"], r["variant"],
                                                          r.get("skipped") or r.get("error")))
            continue
        lines.append("| %g%% | %s | %.2f | %.1f | %d | %s | %d | %s |" % (
            r["loss_pct"], r["variant"], r["seconds"], r["mbit_s"], r["rexmit_segs"],
            r["rexmit_bytes"] if r["rexmit_bytes"] is not None else "n/a", r["rto"],
            r["tx_dropped"] if r["tx_dropped"] is not None else "n/a"))
    lines += ["", DOC_END]
    block = "\n".join(lines)
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    text = open(path).read()
    if DOC_BEGIN in text:
        text = re.sub(re.escape(DOC_BEGIN) + ".*?" + re.escape(DOC_END), lambda _: block,
                      text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n## Loss: congestion control and recovery\n\n" + \
            block + "\n"
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    sys.exit(main())
