# SPDX-License-Identifier: GPL-2.0
"""The device tree properties that name suppliers, as fw_devlink reads them.

SUPPLIER_BINDINGS mirrors of_supplier_bindings[] in drivers/of/property.c
of Linux 6.12 with the two entries this series adds (mmc_pwrseq,
phy_handle), entry for entry and in the same order: when a property
matches an entry and yields at least one phandle, later entries are not
tried (of_link_property()).  Keep the two in step; nothing else in this
tool knows property names.

parse_links() applies the table to every available node of a tree and
returns the raw firmware links, node to node.  Turning them into links
between devices (nearest device ancestors, disabled suppliers, links to
ancestors) is fw_devlink's job and is done by analysis.predict().
"""

from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from .fdt import DeviceTree, FdtNode

# Parser kinds, each a parse_*() flavour of drivers/of/property.c.
CELLS = 'cells'                 # DEFINE_SIMPLE_PROP(): parse_prop_cells()
SUFFIX = 'suffix'               # DEFINE_SUFFIX_PROP()
GPIOS = 'gpios'                 # parse_gpios()
GPIO_COMPAT = 'gpio-compat'     # parse_gpio_compat()
IOMMU_MAP = 'iommu-map'         # parse_iommu_maps()
REMOTE_ENDPOINT = 'remote-endpoint'  # parse_remote_endpoint()
INTERRUPTS = 'interrupts'       # parse_interrupts()
INTERRUPT_MAP = 'interrupt-map'  # parse_interrupt_map()
PHY_HANDLE = 'phy-handle'       # parse_phy_handle()


@dataclass(frozen=True)
class SupplierBinding:
    """One entry of of_supplier_bindings[].

    name: the parse_<name>() function of property.c.
    prop: the property name, or its suffix for suffix parsers.
    cells: the supplier's #*-cells property giving the argument count.
    parser: how phandles are read from the property (see above).
    optional: only followed with fw_devlink.strict=1.
    ignore: FWLINK_FLAG_IGNORE: the link is recorded but never blocks.
    port_parent: the consumer is the endpoint's port parent
        (.get_con_dev = of_graph_get_port_parent).
    """
    name: str
    prop: str
    cells: Optional[str]
    parser: str = CELLS
    optional: bool = False
    ignore: bool = False
    port_parent: bool = False

    def matches(self, prop_name: str) -> bool:
        if self.parser in (SUFFIX, GPIOS):
            return _has_suffix(prop_name, self.prop)
        if self.parser == GPIO_COMPAT:
            return prop_name in ('gpio', 'gpios')
        if self.parser == INTERRUPTS:
            return prop_name in ('interrupts', 'interrupts-extended')
        return prop_name == self.prop


