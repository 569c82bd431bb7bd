# SPDX-License-Identifier: GPL-2.0
"""Output formats: Graphviz DOT, Chrome trace JSON, SVG timeline, KTAP, text.

The renderers take the model and the results of analysis.py and return
strings (or, for the trace, a JSON-ready dict); they never read files.
"""

import math
from collections import Counter
import textwrap
from dataclasses import asdict, dataclass
from typing import Any, Optional
from xml.sax.saxutils import escape

from . import analysis, audit, model
from .model import Edge, Graph, Node, NODE_STATES, EDGE_KINDS, EDGE_STATES

NODE_COLORS = {
    'idle': 'white',
    'waiting': 'gold',
    'queued': 'lightblue',
    'probing': 'cyan',
    'deferred': 'orange',
    'failed': 'salmon',
    'bound': 'palegreen',
    'unbinding': 'plum',
    'dead': 'gray70',
}

KIND_COLORS = {
    'parent': 'gray40',
    'fwnode': 'blue',
    'devlink': 'darkgreen',
}

STATE_STYLES = {
    'blocking': 'bold',
    'satisfied': 'solid',
    'relaxed': 'dashed',
    'cycle-broken': 'dotted',
}

BLOCKING_COLOR = 'red'


def fmt_ms(ns: Optional[int]) -> str:
    return '-' if ns is None else '%.3f' % (ns / 1e6)


# ---------------------------------------------------------------------------
# DOT
# ---------------------------------------------------------------------------

@dataclass
class DotOptions:
    """What part of the graph to draw.

    focus: draw only what is reachable from this device.
    depth: how many edges away from focus (None: no limit).
    direction: 'up' (suppliers, parents), 'down' (consumers, children)
        or 'both'.
    show_all: keep idle devices that have no edges.
    """
    focus: Optional[str] = None
    depth: Optional[int] = None
    direction: str = 'both'
    show_all: bool = False


def _dot_id(name: str) -> str:
    text = name.replace('\\', '\\\\').replace('"', '\\"')
    return '"%s"' % text.replace('\n', '\\n')


def _dot_attrs(attrs: dict[str, str]) -> str:
    return '[%s]' % ', '.join('%s=%s' % (k, _dot_id(v))
                              for k, v in attrs.items())


def _all_names(graph: Graph) -> list[str]:
    names: dict[str, None] = {n.name: None for n in graph.nodes}
    for edge in graph.edges:
        names.setdefault(edge.supplier)
        names.setdefault(edge.consumer)
    return list(names)


def select(graph: Graph, options: DotOptions) -> tuple[list[str], list[Edge]]:
    """The vertices and edges to draw.  Raises UnknownDevice."""
    names = _all_names(graph)
    if options.focus is not None:
        if options.focus not in names:
            raise analysis.UnknownDevice(options.focus)
        keep = {options.focus}
        frontier = [options.focus]
        level = 0
        while frontier and (options.depth is None or level < options.depth):
            nxt = []
            for name in frontier:
                others = []
                if options.direction in ('up', 'both'):
                    others += [e.supplier for e in graph.suppliers_of(name)]
                if options.direction in ('down', 'both'):
                    others += [e.consumer for e in graph.consumers_of(name)]
                for other in others:
                    if other not in keep:
                        keep.add(other)
                        nxt.append(other)
            frontier = nxt
            level += 1
    elif options.show_all:
        keep = set(names)
    else:
        linked = {e.supplier for e in graph.edges} | \
                 {e.consumer for e in graph.edges}
        keep = set()
        for name in names:
            node = graph.node(name)
            if name in linked or node is None or node.state != 'idle':
                keep.add(name)
    vertices = [n for n in names if n in keep]
    edges = [e for e in graph.edges if e.supplier in keep and
             e.consumer in keep]
    return vertices, edges


def _node_label(node: Node) -> str:
    lines = [node.name]
    if node.driver:
        lines.append(node.driver)
    state = node.state
    if node.probe_ns is not None:
        state += ' %s ms' % fmt_ms(node.probe_ns)
    if node.state in ('failed',) or (node.state == 'idle' and node.ret):
        state += ' (%d)' % node.ret
    lines.append(state)
    return '\n'.join(lines)


def _cluster_id(key: str, ids: dict[str, str]) -> str:
    if key not in ids:
        safe = ''.join(c if c.isalnum() else '_' for c in key)
        ids[key] = 'cluster_%d_%s' % (len(ids), safe)
    return ids[key]


