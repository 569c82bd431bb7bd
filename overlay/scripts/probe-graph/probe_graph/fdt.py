# SPDX-License-Identifier: GPL-2.0
"""Flattened device tree (.dtb) reader.

Reads the binary format described in the Devicetree Specification,
chapter 5 ("Flattened Devicetree (DTB) Format"), versions 16 and 17: a
big-endian header, the memory reservation block, the structure block
(FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP and FDT_END tokens)
and the strings block.  Only what is needed to follow phandles is
provided; nothing is written back.
"""

import struct
from dataclasses import dataclass, field
from typing import Iterator, Optional

FDT_MAGIC = 0xd00dfeed
FDT_BEGIN_NODE = 0x1
FDT_END_NODE = 0x2
FDT_PROP = 0x3
FDT_NOP = 0x4
FDT_END = 0x9

# Version 16 lacks size_dt_struct; everything older is not supported.
FDT_FIRST_VERSION = 16
FDT_LAST_COMP_VERSION = 17

_HEADER = struct.Struct('>10I')
_V16_HEADER_SIZE = 9 * 4


class FdtError(Exception):
    """The blob is not a well-formed flattened device tree."""


@dataclass
class FdtHeader:
    """The fixed header at the start of a blob."""
    magic: int
    totalsize: int
    off_dt_struct: int
    off_dt_strings: int
    off_mem_rsvmap: int
    version: int
    last_comp_version: int
    boot_cpuid_phys: int
    size_dt_strings: int
    size_dt_struct: Optional[int]


