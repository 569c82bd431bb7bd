#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that reStructuredText documents build without a warning.

docutils alone does not know the kernel's Sphinx directives and roles;
the ones our documents use are registered as no-ops, and everything else
must parse without a single system message.
"""

import argparse
import sys
from pathlib import Path
from typing import Any, List

from docutils import nodes  # type: ignore[import]
from docutils.core import publish_doctree  # type: ignore[import]
from docutils.parsers.rst import Directive, directives, roles  # type: ignore[import]
from docutils.utils import Reporter  # type: ignore[import]


class IgnoredDirective(Directive):  # type: ignore[misc]
    """A Sphinx-only directive: accepted, contributes nothing."""

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec = {"doc": directives.unchanged, "internal": directives.flag,
                   "export": directives.flag, "identifiers":
                   directives.unchanged, "functions": directives.unchanged}

    def run(self) -> List[nodes.Node]:
        return []


class KernelFigure(Directive):  # type: ignore[misc]
    """kfigure's kernel-figure: the image file must exist next to the
    document; converting it (DOT, SVG) is Sphinx's business."""

    has_content = True
    required_arguments = 1
    final_argument_whitespace = True
    option_spec = {"alt": directives.unchanged, "align": directives.unchanged,
                   "width": directives.unchanged, "caption":
                   directives.unchanged}

    def run(self) -> List[nodes.Node]:
        source = Path(self.state.document.current_source).parent
        image = source / self.arguments[0]
        if not image.is_file():
            return [self.state.document.reporter.warning(
                f"kernel-figure: no file {image}", line=self.lineno)]
        return []


def literal_role(name: str, rawtext: str, text: str, lineno: int,
                 inliner: Any, options: Any = None,
                 content: Any = None) -> Any:
    return [nodes.literal(rawtext, text)], []


def check(path: Path) -> List[str]:
    """The warnings and errors of one document."""
    settings = {"report_level": Reporter.SEVERE_LEVEL + 1,
                "halt_level": Reporter.SEVERE_LEVEL + 1}
    doctree = publish_doctree(path.read_text(), source_path=str(path),
                              settings_overrides=settings)
    return [f"{path}:{m.get('line', '?')}: {m.astext()}"
            for m in doctree.findall(nodes.system_message)
            if m["level"] >= Reporter.WARNING_LEVEL]


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rst", type=Path, nargs="+")
    args = ap.parse_args(argv)
    for name in ("kernel-doc", "toctree"):
        directives.register_directive(name, IgnoredDirective)
    directives.register_directive("kernel-figure", KernelFigure)
    for name in ("ref", "doc", "c:func", "c:type"):
        roles.register_local_role(name, literal_role)
    problems = [p for path in args.rst for p in check(path)]
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
