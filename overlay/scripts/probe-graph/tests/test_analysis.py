#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests for critical path, blame, why, cycles, diff and check."""

import os
import shutil
import tempfile
import unittest
from typing import Optional

from fixtures import test_data_path

from probe_graph import analysis, model
from probe_graph.model import Cycle, Edge, Graph, Node


def load(name: str) -> Graph:
    return model.load(test_data_path(name))


def mk(name: str, state: str = 'bound', ready: Optional[int] = None,
       start: Optional[int] = None, end: Optional[int] = None,
       reason: str = '-', parent: Optional[str] = None, ret: int = 0,
       defers: int = 0) -> Node:
    return Node(name, '/' + name, 'drv', parent, state,
                1 if start else 0, defers, ready, start, end, ret, reason)


class CriticalPathTest(unittest.TestCase):

    def assert_consistent(self, chain: analysis.Chain) -> None:
        steps = chain.steps
        for prev, cur in zip(steps, steps[1:]):
            self.assertEqual(cur.via, prev.name)
            self.assertGreaterEqual(cur.start_ns, prev.end_ns)
            self.assertEqual(cur.wait_ns, cur.start_ns - prev.end_ns)
        for step in steps:
            self.assertEqual(step.probe_ns, step.end_ns - step.start_ns)
            self.assertGreaterEqual(step.wait_ns, 0)
        first = steps[0]
        assert first.ready_ns is not None
        self.assertIsNone(first.via)
        self.assertEqual(first.wait_ns, first.start_ns - first.ready_ns)
        self.assertEqual(chain.total_ns,
                         sum(s.wait_ns + s.probe_ns for s in steps))
        self.assertEqual(chain.total_ns, steps[-1].end_ns - first.ready_ns)

    def test_sample_on(self) -> None:
        graph = load('sample-on')
        report = analysis.critical_path(graph)
        assert report is not None
        last = max((n for n in graph.nodes if n.state == 'bound'),
                   key=lambda n: n.end_ns or 0)
        self.assertEqual(report.path.leaf, last.name)
        self.assertEqual(report.path.leaf, 'pg-bus:pg-audio')
        self.assertEqual([s.name for s in report.path.steps],
                         ['pg-osc', 'pg-pll', 'pg-bus', 'pg-bus:pg-mbox',
                          'pg-bus:pg-audio'])
        self.assertEqual([s.kind for s in report.path.steps],
                         [None, 'fwnode', 'fwnode', 'parent', 'fwnode'])
        self.assert_consistent(report.path)
        self.assertEqual(report.path.total_ns, 212268816 - 172419600)

        self.assertEqual(len(report.near), 3)
        slacks = [slack for _, slack in report.near]
        self.assertEqual(slacks, sorted(slacks))
        near = {chain.leaf: slack for chain, slack in report.near}
        self.assertNotIn('pg-bus:pg-audio', near)
        self.assertEqual(near['pg-display'], 212268816 - 196318800)
        for chain, slack in report.near:
            self.assertEqual(slack, report.path.end_ns - chain.end_ns)
            self.assert_consistent(chain)

    def test_other_fixtures(self) -> None:
        for name in ('sample-serial', 'bad-on'):
            with self.subTest(fixture=name):
                graph = load(name)
                report = analysis.critical_path(graph, slack=0)
                assert report is not None
                self.assertEqual(report.near, [])
                self.assertEqual(report.path.end_ns, analysis.makespan(graph))
                self.assert_consistent(report.path)

    def test_bad_on_ends_at_the_late_orphan(self) -> None:
        report = analysis.critical_path(load('bad-on'))
        assert report is not None
        self.assertEqual(report.path.leaf, 'pg-orphan')

    def test_no_probes(self) -> None:
        self.assertIsNone(analysis.critical_path(load('sample-off')))

    def test_releaser_is_the_last_gating_supplier(self) -> None:
        graph = Graph('on', [
            mk('early', ready=1, start=2, end=10),
            mk('late', ready=1, start=2, end=20),
            mk('loose', ready=1, start=2, end=29),
            mk('overlap', ready=1, start=2, end=40),
            mk('leaf', ready=25, start=30, end=50),
        ], [
            Edge('early', 'leaf', 'fwnode', 'satisfied'),
            Edge('late', 'leaf', 'devlink', 'satisfied'),
            Edge('loose', 'leaf', 'fwnode', 'relaxed'),
            Edge('overlap', 'leaf', 'fwnode', 'satisfied'),
        ])
        report = analysis.critical_path(graph)
        assert report is not None
        self.assertEqual([(s.name, s.wait_ns, s.probe_ns)
                          for s in report.path.steps],
                         [('late', 1, 18), ('leaf', 10, 20)])


