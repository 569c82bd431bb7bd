// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the probe graph.
 */

#include <kunit/device.h>
#include <kunit/platform_device.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/device.h>
#include <linux/platform_device.h>
#include <linux/probe_graph.h>

#include "../base.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define PG_TEST_DRV_NAME	"probe-graph-kunit"

static int probe_graph_test_probe(struct platform_device *pdev)
{
	return 0;
}

static struct platform_driver probe_graph_test_driver = {
	.probe = probe_graph_test_probe,
	.driver = {
		.name = PG_TEST_DRV_NAME,
	},
};

static void probe_graph_skip_if_off(struct kunit *test)
{
	if (probe_graph_get_mode() == PROBE_GRAPH_OFF)
		kunit_skip(test, "probe_graph=off");
}

/* A device offered to its bus gets a node that follows bind and unbind. */
static void probe_graph_node_bind_test(struct kunit *test)
{
	DECLARE_COMPLETION_ONSTACK(probed);
	struct platform_device *pdev;
	const char *state;

	probe_graph_skip_if_off(test);

	pdev = kunit_platform_device_alloc(test, PG_TEST_DRV_NAME,
					   PLATFORM_DEVID_AUTO);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pdev);
	KUNIT_ASSERT_EQ(test, 0, kunit_platform_device_add(test, pdev));

	state = probe_graph_node_state(&pdev->dev);
	KUNIT_ASSERT_NOT_NULL(test, state);
	KUNIT_EXPECT_STREQ(test, state, "idle");

	KUNIT_ASSERT_EQ(test, 0,
			kunit_platform_device_prepare_wait_for_probe(test, pdev,
								     &probed));
	KUNIT_ASSERT_EQ(test, 0,
			kunit_platform_driver_register(test,
						       &probe_graph_test_driver));
	KUNIT_ASSERT_NE(test, 0, wait_for_completion_timeout(&probed, 10 * HZ));
	KUNIT_EXPECT_STREQ(test, probe_graph_node_state(&pdev->dev), "bound");

	device_release_driver(&pdev->dev);
	KUNIT_EXPECT_STREQ(test, probe_graph_node_state(&pdev->dev), "idle");
}

/* Deleting a device frees its node. */
static void probe_graph_node_del_test(struct kunit *test)
{
	struct device *dev;

	probe_graph_skip_if_off(test);

	dev = kunit_device_register(test, "pg-del");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_ASSERT_NOT_NULL(test, probe_graph_node_state(dev));

	/* Keep dev->p alive across the unregistration to look at it. */
	get_device(dev);
	kunit_device_unregister(test, dev);
	KUNIT_EXPECT_NULL(test, probe_graph_node_state(dev));
	put_device(dev);
}

static struct kunit_case probe_graph_test_cases[] = {
	KUNIT_CASE(probe_graph_node_bind_test),
	KUNIT_CASE(probe_graph_node_del_test),
	{}
};

static struct kunit_suite probe_graph_test_suite = {
	.name = "probe_graph",
	.test_cases = probe_graph_test_cases,
};

kunit_test_suite(probe_graph_test_suite);

MODULE_DESCRIPTION("KUnit tests for the probe graph");
MODULE_LICENSE("GPL");
