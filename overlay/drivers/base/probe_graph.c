// SPDX-License-Identifier: GPL-2.0
/*
 * Probe graph: dependency-ordered, parallel device probing.
 */

/**
 * DOC: Theory of operation
 *
 * The driver core knows what a device depends on from three sources: its
 * parent, the fwnode links fw_devlink creates from firmware (the supplier
 * bindings of drivers/of/property.c) and the managed device links that
 * fw_devlink and drivers create.  Without the probe graph these are only
 * consulted once a probe is attempted: a consumer whose supplier is not
 * bound fails with -EPROBE_DEFER and the whole deferred list is retried
 * after every successful bind.
 *
 * The probe graph keeps a &struct probe_graph_node for every device that
 * has been offered to its bus's drivers and decides when it may probe.
 *
 * Edges (supplier -> consumer) are not copied: they are read from the
 * driver core when needed, so the graph can never disagree with what
 * device_links_check_suppliers() will decide in really_probe().  Kinds:
 *
 *  - parent: the consumer is a child of the supplier.  It blocks only while
 *    the parent is itself expected to bind (a driver matched it and it has
 *    not failed); a pure container never blocks its children.
 *  - fwnode: a fwnode link whose supplier has no device yet, or a device
 *    link fw_devlink inferred from one (DL_FLAG_INFERRED).
 *  - devlink: a managed device link a driver added.
 *
 * Sync-state-only links, links fw_devlink relaxed and links it marked as
 * part of a cycle never block.
 *
 * A node moves through &enum probe_graph_state.  When a device is offered
 * (device_add(), driver registration, a deferred retry), a matching driver
 * makes it WAITING; a waiting node whose parent and suppliers no longer
 * block is QUEUED on a workqueue, where it is PROBING; the probe ends in
 * BOUND, FAILED, or DEFERRED if the driver returned -EPROBE_DEFER on its
 * own (an undeclared dependency: the stock deferred list retries it).  When
 * a device binds, only its children and consumers are looked at again, so
 * the cost of a bind is proportional to its out-degree, and no device is
 * probed before what it declares it needs has bound.
 *
 * Ready devices are probed in parallel, up to probe_graph.max_active at a
 * time, whatever their driver's probe_type, except that drivers with
 * PROBE_FORCE_SYNCHRONOUS are probed where they are offered when ready, or
 * one at a time on an ordered workqueue when they become ready later.
 *
 * A driver registered from a module, or after the end of boot, waits for
 * the probes its registration started, as it would have with synchronous
 * probing (not in serial mode, where they queue behind the one probe
 * running, which may be the one loading the module).
 * wait_for_device_probe() and the end of the initcalls wait for every
 * started probe, so userspace starts with every ready device bound.
 *
 * Dependency cycles are found over the whole graph as strongly connected
 * components.  fw_devlink breaks the cycles it sees in firmware; cycles
 * that still hold devices back when the graph goes idle at the end of boot
 * are broken here by relaxing one edge chosen by device name, and each
 * cycle is reported once.
 *
 * Modes: ``probe_graph=on`` (the default), ``probe_graph=serial`` (graph
 * order, one probe at a time) and ``probe_graph=off``.  With ``off`` every
 * hook returns before touching any state and nothing is allocated.
 *
 * Locking (tags on the fields below):
 *
 *  G: probe_graph_lock.  Protects the node lists, every node's state and
 *     counters, &device_private.probe_graph, the batch list and the cycle
 *     reports.  Hooks run with or without the device lock held and take G
 *     inside it; G is never held while taking a device lock or calling a
 *     driver.  G nests outside fwnode_link_lock and the device links lock,
 *     taken by device_links_walk_suppliers() and friends, so no hook that
 *     the driver core calls under either, or under deferred_probe_mutex,
 *     which nests inside the device links lock, may take G.
 *  R: written under G, read under RCU without it: the hooks called
 *     under the device links lock, probe_graph_device_claimed() and
 *     probe_graph_defer_reason(), find the node and read its state that
 *     way, and nodes are freed after a grace period.
 *  D: probe_graph_reason_lock, a spinlock.  Protects a node's deferral
 *     reason, which dev_err_probe() reports under the device links lock
 *     (device_links_check_suppliers()).  Taken under G or under RCU;
 *     nothing is taken under it.
 *  I: immutable after the node is created.
 *  A: atomic.
 */

#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/device/bus.h>
#include <linux/fwnode.h>
#include <linux/init.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/list_sort.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/probe_graph.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include "base.h"

/**
 * enum probe_graph_state - where a device is in its probe life
 * @PROBE_GRAPH_IDLE: no driver matched (yet), or the driver was released.
 * @PROBE_GRAPH_WAITING: a driver matches; a parent or supplier blocks.
 * @PROBE_GRAPH_QUEUED: ready; a probe work item is pending.
 * @PROBE_GRAPH_PROBING: the probe work item is probing the device.
 * @PROBE_GRAPH_DEFERRED: the driver returned -EPROBE_DEFER by itself; the
 *	device is on the deferred list, which retries it as without the graph.
 * @PROBE_GRAPH_FAILED: the last probe failed.
 * @PROBE_GRAPH_BOUND: a driver is bound.
 * @PROBE_GRAPH_UNBINDING: the driver is being released.
 * @PROBE_GRAPH_DEAD: device_del() has run.
 */
enum probe_graph_state {
	PROBE_GRAPH_IDLE,
	PROBE_GRAPH_WAITING,
	PROBE_GRAPH_QUEUED,
	PROBE_GRAPH_PROBING,
	PROBE_GRAPH_DEFERRED,
	PROBE_GRAPH_FAILED,
	PROBE_GRAPH_BOUND,
	PROBE_GRAPH_UNBINDING,
	PROBE_GRAPH_DEAD,
};

static const char * const probe_graph_state_names[] = {
	[PROBE_GRAPH_IDLE]	= "idle",
	[PROBE_GRAPH_WAITING]	= "waiting",
	[PROBE_GRAPH_QUEUED]	= "queued",
	[PROBE_GRAPH_PROBING]	= "probing",
	[PROBE_GRAPH_DEFERRED]	= "deferred",
	[PROBE_GRAPH_FAILED]	= "failed",
	[PROBE_GRAPH_BOUND]	= "bound",
	[PROBE_GRAPH_UNBINDING]	= "unbinding",
	[PROBE_GRAPH_DEAD]	= "dead",
};

static const char * const probe_graph_mode_names[] = {
	[PROBE_GRAPH_OFF]	= "off",
	[PROBE_GRAPH_SERIAL]	= "serial",
	[PROBE_GRAPH_ON]	= "on",
};

struct probe_graph_batch;

/**
 * struct probe_graph_node - a device in the probe graph
 * @dev: the device (I).  Valid while the node is on @list: the node is
 *	unlinked by device_del().  A queued node also holds a reference.
 * @kref: held by the graph while the node is on @list, and by a queued
 *	work item and a cycle report that relaxed an edge to it.
 * @rcu: the node is freed after a grace period.
 * @list: entry in probe_graph_nodes (G).
 * @wait_list: entry in probe_graph_waiting while WAITING (G).
 * @children: nodes of the device's children (G).
 * @sibling: entry in the parent node's @children (G).
 * @work: the probe work item.
 * @state: see &enum probe_graph_state (G, R).
 * @sync: the matched driver forces synchronous probing (G).
 * @probe_called: ->probe() ran in the current attempt (G).
 * @probe_calls: ->probe() calls (G).
 * @defers: -EPROBE_DEFER results (G).
 * @retries: deferred-list retries of this device (G).
 * @ret: result of the last probe attempt (G).
 * @ready_ns: when the node was last queued (G).
 * @start_ns: when the last probe attempt started (G).
 * @end_ns: when the device bound, or the last probe attempt failed (G).
 * @blocker: the device that blocked the node last; compared, never
 *	dereferenced (G).
 * @relaxed: a supplier whose edge was relaxed to break a cycle (G).
 * @batch: the driver registration that queued the node, if it waits (G).
 * @driver: name of the bound driver, while bound (G).
 * @defer_reason: dev_err_probe() reason of the last deferral (D).
 * @hint: the device whose bind preceded the last deferred retry (G).
 * @scc_gen: generation of the last cycle search that saw the node (G).
 * @scc_index: Tarjan discovery index in that search (G).
 * @scc_low: Tarjan low-link in that search (G).
 * @scc_on_stack: on the Tarjan stack in that search (G).
 * @scc_comp: index of the root of the node's component, or UINT_MAX (G).
 * @scc_next: next node on the Tarjan stack (G).
 * @adj: first successor in the search's adjacency array (G).
 * @adj_len: number of successors (G).
 */
