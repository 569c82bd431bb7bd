#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Predictions of real board trees against boots of them.

data/rpi3b.dtb is the kernel's broadcom/bcm2837-rpi-3-b.dts, compiled
with cpp and dtc; data/rpi3b-on is the probe graph of a boot of that
tree on QEMU raspi3b with probe_graph=on (6.12 with this series, whose
fw_devlink parses mmc-pwrseq and phy-handle; harness/configs/
rpi3.config, "harness/rpi3-bench --modes on --repeat 1"), console log
included.  data/ast2600-evb.dtb and data/ast2600-evb-on are the same
for aspeed/aspeed-ast2600-evb.dts on QEMU ast2600-evb
(harness/configs/armv7-boards.config, "harness/boards bench --board
ast2600-evb --modes on --repeat 1"), without the console log.  Every
difference between a prediction and its boot has a reason stated here.
"""

import unittest

from fixtures import test_data_path

from probe_graph import analysis, fdt, model

# The probe graph has a node only for a device a driver matched
# (probe_graph.c): no driver in rpi3.config matches these.  The display
# and VideoCore blocks (vc4, hvs, pixelvalves, txp, vec, hdmi, v3d,
# vchiq) and the Cortex-A53 PMU are not built; the ARM and BCM2835
# system timers are set up by TIMER_OF_DECLARE(), with no driver.
NO_DRIVER_NODES = [
    '/arm-pmu', '/soc/gpu', '/soc/hdmi@7e902000', '/soc/hvs@7e400000',
    '/soc/mailbox@7e00b840', '/soc/pixelvalve@7e206000',
    '/soc/pixelvalve@7e207000', '/soc/pixelvalve@7e807000',
    '/soc/timer@7e003000', '/soc/txp@7e004000', '/soc/v3d@7ec00000',
    '/soc/vec@7e806000', '/timer']

# Devices drivers create later on their own device's node: serial
# ports, the USB root hub and its interface.
SHARED_NODES = ['1-0:1.0', '3f201000.serial:0', '3f201000.serial:0.0',
                '3f215040.serial:0', '3f215040.serial:0.0', 'usb1']

# /soc/firmware is "raspberrypi,bcm2835-firmware", "simple-mfd": a bus,
# so of_platform populates its children, but simple-pm-bus declines it
# (its first compatible is not a bus type) and predict assumes nothing
# else binds it.  In the boot raspberrypi-firmware binds it, and its
# children waited for it.
VENDOR_BUS_PARENT_EDGES = [
    ('/soc/firmware', '/soc/firmware/clocks', 'parent'),
    ('/soc/firmware', '/soc/firmware/gpio', 'parent'),
]


class Rpi3bBootTest(unittest.TestCase):

    def setUp(self) -> None:
        self.pred = analysis.predict(fdt.read_fdt(
            test_data_path('rpi3b.dtb')))
        self.predicted = analysis.prediction_graph(self.pred)
        self.boot = model.load(test_data_path('rpi3b-on'))

    def test_devices(self) -> None:
        cmp = analysis.compare_with_boot(self.predicted, self.boot)
        self.assertEqual(cmp.only_predicted, NO_DRIVER_NODES)
        self.assertEqual(cmp.only_booted, [])
        self.assertEqual(cmp.shared_nodes, SHARED_NODES)
        # Devices without a node (serial8250, the watchdog's power and
        # wdt children, ...) are nobody's prediction.
        for name in cmp.no_node:
            node = self.boot.node(name)
            assert node is not None
            self.assertIsNone(node.of_node)
        self.assertEqual(len(self.pred.devices), 38)
        self.assertEqual((cmp.predicted, cmp.booted, cmp.both),
                         (38, 25, 25))

    def test_names(self) -> None:
        # of_device_make_bus_id(): the same name for the same node.
        for node in self.predicted.nodes:
            if node.of_node in NO_DRIVER_NODES:
                continue
            booted = [n.name for n in self.boot.nodes
                      if n.of_node == node.of_node]
            self.assertIn(node.name, booted)

    def test_blocking_edges(self) -> None:
        cmp = analysis.compare_with_boot(self.predicted, self.boot)
        self.assertEqual(cmp.edges_only_predicted, [])
        self.assertEqual(cmp.edges_only_booted, VENDOR_BUS_PARENT_EDGES)
        self.assertEqual(cmp.edges_both, 42)

    def test_mmc_pwrseq(self) -> None:
        # parse_mmc_pwrseq(): the Wi-Fi SDIO host waits for its power
        # sequence, which fails in QEMU (its reset GPIO is on the
        # firmware's expander, which QEMU does not model), so the host
        # is never probed, and never deferred.
        edge = next(e for e in self.pred.edges
                    if e.consumer == '/soc/mmc@7e300000' and
                    e.supplier == '/wifi-pwrseq')
        self.assertEqual((edge.kind, edge.state, edge.bindings),
                         ('fwnode', 'blocking', ['mmc_pwrseq']))
        self.assertIn(model.Edge('wifi-pwrseq', '3f300000.mmc', 'fwnode',
                                 'blocking'), self.boot.edges)
        host = self.boot.node('3f300000.mmc')
        assert host is not None
        self.assertEqual((host.state, host.probe_calls),
                         ('waiting', 0))
        self.assertEqual(self.boot.deferred, {})

    def test_early_init_nodes(self) -> None:
        # of_irq_init() (bcm2836-l1-intc, bcm2836-armctrl-ic) and
        # of_clk_init() (the fixed clocks under /clocks): no devices.
        self.assertEqual(sorted(self.pred.early_init), [
            '/clocks/clk-osc', '/clocks/clk-usb',
            '/soc/interrupt-controller@40000000',
            '/soc/interrupt-controller@7e00b200'])
        booted = {n.of_node for n in self.boot.nodes}
        for path in self.pred.early_init:
            self.assertNotIn(path, booted)

    def test_sync_state_only_link(self) -> None:
        # /leds/led-act uses the firmware GPIO expander: a link of /leds
        # that does not block, "relaxed" in the boot (leds failed, so
        # the link outlived the boot).
        edge = [(e.supplier, e.consumer, e.kind, e.state)
                for e in self.boot.edges if e.consumer == 'leds']
        self.assertEqual(edge, [('soc:firmware:gpio', 'leds', 'fwnode',
                                 'relaxed')])
        self.assertIn(model.Edge('soc:firmware:gpio', 'leds', 'fwnode',
                                 'relaxed'), self.predicted.edges)

    def test_no_cycles(self) -> None:
        self.assertEqual(self.pred.cycles, [])
        self.assertEqual(self.boot.cycles, [])


# No driver in armv7-boards.config matches these: the crypto engines,
# display, FSI, video engine, LPC host controller, secure boot
# controller, USB virtual hub and UHCI, the AHB controller and the SDRAM
# EDAC; the hwrng's timeriomem_rng is not built either.  The silicon ID
# and the SMP memory are read by drivers/soc/aspeed and
# arch/arm/mach-aspeed, not bound; the ARM timer is TIMER_OF_DECLARE().
AST2600_NO_DRIVER_NODES = [
    '/ahb/apb/crypto@1e6d0000', '/ahb/apb/crypto@1e6fa000',
    '/ahb/apb/display@1e6e6000', '/ahb/apb/fsi@1e79b000',
    '/ahb/apb/hwrng@1e6e2524', '/ahb/apb/lpc@1e789000/lhc@a0',
    '/ahb/apb/secure-boot-controller@1e6f2000',
    '/ahb/apb/syscon@1e6e2000/silicon-id@14',
    '/ahb/apb/syscon@1e6e2000/smp-memram@180',
    '/ahb/apb/video@1e700000', '/ahb/bus@1e600000',
    '/ahb/usb-vhub@1e6a0000', '/ahb/usb@1e6b0000', '/sdram@1e6e0000',
    '/timer']

# Devices drivers create on nodes of their own: the I2C EEPROM, the SD
# slots sdhci-of-aspeed populates, the PHYs each MDIO bus registers and
# the SPI NOR flashes.
AST2600_CHILD_NODES = [
    '/ahb/apb/bus@1e78a000/i2c@400/eeprom@50',
    '/ahb/apb/sdc@1e740000/sdhci@1e740100',
    '/ahb/apb/sdc@1e740000/sdhci@1e740200',
    '/ahb/apb/sdc@1e750000/sdhci@1e750100',
    '/ahb/mdio@1e650000/ethernet-phy@0',
    '/ahb/mdio@1e650008/ethernet-phy@0',
    '/ahb/mdio@1e650010/ethernet-phy@0',
    '/ahb/mdio@1e650018/ethernet-phy@0',
    '/ahb/spi@1e620000/flash@0', '/ahb/spi@1e630000/flash@0']

# aspeed_wdt registers at arch_initcall and binds the watchdog as
# of_platform_default_populate_init() adds it, before simple-pm-bus
# registers: its parent never held it back, and the dump says
# "relaxed".  predict does not know when drivers register.
AST2600_EARLY_DRIVER_PARENT_EDGES = [
    ('/ahb/apb', '/ahb/apb/watchdog@1e785000', 'parent')]


class Ast2600BootTest(unittest.TestCase):

    def setUp(self) -> None:
        self.pred = analysis.predict(fdt.read_fdt(
            test_data_path('ast2600-evb.dtb')))
        self.predicted = analysis.prediction_graph(self.pred)
        self.boot = model.load(test_data_path('ast2600-evb-on'))
        self.cmp = analysis.compare_with_boot(self.predicted, self.boot)

    def test_devices(self) -> None:
        self.assertEqual(self.cmp.only_predicted, AST2600_NO_DRIVER_NODES)
        self.assertEqual(self.cmp.only_booted, AST2600_CHILD_NODES)
        self.assertEqual(self.cmp.shared_nodes, [
            '1-0:1.0', '1e784000.serial:0', '1e784000.serial:0.0', 'usb1'])
        self.assertEqual((self.cmp.predicted, self.cmp.booted,
                          self.cmp.both), (58, 53, 43))

    def test_blocking_edges(self) -> None:
        self.assertEqual(self.cmp.edges_only_predicted,
                         AST2600_EARLY_DRIVER_PARENT_EDGES)
        self.assertEqual(self.cmp.edges_only_booted, [])
        self.assertEqual(self.cmp.edges_both, 57)

    def test_parse_phy_handle(self) -> None:
        # Each MAC waits for the MDIO controller of its PHY.
        pairs = [('1e650000.mdio', '1e660000.ethernet'),
                 ('1e650008.mdio', '1e680000.ethernet'),
                 ('1e650010.mdio', '1e670000.ethernet'),
                 ('1e650018.mdio', '1e690000.ethernet')]
        self.assertEqual(sorted((e.supplier, e.consumer)
                                for e in self.predicted.edges
                                if e.supplier.endswith('.mdio')), pairs)
        booted = {(e.supplier, e.consumer) for e in self.boot.edges
                  if e.gates}
        for pair in pairs:
            self.assertIn(pair, booted)

    def test_clk_of_declare_driver(self) -> None:
        # The SCU is CLK_OF_DECLARE_DRIVER(): a device, initialised
        # early, and linked to by nobody while it has no driver.  Only
        # the SD slots, which sdhci-of-aspeed adds after the SCU's
        # driver has bound, wait for it.  Its pin controller binds as it
        # is added (arch_initcall), so only consumers added after it
        # wait for it: the I2C controllers, not the MACs, MDIO
        # controllers and USB on /ahb added before it.
        self.assertIn('/ahb/apb/syscon@1e6e2000', self.pred.devices)
        self.assertEqual([e for e in self.predicted.edges
                          if e.supplier == '1e6e2000.syscon' and
                          e.kind == 'fwnode'], [])
        self.assertEqual(sorted(e.consumer for e in self.boot.edges
                                if e.supplier == '1e6e2000.syscon' and
                                e.kind == 'fwnode'),
                         ['1e740100.sdhci', '1e740200.sdhci',
                          '1e750100.sdhci'])
        pinctrl = '1e6e2000.syscon:pinctrl'
        i2c = ['1e78a%s.i2c' % n for n in ('080', '100', '180', '200',
                                            '280', '300', '380', '400',
                                            '480', '500', '680', '700',
                                            '780', '800')]
        # The FSI master has no driver, so no node in the boot; the SD
        # slot 1e750100.sdhci is added later, by sdhci-of-aspeed.
        expected: list[tuple[model.Graph, list[str]]] = [
            (self.predicted, i2c + ['1e79b000.fsi']),
            (self.boot, ['1e750100.sdhci'] + i2c)]
        for graph, consumers in expected:
            self.assertEqual(sorted(e.consumer for e in graph.edges
                                    if e.supplier == pinctrl and e.gates),
                             consumers)

    def test_no_cycles(self) -> None:
        self.assertEqual(self.pred.cycles, [])
        self.assertEqual(self.boot.cycles, [])


if __name__ == '__main__':
    unittest.main()
