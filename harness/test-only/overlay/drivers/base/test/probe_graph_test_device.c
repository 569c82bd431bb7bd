// SPDX-License-Identifier: GPL-2.0
/*
 * A device-tree driven device for exercising the probe graph.
 *
 * Each node with compatible = "probe-graph,test-device" sleeps for
 * "probe-delay-us" in its probe, as if waiting for hardware, spins for
 * "probe-busy-us", and then populates its child nodes, as a bus driver
 * would; "probe-error" makes it fail with that error number instead.
 * "probe-request-module" makes it load that module with request_module().
 * Providers declare the usual cells (#clock-cells, #reset-cells, ...) so
 * that consumers can reference them through bindings fw_devlink already
 * understands.
 *
 * Before doing anything, the probe checks that its parent and every
 * supplier it references are bound: a probe that starts too early is an
 * ordering violation, counted and reported; "running" counts the probes
 * under way.  A child probed by its
 * parent's probe, in the task populating it, is nested, as it always was
 * without the probe graph, and counted apart.  debugfs
 * probe_graph_test_device/ shows the counts.
 *
 * A node with #clock-cells = <0> provides a clock that says it is on, as
 * one a boot loader left running, and records in disable_unused_ns when
 * clk_disable_unused() turns it off at late_initcall_sync: no probe may
 * be running then, since it could be using a clock about to stop.
 */

#include <linux/atomic.h>
#include <linux/clk-provider.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_platform.h>
#include <linux/platform_device.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

/* One ->probe() call: who, when, with what result. */
struct probe_graph_test_probe {
	struct list_head list;
	const char *name;
	u64 start_ns;
	u64 end_ns;
	int ret;
};

static DEFINE_MUTEX(probe_graph_test_lock);
static LIST_HEAD(probe_graph_test_probes);	/* probe_graph_test_lock */

static atomic_t probe_graph_test_probe_calls = ATOMIC_INIT(0);
static atomic_t probe_graph_test_violations = ATOMIC_INIT(0);
static atomic_t probe_graph_test_nested = ATOMIC_INIT(0);
static atomic_t probe_graph_test_running = ATOMIC_INIT(0);
static atomic64_t probe_graph_test_disable_unused_ns = ATOMIC64_INIT(0);
static atomic_t probe_graph_test_bound = ATOMIC_INIT(0);

/**
 * struct probe_graph_test_priv - a test device's driver data
 * @populating: the task populating the device's children from its probe,
 *	or NULL; compared, never dereferenced
 */
struct probe_graph_test_priv {
	const struct task_struct *populating;
};

/**
 * struct probe_graph_test_clk - the clock a test device provides
 * @hw: its handle in the clock framework
 * @on: as far as the clock framework is told, the clock runs
 */
struct probe_graph_test_clk {
	struct clk_hw hw;
	bool on;
};

static int probe_graph_test_clk_is_on(struct clk_hw *hw)
{
	return READ_ONCE(container_of(hw, struct probe_graph_test_clk, hw)->on);
}

/* Only clk_disable_unused() turns the clock off: nobody enables it. */
static void probe_graph_test_clk_off_unused(struct clk_hw *hw)
{
	s64 none = 0;

	WRITE_ONCE(container_of(hw, struct probe_graph_test_clk, hw)->on,
		   false);
	atomic64_try_cmpxchg(&probe_graph_test_disable_unused_ns, &none,
			     ktime_get_ns());
}

static const struct clk_ops probe_graph_test_clk_ops = {
	.is_prepared = probe_graph_test_clk_is_on,
	.unprepare_unused = probe_graph_test_clk_off_unused,
	.is_enabled = probe_graph_test_clk_is_on,
	.disable_unused = probe_graph_test_clk_off_unused,
};

static int probe_graph_test_add_clk(struct device *dev)
{
	struct probe_graph_test_clk *clk;
	struct clk_init_data init = {
		.name = dev_name(dev),
		.ops = &probe_graph_test_clk_ops,
	};
	u32 cells;
	int ret;

	if (of_property_read_u32(dev->of_node, "#clock-cells", &cells) ||
	    cells)
		return 0;
	clk = devm_kzalloc(dev, sizeof(*clk), GFP_KERNEL);
	if (!clk)
		return -ENOMEM;
	clk->on = true;
	clk->hw.init = &init;
	ret = devm_clk_hw_register(dev, &clk->hw);
	if (ret)
		return ret;
	return devm_of_clk_add_hw_provider(dev, of_clk_hw_simple_get, &clk->hw);
}