struct probe_graph_node {
	struct device *dev;
	struct kref kref;
	struct rcu_head rcu;
	struct list_head list;
	struct list_head wait_list;
	struct list_head children;
	struct list_head sibling;
	struct work_struct work;
	enum probe_graph_state state;
	bool sync;
	bool probe_called;
	unsigned int probe_calls;
	unsigned int defers;
	unsigned int retries;
	int ret;
	u64 ready_ns;
	u64 start_ns;
	u64 end_ns;
	const struct device *blocker;
	struct probe_graph_node *relaxed;
	struct probe_graph_batch *batch;
	const char *driver;
	const char *defer_reason;
	const char *hint;
	unsigned long scc_gen;
	unsigned int scc_index;
	unsigned int scc_low;
	bool scc_on_stack;
	unsigned int scc_comp;
	struct probe_graph_node *scc_next;
	unsigned int adj;
	unsigned int adj_len;
};

/**
 * struct probe_graph_batch - the probes one driver registration started
 * @drv: the driver being attached (I).
 * @task: the task attaching it (I).
 * @kref: held by the registration and by each node queued for it.
 * @list: entry in probe_graph_batches while attaching (G).
 * @pending: queued or probing nodes of this batch (A).
 */
struct probe_graph_batch {
	const struct device_driver *drv;
	struct task_struct *task;
	struct kref kref;
	struct list_head list;
	atomic_t pending;
};

/**
 * struct probe_graph_cycle - a reported dependency cycle
 * @list: entry in probe_graph_cycles (G).
 * @members: the device names of the cycle, sorted, space separated.
 * @relaxed: the edge relaxed to break it, "consumer <- supplier", and by
 *	whom.
 */
struct probe_graph_cycle {
	struct list_head list;
	char *members;
	char *relaxed;
};

/**
 * struct probe_graph_stats - counters shown in debugfs
 * @probe_calls: driver ->probe() calls.
 * @dispatched: probes queued by the graph.
 * @defers_declared: -EPROBE_DEFER before ->probe() ran: a declared
 *	dependency was not bound.  Stays 0 unless a link changed under a
 *	queued device.
 * @defers_driver: -EPROBE_DEFER returned by drivers themselves.
 * @fallback_retries: deferred-list retries of graph nodes.
 * @failed: probes that failed.
 * @running: probe work items probing now.
 * @peak_parallel: the most probe work items probing at once.
 * @cycles: dependency cycles found.
 * @relaxed_edges: edges relaxed here to break cycles.
 */
struct probe_graph_stats {
	unsigned long probe_calls;
	unsigned long dispatched;
	unsigned long defers_declared;
	unsigned long defers_driver;
	unsigned long fallback_retries;
	unsigned long failed;
	unsigned int running;
	unsigned int peak_parallel;
	unsigned int cycles;
	unsigned int relaxed_edges;
};

static enum probe_graph_mode probe_graph_mode = PROBE_GRAPH_ON;

static unsigned int probe_graph_max_active = WQ_DFL_ACTIVE;
module_param_named(max_active, probe_graph_max_active, uint, 0444);
MODULE_PARM_DESC(max_active, "Probes running at once (default 256, max 512)");

static DEFINE_MUTEX(probe_graph_lock);
static DEFINE_SPINLOCK(probe_graph_reason_lock);	/* D */
static LIST_HEAD(probe_graph_nodes);		/* G */
static LIST_HEAD(probe_graph_waiting);		/* G */
static LIST_HEAD(probe_graph_batches);		/* G */
static LIST_HEAD(probe_graph_cycles);		/* G */
static struct probe_graph_stats probe_graph_stats;	/* G */
static unsigned long probe_graph_scc_gen;	/* G */
static unsigned long probe_graph_list_gen;	/* G: bumped on add and del */
static bool probe_graph_blocked;		/* G */
static bool probe_graph_boot_done;		/* G */
static char probe_graph_last_bound[64];		/* G */

static atomic_t probe_graph_busy = ATOMIC_INIT(0);	/* A: queued+probing */
static DECLARE_WAIT_QUEUE_HEAD(probe_graph_idle_wq);

static struct workqueue_struct *probe_graph_wq;
static struct workqueue_struct *probe_graph_sync_wq;

static void probe_graph_probe_work(struct work_struct *work);
static void probe_graph_pause_point(void);
static int probe_graph_cycle_edge(const struct device_supplier_edge *edge,
				  void *data);
static void probe_graph_report_fw_cycle(struct probe_graph_node *node);

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

/* The graph schedules probes: not off, and the workqueues exist. */
static bool probe_graph_active(void)
{
	return probe_graph_get_mode() != PROBE_GRAPH_OFF &&
	       READ_ONCE(probe_graph_wq);
}

static bool probe_graph_in_worker(void)
{
	struct work_struct *work = current_work();

	return work && work->func == probe_graph_probe_work;
}

static struct probe_graph_node *probe_graph_node_of(const struct device *dev)
{
	lockdep_assert_held(&probe_graph_lock);

	return dev->p ? rcu_dereference_protected(dev->p->probe_graph,
			lockdep_is_held(&probe_graph_lock)) : NULL;
}

static void probe_graph_node_put(struct probe_graph_node *node);

static void probe_graph_node_release(struct kref *kref)
{
	struct probe_graph_node *node =
		container_of(kref, struct probe_graph_node, kref);

	if (node->relaxed)
		probe_graph_node_put(node->relaxed);
	kfree(node->driver);
	scoped_guard(spinlock, &probe_graph_reason_lock) {
		kfree(node->defer_reason);
		node->defer_reason = NULL;
	}
	kfree(node->hint);
	/* probe_graph_device_claimed() looks at nodes without G. */
	kfree_rcu(node, rcu);
}

static void probe_graph_node_put(struct probe_graph_node *node)
{
	kref_put(&node->kref, probe_graph_node_release);
}

static struct probe_graph_node *probe_graph_node_get_or_create(struct device *dev)
{
	struct probe_graph_node *node, *parent;

	lockdep_assert_held(&probe_graph_lock);

	/* device_add() may still fail before the device is ready to probe. */
	if (!dev->p || dev->p->dead || !dev_ready_to_probe(dev))
		return NULL;
	node = probe_graph_node_of(dev);
	if (node)
		return node;

	node = kzalloc(sizeof(*node), GFP_KERNEL);
	if (!node)
		return NULL;
	node->dev = dev;
	kref_init(&node->kref);
	INIT_LIST_HEAD(&node->wait_list);
	INIT_LIST_HEAD(&node->children);
	INIT_LIST_HEAD(&node->sibling);
	/*
	 * Kept here rather than walked with device_for_each_child(): a child
	 * is offered before device_add() links it to its parent, and its
	 * parent may bind in between.
	 */
	parent = dev->parent ? probe_graph_node_of(dev->parent) : NULL;
	if (parent)
		list_add_tail(&node->sibling, &parent->children);
	INIT_WORK(&node->work, probe_graph_probe_work);
	node->state = PROBE_GRAPH_IDLE;
	list_add_tail(&node->list, &probe_graph_nodes);
	probe_graph_list_gen++;
	rcu_assign_pointer(dev->p->probe_graph, node);
	return node;
}

static void probe_graph_set_state(struct probe_graph_node *node,
				  enum probe_graph_state state)
{
	lockdep_assert_held(&probe_graph_lock);

	if (state == PROBE_GRAPH_WAITING)
		list_move_tail(&node->wait_list, &probe_graph_waiting);
	else
		list_del_init(&node->wait_list);
	WRITE_ONCE(node->state, state);
}

/*
 * Blockers: what keeps a node from probing.
 */

/**
 * struct probe_graph_blocker - the first dependency that is not bound
 * @node: the node being looked at.
 * @dev: the blocking device, or NULL.
 * @fwnode: the blocking firmware node when it has no device yet.
 * @parent: @dev is the parent.
 * @buf: if not NULL, receives a description.
 * @len: size of @buf.
 */
struct probe_graph_blocker {
	struct probe_graph_node *node;
	struct device *dev;
	struct fwnode_handle *fwnode;
	bool parent;
	char *buf;
	size_t len;
};

/* Whether @parent is expected to bind, so that its children wait. */
static bool probe_graph_parent_blocks(struct probe_graph_node *node)
{
	struct device *parent = node->dev->parent;
	struct probe_graph_node *pnode;

	lockdep_assert_held(&probe_graph_lock);

	if (!parent)
		return false;
	pnode = probe_graph_node_of(parent);
	if (!pnode || (node->relaxed && node->relaxed == pnode))
		return false;

	/*
	 * A parent that deferred by itself may be waiting for the very
	 * children it registered, as MFD drivers do: let them probe.
	 */
	switch (pnode->state) {
	case PROBE_GRAPH_WAITING:
	case PROBE_GRAPH_QUEUED:
	case PROBE_GRAPH_PROBING:
	case PROBE_GRAPH_UNBINDING:
		return true;
	default:
		return false;
	}
}