def render_dot(graph: Graph, options: Optional[DotOptions] = None) -> str:
    """The graph in Graphviz DOT, clustered by parent, with a legend."""
    opts = options or DotOptions()
    vertices, edges = select(graph, opts)
    out = ['digraph probe_graph {',
           '\tgraph [rankdir=LR, fontname="Helvetica", fontsize=11, '
           'label=%s, labelloc=t];' % _dot_id(
               'probe graph, mode=%s' % graph.mode),
           '\tnode [shape=box, style="rounded,filled", fontname="Helvetica",'
           ' fontsize=10];',
           '\tedge [fontname="Helvetica", fontsize=9];']

    def vertex_line(name: str, indent: str) -> str:
        node = graph.node(name)
        if node is None:
            attrs = {'label': name + '\n(no device)', 'shape': 'box',
                     'style': 'dashed', 'fillcolor': 'white'}
        else:
            attrs = {'label': _node_label(node),
                     'fillcolor': NODE_COLORS.get(node.state, 'white')}
            if node.reason not in ('', '-'):
                attrs['tooltip'] = node.reason
        if name == opts.focus:
            attrs['penwidth'] = '3'
        return '%s%s %s;' % (indent, _dot_id(name), _dot_attrs(attrs))

    # Clusters by parent, nested as the parents themselves are.
    members: dict[str, list[str]] = {}
    top: list[str] = []
    for name in vertices:
        node = graph.node(name)
        if node is not None and node.parent is not None:
            members.setdefault(node.parent, []).append(name)
        else:
            top.append(name)
    nested: dict[str, list[str]] = {}
    top_clusters: list[str] = []
    pending = list(members)
    placed: set[str] = set()
    while pending:
        key = pending.pop(0)
        if key in placed:
            continue
        placed.add(key)
        outer = _outer_cluster(graph, key)
        if outer is None:
            top_clusters.append(key)
            continue
        nested.setdefault(outer, []).append(key)
        members.setdefault(outer, [])
        pending.append(outer)

    ids: dict[str, str] = {}

    def emit_cluster(key: str, depth: int) -> None:
        indent = '\t' * depth
        out.append('%ssubgraph %s {' % (indent, _cluster_id(key, ids)))
        out.append('%s\tlabel=%s; style="rounded"; color="gray60";' %
                   (indent, _dot_id(key)))
        for name in members.get(key, []):
            out.append(vertex_line(name, indent + '\t'))
        for inner in nested.get(key, []):
            emit_cluster(inner, depth + 1)
        out.append('%s}' % indent)

    for key in top_clusters:
        emit_cluster(key, 1)
    for name in top:
        out.append(vertex_line(name, '\t'))

    for edge in edges:
        attrs = {'color': KIND_COLORS.get(edge.kind, 'black'),
                 'style': STATE_STYLES.get(edge.state, 'solid'),
                 'tooltip': '%s %s' % (edge.kind, edge.state)}
        if edge.state == 'blocking':
            attrs['color'] = BLOCKING_COLOR
            attrs['penwidth'] = '2'
        out.append('\t%s -> %s %s;' % (_dot_id(edge.supplier),
                                       _dot_id(edge.consumer),
                                       _dot_attrs(attrs)))
    out.extend(_dot_legend())
    out.append('}')
    return '\n'.join(out) + '\n'


def _outer_cluster(graph: Graph, key: str) -> Optional[str]:
    """The cluster a parent's cluster sits in: that of its own parent.

    None at the top, and for a parent chain that loops back on itself.
    """
    node = graph.node(key)
    outer = node.parent if node is not None else None
    seen = {key}
    cur = outer
    while cur is not None:
        if cur in seen:
            return None
        seen.add(cur)
        up = graph.node(cur)
        cur = up.parent if up is not None else None
    return outer


def _dot_legend() -> list[str]:
    out = ['\tsubgraph cluster_legend {',
           '\t\tlabel="legend"; style="rounded"; color="gray60"; '
           'fontsize=10;',
           '\t\tnode [fontsize=9, height=0.2];']
    # States three to a row, kept in order by invisible edges.
    for i, state in enumerate(NODE_STATES):
        name = 'legend_state_%s' % state
        out.append('\t\t%s %s;' % (_dot_id(name), _dot_attrs(
            {'label': state, 'fillcolor': NODE_COLORS[state]})))
        if i % 3:
            out.append('\t\t%s -> %s [style=invis];' %
                       (_dot_id('legend_state_%s' % NODE_STATES[i - 1]),
                        _dot_id(name)))
    samples = [(kind, 'satisfied') for kind in EDGE_KINDS] + \
              [('fwnode', state) for state in EDGE_STATES
               if state != 'satisfied']
    for i, (kind, state) in enumerate(samples):
        a = 'legend_edge_%d_a' % i
        b = 'legend_edge_%d_b' % i
        label = kind if state == 'satisfied' else state
        for name in (a, b):
            out.append('\t\t%s [label="", shape=point, width=0.05];' %
                       _dot_id(name))
        attrs = {'label': label, 'color': KIND_COLORS[kind],
                 'style': STATE_STYLES[state]}
        if state == 'blocking':
            attrs['color'] = BLOCKING_COLOR
            attrs['penwidth'] = '2'
        out.append('\t\t%s -> %s %s;' % (_dot_id(a), _dot_id(b),
                                         _dot_attrs(attrs)))
    out.append('\t}')
    return out


