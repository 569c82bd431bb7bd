#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests for the supplier bindings and the offline prediction."""

import os
import re
import unittest
from typing import Optional

from fixtures import TOOL_DIR, NodeSpec, build_fdt, strs, test_data_path, u32

from probe_graph import analysis, bindings, fdt, platform

# pg-bus is not a bus: its test driver populates pg-mbox and pg-audio
# when it probes, so they are devices only with children=True.
SAMPLE_PG_EDGES = {
    ('/pg-pll', '/pg-display'): ['clocks'],
    ('/pg-reset', '/pg-display'): ['resets'],
    ('/pg-pwm', '/pg-display'): ['pwms'],
    ('/pg-ldo', '/pg-display'): ['regulators'],
    ('/pg-osc', '/pg-pwm'): ['clocks'],
    ('/pg-pll', '/pg-bus'): ['clocks'],
    ('/pg-reset', '/pg-ldo'): ['resets'],
    ('/pg-osc', '/pg-pll'): ['clocks'],
}

SAMPLE_CHILD_EDGES = {
    **SAMPLE_PG_EDGES,
    ('/pg-bus', '/pg-bus/pg-mbox'): ['parent'],
    ('/pg-bus', '/pg-bus/pg-audio'): ['parent'],
    ('/pg-bus/pg-mbox', '/pg-bus/pg-audio'): ['mboxes'],
    ('/pg-ldo', '/pg-bus/pg-audio'): ['regulators'],
}

PG_CHAIN = [['/pg-osc'], ['/pg-pll'], ['/pg-bus'], ['/pg-bus/pg-mbox'],
            ['/pg-bus/pg-audio']]


def pg_edges(pred: analysis.Prediction) -> dict[tuple[str, str], list[str]]:
    """The blocking edges among the pg- nodes."""
    return {(e.supplier, e.consumer): e.bindings for e in pred.edges
            if e.gates and e.supplier.startswith('/pg-') and
            e.consumer.startswith('/pg-')}