# Mirrors of_supplier_bindings[] in drivers/of/property.c (Linux 6.12,
# with mmc_pwrseq and phy_handle, which this series adds).
SUPPLIER_BINDINGS: tuple[SupplierBinding, ...] = (
    SupplierBinding('clocks', 'clocks', '#clock-cells'),
    SupplierBinding('interconnects', 'interconnects', '#interconnect-cells'),
    SupplierBinding('iommus', 'iommus', '#iommu-cells', optional=True),
    SupplierBinding('iommu_maps', 'iommu-map', None, IOMMU_MAP,
                    optional=True),
    SupplierBinding('mboxes', 'mboxes', '#mbox-cells'),
    SupplierBinding('io_channels', 'io-channels', '#io-channel-cells'),
    SupplierBinding('io_backends', 'io-backends', '#io-backend-cells'),
    SupplierBinding('dmas', 'dmas', '#dma-cells', optional=True),
    SupplierBinding('power_domains', 'power-domains', '#power-domain-cells'),
    SupplierBinding('hwlocks', 'hwlocks', '#hwlock-cells'),
    SupplierBinding('extcon', 'extcon', None),
    # 6.12 reads "#nvmem-cell-cells"; suppliers without it take 0 cells.
    SupplierBinding('nvmem_cells', 'nvmem-cells', '#nvmem-cell-cells'),
    SupplierBinding('phys', 'phys', '#phy-cells'),
    SupplierBinding('wakeup_parent', 'wakeup-parent', None),
    SupplierBinding('pinctrl0', 'pinctrl-0', None),
    SupplierBinding('pinctrl1', 'pinctrl-1', None),
    SupplierBinding('pinctrl2', 'pinctrl-2', None),
    SupplierBinding('pinctrl3', 'pinctrl-3', None),
    SupplierBinding('pinctrl4', 'pinctrl-4', None),
    SupplierBinding('pinctrl5', 'pinctrl-5', None),
    SupplierBinding('pinctrl6', 'pinctrl-6', None),
    SupplierBinding('pinctrl7', 'pinctrl-7', None),
    SupplierBinding('pinctrl8', 'pinctrl-8', None),
    SupplierBinding('remote_endpoint', 'remote-endpoint', None,
                    REMOTE_ENDPOINT, port_parent=True),
    SupplierBinding('pwms', 'pwms', '#pwm-cells'),
    SupplierBinding('resets', 'resets', '#reset-cells'),
    SupplierBinding('leds', 'leds', None),
    SupplierBinding('backlight', 'backlight', None),
    SupplierBinding('panel', 'panel', None),
    SupplierBinding('msi_parent', 'msi-parent', '#msi-cells'),
    SupplierBinding('pses', 'pses', '#pse-cells'),
    SupplierBinding('power_supplies', 'power-supplies', None),
    SupplierBinding('mmc_pwrseq', 'mmc-pwrseq', None),
    SupplierBinding('phy_handle', 'phy-handle', None, PHY_HANDLE),
    SupplierBinding('gpio_compat', 'gpios', '#gpio-cells', GPIO_COMPAT),
    SupplierBinding('interrupts', 'interrupts', '#interrupt-cells',
                    INTERRUPTS),
    SupplierBinding('interrupt_map', 'interrupt-map', '#interrupt-cells',
                    INTERRUPT_MAP),
    SupplierBinding('access_controllers', 'access-controllers',
                    '#access-controller-cells'),
    SupplierBinding('regulators', '-supply', None, SUFFIX),
    SupplierBinding('gpio', '-gpio', '#gpio-cells', SUFFIX),
    SupplierBinding('gpios', '-gpios', '#gpio-cells', GPIOS),
    SupplierBinding('post_init_providers', 'post-init-providers', None,
                    ignore=True),
)

# of_bus_n_addr_cells() when no node up to the root says.
_ROOT_ADDR_CELLS = 1


@dataclass
class FirmwareLink:
    """A supplier named by a property, node to node (a fwnode link)."""
    consumer: str
    supplier: str
    binding: str
    prop: str
    optional: bool
    ignore: bool


def _has_suffix(name: str, suffix: str) -> bool:
    # strcmp_suffix(): the name must be longer than the suffix.
    return len(name) > len(suffix) and name.endswith(suffix)


def node_is_available(node: FdtNode) -> bool:
    """of_device_is_available(): status absent, "okay" or "ok"."""
    status = node.string('status')
    return status is None or status in ('okay', 'ok')


def _phandle_args(tree: DeviceTree, node: FdtNode, prop: str,
                  cells_name: Optional[str], cell_count: int,
                  index: int) -> Optional[FdtNode]:
    """__of_parse_phandle_with_args(): the index-th phandle of a list.

    cell_count is used when cells_name is None, or as the fallback when
    the supplier lacks cells_name; -1 makes that lack an error.
    """
    cells = node.cells(prop)
    pos = 0
    cur = 0
    while pos < len(cells):
        phandle = cells[pos]
        pos += 1
        target = None
        count = 0
        if phandle:
            target = tree.lookup_phandle(phandle)
            if cells_name is not None:
                if target is None:
                    return None
                value = target.u32(cells_name)
                if value is None:
                    if cell_count < 0:
                        return None
                    value = cell_count
                count = value
            else:
                count = cell_count
        if pos + count > len(cells):
            return None
        if cur == index:
            # A 0 phandle is an empty entry: -ENOENT ends the list.
            return target if phandle else None
        pos += count
        cur += 1
    return None


def _phandle_args_with(tree: DeviceTree, node: FdtNode, prop: str,
                       cells_name: str, index: int
                       ) -> Optional[tuple[FdtNode, list[int]]]:
    """of_parse_phandle_with_args(): the index-th phandle and its args."""
    cells = node.cells(prop)
    pos = 0
    cur = 0
    while pos < len(cells):
        phandle = cells[pos]
        pos += 1
        target = None
        count = 0
        if phandle:
            target = tree.lookup_phandle(phandle)
            if target is None:
                return None
            value = target.u32(cells_name)
            if value is None:
                return None
            count = value
        if pos + count > len(cells):
            return None
        if cur == index:
            if target is None:
                return None
            return target, cells[pos:pos + count]
        pos += count
        cur += 1
    return None


def _parse_cells(tree: DeviceTree, node: FdtNode, prop: str, index: int,
                 b: SupplierBinding) -> Optional[FdtNode]:
    return _phandle_args(tree, node, prop, b.cells, 0, index)


