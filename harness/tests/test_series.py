#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests for the series cutter (series_split.py) and the parsing of
rebase-base (rebase_base.py)."""

import difflib
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from typing import List, Optional, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import rebase_base  # noqa: E402
import series_split as ss  # noqa: E402

BASE_H = """\
struct a {
\tint x;
};

void device_pm_move_to_tail(struct device *dev);

#ifdef CONFIG_DEVTMPFS
int devtmpfs_create_node(struct device *dev);
#endif
"""

FINAL_H = """\
struct a {
\tint x;
#ifdef CONFIG_PROBE_GRAPH
\tstruct probe_graph_node *probe_graph;
#endif
};

void device_pm_move_to_tail(struct device *dev);

void device_attach_scheduled(struct device *dev);

#ifdef CONFIG_PROBE_GRAPH
/**
 * struct device_supplier_edge - An edge.
 */
struct device_supplier_edge {
\tint flags;
};

int device_links_walk_suppliers(struct device *dev);

bool probe_graph_device_attach(struct device *dev);
void probe_graph_device_del(struct device *dev);
#else
static inline bool probe_graph_device_attach(struct device *dev) { return false; }
static inline void probe_graph_device_del(struct device *dev) { }
#endif

#if IS_ENABLED(CONFIG_PROBE_GRAPH) && IS_ENABLED(CONFIG_KUNIT)
void probe_graph_pause(bool pause);
#endif