class SampleTreeTest(unittest.TestCase):

    def setUp(self) -> None:
        self.tree = fdt.read_fdt(test_data_path('sample.dtb'))

    def test_pg_edges_match_the_source(self) -> None:
        pred = analysis.predict(self.tree)
        self.assertEqual(pg_edges(pred), SAMPLE_PG_EDGES)
        pg = [d for d in pred.devices if d.startswith('/pg-')]
        self.assertEqual(sorted(pg), sorted(
            ['/pg-display', '/pg-pwm', '/pg-bus', '/pg-ldo', '/pg-pll',
             '/pg-reset', '/pg-osc', '/pg-sensor']))
        # pg-audio has no device: its supply gives pg-bus a link that
        # does not block; its mailbox is inside pg-bus: no link.
        relaxed = [(e.supplier, e.consumer, e.props) for e in pred.edges
                   if e.consumer == '/pg-bus' and not e.gates]
        self.assertEqual(relaxed, [(
            '/pg-ldo', '/pg-bus',
            ['/pg-bus/pg-audio:vdd-supply -> /pg-ldo'])])
        self.assertEqual(pred.metrics.cycles, [])

    def test_children_populated_by_their_driver(self) -> None:
        pred = analysis.predict(self.tree, children=True)
        self.assertEqual(pg_edges(pred), SAMPLE_CHILD_EDGES)
        self.assertEqual(pred.names['/pg-bus/pg-audio'], 'pg-bus:pg-audio')
        self.assertEqual([(d.consumer, d.supplier) for d in pred.dropped
                          if d.consumer.startswith('/pg-')], [])

    def test_supply_properties(self) -> None:
        links = [(link.consumer, link.supplier, link.prop)
                 for link in bindings.parse_links(self.tree)
                 if link.binding == 'regulators']
        self.assertEqual(sorted(links),
                         [('/pg-bus/pg-audio', '/pg-ldo', 'vdd-supply'),
                          ('/pg-display', '/pg-ldo', 'vdd-supply')])

    def test_depth_and_critical_path(self) -> None:
        pred = analysis.predict(self.tree, children=True)
        self.assertEqual(pred.metrics.depth, 4)
        self.assertEqual(pred.metrics.depth_chain, PG_CHAIN)
        # Weighted by probe-delay-us: 1000 + 5000 + 1000 + 2000 + 4000.
        self.assertEqual(pred.metrics.critical_path, PG_CHAIN)
        self.assertEqual(pred.metrics.critical_weight, 13000)
        self.assertEqual(pred.weights['/pg-pll'], 5000)
        self.assertEqual(pred.weights['/pl011@9000000'], 1)
        self.assertEqual(pred.weight_sources['probe-delay-us'], 10)
        self.assertTrue(pred.has_times)
        order = pred.metrics.order
        for e in pred.blocking():
            self.assertLess(order.index(e.supplier), order.index(e.consumer))

    def test_pg_subgraph_metrics(self) -> None:
        pred = analysis.predict(self.tree, children=True)
        pg = [d for d in pred.devices if d.startswith('/pg-')]
        metrics = analysis.dag_metrics(pg, list(SAMPLE_CHILD_EDGES), {})
        self.assertEqual(metrics.depth, 4)
        self.assertEqual([len(level) for level in metrics.levels],
                         [3, 3, 2, 1, 1])
        self.assertEqual(metrics.width, 3)
        self.assertEqual(metrics.levels[0],
                         ['/pg-reset', '/pg-osc', '/pg-sensor'])

    def test_delays_override(self) -> None:
        pred = analysis.predict(self.tree, {'/pg-display': 100000},
                                children=True)
        self.assertEqual(pred.metrics.critical_path,
                         [['/pg-osc'], ['/pg-pll'], ['/pg-display']])
        self.assertEqual(pred.metrics.critical_weight, 106000)
        self.assertEqual(pred.weight_sources['delays'], 1)
        pred = analysis.predict(self.tree, {'pg-sensor': 500000,
                                            'no-such-node': 1})
        self.assertEqual(pred.metrics.critical_path, [['/pg-sensor']])
        self.assertEqual(pred.metrics.critical_weight, 500000)
        self.assertTrue(any('no-such-node' in n for n in pred.notes))

    def test_virt_part(self) -> None:
        pred = analysis.predict(self.tree)
        edges = {(e.supplier, e.consumer): e.bindings for e in pred.edges}
        self.assertEqual(edges[('/pl061@9030000', '/gpio-keys')],
                         ['gpio_compat'])
        # The GIC (IRQCHIP_DECLARE) and the fixed clock (CLK_OF_DECLARE)
        # are set up early: no devices, no links, v2m below the GIC is
        # never populated.
        self.assertEqual(sorted(pred.early_init),
                         ['/apb-pclk', '/intc@8000000'])
        for path in ('/apb-pclk', '/intc@8000000',
                     '/intc@8000000/v2m@8020000'):
            self.assertNotIn(path, pred.devices)
        self.assertFalse(any(e.supplier in ('/apb-pclk', '/intc@8000000')
                             for e in pred.edges))
        # The platform bus is a simple-bus too, but not only that.
        self.assertIn('/platform-bus@c000000', pred.devices)
        self.assertEqual(pred.names['/pl011@9000000'], '9000000.pl011')
        # As a boot without those early nodes would see them:
        pred = analysis.predict(self.tree, early_init='devices')
        edges = {(e.supplier, e.consumer): e.bindings for e in pred.edges}
        self.assertEqual(edges[('/apb-pclk', '/pl011@9000000')], ['clocks'])
        self.assertEqual(edges[('/intc@8000000', '/pl011@9000000')],
                         ['interrupts'])
        self.assertEqual(edges[('/intc@8000000', '/pcie@10000000')],
                         ['interrupt_map'])
        self.assertEqual(pred.early_init, [])