static const char *probe_graph_supplier_note(struct device *sup)
{
	struct probe_graph_node *snode = probe_graph_node_of(sup);

	if (!snode || snode->state == PROBE_GRAPH_IDLE)
		return sup->can_match ? "not bound" : "no driver";
	return probe_graph_state_names[snode->state];
}

static int probe_graph_find_blocker(const struct device_supplier_edge *edge,
				    void *data)
{
	struct probe_graph_blocker *b = data;
	struct probe_graph_node *relaxed = b->node->relaxed;

	if (!(edge->flags & DEVICE_EDGE_BLOCKING))
		return 0;
	if (relaxed && edge->supplier &&
	    probe_graph_node_of(edge->supplier) == relaxed)
		return 0;

	b->dev = edge->supplier;
	b->fwnode = edge->fwnode;
	if (!b->buf)
		return 1;
	if (edge->supplier)
		snprintf(b->buf, b->len, "waiting for supplier %s (%s)",
			 dev_name(edge->supplier),
			 probe_graph_supplier_note(edge->supplier));
	else
		snprintf(b->buf, b->len,
			 "waiting for supplier %pfwf (no device)", edge->fwnode);
	return 1;
}

/**
 * probe_graph_blocked_by() - find what keeps a node from probing
 * @b: blocker to fill in; @b->node set by the caller.
 *
 * Context: G held.
 * Return: true if a parent or supplier blocks.
 */
static bool probe_graph_blocked_by(struct probe_graph_blocker *b)
{
	struct probe_graph_node *node = b->node;

	lockdep_assert_held(&probe_graph_lock);

	if (probe_graph_parent_blocks(node)) {
		b->dev = node->dev->parent;
		b->parent = true;
		if (b->buf)
			snprintf(b->buf, b->len, "waiting for parent %s (%s)",
				 dev_name(b->dev),
				 probe_graph_supplier_note(b->dev));
		return true;
	}
	return device_links_walk_suppliers(node->dev,
					      probe_graph_find_blocker, b) > 0;
}

/*
 * Dispatch.
 */

static struct probe_graph_batch *probe_graph_batch_find(const struct device_driver *drv)
{
	struct probe_graph_batch *batch;

	lockdep_assert_held(&probe_graph_lock);

	list_for_each_entry(batch, &probe_graph_batches, list)
		if (batch->drv == drv && batch->task == current)
			return batch;
	return NULL;
}

static void probe_graph_batch_release(struct kref *kref)
{
	kfree(container_of(kref, struct probe_graph_batch, kref));
}

static void probe_graph_queue(struct probe_graph_node *node,
			      const struct device_driver *drv)
{
	struct workqueue_struct *wq;

	lockdep_assert_held(&probe_graph_lock);

	probe_graph_set_state(node, PROBE_GRAPH_QUEUED);
	node->ready_ns = ktime_get_ns();
	node->blocker = NULL;
	/* Still pending from an earlier time: that run will probe it. */
	if (work_pending(&node->work))
		return;
	node->batch = drv ? probe_graph_batch_find(drv) : NULL;
	if (node->batch) {
		kref_get(&node->batch->kref);
		atomic_inc(&node->batch->pending);
	}
	probe_graph_stats.dispatched++;
	atomic_inc(&probe_graph_busy);
	kref_get(&node->kref);
	get_device(node->dev);
	wq = node->sync ? probe_graph_sync_wq : probe_graph_wq;
	queue_work(wq, &node->work);
}

static bool probe_graph_module_coming(const struct device_driver *drv)
{
#ifdef CONFIG_MODULES
	return drv->owner && drv->owner->state == MODULE_STATE_COMING;
#else
	return false;
#endif
}

/*
 * A registration waits when synchronous probing made it wait before,
 * except in a probe the graph runs, and in serial mode: there its probes
 * queue behind the one running, which may be loading this very module
 * with request_module().
 */
static bool probe_graph_driver_waits(const struct device_driver *drv)
{
	lockdep_assert_held(&probe_graph_lock);

	if (probe_graph_in_worker() ||
	    probe_graph_get_mode() == PROBE_GRAPH_SERIAL)
		return false;
	return probe_graph_boot_done || probe_graph_module_coming(drv);
}

/**
 * probe_graph_evaluate() - queue a waiting node if nothing blocks it
 * @node: the node
 * @drv: the driver being registered, if that is why we look, or NULL
 * @caller_probes: the caller can probe @node in its own context
 *
 * Context: G held.
 * Return: true if @node is ready: queued here or, for a driver that
 * forces synchronous probing and @caller_probes, left to the caller in
 * state IDLE.
 */
static bool probe_graph_evaluate(struct probe_graph_node *node,
				 const struct device_driver *drv,
				 bool caller_probes)
{
	struct probe_graph_blocker b = { .node = node };

	lockdep_assert_held(&probe_graph_lock);

	if (node->state != PROBE_GRAPH_WAITING)
		return false;
	if (probe_graph_blocked || probe_graph_blocked_by(&b)) {
		node->blocker = b.dev;
		return false;
	}
	if (device_links_walk_suppliers(node->dev, probe_graph_cycle_edge, NULL))
		probe_graph_report_fw_cycle(node);
	if (node->sync && caller_probes) {
		/* Probed by the caller, in its context, as it always was. */
		probe_graph_set_state(node, PROBE_GRAPH_IDLE);
		return true;
	}
	probe_graph_queue(node, drv);
	return true;
}

static int probe_graph_evaluate_dev(struct device *dev, void *data)
{
	struct probe_graph_node *node = probe_graph_node_of(dev);

	if (node)
		probe_graph_evaluate(node, NULL, false);
	return 0;
}

/* Look again at the children and consumers of @dev, and nothing else. */
static void probe_graph_evaluate_dependents(struct device *dev)
{
	struct probe_graph_node *node = probe_graph_node_of(dev), *child;

	lockdep_assert_held(&probe_graph_lock);

	if (node)
		list_for_each_entry(child, &node->children, sibling)
			probe_graph_evaluate(child, NULL, false);
	device_links_walk_consumers(dev, probe_graph_evaluate_dev, NULL);
}

static void probe_graph_evaluate_all(void)
{
	struct probe_graph_node *node, *tmp;

	lockdep_assert_held(&probe_graph_lock);

	list_for_each_entry_safe(node, tmp, &probe_graph_waiting, wait_list)
		probe_graph_evaluate(node, NULL, false);
}

static void probe_graph_probe_work(struct work_struct *work)
{
	struct probe_graph_node *node =
		container_of(work, struct probe_graph_node, work);
	struct probe_graph_batch *batch;
	struct device *dev = node->dev;
	bool probe;

	probe_graph_pause_point();

	scoped_guard(mutex, &probe_graph_lock) {
		/* Taken now: the node may be queued again while this runs. */
		batch = node->batch;
		node->batch = NULL;
		probe = node->state == PROBE_GRAPH_QUEUED && !probe_graph_blocked;
		if (probe) {
			probe_graph_set_state(node, PROBE_GRAPH_PROBING);
			node->ret = 0;
			if (++probe_graph_stats.running >
			    probe_graph_stats.peak_parallel)
				probe_graph_stats.peak_parallel =
					probe_graph_stats.running;
		} else if (node->state == PROBE_GRAPH_QUEUED) {
			/* Probing is blocked; unblocking looks again. */
			probe_graph_set_state(node, PROBE_GRAPH_WAITING);
		}
	}

	/*
	 * No device_pm_move_to_tail() as on the deferred path: each link was
	 * made by device_link_add(), which moved the consumer behind its
	 * supplier in dpm_list, and a child is added after its parent, so a
	 * device probed here, after all of those, suspends before all of them.
	 */
	if (probe)
		device_attach_scheduled(dev);

	scoped_guard(mutex, &probe_graph_lock) {
		if (probe)
			probe_graph_stats.running--;
		/*
		 * No driver took it: none was left, the device is dead or
		 * claimed, or every matching driver turned it down or failed.
		 */
		if (node->state == PROBE_GRAPH_PROBING) {
			bool failed = node->ret && node->ret != -ENODEV &&
				      node->ret != -ENXIO;

			if (failed)
				probe_graph_stats.failed++;
			probe_graph_set_state(node, failed ? PROBE_GRAPH_FAILED :
					      PROBE_GRAPH_IDLE);
			probe_graph_evaluate_dependents(dev);
		}
	}

	if (batch) {
		atomic_dec(&batch->pending);
		kref_put(&batch->kref, probe_graph_batch_release);
	}
	put_device(dev);
	probe_graph_node_put(node);
	if (atomic_dec_and_test(&probe_graph_busy) || batch)
		wake_up_all(&probe_graph_idle_wq);
}

/*
 * Cycles.
 */

