// SPDX-License-Identifier: GPL-2.0
/*
 * A device-tree driven device for exercising the probe graph.
 *
 * Each node with compatible = "probe-graph,test-device" sleeps for
 * "probe-delay-us" in its probe, as if waiting for hardware, and then
 * populates its child nodes, as a bus driver would; "probe-error" makes
 * it fail with that error number instead.  Providers declare
 * the usual cells (#clock-cells, #reset-cells, ...) so that consumers can
 * reference them through bindings fw_devlink already understands.
 */

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_platform.h>
#include <linux/platform_device.h>

static atomic_t probe_graph_test_probe_calls = ATOMIC_INIT(0);

static int probe_graph_test_device_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	u32 delay_us = 0, error = 0;

	atomic_inc(&probe_graph_test_probe_calls);
	of_property_read_u32(dev->of_node, "probe-delay-us", &delay_us);
	if (delay_us)
		fsleep(delay_us);

	of_property_read_u32(dev->of_node, "probe-error", &error);
	if (error)
		return dev_err_probe(dev, -(int)error, "failing as told\n");

	return devm_of_platform_populate(dev);
}

static const struct of_device_id probe_graph_test_device_of_match[] = {
	{ .compatible = "probe-graph,test-device" },
	{ }
};
MODULE_DEVICE_TABLE(of, probe_graph_test_device_of_match);

static struct platform_driver probe_graph_test_device_driver = {
	.probe = probe_graph_test_device_probe,
	.driver = {
		.name = "probe-graph-test-device",
		.of_match_table = probe_graph_test_device_of_match,
	},
};

static int __init probe_graph_test_device_init(void)
{
	struct dentry *dir = debugfs_create_dir("probe_graph_test_device", NULL);

	debugfs_create_atomic_t("probe_calls", 0444, dir,
				&probe_graph_test_probe_calls);
	return platform_driver_register(&probe_graph_test_device_driver);
}
module_init(probe_graph_test_device_init);

static void __exit probe_graph_test_device_exit(void)
{
	platform_driver_unregister(&probe_graph_test_device_driver);
	debugfs_lookup_and_remove("probe_graph_test_device", NULL);
}
module_exit(probe_graph_test_device_exit);

MODULE_DESCRIPTION("Device-tree test device for the probe graph");
MODULE_LICENSE("GPL");
