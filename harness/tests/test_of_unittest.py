#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests for check_of_unittest.py, on the "### dt-test ###" lines of
real QEMU boots of the CONFIG_OF_UNITTEST kernel: probe_graph=on, off,
and off with driver_async_probe=unittest,unittest-gpio, where the GPIO
overlay tests fail because they rely on synchronous probing."""

import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import check_of_unittest  # noqa: E402

DATA = HERE / "data" / "of-unittest"


def captured(name: str) -> check_of_unittest.Result:
    return check_of_unittest.parse((DATA / f"{name}.log").read_text())


class OfUnittestTest(unittest.TestCase):
    def test_parse(self) -> None:
        on = captured("on")
        self.assertEqual((on.passed, on.failed), (367, 4))
        self.assertTrue(on.reached_init)
        self.assertEqual(len(on.failures), 4)
        self.assertTrue(all(f.startswith("FAIL of_unittest_check_addr() ")
                            for f in on.failures))

    def test_graph_matches_stock(self) -> None:
        self.assertEqual(check_of_unittest.compare(captured("on"),
                                                   captured("off")), [])

    def test_asynchronous_probing_differs(self) -> None:
        problems = check_of_unittest.compare(captured("off-async"),
                                             captured("off"))
        self.assertEqual(problems[0], "362 passed, 9 failed with the graph; "
                         "367 passed, 4 failed without")
        self.assertIn("only with the graph: FAIL of_unittest_overlay_gpio() "
                      "unittest_gpio_probe() failed or not called", problems)

    def test_no_summary(self) -> None:
        problems = check_of_unittest.compare(check_of_unittest.parse(""),
                                             captured("off"))
        self.assertIn("on: no unittest summary", problems)
        self.assertIn("on: the boot did not reach init", problems)


if __name__ == "__main__":
    unittest.main()
