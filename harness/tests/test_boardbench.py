#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests for harness/boardbench.py (harness/boards, rpi3-bench), on
console logs captured from real QEMU raspi3b boots of bcm2837-rpi-3-b.dts:
data/rpi3/off.log (probe_graph=off) and data/rpi3/on.log (probe_graph=on,
a boot where soc:firmware's children were probed before soc:firmware
bound)."""

import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import boardbench as bench  # noqa: E402
import boot  # noqa: E402
from board_defs import BOARDS, RASPI3B  # noqa: E402

DATA = HERE / "data" / "rpi3"


def block(log: str, name: str) -> str:
    files = boot.parse_console((DATA / log).read_text())
    text: str = files[name]
    return text


class ParseTest(unittest.TestCase):
    def test_probe_records(self) -> None:
        probes = bench.parse_probes(block("off.log", "/kmsg/probes"))
        self.assertEqual(len(probes), 51)
        first = probes[0]
        self.assertEqual((first.device, first.ret, first.usecs,
                          first.time_us),
                         ("3f201000.serial", -517, 0, 380797))
        # ->probe() errors are positive, the driver core's own negative
        rets = {p.device: p.ret for p in probes}
        self.assertEqual(rets["leds"], 5)
        self.assertEqual(rets["bcm2835-power"], 19)

    def test_already_bound_is_not_a_result(self) -> None:
        # Asynchronous attach of at24's dummies: bound, then -EBUSY.
        text = (DATA / "off.log").read_text().replace(
            "=== probe-graph end /kmsg/probes ===",
            "7,901,1500000,-;probe of leds returned 0 after 5 usecs\n"
            "7,902,1500100,-;probe of leds returned -16 after 1 usecs\n"
            "=== probe-graph end /kmsg/probes ===")
        with tempfile.TemporaryDirectory() as tmp:
            log = Path(tmp) / "off.log"
            log.write_text(text)
            run = bench.measure("off", 0, log, True, {})
        self.assertIn("leds", run.bound)
        self.assertNotIn("leds", run.failed)

    def test_probe_records_ignore_other_lines(self) -> None:
        text = ("[    1.0] probe of x returned 0 after 1 usecs\n"
                "6,10,2000,-;something else\n"
                "7,11,3000,-;probe of a.b returned 517 after 12 usecs\n")
        probes = bench.parse_probes(text)
        self.assertEqual([(p.device, p.ret) for p in probes],
                         [("a.b", 517)])

    def test_graph(self) -> None:
        nodes = bench.parse_graph(
            block("on.log", "/sys/kernel/debug/probe_graph/graph"))
        clocks = nodes["soc:firmware:clocks"]
        self.assertEqual(clocks.parent, "soc:firmware")
        self.assertEqual(clocks.driver, "raspberrypi-clk")
        self.assertEqual(clocks.suppliers, {})
        self.assertEqual(nodes["3f201000.serial"].suppliers, {
            "3f101000.cprman": ("fwnode", "satisfied"),
            "3f200000.gpio": ("fwnode", "satisfied")})
        self.assertEqual(nodes["leds"].suppliers,
                         {"soc:firmware:gpio": ("fwnode", "relaxed")})
        self.assertEqual(nodes["cpu0"].driver, "-")

    def test_devices_and_deferred(self) -> None:
        devices = bench.parse_devices(
            block("on.log", "/sys/kernel/debug/probe_graph/devices"))
        self.assertEqual(devices["leds"], ("failed", "probe failed: -5"))
        self.assertEqual(devices["3f300000.mmc"][0], "deferred")
        deferred = bench.parse_deferred(
            block("on.log", "/sys/kernel/debug/devices_deferred"))
        self.assertEqual(deferred, {"3f300000.mmc": ""})

    def test_stats(self) -> None:
        stats = bench.parse_stats(
            block("on.log", "/sys/kernel/debug/probe_graph/stats"))
        self.assertEqual(stats["mode"], "on")
        self.assertEqual(stats["defers_declared"], "0")


class MeasureTest(unittest.TestCase):
    def setUp(self) -> None:
        self.topology = bench.topology_of([DATA / "on.log"])

    def test_off(self) -> None:
        run = bench.measure("off", 0, DATA / "off.log", True, self.topology)
        self.assertTrue(run.ok, run.problems)
        self.assertEqual(len(run.probed), 39)
        self.assertEqual(len(run.bound), 35)
        self.assertEqual(run.attempts, 51)
        self.assertEqual(run.deferral_count, 12)
        self.assertEqual((run.deferrals_of("link"),
                          run.deferrals_of("driver")), (6, 6))
        self.assertEqual(run.failed,
                         {"bcm2835-power": 19, "leds": 5, "wifi-pwrseq": 5})
        self.assertAlmostEqual(run.last_probe_ms, 879.447)
        self.assertFalse(run.no_console)
        self.assertEqual(run.still_deferred, {"3f300000.mmc": ""})
        self.assertIsNone(run.graph_bound)

    def test_off_causes(self) -> None:
        run = bench.measure("off", 0, DATA / "off.log", True, self.topology)
        causes = {(d.device, d.kind, d.cause) for d in run.deferrals}
        self.assertIn(("soc:firmware", "link",
                       "declared dependency not bound yet: "
                       "fwnode 3f00b880.mailbox"), causes)
        self.assertIn(("soc:power", "driver",
                       "undeclared dependency: every declared one had "
                       "bound"), causes)
        self.assertIn(("leds", "driver",
                       "only a non-blocking dependency not bound yet: "
                       "fwnode soc:firmware:gpio (relaxed edge)"), causes)

    def test_on(self) -> None:
        run = bench.measure("on", 0, DATA / "on.log", True, self.topology)
        self.assertEqual(run.deferrals_of("link"), 0)
        self.assertEqual(run.deferral_count, 20)
        # the same bound set as off
        off = bench.measure("off", 0, DATA / "off.log", True, self.topology)
        self.assertEqual(run.bound, off.bound)
        # serial8250:0.1 bound, then gave its line to the mini UART
        assert run.graph_bound is not None
        self.assertEqual(set(run.bound) - set(run.graph_bound),
                         {"serial8250:0.1"})
        self.assertEqual(run.graph_stats["defers_driver"], "20")
        self.assertEqual(run.graph_reasons["leds"], "probe failed: -5")

    def test_on_child_before_parent(self) -> None:
        run = bench.measure("on", 0, DATA / "on.log", True, self.topology)
        early = [d for d in run.deferrals if d.blocking]
        self.assertEqual([d.device for d in early],
                         ["soc:firmware:clocks", "soc:firmware:gpio"])
        self.assertEqual(early[0].waiting_for, ["parent soc:firmware"])
        self.assertIn("soc:firmware: last result 19 at 746.4 ms, "
                      "bound at 756.9 ms", early[0].detail)

    def test_console_warning(self) -> None:
        text = (DATA / "off.log").read_text()
        with tempfile.TemporaryDirectory() as tmp:
            log = Path(tmp) / "off.log"
            log.write_text(text.replace(
                "=== probe-graph init ===",
                "[    1.0] Warning: unable to open an initial console.\n"
                "=== probe-graph init ==="))
            run = bench.measure("off", 0, log, True, self.topology)
        self.assertTrue(run.no_console)


class SummaryTest(unittest.TestCase):
    def setUp(self) -> None:
        topology = bench.topology_of([DATA / "on.log"])
        self.present = set(topology)
        self.off = bench.measure("off", 0, DATA / "off.log", True, topology)
        self.on = bench.measure("on", 0, DATA / "on.log", True, topology)
        self.ref = set(bench.end_bound(self.off, self.present))

    def test_end_bound(self) -> None:
        self.assertEqual(len(self.ref), 34)
        self.assertNotIn("serial8250:0.1", self.ref)
        self.assertEqual(bench.end_bound(self.on, self.present),
                         self.on.graph_bound)

    def test_same_bound_set(self) -> None:
        s = bench.summarise("on", [self.on], self.ref, self.present)
        self.assertTrue(s.same_bound_as_off)
        self.assertEqual(s.bound_sets, 1)
        self.assertEqual(s.bound, 34)
        self.assertEqual(s.deferrals, 20)
        self.assertEqual(s.transient, {"serial8250:0.1": 1})

    def test_transient_device_not_probed(self) -> None:
        # the mini UART took line 1 before serial8250:0.1 was probed
        self.on.bound.remove("serial8250:0.1")
        s = bench.summarise("on", [self.on], self.ref, self.present)
        self.assertTrue(s.same_bound_as_off)
        self.assertEqual(s.transient, {})

    def test_missing_device(self) -> None:
        self.on.bound.remove("soc:power")
        s = bench.summarise("on", [self.on], self.ref, self.present)
        self.assertFalse(s.same_bound_as_off)
        self.assertEqual(s.bound_diff["missing"], ["soc:power"])

    def test_report(self) -> None:
        runs = {"off": [self.off], "on": [self.on]}
        md = bench.report(RASPI3B,
                          [bench.summarise(m, r, self.ref, self.present)
                           for m, r in runs.items()],
                          runs, self.present, "6.12", "QEMU",
                          "harness/rpi3-bench")
        self.assertIn("| off | `probe_graph=off` | 1/1 | 39 | 34 | yes |",
                      md)
        self.assertIn("| on | `probe_graph=on` | 1/1 | 39 | 34 | yes |", md)
        self.assertIn("equals the bound devices of probe_graph/devices in "
                      "1/1 `on` boots", md)
        self.assertIn("## Deferrals left under probe_graph=on", md)
        self.assertIn("**The graph probed it before a declared dependency "
                      "had bound.**", md)
        # the board's own notes: a transient device and a failing one
        self.assertIn("serial8250:0.1 is the legacy 8250 port", md)
        self.assertIn("- `leds`: gpio-leds takes its GPIO", md)

    def test_report_level(self) -> None:
        runs = {"off": [self.off]}
        md = bench.report(RASPI3B, [bench.summarise("off", [self.off],
                                                    self.ref, self.present)],
                          runs, self.present, "6.12", "QEMU", "x",
                          level="##")
        self.assertTrue(md.startswith("## Raspberry Pi 3 model B: "))
        self.assertIn("\n### Boots\n", md)
        self.assertNotIn("\n## Boots", md)

    def test_summary_table(self) -> None:
        runs = {"off": [self.off], "on": [self.on]}
        result = bench.BoardResult(
            board=RASPI3B, kernel="6.12", qemu="QEMU", runs=runs,
            present=self.present,
            summaries=[bench.summarise(m, r, self.ref, self.present)
                       for m, r in runs.items()])
        table = bench.summary_table([result])
        self.assertEqual(len(table), 3)
        row = table[2].split(" | ")
        self.assertEqual(row[0], "| raspi3b")
        self.assertEqual(row[1], "34")
        self.assertEqual(row[2], "- / yes")     # no async boots
        self.assertEqual(row[3], "51 / - / 59")
        ratio = self.on.last_probe_ms / self.off.last_probe_ms
        self.assertEqual(row[6], f"{ratio:.2f}")
        self.assertTrue(result.good)
        result.summaries[1].same_bound_as_off = False
        self.assertFalse(result.good)


class InitTimeTest(unittest.TestCase):
    def test_init_record(self) -> None:
        text = (DATA / "off.log").read_text().replace(
            "=== probe-graph end /kmsg/probes ===",
            "6,900,1234567,-;Run /init as init process\n"
            "=== probe-graph end /kmsg/probes ===")
        with tempfile.TemporaryDirectory() as tmp:
            log = Path(tmp) / "off.log"
            log.write_text(text)
            run = bench.measure("off", 0, log, True, {})
        self.assertAlmostEqual(run.init_ms, 1234.567)

    def test_no_init_record(self) -> None:
        run = bench.measure("off", 0, DATA / "off.log", True, {})
        self.assertEqual(run.init_ms, 0.0)
        s = bench.summarise("off", [run], None, set())
        self.assertEqual(s.init_ms, 0.0)


class ArmBoardTest(unittest.TestCase):
    """A 32-bit board: QEMU mcimx7d-sabre booting imx7d-sdb.dts, once
    with probe_graph=off and once with on (data/boards/)."""

    def setUp(self) -> None:
        data = HERE / "data" / "boards"
        self.topology = bench.topology_of([data / "mcimx7d-sabre-on.log"])
        self.present = set(self.topology)
        self.off = bench.measure("off", 0, data / "mcimx7d-sabre-off.log",
                                 True, self.topology)
        self.on = bench.measure("on", 0, data / "mcimx7d-sabre-on.log",
                                True, self.topology)

    def test_boots(self) -> None:
        for run in (self.off, self.on):
            self.assertTrue(run.ok, run.problems)
            self.assertTrue(run.measured)
            self.assertGreater(run.init_ms, run.last_probe_ms)

    def test_same_bound_set(self) -> None:
        ref = set(bench.end_bound(self.off, self.present))
        self.assertEqual(len(ref), 63)
        s = bench.summarise("on", [self.on], ref, self.present)
        self.assertTrue(s.same_bound_as_off, s.bound_diff)
        # QEMU does not model the SNVS RTC: it fails the same in both.
        self.assertEqual(self.off.failed["30370000.snvs:snvs-rtc-lp"], 110)
        self.assertEqual(self.on.failed, self.off.failed)

    def test_deferrals(self) -> None:
        # Stock probes consumers before their suppliers and defers them;
        # the graph waits, and only an undeclared dependency is left.
        self.assertEqual(self.off.deferral_count, 82)
        self.assertTrue(all(d.cause.startswith("declared dependency")
                            for d in self.off.deferrals))
        self.assertEqual([(d.device, d.kind) for d in self.on.deferrals],
                         [("30840000.spi", "driver")])
        self.assertLess(self.on.attempts, self.off.attempts)


class BoardsTest(unittest.TestCase):
    def test_boards(self) -> None:
        self.assertEqual(set(BOARDS), {"raspi3b", "sabrelite",
                                       "mcimx7d-sabre", "orangepi-pc",
                                       "ast2600-evb"})
        for name, b in BOARDS.items():
            self.assertIn(name, boot.BOARD_MACHINES)
            self.assertTrue(b.dtb.endswith(".dtb"))
            self.assertTrue((HERE.parent / "configs" / b.fragment).is_file())
        self.assertEqual(BOARDS["sabrelite"].arch.kernel_arch, "arm")
        self.assertEqual(RASPI3B.arch.image, "arch/arm64/boot/Image")


if __name__ == "__main__":
    unittest.main()