class BlameTest(unittest.TestCase):

    def test_sample_on(self) -> None:
        graph = load('sample-on')
        entries = analysis.blame(graph)
        self.assertEqual(len(entries), len(graph.probed_nodes()))
        selfs = [e.self_ns for e in entries]
        self.assertEqual(selfs, sorted(selfs, reverse=True))
        self.assertEqual(entries[0].name, '9000000.pl011')
        by_name = {e.name: e for e in entries}
        audio = by_name['pg-bus:pg-audio']
        self.assertEqual(audio.self_ns, 212268816 - 204271376)
        self.assertEqual(audio.queue_ns, 204271376 - 204164176)
        # Queued after its first supplier, pg-ldo, was.
        self.assertEqual(audio.blocked_ns, 204164176 - 184492592)
        self.assertIsNone(by_name['pg-osc'].blocked_ns)
        self.assertNotIn('cpu0', by_name)


class WhyTest(unittest.TestCase):

    def test_stranded_by_a_failed_supplier(self) -> None:
        result = analysis.why(load('bad-on'), 'pg-stranded')
        self.assertFalse(result.bound)
        self.assertEqual(result.cause, 'failed')
        self.assertEqual(result.chain, ['pg-stranded', 'pg-broken'])
        for word in ('pg-broken', '-5', 'EIO', 'failed'):
            self.assertIn(word, result.text)

    def test_bound_orphan(self) -> None:
        result = analysis.why(load('bad-on'), 'pg-orphan')
        self.assertTrue(result.bound)
        self.assertEqual(result.cause, 'bound')
        self.assertIn('is bound', result.text)
        self.assertIn('2180.577 ms', result.text)

    def test_absent_has_no_driver(self) -> None:
        result = analysis.why(load('bad-on'), 'pg-absent')
        self.assertFalse(result.bound)
        self.assertEqual(result.cause, 'no-driver')
        self.assertIn('no driver', result.text)

    def test_failed_device_names_what_it_holds_up(self) -> None:
        result = analysis.why(load('bad-on'), 'pg-broken')
        self.assertEqual(result.cause, 'failed')
        self.assertIn('holds up pg-stranded', result.text)

    def test_rejected(self) -> None:
        result = analysis.why(load('sample-on'), 'a000000.virtio_mmio')
        self.assertEqual(result.cause, 'rejected')
        self.assertIn('ENODEV', result.text)

    def test_unknown_device(self) -> None:
        with self.assertRaises(analysis.UnknownDevice):
            analysis.why(load('bad-on'), 'pg-nothing')

    def test_missing_supplier_device(self) -> None:
        graph = Graph('on', [mk('c', 'waiting',
                                reason='waiting for supplier /pg-x '
                                       '(no device)')],
                      [Edge('/pg-x', 'c', 'fwnode', 'blocking')])
        result = analysis.why(graph, 'c')
        self.assertEqual(result.cause, 'missing-device')
        self.assertIn('/pg-x', result.text)
        # The same from the reason alone, as when edges are missing.
        graph.edges = []
        graph.reindex()
        result = analysis.why(graph, 'c')
        self.assertEqual(result.cause, 'missing-device')
        self.assertIn('/pg-x', result.text)

    def test_chain_to_a_deferring_driver(self) -> None:
        graph = Graph('on', [
            mk('a', 'waiting', reason='waiting for supplier b (waiting)'),
            mk('b', 'waiting', reason='waiting for parent p (deferred)',
               parent='p'),
            mk('p', 'deferred', ready=1, start=2, end=3, defers=2,
               reason='driver deferred: regulator vcc not ready'),
        ], [Edge('b', 'a', 'devlink', 'blocking'),
            Edge('p', 'b', 'parent', 'blocking')])
        result = analysis.why(graph, 'a')
        self.assertEqual(result.cause, 'deferred')
        self.assertEqual(result.chain, ['a', 'b', 'p'])
        self.assertIn('"regulator vcc not ready"', result.text)
        self.assertIn('parent p', result.text)

    def test_failed_parent_without_edge(self) -> None:
        graph = Graph('on', [
            mk('p', 'failed', ready=1, start=2, end=3, ret=-12,
               reason='probe failed: -12'),
            mk('c', 'waiting', reason='probing blocked', parent='p'),
        ])
        result = analysis.why(graph, 'c')
        self.assertEqual(result.chain, ['c', 'p'])
        self.assertIn('ENOMEM', result.text)

    def test_cycle(self) -> None:
        graph = Graph('on', [mk('a', 'waiting', reason='x'),
                             mk('b', 'waiting', reason='y')],
                      [Edge('b', 'a', 'fwnode', 'blocking'),
                       Edge('a', 'b', 'fwnode', 'blocking')],
                      [Cycle(['a', 'b'], 'a -> b')])
        result = analysis.why(graph, 'a')
        self.assertEqual(result.cause, 'cycle')
        self.assertIn('a -> b -> a', result.text)
        self.assertIn('relaxing a -> b', result.text)

    def test_stock_kernel_deferred_list(self) -> None:
        graph = Graph('off', deferred={'foo': 'supplier bar not ready'})
        result = analysis.why(graph, 'foo')
        self.assertFalse(result.bound)
        self.assertIn('supplier bar not ready', result.text)


