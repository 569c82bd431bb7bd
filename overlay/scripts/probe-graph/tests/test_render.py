#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests for the DOT, trace, SVG timeline and KTAP output."""

import os
import re
import shutil
import subprocess
import unittest
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Any

from fixtures import TOOL_DIR, test_data_path

from probe_graph import analysis, model, render
from probe_graph.model import Edge, Graph, Node

SVG = '{http://www.w3.org/2000/svg}'


def load(name: str) -> Graph:
    return model.load(test_data_path(name))


def dot_vertices(text: str) -> set[str]:
    """Names of the vertices a DOT text declares, legend left out."""
    names = set(re.findall(r'^\s*"([^"]+)" \[label=', text, re.M))
    return {n for n in names if not n.startswith('legend_')}


def dot_edges(text: str) -> list[tuple[str, str, str]]:
    return [(a, b, attrs) for a, b, attrs in
            re.findall(r'^\s*"([^"]+)" -> "([^"]+)" \[(.*)\];$', text, re.M)
            if not a.startswith('legend_')]


class DotTest(unittest.TestCase):

    def test_clusters_and_legend(self) -> None:
        text = render.render_dot(load('sample-on'))
        self.assertTrue(text.startswith('digraph probe_graph {'))
        self.assertTrue(text.rstrip().endswith('}'))
        self.assertEqual(text.count('{'), text.count('}'))
        self.assertRegex(text, r'subgraph cluster_\d+_platform \{\n'
                               r'\s+label="platform";')
        self.assertRegex(text, r'subgraph cluster_\d+_pg_bus \{\n'
                               r'\s+label="pg-bus";')
        self.assertIn('subgraph cluster_legend {', text)
        for state in model.NODE_STATES:
            self.assertIn('"legend_state_%s"' % state, text)
        # pg-bus's children sit in a cluster nested in the platform one.
        platform = text.index('label="platform"')
        bus = text.index('label="pg-bus"')
        audio = text.index('"pg-bus:pg-audio" [label=')
        self.assertLess(platform, bus)
        self.assertLess(bus, audio)

    def test_default_omits_idle_nodes_without_edges(self) -> None:
        graph = load('sample-on')
        vertices = dot_vertices(render.render_dot(graph))
        self.assertNotIn('cpu0', vertices)
        self.assertNotIn('a000000.virtio_mmio', vertices)
        # Idle, but linked.
        self.assertIn('gpio-keys', vertices)
        self.assertIn('pg-display', vertices)
        everything = dot_vertices(render.render_dot(
            graph, render.DotOptions(show_all=True)))
        self.assertEqual(everything, {n.name for n in graph.nodes})

    def test_edge_styles(self) -> None:
        edges = {(a, b): attrs for a, b, attrs in
                 dot_edges(render.render_dot(load('bad-on')))}
        blocking = edges[('pg-broken', 'pg-stranded')]
        self.assertIn('color="red"', blocking)
        self.assertIn('style="bold"', blocking)
        relaxed = edges[('9030000.pl061', 'gpio-keys')]
        self.assertIn('style="dashed"', relaxed)
        self.assertIn('color="blue"', relaxed)
        parent = edges[('9000000.pl011', '9000000.pl011:0')]
        self.assertIn('color="gray40"', parent)
        self.assertIn('style="solid"', parent)

    def test_node_colours(self) -> None:
        text = render.render_dot(load('bad-on'))
        self.assertRegex(text, r'"pg-broken" \[label="pg-broken\\nfailed '
                               r'[0-9.]+ ms \(-5\)", fillcolor="salmon"')
        self.assertRegex(text, r'"pg-stranded" \[[^]]*fillcolor="gold"')

    def test_missing_supplier_is_drawn(self) -> None:
        graph = Graph('on', [Node('c', None, None, None, 'waiting', 0, 0,
                                  None, None, None, 0, 'x')],
                      [Edge('/pg-x', 'c', 'fwnode', 'blocking')])
        text = render.render_dot(graph)
        self.assertIn('"/pg-x" [label="/pg-x\\n(no device)"', text)

    def test_focus_and_depth(self) -> None:
        graph = load('sample-on')

        def focus(dev: str, depth: Any, direction: str) -> set[str]:
            return dot_vertices(render.render_dot(graph, render.DotOptions(
                focus=dev, depth=depth, direction=direction)))

        self.assertEqual(focus('pg-display', 1, 'up'),
                         {'pg-display', 'pg-pwm', 'pg-ldo', 'pg-pll',
                          'pg-reset'})
        self.assertEqual(focus('pg-display', 2, 'up'),
                         {'pg-display', 'pg-pwm', 'pg-ldo', 'pg-pll',
                          'pg-reset', 'pg-osc'})
        self.assertEqual(focus('pg-display', None, 'down'), {'pg-display'})
        self.assertEqual(focus('pg-osc', 1, 'down'),
                         {'pg-osc', 'pg-pll', 'pg-pwm'})
        self.assertEqual(focus('pg-pll', 1, 'both'),
                         {'pg-pll', 'pg-osc', 'pg-bus', 'pg-display'})
        self.assertEqual(focus('pg-osc', 0, 'both'), {'pg-osc'})
        self.assertEqual(focus('pg-osc', None, 'down'),
                         {'pg-osc', 'pg-pll', 'pg-pwm', 'pg-display',
                          'pg-bus', 'pg-bus:pg-mbox', 'pg-bus:pg-audio'})
        text = render.render_dot(graph, render.DotOptions(
            focus='pg-display', depth=1, direction='up'))
        self.assertRegex(text, r'"pg-display" \[[^]]*penwidth="3"')
        # Every edge between the vertices drawn, pg-reset -> pg-ldo too.
        self.assertEqual(sorted((a, b) for a, b, _ in dot_edges(text)),
                         [('pg-ldo', 'pg-display'), ('pg-pll', 'pg-display'),
                          ('pg-pwm', 'pg-display'), ('pg-reset', 'pg-display'),
                          ('pg-reset', 'pg-ldo')])
        with self.assertRaises(analysis.UnknownDevice):
            render.render_dot(graph, render.DotOptions(focus='nope'))

    @unittest.skipUnless(shutil.which('dot'), 'graphviz is not installed')
    def test_graphviz_accepts_it(self) -> None:
        for name in ('sample-on', 'bad-on', 'sample-off'):
            with self.subTest(fixture=name):
                result = subprocess.run(
                    ['dot', '-Tsvg'], input=render.render_dot(load(name)),
                    text=True, capture_output=True, check=False)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(result.stderr, '')
                ET.fromstring(result.stdout)


