# SPDX-License-Identifier: GPL-2.0
"""Which device tree nodes become devices at boot, and their names.

Mirrors of_platform_default_populate_init() and of_platform_bus_create()
in drivers/of/platform.c of Linux 6.12 (the !CONFIG_PPC branch), with
the nodes that of_irq_init() and of_clk_init() set up before it
(OF_POPULATED, see earlyinit.py), and of_device_make_bus_id() for the
device names.  Only the devices the kernel creates from the tree by
itself are here: children that drivers register later (I2C, SPI, USB,
MDIO, serdev, MFD cells, the children of simple-pm-bus) are not.
"""

from dataclasses import dataclass
from typing import Optional

from . import earlyinit
from .bindings import node_is_available
from .fdt import DeviceTree, FdtNode

# of_default_bus_match_table[] (arm,amba-bus: CONFIG_ARM_AMBA, which
# arm and arm64 select).
BUS_COMPATIBLES = ('simple-bus', 'simple-mfd', 'isa', 'arm,amba-bus')
# simple_pm_bus_of_match[] in drivers/bus/simple-pm-bus.c: the driver
# binds a bus only when one of these is its first compatible.
SIMPLE_PM_BUS_FIRST = ('simple-pm-bus',) + BUS_COMPATIBLES
# of_skipped_node_table[].
SKIPPED_COMPATIBLES = ('operating-points-v2',)
# reserved_mem_matches[]: created wherever they are in the tree.
RESERVED_MEM_COMPATIBLES = ('phram', 'qcom,rmtfs-mem', 'qcom,cmd-db',
                            'qcom,smem', 'ramoops', 'nvmem-rmem',
                            'google,open-dice')

# Early-init policies: "populated" follows the kernel, in which
# of_irq_init() and of_clk_init() run before of_platform_populate();
# "devices" treats those nodes like any other.
EARLY_POPULATED = 'populated'
EARLY_DEVICES = 'devices'
EARLY_INIT_CHOICES = (EARLY_POPULATED, EARLY_DEVICES)


@dataclass
class PlatformDevice:
    """A device of_platform creates for a node.

    parent: the node of the parent device, None for the platform bus.
    bus: of_platform populated its children (a match of
        of_default_bus_match_table[]).
    amba: an AMBA device (arm,primecell), whose children are not
        populated.
    """
    node: FdtNode
    name: str
    parent: Optional[str]
    bus: bool
    amba: bool

    @property
    def path(self) -> str:
        return self.node.path

    @property
    def children_wait(self) -> bool:
        """Whether its children wait for it to bind.

        Yes for a device whose driver populates them, and for a bus
        simple-pm-bus binds; a bus whose first compatible is its own
        is declined by simple-pm-bus (-ENODEV) and holds no one back.
        """
        return not self.bus or self.bound_by_simple_pm_bus

    @property
    def bound_by_simple_pm_bus(self) -> bool:
        """simple-pm-bus binds it (its first compatible is a bus type)."""
        compatible = self.node.strings('compatible')
        return bool(compatible) and compatible[0] in SIMPLE_PM_BUS_FIRST


def _set_up_early(node: FdtNode) -> set[str]:
    """The compatibles by which of_irq_init() or of_clk_init() take it.

    of_irq_init() takes available nodes with interrupt-controller that
    match IRQCHIP_DECLARE(); of_clk_init() available nodes matching
    CLK_OF_DECLARE().
    """
    if not node_is_available(node):
        return set()
    compatible = set(node.strings('compatible'))
    found = compatible & earlyinit.CLK_COMPATIBLES
    if node.has('interrupt-controller'):
        found |= compatible & earlyinit.IRQCHIP_COMPATIBLES
    return found


def is_early_init(node: FdtNode) -> bool:
    """Set up by of_irq_init() or of_clk_init(), which mark it populated.

    Not when its init function clears OF_POPULATED again for a platform
    driver of its own (earlyinit.POPULATED_AGAIN): it is a device then.
    """
    found = _set_up_early(node)
    return bool(found) and not found & earlyinit.POPULATED_AGAIN


def is_initialized_device(node: FdtNode) -> bool:
    """Set up early, a device again, and still initialised.

    fw_devlink_create_devlink() does not link to it while it has no
    driver, which is the case when of_platform creates the devices ("Not
    linking ... - dev might never probe"), nor to a node below it whose
    own device is not there yet (analysis._Linker.early_init()).
    """
    found = _set_up_early(node) & earlyinit.POPULATED_AGAIN
    return bool(found) and not found & earlyinit.INITIALIZED_AGAIN