/**
 * struct probe_graph_scc - state of one search for cycles
 * @nodes: the nodes searched.
 * @n: number of @nodes.
 * @size: allocated entries of @nodes.
 * @adj: successors of every node, indexed by &probe_graph_node.adj.
 * @adj_len: used entries of @adj.
 * @adj_size: allocated entries of @adj.
 * @report: include edges fw_devlink already relaxed as cycle edges.
 * @index: next Tarjan discovery index.
 * @stack: top of the Tarjan stack.
 * @path: the nodes of the depth-first path.
 * @pos: for each node of @path, the next successor to look at.
 * @members: the members of the component being reported.
 * @failed: out of memory; the search is abandoned.
 */
struct probe_graph_scc {
	struct probe_graph_node **nodes;
	unsigned int n;
	unsigned int size;
	struct probe_graph_node **adj;
	unsigned int adj_len;
	unsigned int adj_size;
	bool report;
	unsigned int index;
	struct probe_graph_node *stack;
	struct probe_graph_node **path;
	unsigned int *pos;
	struct probe_graph_node **members;
	bool failed;
};

/* Append @node to the array @arr of @len entries, growing @size. */
static bool probe_graph_scc_push(struct probe_graph_node ***arr,
				 unsigned int *len, unsigned int *size,
				 struct probe_graph_node *node)
{
	struct probe_graph_node **grown;

	if (*len == *size) {
		grown = kvrealloc(*arr, max(64U, *size * 2) * sizeof(**arr),
				  GFP_KERNEL);
		if (!grown)
			return false;
		*arr = grown;
		*size = max(64U, *size * 2);
	}
	(*arr)[(*len)++] = node;
	return true;
}

static void probe_graph_scc_add(struct probe_graph_scc *scc,
				struct probe_graph_node *to)
{
	if (!scc->failed &&
	    !probe_graph_scc_push(&scc->adj, &scc->adj_len, &scc->adj_size, to))
		scc->failed = true;
}

/* Add @node to the nodes searched in generation @gen. */
static void probe_graph_scc_mark(struct probe_graph_scc *scc,
				 struct probe_graph_node *node,
				 unsigned long gen)
{
	lockdep_assert_held(&probe_graph_lock);

	if (scc->failed || node->scc_gen == gen)
		return;
	node->scc_gen = gen;
	node->scc_index = UINT_MAX;
	node->scc_comp = UINT_MAX;
	if (!probe_graph_scc_push(&scc->nodes, &scc->n, &scc->size, node))
		scc->failed = true;
}

static int probe_graph_scc_edge(const struct device_supplier_edge *edge,
				void *data)
{
	struct probe_graph_scc *scc = data;
	unsigned int mask = DEVICE_EDGE_BLOCKING;
	struct probe_graph_node *to;

	if (scc->report)
		mask |= DEVICE_EDGE_CYCLE;
	if (!edge->supplier || !(edge->flags & mask))
		return 0;
	to = probe_graph_node_of(edge->supplier);
	if (to)
		probe_graph_scc_add(scc, to);
	return 0;
}

/* Collect the edges of @node towards what it depends on. */
static void probe_graph_scc_collect(struct probe_graph_scc *scc,
				    struct probe_graph_node *node)
{
	lockdep_assert_held(&probe_graph_lock);

	node->adj = scc->adj_len;
	if (probe_graph_parent_blocks(node))
		probe_graph_scc_add(scc, probe_graph_node_of(node->dev->parent));
	device_links_walk_suppliers(node->dev, probe_graph_scc_edge, scc);
	node->adj_len = scc->adj_len - node->adj;
}

static int probe_graph_name_cmp(const void *a, const void *b)
{
	const struct probe_graph_node *na = *(const struct probe_graph_node **)a;
	const struct probe_graph_node *nb = *(const struct probe_graph_node **)b;

	return strcmp(dev_name(na->dev), dev_name(nb->dev));
}

static struct probe_graph_node *
probe_graph_scc_min_successor(struct probe_graph_scc *scc,
			      struct probe_graph_node *node, unsigned long gen,
			      unsigned int root_index)
{
	struct probe_graph_node *best = NULL, *to;
	unsigned int i;

	for (i = 0; i < node->adj_len; i++) {
		to = scc->adj[node->adj + i];
		/* Members of the component were discovered from its root. */
		if (to->scc_gen != gen || to->scc_comp != root_index)
			continue;
		if (!best || strcmp(dev_name(to->dev), dev_name(best->dev)) < 0)
			best = to;
	}
	return best;
}

/*
 * A component of more than one node, or with an edge to itself: report it
 * once, and if @relax (its members wait on each other) break it.
 */
static void probe_graph_scc_found(struct probe_graph_scc *scc,
				  struct probe_graph_node **members,
				  unsigned int n, unsigned long gen, bool relax)
{
	struct probe_graph_node *consumer, *supplier;
	struct probe_graph_cycle *cycle;
	unsigned int i;
	size_t len = 0;

	lockdep_assert_held(&probe_graph_lock);

	sort(members, n, sizeof(*members), probe_graph_name_cmp, NULL);
	for (i = 0; i < n; i++)
		len += strlen(dev_name(members[i]->dev)) + 1;
	char *names __free(kfree) = kmalloc(len, GFP_KERNEL);
	if (!names)
		return;
	names[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strcat(names, " ");
		strcat(names, dev_name(members[i]->dev));
	}

	list_for_each_entry(cycle, &probe_graph_cycles, list)
		if (!strcmp(cycle->members, names))
			break;
	if (list_entry_is_head(cycle, &probe_graph_cycles, list))
		cycle = NULL;
	if (cycle && !relax)
		return;

	/*
	 * Deterministic: the first consumer by name that has no relaxed edge
	 * yet, and its first supplier in the cycle by name.
	 */
	for (i = 0; i < n - 1 && members[i]->relaxed; i++)
		;
	consumer = members[i];
	supplier = probe_graph_scc_min_successor(scc, consumer, gen,
						 consumer->scc_comp);
	relax = relax && supplier && consumer->state == PROBE_GRAPH_WAITING;
	if (relax) {
		if (consumer->relaxed)
			probe_graph_node_put(consumer->relaxed);
		kref_get(&supplier->kref);
		consumer->relaxed = supplier;
		probe_graph_stats.relaxed_edges++;
	}

	if (!cycle) {
		cycle = kzalloc(sizeof(*cycle), GFP_KERNEL);
		if (cycle) {
			cycle->members = no_free_ptr(names);
			cycle->relaxed = relax ?
				kasprintf(GFP_KERNEL, "%s <- %s (probe_graph)",
					  dev_name(consumer->dev),
					  dev_name(supplier->dev)) :
				kstrdup("(fw_devlink)", GFP_KERNEL);
			list_add_tail(&cycle->list, &probe_graph_cycles);
			probe_graph_stats.cycles++;
			pr_warn("probe_graph: dependency cycle: %s; relaxed %s\n",
				cycle->members, cycle->relaxed ?: "?");
		}
	}

	if (relax)
		probe_graph_evaluate(consumer, NULL, false);
}

/* Tarjan's algorithm, iterative, over the successors collected in @scc. */
static void probe_graph_scc_visit(struct probe_graph_scc *scc,
				  struct probe_graph_node *root,
				  unsigned long gen, bool relax)
{
	struct probe_graph_node **path = scc->path, **members = scc->members;
	unsigned int *pos = scc->pos, depth = 0, n, i;
	struct probe_graph_node *v, *w;
	bool self;

	lockdep_assert_held(&probe_graph_lock);

	path[0] = root;
	pos[0] = 0;
	root->scc_index = scc->index++;
	root->scc_low = root->scc_index;
	root->scc_on_stack = true;
	root->scc_next = scc->stack;
	scc->stack = root;

	while (true) {
		v = path[depth];
		if (pos[depth] < v->adj_len) {
			w = scc->adj[v->adj + pos[depth]++];
			if (w->scc_gen != gen)
				continue;	/* not part of this search */
			if (w->scc_index == UINT_MAX) {
				w->scc_index = scc->index++;
				w->scc_low = w->scc_index;
				w->scc_on_stack = true;
				w->scc_next = scc->stack;
				scc->stack = w;
				path[++depth] = w;
				pos[depth] = 0;
			} else if (w->scc_on_stack) {
				v->scc_low = min(v->scc_low, w->scc_index);
			}
			continue;
		}

		if (v->scc_low == v->scc_index) {
			n = 0;
			do {
				w = scc->stack;
				scc->stack = w->scc_next;
				w->scc_on_stack = false;
				w->scc_comp = v->scc_index;
				members[n++] = w;
			} while (w != v);
			self = false;
			for (i = 0; n == 1 && i < v->adj_len; i++)
				self |= scc->adj[v->adj + i] == v;
			if (n > 1 || self)
				probe_graph_scc_found(scc, members, n, gen, relax);
		}
		if (!depth)
			break;
		w = v;
		v = path[--depth];
		v->scc_low = min(v->scc_low, w->scc_low);
	}
}