# ---------------------------------------------------------------------------
# Chrome / Perfetto trace
# ---------------------------------------------------------------------------

TRACE_PID = 1
FLOW_CAT = 'dependency'
# One nanosecond in the trace's microseconds: flow ends sit this far
# inside their slices so that they bind to them.
_EPS_US = 0.001


def _us(ns: int) -> float:
    return round(ns / 1e3, 3)


def assign_lanes(nodes: list[Node]) -> dict[str, int]:
    """Greedy interval colouring: lanes (from 1) where probes never overlap.

    Nodes must be probed.  Each probe takes the lowest lane free at its
    start; a lane is free once its last probe ended.
    """
    lanes: list[int] = []
    result: dict[str, int] = {}
    for node in sorted(nodes, key=lambda n: (n.start_ns or 0, n.end_ns or 0,
                                             n.name)):
        assert node.start_ns is not None and node.end_ns is not None
        for i, lane_end in enumerate(lanes):
            if lane_end <= node.start_ns:
                lanes[i] = node.end_ns
                result[node.name] = i + 1
                break
        else:
            lanes.append(node.end_ns)
            result[node.name] = len(lanes)
    return result


def render_trace(graph: Graph) -> dict[str, Any]:
    """The probes as a Chrome trace (catapult JSON) for Perfetto."""
    probed = graph.probed_nodes()
    lanes = assign_lanes(probed)
    events: list[dict[str, Any]] = [{
        'ph': 'M', 'name': 'process_name', 'pid': TRACE_PID, 'tid': 0,
        'args': {'name': 'probe graph (mode=%s)' % graph.mode},
    }]
    for lane in sorted(set(lanes.values())):
        events.append({'ph': 'M', 'name': 'thread_name', 'pid': TRACE_PID,
                       'tid': lane, 'args': {'name': 'lane %d' % lane}})
        events.append({'ph': 'M', 'name': 'thread_sort_index',
                       'pid': TRACE_PID, 'tid': lane,
                       'args': {'sort_index': lane}})
    for node in probed:
        assert node.start_ns is not None and node.end_ns is not None
        args: dict[str, Any] = {
            'driver': node.driver, 'ret': node.ret, 'defers': node.defers,
            'state': node.state, 'probe_calls': node.probe_calls,
            'of_node': node.of_node,
        }
        if node.queue_ns is not None:
            args['queued_us'] = _us(node.queue_ns)
        events.append({'ph': 'X', 'name': node.name, 'cat': 'probe',
                       'pid': TRACE_PID, 'tid': lanes[node.name],
                       'ts': _us(node.start_ns),
                       'dur': _us(node.end_ns - node.start_ns),
                       'args': args})
        if node.defers or node.state == 'deferred':
            events.append({'ph': 'i', 's': 't', 'name': 'deferred',
                           'cat': 'defer', 'pid': TRACE_PID,
                           'tid': lanes[node.name], 'ts': _us(node.end_ns),
                           'args': {'defers': node.defers,
                                    'reason': node.reason}})
    flow_id = 0
    for edge in graph.edges:
        sup = graph.node(edge.supplier)
        con = graph.node(edge.consumer)
        if sup is None or con is None or not sup.probed or not con.probed:
            continue
        assert sup.start_ns is not None and sup.end_ns is not None
        assert con.start_ns is not None and con.end_ns is not None
        flow_id += 1
        sup_start, sup_end = _us(sup.start_ns), _us(sup.end_ns)
        con_start, con_end = _us(con.start_ns), _us(con.end_ns)
        name = '%s %s' % (edge.kind, edge.state)
        events.append({'ph': 's', 'id': flow_id, 'cat': FLOW_CAT,
                       'name': name, 'pid': TRACE_PID,
                       'tid': lanes[sup.name],
                       'ts': max(sup_start, round(sup_end - _EPS_US, 3))})
        events.append({'ph': 'f', 'bp': 'e', 'id': flow_id, 'cat': FLOW_CAT,
                       'name': name, 'pid': TRACE_PID,
                       'tid': lanes[con.name],
                       'ts': min(con_end, round(con_start + _EPS_US, 3))})
    return {'traceEvents': events, 'displayTimeUnit': 'ms'}


# ---------------------------------------------------------------------------
# SVG timeline
# ---------------------------------------------------------------------------

_ROW_H = 16
_BAR_H = 10
_TOP = 64
_CHAR_W = 6.6
_COLORS = {
    'wait': '#c6d9ec',
    'probe': '#4e79a7',
    'critical': '#f28e2b',
    'failed': '#e15759',
    'rejected': '#bab0ac',
    'stripe': '#f4f4f4',
    'grid': '#dddddd',
    'text': '#222222',
}