def _parse_suffix(tree: DeviceTree, node: FdtNode, prop: str, index: int,
                  b: SupplierBinding) -> Optional[FdtNode]:
    # of_parse_phandle_with_args(): a missing #cells is an error.
    return _phandle_args(tree, node, prop, b.cells,
                         -1 if b.cells else 0, index)


def _parse_gpios(tree: DeviceTree, node: FdtNode, prop: str, index: int,
                 b: SupplierBinding) -> Optional[FdtNode]:
    # parse_gpios() skips "<vendor>,nr-gpios" only (strcmp_suffix() with
    # ",nr-gpios"); a bare "nr-gpios" is parsed as a phandle list.
    if _has_suffix(prop, ',nr-gpios'):
        return None
    return _parse_suffix(tree, node, prop, index, b)


def _parse_gpio_compat(tree: DeviceTree, node: FdtNode, prop: str,
                       index: int, b: SupplierBinding) -> Optional[FdtNode]:
    # A gpio-hog's gpios are all provided by its parent.
    if node.has('gpio-hog'):
        return None
    return _parse_suffix(tree, node, prop, index, b)


def _parse_iommu_map(tree: DeviceTree, node: FdtNode, prop: str,
                     index: int, b: SupplierBinding) -> Optional[FdtNode]:
    # of_parse_phandle(np, "iommu-map", index * 4 + 1)
    cells = node.cells(prop)
    pos = index * 4 + 1
    if pos >= len(cells) or not cells[pos]:
        return None
    return tree.lookup_phandle(cells[pos])


def _name_eq(node: FdtNode, name: str) -> bool:
    # of_node_name_eq(): the name without its unit address.
    return node.name.split('@', 1)[0] == name


def graph_port_parent(node: Optional[FdtNode]) -> Optional[FdtNode]:
    """of_graph_get_port_parent(): the device node of an endpoint."""
    depth = 3
    while depth and node is not None:
        node = node.parent
        if depth == 2 and node is not None and not any(
                _name_eq(node, n) for n in ('ports', 'in-ports',
                                            'out-ports')):
            break
        depth -= 1
    return node


def _parse_remote_endpoint(tree: DeviceTree, node: FdtNode, prop: str,
                           index: int, b: SupplierBinding
                           ) -> Optional[FdtNode]:
    if index > 0:
        return None
    phandle = node.u32(prop)
    if not phandle:
        return None
    return graph_port_parent(tree.lookup_phandle(phandle))


def _is_below(node: Optional[FdtNode], ancestor: FdtNode) -> bool:
    """of_node_is_below(): node is ancestor or one of its descendants."""
    while node is not None and node is not ancestor:
        node = node.parent
    return node is not None


def _parse_phy_handle(tree: DeviceTree, node: FdtNode, prop: str,
                      index: int, b: SupplierBinding) -> Optional[FdtNode]:
    # parse_phy_handle(): not the PHY, which binds only once its MAC
    # attaches it, but the controller of its MDIO bus, the PHY's parent:
    # only when that has a compatible of its own, and is not inside the
    # consumer's device (node or its closest compatible ancestor).
    if index > 0:
        return None
    phy = _phandle_args(tree, node, prop, None, 0, 0)
    if phy is None:
        return None
    bus = phy.parent
    if bus is None or not bus.has('compatible'):
        return None
    con: Optional[FdtNode] = node
    while con is not None and not con.has('compatible'):
        con = con.parent
    if con is not None and _is_below(bus, con):
        return None
    return bus


def interrupt_parent(tree: DeviceTree, node: FdtNode) -> Optional[FdtNode]:
    """of_irq_find_parent(): interrupt-parent, inherited up the tree.

    The first node up the interrupt-parent chain (or the node tree where
    a node has no interrupt-parent) that has #interrupt-cells.
    """
    cur: Optional[FdtNode] = node
    seen = set()
    while cur is not None:
        if cur.path in seen:
            return None
        seen.add(cur.path)
        phandle = cur.u32('interrupt-parent')
        if phandle is None:
            nxt = cur.parent
        else:
            nxt = tree.lookup_phandle(phandle)
        cur = nxt
        if cur is not None and cur.has('#interrupt-cells'):
            return cur
    return None


# of_irq_imap_abusers[] in drivers/of/irq.c: interrupt controllers whose
# interrupt-map is theirs to parse, not a translation.
IMAP_ABUSERS = frozenset(('CBEA,platform-spider-pic', 'sti,platform-spider-pic',
                          'realtek,rtl-intc', 'fsl,ls1021a-extirq',
                          'fsl,ls1043a-extirq', 'fsl,ls1088a-extirq',
                          'renesas,rza1-irqc', 'pasemi,rootbus'))

