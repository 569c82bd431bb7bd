// SPDX-License-Identifier: GPL-2.0
/*
 * Probe graph: dependency-ordered, parallel device probing.
 *
 * DOC: Theory of operation
 *
 * The driver core learns about a device's dependencies from three sources:
 * its parent, the fwnode links fw_devlink creates from firmware (the
 * supplier bindings of drivers/of/property.c) and the managed device links
 * drivers create with device_link_add().  Without the probe graph these
 * are only consulted when a probe is attempted: a consumer whose supplier
 * is not bound yet fails with -EPROBE_DEFER and the whole deferred list is
 * retried after every successful bind.
 *
 * The probe graph keeps one &struct probe_graph_node per device that sits
 * on a bus.  The node records where the device is in its life (&enum
 * probe_graph_state) and is the place from which scheduling decisions are
 * made.  The driver core calls into this file at a handful of points:
 *
 *  - probe_graph_device_attach() when a device is offered to its bus's
 *    drivers (device_add() and the deferred-probe retry path),
 *  - probe_graph_device_bound() when a driver has bound,
 *  - probe_graph_device_unbound() when a driver has been released,
 *  - probe_graph_device_del() when the device is deleted.
 *
 * Modes: ``probe_graph=on`` (the default), ``probe_graph=serial`` and
 * ``probe_graph=off``.  With ``off`` every hook returns before touching
 * any state, so the driver core behaves exactly as without this file.
 *
 * Locking:
 *
 *  G: probe_graph_lock.  Protects the node list, every node's state and
 *     the &device_private.probe_graph pointer.  It is a leaf with respect
 *     to the device lock: hooks may be called with device_lock() held and
 *     take G inside it; G is never held while taking a device lock or
 *     while calling into a driver.
 *  I: immutable after the node is created.
 */

#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/init.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/probe_graph.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "base.h"

/**
 * enum probe_graph_state - where a device is in its probe life
 * @PROBE_GRAPH_IDLE: no driver matched (yet), or the driver was released.
 * @PROBE_GRAPH_BOUND: a driver is bound.
 * @PROBE_GRAPH_DEAD: device_del() has run; the node is being freed.
 */
enum probe_graph_state {
	PROBE_GRAPH_IDLE,
	PROBE_GRAPH_BOUND,
	PROBE_GRAPH_DEAD,
};

/**
 * struct probe_graph_node - a device in the probe graph
 * @dev: the device (I).  Valid while the node is on @list: the node is
 *	unlinked by device_del(), before the device can be released.
 * @list: entry in probe_graph_nodes (G).
 * @state: see &enum probe_graph_state (G).
 */
struct probe_graph_node {
	struct device *dev;
	struct list_head list;
	enum probe_graph_state state;
};

static enum probe_graph_mode probe_graph_mode = PROBE_GRAPH_ON;

static DEFINE_MUTEX(probe_graph_lock);
static LIST_HEAD(probe_graph_nodes);

static const char * const probe_graph_state_names[] = {
	[PROBE_GRAPH_IDLE]	= "idle",
	[PROBE_GRAPH_BOUND]	= "bound",
	[PROBE_GRAPH_DEAD]	= "dead",
};

static const char * const probe_graph_mode_names[] = {
	[PROBE_GRAPH_OFF]	= "off",
	[PROBE_GRAPH_SERIAL]	= "serial",
	[PROBE_GRAPH_ON]	= "on",
};

static int __init probe_graph_setup(char *str)
{
	int mode = sysfs_match_string(probe_graph_mode_names, str);

	if (mode < 0) {
		pr_warn("probe_graph: unknown mode '%s', keeping '%s'\n", str,
			probe_graph_mode_names[probe_graph_mode]);
		return 1;
	}
	probe_graph_mode = mode;
	return 1;
}
__setup("probe_graph=", probe_graph_setup);

/**
 * probe_graph_get_mode() - report how devices are probed
 *
 * Context: Any context.
 * Return: the mode selected with the ``probe_graph=`` parameter.
 */
enum probe_graph_mode probe_graph_get_mode(void)
{
	return READ_ONCE(probe_graph_mode);
}
EXPORT_SYMBOL_GPL(probe_graph_get_mode);

static bool probe_graph_off(void)
{
	return probe_graph_get_mode() == PROBE_GRAPH_OFF;
}

static struct probe_graph_node *probe_graph_node_get_or_create(struct device *dev)
{
	struct probe_graph_node *node;

	lockdep_assert_held(&probe_graph_lock);

	if (dev->p->probe_graph)
		return dev->p->probe_graph;

	node = kzalloc(sizeof(*node), GFP_KERNEL);
	if (!node)
		return NULL;
	node->dev = dev;
	node->state = PROBE_GRAPH_IDLE;
	list_add_tail(&node->list, &probe_graph_nodes);
	dev->p->probe_graph = node;
	return node;
}