/* Run Tarjan's algorithm over the nodes marked in @scc, then free it. */
static void probe_graph_scc_run(struct probe_graph_scc *scc, unsigned long gen,
				bool relax)
{
	unsigned int i;

	lockdep_assert_held(&probe_graph_lock);

	for (i = 0; i < scc->n && !scc->failed; i++)
		probe_graph_scc_collect(scc, scc->nodes[i]);

	if (scc->n && !scc->failed) {
		scc->path = kvmalloc_array(scc->n, sizeof(*scc->path), GFP_KERNEL);
		scc->pos = kvmalloc_array(scc->n, sizeof(*scc->pos), GFP_KERNEL);
		scc->members = kvmalloc_array(scc->n, sizeof(*scc->members),
					      GFP_KERNEL);
		scc->failed = !scc->path || !scc->pos || !scc->members;
	}
	if (scc->failed)
		pr_warn("probe_graph: no memory to search for cycles\n");
	for (i = 0; i < scc->n && !scc->failed; i++)
		if (scc->nodes[i]->scc_index == UINT_MAX)
			probe_graph_scc_visit(scc, scc->nodes[i], gen, relax);

	kvfree(scc->members);
	kvfree(scc->pos);
	kvfree(scc->path);
	kvfree(scc->adj);
	kvfree(scc->nodes);
}

/**
 * probe_graph_find_cycles() - find dependency cycles over the whole graph
 * @relax: break cycles whose members wait on each other.
 *
 * With @relax, the search covers the waiting nodes and their blocking
 * edges, and each cycle found is broken by relaxing one edge.  Without
 * it, it covers every node and also the edges fw_devlink marked as part
 * of a cycle, to report the cycles fw_devlink broke itself.
 *
 * Context: G held.
 */
static void probe_graph_find_cycles(bool relax)
{
	struct probe_graph_scc scc = { .report = !relax };
	unsigned long gen = ++probe_graph_scc_gen;
	struct probe_graph_node *node;

	lockdep_assert_held(&probe_graph_lock);

	if (relax) {
		list_for_each_entry(node, &probe_graph_waiting, wait_list)
			probe_graph_scc_mark(&scc, node, gen);
	} else {
		list_for_each_entry(node, &probe_graph_nodes, list)
			probe_graph_scc_mark(&scc, node, gen);
	}
	probe_graph_scc_run(&scc, gen, relax);
}

static int probe_graph_cycle_edge(const struct device_supplier_edge *edge,
				  void *data)
{
	return !!(edge->flags & DEVICE_EDGE_CYCLE);
}

/**
 * probe_graph_report_fw_cycle() - report the cycle fw_devlink broke at @node
 * @node: a node with an edge fw_devlink marked as part of a cycle
 *
 * fw_devlink relaxes the links of a cycle it finds and drops them once the
 * devices bind, so the cycle is reported when its first member is ready:
 * the search covers what @node reaches through such edges.
 *
 * Context: G held.
 */
static void probe_graph_report_fw_cycle(struct probe_graph_node *node)
{
	struct probe_graph_scc scc = { .report = true };
	unsigned long gen = ++probe_graph_scc_gen;
	unsigned int i, from;

	lockdep_assert_held(&probe_graph_lock);

	probe_graph_scc_mark(&scc, node, gen);
	/* Breadth first: collect, then mark, the successors of each node. */
	for (i = 0; i < scc.n && !scc.failed; i++) {
		from = scc.adj_len;
		probe_graph_scc_collect(&scc, scc.nodes[i]);
		while (from < scc.adj_len)
			probe_graph_scc_mark(&scc, scc.adj[from++], gen);
	}
	scc.adj_len = 0;
	probe_graph_scc_run(&scc, gen, false);
}

/*
 * Hooks called by the driver core.
 */

struct probe_graph_match {
	struct device *dev;
	int ret;
	bool sync;
};

static int probe_graph_match_one(struct device_driver *drv, void *data)
{
	struct probe_graph_match *m = data;

	m->ret = driver_match_device(drv, m->dev);
	if (m->ret > 0)
		m->sync = drv->probe_type == PROBE_FORCE_SYNCHRONOUS;
	return m->ret;
}

/*
 * Take a node that a driver matched into WAITING and look at it.
 * Return: whether the graph handles it (false: the caller probes).
 */
static bool probe_graph_offer(struct device *dev,
			      const struct device_driver *drv, bool sync)
{
	struct probe_graph_node *node;
	bool created;

	guard(mutex)(&probe_graph_lock);

	created = !probe_graph_node_of(dev);
	node = probe_graph_node_get_or_create(dev);
	if (!node)
		return false;

	switch (node->state) {
	case PROBE_GRAPH_QUEUED:
	case PROBE_GRAPH_PROBING:
	case PROBE_GRAPH_BOUND:
	case PROBE_GRAPH_UNBINDING:
	case PROBE_GRAPH_DEAD:
		return true;
	case PROBE_GRAPH_WAITING:
		node->sync = sync;
		/* Looked at when a dependency binds; nothing changed here. */
		if (!drv)
			return true;
		break;
	case PROBE_GRAPH_DEFERRED:
		node->retries++;
		probe_graph_stats.fallback_retries++;
		kfree(node->hint);
		node->hint = kstrdup(probe_graph_last_bound, GFP_KERNEL);
		fallthrough;
	default:
		node->sync = sync;
		probe_graph_set_state(node, PROBE_GRAPH_WAITING);
		break;
	}

	/* A new supplier device may have unblocked consumers (cycles). */
	if (created)
		device_links_walk_consumers(dev, probe_graph_evaluate_dev, NULL);

	if (probe_graph_evaluate(node, drv, true))
		return node->state != PROBE_GRAPH_IDLE;
	return true;
}

/**
 * probe_graph_device_attach() - a device is offered to its bus's drivers
 * @dev: the device
 *
 * Called from device_initial_probe(), for new devices and for deferred
 * retries.  If a driver matches, the graph takes the device over: it
 * probes it when its parent and suppliers are bound.
 *
 * Context: Process context; the device lock is not held.
 * Return: true if the probe graph took over probing @dev, false if the
 * caller must probe it the stock way (graph off, no driver matches, the
 * match asked for deferral, or a synchronous driver that is ready).
 */
bool probe_graph_device_attach(struct device *dev)
{
	struct probe_graph_match m = { .dev = dev };

	if (!probe_graph_active())
		return false;

	scoped_guard(device, dev) {
		if (dev->p->dead || dev->driver)
			return false;
		bus_for_each_drv(dev->bus, NULL, &m, probe_graph_match_one);
		if (m.ret > 0)
			dev->can_match = true;
	}

	if (m.ret <= 0) {
		/* Track it anyway, so a later driver finds the node. */
		scoped_guard(mutex, &probe_graph_lock)
			probe_graph_node_get_or_create(dev);
		return false;
	}

	return probe_graph_offer(dev, NULL, m.sync);
}

/**
 * probe_graph_device_claimed() - whether the graph will probe a device
 * @dev: the device
 *
 * Called before a device is put on the deferred list.  A device waiting
 * in the graph, or queued or probing there, is probed when its
 * dependencies bind; retrying it from the deferred list would only fail
 * again.  This is what removes the retries of declared dependencies, such
 * as the ones device_links_driver_bound() asks for with
 * DL_FLAG_AUTOPROBE_CONSUMER.  A device whose driver deferred by itself
 * is not claimed: the deferred list retries it as it always did.
 *
 * Context: Any context; may be called with the device links lock held.
 * Return: true if the deferred list must leave @dev alone.
 */
bool probe_graph_device_claimed(struct device *dev)
{
	struct probe_graph_node *node;

	if (!probe_graph_active())
		return false;

	/*
	 * No G: this runs under the device links lock, which nests inside
	 * fwnode_link_lock, which G nests outside.  The answer can only be
	 * stale towards a state the graph itself looks at again.
	 */
	guard(rcu)();
	node = rcu_dereference(dev->p->probe_graph);
	if (!node)
		return false;
	switch (READ_ONCE(node->state)) {
	case PROBE_GRAPH_WAITING:
	case PROBE_GRAPH_QUEUED:
	case PROBE_GRAPH_PROBING:
		return true;
	default:
		return false;
	}
}

/**
 * probe_graph_driver_attach() - a registering driver matched a device
 * @drv: the driver
 * @dev: the device
 *
 * Called from __driver_attach() after a positive match.
 *
 * Context: Process context; no device lock held.
 * Return: true if the graph handles probing @dev, false if the caller
 * must probe it now.
 */