class TraceTest(unittest.TestCase):

    def check_trace(self, graph: Graph) -> dict[str, Any]:
        trace = render.render_trace(graph)
        self.assertEqual(set(trace), {'traceEvents', 'displayTimeUnit'})
        self.assertEqual(trace['displayTimeUnit'], 'ms')
        events = trace['traceEvents']
        slices = [e for e in events if e['ph'] == 'X']
        self.assertEqual(len(slices), len(graph.probed_nodes()))

        lanes = defaultdict(list)
        for e in slices:
            self.assertGreaterEqual(e['dur'], 0)
            for key in ('driver', 'ret', 'defers'):
                self.assertIn(key, e['args'])
            lanes[e['tid']].append((e['ts'], e['ts'] + e['dur']))
        for tid, spans in lanes.items():
            spans.sort()
            for (_, end), (start, _) in zip(spans, spans[1:]):
                self.assertLessEqual(end, start, 'overlap on lane %d' % tid)

        named = {e['tid'] for e in events
                 if e['ph'] == 'M' and e['name'] == 'thread_name'}
        self.assertEqual(named, set(lanes))
        self.assertTrue(any(e['ph'] == 'M' and e['name'] == 'process_name'
                            for e in events))

        by_name = {e['name']: e for e in slices}
        starts = {e['id']: e for e in events if e['ph'] == 's'}
        finishes = {e['id']: e for e in events if e['ph'] == 'f'}
        self.assertEqual(set(starts), set(finishes))
        pairs = [(e.supplier, e.consumer) for e in graph.edges
                 if e.supplier in by_name and e.consumer in by_name]
        self.assertEqual(len(starts), len(pairs))
        for (sup, con), flow_id in zip(pairs, sorted(starts)):
            s, f = starts[flow_id], finishes[flow_id]
            self.assertEqual((s['cat'], s['name']), (f['cat'], f['name']))
            self.assertEqual(f['bp'], 'e')
            ss, cs = by_name[sup], by_name[con]
            self.assertEqual(s['tid'], ss['tid'])
            self.assertEqual(f['tid'], cs['tid'])
            self.assertTrue(ss['ts'] <= s['ts'] <= ss['ts'] + ss['dur'])
            self.assertTrue(cs['ts'] <= f['ts'] <= cs['ts'] + cs['dur'])
        return trace

    def test_fixtures(self) -> None:
        for name in ('sample-on', 'sample-serial', 'bad-on', 'sample-off'):
            with self.subTest(fixture=name):
                self.check_trace(load(name))

    def test_parallel_needs_lanes_serial_does_not_overlap(self) -> None:
        on = self.check_trace(load('sample-on'))
        lanes = {e['tid'] for e in on['traceEvents'] if e['ph'] == 'X'}
        self.assertGreater(len(lanes), 1)
        serial = self.check_trace(load('sample-serial'))
        lanes = {e['tid'] for e in serial['traceEvents'] if e['ph'] == 'X'}
        self.assertEqual(lanes, {1})

    def test_lanes(self) -> None:
        nodes = [Node(n, None, None, None, 'bound', 1, 0, None, s, e, 0, '-')
                 for n, s, e in (('a', 0, 10), ('b', 5, 15), ('c', 10, 12),
                                 ('d', 11, 20), ('e', 12, 13))]
        self.assertEqual(render.assign_lanes(nodes),
                         {'a': 1, 'b': 2, 'c': 1, 'd': 3, 'e': 1})

    def test_deferral_instant(self) -> None:
        graph = Graph('on', [Node('d', None, 'drv', None, 'deferred', 3, 3,
                                  100, 200, 300, -517,
                                  'driver deferred: clock missing')])
        events = self.check_trace(graph)['traceEvents']
        instants = [e for e in events if e['ph'] == 'i']
        self.assertEqual(len(instants), 1)
        self.assertEqual(instants[0]['s'], 't')
        self.assertEqual(instants[0]['args']['defers'], 3)


