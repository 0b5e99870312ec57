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

followed by "detail:" lines ("detail: rate offered_tx_s R issued_tx_s I late L
behind B max_lag_us M" for a --rate run, "detail: hold ... open_s T ..."),
polltcp-echo's start-up line "memory: per lcore N connections x B B (...)"
gives its preallocated bytes per connection slot, and dpdk-testpmd's
periodic port statistics give "Rx-pps: N" once a second.

The large hold run (bash scripts/bench.sh --only hold --hold 10000000 --docs)
updates only its own section of docs/benchmarks.md (--docs-hold FILE: the
block between the "hold-large" markers, its figures kept as JSON in the
opening marker, and the two hold rows of the targets table); a full run
keeps that section as it is and counts it towards the hold targets.
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
WORKLOADS = ['rr64x1', 'rr64x64', 'rr64x64r50', 'rr1kx1', 'rr1kx64', 'rr64x64p16', 'stream',
             'crr', 'hold']
RATE50 = 'rr64x64r50'     # rr 64 B x64 offered half of polltcp's rr64x64 rate (--rate)
STACKS = ['polltcp', 'kernel']
# Primary figure of each mode: (field of the result line, unit shown, JSON key).
METRIC = {
    'rr': ('tx/s', 'tx/s'),
    'stream': ('gbit/s', 'Gbit/s'),
    'crr': ('conn/s', 'conn/s'),
    'hold': ('conns_held', 'conns'),
}
RESULT_RE = re.compile(r'^result:\s+(.*)$', re.M)
RATE_RE = re.compile(r'^detail: rate (.*?)(?: \(.*)?$', re.M)
HOLD_RE = re.compile(r'^detail: hold (.*?)(?: \(.*)?$', re.M)
SRV_MEM_RE = re.compile(r'^memory: per lcore (\d+) connections x (\d+) B', re.M)
ECHO_RE = re.compile(r'^echo: accepted (\d+) closed (\d+) reset (\d+)', re.M)
ARP_MISS_RE = re.compile(r'^\s+ARP_MISS (\d+)$', re.M)
ADDRS_RE = re.compile(r'^ready to connect .* (\d+) address(?:es)?,', re.M)
HOLD_BEGIN = '<!-- hold-large: '
HOLD_END = '<!-- hold-large end -->'
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
    return parse_kv(text, RESULT_RE)


def parse_kv(text, regex):
    """'k v k v ...' of the last line regex matches, numbers as numbers; None if none."""
    m = None
    for m in regex.finditer(text):
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


def rate_missed(rate):
    """Why a --rate run did not offer its rate (None if it did): the schedule fell
    behind (requests still due at the end) or fewer were issued than offered."""
    if not rate:
        return None
    off, iss = rate.get('offered_tx_s') or 0, rate.get('issued_tx_s') or 0
    if rate.get('behind', 0) > 0.01 * off or iss < 0.99 * off:
        return 'issued %s of %s tx/s offered, %s requests still due at the end' % (
            si(iss), si(off), si(rate.get('behind', 0)))
    return None


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


def collect(run_dir, hold_large=None):
    """Everything the run measured, as the JSON document (hold_large: the large-hold
    section's figures, counted towards the hold targets)."""
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
    doc = {'meta': meta, 'raw': None, 'rows': [], 'derived': {}, 'todo': [],
           'hold_large': hold_large}
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
        if res is not None:
            for key, regex in (('rate', RATE_RE), ('hold', HOLD_RE)):
                kv = parse_kv(text, regex)
                if kv:
                    res[key] = kv
        status = r['status']
        if status == 'ok' and res is None:
            status = 'failed: no result line'
        ent = {'status': status, 'log': r['client_log'], 'server_log': r['server_log']}
        if res is not None:
            ent['result'] = res
        if r['mode'] == 'hold' and r['stack'] == 'polltcp':
            stext = read_text(run_dir, r['server_log'])
            sm = SRV_MEM_RE.search(stext)
            if sm:
                ent['server_mem'] = {'slots': int(sm.group(1)),
                                     'bytes_per_conn': int(sm.group(2))}
            em, am = ECHO_RE.search(stext), ADDRS_RE.search(text)
            if em:
                ent['server_accepted'], ent['server_reset'] = int(em.group(1)), int(em.group(3))
            # The server's counters come first in its log (its port, then its stack).
            misses = ARP_MISS_RE.findall(stext)
            if misses:
                ent['server_arp_miss'] = int(misses[-1])
            if am:
                ent['client_addresses'] = int(am.group(1))
        key = r['workload']
        if key not in rows:
            mode, conns = r['mode'], int(r['conns'])
            size, pipe = int(r['size']), int(r['pipeline'])
            rows[key] = {'workload': key, 'label': label(mode, conns, size, pipe), 'mode': mode,
                         'conns': conns, 'size': size, 'pipeline': pipe,
                         'metric': METRIC.get(mode, ('tx/s', 'tx/s'))[1]}
            if key == RATE50:
                rows[key]['label'] += ' at 50 %'
                rows[key]['offered_tx_s'] = int(meta.get('rate50_offered', 0)) or None
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
        # (Not for the paced row: both were offered the same rate.)
        if vals.get('polltcp') and vals.get('kernel') and key != RATE50:
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
    r50 = byw.get(RATE50)
    if r50 and all(ok_value(r50, s, 'p99_us') is not None for s in STACKS):
        p = {'offered_tx_s': r50.get('offered_tx_s'), 'missed': {}}
        for s in STACKS:
            p[s] = ok_value(r50, s, 'p99_us')
            p[s + '_pct'] = {f: ok_value(r50, s, f) for f in ('p50_us', 'p99_us', 'p999_us')}
            p[s + '_tx_s'] = ok_value(r50, s, 'tx/s')
            p['missed'][s] = rate_missed(ok_value(r50, s, 'rate'))
        d['p99_at_half_peak'] = p
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
    hold_targets(doc, byw.get('hold'), target)
    p = d.get('p99_at_half_peak')
    detail = None
    if p:
        detail = '%s tx/s offered to both: p99 polltcp %s us, kernel %s us' % (
            si(p['offered_tx_s']), p['polltcp'], p['kernel'])
        for s in STACKS:
            if p['missed'][s]:
                detail += '; %s missed the offered rate (%s: its latency, counted from each ' \
                    'request\'s due time, includes the queue that built up)' % (s, p['missed'][s])
    elif r50:
        why = [r50[s]['status'] for s in STACKS if r50.get(s) and r50[s]['status'] != 'ok']
        detail = '; '.join(why) or None
    target("p99 at 50% of polltcp's peak rr below the kernel's p99", None if not p
           else p['polltcp'] < p['kernel'], detail)
    d['targets'] = t


def hold_targets(doc, hold, target):
    """The two hold targets, from this run's hold row or the large-hold section
    (doc['hold_large'], kept in docs/benchmarks.md), whichever held more."""
    cands = []
    if hold and ok_value(hold, 'polltcp', 'conns_held') is not None:
        ent = hold['polltcp']
        cands.append({'held': ent['result']['conns_held'], 'conns': hold['conns'],
                      'server_bytes': (ent.get('server_mem') or {}).get('bytes_per_conn'),
                      'client_bytes': ent['result'].get('mem_per_conn_bytes'),
                      'peak_mib': doc['meta'].get('hold_huge_peak_mib'), 'where': 'this run'})
    hl = doc.get('hold_large')
    if hl and hl.get('held') is not None:
        cands.append(dict(hl, where='hold-large section, %s' % hl.get('date', '?')))
    if not cands:
        target('hold: 10,000,000 connections to one polltcp-echo', None, None)
        target('hold: <= 512 B of server memory per idle connection', None, None)
        return
    c = max(cands, key=lambda x: x['held'])
    target('hold: 10,000,000 connections to one polltcp-echo', c['held'] >= 10_000_000,
           '%d held of %d (%s)' % (c['held'], c['conns'], c['where']))
    detail = None
    if c.get('server_bytes'):
        detail = ('polltcp-echo %d B per connection (its own figure: the connection, its free '
                  'list entry and hash table share, preallocated per --max-conns slot), %s held'
                  % (c['server_bytes'], si(c['held'])))
        if c.get('peak_mib') and c['held']:
            detail += '; hugepages of server + client at the peak %d B per connection' % (
                int(c['peak_mib']) * 1048576 // c['held'])
        if c.get('client_bytes'):
            detail += '; client %d B' % c['client_bytes']
        detail += ' (%s)' % c['where']
    target('hold: <= 512 B of server memory per idle connection',
           None if not c.get('server_bytes') else c['server_bytes'] <= 512, detail)


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
        if rate_missed(ent['result'].get('rate')):
            s += ' of %s offered (missed)' % si(ent['result']['rate'].get('offered_tx_s'))
    errs = ent['result'].get('errors')
    if errs:
        s += ' (%d err)' % errs
    return s


def cell_lat(row, stack, field):
    v = ok_value(row, stack, field)
    if v is None or (v == 0 and row['mode'] in ('hold', 'stream')):
        return '-'
    return '%d' % v if v >= 1e5 else '%g' % v


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
        def pct(s):
            v = p[s + '_pct']
            return 'p50 %s / p99 %s / p999 %s us' % (v['p50_us'], v['p99_us'], v['p999_us'])
        line = ('rr 64 B x64 at 50 %% of polltcp\'s peak (%s tx/s offered to both, open loop): '
                'polltcp %s tx/s, %s; kernel %s tx/s, %s' % (
                    si(p['offered_tx_s']), si(p['polltcp_tx_s']), pct('polltcp'),
                    si(p['kernel_tx_s']), pct('kernel')))
        for s in STACKS:
            if p['missed'][s]:
                line += '; %s missed the offered rate: %s' % (s, p['missed'][s])
        out.append(line)
    m = doc['meta']
    hold = next((r for r in doc['rows'] if r['mode'] == 'hold'), None)
    sm = (hold or {}).get('polltcp', {}).get('server_mem')
    if sm:
        out.append('%s polltcp: polltcp-echo preallocates %d B per connection (%s slots, '
                   'from its start-up line)' % (hold['label'], sm['bytes_per_conn'],
                                                si(sm['slots'])))
    ho = ok_value(hold, 'polltcp', 'hold') if hold else None
    if ho and ho.get('open_s'):
        out.append('%s polltcp: all connections open in %.1f s (%s conn/s)'
                   % (hold['label'], ho['open_s'], si(ok_value(hold, 'polltcp', 'conn/s'))))
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
- `rr 64 B x64 at 50 %`: both stacks offered the same rate, half of
  polltcp's `rr 64 B x64` figure of the same run, open loop
  (`polltcp-load --rate`): requests fall due on a fixed schedule spread
  evenly over the 64 connections, at most one outstanding per connection,
  and each latency counts from the time its request was due, so a request
  sent late (server or client behind) carries its lateness. Where a stack
  cannot reach the offered rate the cell says "missed": its requests queue
  up and its latency grows with the length of the run, which is what a
  client offering that load would see.
- `stream`: bulk echo, every byte verified.
- `crr`: connect, one request and response, close, by 64 workers.
- `hold N`: N idle established connections (`--hold N`; spread over
  source addresses with `--ip-count`: polltcp has 16384 ephemeral ports per
  address, the kernel client 64511 in the namespace's
  `ip_local_port_range`; polltcp's client gets an eighth more addresses
  than the ports strictly need). Hugepages for it: 1 GiB plus 1 KiB per
  connection (`--hold-bytes`), 2 GiB for 1M, 10.8 GiB for 10M:
  polltcp-echo's `--max-conns N` preallocates 378 B per slot (the
  connection, its free-list entry and its hash table share; TIME-WAIT
  records are capped at 262144), polltcp-load about as much for its own
  stack, and hold 1M peaked at 952 MiB for the two together (998 B per
  connection with the fixed pools). The report states polltcp-echo's own
  per-connection figure (from its start-up line), the peak and the bytes
  per connection it means, and the B/conn figure polltcp-load prints
  (its memory in use per idle connection). Above the 8 GiB cap kept for
  the machine's other users a hold run may reserve up to 13 GiB
  (`BENCH_HOLD_HUGE_MAX_MB`), only when no other hugepages are reserved
  and never leaving less than 8 GiB of RAM available. The large hold
  (`--only hold --hold 10000000 --docs`) is its own run and updates only
  its section at the end of this page. The kernel's hold keeps
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
    bash scripts/bench.sh --only hold --hold 10000000 --docs   # hold 10M, its own section
    bash scripts/bench_options.sh --instructions   # what TCP options cost rr, stack alone (below)

It needs root (hugepages, network namespaces) and installs what is missing
(`scripts/deps.sh`). It builds `build-bench/` (`--buildtype=release`, -O3),
mounts hugetlbfs on a private temporary directory, adds the 2 MiB pages it
needs to `nr_hugepages` (never beyond 8 GiB in all; a hold run up to
13 GiB when it is alone, see above), and on every exit
(also Ctrl-C) stops the processes it started, by PID, removes its hugepage
files, unmounts, gives the pages back and deletes its namespace. Results go
to `bench/<timestamp>/` (`--out DIR`): `results.json`, `table.txt`, the
plots and every log. A full run (not `--quick`, not `--only`) rewrites this
page and `docs/img/bench-*.png`.
"""


def read_hold_large(md_path):
    """(figures, block text) of the large-hold section of md_path, or (None, None)."""
    try:
        with open(md_path, encoding='utf-8') as f:
            text = f.read()
    except OSError:
        return None, None
    a = text.find(HOLD_BEGIN)
    b = text.find(HOLD_END, a)
    if a < 0 or b < 0:
        return None, None
    line = text[a:text.index('\n', a)]
    try:
        figs = json.loads(line[len(HOLD_BEGIN):line.rindex(' -->')])
    except ValueError:
        figs = None
    return figs, text[a:b + len(HOLD_END)]


def hold_large_figures(doc):
    """This run's polltcp hold row as the large-hold section's figures (None if none)."""
    hold = next((r for r in doc['rows'] if r['mode'] == 'hold'), None)
    ent = (hold or {}).get('polltcp')
    if not ent:
        return None
    m = doc['meta']
    res = ent.get('result') or {}
    figs = {'date': m.get('date'), 'command': m.get('command'), 'commit': m.get('commit'),
            'conns': hold['conns'], 'status': ent['status'], 'errors': res.get('errors'),
            'held': res.get('conns_held') if ent['status'] == 'ok' else None,
            'open_s': (res.get('hold') or {}).get('open_s'), 'conn_s': res.get('conn/s'),
            'server_bytes': (ent.get('server_mem') or {}).get('bytes_per_conn'),
            'server_slots': (ent.get('server_mem') or {}).get('slots'),
            'client_bytes': res.get('mem_per_conn_bytes'),
            'peak_mib': int(m['hold_huge_peak_mib']) if m.get('hold_huge_peak_mib') else None,
            'hugepages': m.get('hugepages'), 'memory': m.get('memory'),
            'server_accepted': ent.get('server_accepted'), 'server_reset': ent.get('server_reset'),
            'server_arp_miss': ent.get('server_arp_miss'),
            'client_addresses': ent.get('client_addresses'),
            'busy': ' '.join(x for x in (m.get('busy_start', '').strip(),
                                         m.get('busy_end', '').strip()) if x) or None}
    return figs


def hold_large_md(f):
    """The large-hold section of docs/benchmarks.md for figures f."""
    def val(x, fmt='%s'):
        return '-' if x is None else fmt % x

    def count(x):
        return '-' if x is None else '{:,}'.format(x)
    held = f.get('held')
    rows = [('date (UTC)', val(f.get('date'))), ('command', val(f.get('command'))),
            ('commit', val(f.get('commit'))),
            ('status', '%s, %s errors' % (f.get('status'), val(f.get('errors')))),
            ('connections asked / held', '%s / %s' % (count(f.get('conns')), count(held))),
            ('time to open them all', '-' if not f.get('open_s') else '%.1f s (%s conn/s)'
             % (f['open_s'], si(f.get('conn_s')))),
            ('polltcp-echo memory per connection', '-' if not f.get('server_bytes') else
             '%d B (its start-up line: %s slots preallocated by --max-conns: the connection, '
             'its free-list entry and hash table share)' % (f['server_bytes'],
                                                            si(f.get('server_slots')))),
            ('hugepages in use at the peak, server + client', '-' if not (f.get('peak_mib') and held)
             else '%d MiB, %d B per connection' % (f['peak_mib'],
                                                   f['peak_mib'] * 1048576 // held)),
            ('polltcp-load per connection (RSS + mempools in use)', val(f.get('client_bytes'),
                                                                       '%d B')),
            ('client source addresses (--ip-count)', count(f.get('client_addresses'))),
            ('polltcp-echo: accepted / reset by the client at the end',
             '%s / %s' % (count(f.get('server_accepted')), count(f.get('server_reset')))),
            ('polltcp-echo ARP misses (a SYN-ACK waiting for the client address\'s MAC)',
             count(f.get('server_arp_miss'))),
            ('hugepages reserved by the run', val(f.get('hugepages'))),
            ('machine memory', val(f.get('memory')))]
    if f.get('busy'):
        rows.append(('other processes on the CPUs', f['busy']))
    return (HOLD_BEGIN + json.dumps(f, sort_keys=True) + ' -->\n'
            '## Hold %s: a run of its own\n\n'
            'Idle established connections to one polltcp-echo (one lcore) from one '
            'polltcp-load (one lcore) over memif, both DPDK processes on hugepages of this '
            'machine; updated by `bash scripts/bench.sh --only hold --hold N --docs`, kept '
            'as it is by the full run above.\n\n| | |\n| --- | --- |\n' % si(f.get('conns'), 0)
            + '\n'.join('| %s | %s |' % r for r in rows) + '\n' + HOLD_END)


def merge_hold_docs(doc, md_path):
    """--docs-hold: put this run's hold into md_path's large-hold section and the two
    hold rows of its targets table; every other line of the page stays."""
    figs = hold_large_figures(doc)
    if figs is None:
        print('bench_report: no polltcp hold run to put into %s' % md_path, file=sys.stderr)
        return False
    with open(md_path, encoding='utf-8') as f:
        text = f.read()
    _, old = read_hold_large(md_path)
    block = hold_large_md(figs)
    text = text.replace(old, block) if old else text.rstrip('\n') + '\n\n' + block + '\n'
    # The hold targets from the large hold, when it held any (a failed run leaves
    # the full run's rows as they are).
    t = []
    if figs.get('held') is not None:
        hold_targets({'meta': {}, 'hold_large': figs}, None,
                     lambda name, ok, detail: t.append((name, ok, detail)))
    lines = text.split('\n')
    for name, ok, detail in t:
        met = 'not measured' if ok is None else ('yes' if ok else 'no')
        for i, line in enumerate(lines):
            if line.startswith('| %s |' % name):
                lines[i] = '| %s | %s | %s |' % (name, detail or '-', met)
    with open(md_path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines))
    return True


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
    _, hold_block = read_hold_large(md_path)
    tail = page_tail(md_path)
    if hold_block:
        parts.append(hold_block + '\n')
    if tail:
        parts.append(tail)
    with open(md_path, 'w') as f:
        f.write('\n'.join(parts))


def page_tail(md_path):
    """What follows the large-hold section of md_path: sections other tools and
    people write (the options cost, loss recovery), kept by every run."""
    try:
        with open(md_path, encoding='utf-8') as f:
            text = f.read()
    except OSError:
        return ''
    b = text.find(HOLD_END)
    return text[b + len(HOLD_END):].strip('\n') + '\n' if b >= 0 else ''


def report(run_dir, docs=None, plots=True, quiet=False, docs_hold=None):
    doc = collect(run_dir, hold_large=read_hold_large(docs)[0] if docs else None)
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
    if docs_hold and not merge_hold_docs(doc, docs_hold):
        return None, text
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
              ['rr64x1', 'rr64x64', 'rr64x64r50', 'stream', 'crr', 'hold'], list(byw))
        check('rr ratio', abs(byw['rr64x64']['ratio'] - 900000 / 90000) < 1e-9,
              byw['rr64x64'].get('ratio'))
        check('stream uses gbit/s', byw['stream']['polltcp']['value'] == 9.5)
        check('failed run has no value', 'value' not in byw['crr']['kernel'] and
              byw['crr']['kernel']['status'].startswith('failed'), byw['crr']['kernel'])
        check('no ratio without both', 'ratio' not in byw['crr'])
        check('hold mem', byw['hold']['polltcp']['result']['mem_per_conn_bytes'] == 420)
        frac = doc['derived']['rr_fraction_of_raw_pps']
        check('fraction of raw', abs(frac['rr64x64'] - 2 * 900000 / 9.1e6) < 1e-9, frac)
        p = doc['derived']['p99_at_half_peak']
        check('rate50 figures', p['offered_tx_s'] == 450000 and p['polltcp'] == 40 and
              p['kernel'] == 1790000 and p['missed']['polltcp'] is None and
              'still due' in p['missed']['kernel'], p)
        check('rate50 no ratio, missed cell', 'ratio' not in byw['rr64x64r50'] and
              'missed' in cell_value(byw['rr64x64r50'], 'kernel') and
              'missed' not in cell_value(byw['rr64x64r50'], 'polltcp'))
        tg50 = [t for t in doc['derived']['targets'] if t['target'].startswith('p99 at 50%')][0]
        check('rate50 target says the kernel missed', tg50['met'] is True and
              'kernel missed the offered rate' in tg50['measured'], tg50)
        tg = {t['target']: t['met'] for t in doc['derived']['targets']}
        check('target 10x met', tg['rr 64 B x64: polltcp >= 10x kernel tx/s'] is True, tg)
        check('target crr not measured', tg['crr: polltcp >= 5x kernel conn/s'] is None, tg)
        check('target latency x1', tg['rr 64 B x1: lower p50 and p99 than kernel'] is True, tg)
        check('server memory target from the server\'s own figure',
              tg['hold: <= 512 B of server memory per idle connection'] is True and
              byw['hold']['polltcp']['server_mem'] == {'slots': 1001024, 'bytes_per_conn': 378},
              tg)
        check('hold 1M is not 10M', tg['hold: 10,000,000 connections to one polltcp-echo']
              is False, tg)
        check('table text', 'rr 64 B x64' in text and '10.00x' in text and
              'p99 40 / p999 88 us' in text and 'failed' in text, text)
        with open(os.path.join(run, 'results.json')) as f:
            j = json.load(f)
        check('json round trip', j['rows'][1]['polltcp']['result']['tx/s'] == 900000)
        with open(docs) as f:
            md = f.read()
        check('docs table', '| rr 64 B x64 | 900 k tx/s |' in md and '## This run' in md and
              'bench.sh --quick' in md, md[-800:])
        # A large hold of its own: only its section and the hold targets change.
        big = os.path.join(tmp, 'big')
        os.makedirs(os.path.join(big, 'logs'))
        with open(os.path.join(big, 'meta.env'), 'w') as f:
            f.write('date=2026-12-04 19:00 UTC\ncommand=bash scripts/bench.sh --only hold '
                    '--hold 10000000 --docs\ncommit=1111111\nhold_huge_peak_mib=8100\n')
        with open(os.path.join(big, 'runs.tsv'), 'w') as f:
            f.write('hold\tpolltcp\thold\t10000000\t0\t1\tok\tlogs/c.log\tlogs/s.log\n')
        with open(os.path.join(big, 'logs', 'c.log'), 'w') as f:
            f.write('result: mode hold conns 10000000 tx/s 0 gbit/s 0 conn/s 800000 p50_us 0 '
                    'p99_us 0 p999_us 0 errors 0 conns_held 10000000 mem_per_conn_bytes 400\n'
                    'detail: hold conns_held 10000000 open_s 12.500 rss_delta_bytes 1 (x)\n')
        with open(os.path.join(big, 'logs', 's.log'), 'w') as f:
            f.write('memory: per lcore 10001024 connections x 380 B (struct 320 B)\n')
        report(big, docs_hold=docs, plots=False, quiet=True)
        with open(docs) as f:
            md2 = f.read()
        check('merge keeps the table', '| rr 64 B x64 | 900 k tx/s |' in md2 and
              md2.count('## This run') == 1, md2[-600:])
        check('merge adds the section', HOLD_BEGIN in md2 and '10,000,000 / 10,000,000' in md2
              and '12.5 s (800 k conn/s)' in md2 and '380 B' in md2, md2[-1500:])
        check('merge updates the hold targets',
              '| hold: 10,000,000 connections to one polltcp-echo | 10000000 held of 10000000 '
              '(hold-large section, 2026-12-04 19:00 UTC) | yes |' in md2, md2[-2500:])
        with open(docs, 'a') as f:
            f.write('\n## Loss: written by another script\n\n| a | b |\n')
        report(run, docs=docs, plots=False, quiet=True)
        with open(docs) as f:
            md3 = f.read()
        check('a full run keeps what follows the hold section',
              md3.endswith('<!-- hold-large end -->\n\n## Loss: written by another script'
                           '\n\n| a | b |\n'), md3[-300:])
        check('a full run keeps the section and counts it',
              md3.count(HOLD_BEGIN) == 1 and '10,000,000 / 10,000,000' in md3 and
              '10000000 held of 10000000 (hold-large section' in md3, md3[-2500:])
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
    docs = docs_hold = None
    plots = True
    run_dir = None
    it = iter(argv)
    for a in it:
        if a == '--docs':
            docs = next(it, None)
        elif a == '--docs-hold':
            docs_hold = next(it, None)
        elif a == '--no-plots':
            plots = False
        elif a.startswith('-'):
            print('bench_report: unknown option %s' % a, file=sys.stderr)
            return 2
        else:
            run_dir = a
    if not run_dir or not os.path.isdir(run_dir):
        print('usage: bench_report.py RUN_DIR [--docs FILE | --docs-hold FILE] [--no-plots] | '
              '--selftest', file=sys.stderr)
        return 2
    doc, _ = report(run_dir, docs=docs, plots=plots, docs_hold=docs_hold)
    return 0 if doc is not None else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
