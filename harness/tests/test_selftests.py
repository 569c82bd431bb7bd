#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests for check_selftests.py, on what
tools/testing/selftests/dt/test_unprobed_devices.sh printed in real QEMU
boots of the sample tree with probe_graph=on and off."""

import dataclasses
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import check_selftests  # noqa: E402

DATA = HERE / "data" / "selftests-dt"


def captured(mode: str) -> check_selftests.Run:
    return check_selftests.parse((DATA / f"{mode}.log").read_text())


class SelftestsTest(unittest.TestCase):
    def setUp(self) -> None:
        self.on, self.off = captured("on"), captured("off")
        self.tests = check_selftests.test_nodes(self.on.results)

    def test_parse(self) -> None:
        self.assertEqual(len(self.on.results), 59)
        self.assertEqual(self.on.totals, (13, 39, 7))
        self.assertEqual(self.on.exit, 1)
        self.assertEqual(self.on.results["/pg-display"], "pass")
        self.assertEqual(self.on.results["/psci"], "fail")
        self.assertEqual(len(self.tests), 10)

    def test_same_with_and_without_the_graph(self) -> None:
        self.assertEqual(check_selftests.compare(self.on, self.off,
                                                 self.tests), [])

    def test_a_node_that_differs(self) -> None:
        results = dict(self.on.results, **{"/pl061@9030000": "fail"})
        on = dataclasses.replace(self.on, results=results)
        self.assertEqual(check_selftests.compare(on, self.off, self.tests),
                         ["/pl061@9030000: fail with the graph, pass "
                          "without"])

    def test_a_test_device_left_unbound_in_both(self) -> None:
        results = dict(self.on.results, **{"/pg-sensor": "fail"})
        on = dataclasses.replace(self.on, results=results)
        off = dataclasses.replace(self.off, results=results)
        self.assertEqual(check_selftests.compare(on, off, self.tests),
                         ["/pg-sensor: fail with the graph"])

    def test_no_output(self) -> None:
        empty = check_selftests.parse("init: run x: exit 127\n")
        problems = check_selftests.compare(empty, self.off, [])
        self.assertIn("on: no KTAP results from the selftest", problems)


if __name__ == "__main__":
    unittest.main()