class BadTreeTest(unittest.TestCase):

    def setUp(self) -> None:
        self.pred = analysis.predict(fdt.read_fdt(test_data_path('bad.dtb')))

    def test_cycle_found(self) -> None:
        # __fw_devlink_relax_cycles() relaxes both links of the ring.
        self.assertEqual(self.pred.metrics.cycles,
                         [['/pg-ring-a', '/pg-ring-b']])
        self.assertEqual([(c.members, c.links) for c in self.pred.cycles], [(
            ['/pg-ring-a', '/pg-ring-b'],
            ['/pg-ring-a:clocks -> /pg-ring-b',
             '/pg-ring-b:clocks -> /pg-ring-a'])])
        states = {(e.supplier, e.consumer): e.state for e in self.pred.edges}
        self.assertEqual(states[('/pg-ring-a', '/pg-ring-b')], 'cycle-broken')
        self.assertEqual(states[('/pg-ring-b', '/pg-ring-a')], 'cycle-broken')

    def test_disabled_supplier_dropped(self) -> None:
        self.assertNotIn('/pg-off', self.pred.devices)
        self.assertEqual([(d.consumer, d.supplier, d.binding, d.why)
                          for d in self.pred.dropped
                          if d.consumer.startswith('/pg-')],
                         [('/pg-unreset', '/pg-off', 'resets',
                           'supplier is disabled')])
        self.assertFalse(any(e.consumer == '/pg-unreset'
                             for e in self.pred.edges))

    def test_other_edges(self) -> None:
        self.assertEqual(pg_edges(self.pred), {
            ('/pg-absent', '/pg-orphan'): ['clocks'],
            ('/pg-broken', '/pg-stranded'): ['pwms'],
        })


def device(name: str, *children: NodeSpec, **props: bytes) -> NodeSpec:
    """A node with a compatible; '_' in property names becomes '-'."""
    values = {'compatible': strs('test,dev')}
    values.update({k.replace('_', '-'): v for k, v in props.items()})
    return NodeSpec(name, values, list(children))


def bus(name: str, *children: NodeSpec, first: str = 'simple-bus',
        **props: bytes) -> NodeSpec:
    """A node of_platform populates, with compatible = first (, ...)."""
    compatible = [first] if first in ('simple-bus', 'simple-mfd') \
        else [first, 'simple-bus']
    values = {'compatible': strs(*compatible)}
    values.update({k.replace('_', '-'): v for k, v in props.items()})
    return NodeSpec(name, values, list(children))


def tree_of(*nodes: NodeSpec,
            root_props: Optional[dict[str, bytes]] = None) -> fdt.DeviceTree:
    return fdt.parse_fdt(build_fdt(NodeSpec('', dict(root_props or {}),
                                            list(nodes))))


def predict(*nodes: NodeSpec, strict: bool = False,
            root_props: Optional[dict[str, bytes]] = None,
            early_init: str = 'populated') -> analysis.Prediction:
    return analysis.predict(tree_of(*nodes, root_props=root_props),
                            strict=strict, early_init=early_init)


def edge_map(pred: analysis.Prediction) -> dict[tuple[str, str], list[str]]:
    """The blocking fwnode edges."""
    return {(e.supplier, e.consumer): e.bindings for e in pred.edges
            if e.kind == 'fwnode' and e.gates}


def states(pred: analysis.Prediction) -> dict[tuple[str, str, str], str]:
    return {(e.supplier, e.consumer, e.kind): e.state for e in pred.edges}