def nice_step(span: float, ticks: int = 10) -> float:
    """A 1, 2 or 5 times a power of ten step giving about that many ticks."""
    raw = max(span / max(ticks, 1), 1e-9)
    mag = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 5, 10):
        if mult * mag >= raw:
            return float(mult * mag)
    return float(10 * mag)


def _bar_color(node: Node, critical: set[str]) -> str:
    if node.name in critical:
        return _COLORS['critical']
    if node.state == 'failed':
        return _COLORS['failed']
    if node.state != 'bound':
        return _COLORS['rejected']
    return _COLORS['probe']


def render_timeline(graph: Graph, width: int = 1200) -> str:
    """A self-contained SVG Gantt chart of the probes."""
    rows = sorted(graph.probed_nodes(),
                  key=lambda n: (n.start_ns or 0, n.name))
    report = analysis.critical_path(graph, 0)
    steps = report.path.steps if report is not None else []
    critical = {s.name for s in steps}

    label_w = int(min(max((max((len(n.name) for n in rows), default=8) *
                           _CHAR_W) + 12, 120), 320))
    plot_x = label_w
    plot_w = max(width - label_w - 24, 100)
    height = _TOP + len(rows) * _ROW_H + 36

    begin_ns = min([n.ready_ns or n.start_ns or 0 for n in rows],
                   default=0)
    end_ns = max([n.end_ns or 0 for n in rows], default=1)
    span = max(end_ns - begin_ns, 1)

    def x(ns: int) -> float:
        return plot_x + (ns - begin_ns) * plot_w / span

    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">' %
           (width, height, width, height),
           '<rect x="0" y="0" width="%d" height="%d" fill="white"/>' %
           (width, height)]
    title = 'probe graph timeline, mode=%s: %d probes' % (graph.mode,
                                                          len(rows))
    if steps:
        title += ', critical path %s ms to %s' % (
            fmt_ms(report.path.total_ns if report else 0), steps[-1].name)
    out.append('<text x="8" y="18" font-size="14" font-weight="bold" '
               'fill="%s">%s</text>' % (_COLORS['text'], escape(title)))

    legend = [('wait', 'queued, waiting to start'), ('probe', 'probe'),
              ('critical', 'probe on the critical path'),
              ('failed', 'failed'), ('rejected', 'not bound')]
    lx = 8.0
    for key, text in legend:
        out.append('<rect x="%.1f" y="28" width="12" height="%d" '
                   'fill="%s"/>' % (lx, _BAR_H, _COLORS[key]))
        out.append('<text x="%.1f" y="37" fill="%s">%s</text>' %
                   (lx + 16, _COLORS['text'], escape(text)))
        lx += 16 + len(text) * _CHAR_W + 18

    step = nice_step(span)
    first = math.ceil(begin_ns / step) * step
    tick = first
    axis_y = _TOP - 8
    while tick <= end_ns:
        tx = x(int(tick))
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" '
                   'stroke="%s"/>' % (tx, axis_y, tx,
                                      _TOP + len(rows) * _ROW_H,
                                      _COLORS['grid']))
        decimals = max(0, -int(math.floor(math.log10(step / 1e6))))
        out.append('<text x="%.1f" y="%d" text-anchor="middle" '
                   'fill="%s">%.*f</text>' % (tx, axis_y - 3,
                                              _COLORS['text'], decimals,
                                              tick / 1e6))
        tick += step
    out.append('<text x="%d" y="%d" text-anchor="end" fill="%s">ms</text>' %
               (plot_x - 6, axis_y - 3, _COLORS['text']))

    row_of: dict[str, int] = {}
    for i, node in enumerate(rows):
        assert node.start_ns is not None and node.end_ns is not None
        row_of[node.name] = i
        y = _TOP + i * _ROW_H
        if i % 2:
            out.append('<rect x="0" y="%d" width="%d" height="%d" '
                       'fill="%s"/>' % (y, width, _ROW_H, _COLORS['stripe']))
        weight = ' font-weight="bold"' if node.name in critical else ''
        out.append('<text x="%d" y="%d" text-anchor="end" fill="%s"%s>%s'
                   '</text>' % (plot_x - 6, y + _ROW_H - 4, _COLORS['text'],
                                weight, escape(node.name)))
        tip = '%s (%s): %s, probe %s ms' % (
            node.name, node.driver or 'no driver', node.state,
            fmt_ms(node.probe_ns))
        if node.queue_ns is not None:
            tip += ', queued %s ms' % fmt_ms(node.queue_ns)
        out.append('<g><title>%s</title>' % escape(tip))
        bar_y = y + (_ROW_H - _BAR_H) // 2
        if node.ready_ns is not None and node.ready_ns < node.start_ns:
            out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" '
                       'fill="%s"/>' % (
                           x(node.ready_ns), bar_y,
                           max(x(node.start_ns) - x(node.ready_ns), 1.0),
                           _BAR_H, _COLORS['wait']))
        stroke = (' stroke="#7f3f00" stroke-width="1"'
                  if node.name in critical else '')
        out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" '
                   'fill="%s"%s/>' % (
                       x(node.start_ns), bar_y,
                       max(x(node.end_ns) - x(node.start_ns), 1.0), _BAR_H,
                       _bar_color(node, critical), stroke))
        out.append('</g>')

    for prev, cur in zip(steps, steps[1:]):
        if prev.name in row_of and cur.name in row_of:
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" '
                       'stroke="%s" stroke-width="1.5" '
                       'stroke-dasharray="3,2"/>' % (
                           x(prev.end_ns),
                           _TOP + row_of[prev.name] * _ROW_H + _ROW_H // 2,
                           x(cur.start_ns),
                           _TOP + row_of[cur.name] * _ROW_H + _ROW_H // 2,
                           _COLORS['critical']))
    if not rows:
        out.append('<text x="8" y="%d" fill="%s">no probes recorded</text>' %
                   (_TOP + 12, _COLORS['text']))
    out.append('</svg>')
    return '\n'.join(out) + '\n'


