#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests for the readers of debugfs directories and JSON dumps."""

import json
import os
import shutil
import tempfile
import unittest
from collections import Counter

from fixtures import test_data_path

from probe_graph import model

FIXTURES = ('sample-on', 'sample-serial', 'sample-off', 'bad-on')

NODE_KEYS = ['name', 'of_node', 'driver', 'parent', 'state', 'probe_calls',
             'defers', 'ready_ns', 'start_ns', 'end_ns', 'ret', 'reason']


class FixtureParseTest(unittest.TestCase):

    def test_every_fixture_matches_its_stats(self) -> None:
        for name in FIXTURES:
            with self.subTest(fixture=name):
                graph = model.load(test_data_path(name))
                self.assertEqual(graph.mode, graph.stats['mode'])
                counts = Counter(n.state for n in graph.nodes)
                for state in model.NODE_STATES:
                    key = 'nodes_%s' % state
                    if key in graph.stats:
                        self.assertEqual(counts[state], graph.stats[key],
                                         key)
                self.assertEqual(sum(n.probe_calls for n in graph.nodes),
                                 graph.stats['probe_calls'])

    def test_sample_on(self) -> None:
        graph = model.load(test_data_path('sample-on'))
        self.assertEqual(graph.mode, 'on')
        self.assertEqual(len(graph.nodes), 64)
        self.assertEqual(len(graph.edges), 16)
        self.assertEqual(graph.cycles, [])
        self.assertEqual(graph.stats['max_active'], 256)
        self.assertEqual(graph.deferred, {})

        display = graph.node('pg-display')
        assert display is not None
        self.assertEqual(display.of_node, '/pg-display')
        self.assertEqual(display.driver, 'probe-graph-test-device')
        self.assertEqual(display.parent, 'platform')
        self.assertEqual(display.state, 'bound')
        self.assertEqual(display.ready_ns, 192849424)
        self.assertEqual(display.start_ns, 192910976)
        self.assertEqual(display.end_ns, 196318800)
        self.assertEqual(display.probe_ns, 196318800 - 192910976)
        self.assertEqual(display.reason, '-')
        self.assertEqual(sorted(e.supplier for e in
                                graph.suppliers_of('pg-display')),
                         ['pg-ldo', 'pg-pll', 'pg-pwm', 'pg-reset'])

        cpu = graph.node('cpu0')
        assert cpu is not None
        self.assertIsNone(cpu.driver)
        self.assertIsNone(cpu.parent)
        self.assertIsNone(cpu.ready_ns)
        self.assertIsNone(cpu.start_ns)
        self.assertFalse(cpu.probed)
        writeback = graph.node('writeback')
        assert writeback is not None
        self.assertIsNone(writeback.of_node)

        mbox = graph.suppliers_of('pg-bus:pg-mbox')
        self.assertEqual([(e.supplier, e.kind, e.state) for e in mbox],
                         [('pg-bus', 'parent', 'satisfied')])
        relaxed = graph.suppliers_of('gpio-keys')
        self.assertEqual([e.state for e in relaxed], ['relaxed'])
        self.assertFalse(relaxed[0].gates)

    def test_sample_off_is_empty(self) -> None:
        graph = model.load(test_data_path('sample-off'))
        self.assertEqual(graph.mode, 'off')
        self.assertEqual(graph.nodes, [])
        self.assertEqual(graph.edges, [])
        self.assertEqual(graph.stats['boot_done'], 0)

    def test_sample_serial(self) -> None:
        graph = model.load(test_data_path('sample-serial'))
        self.assertEqual(graph.mode, 'serial')
        self.assertEqual(graph.stats['max_active'], 1)
        self.assertEqual(graph.stats['peak_parallel'], 1)

    def test_bad_on(self) -> None:
        graph = model.load(test_data_path('bad-on'))
        self.assertEqual([(c.members, c.relaxed) for c in graph.cycles],
                         [(['pg-ring-a', 'pg-ring-b'], '(fw_devlink)')])
        broken = graph.node('pg-broken')
        stranded = graph.node('pg-stranded')
        assert broken is not None and stranded is not None
        self.assertEqual((broken.state, broken.ret), ('failed', -5))
        self.assertEqual(stranded.state, 'waiting')
        self.assertEqual(stranded.reason,
                         'waiting for supplier pg-broken (failed)')
        self.assertEqual([(e.supplier, e.state) for e in
                          graph.suppliers_of('pg-stranded')],
                         [('pg-broken', 'blocking')])

    def test_debugfs_dir_or_its_parent(self) -> None:
        parent = model.load(test_data_path('bad-on'))
        direct = model.load(test_data_path('bad-on', 'probe_graph'))
        self.assertEqual(model.graph_to_dict(parent),
                         model.graph_to_dict(direct))

    def test_not_a_probe_graph_dir(self) -> None:
        with self.assertRaisesRegex(model.ParseError, 'probe_graph'):
            model.load(test_data_path())
        with self.assertRaisesRegex(model.ParseError, 'no such file'):
            model.load(test_data_path('does-not-exist'))

    def test_firmware_node_supplier(self) -> None:
        edge = model.Edge('/pg-x', 'pg-y', 'fwnode', 'blocking')
        self.assertFalse(edge.supplier_has_device)
        self.assertTrue(model.Edge('pg-x', 'pg-y', 'fwnode',
                                   'blocking').supplier_has_device)