class SyntheticTreeTest(unittest.TestCase):

    def test_interrupt_parent_is_inherited(self) -> None:
        gic = device('gic', interrupt_controller=b'',
                     **{'#interrupt-cells': u32(1)}, phandle=u32(1))
        intc2 = device('intc2', interrupt_controller=b'',
                       interrupt_parent=u32(1), interrupts=u32(9),
                       **{'#interrupt-cells': u32(2)}, phandle=u32(2))
        bus = NodeSpec('bus', {'compatible': strs('simple-bus')}, [
            device('uart', interrupts=u32(5)),
            device('timer', interrupt_parent=u32(2), interrupts=u32(1, 2)),
            device('nothing', interrupts=u32()),
        ])
        pred = predict(gic, intc2, bus, root_props={
            'interrupt-parent': u32(1)})
        self.assertEqual(edge_map(pred), {
            ('/gic', '/intc2'): ['interrupts'],
            ('/gic', '/bus/uart'): ['interrupts'],
            ('/intc2', '/bus/timer'): ['interrupts'],
        })

    def test_interrupts_extended(self) -> None:
        pred = predict(
            device('a', interrupt_controller=b'',
                   **{'#interrupt-cells': u32(1)}, phandle=u32(1)),
            device('b', interrupt_controller=b'',
                   **{'#interrupt-cells': u32(2)}, phandle=u32(2)),
            device('c', interrupts_extended=u32(1, 3, 2, 4, 5)))
        self.assertEqual(edge_map(pred), {('/a', '/c'): ['interrupts'],
                                          ('/b', '/c'): ['interrupts']})

    def test_interrupt_map(self) -> None:
        pred = predict(
            device('gic', **{'#interrupt-cells': u32(3),
                             '#address-cells': u32(0)}, phandle=u32(1)),
            device('pci', **{'#interrupt-cells': u32(1),
                             '#address-cells': u32(1)},
                   interrupt_map=u32(0, 1, 1, 0, 4, 4) +
                   u32(0, 2, 1, 0, 5, 4)))
        self.assertEqual(edge_map(pred),
                         {('/gic', '/pci'): ['interrupt_map']})
        self.assertEqual(pred.edges_by_binding, {'interrupt_map': 1})

    def test_gpios(self) -> None:
        pred = predict(
            device('gpio', **{'#gpio-cells': u32(2)}, phandle=u32(1)),
            device('a', reset_gpios=u32(1, 3, 0)),
            device('b', gpios=u32(1, 4, 0)),
            device('c', enable_gpio=u32(1, 5, 0)),
            # parse_gpios(): only "<vendor>,nr-gpios" is a count; a bare
            # "nr-gpios" ends in "-gpios" and is parsed as phandles.
            device('d', **{'vendor,nr-gpios': u32(1, 2, 0)}),
            device('e', nr_gpios=u32(1, 2, 0)),
            device('hog', gpio_hog=b'', gpios=u32(1, 6, 0)))
        self.assertEqual(edge_map(pred), {
            ('/gpio', '/a'): ['gpios'],
            ('/gpio', '/b'): ['gpio_compat'],
            ('/gpio', '/c'): ['gpio'],
            ('/gpio', '/e'): ['gpios'],
        })

    def test_supplier_without_compatible_resolves_up(self) -> None:
        pins = NodeSpec('uart-pins', {'phandle': u32(1)})
        pred = predict(device('pinctrl', pins),
                       device('uart', pinctrl_0=u32(1),
                              **{'pinctrl-names': strs('default')}))
        self.assertEqual(edge_map(pred),
                         {('/pinctrl', '/uart'): ['pinctrl0']})

    def test_consumer_without_device_does_not_block(self) -> None:
        # fw_devlink_create_devlink(): con->fwnode != link->consumer, so
        # the link of the key is FW_DEVLINK_FLAGS_PERMISSIVE, a
        # sync-state-only proxy link of /keys that never blocks.
        key = NodeSpec('key', {'gpios': u32(1, 2)})
        pred = predict(device('gpio', **{'#gpio-cells': u32(1)},
                              phandle=u32(1)),
                       device('keys', key))
        self.assertEqual(edge_map(pred), {})
        self.assertEqual(states(pred), {('/gpio', '/keys', 'fwnode'):
                                        'relaxed'})

    def test_remote_endpoint(self) -> None:
        panel_ep = NodeSpec('endpoint', {'phandle': u32(1)})
        panel = device('panel', NodeSpec('ports', {}, [
            NodeSpec('port@0', {}, [panel_ep])]))
        display_ep = NodeSpec('endpoint', {'remote-endpoint': u32(1)})
        display = device('display', NodeSpec('port', {}, [display_ep]))
        pred = predict(panel, display)
        self.assertEqual(edge_map(pred),
                         {('/panel', '/display'): ['remote_endpoint']})

    def test_optional_and_ignored(self) -> None:
        nodes = (device('iommu', **{'#iommu-cells': u32(1)}, phandle=u32(1)),
                 device('dma', **{'#dma-cells': u32(1)}, phandle=u32(2)),
                 device('prov', phandle=u32(3)),
                 device('c', iommus=u32(1, 7), dmas=u32(2, 1),
                        post_init_providers=u32(3)))
        pred = predict(*nodes)
        self.assertEqual(edge_map(pred), {})
        self.assertEqual(sorted((link.binding, link.optional, link.ignore)
                                for link in pred.not_followed),
                         [('dmas', True, False), ('iommus', True, False),
                          ('post_init_providers', False, True)])
        self.assertTrue(pred.notes)
        strict = predict(*nodes, strict=True)
        self.assertEqual(edge_map(strict), {('/iommu', '/c'): ['iommus'],
                                            ('/dma', '/c'): ['dmas']})

    def test_dropped_links(self) -> None:
        off_bus = bus('off-bus', device('clk', **{'#clock-cells': u32(0)},
                                        phandle=u32(2)),
                      status=strs('disabled'))
        parent = bus('parent',
                     device('child', clocks=u32(1)),
                     device('self', phandle=u32(3),
                            **{'#reset-cells': u32(0)}, resets=u32(3)),
                     first='vendor,clk', **{'#clock-cells': u32(0)},
                     phandle=u32(1))
        pred = predict(off_bus, parent, device('user', clocks=u32(2)))
        self.assertNotIn('/off-bus/clk', pred.devices)
        self.assertNotIn('/off-bus', pred.devices)
        self.assertEqual(sorted((d.consumer, d.why) for d in pred.dropped), [
            ('/user', 'supplier is disabled'),
        ])
        # fw_devlink_create_devlink(): a supplier that is an ancestor of
        # its consumer still gets a managed, blocking link.
        self.assertEqual(edge_map(pred), {('/parent', '/parent/child'):
                                          ['clocks']})
        # A reference to itself is a cycle __fw_devlink_relax_cycles()
        # finds at once: no link.
        self.assertEqual([(c.members, c.links) for c in pred.cycles],
                         [(['/parent/self'],
                           ['/parent/self:resets -> /parent/self'])])

    def test_simple_bus_does_not_block(self) -> None:
        # of_platform_bus_create(): a bus type anywhere in compatible
        # makes a bus; simple-pm-bus binds it only when it comes first.
        pred = predict(
            bus('soc', device('a'),
                bus('mfd', device('b'), first='vendor,pmic'),
                NodeSpec('syscon', {'compatible': strs('syscon',
                                                       'simple-mfd')},
                         [device('c')])))
        self.assertEqual(states(pred), {
            ('/soc', '/soc/a', 'parent'): 'blocking',
            ('/soc', '/soc/mfd', 'parent'): 'blocking',
            ('/soc', '/soc/syscon', 'parent'): 'blocking',
            ('/soc/mfd', '/soc/mfd/b', 'parent'): 'relaxed',
            ('/soc/syscon', '/soc/syscon/c', 'parent'): 'relaxed',
        })
        self.assertEqual(pred.devices, ['/soc', '/soc/a', '/soc/mfd',
                                        '/soc/mfd/b', '/soc/syscon',
                                        '/soc/syscon/c'])

    def test_empty_and_dangling_phandles(self) -> None:
        pred = predict(
            device('clk', **{'#clock-cells': u32(1)}, phandle=u32(1)),
            device('a', clocks=u32(1, 0, 0, 1, 1)),
            device('b', clocks=u32(0, 1, 2)),
            device('c', clocks=u32(9)),
            device('d', clocks=u32(1)))
        edges = edge_map(pred)
        self.assertEqual(edges, {('/clk', '/a'): ['clocks']})