#ifdef CONFIG_DEVTMPFS
int devtmpfs_create_node(struct device *dev);
#endif
"""

MAP = r"""
# a comment
[walkers]
base.h	^#ifdef CONFIG_PROBE_GRAPH\n/\*\*\n \* struct device_supplier_edge
[hooks]
base.h	^void device_attach_scheduled\(
base.h	^bool probe_graph_device_attach\(
[graph]
base.h	^#ifdef CONFIG_PROBE_GRAPH\n\s*struct probe_graph_node\b
[kunit]
base.h	^#if IS_ENABLED\(CONFIG_PROBE_GRAPH\) && IS_ENABLED\(CONFIG_KUNIT\)
"""


def u0(a: str, b: str) -> str:
    """A -U0 diff of two texts, as git prints its hunk headers."""
    return "".join(difflib.unified_diff(a.splitlines(True),
                                        b.splitlines(True), n=0))


def cut(base: str, final: str, map_text: str, path: str = "base.h",
        default: Optional[int] = None) -> List[str]:
    """The file after each patch of map_text."""
    patches = ss.parse_map(map_text)
    rules = [r for p in patches for r in p.rules if r.path == path]
    b, f = base.splitlines(True), final.splitlines(True)
    hunks = ss.parse_hunks(u0(base, final))
    pieces = ss.split_file(b, f, hunks, rules, default, path)
    return ["".join(ss.materialize(b, f, hunks, pieces, k, path))
            for k in range(len(patches))]


class GlobTest(unittest.TestCase):
    def test_star_stays_in_a_component(self) -> None:
        rx = ss.glob_regex("drivers/base/test/probe_graph_kunit*")
        self.assertTrue(rx.match("drivers/base/test/probe_graph_kunit.c"))
        self.assertTrue(rx.match(
            "drivers/base/test/probe_graph_kunit_self.dtso"))
        self.assertFalse(rx.match("drivers/base/test/probe_graph_kunit/x"))

    def test_double_star_crosses_components(self) -> None:
        rx = ss.glob_regex("scripts/probe-graph/**")
        self.assertTrue(rx.match("scripts/probe-graph/tests/data/bad.dtb"))
        self.assertFalse(rx.match("scripts/probe-graph"))

    def test_literal_characters(self) -> None:
        rx = ss.glob_regex("Documentation/x/probe-graph,test-device.yaml")
        self.assertTrue(rx.match("Documentation/x/probe-graph,test-device.yaml"))
        self.assertFalse(rx.match("Documentation/x/probe-graph,test-deviceXyaml"))


class ParseMapTest(unittest.TestCase):
    def test_stanzas_globs_rules(self) -> None:
        patches = ss.parse_map(
            "[a]\nx/y.c\n?tools/**\n[b?]\nx/z.h\t^foo \\(bar\\)$\n")
        self.assertEqual([p.slug for p in patches], ["a", "b"])
        self.assertEqual([p.optional for p in patches], [False, True])
        self.assertEqual(patches[0].globs, [("x/y.c", False, 2),
                                            ("tools/**", True, 3)])
        rule = patches[1].rules[0]
        self.assertEqual((rule.path, rule.patch), ("x/z.h", 1))
        self.assertTrue(rule.regex.match("foo (bar)"))

    def test_errors(self) -> None:
        for text in ("x.c\n", "[a]\n[a]\n", "[a]\nx.c\t(\n", "[a]\n/x\n", ""):
            with self.assertRaises(ss.MapError, msg=text):
                ss.parse_map(text)


class HunkTest(unittest.TestCase):
    def test_headers(self) -> None:
        hunks = ss.parse_hunks("@@ -3,0 +4,2 @@\n+a\n+b\n@@ -7 +9 @@\n-c\n+d\n"
                               "@@ -10,2 +11,0 @@ ctx\n-e\n-f\n")
        self.assertEqual([(h.old, h.nold, h.new, h.nnew) for h in hunks],
                         [(3, 0, 3, 2), (6, 1, 8, 1), (9, 2, 11, 0)])


class SplitTest(unittest.TestCase):
    def setUp(self) -> None:
        self.states = cut(BASE_H, FINAL_H, MAP)

    def test_last_patch_gives_the_final_file(self) -> None:
        self.assertEqual(self.states[-1], FINAL_H)

    def test_walkers_alone_with_their_endif_and_spacing(self) -> None:
        self.assertEqual(self.states[0], """\
struct a {
\tint x;
};

void device_pm_move_to_tail(struct device *dev);

#ifdef CONFIG_PROBE_GRAPH
/**
 * struct device_supplier_edge - An edge.
 */
struct device_supplier_edge {
\tint flags;
};

int device_links_walk_suppliers(struct device *dev);
#endif

#ifdef CONFIG_DEVTMPFS
int devtmpfs_create_node(struct device *dev);
#endif
""")

    def test_hooks_get_the_else_branch(self) -> None:
        s = self.states[1]
        self.assertIn("void device_attach_scheduled(struct device *dev);\n\n"
                      "#ifdef CONFIG_PROBE_GRAPH\n", s)
        self.assertIn("void probe_graph_device_del(struct device *dev);\n"
                      "#else\n", s)
        self.assertIn("{ }\n#endif\n\n#ifdef CONFIG_DEVTMPFS", s)
        self.assertNotIn("probe_graph_node", s)
        self.assertNotIn("CONFIG_KUNIT", s)

    def test_longest_match_wins(self) -> None:
        # The graph rule, longer, takes the #ifdef in struct a, which the
        # walkers rule would also match as a single line.
        self.assertNotIn("struct probe_graph_node", self.states[1])
        self.assertIn("\tint x;\n#ifdef CONFIG_PROBE_GRAPH\n"
                      "\tstruct probe_graph_node *probe_graph;\n#endif\n};",
                      self.states[2])

    def test_unclaimed_hunk_start(self) -> None:
        with self.assertRaisesRegex(ss.MapError, "no rule claims"):
            cut(BASE_H, FINAL_H, "[a]\nbase.h\t^bool probe_graph_device_attach\n")

    def test_whole_file_claim_is_the_default(self) -> None:
        states = cut(BASE_H, FINAL_H, "[a]\n[b]\nbase.h\t^#if IS_ENABLED\n",
                     default=0)
        self.assertNotIn("CONFIG_KUNIT", states[0])
        self.assertIn("probe_graph_device_del", states[0])
        self.assertEqual(states[1], FINAL_H)

    def test_removed_lines(self) -> None:
        base = "a\nold1\nold2\nb\n"
        final = "a\nnew1\nb\nc\n"
        states = cut(base, final, "[p]\nf\t^c$\n[q]\nf\t^old1\n", path="f")
        self.assertEqual(states[0], "a\nold1\nold2\nb\nc\n")
        self.assertEqual(states[1], final)

    def test_hash_is_a_comment_outside_c(self) -> None:
        base = "x\n"
        final = "x\n# if this\na\n# endif\nb\n"
        states = cut(base, final, "[p]\nMakefile\t^# if\n[q]\nMakefile\t^b$\n",
                     path="Makefile")
        self.assertEqual(states[0], "x\n# if this\na\n# endif\n")


class WarningsTest(unittest.TestCase):
    def test_only_added_lines_count(self) -> None:
        diff = "@@ -10,0 +11,3 @@\n+a\n+b\n+c\n@@ -40 +43 @@\n-x\n+y\n"
        out = ("/src/drivers/base/core.c:12: warning: new one\n"
               "/src/drivers/base/core.c:2180: warning: old one\n"
               "drivers/base/core.c:43:7: warning: changed line\n"
               "drivers/base/dd.c:12:1: warning: other file\n"
               "xdrivers/base/core.c:12:1: warning: other path\n")
        self.assertEqual(ss.new_warnings(diff, out, "drivers/base/core.c"),
                         ["/src/drivers/base/core.c:12: warning: new one",
                          "drivers/base/core.c:43:7: warning: changed line"])


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@t",
         *args], check=True, stdout=subprocess.PIPE, text=True).stdout


class SeriesTest(unittest.TestCase):
    """plan and apply on a small git repository."""

    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.repo = Path(self.tmp.name)
        git(self.repo, "init", "-q")
        (self.repo / "base.h").write_text(BASE_H)
        (self.repo / "gone.txt").write_text("old\n")
        git(self.repo, "add", "-A")
        git(self.repo, "commit", "-q", "-m", "base")
        self.base = git(self.repo, "rev-parse", "HEAD").strip()
        (self.repo / "base.h").write_text(FINAL_H)
        (self.repo / "gone.txt").unlink()
        (self.repo / "tool").mkdir()
        (self.repo / "tool" / "run").write_text("#!/bin/sh\n")
        (self.repo / "tool" / "run").chmod(0o755)
        git(self.repo, "add", "-A")
        git(self.repo, "commit", "-q", "-m", "final")
        self.final = git(self.repo, "rev-parse", "HEAD").strip()
        git(self.repo, "checkout", "-q", "--detach", self.base)

    def series(self, extra: str) -> ss.Series:
        return ss.Series(self.repo, self.base, self.final, MAP + extra)

    def test_plan_and_apply(self) -> None:
        s = self.series("[tool]\ntool/**\ngone.txt\n[docs?]\n?Documentation/**\n")
        self.assertEqual(s.plan(), [("walkers", ["base.h"]),
                                    ("hooks", ["base.h"]),
                                    ("graph", ["base.h"]),
                                    ("kunit", ["base.h"]),
                                    ("tool", ["gone.txt", "tool/run"])])
        self.assertEqual(s.apply(self.repo, 0), ["base.h"])
        self.assertEqual(s.apply(self.repo, 0), [])
        self.assertTrue((self.repo / "gone.txt").exists())
        self.assertEqual(sorted(s.apply(self.repo, 4)),
                         ["base.h", "gone.txt", "tool/run"])
        self.assertFalse((self.repo / "gone.txt").exists())
        self.assertTrue((self.repo / "tool" / "run").stat().st_mode & 0o100)
        git(self.repo, "add", "-A")
        self.assertEqual(git(self.repo, "diff", "--cached", self.final,
                             "--stat"), "")

    def test_unclaimed_file(self) -> None:
        with self.assertRaisesRegex(ss.MapError, "not in the map: gone.txt"):
            self.series("[tool]\ntool/**\n")

    def test_claimed_twice(self) -> None:
        with self.assertRaisesRegex(ss.MapError, "already claimed"):
            self.series("[tool]\ntool/**\ngone.txt\n[x]\ntool/run\n")

    def test_missing_glob_must_be_optional(self) -> None:
        with self.assertRaisesRegex(ss.MapError, "matches no changed file"):
            self.series("[tool]\ntool/**\ngone.txt\nDocumentation/**\n")

    def test_empty_patch_must_be_optional(self) -> None:
        s = self.series("[tool]\ntool/**\ngone.txt\n[docs]\n?Documentation/**\n")
        with self.assertRaisesRegex(ss.MapError, r"\[docs\] changes nothing"):
            s.plan()

    def test_rule_claiming_nothing(self) -> None:
        with self.assertRaisesRegex(ss.MapError, "claims nothing"):
            self.series("[tool]\ntool/**\ngone.txt\nbase.h\t^nothing here$\n")


RST = """\
===========
Probe graph
===========

Intro.

Measurements
============

The figures.

=====  =====
a      b
=====  =====
1      2
=====  =====

Sub
---

Still inside.

Reading the graph
=================

Other.
"""


class CoverTest(unittest.TestCase):
    def test_rst_section(self) -> None:
        self.assertEqual(ss.rst_section(RST, "Measurements"),
                         "The figures.\n\n=====  =====\na      b\n=====  =====\n"
                         "1      2\n=====  =====\n\nSub\n---\n\nStill inside.\n")
        self.assertEqual(ss.rst_section(RST, "Reading the graph"), "Other.\n")
        self.assertIsNone(ss.rst_section(RST, "Nope"))

    def test_markdown_sections(self) -> None:
        md = ("# Title\n\nTop.\n\n## First run\n\nText.\n\n| a |\n\n"
              "### Boots\n\nB.\n\n## Second run\n\n```\n# not a heading\n"
              "```\n")
        self.assertEqual(ss.doc_section(md, "First run", True),
                         "Text.\n\n| a |\n\n### Boots\n\nB.\n")
        self.assertEqual(ss.doc_section(md, "First run", True, intro=True),
                         "Text.\n\n| a |\n")
        self.assertEqual(ss.doc_section(md, "Second run", True),
                         "```\n# not a heading\n```\n")
        self.assertEqual(ss.doc_section(RST, "Measurements", False, True),
                         "The figures.\n\n=====  =====\na      b\n=====  =====\n"
                         "1      2\n=====  =====\n")

    def test_render_and_fill(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            top = Path(d)
            (top / "doc.rst").write_text(RST)
            (top / "t.md").write_text("| a |\n")
            subject, body, missing = ss.render_cover(
                "The subject\n\nText.\n@include t.md@\n"
                "@section doc.rst Reading the graph@\n@include nope.md@\n", top)
        self.assertEqual(subject, "The subject")
        self.assertEqual(body, "Text.\n| a |\nOther.\n"
                               "[nope.md: not available]\n")
        self.assertEqual(missing, ["nope.md"])
        letter = ("From x Mon Sep 17 00:00:00 2001\nFrom: A <a@x>\n"
                  "Subject: [PATCH 0/2] *** SUBJECT HERE ***\n\n"
                  "*** BLURB HERE ***\n\nA (2):\n")
        out = ss.fill_cover(letter, subject, body, ["M <m@x>"],
                            ["l@x", "R <r@x>"])
        self.assertIn("From: A <a@x>\nTo: M <m@x>\nCc: l@x,\n    R <r@x>\n"
                      "Subject: [PATCH 0/2] The subject\n\nText.\n", out)

    def test_addresses_once_by_email(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            a, b = Path(d) / "a", Path(d) / "b"
            a.write_text("Probe Graph <p@x>\nlist@x\n")
            b.write_text("Graph <P@x>\nlist@x\nR <r@x>\n")
            self.assertEqual(ss.read_addresses([str(a), str(b)]),
                             ["Probe Graph <p@x>", "list@x", "R <r@x>"])


class RebaseBaseTest(unittest.TestCase):
    MADISON = """\
linux-source-6.12 | 6.12.115-2~deb12u1 | http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
linux-source-6.12 | 6.12.117-1~deb12u1 | http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
linux-source-6.12 | 6.12.9-1 | http://deb.debian.org/debian bookworm-backports/main amd64 Packages
other | 9.9 | http://x y Packages
"""

    def test_madison_and_newest(self) -> None:
        versions = rebase_base.parse_madison(self.MADISON, "linux-source-6.12")
        self.assertEqual(len(versions), 3)
        self.assertEqual(rebase_base.newest(versions), "6.12.117-1~deb12u1")
        self.assertIsNone(rebase_base.newest([]))

    def test_debian_order(self) -> None:
        pairs: List[Tuple[str, str]] = [
            ("6.12.9-1", "6.12.10-1"), ("6.12.117-1~deb12u1", "6.12.117-1"),
            ("1.0~rc1-1", "1.0-1"), ("1.0-1", "1:0.1-1"), ("1.0a-1", "1.0b-1"),
            ("1.0-1", "1.0-1.1"), ("1.0", "1.0-1"), ("1.0+b1-1", "1.0.1-1")]
        for a, b in pairs:
            self.assertEqual(rebase_base.compare_versions(a, b), -1, (a, b))
            self.assertEqual(rebase_base.compare_versions(b, a), 1, (a, b))
        self.assertEqual(rebase_base.compare_versions("2.0-1", "2.0-1"), 0)

    def test_am_results(self) -> None:
        self.assertEqual(rebase_base.am_result(0, "Applying: x\n"),
                         ("clean", []))
        merged = ("Applying: x\nUsing index info to reconstruct a base tree...\n"
                  "M\tdrivers/base/dd.c\n"
                  "Falling back to patching base and 3-way merge...\n"
                  "Auto-merging drivers/base/dd.c\n")
        self.assertEqual(rebase_base.am_result(0, merged),
                         ("merged", ["drivers/base/dd.c"]))
        conflict = ("Applying: x\nerror: patch failed: drivers/base/dd.c:132\n"
                    "error: drivers/base/dd.c: patch does not apply\n"
                    "Falling back to patching base and 3-way merge...\n"
                    "Auto-merging drivers/base/dd.c\n"
                    "CONFLICT (content): Merge conflict in drivers/base/dd.c\n"
                    "error: Failed to merge in the changes.\n")
        self.assertEqual(rebase_base.am_result(128, conflict),
                         ("conflict", ["drivers/base/dd.c"]))
        self.assertTrue(re.search("conflict", rebase_base.am_result(1, "")[0]))


if __name__ == "__main__":
    unittest.main()