/**
 * probe_graph_device_attach() - a device is offered to its bus's drivers
 * @dev: the device
 *
 * Called from device_initial_probe(), for new devices and for deferred
 * retries.  Creates the device's node on first use.
 *
 * Context: Process context; the device lock is not held.
 * Return: true if the probe graph took over probing @dev, false if the
 * caller must probe it the stock way.
 */
bool probe_graph_device_attach(struct device *dev)
{
	if (probe_graph_off())
		return false;

	guard(mutex)(&probe_graph_lock);
	if (!probe_graph_node_get_or_create(dev))
		dev_warn(dev, "probe_graph: no memory for node, probing unordered\n");
	return false;
}

static void probe_graph_set_state(struct device *dev,
				  enum probe_graph_state state)
{
	struct probe_graph_node *node;

	guard(mutex)(&probe_graph_lock);
	node = dev->p ? dev->p->probe_graph : NULL;
	if (node)
		node->state = state;
}

/**
 * probe_graph_device_bound() - a driver has bound to a device
 * @dev: the device
 *
 * Context: Called from driver_bound() with the device lock held.
 */
void probe_graph_device_bound(struct device *dev)
{
	if (probe_graph_off())
		return;
	probe_graph_set_state(dev, PROBE_GRAPH_BOUND);
}

/**
 * probe_graph_device_unbound() - a device's driver has been released
 * @dev: the device
 *
 * Context: Called from __device_release_driver() with the device lock held.
 */
void probe_graph_device_unbound(struct device *dev)
{
	if (probe_graph_off())
		return;
	probe_graph_set_state(dev, PROBE_GRAPH_IDLE);
}

/**
 * probe_graph_device_del() - a device is being deleted
 * @dev: the device
 *
 * Unlinks and frees the device's node.  After this returns the probe graph
 * holds no pointer to @dev.
 *
 * Context: Called from device_del(), after the driver was released.
 */
void probe_graph_device_del(struct device *dev)
{
	struct probe_graph_node *node;

	if (probe_graph_off())
		return;

	scoped_guard(mutex, &probe_graph_lock) {
		node = dev->p->probe_graph;
		if (!node)
			return;
		node->state = PROBE_GRAPH_DEAD;
		list_del(&node->list);
		dev->p->probe_graph = NULL;
	}
	kfree(node);
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * probe_graph_node_state() - name the probe graph state of a device
 * @dev: the device
 *
 * For tests only.
 *
 * Context: Process context; takes probe_graph_lock.
 * Return: the name of @dev's state as shown in debugfs, or NULL if the
 * graph does not track @dev.
 */
VISIBLE_IF_KUNIT const char *probe_graph_node_state(struct device *dev)
{
	guard(mutex)(&probe_graph_lock);
	if (!dev->p || !dev->p->probe_graph)
		return NULL;
	return probe_graph_state_names[dev->p->probe_graph->state];
}
EXPORT_SYMBOL_IF_KUNIT(probe_graph_node_state);
#endif

#ifdef CONFIG_DEBUG_FS

static void *probe_graph_devices_start(struct seq_file *s, loff_t *pos)
{
	mutex_lock(&probe_graph_lock);
	if (*pos == 0)
		return SEQ_START_TOKEN;
	return seq_list_start(&probe_graph_nodes, *pos - 1);
}

static void *probe_graph_devices_next(struct seq_file *s, void *v, loff_t *pos)
{
	if (v == SEQ_START_TOKEN) {
		++*pos;
		return seq_list_start(&probe_graph_nodes, 0);
	}
	return seq_list_next(v, &probe_graph_nodes, pos);
}

static void probe_graph_devices_stop(struct seq_file *s, void *v)
{
	mutex_unlock(&probe_graph_lock);
}

static int probe_graph_devices_show(struct seq_file *s, void *v)
{
	const struct probe_graph_node *node;
	const struct device *parent;

	lockdep_assert_held(&probe_graph_lock);

	if (v == SEQ_START_TOKEN) {
		seq_printf(s, "# probe_graph devices v1 mode=%s\n",
			   probe_graph_mode_names[probe_graph_get_mode()]);
		seq_puts(s, "# device\tparent\tstate\n");
		return 0;
	}

	node = list_entry(v, struct probe_graph_node, list);
	parent = node->dev->parent;
	seq_printf(s, "%s\t%s\t%s\n", dev_name(node->dev),
		   parent ? dev_name(parent) : "-",
		   probe_graph_state_names[node->state]);
	return 0;
}

static const struct seq_operations probe_graph_devices_sops = {
	.start	= probe_graph_devices_start,
	.next	= probe_graph_devices_next,
	.stop	= probe_graph_devices_stop,
	.show	= probe_graph_devices_show,
};
DEFINE_SEQ_ATTRIBUTE(probe_graph_devices);

static int __init probe_graph_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("probe_graph", NULL);

	debugfs_create_file("devices", 0444, dir, NULL,
			    &probe_graph_devices_fops);
	return 0;
}
late_initcall(probe_graph_debugfs_init);

#endif /* CONFIG_DEBUG_FS */
