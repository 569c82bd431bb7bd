// SPDX-License-Identifier: GPL-2.0
/*
 * Probe graph debugfs files: /sys/kernel/debug/probe_graph/.  Their format
 * is described in Documentation/driver-api/probe-graph.rst.
 */

#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/init.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "base.h"
#include "probe_graph_internal.h"

/* Why a node is where it is; @buf is used when text has to be made. */
static const char *probe_graph_reason(struct probe_graph_node *node,
				      char *buf, size_t len)
{
	struct probe_graph_blocker b = { .node = node, .buf = buf, .len = len };

	lockdep_assert_held(&probe_graph_lock);

	switch (node->state) {
	case PROBE_GRAPH_WAITING:
		if (probe_graph_blocked_by(&b))
			return buf;
		return probe_graph_is_paused() ? "probing blocked" : "ready";
	case PROBE_GRAPH_DEFERRED:
		snprintf(buf, len, "driver deferred: ");
		driver_deferred_probe_reason(node->dev, buf + strlen(buf),
					     len - strlen(buf));
		if (!strcmp(buf, "driver deferred: "))
			strlcat(buf, "?", len);
		strreplace(buf, '\n', ' ');
		return buf;
	case PROBE_GRAPH_FAILED:
		snprintf(buf, len, "probe failed: %d", node->ret);
		return buf;
	case PROBE_GRAPH_BOUND:
		if (node->flags & PROBE_GRAPH_BEST_EFFORT)
			return "probed best effort";
		if (!node->retries)
			return "-";
		/* A dependency nobody declared: what bound it is not known. */
		snprintf(buf, len, "bound after %u deferred retries",
			 node->retries);
		return buf;
	case PROBE_GRAPH_IDLE:
		if (node->ret == -ENODEV || node->ret == -ENXIO) {
			snprintf(buf, len, "driver rejected it: %d", node->ret);
			return buf;
		}
		return node->dev->can_match ? "unbound" : "no driver";
	default:
		return "-";
	}
}

/**
 * struct probe_graph_seq - where a reader of a node file is
 * @gen: probe_graph_list_gen when @v was found.
 * @pos: the position of @v.
 * @v: the list entry at @pos, so that a read resumes without walking the
 *	list from its start while the list has not changed.
 */
struct probe_graph_seq {
	unsigned long gen;
	loff_t pos;
	void *v;
};

static void *probe_graph_seq_start(struct seq_file *s, loff_t *pos)
{
	struct probe_graph_seq *it = s->private;

	mutex_lock(&probe_graph_lock);
	if (*pos == 0)
		return SEQ_START_TOKEN;
	if (it->v && it->gen == probe_graph_list_gen && it->pos == *pos)
		return it->v;
	return seq_list_start(&probe_graph_nodes, *pos - 1);
}

static void *probe_graph_seq_next(struct seq_file *s, void *v, loff_t *pos)
{
	struct probe_graph_seq *it = s->private;

	lockdep_assert_held(&probe_graph_lock);

	if (v == SEQ_START_TOKEN) {
		++*pos;
		v = seq_list_start(&probe_graph_nodes, 0);
	} else {
		v = seq_list_next(v, &probe_graph_nodes, pos);
	}
	it->v = v;
	it->pos = *pos;
	it->gen = probe_graph_list_gen;
	return v;
}

static void probe_graph_seq_stop(struct seq_file *s, void *v)
{
	mutex_unlock(&probe_graph_lock);
}

static int probe_graph_devices_show(struct seq_file *s, void *v)
{
	struct probe_graph_node *node;
	const struct device *parent;
	char buf[160];

	lockdep_assert_held(&probe_graph_lock);

	if (v == SEQ_START_TOKEN) {
		seq_printf(s, "# probe_graph devices v1 mode=%s\n",
			   probe_graph_mode_names[probe_graph_get_mode()]);
		seq_puts(s, "# device\tparent\tstate\tprobe_calls\tdefers\treason\n");
		return 0;
	}

	node = list_entry(v, struct probe_graph_node, list);
	parent = node->dev->parent;
	seq_printf(s, "%s\t%s\t%s\t%u\t%u\t%s\n", dev_name(node->dev),
		   parent ? dev_name(parent) : "-",
		   probe_graph_state_names[node->state], node->probe_calls,
		   node->defers, probe_graph_reason(node, buf, sizeof(buf)));
	return 0;
}

