#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests for the flattened device tree reader."""

import struct
import unittest

from fixtures import NodeSpec, build_fdt, strs, test_data_path, u32

from probe_graph import fdt


def tiny_tree() -> NodeSpec:
    return NodeSpec('', {'compatible': strs('test,board'),
                         '#address-cells': u32(1)}, [
        NodeSpec('osc', {'compatible': strs('fixed-clock'),
                         '#clock-cells': u32(0), 'phandle': u32(7)}),
        NodeSpec('uart@1000', {'compatible': strs('ns16550a', 'serial'),
                               'clocks': u32(7), 'status': strs('okay')}, [
            NodeSpec('empty', {'flag': b''}),
        ]),
    ])


class HandBuiltBlobTest(unittest.TestCase):

    def test_nodes_paths_and_properties(self) -> None:
        tree = fdt.parse_fdt(build_fdt(tiny_tree()))
        self.assertEqual([n.path for n in tree.nodes()],
                         ['/', '/osc', '/uart@1000', '/uart@1000/empty'])
        uart = tree.node('/uart@1000')
        assert uart is not None
        self.assertEqual(uart.name, 'uart@1000')
        self.assertEqual(uart.strings('compatible'), ['ns16550a', 'serial'])
        self.assertEqual(uart.string('status'), 'okay')
        self.assertEqual(uart.cells('clocks'), [7])
        self.assertIs(uart.parent, tree.root)
        empty = tree.node('/uart@1000/empty')
        assert empty is not None
        self.assertTrue(empty.has('flag'))
        self.assertEqual(empty.properties['flag'], b'')
        self.assertIsNone(empty.u32('flag'))
        self.assertEqual([a.path for a in empty.ancestors()],
                         ['/uart@1000', '/'])

    def test_header_and_phandles(self) -> None:
        tree = fdt.parse_fdt(build_fdt(tiny_tree(),
                                       reserved=[(0x1000, 0x2000)]))
        self.assertEqual(tree.header.magic, fdt.FDT_MAGIC)
        self.assertEqual(tree.header.version, 17)
        self.assertIsNotNone(tree.header.size_dt_struct)
        self.assertEqual(tree.reserved, [(0x1000, 0x2000)])
        osc = tree.lookup_phandle(7)
        assert osc is not None
        self.assertEqual(osc.path, '/osc')
        self.assertIsNone(tree.lookup_phandle(8))

    def test_nop_tokens_are_skipped(self) -> None:
        plain = fdt.parse_fdt(build_fdt(tiny_tree()))
        with_nops = fdt.parse_fdt(build_fdt(tiny_tree(), nops=True))
        self.assertEqual([(n.path, n.properties) for n in plain.nodes()],
                         [(n.path, n.properties) for n in with_nops.nodes()])

    def test_version_16_header(self) -> None:
        tree = fdt.parse_fdt(build_fdt(tiny_tree(), version=16))
        self.assertEqual(tree.header.version, 16)
        self.assertIsNone(tree.header.size_dt_struct)
        self.assertIsNotNone(tree.node('/osc'))

    def test_bad_magic(self) -> None:
        blob = bytearray(build_fdt(tiny_tree()))
        blob[0:4] = u32(0x12345678)
        with self.assertRaisesRegex(fdt.FdtError, 'magic'):
            fdt.parse_fdt(bytes(blob))

    def test_truncated_blob(self) -> None:
        blob = build_fdt(tiny_tree())
        with self.assertRaises(fdt.FdtError):
            fdt.parse_fdt(blob[:20])
        with self.assertRaisesRegex(fdt.FdtError, 'totalsize'):
            fdt.parse_fdt(blob[:-8])

    def test_old_version_rejected(self) -> None:
        blob = bytearray(build_fdt(tiny_tree()))
        struct.pack_into('>I', blob, 20, 3)
        with self.assertRaisesRegex(fdt.FdtError, 'version'):
            fdt.parse_fdt(bytes(blob))

    def _struct_offset(self, blob: bytes) -> int:
        return int(struct.unpack_from('>I', blob, 8)[0])

    def test_unknown_token(self) -> None:
        blob = bytearray(build_fdt(tiny_tree()))
        struct.pack_into('>I', blob, self._struct_offset(blob), 0x77)
        with self.assertRaisesRegex(fdt.FdtError, 'unknown token'):
            fdt.parse_fdt(bytes(blob))

    def test_missing_end_token(self) -> None:
        blob = bytearray(build_fdt(tiny_tree()))
        off_strings = struct.unpack_from('>I', blob, 12)[0]
        # The FDT_END token is the last word of the structure block.
        struct.pack_into('>I', blob, off_strings - 4, fdt.FDT_NOP)
        with self.assertRaisesRegex(fdt.FdtError, 'FDT_END'):
            fdt.parse_fdt(bytes(blob))

    def test_unbalanced_end_node(self) -> None:
        blob = bytearray(build_fdt(NodeSpec('', {}, [])))
        off_strings = struct.unpack_from('>I', blob, 12)[0]
        # BEGIN_NODE "" END_NODE END: make END_NODE an END.
        struct.pack_into('>I', blob, off_strings - 8, fdt.FDT_END)
        with self.assertRaisesRegex(fdt.FdtError, 'inside node'):
            fdt.parse_fdt(bytes(blob))


class FixtureBlobTest(unittest.TestCase):

    def test_sample_dtb(self) -> None:
        tree = fdt.read_fdt(test_data_path('sample.dtb'))
        self.assertEqual(tree.header.version, 17)
        self.assertEqual(tree.root.strings('compatible'),
                         ['linux,dummy-virt'])
        pll = tree.node('/pg-pll')
        osc = tree.node('/pg-osc')
        assert pll is not None and osc is not None
        self.assertEqual(pll.u32('probe-delay-us'), 5000)
        self.assertEqual(pll.u32('#clock-cells'), 0)
        phandle = pll.u32('clocks')
        assert phandle is not None
        self.assertIs(tree.lookup_phandle(phandle), osc)
        self.assertIsNotNone(tree.node('/pg-bus/pg-mbox'))

    def test_bad_dtb_disabled_node(self) -> None:
        tree = fdt.read_fdt(test_data_path('bad.dtb'))
        off = tree.node('/pg-off')
        assert off is not None
        self.assertEqual(off.string('status'), 'disabled')


if __name__ == '__main__':
    unittest.main()