@dataclass
class FdtNode:
    """One node of the tree, with its properties in blob order."""
    name: str
    path: str
    parent: Optional['FdtNode'] = field(default=None, repr=False)
    properties: dict[str, bytes] = field(default_factory=dict)
    children: list['FdtNode'] = field(default_factory=list, repr=False)

    def has(self, prop: str) -> bool:
        return prop in self.properties

    def u32(self, prop: str) -> Optional[int]:
        """The first cell of a property, or None when absent or short."""
        value = self.properties.get(prop)
        if value is None or len(value) < 4:
            return None
        return int(struct.unpack_from('>I', value)[0])

    def cells(self, prop: str) -> list[int]:
        """A property as a list of 32-bit cells (a ragged tail dropped)."""
        value = self.properties.get(prop, b'')
        count = len(value) // 4
        return list(struct.unpack_from('>%dI' % count, value))

    def strings(self, prop: str) -> list[str]:
        """A property as a list of NUL-terminated strings."""
        value = self.properties.get(prop)
        if not value:
            return []
        return [s.decode('utf-8', 'replace')
                for s in value.rstrip(b'\0').split(b'\0')]

    def string(self, prop: str) -> Optional[str]:
        values = self.strings(prop)
        return values[0] if values else None

    @property
    def phandle(self) -> Optional[int]:
        value = self.u32('phandle')
        if value is None:
            value = self.u32('linux,phandle')
        return value

    def ancestors(self) -> Iterator['FdtNode']:
        """The parent, its parent and so on up to the root."""
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def walk(self) -> Iterator['FdtNode']:
        """This node and all its descendants, depth first, in blob order."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


@dataclass
class DeviceTree:
    """A parsed blob: header, reserved memory and the node tree."""
    header: FdtHeader
    root: FdtNode
    reserved: list[tuple[int, int]] = field(default_factory=list)
    by_path: dict[str, FdtNode] = field(default_factory=dict, repr=False)
    by_phandle: dict[int, FdtNode] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for node in self.root.walk():
            self.by_path[node.path] = node
            phandle = node.phandle
            # 0 and ~0 are not valid phandles.
            if phandle not in (None, 0, 0xffffffff):
                assert phandle is not None
                self.by_phandle[phandle] = node

    def nodes(self) -> Iterator[FdtNode]:
        return self.root.walk()

    def node(self, path: str) -> Optional[FdtNode]:
        return self.by_path.get(path)

    def lookup_phandle(self, phandle: int) -> Optional[FdtNode]:
        return self.by_phandle.get(phandle)


def _read_header(blob: bytes) -> FdtHeader:
    if len(blob) < _V16_HEADER_SIZE:
        raise FdtError('blob too short for a header (%d bytes)' % len(blob))
    magic = struct.unpack_from('>I', blob)[0]
    if magic != FDT_MAGIC:
        raise FdtError('bad magic 0x%08x (expected 0x%08x)' %
                       (magic, FDT_MAGIC))
    if len(blob) >= _HEADER.size:
        fields = list(_HEADER.unpack_from(blob))
    else:
        fields = list(struct.unpack_from('>9I', blob)) + [0]
    header = FdtHeader(magic=fields[0], totalsize=fields[1],
                       off_dt_struct=fields[2], off_dt_strings=fields[3],
                       off_mem_rsvmap=fields[4], version=fields[5],
                       last_comp_version=fields[6], boot_cpuid_phys=fields[7],
                       size_dt_strings=fields[8], size_dt_struct=None)
    if header.version < FDT_FIRST_VERSION:
        raise FdtError('version %d is not supported (need %d or later)' %
                       (header.version, FDT_FIRST_VERSION))
    if header.last_comp_version > FDT_LAST_COMP_VERSION:
        raise FdtError('version %d is not backwards compatible with %d' %
                       (header.version, FDT_LAST_COMP_VERSION))
    if header.version >= 17:
        if len(blob) < _HEADER.size:
            raise FdtError('blob too short for a v17 header')
        header.size_dt_struct = fields[9]
    if header.totalsize > len(blob):
        raise FdtError('totalsize %d exceeds the blob (%d bytes)' %
                       (header.totalsize, len(blob)))
    for name in ('off_dt_struct', 'off_dt_strings', 'off_mem_rsvmap'):
        if getattr(header, name) > header.totalsize:
            raise FdtError('%s points past the end of the blob' % name)
    if header.off_dt_strings + header.size_dt_strings > header.totalsize:
        raise FdtError('strings block runs past the end of the blob')
    if header.off_dt_struct % 4:
        raise FdtError('structure block is not 4-byte aligned')
    return header


def _read_reserved(blob: bytes, header: FdtHeader) -> list[tuple[int, int]]:
    reserved: list[tuple[int, int]] = []
    offset = header.off_mem_rsvmap
    while True:
        if offset + 16 > header.totalsize:
            raise FdtError('memory reservation block is not terminated')
        address, size = struct.unpack_from('>QQ', blob, offset)
        offset += 16
        if address == 0 and size == 0:
            return reserved
        reserved.append((address, size))


def _read_cstring(blob: bytes, offset: int, end: int, what: str) -> str:
    nul = blob.find(b'\0', offset, end)
    if nul < 0:
        raise FdtError('unterminated %s at offset %d' % (what, offset))
    return blob[offset:nul].decode('utf-8', 'replace')


def _align4(offset: int) -> int:
    return (offset + 3) & ~3


def parse_fdt(blob: bytes) -> DeviceTree:
    """Parse a flattened device tree blob.

    Raises FdtError when the blob is malformed.
    """
    header = _read_header(blob)
    reserved = _read_reserved(blob, header)

    strings_start = header.off_dt_strings
    strings_end = strings_start + header.size_dt_strings
    offset = header.off_dt_struct
    if header.size_dt_struct is not None:
        end = offset + header.size_dt_struct
        if end > header.totalsize:
            raise FdtError('structure block runs past the end of the blob')
    else:
        end = header.totalsize

    root: Optional[FdtNode] = None
    stack: list[FdtNode] = []
    while True:
        if offset + 4 > end:
            raise FdtError('structure block ends without FDT_END')
        token = struct.unpack_from('>I', blob, offset)[0]
        offset += 4
        if token == FDT_BEGIN_NODE:
            name = _read_cstring(blob, offset, end, 'node name')
            offset = _align4(offset + len(name.encode('utf-8')) + 1)
            if stack:
                parent = stack[-1]
                prefix = parent.path.rstrip('/')
                node = FdtNode(name, prefix + '/' + name, parent)
                parent.children.append(node)
            elif root is None:
                node = FdtNode(name, '/')
                root = node
            else:
                raise FdtError('second root node at offset %d' % (offset - 4))
            stack.append(node)
        elif token == FDT_END_NODE:
            if not stack:
                raise FdtError('FDT_END_NODE without a node at offset %d' %
                               (offset - 4))
            stack.pop()
        elif token == FDT_PROP:
            if not stack:
                raise FdtError('property outside a node at offset %d' %
                               (offset - 4))
            if offset + 8 > end:
                raise FdtError('truncated property header')
            length, nameoff = struct.unpack_from('>II', blob, offset)
            offset += 8
            if offset + length > end:
                raise FdtError('property value runs past the structure block')
            if strings_start + nameoff >= strings_end:
                raise FdtError('property name offset %d out of range' %
                               nameoff)
            prop = _read_cstring(blob, strings_start + nameoff, strings_end,
                                 'property name')
            stack[-1].properties[prop] = bytes(blob[offset:offset + length])
            offset = _align4(offset + length)
        elif token == FDT_NOP:
            continue
        elif token == FDT_END:
            if stack:
                raise FdtError('FDT_END inside node %s' % stack[-1].path)
            break
        else:
            raise FdtError('unknown token 0x%x at offset %d' %
                           (token, offset - 4))

    if root is None:
        raise FdtError('no root node')
    return DeviceTree(header, root, reserved)


def read_fdt(path: str) -> DeviceTree:
    """Read and parse a .dtb file."""
    with open(path, 'rb') as f:
        return parse_fdt(f.read())