# ---------------------------------------------------------------------------
# KTAP
# ---------------------------------------------------------------------------

def format_ktap(results: list[analysis.CheckResult], title: str) -> str:
    """KTAP version 1 output for check results."""
    out = ['KTAP version 1', '# %s' % title, '1..%d' % len(results)]
    for i, result in enumerate(results, 1):
        for line in result.diagnostics:
            out.append('# %s' % line)
        status = 'ok' if result.ok else 'not ok'
        line = '%s %d %s' % (status, i, result.description)
        if result.skip:
            line += ' # SKIP %s' % result.skip
        out.append(line)
    return '\n'.join(out) + '\n'


# ---------------------------------------------------------------------------
# Text and JSON reports
# ---------------------------------------------------------------------------

def _table(header: list[str], rows: list[list[str]],
           right: set[int]) -> list[str]:
    widths = [max([len(header[i])] + [len(r[i]) for r in rows])
              for i in range(len(header))]

    def line(cells: list[str]) -> str:
        parts = [c.rjust(w) if i in right else c.ljust(w)
                 for i, (c, w) in enumerate(zip(cells, widths))]
        return '  '.join(parts).rstrip()

    return [line(header)] + [line(r) for r in rows]


def format_why(result: analysis.WhyResult) -> str:
    return textwrap.fill(result.text, 78) + '\n'


def _chain_text(chain: analysis.Chain) -> str:
    return ' -> '.join(s.name for s in chain.steps)


def format_critical_path(report: Optional[analysis.CriticalPathReport]
                         ) -> str:
    if report is None:
        return 'no bound device with probe times: no critical path\n'
    path = report.path
    first = path.steps[0]
    out = ['critical path to %s: %d devices, %s ms (from %s ms to %s ms)' %
           (path.leaf, len(path.steps), fmt_ms(path.total_ns),
            fmt_ms(path.begin_ns), fmt_ms(path.end_ns))]
    rows = []
    for i, step in enumerate(path.steps, 1):
        via = '%s (%s)' % (step.via, step.kind) if step.via else \
            '(queued at %s)' % fmt_ms(first.ready_ns)
        rows.append([str(i), step.name, via, fmt_ms(step.wait_ns),
                     fmt_ms(step.probe_ns), fmt_ms(step.end_ns)])
    out.extend('  ' + line for line in _table(
        ['#', 'device', 'released by', 'wait ms', 'probe ms', 'end ms'],
        rows, {0, 3, 4, 5}))
    waits = sum(s.wait_ns for s in path.steps)
    probes = sum(s.probe_ns for s in path.steps)
    out.append('  total: wait %s ms + probe %s ms = %s ms' %
               (fmt_ms(waits), fmt_ms(probes), fmt_ms(path.total_ns)))
    if report.near:
        out.append('near-critical chains:')
        for chain, slack in report.near:
            out.append('  %s: slack %s ms, %s ms: %s' % (
                chain.leaf, fmt_ms(slack), fmt_ms(chain.total_ns),
                _chain_text(chain)))
    return '\n'.join(out) + '\n'


def _chain_dict(chain: analysis.Chain) -> dict[str, Any]:
    return {
        'leaf': chain.leaf,
        'total_ns': chain.total_ns,
        'begin_ns': chain.begin_ns,
        'end_ns': chain.end_ns,
        'steps': [asdict(s) for s in chain.steps],
    }


def critical_path_dict(report: Optional[analysis.CriticalPathReport]
                       ) -> dict[str, Any]:
    if report is None:
        return {'path': None, 'near': []}
    return {
        'path': _chain_dict(report.path),
        'near': [dict(_chain_dict(chain), slack_ns=slack)
                 for chain, slack in report.near],
    }


