# SPDX-License-Identifier: GPL-2.0
"""Tests of the scale benchmark's parser, on a log of a real UML run."""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import scale_bench  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "scale"


class ScaleBenchTest(unittest.TestCase):
    def setUp(self) -> None:
        self.text = (DATA / "uml-100k.log").read_text()

    def test_parses_every_size(self) -> None:
        scales = scale_bench.parse(self.text)
        self.assertEqual(sorted(scales), [1000, 10000, 100000])
        big = scales[100000]
        self.assertTrue(big.ok)
        self.assertEqual(big.add_ns, 88603)
        self.assertEqual(big.drain_ns, 8346)
        self.assertEqual(big.node_bytes, 64)
        self.assertEqual(big.pending_bytes, 256)
        self.assertEqual(big.edge_bytes, 0)
        self.assertEqual((big.private_bytes, big.private_object), (216, 256))

    def test_report_has_ratio(self) -> None:
        out = scale_bench.report(scale_bench.parse(self.text))
        self.assertIn("| 100000 | 88603 | 8346 | 64 | 320 | 0 | ok |", out)
        self.assertIn("x1.08", out)
        self.assertIn("216 bytes in a 256-byte object", out)

    def test_failed_case_is_not_ok(self) -> None:
        text = self.text.replace("ok 3 100000 devices",
                                 "not ok 3 100000 devices")
        self.assertFalse(scale_bench.parse(text)[100000].ok)


if __name__ == "__main__":
    unittest.main()
