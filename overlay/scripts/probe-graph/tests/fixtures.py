# SPDX-License-Identifier: GPL-2.0
"""Test data for the probe-graph tests.

Puts the probe_graph package on the import path, locates the captured
fixtures in data/ and writes small flattened device trees.
"""

import os
import struct
import sys
from dataclasses import dataclass, field
from typing import Optional

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
TOOL_DIR = os.path.dirname(TESTS_DIR)
TEST_DATA_DIR = os.path.join(TESTS_DIR, 'data')
TOOL = os.path.join(TOOL_DIR, 'probe-graph')

if TOOL_DIR not in sys.path:
    sys.path.insert(0, TOOL_DIR)


def test_data_path(*parts: str) -> str:
    return os.path.join(TEST_DATA_DIR, *parts)


FDT_MAGIC = 0xd00dfeed


def u32(*values: int) -> bytes:
    return struct.pack('>%dI' % len(values), *values)


def strs(*values: str) -> bytes:
    return b''.join(v.encode() + b'\0' for v in values)


@dataclass
class NodeSpec:
    """A node to write: name, properties in order, children."""
    name: str
    props: dict[str, bytes] = field(default_factory=dict)
    children: list['NodeSpec'] = field(default_factory=list)


def _pad4(data: bytes) -> bytes:
    return data + b'\0' * (-len(data) % 4)


def build_fdt(root: NodeSpec, version: int = 17, nops: bool = False,
              reserved: Optional[list[tuple[int, int]]] = None) -> bytes:
    """Write a flattened device tree blob (FDT_NOP tokens if nops)."""
    strings = bytearray()
    offsets: dict[str, int] = {}
    struct_block = bytearray()

    def name_offset(name: str) -> int:
        if name not in offsets:
            offsets[name] = len(strings)
            strings.extend(name.encode() + b'\0')
        return offsets[name]

    def emit(node: NodeSpec) -> None:
        struct_block.extend(u32(1))
        struct_block.extend(_pad4(node.name.encode() + b'\0'))
        if nops:
            struct_block.extend(u32(4))
        for prop, value in node.props.items():
            struct_block.extend(u32(3, len(value), name_offset(prop)))
            struct_block.extend(_pad4(value))
        for child in node.children:
            emit(child)
        struct_block.extend(u32(2))

    emit(root)
    if nops:
        struct_block.extend(u32(4))
    struct_block.extend(u32(9))

    rsvmap = b''.join(struct.pack('>QQ', a, s) for a, s in reserved or [])
    rsvmap += struct.pack('>QQ', 0, 0)
    header_size = 40 if version >= 17 else 36
    off_rsvmap = 40
    off_struct = off_rsvmap + len(rsvmap)
    off_strings = off_struct + len(struct_block)
    total = off_strings + len(strings)
    header = struct.pack('>9I', FDT_MAGIC, total, off_struct, off_strings,
                         off_rsvmap, version, 16, 0, len(strings))
    if version >= 17:
        header += u32(len(struct_block))
    header = header.ljust(off_rsvmap, b'\0')
    assert len(header) >= header_size
    return bytes(header + rsvmap + struct_block + strings)