def _reg_address(node: FdtNode) -> Optional[int]:
    """of_translate_address() of the first reg entry, default buses only.

    Walks up through each parent's ranges (empty: identity; absent: not
    translatable).  Returns None when the address cannot be translated.
    """
    parent = node.parent
    if parent is None or not node.has('reg'):
        return None
    na = _n_cells(parent, '#address-cells', 1)
    reg = node.cells('reg')
    if na == 0 or len(reg) < na:
        return None
    addr = _join(reg[:na])
    child = parent
    while child.parent is not None:
        bus = child.parent
        if not child.has('ranges'):
            return None
        ranges = child.cells('ranges')
        if not ranges:
            child = bus
            na = _n_cells(bus, '#address-cells', 1)
            continue
        cna = _n_cells(child, '#address-cells', 1)
        cns = _n_cells(child, '#size-cells', 1)
        pna = _n_cells(bus, '#address-cells', 1)
        step = cna + pna + cns
        found = None
        for pos in range(0, len(ranges) - step + 1, step):
            cbase = _join(ranges[pos:pos + cna])
            pbase = _join(ranges[pos + cna:pos + cna + pna])
            size = _join(ranges[pos + cna + pna:pos + step])
            if cbase <= addr < cbase + size:
                found = addr - cbase + pbase
                break
        if found is None:
            return None
        addr = found
        child = bus
        na = pna
    return addr


def _n_cells(node: FdtNode, prop: str, default: int) -> int:
    value = node.u32(prop)
    return default if value is None else value


def _join(cells: list[int]) -> int:
    value = 0
    for cell in cells:
        value = (value << 32) | cell
    return value


def device_name(node: FdtNode) -> str:
    """of_device_make_bus_id(): "3f201000.serial", "soc:firmware"."""
    name = ''
    cur: Optional[FdtNode] = node
    while cur is not None and cur.parent is not None:
        addr = _reg_address(cur)
        base = cur.name.split('@', 1)[0]
        if addr is not None:
            mask = cur.u32('mask')
            if mask is not None:
                low = (mask & -mask).bit_length() - 1
                head = '%x.%x' % (addr, low)
            else:
                head = '%x.%s' % (addr, base)
            return head + (':' + name if name else '')
        name = cur.name + (':' + name if name else '')
        cur = cur.parent
    return name


class _Populate:
    """One run of of_platform_default_populate_init()."""

    def __init__(self, tree: DeviceTree, early_init: str,
                 children: bool) -> None:
        self.tree = tree
        self.children = children
        self.populated: set[str] = set()      # OF_POPULATED
        self.populated_bus: set[str] = set()  # OF_POPULATED_BUS
        self.devices: list[PlatformDevice] = []
        self.early: list[FdtNode] = []
        if early_init == EARLY_POPULATED:
            for node in tree.nodes():
                if is_early_init(node):
                    self.early.append(node)
                    self.populated.add(node.path)

    def create(self, node: FdtNode, parent: Optional[str], bus: bool,
               amba: bool = False) -> bool:
        """of_platform_device_create_pdata(): available, not populated."""
        if not node_is_available(node) or node.path in self.populated:
            return False
        self.populated.add(node.path)
        self.devices.append(PlatformDevice(node, device_name(node), parent,
                                           bus, amba))
        return True

    def bus_create(self, node: FdtNode, parent: Optional[str]) -> None:
        """of_platform_bus_create() with strict set."""
        compatible = node.strings('compatible')
        if not compatible:
            return
        if any(c in SKIPPED_COMPATIBLES for c in compatible):
            return
        if node.path in self.populated_bus:
            return
        if 'arm,primecell' in compatible:
            self.create(node, parent, False, amba=True)
            return
        is_bus = any(c in BUS_COMPATIBLES for c in compatible)
        if not self.create(node, parent, is_bus) or not (is_bus or
                                                         self.children):
            return
        for child in node.children:
            self.bus_create(child, node.path)
        self.populated_bus.add(node.path)

    def populate(self, root: FdtNode) -> None:
        """of_platform_populate() with the default bus matches."""
        for child in root.children:
            self.bus_create(child, None)
        self.populated_bus.add(root.path)

    def run(self) -> None:
        for node in self.tree.nodes():
            if any(c in RESERVED_MEM_COMPATIBLES
                   for c in node.strings('compatible')):
                self.create(node, None, False)
        firmware = self.tree.node('/firmware')
        if firmware is not None:
            self.populate(firmware)
        chosen = self.tree.node('/chosen')
        if chosen is not None:
            for child in chosen.children:
                if 'simple-framebuffer' in child.strings('compatible'):
                    self.create(child, None, False)
                    break
        self.populate(self.tree.root)


def initialized_devices(tree: DeviceTree,
                        early_init: str = EARLY_POPULATED) -> list[FdtNode]:
    """The nodes of is_initialized_device(), with EARLY_POPULATED."""
    if early_init != EARLY_POPULATED:
        return []
    return [node for node in tree.nodes() if is_initialized_device(node)]


def platform_devices(tree: DeviceTree, early_init: str = EARLY_POPULATED,
                     children: bool = False
                     ) -> tuple[list[PlatformDevice], list[FdtNode]]:
    """The devices of_platform creates, in creation order.

    children: also the children of every device that is not a bus, as
    if each driver populated its node (of_platform_populate(np), as
    MFD and audio drivers do).  Also returns the early-init nodes
    (empty with EARLY_DEVICES).
    Duplicate names get the node path appended, where the kernel would
    fail to add the second device.
    """
    if early_init not in EARLY_INIT_CHOICES:
        raise ValueError('unknown early-init policy %r' % early_init)
    run = _Populate(tree, early_init, children)
    run.run()
    seen: set[str] = set()
    for dev in run.devices:
        if dev.name in seen or not dev.name:
            dev.name = '%s(%s)' % (dev.name, dev.path)
        seen.add(dev.name)
    return run.devices, run.early