GRAPH_HEADER = ('# probe_graph graph v1 mode=on\n'
                '# node\tdevice\tof_node\tdriver\tparent\tstate\tprobe_calls'
                '\tdefers\tready_ns\tstart_ns\tend_ns\tret\treason\n'
                '# edge\tsupplier\tconsumer\tkind\tstate\n')


def node_line(name: str, state: str = 'bound', times: str = '1\t2\t3',
              reason: str = '-') -> str:
    return 'node\t%s\t/%s\tdrv\t-\t%s\t1\t0\t%s\t0\t%s\n' % (
        name, name, state, times, reason)


class GraphFileTest(unittest.TestCase):

    def test_minimal(self) -> None:
        text = (GRAPH_HEADER + node_line('a') + node_line('b') +
                'edge\ta\tb\tdevlink\tsatisfied\n'
                'edge\t/c\tb\tfwnode\tblocking\n')
        mode, nodes, edges = model.parse_graph_file(text)
        self.assertEqual(mode, 'on')
        self.assertEqual([n.name for n in nodes], ['a', 'b'])
        self.assertEqual((nodes[0].ready_ns, nodes[0].start_ns,
                          nodes[0].end_ns), (1, 2, 3))
        self.assertEqual([e.kind for e in edges], ['devlink', 'fwnode'])
        self.assertFalse(edges[1].supplier_has_device)

    def test_errors(self) -> None:
        cases = {
            'fields': GRAPH_HEADER + 'node\ta\tb\n',
            'node state': GRAPH_HEADER + node_line('a', state='sleepy'),
            'number': GRAPH_HEADER + node_line('a', times='x\t2\t3'),
            'negative': GRAPH_HEADER + node_line('a', times='-1\t2\t3'),
            'follow': GRAPH_HEADER + 'edge\ta\tb\tfwnode\tblocking\n',
            'edge kind': (GRAPH_HEADER + node_line('b') +
                          'edge\ta\tb\tmagic\tblocking\n'),
            'edge state': (GRAPH_HEADER + node_line('b') +
                           'edge\ta\tb\tfwnode\tmaybe\n'),
            'record': GRAPH_HEADER + 'vertex\ta\n',
            'header': node_line('a'),
            'v1': GRAPH_HEADER.replace('v1', 'v2'),
            'mode': GRAPH_HEADER.replace('mode=on', 'mode=fast'),
        }
        for what, text in cases.items():
            with self.subTest(what=what):
                with self.assertRaisesRegex(model.ParseError, what):
                    model.parse_graph_file(text)

    def test_line_numbers_in_errors(self) -> None:
        with self.assertRaisesRegex(model.ParseError, r'graph:5:'):
            model.parse_graph_file(GRAPH_HEADER + node_line('a') +
                                   node_line('b', state='nope'))