bool probe_graph_driver_attach(const struct device_driver *drv,
			       struct device *dev)
{
	bool sync = drv->probe_type == PROBE_FORCE_SYNCHRONOUS;

	if (!probe_graph_active())
		return false;

	scoped_guard(device, dev) {
		if (dev->p->dead || dev->driver)
			return true;
		dev->can_match = true;
	}
	return probe_graph_offer(dev, drv, sync);
}

/**
 * probe_graph_driver_attach_begin() - a driver starts attaching to devices
 * @drv: the driver
 *
 * Probes queued until probe_graph_driver_attach_end() are counted so that
 * it can wait for them.
 *
 * Context: Process context.
 */
void probe_graph_driver_attach_begin(const struct device_driver *drv)
{
	struct probe_graph_batch *batch;

	if (!probe_graph_active())
		return;

	batch = kzalloc(sizeof(*batch), GFP_KERNEL);
	if (!batch)
		return;
	batch->drv = drv;
	batch->task = current;
	kref_init(&batch->kref);
	atomic_set(&batch->pending, 0);

	guard(mutex)(&probe_graph_lock);
	list_add(&batch->list, &probe_graph_batches);
}

/**
 * probe_graph_driver_attach_end() - a driver has been offered every device
 * @drv: the driver
 *
 * Waits for the probes the registration queued when it comes from a
 * module being initialised or happens after boot, unless called from a
 * probe the graph runs.  Built-in drivers registered during boot do not
 * wait, so that their probes overlap with the rest of boot.
 *
 * Context: Process context.
 */
void probe_graph_driver_attach_end(const struct device_driver *drv)
{
	struct probe_graph_batch *batch;
	bool wait;

	if (!probe_graph_active())
		return;

	scoped_guard(mutex, &probe_graph_lock) {
		batch = probe_graph_batch_find(drv);
		if (!batch)
			return;
		list_del(&batch->list);
		wait = probe_graph_driver_waits(drv);
	}

	if (wait)
		wait_event(probe_graph_idle_wq, !atomic_read(&batch->pending));
	kref_put(&batch->kref, probe_graph_batch_release);
}

/**
 * probe_graph_probe_begin() - a probe attempt starts
 * @dev: the device
 *
 * Context: Called from driver_probe_device() with the device lock held.
 */
void probe_graph_probe_begin(struct device *dev)
{
	struct probe_graph_node *node;

	if (!probe_graph_active())
		return;

	guard(mutex)(&probe_graph_lock);
	node = probe_graph_node_of(dev);
	if (!node)
		return;
	node->probe_called = false;
	node->start_ns = ktime_get_ns();
}

/**
 * probe_graph_probe_called() - the driver's probe is about to be called
 * @dev: the device
 *
 * Context: Called from really_probe() with the device lock held.
 */
void probe_graph_probe_called(struct device *dev)
{
	struct probe_graph_node *node;

	if (!probe_graph_active())
		return;

	guard(mutex)(&probe_graph_lock);
	probe_graph_stats.probe_calls++;
	node = probe_graph_node_of(dev);
	if (!node)
		return;
	node->probe_called = true;
	node->probe_calls++;
}

/**
 * probe_graph_probe_end() - a probe attempt ended
 * @dev: the device
 * @ret: what driver_probe_device() returns
 *
 * Context: Called from driver_probe_device() with the device lock held.
 */
void probe_graph_probe_end(struct device *dev, int ret)
{
	struct probe_graph_node *node;
	bool trying;

	if (!probe_graph_active())
		return;

	guard(mutex)(&probe_graph_lock);
	node = probe_graph_node_of(dev);
	if (!node)
		return;
	if (ret == -ENODEV && !node->probe_called)
		return;		/* dead or unregistered: nothing tried */
	if (ret == -EBUSY)
		return;		/* someone else bound it */

	/* Failures of ->probe() come back inverted. */
	if (ret > 0)
		ret = -ret;
	if (ret)
		node->end_ns = ktime_get_ns();
	node->ret = ret;
	/*
	 * In the graph's own attach the next matching driver is tried after
	 * a failure: the work item settles the state once all were tried,
	 * and until then the device's children keep waiting.
	 */
	trying = node->state == PROBE_GRAPH_PROBING;
	if (ret == -EPROBE_DEFER) {
		node->defers++;
		if (node->probe_called)
			probe_graph_stats.defers_driver++;
		else
			probe_graph_stats.defers_declared++;
		if (node->state != PROBE_GRAPH_WAITING)
			probe_graph_set_state(node, PROBE_GRAPH_DEFERRED);
	} else if (trying) {
		return;
	} else if ((ret == -ENODEV || ret == -ENXIO) &&
		   node->state != PROBE_GRAPH_BOUND) {
		/* The driver turned the device down: not a failure. */
		probe_graph_set_state(node, PROBE_GRAPH_IDLE);
	} else if (ret && node->state != PROBE_GRAPH_BOUND) {
		probe_graph_stats.failed++;
		probe_graph_set_state(node, PROBE_GRAPH_FAILED);
	}
	/* No longer a parent expected to bind: its children may go. */
	if (ret)
		probe_graph_evaluate_dependents(dev);
}

/**
 * probe_graph_defer_reason() - a driver said why its device defers
 * @dev: the device
 * @vaf: the dev_err_probe() message
 *
 * Keeps a copy of its own: the deferred list's copy lives under
 * deferred_probe_mutex.  dev_err_probe() is also called under the device
 * links lock, by device_links_check_suppliers(), so G cannot be taken
 * here: the node is found under RCU and the reason stored under D.
 *
 * Context: Called from device_set_deferred_probe_reason(), before it
 * takes deferred_probe_mutex, possibly under the device links lock.
 */
void probe_graph_defer_reason(const struct device *dev, struct va_format *vaf)
{
	struct probe_graph_node *node;
	const char *old = NULL;
	char *reason;

	if (!probe_graph_active() || !dev->p)
		return;

	reason = kasprintf(GFP_KERNEL, "%s: %pV", dev_driver_string(dev), vaf);
	if (!reason)
		return;

	scoped_guard(rcu) {
		node = rcu_dereference(dev->p->probe_graph);
		/* A dead node is released, or about to be: keep nothing. */
		if (!node || READ_ONCE(node->state) == PROBE_GRAPH_DEAD) {
			old = reason;
			break;
		}
		scoped_guard(spinlock, &probe_graph_reason_lock) {
			old = node->defer_reason;
			node->defer_reason = reason;
		}
	}
	kfree(old);
}

/**
 * probe_graph_device_bound() - a driver has bound to a device
 * @dev: the device
 *
 * Looks again at the device's children and consumers, and only at them.
 *
 * Context: Called from driver_bound() with the device lock held, after
 * the device's supplier links have been made available.
 */
void probe_graph_device_bound(struct device *dev)
{
	struct probe_graph_node *node;

	if (!probe_graph_active())
		return;

	guard(mutex)(&probe_graph_lock);
	strscpy(probe_graph_last_bound, dev_name(dev));
	node = probe_graph_node_of(dev);
	if (node) {
		/* The moment consumers may start, not when the probe unwinds. */
		node->end_ns = ktime_get_ns();
		probe_graph_set_state(node, PROBE_GRAPH_BOUND);
		kfree(node->driver);
		node->driver = kstrdup(dev->driver->name, GFP_KERNEL);
	}
	probe_graph_evaluate_dependents(dev);
}

/**
 * probe_graph_device_unbinding() - a device's driver is being released
 * @dev: the device
 *
 * Its consumers, unbound first, will wait for it to bind again.
 *
 * Context: Called from __device_release_driver() with the device lock held.
 */
void probe_graph_device_unbinding(struct device *dev)
{
	struct probe_graph_node *node;

	if (!probe_graph_active())
		return;

	guard(mutex)(&probe_graph_lock);
	node = probe_graph_node_of(dev);
	if (node)
		probe_graph_set_state(node, PROBE_GRAPH_UNBINDING);
}

static int probe_graph_find_unbinding(const struct device_supplier_edge *edge,
				      void *data)
{
	struct probe_graph_node *snode;

	if (!edge->supplier)
		return 0;
	snode = probe_graph_node_of(edge->supplier);
	return snode && snode->state == PROBE_GRAPH_UNBINDING;
}

/**
 * probe_graph_device_unbound() - a device's driver has been released
 * @dev: the device
 *
 * A device unbound because its parent or a supplier is being unbound
 * waits for it to bind again and then probes; one unbound on request
 * stays unbound.
 *
 * Context: Called from __device_release_driver() with the device lock held.
 */