/* Phandle properties the test device consumes, and their cells. */
static const struct {
	const char *name;
	const char *cells;
} probe_graph_test_bindings[] = {
	{ "clocks", "#clock-cells" },
	{ "resets", "#reset-cells" },
	{ "mboxes", "#mbox-cells" },
	{ "pwms", "#pwm-cells" },
};

/*
 * Count a supplier node whose device is not bound.  The device is found
 * through the firmware node, not by searching the bus, so that checking
 * stays cheap on trees of thousands of devices.
 */
static void probe_graph_test_check(struct device *dev, struct device_node *np,
				   const char *prop)
{
	struct device *sup = READ_ONCE(of_fwnode_handle(np)->dev);

	/* fw_devlink drops a reference to the node itself: no dependency. */
	if (np == dev->of_node)
		return;
	if (!sup || !device_is_bound(sup)) {
		atomic_inc(&probe_graph_test_violations);
		dev_err(dev, "ordering violation: %s supplier %pOF not bound\n",
			prop, np);
	}
}

static bool probe_graph_test_is_supply(const char *name)
{
	size_t len = strlen(name), slen = strlen("-supply");

	return len > slen && !strcmp(name + len - slen, "-supply");
}

/* A parent that is not bound yet is fine only while it populates us. */
static void probe_graph_test_check_parent(struct device *dev)
{
	struct device *parent = dev->parent;
	struct probe_graph_test_priv *ppriv;

	if (!parent || !parent->of_node ||
	    !of_device_is_compatible(parent->of_node,
				     "probe-graph,test-device") ||
	    device_is_bound(parent))
		return;

	ppriv = dev_get_drvdata(parent);
	if (ppriv && READ_ONCE(ppriv->populating) == current) {
		atomic_inc(&probe_graph_test_nested);
		return;
	}
	atomic_inc(&probe_graph_test_violations);
	dev_err(dev, "ordering violation: parent not bound\n");
}

static void probe_graph_test_check_suppliers(struct device *dev)
{
	struct device_node *np = dev->of_node;
	struct of_phandle_args args;
	struct property *prop;
	unsigned int i;
	int n;

	probe_graph_test_check_parent(dev);

	for (i = 0; i < ARRAY_SIZE(probe_graph_test_bindings); i++) {
		const char *name = probe_graph_test_bindings[i].name;
		const char *cells = probe_graph_test_bindings[i].cells;

		for (n = 0; !of_parse_phandle_with_args(np, name, cells, n,
							&args); n++) {
			probe_graph_test_check(dev, args.np, name);
			of_node_put(args.np);
		}
	}

	for_each_property_of_node(np, prop) {
		struct device_node *sup;

		if (!probe_graph_test_is_supply(prop->name))
			continue;
		sup = of_parse_phandle(np, prop->name, 0);
		if (sup) {
			probe_graph_test_check(dev, sup, prop->name);
			of_node_put(sup);
		}
	}
}

static void probe_graph_test_record(struct device *dev, u64 start_ns, int ret)
{
	struct probe_graph_test_probe *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return;
	p->name = kstrdup(dev_name(dev), GFP_KERNEL);
	p->start_ns = start_ns;
	p->end_ns = ktime_get_ns();
	p->ret = ret;
	guard(mutex)(&probe_graph_test_lock);
	list_add_tail(&p->list, &probe_graph_test_probes);
}

/*
 * A dependency no binding declares, so fw_devlink cannot see it: defer
 * until the device of the "probe-defer-until" node is bound.
 */
static int probe_graph_test_wait_undeclared(struct device *dev)
{
	struct device_node *np __free(device_node) =
		of_parse_phandle(dev->of_node, "probe-defer-until", 0);
	struct device *other;

	if (!np)
		return 0;
	other = READ_ONCE(of_fwnode_handle(np)->dev);
	if (other && device_is_bound(other))
		return 0;
	return dev_err_probe(dev, -EPROBE_DEFER, "waiting for %pOF\n", np);
}

/*
 * Load the module "probe-request-module" names, as a driver loads the
 * module of a part it found: request_module() returns once the module's
 * init has, and the devices its driver registration probed are bound.
 */
static int probe_graph_test_request_module(struct device *dev)
{
	const char *name;
	int ret;

	if (of_property_read_string(dev->of_node, "probe-request-module",
				    &name))
		return 0;
	ret = request_module("%s", name);
	if (ret) {
		/* Positive: the wait status of modprobe. */
		dev_err(dev, "request_module(%s): %d\n", name, ret);
		return ret < 0 ? ret : -ENOENT;
	}
	/* Who probes: the registering task, or a work item (which one). */
	dev_notice(dev, "request_module(%s): 0 in %s, work %ps\n", name,
		   current->comm,
		   current_work() ? current_work()->func : NULL);
	return 0;
}

