#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""rfc_matrix: which test covers which RFC section, from the tests themselves.

Scans the cmocka unit tests (tests/unit/test_*.c: functions
`test_<name>(void **state)` and the "Ensure that ..." sentence opening
their body) and the end-to-end tests (tests/integration/test_*.py:
functions registered with `@suite.test`, or named test_*, with their
docstring), and writes docs/rfc-compliance.md:

  - unit tests grouped by RFC and section, parsed from the name:
    test_rfc9293_3_10_7_4_rst_in_window -> RFC 9293 section 3.10.7.4,
    test_rfc896_... -> RFC 896 (no section);
  - unit tests whose name names no RFC under "Other behaviour";
  - the integration tests under "End to end (Linux kernel peer)".

Usage:
    python3 scripts/rfc_matrix.py            # (re)write docs/rfc-compliance.md
    python3 scripts/rfc_matrix.py --check    # exit 1 if that file is out of date
    python3 scripts/rfc_matrix.py --stdout   # print instead of writing

Only the standard library; the output is deterministic (no dates), so
--check can run in CI.
"""
import argparse
import ast
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_REL = os.path.join("docs", "rfc-compliance.md")
UNIT_DIR = os.path.join("tests", "unit")
INTEG_DIR = os.path.join("tests", "integration")

RFC_TITLES = {
    791: "Internet Protocol",
    792: "Internet Control Message Protocol",
    815: "IP Datagram Reassembly Algorithms",
    826: "An Ethernet Address Resolution Protocol",
    894: "IP Datagrams over Ethernet Networks",
    896: "Congestion Control in IP/TCP Internetworks (Nagle)",
    1071: "Computing the Internet Checksum",
    1122: "Requirements for Internet Hosts -- Communication Layers",
    1191: "Path MTU Discovery",
    1337: "TIME-WAIT Assassination Hazards in TCP",
    1624: "Computation of the Internet Checksum via Incremental Update",
    1812: "Requirements for IP Version 4 Routers",
    1982: "Serial Number Arithmetic",
    2018: "TCP Selective Acknowledgment Options",
    2883: "An Extension to the Selective Acknowledgement (SACK) Option for TCP",
    3465: "TCP Congestion Control with Appropriate Byte Counting (ABC)",
    3042: "Enhancing TCP's Loss Recovery Using Limited Transmit",
    3708: "Using TCP D-SACKs to Detect Spurious Retransmissions",
    4821: "Packetization Layer Path MTU Discovery",
    4987: "TCP SYN Flooding Attacks and Common Mitigations",
    5227: "IPv4 Address Conflict Detection",
    5681: "TCP Congestion Control",
    5927: "ICMP Attacks against TCP",
    5961: "Improving TCP's Robustness to Blind In-Window Attacks",
    6191: "Reducing the TIME-WAIT State Using TCP Timestamps",
    6298: "Computing TCP's Retransmission Timer",
    6582: "The NewReno Modification to TCP's Fast Recovery Algorithm",
    6528: "Defending against Sequence Number Attacks",
    6582: "The NewReno Modification to TCP's Fast Recovery Algorithm",
    6675: "A Conservative Loss Recovery Algorithm Based on SACK for TCP",
    6691: "TCP Options and Maximum Segment Size (MSS)",
    6864: "Updated Specification of the IPv4 ID Field",
    6928: "Increasing TCP's Initial Window",
    7323: "TCP Extensions for High Performance",
    7661: "Updating TCP to Support Rate-Limited Traffic",
    7739: "Security Implications of Predictable Fragment Identification Values",
    8985: "The RACK-TLP Loss Detection Algorithm for TCP",
    9293: "Transmission Control Protocol (TCP)",
    9438: "CUBIC for Fast and Long-Distance Networks",
}

C_FUNC_RE = re.compile(r"^(test_\w+)\s*\(\s*void\s*\*\*\s*\w+\s*\)\s*$", re.M)
RFC_NAME_RE = re.compile(r"^test_rfc(\d+)((?:_\d+)*)(?:_|$)")


class Test:
    """One test: where it is, what it ensures, which RFC section it names."""

    def __init__(self, path, func, behaviour, rfc=None, section=()):
        self.path = path            # relative to ROOT, '/'-separated
        self.func = func
        self.behaviour = behaviour
        self.rfc = rfc              # int or None
        self.section = section      # tuple of ints, () = the RFC as a whole


def humanize(name):
    """'handshake_and_one_byte_echo' -> 'Handshake and one byte echo'."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def first_sentence(text):
    """The first sentence of text (ends at '. ' before a capital letter, or the end)."""
    text = " ".join(text.split())
    m = re.search(r"\.(?=\s+[A-Z(])", text)
    if m:
        text = text[: m.end()]
    return text.strip()


