// SPDX-License-Identifier: GPL-2.0
/*
 * A module that a probe loads with request_module().
 *
 * A "probe-graph,test-device" node with "probe-request-module" names this
 * module: its probe loads it, and this module's init registers a driver
 * for the "probe-graph,test-module" nodes.  A driver registered from a
 * module init probes the devices that are ready before the registration
 * returns, so when request_module() returns in the probe, they are
 * bound.  Init checks that and says so, one line, which the module boots
 * of the probe graph compare with and without the graph and with one
 * worker (probe_graph.max_active=1).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_platform.h>
#include <linux/platform_device.h>

#define PROBE_GRAPH_TEST_MODULE_COMPATIBLE	"probe-graph,test-module"

static int probe_graph_test_module_probe(struct platform_device *pdev)
{
	return 0;
}

static const struct of_device_id probe_graph_test_module_of_match[] = {
	{ .compatible = PROBE_GRAPH_TEST_MODULE_COMPATIBLE },
	{ }
};
MODULE_DEVICE_TABLE(of, probe_graph_test_module_of_match);

static struct platform_driver probe_graph_test_module_driver = {
	.probe = probe_graph_test_module_probe,
	.driver = {
		.name = "probe-graph-test-module",
		.of_match_table = probe_graph_test_module_of_match,
	},
};

/* How many of the nodes this driver matches have a device bound. */
static unsigned int probe_graph_test_module_bound(unsigned int *total)
{
	struct device_node *np;
	unsigned int bound = 0;

	*total = 0;
	for_each_compatible_node(np, NULL, PROBE_GRAPH_TEST_MODULE_COMPATIBLE) {
		struct platform_device *pdev;

		if (!of_device_is_available(np))
			continue;
		(*total)++;
		pdev = of_find_device_by_node(np);
		if (!pdev)
			continue;
		/*
		 * Without the device lock: taking it would wait for a probe
		 * still running, and hide that the registration did not.
		 */
		if (device_is_bound(&pdev->dev))
			bound++;
		put_device(&pdev->dev);
	}
	return bound;
}

static int __init probe_graph_test_module_init(void)
{
	unsigned int bound, total;
	int ret;

	ret = platform_driver_register(&probe_graph_test_module_driver);
	if (ret)
		return ret;
	bound = probe_graph_test_module_bound(&total);
	pr_notice("%u of %u devices bound when the registration returned\n",
		  bound, total);
	return 0;
}
module_init(probe_graph_test_module_init);

static void __exit probe_graph_test_module_exit(void)
{
	platform_driver_unregister(&probe_graph_test_module_driver);
}
module_exit(probe_graph_test_module_exit);

MODULE_DESCRIPTION("Module loaded by a probe, for the probe graph tests");
MODULE_LICENSE("GPL");