def format_blame(entries: list[analysis.BlameEntry]) -> str:
    rows = [[e.name, e.driver or '-', e.state, fmt_ms(e.self_ns),
             fmt_ms(e.queue_ns), fmt_ms(e.blocked_ns), str(e.probe_calls),
             str(e.defers)] for e in entries]
    out = _table(['device', 'driver', 'state', 'self ms', 'queued ms',
                  'blocked ms', 'calls', 'defers'], rows,
                 {3, 4, 5, 6, 7})
    total = sum(e.self_ns for e in entries)
    out.append('%d probes, %s ms of probe time' %
               (len(entries), fmt_ms(total)))
    return '\n'.join(out) + '\n'


def format_cycles(reports: list[analysis.CycleReport],
                  predicted: bool = False) -> str:
    """One line per cycle; for a prediction, then each link that closes
    it (node:property -> supplier node)."""
    if not reports:
        return 'no dependency cycles\n'
    out = []
    for r in reports:
        if predicted:
            out.append('cycle: %s (predicted)' % ' '.join(r.members))
            links = r.broken.split(' ', 1)[1] if \
                r.broken.startswith('relaxed ') else ''
            out.extend('  closed by ' + link
                       for link in links.split('; ') if link)
            continue
        where = []
        if r.reported:
            where.append('reported by the kernel%s' %
                         (' %d times' % r.reported if r.reported > 1 else ''))
        if r.in_edges:
            where.append('present in the edges')
        out.append('%s: %s (%s)' % (' '.join(r.members), r.broken,
                                    ', '.join(where)))
    return '\n'.join(out) + '\n'


def _delta_lines(title: str, deltas: list[analysis.Delta]) -> list[str]:
    if not deltas:
        return []
    out = [title]
    for d in deltas:
        out.append('  %s: %s -> %s ms (%+.3f ms)' % (
            d.name, fmt_ms(d.a_ns), fmt_ms(d.b_ns), d.delta_ns / 1e6))
    return out


def format_diff(report: analysis.DiffReport, a: str, b: str) -> str:
    out = ['A: %s' % a, 'B: %s' % b]

    def change(what: str, va: Optional[int], vb: Optional[int]) -> str:
        text = '%s: %s -> %s ms' % (what, fmt_ms(va), fmt_ms(vb))
        if va is not None and vb is not None:
            text += ' (%+.3f ms)' % ((vb - va) / 1e6)
        return text

    out.append(change('last bind at', report.a_makespan_ns,
                      report.b_makespan_ns))
    out.append(change('first queued to last bind', report.a_span_ns,
                      report.b_span_ns))
    thr = ' by more than %s ms' % fmt_ms(report.threshold_ns)
    out += _delta_lines('bound later' + thr + ':', report.bound_later)
    out += _delta_lines('bound earlier' + thr + ':', report.bound_earlier)
    out += _delta_lines('probe slower' + thr + ':', report.slower)
    out += _delta_lines('probe faster' + thr + ':', report.faster)
    if report.newly_deferred:
        out.append('newly deferred: ' + ', '.join(report.newly_deferred))
    for name, why in report.newly_not_bound:
        out.append('no longer bound: %s (%s)' % (name, why))
    if report.newly_bound:
        out.append('newly bound: ' + ', '.join(report.newly_bound))
    if report.nodes_added:
        out.append('devices added: ' + ', '.join(report.nodes_added))
    if report.nodes_removed:
        out.append('devices removed: ' + ', '.join(report.nodes_removed))
    for sign, edges in (('+', report.edges_added),
                        ('-', report.edges_removed)):
        for sup, con, kind in edges:
            out.append('%s edge %s -> %s (%s)' % (sign, sup, con, kind))
    return '\n'.join(out) + '\n'


def format_boot_comparison(cmp: analysis.BootComparison) -> str:
    """A prediction against a boot, by device tree node."""
    out = ['by device tree node (prediction against boot):']
    for title, items in (('devices only predicted', cmp.only_predicted),
                         ('devices only booted', cmp.only_booted)):
        out.append('  %s: %s' % (title, ' '.join(items) or 'none'))
    out.append('  not compared: %d devices on their parent\'s node, %d '
               'without a node' % (len(cmp.shared_nodes), len(cmp.no_node)))
    out.append('  devices: %d predicted, %d booted, %d on both sides' %
               (cmp.predicted, cmp.booted, cmp.both))
    out.append('  blocking edges between them: %d predicted, %d booted, %d '
               'on both sides' % (cmp.edges_predicted, cmp.edges_booted,
                                  cmp.edges_both))
    for title, edges in (('blocking edges only predicted',
                          cmp.edges_only_predicted),
                         ('blocking edges only booted',
                          cmp.edges_only_booted)):
        out.append('  %s: %d' % (title, len(edges)))
        out.extend('    %s -> %s (%s)' % e for e in edges)
    return '\n'.join(out) + '\n'