def parse_rfc(func):
    """(rfc, section tuple) from a C test name, or (None, ())."""
    m = RFC_NAME_RE.match(func)
    if not m:
        return None, ()
    section = tuple(int(x) for x in m.group(2).split("_") if x)
    return int(m.group(1)), section


def c_comment_after(src, pos, limit):
    """Text of the first /* ... */ comment in src[pos:limit], or None."""
    start = src.find("/*", pos, limit)
    if start < 0:
        return None
    # Only a comment that opens the body (nothing but '{', blanks, declarations
    # would come later): it must precede the first statement's semicolon.
    semi = src.find(";", pos, limit)
    if 0 <= semi < start:
        return None
    end = src.find("*/", start + 2)
    if end < 0:
        return None
    lines = []
    for line in src[start + 2 : end].splitlines():
        line = line.strip()
        if line.startswith("*"):
            line = line[1:].strip()
        lines.append(line)
    return " ".join(l for l in lines if l)


def scan_c(root):
    tests = []
    udir = os.path.join(root, UNIT_DIR)
    if not os.path.isdir(udir):
        return tests
    for fname in sorted(os.listdir(udir)):
        if not (fname.startswith("test_") and fname.endswith(".c")):
            continue
        rel = UNIT_DIR.replace(os.sep, "/") + "/" + fname
        with open(os.path.join(udir, fname), encoding="utf-8") as f:
            src = f.read()
        matches = list(C_FUNC_RE.finditer(src))
        for i, m in enumerate(matches):
            func = m.group(1)
            limit = matches[i + 1].start() if i + 1 < len(matches) else len(src)
            brace = src.find("{", m.end(), limit)
            comment = c_comment_after(src, brace + 1, limit) if brace >= 0 else None
            if comment and "Ensure that" in comment:
                behaviour = first_sentence(comment[comment.index("Ensure that"):])
            else:
                behaviour = humanize(func[len("test_"):])
            rfc, section = parse_rfc(func)
            tests.append(Test(rel, func, behaviour, rfc, section))
    return tests


def is_test_decorator(dec):
    """@suite.test, @test, @suite.test(...) and the like."""
    if isinstance(dec, ast.Call):
        dec = dec.func
    if isinstance(dec, ast.Attribute):
        return dec.attr == "test"
    if isinstance(dec, ast.Name):
        return dec.id == "test"
    return False


def scan_py(root):
    tests = []
    idir = os.path.join(root, INTEG_DIR)
    if not os.path.isdir(idir):
        return tests
    for fname in sorted(os.listdir(idir)):
        if not (fname.startswith("test_") and fname.endswith(".py")):
            continue
        rel = INTEG_DIR.replace(os.sep, "/") + "/" + fname
        with open(os.path.join(idir, fname), encoding="utf-8") as f:
            tree = ast.parse(f.read(), filename=rel)
        for node in tree.body:
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if not (any(is_test_decorator(d) for d in node.decorator_list)
                    or node.name.startswith("test_")):
                continue
            doc = ast.get_docstring(node)
            behaviour = first_sentence(doc) if doc else humanize(node.name)
            tests.append(Test(rel, node.name, behaviour))
    return tests


