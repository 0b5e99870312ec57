#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Turn one scripts/bench.sh run directory into a table, JSON, plots and docs.

    python3 scripts/bench_report.py RUN_DIR [--docs docs/benchmarks.md] [--no-plots]
    python3 scripts/bench_report.py --selftest

RUN_DIR holds what bench.sh wrote while it ran:

    meta.env    KEY=VALUE lines: command, date, machine, kernel, DPDK version, options
    runs.tsv    one line per run: workload stack mode conns size pipeline status
                client_log server_log (tab separated, logs relative to RUN_DIR)
    logs/       the logs themselves

and gets results.json, table.txt, bars.png and latency.png (gnuplot; its
.dat/.gp inputs stay beside them). Everything is parsed from the logs, so a
run cut short still gives a partial table: a missing or failed run shows as
its status, never as a number.

polltcp-load's summary line (both backends) is

    result: mode M conns N tx/s X gbit/s G conn/s C p50_us A p99_us B p999_us D errors E
            [conns_held H mem_per_conn_bytes M]

and dpdk-testpmd's periodic port statistics give "Rx-pps: N" once a second.
Only the standard library is used; gnuplot is optional (no plots without it).
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

# Display order and labels; bench.sh names the workloads the same way.
WORKLOADS = ['rr64x1', 'rr64x64', 'rr1kx1', 'rr1kx64', 'rr64x64p16', 'stream', 'crr', 'hold']
STACKS = ['polltcp', 'kernel']
# Primary figure of each mode: (field of the result line, unit shown, JSON key).
METRIC = {
    'rr': ('tx/s', 'tx/s'),
    'stream': ('gbit/s', 'Gbit/s'),
    'crr': ('conn/s', 'conn/s'),
    'hold': ('conns_held', 'conns'),
}
RESULT_RE = re.compile(r'^result:\s+(.*)$', re.M)
PPS_RE = re.compile(r'Rx-pps:\s+(\d+)')