# MAX_PHANDLE_ARGS in include/linux/of.h.
_MAX_PHANDLE_ARGS = 16


def _imap_parent(tree: DeviceTree, imap: list[int], pos: int
                 ) -> Optional[tuple[FdtNode, int, int, int]]:
    """of_irq_parse_imap_parent(): the parent of the map entry at pos.

    Returns (parent, its #interrupt-cells, its #address-cells, the
    position after the entry), or None when the entry is malformed.
    """
    if pos >= len(imap):
        return None
    parent = tree.lookup_phandle(imap[pos])
    pos += 1
    if parent is None:
        return None
    intsize = parent.u32('#interrupt-cells')
    if intsize is None:
        return None
    addrsize = parent.u32('#address-cells') or 0
    if addrsize + intsize > _MAX_PHANDLE_ARGS or \
            len(imap) - pos < addrsize + intsize:
        return None
    return parent, intsize, addrsize, pos + addrsize + intsize


def irq_parse_raw(tree: DeviceTree, addr: list[int], parent: FdtNode,
                  args: list[int]) -> Optional[FdtNode]:
    """of_irq_parse_raw(): the controller an interrupt specifier reaches.

    Starts at the interrupt parent and follows interrupt-map
    translations (matching unit address and specifier under
    interrupt-map-mask, skipping unavailable parents) and
    interrupt-parent links until a node with interrupt-controller and
    no interrupt-map.  None when the walk fails, as the kernel's does.
    """
    ipar: Optional[FdtNode] = parent
    intsize = 1
    while ipar is not None:
        value = ipar.u32('#interrupt-cells')
        if value is not None:
            intsize = value
            break
        ipar = interrupt_parent(tree, ipar)
    if ipar is None or len(args) != intsize:
        return None
    # "The old linux trick": #address-cells of the parent or above.
    cells: Optional[int] = None
    old: Optional[FdtNode] = ipar
    while old is not None and cells is None:
        cells = old.u32('#address-cells')
        old = old.parent
    addrsize = 2 if cells is None else cells
    if addrsize + intsize > _MAX_PHANDLE_ARGS:
        return None
    match_array = [addr[i] if i < len(addr) else 0 for i in range(addrsize)]
    match_array += args
    seen: set[tuple[str, tuple[int, ...]]] = set()
    while ipar is not None:
        key = (ipar.path, tuple(match_array))
        if key in seen:
            return None
        seen.add(key)
        intc = ipar.has('interrupt-controller')
        imap = ipar.cells('interrupt-map') if ipar.has('interrupt-map') \
            else None
        if intc and (imap is None or
                     set(ipar.strings('compatible')) & IMAP_ABUSERS):
            return ipar
        if imap is None:
            ipar = interrupt_parent(tree, ipar)
            continue
        mask = ipar.cells('interrupt-map-mask')
        width = addrsize + intsize
        pos = 0
        found: Optional[tuple[FdtNode, int, int, int]] = None
        entry_start = 0
        while len(imap) - pos > width + 1:
            match = all(
                not ((match_array[i] if i < len(match_array) else 0) ^
                     imap[pos + i]) & (mask[i] if i < len(mask)
                                       else 0xffffffff)
                for i in range(width))
            pos += width
            entry_start = pos
            result = _imap_parent(tree, imap, pos)
            if result is None:
                return None
            if match and node_is_available(result[0]):
                found = result
                break
            pos = result[3]
        if found is None:
            return None
        newpar, intsize, addrsize, end = found
        # The parent's unit address and specifier become the new key.
        match_array = imap[entry_start + 1:end]
        if newpar is ipar:
            return ipar
        ipar = newpar
    return None


def irq_parse_one(tree: DeviceTree, node: FdtNode, index: int
                  ) -> Optional[FdtNode]:
    """of_irq_parse_one(): the controller of a node's index-th interrupt.

    interrupts-extended first; when it has no such entry, interrupts
    with the interrupt parent; then interrupt-map translation
    (of_irq_parse_raw()).
    """
    addr = node.cells('reg')[:3]
    args: list[int] = []
    parent = None
    if node.has('interrupts-extended'):
        found = _phandle_args_with(tree, node, 'interrupts-extended',
                                   '#interrupt-cells', index)
        if found is not None:
            parent, args = found
    if parent is None:
        parent = interrupt_parent(tree, node)
        if parent is None:
            return None
        intsize = parent.u32('#interrupt-cells')
        if intsize is None:
            return None
        cells = node.cells('interrupts')
        if (index + 1) * intsize > len(cells):
            return None
        args = cells[index * intsize:(index + 1) * intsize]
    return irq_parse_raw(tree, addr, parent, args)


