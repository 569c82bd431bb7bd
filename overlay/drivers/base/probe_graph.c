// SPDX-License-Identifier: GPL-2.0
/*
 * Probe graph: dependency-ordered device probing.
 *
 * This file holds the graph: the nodes, what blocks them and the search
 * for cycles.  probe_graph_sched.c holds the hooks the driver core calls
 * and the work items that probe; probe_graph_debugfs.c shows the graph.
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
 * driver core when needed.  device_links_walk_suppliers() says of each
 * edge whether it blocks by the rule device_links_check_suppliers()
 * applies in really_probe(): both call device_link_check_supplier(), so
 * the graph never disagrees with the driver core about what blocks.
 * Kinds:
 *
 *  - parent: the consumer is a child of the supplier.  It blocks while the
 *    parent is expected to bind: a driver matched it and it is waiting,
 *    queued, unbinding, or being probed by another thread.  A pure
 *    container never blocks its children, nor does a parent that failed
 *    or whose driver deferred by itself (an MFD parent may wait for the
 *    very children it registered), nor, once the deferred probe timeout
 *    expired, a parent that still waits and may never bind.
 *  - fwnode: a fwnode link whose supplier has no device yet, or a device
 *    link fw_devlink inferred from one (DL_FLAG_INFERRED).
 *  - devlink: a managed device link a driver added.
 *
 * Sync-state-only links, links fw_devlink relaxed, links it marked as part
 * of a cycle and the links best effort probing lets a consumer do without
 * never block.  A link whose supplier is unbinding blocks even while it is
 * still available.
 *
 * A node moves through &enum probe_graph_state.  A device offered by
 * device_add() or by a deferred-probe retry (device_initial_probe() calls
 * probe_graph_device_attach()) that a driver matches is WAITING until it
 * has been looked at.  If nothing blocks it, the caller probes it in its
 * own context, as without the graph, so device_add() returns with it
 * bound.  Only a device whose parent or a supplier is not bound yet stays
 * WAITING: the graph takes it over.  A waiting node whose parent and
 * suppliers no longer block is QUEUED on a workqueue, where a work item
 * probes it (PROBING) through device_attach_scheduled(), which tries
 * every matching driver.  The probe ends in BOUND, FAILED, WAITING again
 * if device_links_check_suppliers() deferred it (a link changed under
 * it), or DEFERRED if anything else did: the driver on its own (an
 * undeclared dependency), pin control, an IOMMU or a PM domain, which the
 * graph cannot see; the deferred list retries it, as it always did.
 * When a device binds,
 * only its children and consumers are looked at again, so the cost of a
 * bind is proportional to its out-degree, and no device is probed before
 * what it declares it needs has bound.  A device the graph holds
 * (WAITING, QUEUED or PROBING) is left alone by the deferred list, which
 * removes the retries of declared dependencies.
 *
 * A parent being probed by the current thread does not block its children:
 * a child that the parent's probe registers is probed right there, nested
 * in that probe, as it always was.
 *
 * A driver registration offers the devices its driver matches, and
 * probe_graph_caller_probes() decides who probes those that are ready.
 * The caller does, as without the graph, for drivers that force
 * synchronous probing, for drivers that allow asynchronous probing (whose
 * probes still run in the async domain) and for every registration but
 * that of a built-in driver during boot.  That one queues its ready
 * devices, which the graph probes in parallel, up to probe_graph.max_active
 * at a time.  Those, and the devices the graph wakes when what they wait
 * for binds, are the probes the graph runs.  A woken device whose driver
 * forces synchronous probing is probed on an ordered workqueue, one at a
 * time.
 *
 * A registration whose caller probes, unless its driver allows
 * asynchronous probing, waits (probe_graph_driver_attach_begin() and
 * probe_graph_driver_attach_end()): the devices of its driver that become
 * ready while it attaches, such as one whose supplier is another device
 * of the same driver, are probed before driver_register() returns.  The
 * registration probes each of them whose work item has not started
 * itself (it cancels the work item and runs its function inline), so it
 * never waits for a worker that may be busy, for instance loading the
 * module that registers the driver, whatever probe_graph.max_active is.
 * A device that only becomes ready after the registration returned is
 * not waited for.
 *
 * Boot goes through three phases, &enum probe_graph_phase.  In BOOT the
 * built-in drivers register and the graph probes their ready devices in
 * parallel.  deferred_probe_initcall(), a late initcall, triggers and
 * flushes deferred probing again for as long as probe_graph_wait_idle()
 * found probes of the graph to wait for, then does the same with
 * probe_graph_boot_end(), which moves to LATE once the graph is drained.
 * A device the graph wakes in LATE is parked, not queued, unless a
 * registration waits for it, until probe_graph_boot_done(), a
 * late_initcall_sync of drivers/base.  That runs after
 * clk_disable_unused() and genpd_power_off_unused(), because
 * drivers/Makefile links clk/ and pmdomain/ before base/, so no probe of
 * the graph runs under them.  probe_graph_boot_done() moves to RUNNING,
 * queues the parked devices, waits for them, reports the cycles and
 * prints "probe_graph: N bound, N waiting, ...", so that userspace starts
 * with every ready device bound.  wait_for_device_probe() waits until no
 * probe of the graph is queued or running; devices still waiting for a
 * dependency are not waited for.
 *
 * What blocks a device also changes without a bind.  The driver core calls
 * probe_graph_links_changed() with the consumer when a device link is
 * deleted, dropped from management or relaxed by fw_devlink, or when
 * fw_devlink turns the fwnode links of a new supplier's consumers into
 * device links; probe_graph_fwnode_links_changed() when a fwnode link is
 * deleted or marked as part of a cycle; and probe_graph_links_changed()
 * with NULL, for every device, when
 * wait_for_init_devices_probe() turns on best effort probing.  A work
 * item that coalesces these reports looks at the affected waiting devices
 * again.  A device unbound because its parent or a supplier is unbinding
 * waits for it to bind again; one unbound on request stays unbound.
 * While device_block_probing() is in effect nothing is queued, and a
 * queued device goes back to waiting; device_unblock_probing() looks at
 * every waiting device again.
 *
 * Should the driver core defer a device before ->probe() on a dependency
 * the graph sees bound, twice in a row with nothing changed in between,
 * the two disagree: the device is counted as unforeseen and left to the
 * deferred list.  As both apply the same rule, that count stays 0.
 *
 * The graph never relaxes an edge itself.  fw_devlink breaks the
 * dependency cycles it finds in firmware (FWLINK_FLAG_CYCLE,
 * DL_FLAG_CYCLE); the graph only reports cycles.  It searches the whole
 * graph for strongly connected components of blocking edges and edges
 * fw_devlink marked as part of a cycle at the end of boot and when the
 * deferred probe timeout expires, and searches from a device as it
 * becomes ready if one of its edges is such a marked edge.  Each cycle is
 * reported once.  When the deferred probe timeout expires, every device
 * still waiting is reported with what it waits for.
 *
 * Modes: ``probe_graph=on`` (the default), ``probe_graph=serial`` (the
 * graph's probes run one at a time, on an ordered workqueue) and
 * ``probe_graph=off`` (stock behaviour: every hook returns before
 * touching any state, and nothing is allocated).
 *
 * Locking (tags on the fields of the structures and on the globals):
 *
 *  - G: probe_graph_lock.  Protects the node lists, every node's state and
 *    counters, &device_private.probe_graph, the waiting registrations
 *    and their queues, the parked list, the boot phase, the pause of
 *    device_block_probing() and the cycle reports.  Hooks run with or
 *    without the device lock held and take G inside it; G is never held
 *    while taking a device lock or calling a driver.  G nests outside
 *    fwnode_link_lock and the device links lock, taken by
 *    device_links_walk_suppliers() and friends, so no hook that the
 *    driver core calls under either, or under deferred_probe_mutex,
 *    which nests inside the device links lock, may take G.
 *  - R: written under G, read under RCU without it: the hooks called
 *    under the device links lock, probe_graph_device_claimed(),
 *    probe_graph_defer_reason() and probe_graph_links_changed(), find
 *    the node that way, and the first two read its state; nodes are
 *    freed after a grace period.
 *  - D: probe_graph_reason_lock, a spinlock.  Protects a node's deferral
 *    reason, which dev_err_probe() reports under the device links lock
 *    (device_links_check_suppliers()).  Taken under G, under RCU, or
 *    when the last reference to a node goes; nothing is taken under it.
 *  - I: immutable after the node or the waiting registration is created.
 *  - A: atomic: the busy count, a registration's pending count, and the
 *    lock-less list and bits with which probe_graph_links_changed()
 *    records the devices to look at again.
 */

