#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The kernel's rules for devices and links, one device tree fixture each.

Each fixture in data/rules/ (<name>.dts.in: device tree source with
compatibles no binding documents, so not named .dts) is compiled with
dtc and predicted; the
graph each test expects is read from the Linux 6.12 function it names,
and the fixture's comment says how.
"""

import os
import shutil
import subprocess
import tempfile
import unittest
from typing import ClassVar, Optional

from fixtures import TOOL_DIR, test_data_path

from probe_graph import analysis, bindings, fdt, platform


def find_dtc() -> Optional[str]:
    """$DTC, the kernel tree's scripts/dtc/dtc, or dtc in PATH."""
    for candidate in (os.environ.get('DTC'),
                      os.path.join(TOOL_DIR, '..', 'dtc', 'dtc'),
                      shutil.which('dtc')):
        if candidate and os.path.isfile(candidate) and \
                os.access(candidate, os.X_OK):
            return candidate
    return None


def compile_fixture(name: str) -> fdt.DeviceTree:
    """data/rules/<name>.dts.in as a parsed blob."""
    dtc = find_dtc()
    if dtc is None:
        raise unittest.SkipTest('needs dtc (device-tree-compiler, or '
                                'DTC=path)')
    source = test_data_path('rules', name + '.dts.in')
    with tempfile.TemporaryDirectory() as tmp:
        blob = os.path.join(tmp, name + '.dtb')
        result = subprocess.run([dtc, '-q', '-I', 'dts', '-O', 'dtb',
                                 '-o', blob, source],
                                capture_output=True, text=True, check=False)
        if result.returncode:
            raise AssertionError('dtc failed on %s: %s' %
                                 (source, result.stderr))
        return fdt.read_fdt(blob)


State = dict[tuple[str, str, str], str]


def states(pred: analysis.Prediction) -> State:
    """(supplier, consumer, kind) -> state of every edge."""
    return {(e.supplier, e.consumer, e.kind): e.state for e in pred.edges}


def fwnode_states(pred: analysis.Prediction) -> State:
    return {k: v for k, v in states(pred).items() if k[2] == 'fwnode'}


def cycles(pred: analysis.Prediction
           ) -> list[tuple[list[str], list[str], bool]]:
    return [(c.members, c.links, c.through_parent) for c in pred.cycles]


class PopulateTest(unittest.TestCase):
    """of_platform_default_populate_init(), of_platform_bus_create()."""

    tree: ClassVar[fdt.DeviceTree]

    @classmethod
    def setUpClass(cls) -> None:
        cls.tree = compile_fixture('populate')

    def test_of_platform_default_populate_init(self) -> None:
        pred = analysis.predict(self.tree)
        # reserved_mem_matches[], /firmware, /chosen's framebuffer,
        # then of_platform_populate() of the root.
        self.assertEqual(pred.devices, [
            '/reserved-memory/ramoops@91000000',
            '/firmware/scm',
            '/chosen/framebuffer@80000000',
            '/l3-cache',
            '/soc',
            '/soc/dev@1000',
            '/soc/syscon@2000',
            '/soc/syscon@2000/reboot',
            '/soc/serial@4000',
            '/soc/bus@5000',
            '/soc/bus@5000/timer@5000',
        ])
        # No device for the CPUs, their caches, the OPP table, a
        # reserved-memory pool, anything under /clocks or /nocompat,
        # the disabled bus, dev's child or the AMBA device's child.
        for path in ('/cpus/cpu@0', '/cpus/cpu@0/l2-cache', '/opp-table',
                     '/reserved-memory/pool@90000000', '/clocks/gate',
                     '/nocompat/dev', '/soc/bus@3000',
                     '/soc/bus@3000/child@3000', '/soc/dev@1000/sub',
                     '/soc/serial@4000/bluetooth'):
            self.assertNotIn(path, pred.devices)

    def test_of_platform_bus_create_parents(self) -> None:
        devices, _ = platform.platform_devices(self.tree)
        by_path = {d.path: d for d in devices}
        self.assertEqual({d.path: d.parent for d in devices if d.parent}, {
            '/soc/dev@1000': '/soc',
            '/soc/syscon@2000': '/soc',
            '/soc/syscon@2000/reboot': '/soc/syscon@2000',
            '/soc/serial@4000': '/soc',
            '/soc/bus@5000': '/soc',
            '/soc/bus@5000/timer@5000': '/soc/bus@5000',
        })
        # A bus type anywhere in compatible makes a bus.
        self.assertEqual(sorted(p for p, d in by_path.items() if d.bus),
                         ['/soc', '/soc/bus@5000', '/soc/syscon@2000'])
        self.assertEqual([p for p, d in by_path.items() if d.amba],
                         ['/soc/serial@4000'])
        # simple_pm_bus_probe() binds a bus only when the bus type comes
        # first: the others never bind and hold no child back.
        pred = analysis.predict(self.tree)
        self.assertEqual({k: v for k, v in states(pred).items()
                          if v == 'blocking'},
                         {('/soc/bus@5000', '/soc/bus@5000/timer@5000',
                           'parent'): 'blocking'})

    def test_of_device_make_bus_id(self) -> None:
        pred = analysis.predict(self.tree)
        self.assertEqual([pred.names[d] for d in pred.devices], [
            '91000000.ramoops', 'firmware:scm',
            # /chosen has no ranges: no address to translate.
            'chosen:framebuffer@80000000',
            'l3-cache', 'soc', '1000.dev', '2000.syscon',
            '2000.syscon:reboot', '4000.serial', 'soc:bus@5000',
            '5000.timer'])

    def test_of_clk_init_fixed_clocks(self) -> None:
        # of_clk_init() sets up both fixed clocks; only the one below
        # the root could have been a device.
        pred = analysis.predict(self.tree)
        self.assertEqual(pred.early_init, ['/clocks/osc', '/ref-clock'])
        pred = analysis.predict(self.tree, early_init='devices')
        self.assertEqual(pred.early_init, [])
        self.assertIn('/ref-clock', pred.devices)
        self.assertNotIn('/clocks/osc', pred.devices)