class DeviceNameTest(unittest.TestCase):
    """of_device_make_bus_id(); the rules of the kernel are in
    test_rules.py, one .dts fixture each."""

    def test_of_device_make_bus_id(self) -> None:
        tree = tree_of(NodeSpec('soc', {
            'compatible': strs('simple-bus'), '#address-cells': u32(1),
            '#size-cells': u32(1),
            'ranges': u32(0x7e000000, 0x3f000000, 0x1000000)}, [
                device('serial@7e201000', reg=u32(0x7e201000, 0x200)),
                device('firmware')]), root_props={
                    '#address-cells': u32(1), '#size-cells': u32(1)})
        names = [platform.device_name(d.node)
                 for d in platform.platform_devices(tree)[0]]
        self.assertEqual(names, ['soc', '3f201000.serial', 'soc:firmware'])


class BindingTableTest(unittest.TestCase):

    def test_names_documented(self) -> None:
        self.assertIn('drivers/of/property.c', bindings.__doc__ or '')
        names = [b.name for b in bindings.SUPPLIER_BINDINGS]
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual(names[0], 'clocks')
        self.assertEqual(names[-1], 'post_init_providers')
        # Linux 6.12's 40, and mmc_pwrseq and phy_handle of this series.
        self.assertEqual(len(names), 42)
        self.assertEqual(names[names.index('power_supplies'):
                               names.index('gpio_compat')],
                         ['power_supplies', 'mmc_pwrseq', 'phy_handle'])

    def test_same_as_property_c(self) -> None:
        # of_supplier_bindings[] of the kernel tree the tool is in (or
        # $srctree's): the same entries in the same order.
        candidates = [os.path.join(TOOL_DIR, '..', '..', 'drivers', 'of',
                                   'property.c')]
        if os.environ.get('srctree'):
            candidates.insert(0, os.path.join(os.environ['srctree'],
                                              'drivers', 'of',
                                              'property.c'))
        source = next((c for c in candidates if os.path.isfile(c)), None)
        if source is None:
            raise unittest.SkipTest('needs drivers/of/property.c (run in '
                                    'a kernel tree, or set srctree)')
        with open(source, encoding='utf-8') as f:
            text = f.read()
        table = re.search(r'of_supplier_bindings\[\] = \{(.*?)\n\};',
                          text, re.S)
        assert table is not None
        self.assertEqual(
            re.findall(r'\.parse_prop = parse_(\w+),', table.group(1)),
            [b.name for b in bindings.SUPPLIER_BINDINGS])

    def test_matching(self) -> None:
        def first(prop: str) -> Optional[str]:
            found = bindings.binding_for(prop)
            return found[0].name if found else None

        self.assertEqual(first('vdd-supply'), 'regulators')
        self.assertIsNone(first('-supply'))
        self.assertEqual(first('gpios'), 'gpio_compat')
        self.assertEqual(first('cd-gpios'), 'gpios')
        self.assertEqual(first('cd-gpio'), 'gpio')
        self.assertEqual(first('interrupts-extended'), 'interrupts')
        self.assertEqual(first('pinctrl-8'), 'pinctrl8')
        self.assertIsNone(first('pinctrl-9'))
        self.assertIsNone(first('compatible'))
        self.assertEqual(first('mmc-pwrseq'), 'mmc_pwrseq')
        self.assertEqual(first('phy-handle'), 'phy_handle')
        # Simple properties are matched by their whole name (strcmp()).
        self.assertIsNone(first('vendor,mmc-pwrseq'))
        self.assertIsNone(first('phy-handle-1'))

    def test_port_parent(self) -> None:
        tree = fdt.parse_fdt(build_fdt(NodeSpec('', {}, [
            NodeSpec('dev', {}, [NodeSpec('in-ports', {}, [
                NodeSpec('port@1', {}, [NodeSpec('endpoint', {})])])]),
            NodeSpec('dev2', {}, [NodeSpec('port', {}, [
                NodeSpec('endpoint', {})])])])))
        ep = tree.node('/dev/in-ports/port@1/endpoint')
        ep2 = tree.node('/dev2/port/endpoint')
        self.assertIs(bindings.graph_port_parent(ep), tree.node('/dev'))
        self.assertIs(bindings.graph_port_parent(ep2), tree.node('/dev2'))


if __name__ == '__main__':
    unittest.main()