#include <linux/cleanup.h>
#include <linux/device.h>
#include <linux/fwnode.h>
#include <linux/init.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/probe_graph.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "base.h"
#include "probe_graph_internal.h"

const char * const probe_graph_state_names[] = {
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

const char * const probe_graph_mode_names[] = {
	[PROBE_GRAPH_OFF]	= "off",
	[PROBE_GRAPH_SERIAL]	= "serial",
	[PROBE_GRAPH_ON]	= "on",
};

static enum probe_graph_mode probe_graph_mode = PROBE_GRAPH_ON;

DEFINE_MUTEX(probe_graph_lock);			/* G */
DEFINE_SPINLOCK(probe_graph_reason_lock);	/* D */
LIST_HEAD(probe_graph_nodes);			/* G */
LIST_HEAD(probe_graph_waiting);			/* G */
LIST_HEAD(probe_graph_cycles);			/* G */
struct probe_graph_stats probe_graph_stats;	/* G */
unsigned long probe_graph_list_gen;		/* G: bumped on add and del */
static unsigned long probe_graph_scc_gen;	/* G */

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

struct probe_graph_node *probe_graph_node_of(const struct device *dev)
{
	lockdep_assert_held(&probe_graph_lock);

	return dev->p ? rcu_dereference_protected(dev->p->probe_graph,
			lockdep_is_held(&probe_graph_lock)) : NULL;
}

static void probe_graph_node_release(struct kref *kref)
{
	struct probe_graph_node *node =
		container_of(kref, struct probe_graph_node, kref);

	probe_graph_node_drop_batch(node);
	kfree(node->driver);
	scoped_guard(spinlock, &probe_graph_reason_lock) {
		kfree(node->defer_reason);
		node->defer_reason = NULL;
	}
	/* probe_graph_device_claimed() looks at nodes without G. */
	kfree_rcu(node, rcu);
}

void probe_graph_node_put(struct probe_graph_node *node)
{
	kref_put(&node->kref, probe_graph_node_release);
}

struct probe_graph_node *probe_graph_node_get_or_create(struct device *dev)
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
	INIT_LIST_HEAD(&node->park);
	INIT_LIST_HEAD(&node->batch_entry);
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

void probe_graph_set_state(struct probe_graph_node *node,
			   enum probe_graph_state state)
{
	lockdep_assert_held(&probe_graph_lock);

	if (state == PROBE_GRAPH_WAITING)
		list_move_tail(&node->wait_list, &probe_graph_waiting);
	else
		list_del_init(&node->wait_list);
	if (state != PROBE_GRAPH_QUEUED)
		list_del_init(&node->park);
	WRITE_ONCE(node->state, state);
}

/*
 * Blockers: what keeps a node from probing.
 */

/*
 * Set once the deferred probe timeout expired: a parent that still waits
 * then may never bind, and its children go on without it, as they would
 * have without the graph.
 */
static bool probe_graph_parents_released;	/* G */

/**
 * probe_graph_release_parents() - let children go on without a waiting parent
 *
 * Context: G held.
 */
void probe_graph_release_parents(void)
{
	lockdep_assert_held(&probe_graph_lock);

	probe_graph_parents_released = true;
}

/* Whether @parent is expected to bind, so that its children wait. */
bool probe_graph_parent_blocks(struct probe_graph_node *node)
{
	struct device *parent = node->dev->parent;
	struct probe_graph_node *pnode;

	lockdep_assert_held(&probe_graph_lock);

	if (!parent)
		return false;
	pnode = probe_graph_node_of(parent);
	if (!pnode)
		return false;

	/*
	 * A parent that deferred by itself may be waiting for the very
	 * children it registered, as MFD drivers do: let them probe.
	 */
	switch (pnode->state) {
	case PROBE_GRAPH_PROBING:
		/*
		 * The parent's own probe registers the child: it is probed
		 * right there, nested in that probe, as it always was.
		 */
		return pnode->task != current;
	case PROBE_GRAPH_WAITING:
		return !probe_graph_parents_released;
	case PROBE_GRAPH_QUEUED:
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

	if (!(edge->flags & (DEVICE_EDGE_BLOCKING | DEVICE_EDGE_UNBINDING)))
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
bool probe_graph_blocked_by(struct probe_graph_blocker *b)
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
	if (!probe_graph_scc_push(&scc->nodes, &scc->n, &scc->size, node))
		scc->failed = true;
}

static int probe_graph_scc_edge(const struct device_supplier_edge *edge,
				void *data)
{
	struct probe_graph_scc *scc = data;
	struct probe_graph_node *to;

	if (!edge->supplier ||
	    !(edge->flags & (DEVICE_EDGE_BLOCKING | DEVICE_EDGE_CYCLE)))
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

/* A component of more than one node, or with an edge to itself: report it once. */
static void probe_graph_scc_found(struct probe_graph_node **members,
				  unsigned int n)
{
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
			return;

	cycle = kzalloc(sizeof(*cycle), GFP_KERNEL);
	if (!cycle)
		return;
	cycle->members = no_free_ptr(names);
	list_add_tail(&cycle->list, &probe_graph_cycles);
	probe_graph_stats.cycles++;
	pr_warn("probe_graph: dependency cycle: %s\n", cycle->members);
}

/* Tarjan's algorithm, iterative, over the successors collected in @scc. */
static void probe_graph_scc_visit(struct probe_graph_scc *scc,
				  struct probe_graph_node *root,
				  unsigned long gen)
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
				members[n++] = w;
			} while (w != v);
			self = false;
			for (i = 0; n == 1 && i < v->adj_len; i++)
				self |= scc->adj[v->adj + i] == v;
			if (n > 1 || self)
				probe_graph_scc_found(members, n);
		}
		if (!depth)
			break;
		w = v;
		v = path[--depth];
		v->scc_low = min(v->scc_low, w->scc_low);
	}
}

