#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The prediction of raspi3b's tree against a boot of it.

data/rpi3b.dtb is the kernel's broadcom/bcm2837-rpi-3-b.dts, compiled
with cpp and dtc; data/rpi3b-on is the probe graph of a boot of that
tree on QEMU raspi3b with probe_graph=on (6.12, harness/configs/
rpi3.config), console log included.  Every difference between the two
has a reason stated here.
"""

import unittest

from fixtures import test_data_path

from probe_graph import analysis, fdt, model

# register_cpu() makes the CPU devices, with an of_node but no fwnode:
# not of_platform's, and fw_devlink never parses them.
CPU_NODES = ['/cpus/cpu@0', '/cpus/cpu@1', '/cpus/cpu@2', '/cpus/cpu@3']

# Devices drivers create later on their own device's node: GPIO chips,
# I2C adapters, serial ports, the USB root hub.
SHARED_NODES = ['1-0:1.0', '3f201000.serial:0', '3f201000.serial:0.0',
                '3f215040.serial:0', '3f215040.serial:0.0', 'gpiochip0',
                'gpiochip1', 'i2c-0', 'i2c-1', 'i2c-2', 'usb1']

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
        self.assertEqual(cmp.only_predicted, [])
        self.assertEqual(cmp.only_booted, CPU_NODES)
        self.assertEqual(cmp.shared_nodes, SHARED_NODES)
        # Devices without a node (clockevents, serial8250, the
        # watchdog's power child, ...) are nobody's prediction.
        for name in cmp.no_node:
            node = self.boot.node(name)
            assert node is not None
            self.assertIsNone(node.of_node)
        self.assertEqual(len(self.pred.devices), 38)

    def test_names(self) -> None:
        # of_device_make_bus_id(): the same name for the same node.
        for node in self.predicted.nodes:
            booted = [n.name for n in self.boot.nodes
                      if n.of_node == node.of_node]
            self.assertIn(node.name, booted)

    def test_blocking_edges(self) -> None:
        cmp = analysis.compare_with_boot(self.predicted, self.boot)
        self.assertEqual(cmp.edges_only_predicted, [])
        self.assertEqual(cmp.edges_only_booted, VENDOR_BUS_PARENT_EDGES)

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


if __name__ == '__main__':
    unittest.main()