def md_cell(text):
    return text.replace("\\", "\\\\").replace("|", "\\|")


def table(tests):
    rows = ["| behaviour | test (file:function) |", "|---|---|"]
    for t in tests:
        fname = t.path.rsplit("/", 1)[-1]
        rows.append("| %s | `%s:%s` |" % (md_cell(t.behaviour), fname, t.func))
    return rows


def section_name(rfc, section):
    if not section:
        return "RFC %d (no section named)" % rfc
    return "RFC %d §%s" % (rfc, ".".join(str(x) for x in section))


def render(unit, integ):
    by_rfc = {}
    other = []
    for t in unit:
        if t.rfc is None:
            other.append(t)
        else:
            by_rfc.setdefault(t.rfc, {}).setdefault(t.section, []).append(t)
    named = len(unit) - len(other)
    out = [
        "<!-- Generated by scripts/rfc_matrix.py from the tests; do not edit by hand. -->",
        "# RFC compliance matrix",
        "",
        "Generated by `scripts/rfc_matrix.py` from the test sources: regenerate with",
        "`python3 scripts/rfc_matrix.py`; `python3 scripts/rfc_matrix.py --check` fails",
        "when this file is out of date. Each row is one test: the behaviour is the",
        "\"Ensure that ...\" sentence opening a unit test (or an end-to-end test's",
        "docstring, else its name); the RFC and section come from the unit test's",
        "name (`test_rfc9293_3_10_7_4_...` is RFC 9293 section 3.10.7.4).",
        "",
        "%d unit tests (%d naming an RFC, %d other) and %d end-to-end tests."
        % (len(unit), named, len(other), len(integ)),
        "",
        "## Summary",
        "",
        "| RFC | title | sections | unit tests |",
        "|---|---|---|---|",
    ]
    for rfc in sorted(by_rfc):
        secs = by_rfc[rfc]
        out.append("| [RFC %d](#rfc-%d) | %s | %d | %d |"
                   % (rfc, rfc, md_cell(RFC_TITLES.get(rfc, "")), len(secs),
                      sum(len(v) for v in secs.values())))
    out.append("| [Other behaviour](#other-behaviour) | not named after an RFC | | %d |"
               % len(other))
    out.append("| [End to end](#end-to-end-linux-kernel-peer) | Linux kernel peer | | %d |"
               % len(integ))
    for rfc in sorted(by_rfc):
        title = RFC_TITLES.get(rfc)
        out += ["", '<a id="rfc-%d"></a>' % rfc, "",
                "## RFC %d%s" % (rfc, ": " + title if title else "")]
        for section in sorted(by_rfc[rfc]):
            out += ["", "### " + section_name(rfc, section), ""]
            out += table(by_rfc[rfc][section])
    out += ["", "## Other behaviour", "",
            "Unit tests whose name names no RFC (API contract, hashing, impairment, ...).",
            ""]
    out += table(other)
    out += ["", "## End to end (Linux kernel peer)", "",
            "tests/integration: polltcp-echo against the Linux kernel's TCP, ping and the CLI."]
    files = []
    for t in integ:
        if t.path not in files:
            files.append(t.path)
    for path in files:
        out += ["", "### " + path.rsplit("/", 1)[-1], ""]
        out += table([t for t in integ if t.path == path])
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if %s is missing or out of date" % OUT_REL)
    ap.add_argument("--stdout", action="store_true", help="print instead of writing")
    ap.add_argument("--root", default=ROOT, help="repository root (default: this checkout)")
    args = ap.parse_args(argv)

    text = render(scan_c(args.root), scan_py(args.root))
    out_path = os.path.join(args.root, OUT_REL)
    if args.stdout:
        sys.stdout.write(text)
        return 0
    if args.check:
        try:
            with open(out_path, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current != text:
            sys.stderr.write("%s is out of date: run python3 scripts/rfc_matrix.py\n" % OUT_REL)
            return 1
        return 0
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s" % OUT_REL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