class FwtreeTest(unittest.TestCase):
    """fw_devlink_parse_fwtree()."""

    def test_fw_devlink_parse_fwtree(self) -> None:
        tree = compile_fixture('parse-fwtree')
        # Every available node names the clock controller...
        self.assertEqual(sorted(link.consumer
                                for link in bindings.parse_links(tree)), [
            '/clocks/gate', '/cpus/cpu@0', '/usb-hub/hub', '/user-b/port'])
        # ... but only devices' subtrees are parsed.
        pred = analysis.predict(tree)
        self.assertEqual(pred.devices, ['/clock-controller', '/user-a',
                                        '/user-b'])
        self.assertEqual(states(pred), {
            ('/clock-controller', '/user-b', 'fwnode'): 'relaxed'})
        self.assertEqual(pred.dropped, [])


class ProxyLinkTest(unittest.TestCase):
    """fw_devlink_create_devlink(), __fw_devlink_link_to_consumers()."""

    pred: ClassVar[analysis.Prediction]

    @classmethod
    def setUpClass(cls) -> None:
        cls.pred = analysis.predict(compile_fixture('proxy'))

    def test_fw_devlink_create_devlink_permissive(self) -> None:
        self.assertEqual(fwnode_states(self.pred), {
            ('/gpio-controller', '/keys', 'fwnode'): 'relaxed',
            ('/b', '/a', 'fwnode'): 'relaxed',
            ('/a', '/b', 'fwnode'): 'blocking',
        })
        self.assertEqual(self.pred.cycles, [])
        self.assertEqual([e.props for e in self.pred.edges
                          if e.consumer == '/a'],
                         [['/a/x:clocks -> /b']])

    def test_fw_devlink_link_to_consumers_own_supplier(self) -> None:
        self.assertNotIn('/c', [e.consumer for e in self.pred.edges])
        self.assertEqual([(d.consumer, d.supplier, d.why)
                          for d in self.pred.dropped],
                         [('/c/x', '/c/clk',
                           'supplier is inside the consumer\'s device')])


class AncestorTest(unittest.TestCase):
    """fw_devlink_create_devlink(): FWNODE_FLAG_NEEDS_CHILD_BOUND_ON_ADD."""

    def test_fw_devlink_create_devlink_ancestor(self) -> None:
        pred = analysis.predict(compile_fixture('ancestor'))
        self.assertEqual(fwnode_states(pred), {
            ('/syscon', '/syscon/sub/rst-user', 'fwnode'): 'blocking',
            ('/bus', '/bus/child', 'fwnode'): 'blocking',
        })
        self.assertEqual(pred.cycles, [])
        self.assertEqual(pred.dropped, [])


