#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests for the bad tree corpus: the generator (gen_bad.py) and the
checker (check_bad.py), on console logs captured from real QEMU boots of
harness/dts/bad/cycle-2 and failing-supplier."""

import json
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from typing import Dict, List

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import boot  # noqa: E402
import check_bad  # noqa: E402
import gen_bad  # noqa: E402

DATA = HERE / "data" / "bad-trees"


def expect(tree: gen_bad.Tree) -> check_bad.Expectation:
    """The expectation the checker reads, through JSON as on disk."""
    return check_bad.expectation_from(
        json.loads(gen_bad.render_json(tree)))


def labels(text: str) -> List[str]:
    return re.findall(r"^\s*(\w+): [\w,-]+ \{", text, re.M)


class GeneratorTest(unittest.TestCase):
    def setUp(self) -> None:
        self.trees = gen_bad.corpus(big=300)

    def test_names_are_unique(self) -> None:
        names = [t.name for t in self.trees]
        self.assertEqual(len(names), len(set(names)))
        for tree in self.trees:
            devices = tree.test_devices()
            self.assertEqual(len(devices), len(set(devices)), tree.name)

    def test_expectations_name_devices_of_the_tree(self) -> None:
        for tree in self.trees:
            devices = set(tree.test_devices())
            self.assertTrue(devices, tree.name)
            self.assertLessEqual(set(tree.unbound), devices, tree.name)
            self.assertLessEqual(set(tree.may_violate), devices, tree.name)
            self.assertLessEqual(set(tree.driver_defers), devices, tree.name)
            self.assertLessEqual(set(tree.why), set(tree.unbound), tree.name)
            for pair in tree.edges:
                sup, _, con = pair.partition(">")
                self.assertIn(sup, devices, tree.name)
                self.assertIn(con, devices, tree.name)
            exp = expect(tree)
            self.assertEqual(sorted(exp.devices), sorted(devices))

    def test_corpus_covers_the_cases(self) -> None:
        by_name = {t.name: t for t in self.trees}
        for n in (2, 3, 100):
            self.assertEqual(by_name[f"cycle-{n}"].cycles, 1)
        # fw_devlink drops a self-reference: no edge, no report
        self.assertEqual(by_name["cycle-1"].cycles, 0)
        self.assertEqual(by_name["cycle-pair"].cycles, 2)
        self.assertEqual(len(by_name["fan-in-300"].test_devices()), 301)
        self.assertEqual(len(by_name["chain-300"].test_devices()), 300)
        self.assertEqual(by_name["undeclared-dependency"].needs,
                         gen_bad.DEFER_PROP)
        self.assertIn("0xdead", gen_bad.render_dtsi(
            by_name["dangling-phandle"]))
        small = [t.name for t in self.trees if not t.large]
        self.assertNotIn("cycle-100", small)
        self.assertIn("cycle-3", small)

    def test_deep_chains_boot_and_slow_off_boots_are_marked(self) -> None:
        trees = {t.name: t for t in gen_bad.corpus(10000)}
        self.assertIn("chain-1k", [n for n, t in trees.items()
                                   if not t.large])
        self.assertIsNone(trees["chain-100"].slow_off)
        self.assertTrue(trees["chain-1k"].slow_off)
        self.assertEqual(gen_bad.expectation(trees["chain-1k"])["slow_off"],
                         trees["chain-1k"].slow_off)

    def test_self_reference(self) -> None:
        text = gen_bad.render_dtsi(gen_bad.self_cycle())
        self.assertIn("pg_self: pg-self {", text)
        self.assertIn("clocks = <&pg_self>;", text)

    def test_chain_is_through_phandles(self) -> None:
        tree = gen_bad.chain(5)
        self.assertEqual(tree.test_devices(),
                         [f"k{i:05d}" for i in (4, 3, 2, 1, 0)])
        text = gen_bad.render_dtsi(tree)
        for i in range(1, 5):
            self.assertIn(f"clocks = <&k{i - 1:05d}>", text)
        self.assertEqual(text.count("{"), 6)  # the root and five nodes

    def test_disabled_nodes_and_their_children_are_not_devices(self) -> None:
        devices = gen_bad.disabled().test_devices()
        self.assertEqual(devices, ["pg-off-user", "pg-off-child-user"])

    def test_children_are_named_after_their_parents(self) -> None:
        tree = gen_bad.Tree("t", "t", [], [gen_bad.Node(
            "pg-bus", children=[gen_bad.Node("pg-kid")])])
        self.assertEqual(tree.test_devices(), ["pg-bus", "pg-bus:pg-kid"])
        text = gen_bad.render_dtsi(tree)
        self.assertRegex(text, r"pg-bus \{[^}]*pg-kid \{")

    def test_every_reference_has_a_label(self) -> None:
        for tree in self.trees:
            text = gen_bad.render_dtsi(tree)
            defined = set(labels(text))
            body = text[text.index("*/"):]
            used = set(re.findall(r"&(\w+)", body))
            self.assertLessEqual(used, defined, tree.name)
            self.assertEqual(len(defined), len(labels(text)), tree.name)

    def test_header(self) -> None:
        for tree in self.trees:
            text = gen_bad.render_dtsi(tree)
            self.assertTrue(text.startswith(
                "// SPDX-License-Identifier: GPL-2.0\n/*\n"), tree.name)
            self.assertIn(f'Bad tree "{tree.name}"', text)
            self.assertIn("Generated by harness/gen_bad.py;", text)
            self.assertIn("--big 300", gen_bad.render_dtsi(tree, 300))
            self.assertEqual(text.count("{"), text.count("}"), tree.name)

    def test_large_trees_reopen_the_root(self) -> None:
        tree = gen_bad.fan_in(2500)
        text = gen_bad.render_dtsi(tree)
        self.assertEqual(text.count("\n/ {\n"), 3)
        self.assertTrue(tree.large)
        # one line a node
        self.assertEqual(len(re.findall(r"^\tpg.*\};$", text, re.M)), 2501)

    def test_json(self) -> None:
        data = json.loads(gen_bad.render_json(gen_bad.failing()))
        self.assertEqual(data["version"], 1)
        self.assertEqual(data["size"], "small")
        self.assertEqual(data["bound"], [])
        self.assertEqual(data["unbound"]["pg-fail"], "probe failed: -5")
        self.assertIn("deferred_probe_timeout=", data["boot"]["append"])
        self.assertIn("pg.min_ms=", data["boot"]["init_args"])

    @unittest.skipUnless(shutil.which("dtc"), "needs dtc")
    def test_small_trees_compile(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            for tree in self.trees:
                if tree.large:
                    continue
                src = Path(tmp) / "t.dts"
                src.write_text("/dts-v1/;\n/ {\n};\n" +
                               gen_bad.render_dtsi(tree))
                proc = subprocess.run(
                    ["dtc", "-q", "-I", "dts", "-O", "dtb", "-o",
                     str(Path(tmp) / "t.dtb"), str(src)],
                    capture_output=True, text=True, check=False)
                self.assertEqual(proc.returncode, 0,
                                 tree.name + proc.stderr)

    def test_write_and_check(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            out = ["--out", tmp, "--big", "150"]
            self.assertEqual(gen_bad.main(out), 0)
            self.assertTrue((Path(tmp) / "chain-150.dtsi").exists())
            self.assertEqual(gen_bad.main(out + ["--check"]), 0)
            (Path(tmp) / "cycle-2.json").write_text("{}\n")
            (Path(tmp) / "stray.dtsi").write_text("\n")
            self.assertEqual(gen_bad.main(out + ["--check"]), 1)

    def test_committed_corpus_is_up_to_date(self) -> None:
        self.assertEqual(gen_bad.main(["--check"]), 0)


class CheckerTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def boot(self, name: str, edit: Dict[str, str] = {}) -> Path:
        """The debugfs directory boot.py --out would write from a log,
        with the replacements of edit applied to the log first."""
        log = (DATA / f"{name}.log").read_text()
        for old, new in edit.items():
            self.assertIn(old, log)
            log = log.replace(old, new)
        out = Path(self.tmp.name) / name
        for path, content in boot.parse_console(log).items():
            dest = out / path.replace("/sys/kernel/debug/", "").strip("/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(content)
        (out / "console.log").write_text(log)
        return out

    def check_on(self, name: str, tree: gen_bad.Tree,
                 edit: Dict[str, str] = {}) -> List[str]:
        out = self.boot(name, edit)
        return check_bad.check_on(expect(tree), out,
                                  (out / "console.log").read_text(), None)

    def test_cycle_boot_passes(self) -> None:
        self.assertEqual(self.check_on("cycle-2-on", gen_bad.cycle_tree(2)),
                         [])

    def test_failing_boot_passes(self) -> None:
        self.assertEqual(self.check_on("failing-supplier-on",
                                       gen_bad.failing()), [])

    def test_why_explains_every_unbound_device(self) -> None:
        if not check_bad.TOOL.exists():
            self.skipTest("no probe-graph tool")
        out = self.boot("failing-supplier-on")
        self.assertEqual(check_bad.check_why(
            expect(gen_bad.failing()), out / "probe_graph", check_bad.TOOL,
            3), [])
        tree = gen_bad.failing()
        tree.why["pg-fail-user2"] = "root cause: pg-nodev"
        problems = check_bad.check_why(expect(tree), out / "probe_graph",
                                       check_bad.TOOL, 3)
        self.assertEqual(len(problems), 1)
        self.assertIn("probe-graph why pg-fail-user2", problems[0])

    def test_cycle_reported_twice(self) -> None:
        line = "pg-c2-a pg-c2-b\t(fw_devlink)\n"
        problems = self.check_on("cycle-2-on", gen_bad.cycle_tree(2),
                                 {line: line + line})
        self.assertTrue(any("reported twice" in p for p in problems),
                        problems)

    def test_cycle_not_reported(self) -> None:
        tree = gen_bad.cycle_tree(2)
        tree.cycles = 2
        problems = self.check_on("cycle-2-on", tree)
        self.assertIn("1 cycles in probe_graph/cycles, 2 expected: "
                      "['pg-c2-a pg-c2-b']", problems)

    def test_cycle_missing_from_the_log(self) -> None:
        problems = self.check_on("cycle-2-on", gen_bad.cycle_tree(2), {
            "] probe_graph: dependency cycle:": "] probe_graph: cycle:"})
        self.assertTrue(any(p.startswith("kernel log reports cycles []")
                            for p in problems), problems)

    def test_long_cycle_cut_in_the_log(self) -> None:
        members = " ".join(f"pg-c100-{i:03d}" for i in range(100))
        pg = Path(self.tmp.name) / "probe_graph"
        pg.mkdir()
        (pg / "cycles").write_text(f"# probe_graph cycles v1\n{members}\t"
                                   "(fw_devlink)\n")
        exp = expect(gen_bad.cycle_tree(100))
        cut = f"[ 0.3] probe_graph: dependency cycle: {members[:1000]}\n"
        self.assertEqual(check_bad.check_cycles(exp, pg, cut), [])
        self.assertEqual(len(check_bad.check_cycles(exp, pg, cut + cut)), 1)
        self.assertEqual(len(check_bad.check_cycles(exp, pg, "")), 1)

    def test_splat(self) -> None:
        problems = self.check_on("cycle-2-on", gen_bad.cycle_tree(2), {
            "=== probe-graph init ===\n":
            "=== probe-graph init ===\n[ 1.0] WARNING: CPU: 0 PID: 1 at "
            "drivers/base/dd.c:1 x\n"})
        self.assertEqual(problems, ["kernel: [ 1.0] WARNING: CPU: 0 PID: "
                                    "1 at drivers/base/dd.c:1 x"])

    def test_unexpected_violation(self) -> None:
        tree = gen_bad.cycle_tree(2)
        tree.may_violate = ["pg-c2-a"]
        problems = self.check_on("cycle-2-on", tree)
        self.assertEqual(problems, ["pg-c2-b: ordering violation: clocks "
                                    "supplier /pg-c2-a not bound"])

    def test_unexpected_state_and_reason(self) -> None:
        tree = gen_bad.failing()
        tree.unbound["pg-fail"] = "probe failed: -22"
        del tree.unbound["pg-nodev-user"]
        del tree.why["pg-nodev-user"]
        problems = self.check_on("failing-supplier-on", tree)
        self.assertIn("pg-fail: failed: reason 'probe failed: -5', "
                      "expected 'probe failed: -22'", problems)
        self.assertIn("pg-nodev-user: waiting: waiting for supplier "
                      "pg-nodev (not bound)", problems)
        self.assertTrue(any("disagree" not in p for p in problems))

    def test_device_not_listed(self) -> None:
        problems = self.check_on(
            "failing-supplier-on", gen_bad.failing(),
            {"pg-nodev-user\tplatform\twaiting": "pg-other\tplatform\twaiting"})
        self.assertIn("pg-nodev-user: not listed in probe_graph/devices",
                      problems)

    def test_bound_after_retries(self) -> None:
        problems = self.check_on(
            "cycle-2-on", gen_bad.cycle_tree(2),
            {"pg-c2-user\tplatform\tbound\t1\t0\t-":
             "pg-c2-user\tplatform\tbound\t2\t1\tbound after 1 deferred "
             "retries"})
        self.assertEqual(problems, ["pg-c2-user: bound after 2 probe calls, "
                                    "1 deferrals"])

    def test_edges(self) -> None:
        tree = gen_bad.cycle_tree(2)
        tree.edges = {"pg-c2-a>pg-c2-user": 1, "pg-c2-b>pg-c2-user": 1}
        problems = self.check_on("cycle-2-on", tree)
        self.assertEqual(problems, ["0 edges pg-c2-b -> pg-c2-user, "
                                    "expected 1"])

    def test_off_boot(self) -> None:
        on = self.boot("failing-supplier-on")
        off = self.boot("failing-supplier-off")
        log = (off / "console.log").read_text()
        self.assertEqual(check_bad.mode_of(off), "off")
        self.assertEqual(check_bad.check_off(expect(gen_bad.failing()), off,
                                             log, on), [])
        tree = gen_bad.failing()
        del tree.unbound["pg-fail-user"]
        self.assertEqual(check_bad.check_off(expect(tree), off, log, on),
                         ["bound [] not expected, not bound "
                          "['pg-fail-user']"])
        other = self.boot("cycle-2-on")
        problems = check_bad.check_off(expect(gen_bad.failing()), off, log,
                                       other)
        self.assertEqual(len(problems), 1)
        self.assertIn("bound differently", problems[0])

    def test_probes(self) -> None:
        out = self.boot("failing-supplier-on")
        probes = check_bad.read_probes(
            out / "probe_graph_test_device" / "probes")
        self.assertEqual(probes["pg-fail"], [-5])
        self.assertEqual(probes["pg-nodev"], [-19])
        self.assertEqual(check_bad.bound_by_probes(
            out / "probe_graph_test_device" / "probes"), set())

    def test_splat_patterns(self) -> None:
        sample = (HERE / "data" / "sample-boot.log").read_text()
        self.assertEqual(check_bad.splats(sample), [])
        for line in ("[ 3.1] INFO: task kworker/0:1:12 blocked for more "
                     "than 120 seconds.",
                     "[ 1.0] WARNING: possible circular locking dependency "
                     "detected",
                     "[ 2.0] BUG: KASAN: slab-use-after-free in x",
                     "[ 9.9] Insufficient stack space to handle exception!",
                     "[ 0.5] Kernel panic - not syncing: kernel stack "
                     "overflow"):
            self.assertTrue(check_bad.splats(line), line)

    def test_contains_ignores_wrapping(self) -> None:
        text = "It holds up pg-fail-\nuser2. Root Cause: pg-fail"
        self.assertTrue(check_bad.contains(text, "pg-fail-user2"))
        self.assertTrue(check_bad.contains(text, "root cause: pg-fail"))
        self.assertFalse(check_bad.contains(text, "pg-nodev"))


if __name__ == "__main__":
    unittest.main()
