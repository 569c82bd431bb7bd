#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests for the module boot checker (check_modules.py), on what
real QEMU boots of the debug kernel printed with probe_graph=on and off:
the step lines of the console log and the files dumped after each step,
cut down to the test devices."""

import dataclasses
import sys
import tempfile
import unittest
from pathlib import Path
from typing import List

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import check_modules  # noqa: E402
from check_modules import Step  # noqa: E402

DATA = HERE / "data"


def captured(mode: str) -> tuple[List[Step], str]:
    d = DATA / f"modules-{mode}"
    log = (d / "console.log").read_text()
    return check_modules.read_steps(log, d / "files"), log


def replace(steps: List[Step], n: int, **changes: object) -> List[Step]:
    return [dataclasses.replace(s, **changes) if s.n == n else s
            for s in steps]


class CapturedBootsTest(unittest.TestCase):
    def test_graph_boot_passes(self) -> None:
        steps, log = captured("on")
        self.assertEqual(check_modules.check(steps, log, True), [])
        self.assertEqual([s.op for s in steps], check_modules.STEPS)
        # the children were still probing when the module went away
        flying = [d for d in steps[0].devices.values()
                  if d.state in check_modules.IN_FLIGHT]
        self.assertEqual(len(flying), 4)
        self.assertIn("4 probes in flight",
                      check_modules.summary(steps, True))

    def test_stock_boot_passes_the_stock_rules(self) -> None:
        steps, log = captured("off")
        self.assertEqual(check_modules.check(steps, log, False), [])
        # bound as sysfs says: the graph tracks nothing with "off"
        self.assertEqual(steps[0].devices, {})
        self.assertLessEqual(check_modules.READY, steps[0].bound)

    def test_stock_boot_shows_no_probe_in_flight(self) -> None:
        # Children probed in their parent's probe are nested, not
        # violations, with the graph or without; but without the graph
        # nothing says which probes are in flight.
        steps, log = captured("off")
        self.assertEqual(check_modules.check(steps, log, True), [])
        self.assertTrue(any("no probe in flight" in w for w in
                            check_modules.unexercised(steps, True)))

    def test_ordering_violation_fails(self) -> None:
        steps, log = captured("on")
        log += ("[    5.0] probe-graph-test-device pg-mod-user: ordering "
                "violation: clocks supplier /pg-mod-clk not bound\n")
        problems = check_modules.check(steps, log, False)
        self.assertEqual(len(problems), 1)
        self.assertIn("ordering violation", problems[0])

    def test_graph_boot_exercised_the_unload_during_probes(self) -> None:
        steps, _ = captured("on")
        self.assertEqual(check_modules.unexercised(steps, True), [])


class BrokenBootsTest(unittest.TestCase):
    def setUp(self) -> None:
        self.steps, self.log = captured("on")

    def problems(self, steps: List[Step]) -> List[str]:
        return check_modules.check(steps, self.log, True)

    def test_load_returning_early(self) -> None:
        steps = replace(self.steps, 1,
                        bound=self.steps[0].bound - {"pg-mod-solo-2"})
        self.assertEqual(self.problems(steps), [
            "step 1 insmod:probe_graph_test_device returned before "
            "pg-mod-solo-2 bound"])

    def test_bound_after_unload(self) -> None:
        steps = replace(self.steps, 2, bound={"pg-mod-clk"})
        self.assertEqual(self.problems(steps),
                         ["bound after unloading: pg-mod-clk"])

    def test_probing_after_unload(self) -> None:
        devices = dict(self.steps[1].devices)
        devices["pg-mod-clk"] = dataclasses.replace(devices["pg-mod-clk"],
                                                    state="probing")
        steps = replace(self.steps, 2, devices=devices)
        self.assertEqual(self.problems(steps), [
            "graph nodes after unloading: {'pg-mod-clk': 'probing'}"])

    def test_async_test_module_failing(self) -> None:
        steps = replace(self.steps, 5, rc=-1, err="Connection timed out")
        self.assertEqual(self.problems(steps), [
            "step 5 insmod:test_async_driver_probe: rc -1 "
            "(Connection timed out)"])

    def test_missing_step(self) -> None:
        problems = self.problems(self.steps[:4])
        self.assertEqual(len(problems), 1)
        self.assertIn("steps run", problems[0])

    def test_not_all_bound_in_the_end(self) -> None:
        steps = replace(self.steps, 4, bound=self.steps[3].bound -
                        {"pg-mod-bus:pg-mod-child-3"})
        self.assertEqual(self.problems(steps), [
            "not bound after settling: pg-mod-bus:pg-mod-child-3"])


class RequestModuleTest(unittest.TestCase):
    """pg-mod-loader's probe loads probe_graph_test_module."""

    LOADED = ("probe_graph_test_module: 1 of 1 devices bound when the "
              "registration returned")
    REQUEST = ("probe-graph-test-device pg-mod-loader: "
               "request_module(probe_graph_test_module): 0 in kworker/u9:0, "
               "work probe_graph_probe_work")

    def test_captured_boots_pass(self) -> None:
        for mode in ("on", "off"):
            _, log = captured(mode)
            self.assertEqual(check_modules.check_request_module(log), [],
                             mode)
            self.assertEqual(len(check_modules.loaders(log)), 2, mode)

    def test_graph_worker_ran_the_loader(self) -> None:
        steps, log = captured("on")
        self.assertIn(check_modules.GRAPH_WORK, check_modules.works(log))
        self.assertEqual(check_modules.unexercised(steps, True, log), [])
        by_init = log.replace("work probe_graph_probe_work", "work 0x0")
        self.assertEqual(check_modules.unexercised(steps, True, by_init), [
            "the registration probed pg-mod-loader itself each time: no "
            "graph worker loaded a module"])

    def test_stock_does_not_wait_for_the_loader(self) -> None:
        # The deferred list retries it in a worker nobody waits for.
        steps, log = captured("off")
        steps = replace(steps, 1,
                        bound=steps[0].bound - {"pg-mod-loader"})
        self.assertEqual(check_modules.check(steps, log, False), [])
        self.assertEqual(check_modules.check(steps, log, True), [
            "step 1 insmod:probe_graph_test_device returned before "
            "pg-mod-loader bound"])

    def test_module_never_loaded(self) -> None:
        _, log = captured("on")
        log = log.replace(self.LOADED, "")
        self.assertEqual(check_modules.check_request_module(log), [
            "probe_graph_test_module initialised 0 times, expected once"])

    def test_device_not_bound_when_registration_returned(self) -> None:
        _, log = captured("on")
        log = log.replace("1 of 1 devices", "0 of 1 devices")
        self.assertEqual(check_modules.check_request_module(log), [
            "probe_graph_test_module: 0 of 1 devices bound when its "
            "registration returned"])

    def test_request_failing(self) -> None:
        # as dev_err() prints it: modprobe's wait status, exit 1
        failed = ("probe-graph-test-device pg-mod-loader: "
                  "request_module(probe_graph_test_module): 256")
        log = "\n".join([self.LOADED, failed])
        self.assertEqual(check_modules.check_request_module(log), [
            "request_module(probe_graph_test_module) returned 256 in "
            "pg-mod-loader's probe"])

    def test_order(self) -> None:
        good = "\n".join([self.LOADED, self.REQUEST])
        self.assertEqual(check_modules.check_request_module(good), [])
        early = "\n".join([self.REQUEST, self.LOADED])
        self.assertEqual(check_modules.check_request_module(early), [
            "request_module() returned before the module's init had"])


class LeaksTest(unittest.TestCase):
    def test_kmemleak_report(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "kmemleak"
            self.assertEqual(check_modules.leaks(path),
                             ["no kmemleak report printed"])
            path.write_text("")
            self.assertEqual(check_modules.leaks(path), [])
            path.write_text(
                "unreferenced object 0xffff000001234500 (size 64):\n"
                "  comm \"insmod\", pid 60, jiffies 4294893648\n"
                "  backtrace (crc 0):\n"
                "    kmemleak_alloc+0x34/0x40\n")
            self.assertEqual(check_modules.leaks(path), [
                "kmemleak: unreferenced object 0xffff000001234500 "
                "(size 64):"])


if __name__ == "__main__":
    unittest.main()