def _parse_interrupts(tree: DeviceTree, node: FdtNode, prop: str,
                      index: int, b: SupplierBinding) -> Optional[FdtNode]:
    # parse_interrupts(): of_irq_parse_one() for either property name,
    # so the supplier is the controller the interrupt finally reaches,
    # past any interrupt-map nexus.
    return irq_parse_one(tree, node, index)


def _addr_cells(node: Optional[FdtNode]) -> int:
    """of_bus_n_addr_cells(): #address-cells of the node or above."""
    while node is not None:
        value = node.u32('#address-cells')
        if value is not None:
            return value
        node = node.parent
    return _ROOT_ADDR_CELLS


def _parse_interrupt_map(tree: DeviceTree, node: FdtNode, prop: str,
                         index: int, b: SupplierBinding
                         ) -> Optional[FdtNode]:
    intcells = node.u32('#interrupt-cells')
    if intcells is None:
        return None
    addrcells = _addr_cells(node)
    imap = node.cells(prop)
    pos = 0
    i = 0
    while pos + addrcells + intcells + 1 < len(imap):
        pos += addrcells + intcells
        # of_irq_parse_imap_parent()
        parent = tree.lookup_phandle(imap[pos])
        pos += 1
        if parent is None:
            return None
        intsize = parent.u32('#interrupt-cells')
        if intsize is None:
            return None
        addrsize = parent.u32('#address-cells') or 0
        if len(imap) - pos < addrsize + intsize:
            return None
        pos += addrsize + intsize
        if i == index:
            return parent
        i += 1
    return None


_Parser = Callable[[DeviceTree, FdtNode, str, int, SupplierBinding],
                   Optional[FdtNode]]

_PARSERS: dict[str, _Parser] = {
    CELLS: _parse_cells,
    SUFFIX: _parse_suffix,
    GPIOS: _parse_gpios,
    GPIO_COMPAT: _parse_gpio_compat,
    IOMMU_MAP: _parse_iommu_map,
    REMOTE_ENDPOINT: _parse_remote_endpoint,
    INTERRUPTS: _parse_interrupts,
    INTERRUPT_MAP: _parse_interrupt_map,
    PHY_HANDLE: _parse_phy_handle,
}


def binding_for(prop_name: str) -> list[SupplierBinding]:
    """The entries that may handle a property, in table order."""
    return [b for b in SUPPLIER_BINDINGS if b.matches(prop_name)]


def property_links(tree: DeviceTree, node: FdtNode,
                   prop_name: str) -> list[FirmwareLink]:
    """of_link_property(): the suppliers one property names.

    Optional entries are parsed too and marked; fw_devlink skips them
    unless fw_devlink.strict=1, which callers decide.
    """
    links: list[FirmwareLink] = []
    for b in binding_for(prop_name):
        parse = _PARSERS[b.parser]
        index = 0
        while True:
            supplier = parse(tree, node, prop_name, index, b)
            if supplier is None:
                break
            consumer = graph_port_parent(node) if b.port_parent else node
            if consumer is not None:
                links.append(FirmwareLink(consumer.path, supplier.path,
                                          b.name, prop_name, b.optional,
                                          b.ignore))
            index += 1
        if index:
            break
    return links


def available_subtree(root: FdtNode) -> list[FdtNode]:
    """A node and its available descendants, in tree order.

    fw_devlink_parse_fwtree() descends only into available children
    (fwnode_get_next_available_child_node()); the node itself is parsed
    whatever its status.
    """
    result = []
    stack = [root]
    while stack:
        node = stack.pop()
        result.append(node)
        stack.extend(reversed([c for c in node.children
                               if node_is_available(c)]))
    return result


def parse_links(tree: DeviceTree,
                roots: Optional[Iterable[FdtNode]] = None
                ) -> list[FirmwareLink]:
    """The firmware links of a tree, in tree and property order.

    With roots, only what fw_devlink_parse_fwtree() parses when those
    nodes' devices are added: each root's available subtree.  Without,
    every node whose ancestors are all available.
    """
    if roots is None:
        roots = [tree.root]
    seen: set[str] = set()
    links = []
    for root in roots:
        for node in available_subtree(root):
            if node.path in seen:
                continue
            seen.add(node.path)
            for prop_name in node.properties:
                links.extend(property_links(tree, node, prop_name))
    return links