static int __probe_graph_test_device_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	u32 delay_us = 0, busy_us = 0, error = 0;
	struct probe_graph_test_priv *priv;
	u64 until;
	int ret;

	probe_graph_test_check_suppliers(dev);
	priv = devm_kzalloc(dev, sizeof(*priv), GFP_KERNEL);
	if (!priv)
		return -ENOMEM;
	platform_set_drvdata(pdev, priv);
	ret = probe_graph_test_wait_undeclared(dev);
	if (ret)
		return ret;

	of_property_read_u32(dev->of_node, "probe-delay-us", &delay_us);
	if (delay_us)
		fsleep(delay_us);
	of_property_read_u32(dev->of_node, "probe-busy-us", &busy_us);
	until = ktime_get_ns() + (u64)busy_us * NSEC_PER_USEC;
	while (ktime_get_ns() < until)
		cpu_relax();

	ret = probe_graph_test_request_module(dev);
	if (ret)
		return ret;

	of_property_read_u32(dev->of_node, "probe-error", &error);
	if (error)
		return dev_err_probe(dev, -(int)error, "failing as told\n");

	ret = probe_graph_test_add_clk(dev);
	if (ret)
		return dev_err_probe(dev, ret, "cannot provide a clock\n");

	WRITE_ONCE(priv->populating, current);
	ret = devm_of_platform_populate(dev);
	WRITE_ONCE(priv->populating, NULL);
	if (!ret)
		atomic_inc(&probe_graph_test_bound);
	return ret;
}

static int probe_graph_test_device_probe(struct platform_device *pdev)
{
	u64 start_ns = ktime_get_ns();
	int ret;

	atomic_inc(&probe_graph_test_probe_calls);
	atomic_inc(&probe_graph_test_running);
	ret = __probe_graph_test_device_probe(pdev);
	probe_graph_test_record(&pdev->dev, start_ns, ret);
	atomic_dec(&probe_graph_test_running);
	return ret;
}

/* "device start_ns end_ns ret", one line per ->probe() call. */
static int probe_graph_test_probes_show(struct seq_file *s, void *unused)
{
	struct probe_graph_test_probe *p;

	guard(mutex)(&probe_graph_test_lock);
	list_for_each_entry(p, &probe_graph_test_probes, list)
		seq_printf(s, "%s %llu %llu %d\n", p->name ?: "?", p->start_ns,
			   p->end_ns, p->ret);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(probe_graph_test_probes);

/* When clk_disable_unused() turned off the first test clock, or 0. */
static int probe_graph_test_disable_unused_show(struct seq_file *s,
						void *unused)
{
	seq_printf(s, "%lld\n",
		   (long long)atomic64_read(&probe_graph_test_disable_unused_ns));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(probe_graph_test_disable_unused);

static void probe_graph_test_device_remove(struct platform_device *pdev)
{
	atomic_dec(&probe_graph_test_bound);
}

static const struct of_device_id probe_graph_test_device_of_match[] = {
	{ .compatible = "probe-graph,test-device" },
	{ }
};
MODULE_DEVICE_TABLE(of, probe_graph_test_device_of_match);

static struct platform_driver probe_graph_test_device_driver = {
	.probe = probe_graph_test_device_probe,
	.remove = probe_graph_test_device_remove,
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
	debugfs_create_atomic_t("violations", 0444, dir,
				&probe_graph_test_violations);
	debugfs_create_atomic_t("nested", 0444, dir, &probe_graph_test_nested);
	debugfs_create_atomic_t("running", 0444, dir, &probe_graph_test_running);
	debugfs_create_file("disable_unused_ns", 0444, dir, NULL,
			    &probe_graph_test_disable_unused_fops);
	debugfs_create_atomic_t("bound", 0444, dir, &probe_graph_test_bound);
	debugfs_create_file("probes", 0444, dir, NULL,
			    &probe_graph_test_probes_fops);
	return platform_driver_register(&probe_graph_test_device_driver);
}
module_init(probe_graph_test_device_init);

static void __exit probe_graph_test_device_exit(void)
{
	struct probe_graph_test_probe *p, *tmp;

	platform_driver_unregister(&probe_graph_test_device_driver);
	debugfs_lookup_and_remove("probe_graph_test_device", NULL);
	list_for_each_entry_safe(p, tmp, &probe_graph_test_probes, list) {
		kfree(p->name);
		kfree(p);
	}
}
module_exit(probe_graph_test_device_exit);

MODULE_DESCRIPTION("Device-tree test device for the probe graph");
MODULE_LICENSE("GPL");