/* Run Tarjan's algorithm over the nodes marked in @scc, then free it. */
static void probe_graph_scc_run(struct probe_graph_scc *scc, unsigned long gen)
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
			probe_graph_scc_visit(scc, scc->nodes[i], gen);

	kvfree(scc->members);
	kvfree(scc->pos);
	kvfree(scc->path);
	kvfree(scc->adj);
	kvfree(scc->nodes);
}

/**
 * probe_graph_find_cycles() - report the dependency cycles of the whole graph
 *
 * Covers every node, its blocking edges and the edges fw_devlink marked
 * as part of a cycle, which it broke itself.  Each cycle is reported once.
 * Called at the end of boot and when the deferred probe timeout expires,
 * never from debugfs.
 *
 * Context: G held.
 */
void probe_graph_find_cycles(void)
{
	struct probe_graph_scc scc = { };
	unsigned long gen = ++probe_graph_scc_gen;
	struct probe_graph_node *node;

	lockdep_assert_held(&probe_graph_lock);

	list_for_each_entry(node, &probe_graph_nodes, list)
		probe_graph_scc_mark(&scc, node, gen);
	probe_graph_scc_run(&scc, gen);
}

int probe_graph_cycle_edge(const struct device_supplier_edge *edge, void *data)
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
void probe_graph_report_fw_cycle(struct probe_graph_node *node)
{
	struct probe_graph_scc scc = { };
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
	probe_graph_scc_run(&scc, gen);
}

#if IS_ENABLED(CONFIG_PROBE_GRAPH_KUNIT_TEST)
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
	probe_graph_find_cycles();
	list_for_each_entry(cycle, &probe_graph_cycles, list)
		if (!strcmp(cycle->members, members))
			return true;
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(probe_graph_cycle_reported);

#endif