class TimelineTest(unittest.TestCase):

    def parse(self, graph: Graph) -> ET.Element:
        return ET.fromstring(render.render_timeline(graph).encode())

    def test_sample_on(self) -> None:
        graph = load('sample-on')
        root = self.parse(graph)
        self.assertEqual(root.tag, SVG + 'svg')
        self.assertLessEqual(int(root.get('width', '0')), 1200)
        labels = [t for t in root.iter(SVG + 'text')
                  if t.get('text-anchor') == 'end' and t.text != 'ms']
        probed = sorted(graph.probed_nodes(),
                        key=lambda n: (n.start_ns or 0, n.name))
        self.assertEqual([t.text for t in labels], [n.name for n in probed])
        bold = {t.text for t in labels if t.get('font-weight') == 'bold'}
        self.assertEqual(bold, {'pg-osc', 'pg-pll', 'pg-bus',
                                'pg-bus:pg-mbox', 'pg-bus:pg-audio'})
        ticks = [t for t in root.iter(SVG + 'text')
                 if t.get('text-anchor') == 'middle']
        self.assertGreaterEqual(len(ticks), 3)
        for rect in root.iter(SVG + 'rect'):
            x = float(rect.get('x', '0'))
            w = float(rect.get('width', '0'))
            self.assertGreaterEqual(x, 0)
            self.assertLessEqual(x + w, 1200.5)

    def test_wide_span_stays_bounded(self) -> None:
        root = self.parse(load('bad-on'))
        self.assertEqual(root.get('width'), '1200')
        for rect in root.iter(SVG + 'rect'):
            self.assertLessEqual(float(rect.get('x', '0')) +
                                 float(rect.get('width', '0')), 1200.5)

    def test_no_probes(self) -> None:
        root = self.parse(load('sample-off'))
        texts = [t.text for t in root.iter(SVG + 'text')]
        self.assertIn('no probes recorded', texts)

    def test_nice_step(self) -> None:
        self.assertEqual(render.nice_step(100), 10)
        self.assertEqual(render.nice_step(130), 20)
        self.assertEqual(render.nice_step(400e6), 50e6)


class KtapTest(unittest.TestCase):

    def test_format(self) -> None:
        results = [analysis.CheckResult('first', True),
                   analysis.CheckResult('second', False,
                                        diagnostics=['why']),
                   analysis.CheckResult('third', True, skip='off')]
        self.assertEqual(render.format_ktap(results, 't').splitlines(),
                         ['KTAP version 1', '# t', '1..3', 'ok 1 first',
                          '# why', 'not ok 2 second',
                          'ok 3 third # SKIP off'])



class DocumentationFiguresTest(unittest.TestCase):
    """Documentation/driver-api shows the tool's output for the captured
    boots; it must still be what the tool draws from them."""

    DOCS = os.path.join(TOOL_DIR, '..', '..', 'Documentation', 'driver-api')

    def figure(self, name: str) -> str:
        path = os.path.join(self.DOCS, name)
        if not os.path.isdir(self.DOCS):
            self.skipTest('not in a kernel tree: no Documentation/')
        with open(path, encoding='utf-8') as f:
            return f.read()

    def test_graph_figures(self) -> None:
        for fixture, name in (('bad-on', 'probe-graph-bad.dot'),
                              ('sample-on', 'probe-graph-sample.dot')):
            with self.subTest(name=name):
                self.assertEqual(self.figure(name),
                                 render.render_dot(load(fixture)))

    def test_timeline_figure(self) -> None:
        self.assertEqual(self.figure('probe-graph-timeline.svg'),
                         render.render_timeline(load('sample-on'), 800))


if __name__ == '__main__':
    unittest.main()
