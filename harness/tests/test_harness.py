#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests for the boot harness, on a console log captured from a real
QEMU boot of harness/dts/sample.dtsi."""

import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import boot  # noqa: E402
import check_boot  # noqa: E402

DATA = HERE / "data"


class ParseConsoleTest(unittest.TestCase):
    def setUp(self) -> None:
        self.log = (DATA / "sample-boot.log").read_text()

    def test_files_between_markers(self) -> None:
        files = boot.parse_console(self.log)
        devices = files["/sys/kernel/debug/probe_graph/devices"]
        self.assertTrue(devices.startswith("# probe_graph devices v1"))
        self.assertIn("pg-bus:pg-audio\tpg-bus\tbound\t1\t0\t-\n", devices)
        self.assertEqual(files["/sys/kernel/debug/devices_deferred"], "")

    def test_kernel_lines_inside_a_program_block_are_kept(self) -> None:
        text = ("=== probe-graph begin /run/a ===\nx\n[ 1.0] late printk\n"
                "=== probe-graph end /run/a ===\n")
        self.assertEqual(boot.parse_console(text)["/run/a"],
                         "x\n[ 1.0] late printk\n")

    def test_kernel_lines_inside_a_debugfs_file_are_dropped(self) -> None:
        # ast2600-evb: a late message between two records of the graph
        # file, which the tool would refuse.
        path = "/sys/kernel/debug/probe_graph/graph"
        text = (f"=== probe-graph begin {path} ===\nnode\ta\n"
                "[    1.140324] hrtimer: interrupt took 3280422 ns\n"
                f"edge\tb\ta\tparent\tsatisfied\n"
                f"=== probe-graph end {path} ===\n")
        self.assertEqual(boot.parse_console(text)[path],
                         "node\ta\nedge\tb\ta\tparent\tsatisfied\n")

    def test_kernel_lines_inside_a_step_file_are_dropped(self) -> None:
        # modules-off: a late message in the devices bound after a step,
        # which the check took for a device still bound.
        path = "/step/2/bound"
        text = (f"=== probe-graph begin {path} ===\n"
                "[    9.896944] hrtimer: interrupt took 3984800 ns\n"
                f"=== probe-graph end {path} ===\n")
        self.assertEqual(boot.parse_console(text)[path], "")

    def test_truncated_block_is_an_error(self) -> None:
        cut = self.log[:self.log.index("=== probe-graph end")]
        with self.assertRaises(boot.BootError):
            boot.parse_console(cut)

    def test_device_tree_too_large_for_qemu_is_refused(self) -> None:
        # 1047648 bytes did not boot (no console at all), 1007648 did.
        with tempfile.TemporaryDirectory() as tmp:
            dtb = Path(tmp) / "t.dtb"
            dtb.write_bytes(b"\0" * 1047648)
            with self.assertRaisesRegex(boot.BootError, "1047648 bytes"):
                boot.check_dtb_size(dtb)
            dtb.write_bytes(b"\0" * 1007648)
            boot.check_dtb_size(dtb)

    def test_fatal_patterns(self) -> None:
        self.assertIsNone(boot.FATAL_RE.search(self.log))
        for line in ("Kernel panic - not syncing: VFS",
                     "------------[ cut here ]------------",
                     "BUG: KASAN: slab-use-after-free in x"):
            self.assertIsNotNone(boot.FATAL_RE.search(line), line)


class CheckBootTest(unittest.TestCase):
    def setUp(self) -> None:
        self.files = boot.parse_console(
            (DATA / "sample-boot.log").read_text())
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write(self, name: str) -> Path:
        path = Path(self.tmp.name) / name
        path.write_text(self.files[f"/sys/kernel/debug/probe_graph/{name}"])
        return path

    def test_read_devices(self) -> None:
        devices = check_boot.read_devices(self.write("devices"))
        self.assertEqual(devices["pg-osc"].state, "bound")
        self.assertEqual(devices["pg-osc"].probe_calls, 1)
        self.assertEqual(devices["pg-bus:pg-mbox"].parent, "pg-bus")
        self.assertEqual(devices["cpu0"].reason, "no driver")
        self.assertEqual(devices["a000000.virtio_mmio"].reason,
                         "driver rejected it: -19")
        self.assertNotIn("# device", devices)

    def test_read_stats(self) -> None:
        stats = check_boot.read_stats(self.write("stats"))
        self.assertEqual(stats["mode"], "on")
        self.assertEqual(stats["defers_declared"], "0")
        self.assertEqual(stats["busy"], "0")


class DisableUnusedTest(unittest.TestCase):
    """No test device probe may span clk_disable_unused()."""

    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp)
        self.dtb = self.tmp / "t.dtb"
        self.compile("#clock-cells = <0>;")
        self.td = self.tmp / "out" / "probe_graph_test_device"
        self.td.mkdir(parents=True)
        # pg-osc bound from 100 to 200 ns, pg-uart from 150 to 400 ns.
        (self.td / "probes").write_text("pg-osc 100 200 0\n"
                                         "pg-uart 150 400 0\n")

    def compile(self, cells: str) -> None:
        dts = ("/dts-v1/;\n/ {\n\tpg-osc {\n"
               "\t\tcompatible = \"probe-graph,test-device\";\n"
               f"\t\t{cells}\n\t}};\n"
               "\tpg-uart {\n"
               "\t\tcompatible = \"probe-graph,test-device\";\n"
               "\t\tclocks = <&{/pg-osc}>;\n\t};\n};\n")
        subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o",
                        str(self.dtb), "-"], input=dts, text=True,
                       check=True)

    def check(self, when: str) -> list[str]:
        (self.td / "disable_unused_ns").write_text(when + "\n")
        return check_boot.check_disable_unused(self.tmp / "out", self.dtb)

    def test_clock_providers(self) -> None:
        self.assertEqual(check_boot.clock_providers_in_dtb(self.dtb),
                         ["pg-osc"])

    def test_after_every_probe(self) -> None:
        self.assertEqual(self.check("500"), [])

    def test_probe_running_across_it(self) -> None:
        problems = self.check("300")
        self.assertEqual(len(problems), 1)
        self.assertIn("pg-uart was probing when clk_disable_unused() ran",
                      problems[0])

    def test_no_clock_turned_off(self) -> None:
        self.assertEqual(self.check("0"),
                         ["clk_disable_unused() turned off no test clock"])

    def test_missing_record(self) -> None:
        problems = check_boot.check_disable_unused(self.tmp / "out",
                                                   self.dtb)
        self.assertEqual(len(problems), 1)
        self.assertIn("missing", problems[0])

    def test_kernel_message_on_a_probe_line(self) -> None:
        # As captured: the console put a kernel message after the last
        # line of the file, before the newline.
        (self.td / "probes").write_text(
            "pg-osc 100 200 0\n"
            "pg-uart 150 400 0[    0.770438] hrtimer: interrupt took "
            "3038336 ns\n\n")
        self.assertEqual(check_boot.read_probes(self.td / "probes"),
                         [("pg-osc", 100, 200), ("pg-uart", 150, 400)])
        problems = self.check("300")
        self.assertEqual(len(problems), 1)
        self.assertIn("pg-uart", problems[0])

    def test_tree_without_clock_provider(self) -> None:
        self.compile("#reset-cells = <0>;")
        self.assertEqual(self.check("300"), [])


if __name__ == "__main__":
    unittest.main()