class CyclesTest(unittest.TestCase):

    def test_bad_on_reports_the_ring_once(self) -> None:
        reports = analysis.find_cycles(load('bad-on'))
        self.assertEqual(len(reports), 1)
        self.assertEqual(reports[0].members, ['pg-ring-a', 'pg-ring-b'])
        self.assertEqual(reports[0].reported, 1)
        self.assertIn('fw_devlink', reports[0].broken)

    def test_sample_on_has_none(self) -> None:
        self.assertEqual(analysis.find_cycles(load('sample-on')), [])

    def test_cycle_found_in_edges(self) -> None:
        graph = Graph('on', [mk('a'), mk('b'), mk('c')], [
            Edge('a', 'b', 'fwnode', 'satisfied'),
            Edge('b', 'c', 'fwnode', 'satisfied'),
            Edge('c', 'a', 'devlink', 'cycle-broken'),
        ])
        reports = analysis.find_cycles(graph)
        self.assertEqual(len(reports), 1)
        self.assertEqual(reports[0].members, ['a', 'b', 'c'])
        self.assertTrue(reports[0].in_edges)
        self.assertEqual(reports[0].reported, 0)
        self.assertIn('c -> a cycle-broken', reports[0].broken)

    def test_tarjan(self) -> None:
        succ: dict[str, list[str]] = {'a': ['b'], 'b': ['c'], 'c': []}
        self.assertEqual(analysis.tarjan_scc(['a', 'b', 'c'], succ),
                         [['c'], ['b'], ['a']])
        succ = {'a': ['b'], 'b': ['a', 'c'], 'c': ['c'], 'd': ['e'],
                'e': ['d']}
        self.assertEqual(analysis.cyclic_components('abcde', succ),
                         [['a', 'b'], ['c'], ['d', 'e']])

    def test_tarjan_is_iterative(self) -> None:
        count = 20000
        names = ['n%05d' % i for i in range(count)]
        succ = {a: [b] for a, b in zip(names, names[1:])}
        self.assertEqual(analysis.cyclic_components(names, succ), [])
        succ[names[-1]] = [names[0]]
        cycles = analysis.cyclic_components(names, succ)
        self.assertEqual(len(cycles), 1)
        self.assertEqual(len(cycles[0]), count)


class DiffTest(unittest.TestCase):

    def test_parallel_against_serial(self) -> None:
        report = analysis.diff(load('sample-on'), load('sample-serial'))
        self.assertEqual(report.a_makespan_ns, 212268816)
        self.assertEqual(report.b_makespan_ns, 208241904)
        self.assertEqual(report.newly_not_bound, [])
        self.assertEqual(report.newly_deferred, [])
        self.assertEqual(report.edges_added, [])
        self.assertEqual(report.edges_removed, [])
        slower = {d.name: d.delta_ns for d in report.slower}
        self.assertEqual(slower['pg-display'],
                         (196245632 - 189512928) - (196318800 - 192910976))
        for d in report.slower + report.bound_later:
            self.assertGreater(d.delta_ns, report.threshold_ns)
        for d in report.faster + report.bound_earlier:
            self.assertLess(d.delta_ns, -report.threshold_ns)
        quiet = analysis.diff(load('sample-on'), load('sample-serial'),
                              threshold_ns=10 ** 12)
        self.assertEqual(quiet.slower + quiet.faster, [])

    def test_regressions(self) -> None:
        a = Graph('on', [mk('s', ready=1, start=2, end=3),
                         mk('c', ready=3, start=4, end=5)],
                  [Edge('s', 'c', 'fwnode', 'satisfied')])
        b = Graph('on', [mk('s', 'failed', ready=1, start=2, end=3, ret=-5,
                            reason='probe failed: -5'),
                         mk('c', 'deferred', ready=3, start=4, end=5,
                            defers=1, reason='driver deferred: x'),
                         mk('n', ready=1, start=2, end=3)],
                  [Edge('s', 'c', 'devlink', 'blocking'),
                   Edge('n', 'c', 'fwnode', 'satisfied')])
        report = analysis.diff(a, b)
        self.assertEqual(report.newly_deferred, ['c'])
        self.assertEqual([n for n, _ in report.newly_not_bound], ['c', 's'])
        self.assertEqual(report.newly_bound, ['n'])
        self.assertEqual(report.nodes_added, ['n'])
        self.assertEqual(report.edges_added, [('n', 'c', 'fwnode'),
                                              ('s', 'c', 'devlink')])
        self.assertEqual(report.edges_removed, [('s', 'c', 'fwnode')])