def diff_dict(report: analysis.DiffReport) -> dict[str, Any]:
    data = asdict(report)
    for key in ('bound_later', 'bound_earlier', 'slower', 'faster'):
        data[key] = [dict(asdict(d), delta_ns=d.delta_ns)
                     for d in getattr(report, key)]
    data['newly_not_bound'] = [{'name': n, 'now': w}
                               for n, w in report.newly_not_bound]
    for key in ('edges_added', 'edges_removed'):
        data[key] = [{'supplier': s, 'consumer': c, 'kind': k}
                     for s, c, k in getattr(report, key)]
    return data


def _members(chain: list[list[str]]) -> str:
    return ' -> '.join(' + '.join(c) if len(c) > 1 else c[0] for c in chain)


def _cycle_lines(pred: analysis.Prediction) -> list[str]:
    out = []
    for cycle in pred.cycles:
        how = ' (through the parent)' if cycle.through_parent else ''
        out.append('cycle%s: %s' % (how, ' '.join(
            pred.names[m] for m in cycle.members)))
        out.extend('  closed by %s' % link for link in cycle.links)
    return out


def _critical_line(pred: analysis.Prediction) -> str:
    m = pred.metrics
    names = [[pred.names[v] for v in c] for c in m.critical_path]
    if not pred.has_times:
        return ('critical path: no probe times (give --delays or '
                'probe-delay-us); longest chain: %d devices (%s)' %
                (len(m.depth_chain), _members(
                    [[pred.names[v] for v in c] for c in m.depth_chain])))
    return 'critical path: %d us (%s)' % (m.critical_weight,
                                          _members(names))


def format_prediction_summary(pred: analysis.Prediction, source: str) -> str:
    """Counts, depth, width, cycles and the longest chain."""
    m = pred.metrics
    blocking = pred.blocking()
    parents = sum(1 for e in blocking if e.kind == 'parent')
    out = ['%s: %d devices, %d blocking edges (%d parent, %d fwnode), '
           '%d that do not block' % (source, len(pred.devices),
                                     len(blocking), parents,
                                     len(blocking) - parents,
                                     len(pred.edges) - len(blocking))]
    out.append('depth: %d, width: %d, cycles: %d, early-init nodes: %d' %
               (m.depth, m.width, len(pred.cycles), len(pred.early_init)))
    out.append('longest chain: %s' % _members(
        [[pred.names[v] for v in c] for c in m.depth_chain]))
    out.append(_critical_line(pred))
    out.extend(_cycle_lines(pred))
    return '\n'.join(out) + '\n'


def format_prediction_order(pred: analysis.Prediction) -> str:
    """A probe order: level, device, node; a device's blocking suppliers
    are all on lower levels."""
    level_of = {v: i for i, lv in enumerate(pred.metrics.levels)
                for v in lv}
    rows = [[str(level_of[v]), pred.names[v], v] for v in pred.metrics.order]
    return '\n'.join(_table(['level', 'device', 'node'], rows, {0})) + '\n'


def format_prediction_focus(graph: Graph, name: str,
                            depth: Optional[int]) -> str:
    """Suppliers and consumers of one device, hop by hop."""
    ups, downs = analysis.neighbourhood(graph, name, depth)
    node = graph.node(name)
    assert node is not None
    out = ['%s (%s)' % (name, node.of_node or '-')]
    for title, items, up in (('suppliers', ups, True),
                             ('consumers', downs, False)):
        out.append('%s%s: %d' % (title, '' if depth is None else
                                 ' within %d hops' % depth, len(items)))
        for hop, other, e in items:
            via = e.consumer if up else e.supplier
            out.append('  %d %s (%s %s, from %s)' % (hop, other, e.kind,
                                                      e.state, via))
    return '\n'.join(out) + '\n'


def format_prediction(pred: analysis.Prediction, source: str) -> str:
    m = pred.metrics
    blocking = pred.blocking()
    out = ['%s: %d devices, %d blocking edges, %d that do not block' %
           (source, len(pred.devices), len(blocking),
            len(pred.edges) - len(blocking))]
    out.append('blocking edges by binding: ' + ', '.join(
        '%s %d' % kv for kv in pred.edges_by_binding.items()))
    out.append('depth: %d (%s)' % (m.depth, _members(
        [[pred.names[v] for v in c] for c in m.depth_chain])))
    out.append('width: %d (levels: %s)' % (
        m.width, ' '.join(str(len(lv)) for lv in m.levels)))
    lines = _cycle_lines(pred)
    out.extend(lines if lines else ['cycles: none'])
    out.append(_critical_line(pred))
    out.append('weights: ' + ', '.join(
        '%d from %s' % (n, src) for src, n in
        sorted(pred.weight_sources.items())))
    for e in pred.edges:
        what = ', '.join(e.bindings)
        out.append('  %s -> %s (%s%s)' % (
            pred.names[e.supplier], pred.names[e.consumer], what,
            '' if e.gates else ', ' + e.state))
    early: Counter[str] = Counter()
    for d in pred.dropped:
        if d.why == analysis.WHY_EARLY:
            early[d.supplier] += 1
            continue
        out.append('dropped: %s -> %s (%s): %s' % (d.supplier, d.consumer,
                                                   d.prop, d.why))
    for path in pred.early_init:
        out.append('early-init, not a device: %s (%d links dropped)' %
                   (path, early.pop(path, 0)))
    for path, count in sorted(early.items()):
        out.append('dropped: %d links to %s: %s' % (count, path,
                                                    analysis.WHY_EARLY))
    for link in pred.not_followed:
        out.append('not followed: %s -> %s (%s%s)' % (
            link.supplier, link.consumer, link.prop,
            ', optional' if link.optional else ', ignored'))
    for note in pred.notes:
        out.append('note: ' + note)
    return '\n'.join(out) + '\n'


