# SPDX-License-Identifier: GPL-2.0
"""Phandle properties that no fw_devlink supplier binding parses.

A .dtb does not say which properties hold phandles: a phandle is a
32-bit cell like any other.  Two classifiers are used:

 - schema: the property is typed phandle or phandle-array
   (/schemas/types.yaml) in one of the binding schemas of
   Documentation/devicetree/bindings, and its first cell is a phandle
   of the tree;
 - heuristic, when no schema is at hand or the schema does not type
   the property: every cell group starts with a phandle of the tree,
   i.e. the first cell is a phandle and the value is not a string.

audit() counts both; measure() compares the heuristic with the
schemas' types on a set of trees.  A property that a binding of
of_supplier_bindings[] matches, optional or not, is not reported, nor
are the properties the kernel reads for its own structure
(interrupt-parent, phandle, the OF graph's remote-endpoint), nor uses
whose first phandle is the node itself or below it.
"""

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Optional

from . import bindings, platform
from .fdt import DeviceTree, FdtNode

PHANDLE_TYPES = ('phandle', 'phandle-array')

# Typed in dt-schema's own schemas (not in the kernel tree) as
# phandle-array: dtschema/schemas/clock/clock.yaml, reserved-memory/
# memory-region consumers and gpio/gpio.yaml.
CORE_PHANDLE_PROPERTIES = {
    'assigned-clocks': {'phandle-array'},
    'assigned-clock-parents': {'phandle-array'},
    'memory-region': {'phandle-array'},
    'gpio-ranges': {'phandle-array'},
}

# Structure, not suppliers: consumed by the OF core itself.
_STRUCTURAL = frozenset(('phandle', 'linux,phandle', 'interrupt-parent',
                         'interrupt-map', 'remote-endpoint'))

_KEY = re.compile(r'^(\s*)(?:- )?"?([A-Za-z0-9#,._+-]+)"?:\s*(.*)$')
_REF = re.compile(r'^(\s*)(?:- )?\$ref:\s*["\']?(?:/schemas/)?types\.yaml#/'
                  r'definitions/([a-z0-9-]+)')


def schema_types(bindings_dir: str) -> dict[str, set[str]]:
    """Property name -> the types.yaml types the schemas give it.

    A line-based reading of the YAML: a "$ref: types.yaml#/definitions/T"
    belongs to the nearest key above it that is indented less.
    """
    types: dict[str, set[str]] = {}
    for path, _, files in os.walk(bindings_dir):
        for name in sorted(files):
            if not name.endswith('.yaml'):
                continue
            with open(os.path.join(path, name), encoding='utf-8',
                      errors='replace') as f:
                keys: list[tuple[int, str]] = []
                for line in f:
                    ref = _REF.match(line)
                    if ref:
                        indent = len(ref.group(1))
                        for kindent, key in reversed(keys):
                            if kindent < indent:
                                types.setdefault(key, set()).add(
                                    ref.group(2))
                                break
                        continue
                    m = _KEY.match(line)
                    if m and not line.lstrip().startswith('#'):
                        indent = len(m.group(1))
                        keys = [k for k in keys if k[0] < indent]
                        keys.append((indent, m.group(2)))
    for prop, known in CORE_PHANDLE_PROPERTIES.items():
        types.setdefault(prop, set()).update(known)
    return types


def default_bindings_dir() -> Optional[str]:
    """Documentation/devicetree/bindings of the tree holding the tool."""
    here = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.realpath(__file__)))))
    path = os.path.join(here, 'Documentation', 'devicetree', 'bindings')
    return path if os.path.isdir(path) else None


def _is_text(value: bytes) -> bool:
    """A NUL-terminated list of printable strings, as dtc writes them."""
    if not value or value[-1:] != b'\0':
        return False
    for part in value[:-1].split(b'\0'):
        if not part or not all(32 <= c < 127 for c in part):
            return False
    return True


def _first_target(tree: DeviceTree, node: FdtNode, prop: str
                  ) -> Optional[FdtNode]:
    value = node.properties[prop]
    if len(value) < 4 or len(value) % 4 or _is_text(value):
        return None
    phandle = node.u32(prop)
    if not phandle or phandle == 0xffffffff:
        return None
    return tree.lookup_phandle(phandle)


def unparsed(prop: str) -> bool:
    """No entry of of_supplier_bindings[] matches the property name."""
    return prop not in _STRUCTURAL and not bindings.binding_for(prop)


@dataclass
class AuditEntry:
    """One property name over all trees.

    boards, nodes: where a device's subtree uses it (what
    fw_devlink_parse_fwtree() would parse, were there a binding).
    outside: uses by nodes in no device (cpus, thermal zones, OPP
    tables), which no probe waits on.
    """
    prop: str
    typed: bool            # the schemas type it phandle(-array)
    boards: set[str] = field(default_factory=set)
    nodes: int = 0
    outside: int = 0
    example_board: str = ''
    example_node: str = ''
    example_supplier: str = ''


@dataclass
class AuditReport:
    """Unparsed phandle properties, and how the heuristic fares.

    heuristic_*: occurrences the heuristic flags among unparsed
    properties the schemas type: as a phandle (agree), as something
    else (false positives), or not at all (untyped).
    """
    entries: list[AuditEntry]
    trees: int
    schema: bool
    heuristic_agree: int = 0
    heuristic_false: int = 0
    heuristic_untyped: int = 0
    false_examples: Counter[str] = field(default_factory=Counter)

    @property
    def false_positive_rate(self) -> Optional[float]:
        typed = self.heuristic_agree + self.heuristic_false
        return self.heuristic_false / typed if typed else None


def audit(trees: Iterable[tuple[str, DeviceTree]],
          types: Optional[dict[str, set[str]]] = None) -> AuditReport:
    """Rank the unparsed phandle properties of some trees.

    With types (from schema_types()), a property counts when the schemas
    type it phandle or phandle-array; without, by the heuristic.  The
    heuristic is measured against the types either way.
    """
    entries: dict[str, AuditEntry] = {}
    count = 0
    report = AuditReport([], 0, types is not None)
    for board, tree in trees:
        count += 1
        inside: set[str] = set()
        for dev in platform.platform_devices(tree)[0]:
            inside.update(n.path for n in bindings.available_subtree(
                dev.node))
        for node in tree.nodes():
            if not all(bindings.node_is_available(a)
                       for a in [node, *node.ancestors()]):
                continue
            for prop in node.properties:
                if not unparsed(prop):
                    continue
                target = _first_target(tree, node, prop)
                if target is None:
                    continue
                # The node itself or below it: its own driver provides
                # it, there is nothing to wait for.
                if target is node or node in target.ancestors():
                    continue
                known = types.get(prop, set()) if types is not None \
                    else set()
                typed = bool(known & set(PHANDLE_TYPES))
                if known and typed:
                    report.heuristic_agree += 1
                elif known:
                    report.heuristic_false += 1
                    report.false_examples[prop] += 1
                else:
                    report.heuristic_untyped += 1
                if types is not None and not typed:
                    continue
                entry = entries.get(prop)
                if entry is None:
                    entry = AuditEntry(prop, typed)
                    entries[prop] = entry
                if node.path not in inside:
                    entry.outside += 1
                    continue
                if not entry.example_node:
                    entry.example_board = board
                    entry.example_node = node.path
                    entry.example_supplier = target.path
                entry.boards.add(board)
                entry.nodes += 1
    report.trees = count
    report.entries = sorted(entries.values(),
                            key=lambda e: (-len(e.boards), -e.nodes,
                                           -e.outside, e.prop))
    return report