def copy_with_start(name: str, device: str, start_ns: int,
                    tmp: str) -> str:
    """A copy of a fixture with one device's start time changed."""
    root = os.path.join(tmp, name)
    shutil.copytree(test_data_path(name), root)
    path = os.path.join(root, 'probe_graph', 'graph')
    with open(path) as f:
        lines = f.read().splitlines(keepends=True)
    for i, line in enumerate(lines):
        fields = line.split('\t')
        if fields[0] == 'node' and fields[1] == device:
            fields[9] = str(start_ns)
            lines[i] = '\t'.join(fields)
            break
    else:
        raise AssertionError('%s not in %s' % (device, name))
    with open(path, 'w') as f:
        f.writelines(lines)
    return root


class CheckTest(unittest.TestCase):

    def test_sample_on_passes(self) -> None:
        results = analysis.check(load('sample-on'))
        self.assertEqual(len(results), 4)
        for result in results:
            self.assertTrue(result.ok, result.diagnostics)
            self.assertIsNone(result.skip)

    def test_bad_on_is_explained(self) -> None:
        results = analysis.check(load('bad-on'))
        self.assertTrue(all(r.ok for r in results))

    def test_consumer_starting_early_fails(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            # pg-osc ended at 186326128; start pg-pll 100 us before that.
            root = copy_with_start('sample-on', 'pg-pll', 186226128, tmp)
            results = analysis.check(model.load(root))
        self.assertFalse(results[0].ok)
        self.assertTrue(all(r.ok for r in results[1:]))
        self.assertEqual(len(results[0].diagnostics), 1)
        self.assertIn('pg-pll started 100.0 us before its supplier pg-osc',
                      results[0].diagnostics[0])

    def test_sample_off_skips(self) -> None:
        results = analysis.check(load('sample-off'))
        self.assertEqual(len(results), 4)
        for result in results:
            self.assertTrue(result.ok)
            assert result.skip is not None
            self.assertIn('off', result.skip)

    def test_unexplained_device(self) -> None:
        graph = Graph('on', [mk('a', 'waiting', reason='-'),
                             mk('b', 'idle', reason='no driver'),
                             mk('c', 'idle', reason='driver rejected it: -6'),
                             mk('d', 'probing', reason='-')],
                      stats={'defers_declared': 0})
        result = analysis.check(graph)[1]
        self.assertFalse(result.ok)
        self.assertEqual(len(result.diagnostics), 2)
        self.assertTrue(result.diagnostics[0].startswith('a is waiting'))
        self.assertTrue(result.diagnostics[1].startswith('d is probing'))

    def test_cycles_reported_once(self) -> None:
        twice = Graph('on', [mk('a'), mk('b')],
                      cycles=[Cycle(['a', 'b'], 'x'), Cycle(['b', 'a'], 'y')],
                      stats={'defers_declared': 0})
        self.assertFalse(analysis.check(twice)[2].ok)
        unreported = Graph('on', [mk('a'), mk('b')],
                           [Edge('a', 'b', 'fwnode', 'satisfied'),
                            Edge('b', 'a', 'fwnode', 'cycle-broken')],
                           stats={'defers_declared': 0})
        self.assertFalse(analysis.check(unreported)[2].ok)
        unreported.cycles = [Cycle(['a', 'b'], 'b -> a')]
        self.assertTrue(analysis.check(unreported)[2].ok)

    def test_child_probed_inside_parent_is_nested(self) -> None:
        # The parent's probe added the child and the child bound inside it.
        graph = Graph('on', [mk('p', start=100, end=500),
                             mk('c', start=200, end=300, parent='p')],
                      [Edge('p', 'c', 'parent', 'satisfied')],
                      stats={'defers_declared': 0})
        result = analysis.check(graph)[0]
        self.assertTrue(result.ok, result.diagnostics)
        self.assertEqual(len(result.diagnostics), 1)
        self.assertIn('c was probed nested in the probe of its parent p',
                      result.diagnostics[0])

    def test_child_outliving_parent_probe_fails(self) -> None:
        # Queued by the graph, started inside the parent's probe, ended
        # after it: not nested.
        graph = Graph('on', [mk('p', start=100, end=500),
                             mk('c', ready=150, start=200, end=600,
                                parent='p')],
                      [Edge('p', 'c', 'parent', 'satisfied')],
                      stats={'defers_declared': 0})
        self.assertFalse(analysis.check(graph)[0].ok)
        # A supplier that is not the parent never nests, whatever the
        # times.
        graph = Graph('on', [mk('p', start=100, end=500),
                             mk('q', start=100, end=500),
                             mk('c', start=200, end=300, parent='p')],
                      [Edge('q', 'c', 'fwnode', 'satisfied')],
                      stats={'defers_declared': 0})
        self.assertFalse(analysis.check(graph)[0].ok)

    def test_child_started_async_by_parent(self) -> None:
        # sdhci-aspeed prefers asynchronous probing: the sd-controller's
        # probe adds the slot, whose probe starts in the async domain and
        # ends after the parent's.  Not queued by the graph: no ready time.
        graph = Graph('on', [mk('p', start=100, end=500),
                             mk('c', start=200, end=600, parent='p')],
                      [Edge('p', 'c', 'parent', 'satisfied')],
                      stats={'defers_declared': 0})
        result = analysis.check(graph)[0]
        self.assertTrue(result.ok, result.diagnostics)
        self.assertIn('c was probed asynchronously from the probe of its '
                      'parent p', result.diagnostics[0])
        # Queued by the graph while the parent probed: a violation.
        graph.nodes[1].ready_ns = 150
        self.assertFalse(analysis.check(graph)[0].ok)
        # Started by its caller before the parent's probe: a violation.
        graph.nodes[1].ready_ns = None
        graph.nodes[1].start_ns = 50
        self.assertFalse(analysis.check(graph)[0].ok)

    def test_best_effort_console(self) -> None:
        # orangepi-pc's console UART, the stdout-path, probes while its
        # pin controller still probes: fw_devlink makes it best effort.
        graph = Graph('on', [mk('pinctrl', start=100, end=500),
                             mk('uart', ready=200, start=210, end=300,
                                reason='probed best effort')],
                      [Edge('pinctrl', 'uart', 'fwnode', 'satisfied')],
                      stats={'defers_declared': 0})
        result = analysis.check(graph)[0]
        self.assertTrue(result.ok, result.diagnostics)
        self.assertIn('uart was probed best effort before its supplier '
                      'pinctrl bound', result.diagnostics[0])
        graph.nodes[1].reason = '-'
        self.assertFalse(analysis.check(graph)[0].ok)

    def test_child_linked_to_parent_is_nested(self) -> None:
        # imx-pgc-power-domain.N: added by the gpc's probe, probed inside
        # it, and its own probe links it to its parent as a supplier.
        graph = Graph('on', [mk('p', start=100, end=500),
                             mk('c', start=200, end=300, parent='p')],
                      [Edge('p', 'c', 'parent', 'satisfied'),
                       Edge('p', 'c', 'devlink', 'satisfied')],
                      stats={'defers_declared': 0})
        result = analysis.check(graph)[0]
        self.assertTrue(result.ok, result.diagnostics)
        self.assertEqual(len(result.diagnostics), 2)
        # Outliving the parent's probe, it is not.
        graph.nodes[1].end_ns = 600
        self.assertFalse(analysis.check(graph)[0].ok)

    def test_unforeseen_defers(self) -> None:
        graph = Graph('on', stats={'defers_declared': 0, 'unforeseen': 1})
        result = analysis.check(graph)[3]
        self.assertFalse(result.ok)
        self.assertIn('unforeseen is 1', result.diagnostics[0])
        graph.stats['unforeseen'] = 0
        self.assertTrue(analysis.check(graph)[3].ok)

    def test_declared_defers(self) -> None:
        graph = Graph('serial', stats={'defers_declared': 2})
        self.assertFalse(analysis.check(graph)[3].ok)
        self.assertFalse(analysis.check(Graph('on'))[3].ok)
        self.assertTrue(analysis.check(
            Graph('on', stats={'defers_declared': 0}))[3].ok)


class ErrnoTest(unittest.TestCase):

    def test_names(self) -> None:
        self.assertEqual(analysis.errno_name(-5), 'EIO')
        self.assertEqual(analysis.errno_name(-517), 'EPROBE_DEFER')
        self.assertEqual(analysis.errno_name(-4095), 'errno 4095')


if __name__ == '__main__':
    unittest.main()