void probe_graph_device_unbound(struct device *dev)
{
	struct probe_graph_node *node, *pnode;
	bool rebind;

	if (!probe_graph_active())
		return;

	guard(mutex)(&probe_graph_lock);
	node = probe_graph_node_of(dev);
	if (!node)
		return;

	kfree(node->driver);
	node->driver = NULL;
	pnode = dev->parent ? probe_graph_node_of(dev->parent) : NULL;
	rebind = (pnode && pnode->state == PROBE_GRAPH_UNBINDING) ||
		 device_links_walk_suppliers(dev, probe_graph_find_unbinding,
					     NULL) > 0;
	probe_graph_set_state(node, rebind ? PROBE_GRAPH_WAITING :
				    PROBE_GRAPH_IDLE);
	probe_graph_evaluate(node, NULL, false);
}

/**
 * probe_graph_device_del() - a device is being deleted
 * @dev: the device
 *
 * Unlinks the device's node; a queued probe finds it dead and drops it.
 * Devices that waited for @dev are looked at again: its links are gone.
 *
 * Context: Called from device_del(), after the driver was released and
 * the device's links were purged.
 */
void probe_graph_device_del(struct device *dev)
{
	struct probe_graph_node *node, *waiter, *tmp;

	/*
	 * Only devices on a bus have nodes.  Device link devices, deleted
	 * under the device links lock, must not take G.
	 */
	if (probe_graph_get_mode() == PROBE_GRAPH_OFF || !dev->bus)
		return;

	guard(mutex)(&probe_graph_lock);
	node = probe_graph_node_of(dev);
	if (!node)
		return;
	probe_graph_set_state(node, PROBE_GRAPH_DEAD);
	list_del(&node->list);
	probe_graph_list_gen++;
	list_del_init(&node->sibling);
	list_for_each_entry_safe(waiter, tmp, &node->children, sibling)
		list_del_init(&waiter->sibling);
	RCU_INIT_POINTER(dev->p->probe_graph, NULL);

	list_for_each_entry_safe(waiter, tmp, &probe_graph_waiting, wait_list) {
		if (waiter->relaxed == node) {
			waiter->relaxed = NULL;
			probe_graph_node_put(node);
		}
		if (waiter->blocker == dev)
			probe_graph_evaluate(waiter, NULL, false);
	}
	probe_graph_node_put(node);
}

/**
 * probe_graph_wait_idle() - wait until no probe is queued or running
 *
 * Waiting devices are not waited for.  Does nothing in a probe the graph
 * runs, which would otherwise wait for itself.
 *
 * Context: Process context; may sleep.
 * Return: true if there was something to wait for: the probes waited for
 * may have triggered deferred probing again.
 */
bool probe_graph_wait_idle(void)
{
	if (!probe_graph_active() || probe_graph_in_worker() ||
	    !atomic_read(&probe_graph_busy))
		return false;
	wait_event(probe_graph_idle_wq, !atomic_read(&probe_graph_busy));
	return true;
}

/**
 * probe_graph_block_probing() - pause or resume dispatching probes
 * @block: true to pause (device_block_probing()), false to resume
 *
 * Context: Process context.
 */
void probe_graph_block_probing(bool block)
{
	if (!probe_graph_active())
		return;

	guard(mutex)(&probe_graph_lock);
	probe_graph_blocked = block;
	if (!block)
		probe_graph_evaluate_all();
}

static void probe_graph_report_waiting(void)
{
	struct probe_graph_blocker b;
	struct probe_graph_node *node;
	char buf[160];

	lockdep_assert_held(&probe_graph_lock);

	list_for_each_entry(node, &probe_graph_waiting, wait_list) {
		b = (struct probe_graph_blocker) {
			.node = node, .buf = buf, .len = sizeof(buf),
		};
		if (!probe_graph_blocked_by(&b))
			strscpy(buf, "probing blocked");
		dev_warn(node->dev, "probe_graph: not probed: %s\n", buf);
	}
}

/**
 * probe_graph_drivers_done() - fw_devlink gave up on missing drivers
 * @timeout: the deferred probe timeout expired
 *
 * fw_devlink has relaxed the links to suppliers without a driver: look at
 * every waiting device again, break cycles, and on timeout say why each
 * device still waiting does.
 *
 * Context: Process context.
 */
void probe_graph_drivers_done(bool timeout)
{
	if (!probe_graph_active())
		return;

	scoped_guard(mutex, &probe_graph_lock) {
		probe_graph_evaluate_all();
		probe_graph_find_cycles(true);
	}
	probe_graph_wait_idle();
	if (timeout) {
		guard(mutex)(&probe_graph_lock);
		probe_graph_report_waiting();
	}
}

/*
 * End of boot: every probe that can run has run before userspace starts,
 * whether or not prepare_namespace() waits for probing.
 */
static int __init probe_graph_boot_drain(void)
{
	struct probe_graph_node *node;
	unsigned int bound = 0, waiting = 0;

	if (!probe_graph_active())
		return 0;

	probe_graph_wait_idle();
	scoped_guard(mutex, &probe_graph_lock)
		probe_graph_find_cycles(true);
	probe_graph_wait_idle();

	guard(mutex)(&probe_graph_lock);
	probe_graph_boot_done = true;
	list_for_each_entry(node, &probe_graph_nodes, list) {
		bound += node->state == PROBE_GRAPH_BOUND;
		waiting += node->state == PROBE_GRAPH_WAITING;
	}
	pr_info("probe_graph: %u bound, %u waiting, %lu probe calls, %u in parallel at most, %lu deferrals\n",
		bound, waiting, probe_graph_stats.probe_calls,
		probe_graph_stats.peak_parallel,
		probe_graph_stats.defers_declared +
		probe_graph_stats.defers_driver);
	return 0;
}
late_initcall_sync(probe_graph_boot_drain);

static int __init probe_graph_init(void)
{
	struct workqueue_struct *wq, *sync_wq;
	unsigned int max_active;

	if (probe_graph_get_mode() == PROBE_GRAPH_OFF)
		return 0;

	max_active = clamp(probe_graph_max_active, 1U, WQ_UNBOUND_MAX_ACTIVE);
	if (probe_graph_get_mode() == PROBE_GRAPH_SERIAL)
		wq = alloc_ordered_workqueue("probe_graph", 0);
	else
		wq = alloc_workqueue("probe_graph", WQ_UNBOUND, max_active);
	sync_wq = alloc_ordered_workqueue("probe_graph_sync", 0);
	if (!wq || !sync_wq) {
		pr_err("probe_graph: no workqueue, probing as without it\n");
		if (wq)
			destroy_workqueue(wq);
		if (sync_wq)
			destroy_workqueue(sync_wq);
		return -ENOMEM;
	}
	probe_graph_sync_wq = sync_wq;
	WRITE_ONCE(probe_graph_wq, wq);
	return 0;
}
early_initcall(probe_graph_init);

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * probe_graph_node_info() - describe a device's node, for tests
 * @dev: the device
 * @info: filled in
 *
 * Context: Process context; takes probe_graph_lock.
 * Return: 0, or -ENOENT if the graph does not track @dev.
 */
VISIBLE_IF_KUNIT int probe_graph_node_info(struct device *dev,
					   struct probe_graph_node_info *info)
{
	struct probe_graph_blocker b = {
		.buf = info->reason, .len = sizeof(info->reason),
	};

