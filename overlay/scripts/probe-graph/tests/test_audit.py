#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests for the audit of phandle properties fw_devlink does not parse."""

import os
import tempfile
import unittest

from fixtures import NodeSpec, build_fdt, strs, test_data_path, u32

from probe_graph import audit, fdt

SCHEMA = '''\
properties:
  compatible:
    const: test,mmc
  mmc-pwrseq:
    $ref: /schemas/types.yaml#/definitions/phandle
    description: the power sequence
  firmware:
    $ref: /schemas/types.yaml#/definitions/phandle
    description: the firmware
  bus-width:
    $ref: /schemas/types.yaml#/definitions/uint32
  vendor,syscon:
    items:
      - items:
          - description: the syscon
    $ref: /schemas/types.yaml#/definitions/phandle-array
'''


class AuditTest(unittest.TestCase):

    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        with open(os.path.join(self._tmp.name, 'mmc.yaml'), 'w') as f:
            f.write(SCHEMA)
        self.types = audit.schema_types(self._tmp.name)

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def test_schema_types(self) -> None:
        self.assertEqual(self.types['mmc-pwrseq'], {'phandle'})
        self.assertEqual(self.types['firmware'], {'phandle'})
        self.assertEqual(self.types['bus-width'], {'uint32'})
        self.assertEqual(self.types['vendor,syscon'], {'phandle-array'})
        self.assertEqual(self.types['assigned-clocks'], {'phandle-array'})
        self.assertNotIn('compatible', self.types)

    def tree(self) -> fdt.DeviceTree:
        dev = {'compatible': strs('test,dev')}
        return fdt.parse_fdt(build_fdt(NodeSpec('', {}, [
            NodeSpec('pwrseq', dict(dev, phandle=u32(1))),
            NodeSpec('clk', dict(dev, phandle=u32(2),
                                 **{'#clock-cells': u32(0)})),
            NodeSpec('mmc', dict(dev, **{
                'firmware': u32(1),
                # of_supplier_bindings[] parses clocks and, since this
                # series, mmc-pwrseq: not reported.
                'clocks': u32(2),
                'mmc-pwrseq': u32(1),
                # A number that happens to be a phandle.
                'bus-width': u32(1),
                'vendor,syscon': u32(2, 4)})),
            NodeSpec('cpus', {}, [NodeSpec('cpu@0', {
                'compatible': strs('arm,cortex-a53'),
                'vendor,syscon': u32(2, 8)})]),
            NodeSpec('off', dict(dev, status=strs('disabled'),
                                 firmware=u32(1))),
        ])))

    def test_ranked_by_schema(self) -> None:
        report = audit.audit([('a', self.tree()), ('b', self.tree())],
                             self.types)
        self.assertEqual([(e.prop, sorted(e.boards), e.nodes, e.outside,
                           e.example_node, e.example_supplier)
                          for e in report.entries], [
            ('vendor,syscon', ['a', 'b'], 2, 2, '/mmc', '/clk'),
            ('firmware', ['a', 'b'], 2, 0, '/mmc', '/pwrseq')])
        # bus-width = <1> looks like a phandle: the heuristic's false
        # positive, caught by the schema's uint32.
        self.assertEqual(report.heuristic_false, 2)
        self.assertEqual(report.heuristic_agree, 6)
        self.assertEqual(report.false_positive_rate, 0.25)

    def test_heuristic_without_schemas(self) -> None:
        report = audit.audit([('a', self.tree())])
        self.assertEqual(sorted(e.prop for e in report.entries),
                         ['bus-width', 'firmware', 'vendor,syscon'])
        self.assertIsNone(report.false_positive_rate)

    def test_raspi3b_firmware(self) -> None:
        # raspberrypi-power's firmware on raspi3b: a dependency the
        # kernel cannot see; soc:power defers until soc:firmware is
        # there.  The SDIO Wi-Fi's power sequence was one too, until
        # this series gave fw_devlink its mmc-pwrseq binding.
        tree = fdt.read_fdt(test_data_path('rpi3b.dtb'))
        report = audit.audit([('rpi3b', tree)], self.types)
        entry = next(e for e in report.entries if e.prop == 'firmware')
        self.assertEqual((entry.example_node, entry.example_supplier),
                         ('/soc/power', '/soc/firmware'))
        self.assertNotIn('mmc-pwrseq', [e.prop for e in report.entries])

if __name__ == '__main__':
    unittest.main()