class CycleTest(unittest.TestCase):
    """__fw_devlink_relax_cycles()."""

    pred: ClassVar[analysis.Prediction]

    @classmethod
    def setUpClass(cls) -> None:
        cls.pred = analysis.predict(compile_fixture('descendant'))

    def test_fw_devlink_relax_cycles(self) -> None:
        self.assertEqual(cycles(self.pred), [
            (['/p', '/p/c'], ['/p:clocks -> /p/c'], True),
            (['/pinctrl'], ['/pinctrl:pinctrl-0 -> /pinctrl/hog'], True),
            (['/self'], ['/self:resets -> /self'], False),
            (['/lcd', '/i2c'], ['/i2c/bridge@39:remote-endpoint -> /lcd',
                                '/lcd:remote-endpoint -> /i2c/bridge@39'],
             False),
        ])
        self.assertEqual(fwnode_states(self.pred), {
            ('/p/c', '/p', 'fwnode'): 'cycle-broken',
            ('/i2c', '/lcd', 'fwnode'): 'cycle-broken',
            ('/lcd', '/i2c', 'fwnode'): 'relaxed',
            # The PMIC's regulators are not searched: no cycle, and
            # the regulator waits for the PMIC's bus.
            ('/pmic-i2c', '/regulator-vsys', 'fwnode'): 'blocking',
            ('/regulator-vsys', '/pmic-i2c', 'fwnode'): 'relaxed',
        })
        self.assertEqual(self.pred.metrics.cycles,
                         [c.members for c in self.pred.cycles])

    def test_cycles_of_the_predicted_graph(self) -> None:
        # What "probe-graph cycles" lists for the prediction's dump:
        # its own cycles, not the sync-state-only links' loops.
        graph = analysis.prediction_graph(self.pred)
        self.assertEqual([r.members for r in analysis.find_cycles(graph)],
                         [['i2c', 'lcd'], ['p', 'p:c'], ['pinctrl'],
                          ['self']])
        self.assertTrue(all(r.reported == 1
                            for r in analysis.find_cycles(graph)))


class EarlyInitTest(unittest.TestCase):
    """of_irq_init(), of_clk_init(), fw_devlink_create_devlink()."""

    tree: ClassVar[fdt.DeviceTree]

    @classmethod
    def setUpClass(cls) -> None:
        cls.tree = compile_fixture('early-init')

    def test_of_irq_init_and_of_clk_init(self) -> None:
        pred = analysis.predict(self.tree)
        self.assertEqual(pred.early_init,
                         ['/interrupt-controller@1000', '/osc'])
        self.assertEqual(pred.devices, [
            '/mailbox', '/soc', '/soc/gpc@2000', '/soc/gpc@3000',
            '/soc/uart@4000', '/soc/usb@5000', '/soc/gpu@6000'])
        self.assertEqual(fwnode_states(pred), {
            ('/mailbox', '/soc/uart@4000', 'fwnode'): 'blocking',
            ('/soc/gpc@3000', '/soc/gpu@6000', 'fwnode'): 'blocking',
        })
        early = analysis.WHY_EARLY
        device = analysis.WHY_EARLY_DEVICE
        self.assertEqual(sorted((d.consumer, d.supplier, d.why)
                                for d in pred.dropped), [
            ('/soc/gpc@2000', '/interrupt-controller@1000', early),
            ('/soc/gpc@3000', '/interrupt-controller@1000', early),
            ('/soc/uart@4000', '/interrupt-controller@1000', early),
            ('/soc/uart@4000', '/osc', early),
            ('/soc/usb@5000', '/soc/gpc@2000', device),
            ('/soc/usb@5000', '/soc/gpc@2000/pgc/power-domain@1', device),
        ])

    def test_early_init_as_devices(self) -> None:
        pred = analysis.predict(self.tree, early_init='devices')
        self.assertEqual(pred.early_init, [])
        self.assertEqual(pred.dropped, [])
        self.assertEqual(fwnode_states(pred), {
            ('/interrupt-controller@1000', '/soc/gpc@2000', 'fwnode'):
            'blocking',
            ('/interrupt-controller@1000', '/soc/gpc@3000', 'fwnode'):
            'blocking',
            ('/interrupt-controller@1000', '/soc/uart@4000', 'fwnode'):
            'blocking',
            ('/osc', '/soc/uart@4000', 'fwnode'): 'blocking',
            ('/mailbox', '/soc/uart@4000', 'fwnode'): 'blocking',
            ('/soc/gpc@2000', '/soc/usb@5000', 'fwnode'): 'blocking',
            ('/soc/gpc@3000', '/soc/gpu@6000', 'fwnode'): 'blocking',
        })