def label(mode, conns, size, pipeline):
    """'rr 64 B x64 p16' style row label."""
    def human_size(n):
        return '%d KiB' % (n // 1024) if n >= 1024 and n % 1024 == 0 else '%d B' % n
    if mode == 'hold':
        return 'hold %s' % si(conns, 0)
    s = '%s %s x%d' % (mode, human_size(size), conns)
    if pipeline > 1:
        s += ' p%d' % pipeline
    return s


def si(x, digits=3):
    """1234567 -> '1.23 M'; keeps small numbers as they are."""
    if x is None:
        return '-'
    for div, suffix in ((1e9, ' G'), (1e6, ' M'), (1e3, ' k')):
        if abs(x) >= div:
            v = x / div
            return ('%.' + str(digits) + 'g') % v + suffix if digits else '%g%s' % (v, suffix)
    if isinstance(x, float) and x != int(x):
        return '%.3g' % x
    return '%d' % x


def parse_result(text):
    """The last 'result:' line of a polltcp-load log as a dict of numbers, or None."""
    m = None
    for m in RESULT_RE.finditer(text):
        pass
    if m is None:
        return None
    tok = m.group(1).split()
    out = {}
    for k, v in zip(tok[0::2], tok[1::2]):
        try:
            out[k] = int(v)
        except ValueError:
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = v
    return out


def parse_testpmd(text):
    """Rx-pps of a testpmd log, from the non-zero per-second samples after dropping
    the first (ramp-up: the link comes up inside it) and the last (cut by the stop).
    The limit ('pps') is the best of them: anything else running on the two CPUs
    only ever lowers a sample (a descheduled receiver lets the 1024-slot ring
    fill and the sender spin), so the best second is the link's own rate; the
    median says how steady it was. None if no packet arrived."""
    samples = [int(x) for x in PPS_RE.findall(text)]
    nz = [s for s in samples if s > 0]
    steady = nz[1:-1] if len(nz) >= 3 else nz
    if not steady:
        return None
    return {'pps': max(steady), 'median': int(statistics.median(steady)), 'min': min(steady),
            'max': max(steady), 'samples': len(steady)}


def read_meta(run_dir):
    meta = {}
    path = os.path.join(run_dir, 'meta.env')
    if os.path.exists(path):
        with open(path, encoding='utf-8', errors='replace') as f:
            for line in f:
                line = line.rstrip('\n')
                if '=' in line and not line.startswith('#'):
                    k, v = line.split('=', 1)
                    meta[k] = v
    return meta


def read_text(run_dir, rel):
    if not rel or rel == '-':
        return ''
    path = os.path.join(run_dir, rel)
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            return f.read()
    except OSError:
        return ''


def collect(run_dir):
    """Everything the run measured, as the JSON document."""
    meta = read_meta(run_dir)
    runs = []
    path = os.path.join(run_dir, 'runs.tsv')
    if os.path.exists(path):
        with open(path, encoding='utf-8') as f:
            for line in f:
                if not line.strip() or line.startswith('#'):
                    continue
                p = line.rstrip('\n').split('\t')
                p += ['-'] * (9 - len(p))
                runs.append(dict(zip(['workload', 'stack', 'mode', 'conns', 'size', 'pipeline',
                                      'status', 'client_log', 'server_log'], p)))
    doc = {'meta': meta, 'raw': None, 'rows': [], 'rate50': None, 'derived': {}, 'todo': []}
    rows = {}
    for r in runs:
        text = read_text(run_dir, r['client_log'])
        if r['stack'] == 'raw':
            pm = parse_testpmd(text)
            doc['raw'] = {'tool': 'dpdk-testpmd txonly -> rxonly, 64 B, memif, one core each',
                          'status': r['status'] if pm or r['status'] != 'ok'
                          else 'failed: no Rx-pps samples above 0',
                          'log': r['client_log']}
            if pm:
                doc['raw'].update(pm)
            continue
        res = parse_result(text)
        status = r['status']
        if status == 'ok' and res is None:
            status = 'failed: no result line'
        ent = {'status': status, 'log': r['client_log'], 'server_log': r['server_log']}
        if res is not None:
            ent['result'] = res
        if r['stack'].endswith('-rate50'):
            doc.setdefault('rate50', None)
            if doc['rate50'] is None:
                doc['rate50'] = {}
            doc['rate50'][r['stack'][:-len('-rate50')]] = ent
            continue
        key = r['workload']
        if key not in rows:
            mode, conns = r['mode'], int(r['conns'])
            size, pipe = int(r['size']), int(r['pipeline'])
            rows[key] = {'workload': key, 'label': label(mode, conns, size, pipe), 'mode': mode,
                         'conns': conns, 'size': size, 'pipeline': pipe,
                         'metric': METRIC.get(mode, ('tx/s', 'tx/s'))[1]}
        rows[key][r['stack']] = ent
    order = {w: i for i, w in enumerate(WORKLOADS)}
    for key in sorted(rows, key=lambda k: (order.get(k, 99), k)):
        row = rows[key]
        field = METRIC.get(row['mode'], ('tx/s',))[0]
        vals = {}
        for s in STACKS:
            ent = row.get(s)
            if ent and ent['status'] == 'ok' and 'result' in ent:
                vals[s] = ent['result'].get(field)
                ent['value'] = vals[s]
        if vals.get('polltcp') and vals.get('kernel'):
            row['ratio'] = vals['polltcp'] / vals['kernel']
        doc['rows'].append(row)
    derive(doc)
    return doc


def ok_value(row, stack, field=None):
    ent = row.get(stack) if row else None
    if not ent or ent.get('status') != 'ok' or 'result' not in ent:
        return None
    return ent['result'].get(field) if field else ent.get('value')


def derive(doc):
    """Fraction of the raw packet rate, the 50 %-load latency comparison, targets."""
    d = doc['derived']
    byw = {r['workload']: r for r in doc['rows']}
    pps = (doc.get('raw') or {}).get('pps')
    frac = {}
    # Not the pipelined row: its requests share segments, so a transaction is
    # no longer two packets.
    for w in ('rr64x1', 'rr64x64'):
        tx = ok_value(byw.get(w), 'polltcp')
        if tx and pps:
            frac[w] = 2.0 * tx / pps
    if frac:
        d['rr_fraction_of_raw_pps'] = frac
    r50 = doc.get('rate50')
    if r50 and all(ok_value(r50, s, 'p99_us') is not None for s in STACKS):
        d['p99_at_half_peak'] = {s: ok_value(r50, s, 'p99_us') for s in STACKS}
        d['p99_at_half_peak']['offered_tx_s'] = doc['meta'].get('rate50_offered')
    elif doc['meta'].get('rate50_todo'):
        doc['todo'].append(doc['meta']['rate50_todo'])
    # The targets of issue 8, each met, not met, or not measured (None).
    t = []

    def target(name, ok, detail):
        t.append({'target': name, 'met': ok, 'measured': detail})
    rr64 = byw.get('rr64x64')
    ratio = rr64.get('ratio') if rr64 else None
    target('rr 64 B x64: polltcp >= 10x kernel tx/s', None if ratio is None else ratio >= 10,
           None if ratio is None else '%.2fx' % ratio)
    r1 = byw.get('rr64x1')
    lat = [ok_value(r1, s, f) for s in STACKS for f in ('p50_us', 'p99_us')]
    if None in lat:
        target('rr 64 B x1: lower p50 and p99 than kernel', None, None)
    else:
        target('rr 64 B x1: lower p50 and p99 than kernel', lat[0] < lat[2] and lat[1] < lat[3],
               'p50 %s vs %s us, p99 %s vs %s us' % (lat[0], lat[2], lat[1], lat[3]))
    for w, need, name in (('crr', 5, 'crr: polltcp >= 5x kernel conn/s'),
                          ('stream', 2, 'stream: polltcp >= 2x kernel Gbit/s per core')):
        ratio = byw.get(w, {}).get('ratio')
        target(name, None if ratio is None else ratio >= need,
               None if ratio is None else '%.2fx' % ratio)
    hold = byw.get('hold')
    held = ok_value(hold, 'polltcp', 'conns_held')
    mem = ok_value(hold, 'polltcp', 'mem_per_conn_bytes')
    target('hold: 10,000,000 connections to one polltcp-echo', None if held is None
           else held >= 10_000_000, None if held is None else '%d held' % held)
    # polltcp-load's mem_per_conn_bytes is its own process's (RSS + mempools in
    # use) unless the server reports one; polltcp-echo does not, so this is the
    # client's figure and the server's target stays unmeasured.
    peak = doc['meta'].get('hold_huge_peak_mib')
    detail = None
    if mem:
        detail = 'client %d B per connection (polltcp-load: RSS + mempools in use)' % mem
        if peak and held:
            detail += '; hugepages of server + client at the peak %d B per connection' % (
                int(peak) * 1048576 // held)
    target('hold: <= 512 B of server memory per idle connection', None, detail)
    p = d.get('p99_at_half_peak')
    target("p99 at 50% of polltcp's peak rr below the kernel's p99", None if not p
           else p['polltcp'] < p['kernel'],
           None if not p else 'p99 %s vs %s us' % (p['polltcp'], p['kernel']))
    d['targets'] = t


def cell_value(row, stack):
    ent = row.get(stack)
    if not ent:
        return 'not run'
    if ent['status'] != 'ok':
        return ent['status'].split(':')[0]
    v = ent.get('value')
    if v is None:
        return 'n/a'
    if row['mode'] == 'stream':
        s = '%.2f Gbit/s' % v
    elif row['mode'] == 'hold':
        s = si(v) + ' conns'
        mem = ent['result'].get('mem_per_conn_bytes')
        if mem:
            s += ', %d B/conn' % mem
    else:
        s = si(v) + ' ' + row['metric']
    errs = ent['result'].get('errors')
    if errs:
        s += ' (%d err)' % errs
    return s


def cell_lat(row, stack, field):
    v = ok_value(row, stack, field)
    if v is None or (v == 0 and row['mode'] in ('hold', 'stream')):
        return '-'
    return '%g' % v


def table_rows(doc):
    head = ['workload', 'polltcp', 'p50 us', 'p99 us', 'kernel', 'p50 us', 'p99 us',
            'polltcp/kernel']
    body = []
    for r in doc['rows']:
        ratio = '%.2fx' % r['ratio'] if r.get('ratio') else '-'
        body.append([r['label'],
                     cell_value(r, 'polltcp'), cell_lat(r, 'polltcp', 'p50_us'),
                     cell_lat(r, 'polltcp', 'p99_us'),
                     cell_value(r, 'kernel'), cell_lat(r, 'kernel', 'p50_us'),
                     cell_lat(r, 'kernel', 'p99_us'), ratio])
    return head, body


def extra_lines(doc):
    """The raw-limit, fraction, 50 %-load and failure lines under the table."""
    out = []
    raw = doc.get('raw')
    if raw is None:
        out.append('raw memif limit: not run')
    elif raw.get('pps'):
        out.append('raw memif limit (dpdk-testpmd txonly -> rxonly, 64 B, one core each): '
                   '%s packets/s (best of %d one-second samples; median %s, lowest %s)'
                   % (si(raw['pps']), raw['samples'], si(raw['median']), si(raw['min'])))
        if doc['meta'].get('busy_raw', '').strip():
            out.append('warning: during the raw run other processes used the CPUs: %s'
                       % doc['meta']['busy_raw'].strip())
    else:
        out.append('raw memif limit: %s' % raw['status'])
    for w, f in doc['derived'].get('rr_fraction_of_raw_pps', {}).items():
        r = next(x for x in doc['rows'] if x['workload'] == w)
        out.append('polltcp %s as fraction of raw pps (2 packets per transaction): %.1f %%'
                   % (r['label'], 100 * f))
    p = doc['derived'].get('p99_at_half_peak')
    if p:
        out.append('p99 at 50%% of polltcp\'s peak rr 64 B x64 (%s tx/s offered): polltcp %s us, '
                   'kernel %s us' % (p.get('offered_tx_s'), p['polltcp'], p['kernel']))
    m = doc['meta']
    hold = next((r for r in doc['rows'] if r['mode'] == 'hold'), None)
    if m.get('hold_huge_peak_mib') and hold:
        peak = int(m['hold_huge_peak_mib'])
        out.append('%s polltcp: peak hugepage use of polltcp-echo and polltcp-load together '
                   '%d MiB, %d B per connection (preallocated tables included)'
                   % (hold['label'], peak, peak * 1048576 // max(hold['conns'], 1)))
    if m.get('hold_kernel_slab_peak_kib') and hold:
        kib = int(m['hold_kernel_slab_peak_kib'])
        out.append('%s kernel: kernel slab grew by %d MiB at the peak, %d B per connection '
                   '(both ends of each connection are in this kernel; the kernel column\'s '
                   'B/conn is the client process\'s own figure)'
                   % (hold['label'], kib // 1024, kib * 1024 // max(hold['conns'], 1)))
    busy = [(k, m.get('busy_' + k, '').strip()) for k in ('start', 'end')]
    if any(b for _, b in busy):
        out.append('warning: other processes were using the CPUs (they take from every figure): '
                   + '; '.join('at the %s: %s' % (k, b or 'none') for k, b in busy)
                   + ' (load average %s -> %s)' % (m.get('load_start', '?'), m.get('load_end', '?')))
    for todo in doc['todo']:
        out.append('TODO: ' + todo)
    skipped = {}
    for r in doc['rows']:
        for s in STACKS:
            ent = r.get(s)
            if ent and ent['status'].startswith('skipped'):
                skipped.setdefault(ent['status'], []).append('%s %s' % (r['label'], s))
            elif ent and ent['status'] != 'ok':
                out.append('%s %s: %s (log: %s)' % (r['label'], s, ent['status'], ent['log']))
    for why, which in skipped.items():
        out.append('%s: %s' % (why, ', '.join(which) if len(which) < 5
                               else '%d runs' % len(which)))
    return out


def text_table(head, body):
    w = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    fmt = '  '.join('%-' + str(n) + 's' for n in w)
    lines = [fmt % tuple(head), '  '.join('-' * n for n in w)]
    lines += [fmt % tuple(r) for r in body]
    return '\n'.join(x.rstrip() for x in lines)


def md_table(head, body):
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '|'.join(' --- ' for _ in head) + '|']
    lines += ['| ' + ' | '.join(str(c) for c in r) + ' |' for r in body]
    return '\n'.join(lines)


def targets_md(doc):
    lines = ['| target | measured | met |', '| --- | --- | --- |']
    for t in doc['derived']['targets']:
        met = 'not measured' if t['met'] is None else ('yes' if t['met'] else 'no')
        lines.append('| %s | %s | %s |' % (t['target'], t['measured'] or '-', met))
    return '\n'.join(lines)


# ---- Plots (gnuplot) ---------------------------------------------------------------------

def write_plots(doc, out_dir):
    """bars.png (primary figure per workload, log scale) and latency.png (rr p50/p99).
    Returns the PNG paths written (none without gnuplot or data)."""
    gp = shutil.which('gnuplot')
    if gp is None:
        return []

    def num(v):
        return 'NaN' if not v else repr(float(v))
    bars = os.path.join(out_dir, 'bars.dat')
    rows = 0
    with open(bars, 'w') as f:
        f.write('# label polltcp kernel\n')
        for r in doc['rows']:
            p, k = ok_value(r, 'polltcp'), ok_value(r, 'kernel')
            if p or k:
                f.write('"%s (%s)" %s %s\n' % (r['label'], r['metric'], num(p), num(k)))
                rows += 1
    lat = os.path.join(out_dir, 'latency.dat')
    lrows = 0
    with open(lat, 'w') as f:
        f.write('# label polltcp_p50 polltcp_p99 kernel_p50 kernel_p99\n')
        for r in doc['rows']:
            if r['mode'] not in ('rr', 'crr'):
                continue
            v = [ok_value(r, s, x) for s in STACKS for x in ('p50_us', 'p99_us')]
            if any(v):
                f.write('"%s" %s\n' % (r['label'], ' '.join(num(x) for x in v)))
                lrows += 1
    common = ('set terminal pngcairo size 1000,520 font "sans,10"\n'
              'set style data histograms\nset style histogram clustered gap 1\n'
              'set style fill solid 0.85 border -1\nset boxwidth 0.9\nset logscale y\n'
              'set grid ytics\nset xtics rotate by -25 scale 0\nset key below horizontal\n'
              'set datafile missing "NaN"\n')
    title = 'polltcp vs Linux, %s' % doc['meta'].get('date', '')
    scripts = []
    if rows:
        scripts.append(('bars', common +
                        'set output "%s"\nset title "%s: each workload\'s figure (log scale)"\n'
                        'set ylabel "tx/s, Gbit/s, conn/s or connections"\n'
                        'plot "%s" using 2:xtic(1) title "polltcp (memif)" lc rgb "#1f77b4", '
                        '"" using 3 title "kernel (loopback)" lc rgb "#ff7f0e"\n'
                        % (os.path.join(out_dir, 'bars.png'), title, bars)))
    if lrows:
        scripts.append(('latency', common +
                        'set output "%s"\nset title "%s: latency per transaction (log scale)"\n'
                        'set ylabel "microseconds"\n'
                        'plot "%s" using 2:xtic(1) title "polltcp p50" lc rgb "#aec7e8", '
                        '"" using 3 title "polltcp p99" lc rgb "#1f77b4", '
                        '"" using 4 title "kernel p50" lc rgb "#ffbb78", '
                        '"" using 5 title "kernel p99" lc rgb "#ff7f0e"\n'
                        % (os.path.join(out_dir, 'latency.png'), title, lat)))
    written = []
    for name, text in scripts:
        path = os.path.join(out_dir, name + '.gp')
        with open(path, 'w') as f:
            f.write(text)
        r = subprocess.run([gp, path], capture_output=True, text=True, timeout=60)
        png = os.path.join(out_dir, name + '.png')
        if r.returncode == 0 and os.path.exists(png):
            written.append(png)
        else:
            print('bench: gnuplot %s failed: %s' % (name, r.stderr.strip()[:300]), file=sys.stderr)
    return written


# ---- docs/benchmarks.md --------------------------------------------------------------------

PREFACE = """\
# Benchmarks

This page is generated by `bash scripts/bench.sh` (from `scripts/bench_report.py`);
edit those, not this file. The figures below are from the run stated under
[This run](#this-run): one run, one machine, all three setups measured in it.

## What is measured

Three setups on the same two CPUs: the server on CPU 0, the client on CPU 1.

- **raw**: the packet rate of the link itself. Two `dpdk-testpmd` processes
  over one memif link (`role=server` / `role=client`, the same socket), one
  in `txonly` with 64-byte packets, the other in `rxonly`; the figure is the
  receiver's `Rx-pps`, the best one-second sample (anything else on the
  CPUs only lowers a sample; the median is printed beside it). One-way
  `txonly -> rxonly` is the most a core can send and the other receive
  through memif: `io` or `macswap` forwarding back to a `txonly` peer would
  measure dropped transmissions (txonly never reads, so the return ring stays
  full), and the per-packet work of each core (one copy into or out of the
  shared ring) is what an echo server's core also does per packet.
- **polltcp**: `polltcp-load` <-> memif <-> `polltcp-echo`, each a DPDK
  process with one lcore (`-l 0` server, `-l 1` client), its own
  `--file-prefix` and hugepage directory.
- **kernel**: `polltcp-load --backend kernel` <-> loopback <-> `kernel-echo`
  (epoll, `SO_REUSEPORT`, `TCP_NODELAY`), inside a private network namespace,
  `kernel-echo --threads 1 --cpus 0` and the client under `taskset -c 1`.
  The same client logic as polltcp's, with Linux sockets underneath.

Columns: the workload's figure (transactions/s for `rr`, Gbit/s each way for
`stream`, connections/s for `crr`, connections held and memory per
connection for `hold`), the latency percentiles `polltcp-load` reports for
it (per transaction for `rr`, per connect-request-response-close for `crr`),
and polltcp's figure divided by the kernel's.

- `rr S xN`: N connections, each sends S bytes and waits for the S-byte
  echo; `pN`: N requests in flight per connection.
- `stream`: bulk echo, every byte verified.
- `crr`: connect, one request and response, close, by 64 workers.
- `hold N`: N idle established connections (`--hold N`; spread over
  source addresses with `--ip-count`: polltcp has 16384 ephemeral ports per
  address, the kernel client 64511 in the namespace's
  `ip_local_port_range`). Hugepages for it: 1 GiB plus 5 KiB per
  connection (`--hold-bytes`), 5.9 GiB for 1M, of which hold 1M used
  4994 MiB at its peak: polltcp-echo's `--max-conns N` preallocates about
  1.9 KiB per slot (measured 1964 MiB at 1,001,024), most of it TIME-WAIT
  records and their table (8 x `--max-conns`), and polltcp-load somewhat
  more. The report states the peak and the bytes per connection it means,
  next to the B/conn figure polltcp-load prints (memory in use per idle
  connection). 10M would need about 50 GiB and is refused under the 8 GiB
  cap until the tables shrink (issue 8, item 3). The kernel's hold keeps
  both ends in one kernel (the report gives the kernel's slab growth per
  connection) and needs N + 4096 open files per process: where the hard
  `RLIMIT_NOFILE` cannot be raised (20000 on this machine), its row is
  skipped above about 15,000 connections.

"Fraction of raw pps" is `2 x transactions/s / raw packets/s`: one rr
transaction is two packets on the link, one each way.

**This machine has two cores**, so every setup has the server and the
client share them with nothing spare: a DPDK lcore polls its core at 100 %
whether or not there is work, and anything else running on the machine
(builds, other tests) takes from the figures. Compare figures within one
run, not across runs. On a host with more cores, give each side more
lcores (`--server-lcores`, `--client-lcores`, see [real-nic.md](real-nic.md)).

## Reproduce

    bash scripts/bench.sh                       # everything, ~5 min with the default 10 s
    bash scripts/bench.sh --quick               # 2 s runs, hold 10000: checks the setup
    bash scripts/bench.sh --only raw,rr64x64    # some rows (names as in the JSON)
    bash scripts/bench.sh --hold 10000000       # hold 10M (hugepages permitting)

It needs root (hugepages, network namespaces) and installs what is missing
(`scripts/deps.sh`). It builds `build-bench/` (`--buildtype=release`, -O3),
mounts hugetlbfs on a private temporary directory, adds the 2 MiB pages it
needs to `nr_hugepages` (never beyond 8 GiB in all), and on every exit
(also Ctrl-C) stops the processes it started, by PID, removes its hugepage
files, unmounts, gives the pages back and deletes its namespace. Results go
to `bench/<timestamp>/` (`--out DIR`): `results.json`, `table.txt`, the
plots and every log. A full run (not `--quick`, not `--only`) rewrites this
page and `docs/img/bench-*.png`.
"""


def write_docs(doc, md_path, pngs):
    docs_dir = os.path.dirname(os.path.abspath(md_path))
    img_dir = os.path.join(docs_dir, 'img')
    os.makedirs(img_dir, exist_ok=True)
    imgs = []
    for png in pngs:
        dst = os.path.join(img_dir, 'bench-' + os.path.basename(png))
        shutil.copyfile(png, dst)
        imgs.append(os.path.relpath(dst, docs_dir))
    m = doc['meta']
    head, body = table_rows(doc)
    parts = [PREFACE, '## This run\n']
    parts.append('| | |\n| --- | --- |\n' + '\n'.join(
        '| %s | %s |' % (k, m.get(v, '-')) for k, v in (
            ('date (UTC)', 'date'), ('command', 'command'), ('commit', 'commit'),
            ('CPU', 'cpu'), ('cores', 'cores'), ('memory', 'memory'), ('kernel', 'kernel'),
            ('DPDK', 'dpdk'), ('binaries', 'binaries'), ('duration per run', 'duration'),
            ('server / client', 'cores_used'))))
    parts.append('\n' + md_table(head, body) + '\n')
    parts.append('\n'.join('- ' + x for x in extra_lines(doc)) + '\n')
    for rel in imgs:
        parts.append('![%s](%s)\n' % (os.path.basename(rel), rel))
    parts.append('## Against the targets of issue 8\n\n' + targets_md(doc) + '\n')
    with open(md_path, 'w') as f:
        f.write('\n'.join(parts))


def report(run_dir, docs=None, plots=True, quiet=False):
    doc = collect(run_dir)
    head, body = table_rows(doc)
    text = text_table(head, body) + '\n\n' + '\n'.join(extra_lines(doc)) + '\n'
    with open(os.path.join(run_dir, 'table.txt'), 'w') as f:
        f.write(text)
    with open(os.path.join(run_dir, 'results.json'), 'w') as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write('\n')
    pngs = write_plots(doc, run_dir) if plots else []
    if docs:
        write_docs(doc, docs, pngs)
    if not quiet:
        print(text, end='')
    return doc, text


# ---- Profile summary (perf report --sort dso,srcfile) -----------------------------------------

# Where a sample's source file says the cycles went. Order matters: first match wins.
PERF_GROUPS = [
    ('memif PMD: rx/tx burst, copies to and from the shared ring', ('librte_net_memif',), ()),
    ('clock: rdtsc (rte_rdtsc)', (), ('rte_cycles.h',)),
    ('clock: TSC to microseconds (port_tsc_to_us, 64-bit divisions)', (), ('port_private.h',)),
    ('poll loop: lcore.c iterate, rte_eth_rx/tx_burst wrappers', (), ('lcore.c', 'rte_ethdev.h')),
    ('software checksums (IPv4 header, TCP)', (), ('rte_ip.h', 'cksum.c')),
    ('TCP input, output, timers, connection table', (), ('tcp_',)),
    ('flow lookup: rte_hash and its key compare (memcmp)', ('librte_hash',), ('memcmp',)),
    ('API and the echo application (ptcp_recv/ptcp_send, send space)', (),
     ('api.c', 'stack.c', 'main.c', 'echo')),
    ('copies (libc memmove/memcpy)', (), ('memmove', 'memcpy')),
    ('mbufs: mempool, ring, mbuf helpers', (), ('rte_mbuf', 'rte_mempool', 'rte_ring')),
    ('Ethernet, ARP, IPv4, wire parsing, TX batch', (),
     ('eth.c', 'arp.c', 'ipv4.c', 'icmp.c', 'wire_', 'core.c', 'ptcp_core.h', 'batch')),
    ('kernel (timer interrupts, page faults)', ('kernel',), ()),
]


def perf_groups(text):
    """perf report --sort dso,srcfile --stdio -g none output -> [(group, percent)], biggest first."""
    tot = {}
    for line in text.splitlines():
        m = re.match(r'\s*([\d.]+)%\s+(\S+)\s*(\S*)', line)
        if not m or line.lstrip().startswith('#'):
            continue
        pct, dso, src = float(m.group(1)), m.group(2), m.group(3)
        name = 'other'
        for g, dsos, srcs in PERF_GROUPS:
            if any(d in dso for d in dsos) or (src and any(x in src for x in srcs)):
                name = g
                break
        tot[name] = tot.get(name, 0.0) + pct
    return sorted(tot.items(), key=lambda kv: -kv[1])


def perf_summary(text, cycles_per_tx=None):
    """Markdown table of perf_groups, with each group's share of cycles_per_tx."""
    rows = perf_groups(text)
    head = '| where | share of samples |' + (' cycles per transaction |' if cycles_per_tx else '')
    out = [head, '|' + ' --- |' * (3 if cycles_per_tx else 2)]
    for g, pct in rows:
        line = '| %s | %.1f %% |' % (g, pct)
        if cycles_per_tx:
            line += ' %d |' % round(cycles_per_tx * pct / 100)
        out.append(line)
    return '\n'.join(out)


# ---- Self-test on canned logs ---------------------------------------------------------------

def selftest():
    """Parse the canned run in tests/bench/canned and check every figure that comes out."""
    here = os.path.dirname(os.path.abspath(__file__))
    canned = os.path.join(here, '..', 'tests', 'bench', 'canned')
    passed = failed = 0

    def check(name, cond, detail=''):
        nonlocal passed, failed
        if cond:
            passed += 1
            print('ok %s' % name)
        else:
            failed += 1
            print('FAIL %s %s' % (name, detail))

    r = parse_result('x\nresult: mode rr conns 64 tx/s 812345 gbit/s 0.83 conn/s 0 p50_us 71 '
                     'p99_us 140.5 p999_us 260 errors 0\ny\n')
    check('parse_result fields', r == {'mode': 'rr', 'conns': 64, 'tx/s': 812345,
                                       'gbit/s': 0.83, 'conn/s': 0, 'p50_us': 71,
                                       'p99_us': 140.5, 'p999_us': 260, 'errors': 0}, r)
    check('parse_result none', parse_result('no summary here\n') is None)
    tp = parse_testpmd('Rx-pps: 0\nRx-pps: 100\nRx-pps: 900\nRx-pps: 1000\nRx-pps: 1100\n'
                       'Rx-pps: 50\nRx-pps: 0\n')
    check('testpmd drops ramp and stop, best second', tp == {
        'pps': 1100, 'median': 1000, 'min': 900, 'max': 1100, 'samples': 3}, tp)
    check('testpmd no packets', parse_testpmd('Rx-pps: 0\nRx-pps: 0\n') is None)
    check('label', label('rr', 64, 1024, 16) == 'rr 1 KiB x64 p16' and
          label('hold', 1000000, 0, 1) == 'hold 1 M', label('rr', 64, 1024, 16))
    with tempfile.TemporaryDirectory() as tmp:
        run = os.path.join(tmp, 'run')
        shutil.copytree(canned, run)
        docs = os.path.join(tmp, 'docs', 'benchmarks.md')
        os.makedirs(os.path.dirname(docs))
        doc, text = report(run, docs=docs, quiet=True)
        byw = {x['workload']: x for x in doc['rows']}
        check('raw pps', doc['raw'] and doc['raw'].get('pps') == 9_100_000 and
              doc['raw'].get('median') == 9_000_000, doc['raw'])
        check('rows in order', [x['workload'] for x in doc['rows']] ==
              ['rr64x1', 'rr64x64', 'stream', 'crr', 'hold'], list(byw))
        check('rr ratio', abs(byw['rr64x64']['ratio'] - 900000 / 90000) < 1e-9,
              byw['rr64x64'].get('ratio'))
        check('stream uses gbit/s', byw['stream']['polltcp']['value'] == 9.5)
        check('failed run has no value', 'value' not in byw['crr']['kernel'] and
              byw['crr']['kernel']['status'].startswith('failed'), byw['crr']['kernel'])
        check('no ratio without both', 'ratio' not in byw['crr'])
        check('hold mem', byw['hold']['polltcp']['result']['mem_per_conn_bytes'] == 420)
        frac = doc['derived']['rr_fraction_of_raw_pps']
        check('fraction of raw', abs(frac['rr64x64'] - 2 * 900000 / 9.1e6) < 1e-9, frac)
        check('rate50 todo', any('rate' in t for t in doc['todo']), doc['todo'])
        tg = {t['target']: t['met'] for t in doc['derived']['targets']}
        check('target 10x met', tg['rr 64 B x64: polltcp >= 10x kernel tx/s'] is True, tg)
        check('target crr not measured', tg['crr: polltcp >= 5x kernel conn/s'] is None, tg)
        check('target latency x1', tg['rr 64 B x1: lower p50 and p99 than kernel'] is True, tg)
        check('server memory target not claimed from the client figure',
              tg['hold: <= 512 B of server memory per idle connection'] is None, tg)
        check('table text', 'rr 64 B x64' in text and '10.00x' in text and
              'TODO' in text and 'failed' in text, text)
        with open(os.path.join(run, 'results.json')) as f:
            j = json.load(f)
        check('json round trip', j['rows'][1]['polltcp']['result']['tx/s'] == 900000)
        with open(docs) as f:
            md = f.read()
        check('docs table', '| rr 64 B x64 | 900 k tx/s |' in md and '## This run' in md and
              'bench.sh --quick' in md, md[-800:])
        if shutil.which('gnuplot'):
            check('plots', os.path.exists(os.path.join(run, 'bars.png')) and
                  os.path.exists(os.path.join(run, 'latency.png')) and
                  os.path.exists(os.path.join(tmp, 'docs', 'img', 'bench-bars.png')))
    print('bench_selftest: %d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


def main(argv):
    if '--selftest' in argv:
        return selftest()
    if argv[:1] == ['--perf-summary'] and len(argv) in (2, 3):
        with open(argv[1], encoding='utf-8', errors='replace') as f:
            print(perf_summary(f.read(), float(argv[2]) if len(argv) == 3 else None))
        return 0
    docs = None
    plots = True
    run_dir = None
    it = iter(argv)
    for a in it:
        if a == '--docs':
            docs = next(it, None)
        elif a == '--no-plots':
            plots = False
        elif a.startswith('-'):
            print('bench_report: unknown option %s' % a, file=sys.stderr)
            return 2
        else:
            run_dir = a
    if not run_dir or not os.path.isdir(run_dir):
        print('usage: bench_report.py RUN_DIR [--docs FILE] [--no-plots] | --selftest',
              file=sys.stderr)
        return 2
    report(run_dir, docs=docs, plots=plots)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