static const struct seq_operations probe_graph_devices_sops = {
	.start	= probe_graph_seq_start,
	.next	= probe_graph_seq_next,
	.stop	= probe_graph_seq_stop,
	.show	= probe_graph_devices_show,
};

/* The node files: the seq_operations come as the file's data. */
static int probe_graph_seq_open(struct inode *inode, struct file *file)
{
	return seq_open_private(file, inode->i_private,
				sizeof(struct probe_graph_seq));
}

static const struct file_operations probe_graph_seq_fops = {
	.open		= probe_graph_seq_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= seq_release_private,
};

struct probe_graph_edge_ctx {
	struct seq_file *s;
	struct probe_graph_node *node;
};

/* What device_links_walk_suppliers() says of an edge, and nothing else. */
static const char *probe_graph_edge_state(struct device *sup,
					  unsigned int flags)
{
	if (flags & DEVICE_EDGE_CYCLE)
		return "cycle-broken";
	if (flags & DEVICE_EDGE_RELAXED)
		return "relaxed";
	if (flags & (DEVICE_EDGE_BLOCKING | DEVICE_EDGE_UNBINDING))
		return "blocking";
	if (flags & DEVICE_EDGE_BEST_EFFORT)
		return "relaxed";
	/* Not blocking and not bound: fw_devlink's best effort let it go. */
	if (sup && !device_is_bound(sup))
		return "relaxed";
	return "satisfied";
}

static int probe_graph_show_edge(const struct device_supplier_edge *edge,
				 void *data)
{
	struct probe_graph_edge_ctx *ctx = data;

	if (edge->supplier)
		seq_printf(ctx->s, "edge\t%s", dev_name(edge->supplier));
	else
		seq_printf(ctx->s, "edge\t%pfwf", edge->fwnode);
	seq_printf(ctx->s, "\t%s\t%s\t%s\n", dev_name(ctx->node->dev),
		   edge->flags & DEVICE_EDGE_FWNODE ? "fwnode" : "devlink",
		   probe_graph_edge_state(edge->supplier, edge->flags));
	return 0;
}

static void probe_graph_show_parent_edge(struct seq_file *s,
					 struct probe_graph_node *node)
{
	struct device *parent = node->dev->parent;
	struct probe_graph_node *pnode;
	const char *state;

	lockdep_assert_held(&probe_graph_lock);

	pnode = parent ? probe_graph_node_of(parent) : NULL;
	/* A parent no driver ever matched is a container, not a supplier. */
	if (!pnode || (!parent->can_match && pnode->state != PROBE_GRAPH_BOUND))
		return;

	if (probe_graph_parent_blocks(node->dev))
		state = "blocking";
	else if (pnode->state == PROBE_GRAPH_BOUND &&
		 !(node->flags & PROBE_GRAPH_PARENT_UNHELD))
		state = "satisfied";
	else
		state = "relaxed";
	seq_printf(s, "edge\t%s\t%s\tparent\t%s\n", dev_name(parent),
		   dev_name(node->dev), state);
}

