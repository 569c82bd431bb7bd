# SPDX-License-Identifier: GPL-2.0
"""Tests of the reStructuredText check."""

import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import rst_check  # noqa: E402

TOP = Path(__file__).resolve().parent.parent.parent


class RstCheckTest(unittest.TestCase):
    def run_on(self, text: str, figures: tuple[str, ...] = ()) -> int:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "doc.rst"
            path.write_text(text)
            for name in figures:
                (Path(tmp) / name).write_text("digraph g { a -> b; }\n")
            return rst_check.main([str(path)])

    def test_kernel_directives_pass(self) -> None:
        self.assertEqual(self.run_on(
            "Title\n=====\n\nSee :ref:`x`.\n\n"
            ".. kernel-doc:: drivers/base/probe_graph.c\n   :internal:\n"), 0)

    def test_malformed_table_fails(self) -> None:
        self.assertEqual(self.run_on(
            "Title\n=====\n\n=== ===\na   b\n=== ===\nxxxxx yy\n=== ===\n"), 1)

    def test_unknown_role_fails(self) -> None:
        self.assertEqual(self.run_on("Title\n=====\n\n:nope:`x`\n"), 1)

    def test_figure_file_must_exist(self) -> None:
        text = ("Title\n=====\n\n.. kernel-figure:: g.dot\n"
                "   :alt: a graph\n\n   Caption\n")
        self.assertEqual(self.run_on(text, ("g.dot",)), 0)
        self.assertEqual(self.run_on(text), 1)

    def test_our_document_passes(self) -> None:
        doc = TOP / "overlay" / "Documentation" / "driver-api" / \
            "probe-graph.rst"
        self.assertEqual(rst_check.main([str(doc)]), 0)


if __name__ == "__main__":
    unittest.main()