class EarlyInitDriverTest(unittest.TestCase):
    """CLK_OF_DECLARE_DRIVER(), fw_devlink_create_devlink() and
    fwnode_ancestor_init_without_drv()."""

    def test_clk_of_declare_driver(self) -> None:
        pred = analysis.predict(compile_fixture('early-init-driver'))
        # Set up early, and devices all the same.
        self.assertEqual(pred.early_init, [])
        self.assertEqual(pred.devices, [
            '/soc', '/soc/mac@1000', '/soc/mac@1800', '/soc/syscon@2000',
            '/soc/syscon@2000/pinctrl', '/soc/i2c@3000', '/soc/uart@4000',
            '/rtc', '/ccu'])
        self.assertEqual(fwnode_states(pred), {
            ('/soc/syscon@2000/pinctrl', '/soc/i2c@3000', 'fwnode'):
            'blocking',
            ('/soc/syscon@2000/pinctrl', '/soc/uart@4000', 'fwnode'):
            'blocking',
        })
        device = analysis.WHY_EARLY_DEVICE
        later = analysis.WHY_EARLY_LATER
        self.assertEqual([(d.consumer, d.supplier, d.why)
                          for d in pred.dropped], [
            ('/soc/mac@1000', '/soc/syscon@2000', device),
            ('/soc/mac@1000', '/soc/syscon@2000/pinctrl/a', later),
            ('/soc/mac@1800', '/soc/syscon@2000/pinctrl', later),
            ('/soc/i2c@3000', '/soc/syscon@2000', device),
            ('/ccu', '/rtc', device),
        ])

    def test_early_init_as_devices(self) -> None:
        # --early-init=devices: ordinary devices, every link made.
        pred = analysis.predict(compile_fixture('early-init-driver'),
                                early_init='devices')
        self.assertEqual(pred.dropped, [])
        self.assertEqual(len(fwnode_states(pred)), 7)


class ParserTest(unittest.TestCase):
    """of_irq_parse_raw() through parse_interrupts(), parse_gpios()."""

    def test_of_irq_parse_raw_and_parse_gpios(self) -> None:
        pred = analysis.predict(compile_fixture('parsers'))
        self.assertEqual({(e.supplier, e.consumer): e.bindings
                          for e in pred.edges}, {
            ('/interrupt-controller', '/nexus'): ['interrupt_map'],
            ('/interrupt-controller', '/dev'): ['interrupts'],
            ('/gpio-controller', '/bare'): ['gpios'],
        })


class SeriesBindingTest(unittest.TestCase):
    """parse_mmc_pwrseq() and parse_phy_handle(), which this series adds
    to of_supplier_bindings[]."""

    def test_parse_mmc_pwrseq(self) -> None:
        pred = analysis.predict(compile_fixture('mmc-pwrseq'))
        self.assertEqual({(e.supplier, e.consumer, e.state): e.bindings
                          for e in pred.edges if e.kind == 'fwnode'}, {
            ('/wifi-pwrseq', '/soc/mmc@1000', 'blocking'): ['mmc_pwrseq'],
            ('/wifi-pwrseq', '/soc/mmc@2000', 'blocking'): ['mmc_pwrseq'],
            ('/emmc-pwrseq', '/soc/mmc@2000', 'blocking'): ['mmc_pwrseq'],
        })
        self.assertEqual(pred.dropped, [])

    def test_parse_phy_handle(self) -> None:
        tree = compile_fixture('phy-handle')
        # The firmware links: the PHY's bus controller, never the PHY.
        self.assertEqual([(link.consumer, link.supplier, link.binding)
                          for link in bindings.parse_links(tree)], [
            ('/soc/ethernet@3000', '/soc/mdio@1000', 'phy_handle'),
            ('/soc/switch@6000/ports/port@1', '/soc/mdio@2000',
             'phy_handle'),
        ])
        pred = analysis.predict(tree)
        self.assertEqual(fwnode_states(pred), {
            ('/soc/mdio@1000', '/soc/ethernet@3000', 'fwnode'): 'blocking',
            # A port is no device: the switch's sync-state-only link.
            ('/soc/mdio@2000', '/soc/switch@6000', 'fwnode'): 'relaxed',
        })
        self.assertEqual(pred.cycles, [])
        self.assertEqual(pred.dropped, [])


if __name__ == '__main__':
    unittest.main()