def prediction_dict(pred: analysis.Prediction) -> dict[str, Any]:
    """The "predict --json" report; its "graph" is a dump that every
    other command reads."""
    m = pred.metrics
    return {
        'kind': model.PREDICTION_KIND,
        'devices': pred.devices,
        'names': pred.names,
        'edges': [{'supplier': e.supplier, 'consumer': e.consumer,
                   'kind': e.kind, 'state': e.state,
                   'bindings': e.bindings, 'props': e.props}
                  for e in pred.edges],
        'edges_by_binding': pred.edges_by_binding,
        'dropped': [asdict(d) for d in pred.dropped],
        'not_followed': [asdict(link) for link in pred.not_followed],
        'early_init': pred.early_init,
        'depth': m.depth,
        'depth_chain': m.depth_chain,
        'width': m.width,
        'levels': m.levels,
        'order': m.order,
        'cycles': [c.members for c in pred.cycles],
        'cycle_links': [c.links for c in pred.cycles],
        'critical_path': {'chain': m.critical_path,
                          'total_us': m.critical_weight if pred.has_times
                          else None},
        'weights': pred.weights,
        'notes': pred.notes,
        'graph': model.graph_to_dict(analysis.prediction_graph(pred)),
    }


def _audit_rows(report: audit.AuditReport) -> list[list[str]]:
    return [[str(i), e.prop, str(len(e.boards)), str(e.nodes),
             str(e.outside),
             '%s: %s -> %s' % (e.example_board, e.example_node,
                               e.example_supplier)
             if e.example_node else '-']
            for i, e in enumerate(report.entries, 1)]


def _audit_basis(report: audit.AuditReport) -> list[str]:
    out = ['%d trees; %s.' % (
        report.trees, 'properties the binding schemas type phandle or '
        'phandle-array' if report.schema else 'properties whose first '
        'cell is a phandle of the tree (heuristic, no schemas)')]
    rate = report.false_positive_rate
    if rate is not None:
        out.append('Heuristic (first cell is a phandle) against the '
                   'schemas: %d occurrences typed phandle, %d typed '
                   'otherwise (false positives: %.1f%% of the typed), %d '
                   'untyped.' % (report.heuristic_agree,
                                 report.heuristic_false, 100 * rate,
                                 report.heuristic_untyped))
        if report.false_examples:
            out.append('Most common false positives: ' + ', '.join(
                '%s (%d)' % kv for kv in
                report.false_examples.most_common(8)) + '.')
    return out


def format_audit(report: audit.AuditReport, markdown: bool = False) -> str:
    """The ranked table, text or markdown."""
    header = ['#', 'property', 'boards', 'nodes', 'outside devices',
              'example: node -> supplier']
    rows = _audit_rows(report)
    if markdown:
        out = ['| ' + ' | '.join(header) + ' |',
               '|' + '---|' * len(header)]
        out.extend('| %s | `%s` | %s | %s | %s | `%s` |' % tuple(r)
                   for r in rows)
        out.append('')
        out.extend(_audit_basis(report))
        return '\n'.join(out) + '\n'
    out = _table(header, rows, {0, 2, 3, 4}) if rows else \
        ['no unparsed phandle properties']
    out.extend(_audit_basis(report))
    return '\n'.join(out) + '\n'


def audit_dict(report: audit.AuditReport) -> dict[str, Any]:
    return {
        'trees': report.trees,
        'schema': report.schema,
        'entries': [{'property': e.prop, 'boards': len(e.boards),
                     'nodes': e.nodes, 'outside': e.outside,
                     'typed': e.typed,
                     'example_board': e.example_board,
                     'example_node': e.example_node,
                     'example_supplier': e.example_supplier}
                    for e in report.entries],
        'heuristic': {'agree': report.heuristic_agree,
                      'false': report.heuristic_false,
                      'untyped': report.heuristic_untyped,
                      'false_positive_rate': report.false_positive_rate},
    }
