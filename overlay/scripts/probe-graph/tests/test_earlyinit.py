#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests for update-early-init, which writes probe_graph/earlyinit.py."""

import importlib.machinery
import importlib.util
import os
import tempfile
import unittest
from types import ModuleType

from fixtures import TOOL_DIR

from probe_graph import earlyinit


def load_script() -> ModuleType:
    path = os.path.join(TOOL_DIR, 'update-early-init')
    loader = importlib.machinery.SourceFileLoader('update_early_init', path)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


SOURCE = '''
static void __init a_init(struct device_node *np) { }
CLK_OF_DECLARE(a, "vendor,a-clk", a_init);

static void __init b_init(struct device_node *np)
{
	of_clk_add_hw_provider(np, of_clk_hw_onecell_get, data);
}
CLK_OF_DECLARE_DRIVER(b, "vendor,b-scu",
		      b_init);

static int __init c_init(struct device_node *np, struct device_node *p)
{
	of_node_clear_flag(np, OF_POPULATED);
	fwnode_dev_initialized(of_fwnode_handle(np), false);
	return 0;
}
IRQCHIP_DECLARE(c, "vendor,c-gpc", c_init);
'''


class UpdateEarlyInitTest(unittest.TestCase):

    def test_collect(self) -> None:
        script = load_script()
        with tempfile.TemporaryDirectory() as src:
            os.makedirs(os.path.join(src, 'drivers', 'clk'))
            with open(os.path.join(src, 'drivers', 'clk', 'x.c'), 'w',
                      encoding='utf-8') as f:
                f.write(SOURCE)
            found = script.collect(src)
        self.assertEqual(found.clk, {'vendor,a-clk', 'vendor,b-scu'})
        self.assertEqual(found.irq, {'vendor,c-gpc'})
        # CLK_OF_DECLARE_DRIVER() clears OF_POPULATED itself; the
        # provider leaves the node initialised.
        self.assertEqual(found.populated_again, {'vendor,b-scu',
                                                 'vendor,c-gpc'})
        self.assertEqual(found.initialized_again, {'vendor,c-gpc'})

    def test_generated_tables(self) -> None:
        # CLK_OF_DECLARE_DRIVER(aspeed_cc_g6, "aspeed,ast2600-scu", ...)
        # and the sun6i RTC's: initialised devices.
        for compatible in ('aspeed,ast2600-scu', 'allwinner,sun8i-h3-rtc'):
            self.assertIn(compatible, earlyinit.CLK_COMPATIBLES)
            self.assertIn(compatible, earlyinit.POPULATED_AGAIN)
            self.assertNotIn(compatible, earlyinit.INITIALIZED_AGAIN)


if __name__ == '__main__':
    unittest.main()