	guard(mutex)(&probe_graph_lock);
	memset(info, 0, sizeof(*info));
	b.node = probe_graph_node_of(dev);
	if (!b.node)
		return -ENOENT;
	info->state = probe_graph_state_names[b.node->state];
	info->probe_calls = b.node->probe_calls;
	info->defers = b.node->defers;
	info->retries = b.node->retries;
	if (b.node->hint)
		strscpy(info->hint, b.node->hint);
	if (b.node->state == PROBE_GRAPH_WAITING)
		probe_graph_blocked_by(&b);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(probe_graph_node_info);

/**
 * probe_graph_stats_get() - copy the graph's counters, for tests
 * @defers_declared: -EPROBE_DEFER results before ->probe() ran
 * @defers_driver: -EPROBE_DEFER results returned by drivers
 * @cycles: dependency cycles reported
 *
 * Context: Process context; takes probe_graph_lock.
 */
VISIBLE_IF_KUNIT void probe_graph_stats_get(unsigned long *defers_declared,
					    unsigned long *defers_driver,
					    unsigned int *cycles)
{
	guard(mutex)(&probe_graph_lock);
	*defers_declared = probe_graph_stats.defers_declared;
	*defers_driver = probe_graph_stats.defers_driver;
	*cycles = probe_graph_stats.cycles;
}
EXPORT_SYMBOL_IF_KUNIT(probe_graph_stats_get);

/**
 * probe_graph_cycle_reported() - whether a cycle has been reported
 * @members: its device names, sorted, separated by spaces
 *
 * Searches the whole graph for cycles first, as reading the debugfs file
 * does.
 *
 * Context: Process context; takes probe_graph_lock.
 * Return: true if the cycle is reported.
 */
VISIBLE_IF_KUNIT bool probe_graph_cycle_reported(const char *members)
{
	struct probe_graph_cycle *cycle;

	guard(mutex)(&probe_graph_lock);
	probe_graph_find_cycles(false);
	list_for_each_entry(cycle, &probe_graph_cycles, list)
		if (!strcmp(cycle->members, members))
			return true;
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(probe_graph_cycle_reported);

static __printf(3, 4) void
probe_graph_check_fail(struct probe_graph_check_info *info,
		       struct probe_graph_node *node, const char *fmt, ...)
{
	va_list args;
	int len;

	if (info->problems++)
		return;
	len = scnprintf(info->first, sizeof(info->first), "%s: ",
			node ? dev_name(node->dev) : "graph");
	va_start(args, fmt);
	vscnprintf(info->first + len, sizeof(info->first) - len, fmt, args);
	va_end(args);
}

/**
 * probe_graph_check() - check the graph's invariants, for tests
 * @info: filled in: the number of nodes, how many invariants are broken
 *	and the first of them, and the memory one node takes
 *
 * Every listed node is its device's node, alive, on the waiting list
 * exactly when it waits, bound exactly when its device has a driver, and
 * its children's devices are its device's children; the busy count
 * matches the nodes queued or probing, and no registration is still
 * attaching.  The last three only hold while nothing is being probed,
 * registered or unregistered, which is when tests call this.
 *
 * Context: Process context; takes probe_graph_lock.
 */
VISIBLE_IF_KUNIT void probe_graph_check(struct probe_graph_check_info *info)
{
	struct probe_graph_node *node, *child;
	unsigned int busy = 0;

	memset(info, 0, sizeof(*info));
	info->node_bytes = kmalloc_size_roundup(sizeof(*node));

	guard(mutex)(&probe_graph_lock);
	list_for_each_entry(node, &probe_graph_nodes, list) {
		bool has_driver = READ_ONCE(node->dev->driver);
		bool waits = node->state == PROBE_GRAPH_WAITING;
		bool bound = node->state == PROBE_GRAPH_BOUND;

		info->nodes++;
		if (probe_graph_node_of(node->dev) != node)
			probe_graph_check_fail(info, node, "not its device's node");
		if (node->state == PROBE_GRAPH_DEAD)
			probe_graph_check_fail(info, node, "dead but listed");
		if (list_empty(&node->wait_list) == waits)
			probe_graph_check_fail(info, node,
					       "%s but %son the waiting list",
					       probe_graph_state_names[node->state],
					       list_empty(&node->wait_list) ?
					       "not " : "");
		if (bound != has_driver)
			probe_graph_check_fail(info, node, "%s but %s driver",
					       probe_graph_state_names[node->state],
					       has_driver ? "has a" : "has no");
		if (node->state == PROBE_GRAPH_QUEUED ||
		    node->state == PROBE_GRAPH_PROBING)
			busy++;
		list_for_each_entry(child, &node->children, sibling)
			if (child->dev->parent != node->dev)
				probe_graph_check_fail(info, child,
						       "listed as a child of %s",
						       dev_name(node->dev));
	}
	list_for_each_entry(node, &probe_graph_waiting, wait_list)
		if (node->state != PROBE_GRAPH_WAITING)
			probe_graph_check_fail(info, node, "%s on the waiting list",
					       probe_graph_state_names[node->state]);
	if (atomic_read(&probe_graph_busy) != busy)
		probe_graph_check_fail(info, NULL,
				       "busy count %d, %u nodes queued or probing",
				       atomic_read(&probe_graph_busy), busy);
	if (!list_empty(&probe_graph_batches))
		probe_graph_check_fail(info, NULL,
				       "a driver registration is still attaching");
}
EXPORT_SYMBOL_IF_KUNIT(probe_graph_check);

static bool probe_graph_paused;
static DECLARE_WAIT_QUEUE_HEAD(probe_graph_pause_wq);

/**
 * probe_graph_pause() - hold queued probes in the queued state, for tests
 * @pause: true to hold them, false to let them run
 *
 * Context: Process context.
 */
VISIBLE_IF_KUNIT void probe_graph_pause(bool pause)
{
	WRITE_ONCE(probe_graph_paused, pause);
	if (!pause)
		wake_up_all(&probe_graph_pause_wq);
}
EXPORT_SYMBOL_IF_KUNIT(probe_graph_pause);

static void probe_graph_pause_point(void)
{
	wait_event(probe_graph_pause_wq, !READ_ONCE(probe_graph_paused));
}
#else
static inline void probe_graph_pause_point(void) { }
#endif

/*
 * debugfs
 */

#ifdef CONFIG_DEBUG_FS

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
		return probe_graph_blocked ? "probing blocked" : "ready";
	case PROBE_GRAPH_DEFERRED:
		scoped_guard(spinlock, &probe_graph_reason_lock)
			snprintf(buf, len, "driver deferred: %s",
				 node->defer_reason ?: "?");
		strreplace(buf, '\n', ' ');
		return buf;
	case PROBE_GRAPH_FAILED:
		snprintf(buf, len, "probe failed: %d", node->ret);
		return buf;
	case PROBE_GRAPH_BOUND:
		if (!node->retries)
			return "-";
		/* A dependency nobody declared: name the likely supplier. */
		snprintf(buf, len, "bound after %u deferred retries, once %s bound",
			 node->retries, node->hint ?: "?");
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

static const char *probe_graph_edge_state(struct probe_graph_node *node,
					  struct device *sup,
					  unsigned int flags)
{
	lockdep_assert_held(&probe_graph_lock);

	if (flags & DEVICE_EDGE_CYCLE)
		return "cycle-broken";
	if (node->relaxed && sup && probe_graph_node_of(sup) == node->relaxed)
		return "cycle-broken";
	if (flags & DEVICE_EDGE_RELAXED)
		return "relaxed";
	if (flags & DEVICE_EDGE_BLOCKING)
		return "blocking";
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
		   probe_graph_edge_state(ctx->node, edge->supplier,
					  edge->flags));
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

	if (node->relaxed == pnode)
		state = "cycle-broken";
	else if (probe_graph_parent_blocks(node))
		state = "blocking";
	else if (pnode->state == PROBE_GRAPH_BOUND)
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
	seq_printf(s, "\t%s\t%s\t%s\t%u\t%u\t%llu\t%llu\t%llu\t%d\t%s\n",
		   node->driver ?: "-", parent ? dev_name(parent) : "-",
		   probe_graph_state_names[node->state], node->probe_calls,
		   node->defers, node->ready_ns, node->start_ns, node->end_ns,
		   node->ret, probe_graph_reason(node, buf, sizeof(buf)));

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
	const struct probe_graph_stats *st = &probe_graph_stats;
	unsigned int n[PROBE_GRAPH_DEAD + 1] = { };
	struct probe_graph_node *node;
	enum probe_graph_state i;

	guard(mutex)(&probe_graph_lock);
	list_for_each_entry(node, &probe_graph_nodes, list)
		n[node->state]++;

	seq_printf(s, "mode %s\n", probe_graph_mode_names[probe_graph_get_mode()]);
	seq_printf(s, "max_active %u\n", probe_graph_get_mode() ==
		   PROBE_GRAPH_SERIAL ? 1 : probe_graph_max_active);
	seq_printf(s, "busy %d\n", atomic_read(&probe_graph_busy));
	seq_printf(s, "boot_done %d\n", probe_graph_boot_done);
	for (i = PROBE_GRAPH_IDLE; i < PROBE_GRAPH_DEAD; i++)
		seq_printf(s, "nodes_%s %u\n", probe_graph_state_names[i], n[i]);
	seq_printf(s, "probe_calls %lu\n", st->probe_calls);
	seq_printf(s, "dispatched %lu\n", st->dispatched);
	seq_printf(s, "defers_declared %lu\n", st->defers_declared);
	seq_printf(s, "defers_driver %lu\n", st->defers_driver);
	seq_printf(s, "fallback_retries %lu\n", st->fallback_retries);
	seq_printf(s, "failed %lu\n", st->failed);
	seq_printf(s, "peak_parallel %u\n", st->peak_parallel);
	seq_printf(s, "cycles %u\n", st->cycles);
	seq_printf(s, "relaxed_edges %u\n", st->relaxed_edges);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(probe_graph_stats);

static int probe_graph_cycles_show(struct seq_file *s, void *unused)
{
	struct probe_graph_cycle *cycle;

	guard(mutex)(&probe_graph_lock);
	/* Also report the cycles fw_devlink broke on its own. */
	probe_graph_find_cycles(false);
	seq_puts(s, "# probe_graph cycles v1\n# members\trelaxed\n");
	list_for_each_entry(cycle, &probe_graph_cycles, list)
		seq_printf(s, "%s\t%s\n", cycle->members, cycle->relaxed ?: "?");
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

#endif /* CONFIG_DEBUG_FS */
