#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests for the probe-graph command line."""

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from typing import Any
from unittest import mock

from fixtures import TOOL, NodeSpec, build_fdt, strs, test_data_path, u32

from probe_graph import cli


class CliTest(unittest.TestCase):

    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def run_main(self, *argv: str) -> tuple[int, str, str]:
        out = io.StringIO()
        err = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.main(list(argv))
        return status, out.getvalue(), err.getvalue()

    def to_file(self, *argv: str) -> tuple[int, str]:
        path = os.path.join(self.tmp, 'out')
        status, out, _ = self.run_main(*argv, '-o', path)
        self.assertEqual(out, '')
        with open(path) as f:
            return status, f.read()

    def test_dump_round_trip(self) -> None:
        status, first = self.to_file('dump', test_data_path('bad-on'))
        self.assertEqual(status, 0)
        dump = os.path.join(self.tmp, 'dump.json')
        with open(dump, 'w') as f:
            f.write(first)
        status, second = self.to_file('dump', dump)
        self.assertEqual(first, second)
        self.assertEqual(json.loads(first)['version'], 1)

    def test_every_command_reads_a_dump(self) -> None:
        _, text = self.to_file('dump', test_data_path('sample-on'))
        dump = os.path.join(self.tmp, 'sample-on.json')
        with open(dump, 'w') as f:
            f.write(text)
        for args in (['critical-path', '--json'], ['blame', '--json'],
                     ['cycles', '--json']):
            with self.subTest(command=args[0]):
                _, a = self.to_file(args[0], test_data_path('sample-on'),
                                    *args[1:])
                _, b = self.to_file(args[0], dump, *args[1:])
                self.assertEqual(a, b)

    def test_why_exit_status(self) -> None:
        bad_on = test_data_path('bad-on')
        status, out, _ = self.run_main('why', bad_on, 'pg-stranded')
        self.assertEqual(status, 1)
        self.assertIn('pg-broken', out)
        self.assertIn('-5', out)
        status, out, _ = self.run_main('why', bad_on, 'pg-orphan')
        self.assertEqual(status, 0)
        self.assertIn('bound', out)
        status, out, err = self.run_main('why', bad_on, 'pg-none')
        self.assertEqual(status, 2)
        self.assertEqual(out, '')
        self.assertIn("no device named 'pg-none'", err)
        status, _, err = self.run_main('why', test_data_path('sample-off'),
                                       'pg-none')
        self.assertEqual(status, 2)
        self.assertIn('mode=off', err)

    def test_why_either_order(self) -> None:
        a = self.run_main('why', test_data_path('bad-on'), 'pg-absent')
        b = self.run_main('why', 'pg-absent', test_data_path('bad-on'))
        self.assertEqual(a, b)
        self.assertEqual(a[0], 1)
        self.assertIn('no driver', a[1])

    def test_check(self) -> None:
        status, out = self.to_file('check', test_data_path('sample-on'))
        self.assertEqual(status, 0)
        lines = out.splitlines()
        self.assertEqual(lines[0], 'KTAP version 1')
        self.assertIn('1..4', lines)
        self.assertEqual(len([x for x in lines if x.startswith('ok ')]), 4)
        status, out = self.to_file('check', test_data_path('sample-off'))
        self.assertEqual(status, 0)
        self.assertEqual(out.count('# SKIP'), 4)

    def test_check_failure_status(self) -> None:
        _, text = self.to_file('dump', test_data_path('sample-on'))
        data = json.loads(text)
        for node in data['nodes']:
            if node['name'] == 'pg-display':
                # Before its supplier pg-pwm ended.
                node['start_ns'] = 192000000
        dump = os.path.join(self.tmp, 'early.json')
        with open(dump, 'w') as f:
            json.dump(data, f)
        status, out = self.to_file('check', dump)
        self.assertEqual(status, 1)
        self.assertIn('not ok 1 ', out)
        self.assertIn('# pg-display started', out)

    def test_critical_path(self) -> None:
        status, text = self.to_file('critical-path',
                                    test_data_path('sample-on'))
        self.assertEqual(status, 0)
        self.assertTrue(text.startswith('critical path to pg-bus:pg-audio:'))
        self.assertIn('near-critical chains:', text)
        _, text = self.to_file('critical-path', test_data_path('sample-on'),
                               '--json', '--slack', '1')
        data = json.loads(text)
        self.assertEqual(data['path']['leaf'], 'pg-bus:pg-audio')
        self.assertEqual(len(data['path']['steps']), 5)
        self.assertEqual(len(data['near']), 1)
        _, text = self.to_file('critical-path', test_data_path('sample-off'))
        self.assertIn('no critical path', text)

    def test_blame_and_cycles(self) -> None:
        _, text = self.to_file('blame', test_data_path('sample-on'),
                               '--top', '2', '--json')
        rows = json.loads(text)
        self.assertEqual([r['name'] for r in rows],
                         ['9000000.pl011', '9010000.pl031'])
        _, text = self.to_file('cycles', test_data_path('bad-on'))
        self.assertEqual(text.count('pg-ring-a pg-ring-b'), 1)
        _, text = self.to_file('cycles', test_data_path('sample-on'))
        self.assertEqual(text, 'no dependency cycles\n')

    def test_diff(self) -> None:
        status, text = self.to_file('diff', test_data_path('sample-on'),
                                    test_data_path('sample-serial'))
        self.assertEqual(status, 0)
        self.assertIn('last bind at: 212.269 -> 208.242 ms (-4.027 ms)', text)
        self.assertIn('probe slower by more than 1.000 ms:', text)
        _, text = self.to_file('diff', test_data_path('sample-on'),
                               test_data_path('bad-on'), '--json',
                               '--threshold-us', '500')
        data: dict[str, Any] = json.loads(text)
        self.assertEqual(data['threshold_ns'], 500000)
        self.assertIn('pg-broken', data['nodes_added'])
        self.assertIn('pg-display', data['nodes_removed'])
        self.assertIn({'supplier': 'pg-broken', 'consumer': 'pg-stranded',
                       'kind': 'fwnode'}, data['edges_added'])

    def test_dot_and_svg(self) -> None:
        status, text = self.to_file('dot', test_data_path('sample-on'),
                                    '--focus', 'pg-bus', '--depth', '1',
                                    '--direction', 'down')
        self.assertEqual(status, 0)
        self.assertIn('"pg-bus:pg-mbox"', text)
        self.assertNotIn('"pg-pll" [', text)
        status, _, err = self.run_main('dot', test_data_path('sample-on'),
                                       '--focus', 'nope')
        self.assertEqual(status, 2)
        self.assertIn('nope', err)
        with mock.patch('shutil.which', return_value=None):
            status, _, err = self.run_main(
                'dot', test_data_path('sample-on'), '--svg',
                os.path.join(self.tmp, 'g.svg'))
        self.assertEqual(status, 2)
        self.assertIn('Graphviz', err)

    def test_trace_and_timeline(self) -> None:
        _, text = self.to_file('trace', test_data_path('sample-serial'))
        trace = json.loads(text)
        self.assertEqual(trace['displayTimeUnit'], 'ms')
        _, text = self.to_file('timeline', test_data_path('sample-on'),
                               '--width', '900')
        root = ET.fromstring(text.encode())
        self.assertEqual(root.get('width'), '900')

    def test_predict(self) -> None:
        status, text = self.to_file('predict', test_data_path('bad.dtb'))
        self.assertEqual(status, 0)
        self.assertIn('cycle: pg-ring-a pg-ring-b\n'
                      '  closed by /pg-ring-a:clocks -> /pg-ring-b\n'
                      '  closed by /pg-ring-b:clocks -> /pg-ring-a\n', text)
        self.assertIn('dropped: /pg-off -> /pg-unreset (resets): supplier '
                      'is disabled', text)
        delays = os.path.join(self.tmp, 'delays.json')
        with open(delays, 'w') as f:
            json.dump({'/pg-sensor': 99999}, f)
        _, text = self.to_file('predict', test_data_path('sample.dtb'),
                               '--json', '--delays', delays, '--children')
        data = json.loads(text)
        self.assertEqual(data['depth'], 4)
        self.assertEqual(data['critical_path'],
                         {'chain': [['/pg-sensor']], 'total_us': 99999})
        with open(delays, 'w') as f:
            json.dump({'/pg-sensor': 'slow'}, f)
        status, _, err = self.run_main('predict', test_data_path('sample.dtb'),
                                       '--delays', delays)
        self.assertEqual(status, 2)
        self.assertIn('microseconds', err)

    def test_predict_output_is_a_source(self) -> None:
        dump = os.path.join(self.tmp, 'predicted.json')
        status, _ = self.to_file('predict', '--dump',
                                 test_data_path('bad.dtb'))
        self.assertEqual(status, 0)
        self.run_main('predict', '--dump', test_data_path('bad.dtb'),
                      '-o', dump)
        report = os.path.join(self.tmp, 'report.json')
        self.run_main('predict', '--json', test_data_path('bad.dtb'),
                      '-o', report)
        for source in (dump, report):
            _, text = self.to_file('cycles', source)
            self.assertEqual(text, 'cycle: pg-ring-a pg-ring-b (predicted)\n'
                             '  closed by /pg-ring-a:clocks -> /pg-ring-b\n'
                             '  closed by /pg-ring-b:clocks -> /pg-ring-a\n')
            # probe-delay-us gives probe times: all bound, in order.
            status, text = self.to_file('why', source, '/pg-orphan')
            self.assertEqual(status, 0)
            self.assertIn('pg-orphan is bound', text)
            _, text = self.to_file('critical-path', source)
            self.assertIn('pg-absent -> pg-orphan', text)
            status, text = self.to_file('dot', source)
            self.assertEqual(status, 0)
            self.assertIn('"pg-absent" -> "pg-orphan"', text)
            # Its cycle is listed once; nothing was deferred.
            status, text = self.to_file('check', source)
            self.assertEqual(status, 0, text)
            self.assertIn('ok 3 each cycle is reported once\n', text)
            self.assertIn('ok 4 no probe deferred on a declared dependency '
                          '# SKIP a prediction probes nothing\n', text)
        status, text = self.to_file('diff', dump, test_data_path('bad-on'))
        self.assertEqual(status, 0)
        self.assertIn('by device tree node (prediction against boot):\n'
                      '  devices only predicted: none\n', text)

    def test_diff_prediction_with_boot(self) -> None:
        dump = os.path.join(self.tmp, 'rpi3b.json')
        self.run_main('predict', '--dump', test_data_path('rpi3b.dtb'),
                      '-o', dump)
        _, text = self.to_file('diff', dump, test_data_path('rpi3b-on'))
        self.assertIn('  devices only booted: none\n', text)
        self.assertIn('  devices: 38 predicted, 25 booted, 25 on both '
                      'sides\n', text)
        self.assertIn('  blocking edges between them: 42 predicted, 44 '
                      'booted, 42 on both sides\n', text)
        self.assertIn('  blocking edges only booted: 2\n', text)

    def test_predict_views_and_status(self) -> None:
        dtb = test_data_path('bad.dtb')
        status, text = self.to_file('predict', '--summary', dtb)
        self.assertEqual(status, 0)
        self.assertIn('cycles: 1', text)
        # Without probe-delay-us or --delays there are no probe times.
        plain = os.path.join(self.tmp, 'plain.dtb')
        with open(plain, 'wb') as f:
            f.write(build_fdt(NodeSpec('', {}, [
                NodeSpec('clk', {'compatible': strs('a,clk'),
                                 '#clock-cells': u32(0),
                                 'phandle': u32(1)}),
                NodeSpec('user', {'compatible': strs('a,dev'),
                                  'clocks': u32(1)})])))
        _, text = self.to_file('predict', '--summary', plain)
        self.assertIn('critical path: no probe times', text)
        self.assertNotIn(' us ', text)
        dump = os.path.join(self.tmp, 'plain.json')
        self.run_main('predict', '--dump', plain, '-o', dump)
        _, text = self.to_file('critical-path', dump)
        self.assertEqual(text, 'no bound device with probe times: no '
                         'critical path\nlongest dependency chain: 2 '
                         'devices: clk -> user\n')
        status, text = self.to_file('why', dump, 'user')
        self.assertEqual(status, 1)
        self.assertIn('user waits for its supplier clk', text)
        _, text = self.to_file('blame', dump)
        self.assertEqual(text, 'no probe times: a prediction has them only '
                         'with --delays or probe-delay-us\n')
        status, _ = self.to_file('predict', '--fail-on-cycles', dtb)
        self.assertEqual(status, 1)
        status, _ = self.to_file('predict', '--fail-on-cycles',
                                 test_data_path('sample.dtb'))
        self.assertEqual(status, 0)
        _, text = self.to_file('predict', '--focus', 'pg-orphan', dtb)
        self.assertEqual(text, 'pg-orphan (/pg-orphan)\n'
                         'suppliers: 1\n'
                         '  1 pg-absent (fwnode satisfied, from pg-orphan)\n'
                         'consumers: 0\n')
        _, text = self.to_file('predict', '--order', dtb)
        lines = text.splitlines()
        self.assertLess(
            next(i for i, x in enumerate(lines) if ' pg-absent ' in x),
            next(i for i, x in enumerate(lines) if ' pg-orphan ' in x))
        status, _, err = self.run_main('predict', '--focus', 'nothing', dtb)
        self.assertEqual(status, 2)

    def test_bad_inputs(self) -> None:
        status, _, err = self.run_main('dump', test_data_path('nothing'))
        self.assertEqual(status, 2)
        self.assertIn('no such file', err)
        status, _, err = self.run_main('predict',
                                       test_data_path('bad-on', 'console.log'))
        self.assertEqual(status, 2)
        self.assertIn('magic', err)
        self.assertNotIn('compile it first', err)
        source = os.path.join(self.tmp, 'board.dts')
        with open(source, 'w', encoding='utf-8') as f:
            f.write('/dts-v1/;\n\n/ {\n\tmodel = "a board with a '
                    'name long enough for a header";\n};\n')
        status, _, err = self.run_main('predict', source)
        self.assertEqual(status, 2)
        self.assertIn('magic', err)
        self.assertIn('compile it first', err)
        self.assertEqual(len(err.splitlines()), 1)
        # A .dts where a dump is wanted gets the same hint.
        status, _, err = self.run_main('cycles', source)
        self.assertEqual(status, 2)
        self.assertIn('compile it', err)
        self.assertEqual(len(err.splitlines()), 1)
        status, _, err = self.run_main('predict', '--depth', '2',
                                       test_data_path('bad.dtb'))
        self.assertEqual(status, 2)
        self.assertEqual(err, 'probe-graph: error: --depth goes with '
                         '--focus\n')
        with contextlib.redirect_stderr(io.StringIO()):
            with self.assertRaises(SystemExit):
                cli.main([])


class ExecutableTest(unittest.TestCase):

    def test_runs_as_a_script(self) -> None:
        self.assertTrue(os.access(TOOL, os.X_OK))
        result = subprocess.run(
            [sys.executable, TOOL, 'why', 'pg-stranded',
             test_data_path('bad-on')],
            capture_output=True, text=True, check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn('pg-broken', result.stdout)


if __name__ == '__main__':
    unittest.main()