class OtherFilesTest(unittest.TestCase):

    def test_stats(self) -> None:
        stats = model.parse_stats_file('mode on\nbusy 0\n\nname a b\n'
                                       'neg -3\nempty\n')
        self.assertEqual(stats, {'mode': 'on', 'busy': 0, 'name': 'a b',
                                 'neg': -3, 'empty': ''})

    def test_cycles(self) -> None:
        cycles = model.parse_cycles_file(
            '# probe_graph cycles v1\n# members\trelaxed\n'
            'b a\tb -> a\nc d e\t\n')
        self.assertEqual([(c.members, c.relaxed) for c in cycles],
                         [(['a', 'b'], 'b -> a'), (['c', 'd', 'e'], '')])

    def test_deferred(self) -> None:
        self.assertEqual(model.parse_deferred_file(
            'dev-a\twait for supplier x\ndev-b\n'),
            {'dev-a': 'wait for supplier x', 'dev-b': ''})

    def test_devices_file_fallback(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            root = os.path.join(tmp, 'boot')
            shutil.copytree(test_data_path('bad-on'), root)
            os.remove(os.path.join(root, 'probe_graph', 'graph'))
            with open(os.path.join(root, 'devices_deferred'), 'w') as f:
                f.write('pg-stranded\tneeds pg-broken\n')
            graph = model.load(root)
        self.assertEqual(graph.mode, 'on')
        self.assertEqual(len(graph.nodes), 61)
        self.assertEqual(graph.edges, [])
        stranded = graph.node('pg-stranded')
        assert stranded is not None
        self.assertEqual(stranded.reason,
                         'waiting for supplier pg-broken (failed)')
        self.assertIsNone(stranded.start_ns)
        self.assertEqual(graph.deferred, {'pg-stranded': 'needs pg-broken'})


class JsonTest(unittest.TestCase):

    def test_round_trip_every_fixture(self) -> None:
        for name in FIXTURES:
            with self.subTest(fixture=name):
                first = model.dump_json(model.load(test_data_path(name)))
                with tempfile.TemporaryDirectory() as tmp:
                    path = os.path.join(tmp, 'dump.json')
                    with open(path, 'w') as f:
                        f.write(first)
                    second = model.dump_json(model.load(path))
                self.assertEqual(first, second)

    def test_schema(self) -> None:
        data = json.loads(model.dump_json(
            model.load(test_data_path('bad-on'))))
        # cycles_relaxed keeps how the kernel broke each cycle.
        self.assertEqual(list(data), ['version', 'mode', 'nodes', 'edges',
                                      'cycles', 'stats', 'cycles_relaxed'])
        self.assertEqual(data['version'], 1)
        self.assertEqual(data['mode'], 'on')
        for node in data['nodes']:
            self.assertEqual(list(node), NODE_KEYS)
        for edge in data['edges']:
            self.assertEqual(list(edge), ['supplier', 'consumer', 'kind',
                                          'state'])
        self.assertEqual(data['cycles'], [['pg-ring-a', 'pg-ring-b']])
        self.assertEqual(len(data['cycles_relaxed']), 1)
        self.assertEqual(data['stats']['failed'], 1)
        cpu = data['nodes'][0]
        self.assertEqual(cpu['name'], 'cpu0')
        # 0 means "never" and is written as null.
        self.assertIsNone(cpu['ready_ns'])
        self.assertIsNone(cpu['driver'])
        keys = [(e['consumer'], e['supplier']) for e in data['edges']]
        self.assertEqual(keys, sorted(keys))

    def test_invalid_json(self) -> None:
        good = json.loads(model.dump_json(
            model.load(test_data_path('sample-on'))))
        broken = [
            ('version', dict(good, version=2)),
            ('mode', dict(good, mode='fast')),
            ('nodes', {k: v for k, v in good.items() if k != 'nodes'}),
            ('wrong type', dict(good, nodes=[dict(good['nodes'][0],
                                                  defers='3')])),
            ('positive or null', dict(good, nodes=[dict(good['nodes'][0],
                                                        ready_ns=0)])),
            ('edge state', dict(good, edges=[dict(good['edges'][0],
                                                  state='odd')])),
            ('cycles', dict(good, cycles=[[1, 2]])),
        ]
        for what, data in broken:
            with self.subTest(what=what):
                with self.assertRaisesRegex(model.ParseError, what):
                    model.graph_from_dict(data)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'x.json')
            with open(path, 'w') as f:
                f.write('{not json')
            with self.assertRaisesRegex(model.ParseError, 'not valid JSON'):
                model.load(path)


if __name__ == '__main__':
    unittest.main()