static int probe_graph_graph_show(struct seq_file *s, void *v)
{
	struct probe_graph_edge_ctx ctx = { .s = s };
	struct probe_graph_node *node;
	const struct device *parent;
	char buf[160];

	lockdep_assert_held(&probe_graph_lock);

	if (v == SEQ_START_TOKEN) {
		seq_printf(s, "# probe_graph graph v1 mode=%s\n",
			   probe_graph_mode_names[probe_graph_get_mode()]);
		seq_puts(s, "# node\tdevice\tof_node\tdriver\tparent\tstate\tprobe_calls\tdefers\tready_ns\tstart_ns\tend_ns\tret\treason\n");
		seq_puts(s, "# edge\tsupplier\tconsumer\tkind\tstate\n");
		return 0;
	}

	node = list_entry(v, struct probe_graph_node, list);
	parent = node->dev->parent;
	seq_printf(s, "node\t%s\t", dev_name(node->dev));
	if (node->dev->of_node)
		seq_printf(s, "%pOF", node->dev->of_node);
	else
		seq_putc(s, '-');
	/* A bound device keeps its driver until the unbinding hook, under G. */
	seq_printf(s, "\t%s\t%s\t%s\t%u\t%u\t%llu\t%llu\t%llu\t%d\t%s\n",
		   node->state == PROBE_GRAPH_BOUND ? node->dev->driver->name :
		   "-", parent ? dev_name(parent) : "-",
		   probe_graph_state_names[node->state], node->probe_calls,
		   node->defers, probe_graph_ready_ns(node), node->start_ns,
		   node->end_ns, node->ret,
		   probe_graph_reason(node, buf, sizeof(buf)));

	probe_graph_show_parent_edge(s, node);
	ctx.node = node;
	device_links_walk_suppliers(node->dev, probe_graph_show_edge, &ctx);
	return 0;
}

static const struct seq_operations probe_graph_graph_sops = {
	.start	= probe_graph_seq_start,
	.next	= probe_graph_seq_next,
	.stop	= probe_graph_seq_stop,
	.show	= probe_graph_graph_show,
};

static int probe_graph_stats_show(struct seq_file *s, void *unused)
{
	unsigned int n[PROBE_GRAPH_DEAD + 1] = { };
	struct probe_graph_node *node;
	struct probe_graph_stats st;
	enum probe_graph_state i;

	guard(mutex)(&probe_graph_lock);
	probe_graph_get_stats(&st);
	list_for_each_entry(node, &probe_graph_nodes, list)
		n[node->state]++;

	seq_puts(s, "# probe_graph stats v1\n");
	seq_printf(s, "mode %s\n", probe_graph_mode_names[probe_graph_get_mode()]);
	seq_printf(s, "max_active %u\n", probe_graph_get_max_active());
	seq_printf(s, "busy %d\n", probe_graph_busy_count());
	seq_printf(s, "phase %s\n", probe_graph_phase_name());
	for (i = PROBE_GRAPH_IDLE; i < PROBE_GRAPH_DEAD; i++)
		seq_printf(s, "nodes_%s %u\n", probe_graph_state_names[i], n[i]);
	seq_printf(s, "probe_calls %lu\n", st.probe_calls);
	seq_printf(s, "dispatched %lu\n", st.dispatched);
	seq_printf(s, "defers_declared %lu\n", st.defers_declared);
	seq_printf(s, "defers_driver %lu\n", st.defers_driver);
	seq_printf(s, "fallback_retries %lu\n", st.fallback_retries);
	seq_printf(s, "unforeseen %lu\n", st.unforeseen);
	seq_printf(s, "failed %lu\n", st.failed);
	seq_printf(s, "peak_parallel %u\n", st.peak_parallel);
	seq_printf(s, "cycles %u\n", probe_graph_cycle_count());
	seq_printf(s, "pending %u\n", st.pending);
	seq_printf(s, "peak_pending %u\n", st.peak_pending);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(probe_graph_stats);

static int probe_graph_cycles_show(struct seq_file *s, void *unused)
{
	/* The cycles found at the end of boot and on the probe timeout. */
	guard(mutex)(&probe_graph_lock);
	seq_puts(s, "# probe_graph cycles v1\n# members\n");
	probe_graph_show_cycles(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(probe_graph_cycles);

static int __init probe_graph_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("probe_graph", NULL);

	debugfs_create_file("devices", 0444, dir,
			    (void *)&probe_graph_devices_sops,
			    &probe_graph_seq_fops);
	debugfs_create_file("graph", 0444, dir, (void *)&probe_graph_graph_sops,
			    &probe_graph_seq_fops);
	debugfs_create_file("stats", 0444, dir, NULL, &probe_graph_stats_fops);
	debugfs_create_file("cycles", 0444, dir, NULL,
			    &probe_graph_cycles_fops);
	return 0;
}
late_initcall(probe_graph_debugfs_init);
