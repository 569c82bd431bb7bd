// SPDX-License-Identifier: GPL-2.0
/*
 * Probe graph: dependency-ordered device probing.
 *
 * This file holds the state machine of the graph, the hooks the driver
 * core calls and the dispatch of the probes.  probe_graph_cycles.c finds
 * and reports dependency cycles; probe_graph_debugfs.c shows the graph.
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
 * The probe graph decides when a device a driver matched may probe.  It
 * keeps a &struct probe_graph_node of 64 bytes for each such device, from
 * the first match until device_del(): its state, when it was last probed
 * and how that went.  What a device needs only while it waits for its
 * dependencies or is probed (the work item, its place on the lists, the
 * registration that waits for it) is a &struct probe_graph_pending,
 * allocated when it starts to wait or to probe and freed once it is
 * bound, failed, deferred or idle.  A device no driver matches has
 * neither.  If that memory cannot be allocated, the device is probed as
 * without the graph.
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
 * not waited for.  A built-in driver that forces synchronous probing,
 * registered during boot, first waits for the probes the graph runs:
 * platform_driver_probe() gives up on a device that did not bind while
 * it registered, and without the graph every earlier driver's probes are
 * done by then.
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
 * again.  A device unbound because a supplier is unbinding waits for it
 * to bind again; one unbound with its parent or on request stays
 * unbound, as without the graph.
 * While device_block_probing() is in effect nothing is queued, and a
 * queued device goes back to waiting; device_unblock_probing() looks at
 * every waiting device again.
 *
 * Should the driver core defer a device before ->probe() on a dependency
 * the graph sees bound, twice in a row with nothing changed in between,
 * the two disagree: the device is counted as unforeseen and left to the
 * deferred list.  As both apply the same rule, that count stays 0.
 *
 * The graph never relaxes an edge itself: it reports the dependency
 * cycles it finds (probe_graph_cycles.c).  When the deferred probe
 * timeout expires, every device still waiting is reported with what it
 * waits for.
 *
 * Modes: ``probe_graph=on`` (the default), ``probe_graph=serial`` (the
 * graph's probes run one at a time, on an ordered workqueue) and
 * ``probe_graph=off`` (stock behaviour: every hook returns before
 * touching any state, and nothing is allocated).
 *
 * Locking (tags on the fields of the structures and on the globals):
 *
 *  - G: probe_graph_lock.  Protects the node lists, every node's state,
 *    counters and scheduling state, &device_private.probe_graph, the
 *    waiting registrations and their queues, the parked list, the boot
 *    phase, the pause of device_block_probing() and the cycle reports.  Hooks run with or
 *    without the device lock held and take G inside it; G is never held
 *    while taking a device lock or calling a driver.  G nests outside
 *    fwnode_link_lock and the device links lock, taken by
 *    device_links_walk_suppliers() and friends, so no hook that the
 *    driver core calls under either, or under deferred_probe_mutex,
 *    which nests inside the device links lock, may take G.  debugfs
 *    takes deferred_probe_mutex under G to read a deferral reason.
 *  - R: written under G, read under RCU without it: the hooks called
 *    under the device links lock, probe_graph_device_claimed() and
 *    probe_graph_links_changed(), find a device's node and its
 *    scheduling state that way; both are freed after a grace period.
 *  - I: immutable after the node or the waiting registration is created.
 *  - A: atomic: the busy count, a registration's pending count, and the
 *    lock-less list and bits with which probe_graph_links_changed()
 *    records the devices to look at again.
 */

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/cleanup.h>
#include <linux/device.h>
#include <linux/device/bus.h>
#include <linux/fwnode.h>
#include <linux/init.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include "base.h"
#include "probe_graph_internal.h"

/* The parameters keep the prefix of the graph they belong to. */
#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "probe_graph."

struct probe_graph_batch;

/**
 * struct probe_graph_pending - a device waiting for its dependencies or probed
 * @node: the device's node; NULL once released (G).
 * @dev: the device (I).  A queued work item holds a reference.
 * @kref: held by the node while it is WAITING, QUEUED or PROBING, by a
 *	queued work item and while it waits to be looked at again.
 * @rcu: freed after a grace period.
 * @wait_list: entry in probe_graph_waiting while WAITING (G).
 * @park: entry in probe_graph_parked while QUEUED between the drain at the
 *	end of the late initcalls and the end of boot (G).
 * @batch_entry: entry in the queue of @batch while its work item is
 *	pending, so that the registration can probe it itself (G).
 * @children: the pending states of the children @node's device keeps
 *	from probing (G).
 * @sibling: entry in the parent's @children while it blocks (G).
 * @relook_node: entry in probe_graph_relook_list (A).
 * @relook: bit 0 set while on probe_graph_relook_list (A).
 * @work: the probe work item.
 * @task: the task probing the device while PROBING (G); compared, never
 *	dereferenced.
 * @blocker: the device that blocked it last; compared, never
 *	dereferenced (G).
 * @batch: the driver registration that waits for the device if it becomes
 *	ready while the registration attaches (G).
 * @gen: probe_graph_gen when the current probe attempt started (G).
 * @unforeseen_gen: @gen of the last attempt the driver core deferred on a
 *	dependency the graph saw bound (G).
 * @ready_ns: when it was last queued (G).
 * @in_work: a graph work item is probing the device (G).
 * @batch_held: the next run of @work is counted in @batch's pending
 *	count, and it is on @batch's queue unless the registration took
 *	it (G).
 * @reoffer: a driver registered while a graph run probed the device,
 *	which may have tried its drivers before: look again once it
 *	settles (G).
 */
struct probe_graph_pending {
	struct probe_graph_node *node;
	struct device *dev;
	struct kref kref;
	struct rcu_head rcu;
	struct list_head wait_list;
	struct list_head park;
	struct list_head batch_entry;
	struct list_head children;
	struct list_head sibling;
	struct llist_node relook_node;
	unsigned long relook;
	struct work_struct work;
	const struct task_struct *task;
	const struct device *blocker;
	struct probe_graph_batch *batch;
	unsigned long gen;
	unsigned long unforeseen_gen;
	u64 ready_ns;
	bool in_work;
	bool batch_held;
	bool reoffer;
};

/**
 * struct probe_graph_batch - a driver registration that waits for its probes
 * @drv: the driver being attached (I).
 * @task: the task attaching it (I).
 * @kref: held by the registration and by each device it waits for.
 * @list: entry in probe_graph_batches while attaching (G).
 * @queued: pending states of this batch whose work item is pending (G).
 * @attaching: the registration is still attaching (G).
 * @pending: queued or probing devices of this batch (A).
 */
struct probe_graph_batch {
	const struct device_driver *drv;
	struct task_struct *task;
	struct kref kref;
	struct list_head list;
	struct list_head queued;
	bool attaching;
	atomic_t pending;
};

/**
 * enum probe_graph_phase - how far boot is, as far as probing goes
 * @PROBE_GRAPH_PHASE_BOOT: built-in drivers register; the devices ready
 *	when they do are probed in parallel and nobody waits for them.
 * @PROBE_GRAPH_PHASE_LATE: the graph was drained at the end of the late
 *	initcalls; devices that become ready until the late_initcall_sync
 *	callbacks ran are parked.
 * @PROBE_GRAPH_PHASE_RUNNING: the initcalls are done.
 */
enum probe_graph_phase {
	PROBE_GRAPH_PHASE_BOOT,
	PROBE_GRAPH_PHASE_LATE,
	PROBE_GRAPH_PHASE_RUNNING,
};

static const char * const probe_graph_phase_names[] = {
	[PROBE_GRAPH_PHASE_BOOT]	= "boot",
	[PROBE_GRAPH_PHASE_LATE]	= "late",
	[PROBE_GRAPH_PHASE_RUNNING]	= "running",
};

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

static unsigned int probe_graph_max_active = WQ_DFL_ACTIVE;
module_param_named(max_active, probe_graph_max_active, uint, 0444);
MODULE_PARM_DESC(max_active, "Probes running at once (default 256, max 512)");

DEFINE_MUTEX(probe_graph_lock);			/* G */
LIST_HEAD(probe_graph_nodes);			/* G */
unsigned long probe_graph_list_gen;		/* G: bumped on add and del */
static LIST_HEAD(probe_graph_waiting);		/* G */
static LIST_HEAD(probe_graph_batches);		/* G */
static LIST_HEAD(probe_graph_parked);		/* G */
static struct probe_graph_stats probe_graph_stats;	/* G */
static enum probe_graph_phase probe_graph_phase;	/* G */
/* The initcall thread, which drained the graph; compared only. */
static const struct task_struct *probe_graph_init_task;	/* G */
/* device_block_probing() is in effect. */
static bool probe_graph_paused;			/* G */
/*
 * Set once the deferred probe timeout expired: a parent that still waits
 * then may never bind, and its children go on without it, as they would
 * have without the graph.
 */
static bool probe_graph_parents_released;	/* G */
/* Bumped whenever what blocks a device may have changed; never 0. */
static unsigned long probe_graph_gen = 1;	/* G */

static atomic_t probe_graph_busy = ATOMIC_INIT(0);	/* A: queued+probing+relook */
static DECLARE_WAIT_QUEUE_HEAD(probe_graph_idle_wq);

/* Devices whose supplier links changed, looked at again by a work item. */
static LLIST_HEAD(probe_graph_relook_list);	/* A */
static unsigned long probe_graph_relook_flags;	/* A */
#define PROBE_GRAPH_RELOOK_QUEUED	0
#define PROBE_GRAPH_RELOOK_ALL		1
static void probe_graph_relook_work(struct work_struct *work);
static DECLARE_WORK(probe_graph_relook, probe_graph_relook_work);

static struct workqueue_struct *probe_graph_wq;
static struct workqueue_struct *probe_graph_sync_wq;

static void probe_graph_probe_work(struct work_struct *work);
static bool probe_graph_evaluate(struct probe_graph_pending *p,
				 bool caller_probes);
static void probe_graph_test_hold_point(void);

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

#if IS_ENABLED(CONFIG_PROBE_GRAPH_KUNIT_TEST)
/* The KUnit suite, which may be a module, asks which mode it tests. */
EXPORT_SYMBOL_IF_KUNIT(probe_graph_get_mode);
#endif

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

static void probe_graph_inc16(u16 *count)
{
	if (*count < U16_MAX)
		(*count)++;
}

/*
 * Nodes and their scheduling state.
 */

/**
 * probe_graph_node_of() - the node of a device
 * @dev: the device
 *
 * Context: G held.
 * Return: the node, or NULL if no driver matched @dev yet.
 */
struct probe_graph_node *probe_graph_node_of(const struct device *dev)
{
	lockdep_assert_held(&probe_graph_lock);

	return dev->p ? rcu_dereference_protected(dev->p->probe_graph,
			lockdep_is_held(&probe_graph_lock)) : NULL;
}

static struct probe_graph_pending *probe_graph_pending_of(struct probe_graph_node *node)
{
	lockdep_assert_held(&probe_graph_lock);

	return rcu_dereference_protected(node->pending,
					 lockdep_is_held(&probe_graph_lock));
}

/* A device a driver matched gets a node, unless it is going away. */
static struct probe_graph_node *probe_graph_node_get_or_create(struct device *dev)
{
	struct probe_graph_node *node;

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
	node->state = PROBE_GRAPH_IDLE;
	list_add_tail(&node->list, &probe_graph_nodes);
	probe_graph_list_gen++;
	rcu_assign_pointer(dev->p->probe_graph, node);
	return node;
}

static void probe_graph_pending_free(struct kref *kref)
{
	struct probe_graph_pending *p =
		container_of(kref, struct probe_graph_pending, kref);

	/* probe_graph_links_changed() looks at it without G. */
	kfree_rcu(p, rcu);
}

static void probe_graph_pending_put(struct probe_graph_pending *p)
{
	kref_put(&p->kref, probe_graph_pending_free);
}

/* Give @node scheduling state, if it has none. */
static struct probe_graph_pending *probe_graph_pending_get_or_create(struct probe_graph_node *node)
{
	struct probe_graph_pending *p = probe_graph_pending_of(node);

	if (p)
		return p;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return NULL;
	p->node = node;
	p->dev = node->dev;
	kref_init(&p->kref);
	INIT_LIST_HEAD(&p->wait_list);
	INIT_LIST_HEAD(&p->park);
	INIT_LIST_HEAD(&p->batch_entry);
	INIT_LIST_HEAD(&p->children);
	INIT_LIST_HEAD(&p->sibling);
	INIT_WORK(&p->work, probe_graph_probe_work);
	rcu_assign_pointer(node->pending, p);
	if (++probe_graph_stats.pending > probe_graph_stats.peak_pending)
		probe_graph_stats.peak_pending = probe_graph_stats.pending;
	return p;
}

static void probe_graph_batch_release(struct kref *kref)
{
	kfree(container_of(kref, struct probe_graph_batch, kref));
}

static void probe_graph_batch_put(struct probe_graph_batch *batch)
{
	kref_put(&batch->kref, probe_graph_batch_release);
}

/* Forget the registration @p was left to; a run counted in it drops it itself. */
static void probe_graph_pending_drop_batch(struct probe_graph_pending *p)
{
	lockdep_assert_held(&probe_graph_lock);

	if (!p->batch || p->batch_held)
		return;
	probe_graph_batch_put(p->batch);
	p->batch = NULL;
}

/*
 * @node no longer waits or probes: free its scheduling state once the
 * work item that may still be queued has run, and look again at the
 * children it kept from probing.
 */
static void probe_graph_pending_release(struct probe_graph_node *node)
{
	struct probe_graph_pending *p = probe_graph_pending_of(node);
	struct probe_graph_pending *child, *tmp;

	lockdep_assert_held(&probe_graph_lock);

	if (!p)
		return;
	RCU_INIT_POINTER(node->pending, NULL);
	p->node = NULL;
	probe_graph_stats.pending--;
	list_del_init(&p->wait_list);
	list_del_init(&p->park);
	list_del_init(&p->sibling);
	probe_graph_pending_drop_batch(p);
	list_for_each_entry_safe(child, tmp, &p->children, sibling) {
		list_del_init(&child->sibling);
		probe_graph_evaluate(child, false);
	}
	probe_graph_pending_put(p);
}

static bool probe_graph_state_pending(enum probe_graph_state state)
{
	return state == PROBE_GRAPH_WAITING || state == PROBE_GRAPH_QUEUED ||
	       state == PROBE_GRAPH_PROBING;
}

/*
 * Move @node to @state.  WAITING and QUEUED need scheduling state, which
 * the caller gave it; leaving WAITING, QUEUED and PROBING frees it.
 */
static void probe_graph_set_state(struct probe_graph_node *node,
				  enum probe_graph_state state)
{
	struct probe_graph_pending *p = probe_graph_pending_of(node);

	lockdep_assert_held(&probe_graph_lock);

	if (p) {
		if (state == PROBE_GRAPH_WAITING)
			list_move_tail(&p->wait_list, &probe_graph_waiting);
		else
			list_del_init(&p->wait_list);
		if (state != PROBE_GRAPH_QUEUED)
			list_del_init(&p->park);
	}
	WRITE_ONCE(node->state, state);
	if (!probe_graph_state_pending(state))
		probe_graph_pending_release(node);
}

/*
 * @node is ready and its caller probes it now, in state IDLE until the
 * attempt starts.  Its scheduling state, and the children it holds back,
 * are kept for that attempt, which releases them when it ends: the
 * children must not start before it.
 */
static void probe_graph_hand_over(struct probe_graph_node *node)
{
	struct probe_graph_pending *p = probe_graph_pending_of(node);

	lockdep_assert_held(&probe_graph_lock);

	list_del_init(&p->wait_list);
	list_del_init(&p->park);
	WRITE_ONCE(node->state, PROBE_GRAPH_IDLE);
}

/* Make @node wait; false if there is no memory for it to wait with. */
static bool probe_graph_wait(struct probe_graph_node *node)
{
	if (!probe_graph_pending_get_or_create(node))
		return false;
	probe_graph_set_state(node, PROBE_GRAPH_WAITING);
	return true;
}

/* Remember whether the driver that matched @node forces synchronous probing. */
static void probe_graph_set_sync(struct probe_graph_node *node, bool sync)
{
	lockdep_assert_held(&probe_graph_lock);

	if (sync)
		node->flags |= PROBE_GRAPH_SYNC;
	else
		node->flags &= ~PROBE_GRAPH_SYNC;
}

/*
 * Blockers: what keeps a node from probing.
 */

/**
 * probe_graph_parent_blocks() - whether a device's parent keeps it from probing
 * @dev: the device, which need not have a node
 *
 * A parent blocks while it is expected to bind: it waits, is queued,
 * unbinds, or is being probed by another task.  A parent that failed or
 * whose driver deferred by itself does not: an MFD parent may wait for the
 * very children it registered.
 *
 * Context: G held.
 * Return: true if the parent blocks.
 */
bool probe_graph_parent_blocks(struct device *dev)
{
	struct device *parent = dev->parent;
	struct probe_graph_pending *pp;
	struct probe_graph_node *pnode;

	lockdep_assert_held(&probe_graph_lock);

	pnode = parent ? probe_graph_node_of(parent) : NULL;
	if (!pnode)
		return false;

	switch (pnode->state) {
	case PROBE_GRAPH_PROBING:
		/*
		 * The parent's own probe registers the child: it is probed
		 * right there, nested in that probe, as it always was.  With
		 * no scheduling state the prober is not known: do as
		 * without the graph.
		 */
		pp = probe_graph_pending_of(pnode);
		return pp && pp->task != current;
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

	if (edge->flags & DEVICE_EDGE_BEST_EFFORT)
		b->best_effort = true;
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

/* What keeps @dev, which need not have a node, from probing, into @b. */
static bool probe_graph_dev_blocked_by(struct device *dev,
				       struct probe_graph_blocker *b)
{
	lockdep_assert_held(&probe_graph_lock);

	if (probe_graph_parent_blocks(dev)) {
		b->dev = dev->parent;
		b->parent = true;
		if (b->buf)
			snprintf(b->buf, b->len, "waiting for parent %s (%s)",
				 dev_name(b->dev),
				 probe_graph_supplier_note(b->dev));
		return true;
	}
	return device_links_walk_suppliers(dev, probe_graph_find_blocker,
					   b) > 0;
}

/**
 * probe_graph_blocked_by() - find what keeps a node from probing
 * @b: blocker to fill in; @b->node set by the caller.
 *
 * Whether a link blocks is what device_links_walk_suppliers() says, which
 * applies the rule of device_links_check_suppliers().
 *
 * Context: G held.
 * Return: true if a parent or supplier blocks.
 */
bool probe_graph_blocked_by(struct probe_graph_blocker *b)
{
	return probe_graph_dev_blocked_by(b->node->dev, b);
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

/* Count the pending run of @p's work item in its registration's wait. */
static void probe_graph_batch_hold(struct probe_graph_pending *p)
{
	lockdep_assert_held(&probe_graph_lock);

	/* The registration may probe it itself: see _attach_end(). */
	list_add_tail(&p->batch_entry, &p->batch->queued);
	atomic_inc(&p->batch->pending);
	p->batch_held = true;
	wake_up_all(&probe_graph_idle_wq);
}

/* Leave @p to the registration @batch, which waits for it once it is ready. */
static void probe_graph_batch_join(struct probe_graph_pending *p,
				   struct probe_graph_batch *batch)
{
	lockdep_assert_held(&probe_graph_lock);

	if (!batch || p->batch == batch || p->batch_held)
		return;
	probe_graph_pending_drop_batch(p);
	kref_get(&batch->kref);
	p->batch = batch;
}

static void probe_graph_queue_work(struct probe_graph_pending *p)
{
	struct workqueue_struct *wq;

	lockdep_assert_held(&probe_graph_lock);

	if (p->batch && !p->batch_held)
		probe_graph_batch_hold(p);
	probe_graph_stats.dispatched++;
	atomic_inc(&probe_graph_busy);
	kref_get(&p->kref);
	get_device(p->dev);
	wq = p->node && (p->node->flags & PROBE_GRAPH_SYNC) ?
	     probe_graph_sync_wq : probe_graph_wq;
	queue_work(wq, &p->work);
}

/* Queue the devices parked since the drain; they are probed from now on. */
static void probe_graph_release_parked(void)
{
	struct probe_graph_pending *p, *tmp;

	lockdep_assert_held(&probe_graph_lock);

	/*
	 * Only the initcall thread, whose next step may be the
	 * late_initcall_sync callbacks, releases parked devices before
	 * then: a work item waiting in parallel (the deferred probe
	 * timeout) would let them run under those callbacks.
	 */
	if (probe_graph_phase == PROBE_GRAPH_PHASE_LATE &&
	    current != probe_graph_init_task)
		return;
	list_for_each_entry_safe(p, tmp, &probe_graph_parked, park) {
		list_del_init(&p->park);
		probe_graph_queue_work(p);
	}
}

static void probe_graph_queue(struct probe_graph_pending *p)
{
	struct probe_graph_batch *batch = p->batch;

	lockdep_assert_held(&probe_graph_lock);

	probe_graph_set_state(p->node, PROBE_GRAPH_QUEUED);
	p->ready_ns = ktime_get_ns();
	p->blocker = NULL;
	/* A registration waits only for what becomes ready while it attaches. */
	if (batch && !batch->attaching && !p->batch_held) {
		p->batch = NULL;
		probe_graph_batch_put(batch);
	}
	/* Still pending from an earlier time: that run will probe it. */
	if (work_pending(&p->work) || !list_empty(&p->park))
		return;
	/*
	 * Woken between the drain at the end of the late initcalls and the
	 * end of boot: no probe runs under the late_initcall_sync callbacks,
	 * which turn off the clocks and power domains nobody claimed.
	 */
	if (!p->batch && probe_graph_phase == PROBE_GRAPH_PHASE_LATE) {
		list_add_tail(&p->park, &probe_graph_parked);
		return;
	}
	probe_graph_queue_work(p);
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
 * Whether the caller probes a ready device itself, as it always did: when
 * a device is added (@drv is NULL), for deferred retries, for drivers that
 * force synchronous probing or allow asynchronous probing (which then
 * runs in the async domain, as it always did), and for every registration
 * but that of a built-in driver during boot.  Those are the only probes
 * the graph runs in parallel, besides the devices it wakes when what they
 * wait for binds: nobody waits for them in the driver core.
 */
static bool probe_graph_caller_probes(const struct device_driver *drv)
{
	lockdep_assert_held(&probe_graph_lock);

	if (!drv || drv->probe_type == PROBE_FORCE_SYNCHRONOUS ||
	    driver_allows_async_probing(drv))
		return true;
	return probe_graph_phase != PROBE_GRAPH_PHASE_BOOT ||
	       probe_graph_module_coming(drv);
}

/*
 * Whether nothing keeps @node from probing now.  @b says what does, if
 * something does.  A node that becomes ready with an edge fw_devlink
 * marked as part of a cycle reports that cycle.
 */
static bool probe_graph_ready(struct probe_graph_node *node,
			      struct probe_graph_blocker *b)
{
	lockdep_assert_held(&probe_graph_lock);

	b->node = node;
	if (probe_graph_paused || probe_graph_blocked_by(b))
		return false;
	/* What check tools need to know of a console probed early. */
	if (b->best_effort)
		node->flags |= PROBE_GRAPH_BEST_EFFORT;
	else
		node->flags &= ~PROBE_GRAPH_BEST_EFFORT;
	if (probe_graph_has_cycle_edge(node))
		probe_graph_report_fw_cycle(node);
	return true;
}

/**
 * probe_graph_evaluate() - queue a waiting device if nothing blocks it
 * @p: its scheduling state
 * @caller_probes: the caller probes it in its own context if it is ready
 *
 * Context: G held.
 * Return: true if it is ready: queued here or, if @caller_probes, handed
 * over to the caller in state IDLE.
 */
static bool probe_graph_evaluate(struct probe_graph_pending *p,
				 bool caller_probes)
{
	struct probe_graph_node *node = p->node, *pnode;
	struct probe_graph_blocker b = { };
	struct probe_graph_pending *pp;

	lockdep_assert_held(&probe_graph_lock);

	if (!node || node->state != PROBE_GRAPH_WAITING)
		return false;
	if (!probe_graph_ready(node, &b)) {
		p->blocker = b.dev;
		/* Looked at again when the parent no longer waits or probes. */
		pnode = b.parent ? probe_graph_node_of(b.dev) : NULL;
		pp = pnode ? probe_graph_pending_of(pnode) : NULL;
		if (pp)
			list_move_tail(&p->sibling, &pp->children);
		return false;
	}
	if (caller_probes) {
		probe_graph_hand_over(node);
		return true;
	}
	probe_graph_queue(p);
	return true;
}

static int probe_graph_evaluate_dev(struct device *dev, void *data)
{
	struct probe_graph_node *node = probe_graph_node_of(dev);
	struct probe_graph_pending *p = node ? probe_graph_pending_of(node) : NULL;

	if (p)
		probe_graph_evaluate(p, false);
	return 0;
}

/* Look again at the consumers of @dev, and nothing else. */
static void probe_graph_evaluate_consumers(struct device *dev)
{
	lockdep_assert_held(&probe_graph_lock);

	device_links_walk_consumers(dev, probe_graph_evaluate_dev, NULL);
}

static void probe_graph_evaluate_all(void)
{
	struct probe_graph_pending *p, *tmp;

	lockdep_assert_held(&probe_graph_lock);

	list_for_each_entry_safe(p, tmp, &probe_graph_waiting, wait_list)
		probe_graph_evaluate(p, false);
}

/*
 * Whether the driver core deferred @node on a dependency that the graph
 * sees bound, for the second attempt in a row with nothing changed in
 * between.  Once may be a supplier binding under the attempt: the graph
 * hears of it a moment later, and the next attempt finds it bound.
 */
static bool probe_graph_unforeseen(struct probe_graph_pending *p)
{
	struct probe_graph_blocker b = { .node = p->node };
	bool again;

	lockdep_assert_held(&probe_graph_lock);

	if (probe_graph_paused || probe_graph_blocked_by(&b))
		return false;
	again = p->unforeseen_gen == p->gen;
	p->unforeseen_gen = p->gen;
	return again;
}

/*
 * Where a probe attempt that did not bind leaves its node: waiting again
 * if a declared dependency went away under it, deferred if its driver or
 * anything else the graph cannot see deferred it (pins, an IOMMU, a PM
 * domain: the deferred list retries it, as it always did), failed, or
 * idle if the drivers turned the device down.
 */
static void probe_graph_settle(struct probe_graph_node *node, int ret)
{
	struct probe_graph_pending *p = probe_graph_pending_of(node);

	lockdep_assert_held(&probe_graph_lock);

	if (node->state != PROBE_GRAPH_PROBING)
		return;
	if (p)
		p->task = NULL;
	if (ret == -EPROBE_DEFER && p &&
	    (node->flags & PROBE_GRAPH_LINKS_MISSING)) {
		probe_graph_set_state(node, PROBE_GRAPH_WAITING);
		if (probe_graph_unforeseen(p)) {
			/* Queuing it again would only defer again, forever. */
			probe_graph_stats.unforeseen++;
			dev_warn(node->dev, "probe_graph: deferred again on a dependency the graph sees bound, left to deferred probing\n");
			probe_graph_set_state(node, PROBE_GRAPH_DEFERRED);
		} else {
			probe_graph_evaluate(p, false);
		}
	} else if (ret == -EPROBE_DEFER) {
		probe_graph_set_state(node, PROBE_GRAPH_DEFERRED);
	} else if (ret && ret != -ENODEV && ret != -ENXIO) {
		probe_graph_stats.failed++;
		probe_graph_set_state(node, PROBE_GRAPH_FAILED);
	} else {
		probe_graph_set_state(node, PROBE_GRAPH_IDLE);
	}
	/* No longer a supplier expected to bind: its consumers may go. */
	probe_graph_evaluate_consumers(node->dev);
}

/* A driver that came while @dev was probed finds it unbound: offer it. */
static void probe_graph_reoffer(struct device *dev)
{
	struct probe_graph_node *node = probe_graph_node_of(dev);
	struct probe_graph_pending *p;

	lockdep_assert_held(&probe_graph_lock);

	if (!node || (node->state != PROBE_GRAPH_IDLE &&
		      node->state != PROBE_GRAPH_FAILED))
		return;
	if (!probe_graph_wait(node))
		return;
	p = probe_graph_pending_of(node);
	probe_graph_evaluate(p, false);
}

static void probe_graph_probe_work(struct work_struct *work)
{
	struct probe_graph_pending *p =
		container_of(work, struct probe_graph_pending, work);
	struct probe_graph_batch *batch = NULL;
	struct probe_graph_blocker b = { };
	struct probe_graph_node *node;
	struct device *dev = p->dev;
	bool probe = false;

	probe_graph_test_hold_point();

	scoped_guard(mutex, &probe_graph_lock) {
		/*
		 * Taken now if this run is the one counted in the batch: the
		 * device may be queued again while this runs.
		 */
		if (p->batch_held) {
			batch = p->batch;
			p->batch = NULL;
			p->batch_held = false;
			list_del_init(&p->batch_entry);
		}
		/*
		 * Look again: a supplier may have started unbinding since the
		 * device was queued, and the driver core would then find it
		 * half gone.  Its next bind looks at the device again.
		 */
		node = p->node;
		if (node && node->state == PROBE_GRAPH_QUEUED) {
			b.node = node;
			probe = !probe_graph_paused &&
				!probe_graph_blocked_by(&b);
			if (probe) {
				probe_graph_set_state(node, PROBE_GRAPH_PROBING);
				p->in_work = true;
				p->task = current;
				node->ret = 0;
				node->wait_us = min_t(u64, U32_MAX,
						      div_u64(ktime_get_ns() -
							      p->ready_ns,
							      NSEC_PER_USEC));
				if (++probe_graph_stats.running >
				    probe_graph_stats.peak_parallel)
					probe_graph_stats.peak_parallel =
						probe_graph_stats.running;
			} else {
				/* Paused or blocked; that ending looks again. */
				probe_graph_set_state(node,
						      PROBE_GRAPH_WAITING);
				probe_graph_evaluate(p, false);
			}
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
		if (probe) {
			probe_graph_stats.running--;
			/*
			 * Settled once every matching driver was tried: until
			 * then the device's children keep waiting.  Unless it
			 * bound, or a deferral settled it already and another
			 * run, queued since, owns it now: the registration
			 * runs this function inline, outside the workqueue's
			 * guarantee that one work item never runs twice at
			 * once.
			 */
			node = p->node;
			if (!p->task || p->task == current) {
				p->in_work = false;
				if (node)
					probe_graph_settle(node, node->ret);
			}
			if (p->reoffer) {
				p->reoffer = false;
				probe_graph_reoffer(dev);
			}
		}
	}

	if (batch) {
		atomic_dec(&batch->pending);
		probe_graph_batch_put(batch);
	}
	put_device(dev);
	probe_graph_pending_put(p);
	if (atomic_dec_and_test(&probe_graph_busy) || batch)
		wake_up_all(&probe_graph_idle_wq);
}

/*
 * Reports that what blocks a device changed.
 */

/* Look again at the devices whose supplier links changed. */
static void probe_graph_relook_work(struct work_struct *work)
{
	struct probe_graph_pending *p, *tmp;
	struct llist_node *list;
	bool all;

	clear_bit(PROBE_GRAPH_RELOOK_QUEUED, &probe_graph_relook_flags);
	all = test_and_clear_bit(PROBE_GRAPH_RELOOK_ALL,
				 &probe_graph_relook_flags);
	list = llist_del_all(&probe_graph_relook_list);

	scoped_guard(mutex, &probe_graph_lock) {
		probe_graph_gen++;
		llist_for_each_entry_safe(p, tmp, list, relook_node) {
			clear_bit(0, &p->relook);
			probe_graph_evaluate(p, false);
			probe_graph_pending_put(p);
		}
		if (all)
			probe_graph_evaluate_all();
	}

	if (atomic_dec_and_test(&probe_graph_busy))
		wake_up_all(&probe_graph_idle_wq);
}

/**
 * probe_graph_links_changed() - a device's supplier links may have changed
 * @consumer: the device, or NULL for every device
 *
 * The one place the driver core reports that a dependency of @consumer
 * was relaxed, dropped or deleted, or that what blocks changed for every
 * device (best effort probing): a waiting device is looked at again, by
 * a work item that coalesces such reports.
 *
 * Context: Any process context, also under the device links lock and
 * fwnode_link_lock; does not sleep.
 */
void probe_graph_links_changed(struct device *consumer)
{
	struct probe_graph_node *node;
	struct probe_graph_pending *p;

	if (!probe_graph_active())
		return;

	if (!consumer) {
		set_bit(PROBE_GRAPH_RELOOK_ALL, &probe_graph_relook_flags);
	} else {
		guard(rcu)();
		node = consumer->p ? rcu_dereference(consumer->p->probe_graph) :
				     NULL;
		p = node ? rcu_dereference(node->pending) : NULL;
		/*
		 * Only a device with scheduling state can be waiting.  One
		 * about to go back to waiting looked at its links under G
		 * before this, or will after.
		 */
		if (!p || test_and_set_bit(0, &p->relook))
			return;
		if (!kref_get_unless_zero(&p->kref)) {
			clear_bit(0, &p->relook);
			return;
		}
		llist_add(&p->relook_node, &probe_graph_relook_list);
	}

	if (!test_and_set_bit(PROBE_GRAPH_RELOOK_QUEUED,
			      &probe_graph_relook_flags)) {
		atomic_inc(&probe_graph_busy);
		queue_work(system_unbound_wq, &probe_graph_relook);
	}
}

/**
 * probe_graph_fwnode_links_changed() - a firmware node's supplier links changed
 * @consumer: the consumer firmware node
 *
 * A fwnode link of @consumer was deleted or found to be part of a cycle,
 * so no longer keeps the device of @consumer, if it has one, from
 * probing: look at that device again, as probe_graph_links_changed() does.
 *
 * Context: Process context, with fwnode_link_lock held, under which
 * fw_devlink itself takes and drops references to such devices.
 */
void probe_graph_fwnode_links_changed(struct fwnode_handle *consumer)
{
	struct device *dev;

	if (!probe_graph_active())
		return;

	dev = get_device(READ_ONCE(consumer->dev));
	if (!dev)
		return;
	probe_graph_links_changed(dev);
	put_device(dev);
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
 * A driver matched @dev: take it into WAITING and look at it.
 * Return: whether the graph handles it (false: the caller probes).
 */
static bool probe_graph_offer(struct device *dev,
			      const struct device_driver *drv, bool sync)
{
	struct probe_graph_blocker b = { };
	struct probe_graph_batch *batch;
	struct probe_graph_pending *p;
	struct probe_graph_node *node;
	bool created, caller;

	guard(mutex)(&probe_graph_lock);

	created = !probe_graph_node_of(dev);
	node = probe_graph_node_get_or_create(dev);
	if (!node)
		return false;
	p = probe_graph_pending_of(node);
	batch = drv ? probe_graph_batch_find(drv) : NULL;

	switch (node->state) {
	case PROBE_GRAPH_QUEUED:
		/* Already ready: a registration that waits, waits for it too. */
		if (!batch || p->batch == batch || p->batch_held)
			return true;
		probe_graph_batch_join(p, batch);
		if (!list_empty(&p->park)) {
			list_del_init(&p->park);
			probe_graph_queue_work(p);
		} else if (work_pending(&p->work)) {
			probe_graph_batch_hold(p);
		}
		return true;
	case PROBE_GRAPH_PROBING:
		/*
		 * A graph run tries every matching driver, but may have
		 * tried them before @drv was there: once it settles, it
		 * looks at the device again.  Whoever else probes the
		 * device holds its lock: the caller waits for that, then
		 * finds it bound or tries @drv, as without the graph.
		 */
		if (!p || !p->in_work)
			return false;
		if (drv)
			p->reoffer = true;
		return true;
	case PROBE_GRAPH_BOUND:
	case PROBE_GRAPH_UNBINDING:
	case PROBE_GRAPH_DEAD:
		return true;
	case PROBE_GRAPH_WAITING:
		probe_graph_set_sync(node, sync);
		/* Looked at when a dependency binds; nothing changed here. */
		if (!drv)
			return true;
		break;
	case PROBE_GRAPH_DEFERRED:
		probe_graph_inc16(&node->retries);
		probe_graph_stats.fallback_retries++;
		fallthrough;
	default:
		/* Handed over to a caller that did not probe it: look again. */
		if (p)
			probe_graph_set_state(node, PROBE_GRAPH_WAITING);
		break;
	}

	/* A new supplier device may have unblocked consumers (cycles). */
	if (created)
		probe_graph_evaluate_consumers(dev);

	probe_graph_set_sync(node, sync);
	caller = probe_graph_caller_probes(drv);
	if (!p) {
		/* Ready, and its caller probes it: no scheduling state. */
		if (caller && probe_graph_ready(node, &b)) {
			probe_graph_set_state(node, PROBE_GRAPH_IDLE);
			return false;
		}
		if (!probe_graph_wait(node))
			return false;
		p = probe_graph_pending_of(node);
	}
	if (probe_graph_evaluate(p, caller))
		return node->state != PROBE_GRAPH_IDLE;

	/* Blocked: the registration, if it waits, waits for it once it is ready. */
	probe_graph_batch_join(p, batch);
	return true;
}

/**
 * probe_graph_device_attach() - a device is offered to its bus's drivers
 * @dev: the device
 *
 * Called from device_initial_probe(), for new devices and for deferred
 * retries.  A device that is ready is probed by the caller, as it always
 * was, so that device_add() returns with it bound.  One whose parent or
 * a supplier is not bound yet is taken over by the graph, which probes
 * it once they are.
 *
 * Context: Process context; the device lock is not held.
 * Return: true if the probe graph took over probing @dev, false if the
 * caller must probe it the stock way (graph off, no driver matches, the
 * match asked for deferral, or the device is ready).
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

	/* No driver matches: nothing is kept; a later driver offers it. */
	if (m.ret <= 0)
		return false;

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
	return node && probe_graph_state_pending(READ_ONCE(node->state));
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

/*
 * A device the driver @data matches that would wait if it were offered
 * now: its parent or a supplier is not bound.
 */
static int probe_graph_match_waits(struct device *dev, void *data)
{
	const struct device_driver *drv = data;
	struct probe_graph_blocker b = { };

	if (READ_ONCE(dev->driver) || driver_match_device(drv, dev) <= 0)
		return 0;
	guard(mutex)(&probe_graph_lock);
	return probe_graph_dev_blocked_by(dev, &b);
}

/**
 * probe_graph_driver_attach_begin() - a driver starts attaching to devices
 * @drv: the driver
 *
 * Unless the registration is that of a built-in driver during boot, or
 * its driver allows asynchronous probing, it will wait for the devices
 * of @drv that become ready while it attaches: see
 * probe_graph_driver_attach_end().  If that cannot be recorded, the
 * registration probes what is ready and leaves the rest waiting, as
 * deferred probing would have.
 *
 * Context: Process context.
 */
void probe_graph_driver_attach_begin(const struct device_driver *drv)
{
	struct probe_graph_batch *batch;
	bool settle;

	if (!probe_graph_active())
		return;

	/*
	 * Without the graph, the probes of every built-in driver are done
	 * when the next one registers, and platform_driver_probe() relies on
	 * it: it gives up on a device that did not bind while it registered
	 * (gpio-aspeed, whose clock and pins the graph may still be probing).
	 * A built-in driver that forces synchronous probing, registered
	 * during boot, first lets the probes the graph runs finish, if a
	 * device it matches would wait: most such registrations, every PHY
	 * driver's for one, match no device yet, or only ready ones.  Not in
	 * a graph worker, nor for a module, which a probe may be loading.
	 */
	scoped_guard(mutex, &probe_graph_lock)
		settle = drv->probe_type == PROBE_FORCE_SYNCHRONOUS &&
			 probe_graph_phase == PROBE_GRAPH_PHASE_BOOT &&
			 !probe_graph_module_coming(drv) &&
			 !probe_graph_in_worker();
	if (settle && bus_for_each_dev(drv->bus, NULL, (void *)drv,
				       probe_graph_match_waits))
		wait_event(probe_graph_idle_wq, !atomic_read(&probe_graph_busy));

	scoped_guard(mutex, &probe_graph_lock)
		if (!probe_graph_caller_probes(drv) ||
		    driver_allows_async_probing(drv))
			return;

	batch = kzalloc(sizeof(*batch), GFP_KERNEL);
	if (!batch)
		return;
	batch->drv = drv;
	batch->task = current;
	kref_init(&batch->kref);
	INIT_LIST_HEAD(&batch->queued);
	batch->attaching = true;
	atomic_set(&batch->pending, 0);

	guard(mutex)(&probe_graph_lock);
	list_add(&batch->list, &probe_graph_batches);
}

/* Take a device of @batch whose work item has not started, if there is one. */
static struct probe_graph_pending *probe_graph_batch_steal(struct probe_graph_batch *batch)
{
	struct probe_graph_pending *p;

	guard(mutex)(&probe_graph_lock);
	p = list_first_entry_or_null(&batch->queued, struct probe_graph_pending,
				     batch_entry);
	if (p) {
		/* Still counted: the run that starts takes it off the count. */
		list_del_init(&p->batch_entry);
		kref_get(&p->kref);
	}
	return p;
}

/* Whether @batch is done, and if so, stop it from taking new devices. */
static bool probe_graph_batch_done(struct probe_graph_batch *batch)
{
	guard(mutex)(&probe_graph_lock);
	if (atomic_read(&batch->pending) || !list_empty(&batch->queued))
		return false;
	batch->attaching = false;
	list_del(&batch->list);
	return true;
}

/**
 * probe_graph_driver_attach_end() - a driver has been offered every device
 * @drv: the driver
 *
 * A registration that waits returns once every device of @drv that
 * became ready while it attached is probed, as synchronous probing would
 * have done.  It probes the ones no worker has started yet itself, so
 * that it never waits for a worker that may be busy loading the very
 * module registering @drv, whatever probe_graph.max_active is.
 *
 * Context: Process context.
 */
void probe_graph_driver_attach_end(const struct device_driver *drv)
{
	struct probe_graph_pending *p;
	struct probe_graph_batch *batch;

	if (!probe_graph_active())
		return;

	scoped_guard(mutex, &probe_graph_lock)
		batch = probe_graph_batch_find(drv);
	if (!batch)
		return;

	while (!probe_graph_batch_done(batch)) {
		p = probe_graph_batch_steal(batch);
		if (p) {
			if (cancel_work(&p->work))
				probe_graph_probe_work(&p->work);
			probe_graph_pending_put(p);
			continue;
		}
		wait_event(probe_graph_idle_wq,
			   !atomic_read(&batch->pending) ||
			   !list_empty_careful(&batch->queued));
	}
	probe_graph_batch_put(batch);
}

/* Whether @dev's parent neither is bound nor is being probed. */
static bool probe_graph_parent_unheld(struct device *dev)
{
	struct probe_graph_node *pnode;

	lockdep_assert_held(&probe_graph_lock);

	if (!dev->parent)
		return false;
	pnode = probe_graph_node_of(dev->parent);
	return !pnode || (pnode->state != PROBE_GRAPH_BOUND &&
			  pnode->state != PROBE_GRAPH_PROBING);
}

/**
 * probe_graph_probe_begin() - a probe attempt starts
 * @dev: the device
 *
 * Context: Called from driver_probe_device() with the device lock held.
 */
void probe_graph_probe_begin(struct device *dev)
{
	struct probe_graph_pending *p;
	struct probe_graph_node *node;

	if (!probe_graph_active())
		return;

	device_lock_assert(dev);
	guard(mutex)(&probe_graph_lock);
	/* Probed without an offer, by device_attach() for instance. */
	node = probe_graph_node_get_or_create(dev);
	if (!node)
		return;
	node->flags &= ~(PROBE_GRAPH_PROBE_CALLED | PROBE_GRAPH_LINKS_MISSING |
			 PROBE_GRAPH_PARENT_UNHELD);
	/*
	 * A parent with no driver yet, or one that failed or deferred, is
	 * not expected to bind and does not hold its children back.
	 */
	if (probe_graph_parent_unheld(dev))
		node->flags |= PROBE_GRAPH_PARENT_UNHELD;
	node->start_ns = ktime_get_ns();
	p = probe_graph_pending_of(node);
	if (p) {
		p->gen = probe_graph_gen;
		/* The graph's own run, trying its matching drivers. */
		if (p->in_work && p->task == current)
			return;
	}

	/* Probed by its caller: its children added meanwhile are nested. */
	switch (node->state) {
	case PROBE_GRAPH_IDLE:
	case PROBE_GRAPH_WAITING:
	case PROBE_GRAPH_QUEUED:
	case PROBE_GRAPH_DEFERRED:
	case PROBE_GRAPH_FAILED:
		/* Without memory for it, its children are not held back. */
		p = probe_graph_pending_get_or_create(node);
		probe_graph_set_state(node, PROBE_GRAPH_PROBING);
		if (p) {
			/* A graph run that settled already no longer owns it. */
			p->in_work = false;
			p->task = current;
			p->gen = probe_graph_gen;
		}
		node->ret = 0;
		node->wait_us = 0;
		break;
	default:
		break;
	}
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

	device_lock_assert(dev);
	guard(mutex)(&probe_graph_lock);
	probe_graph_stats.probe_calls++;
	node = probe_graph_node_of(dev);
	if (!node)
		return;
	node->flags |= PROBE_GRAPH_PROBE_CALLED;
	probe_graph_inc16(&node->probe_calls);
}

/**
 * probe_graph_links_missing() - a supplier link deferred a probe attempt
 * @dev: the device
 *
 * device_links_check_suppliers() found a fwnode link or a device link of
 * @dev not ready: a declared dependency, which the graph waits for.  Any
 * other deferral before the driver's probe is the deferred list's.
 *
 * Context: Called from really_probe() with the device lock held.
 */
void probe_graph_links_missing(struct device *dev)
{
	struct probe_graph_node *node;

	if (!probe_graph_active())
		return;

	device_lock_assert(dev);
	guard(mutex)(&probe_graph_lock);
	node = probe_graph_node_of(dev);
	if (node)
		node->flags |= PROBE_GRAPH_LINKS_MISSING;
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
	struct probe_graph_pending *p;
	struct probe_graph_node *node;

	if (!probe_graph_active())
		return;

	device_lock_assert(dev);
	guard(mutex)(&probe_graph_lock);
	node = probe_graph_node_of(dev);
	if (!node)
		return;

	/* Failures of ->probe() come back inverted. */
	if (ret > 0)
		ret = -ret;
	/* Dead, unregistered or bound by someone else: nothing was tried. */
	if (!((ret == -ENODEV && !(node->flags & PROBE_GRAPH_PROBE_CALLED)) ||
	      ret == -EBUSY)) {
		if (ret)
			node->end_ns = ktime_get_ns();
		node->ret = ret;
		if (ret == -EPROBE_DEFER) {
			probe_graph_inc16(&node->defers);
			if (node->flags & PROBE_GRAPH_LINKS_MISSING)
				probe_graph_stats.defers_declared++;
			else
				probe_graph_stats.defers_driver++;
		}
	}
	/*
	 * In the graph's own attach the next matching driver is tried after
	 * a failure: the work item settles the state once all were tried.
	 * A deferral ends the attach, and must be settled before the caller
	 * asks probe_graph_device_claimed() whether to retry it.
	 */
	p = probe_graph_pending_of(node);
	if (!p || !p->in_work || ret == -EPROBE_DEFER)
		probe_graph_settle(node, ret);
}

/**
 * probe_graph_device_binding() - a driver is being bound to a device
 * @dev: the device
 *
 * Records when the probe ended for the device's consumers: the driver
 * core makes its consumer links available next, and a consumer may start
 * as soon as one of them is.
 *
 * Context: Called from driver_bound() with the device lock held, before
 * device_links_driver_bound().
 */
void probe_graph_device_binding(struct device *dev)
{
	struct probe_graph_node *node;

	if (!probe_graph_active())
		return;

	guard(mutex)(&probe_graph_lock);
	node = probe_graph_node_of(dev);
	if (node)
		node->end_ns = ktime_get_ns();
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
	probe_graph_gen++;
	node = probe_graph_node_get_or_create(dev);
	if (node) {
		/* Bound without a node when probe_graph_device_binding() ran. */
		if (node->end_ns < node->start_ns || !node->end_ns)
			node->end_ns = ktime_get_ns();
		probe_graph_set_state(node, PROBE_GRAPH_BOUND);
	}
	probe_graph_evaluate_consumers(dev);
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

	device_lock_assert(dev);
	guard(mutex)(&probe_graph_lock);
	probe_graph_gen++;
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
 * A device unbound because a supplier is being unbound waits for it to
 * bind again and then probes; one unbound with its parent or on request
 * stays unbound, as without the graph.
 *
 * Context: Called from __device_release_driver() with the device lock held.
 */
void probe_graph_device_unbound(struct device *dev)
{
	struct probe_graph_pending *p, *tmp;
	struct probe_graph_node *node;
	bool rebind;

	if (!probe_graph_active())
		return;

	device_lock_assert(dev);
	guard(mutex)(&probe_graph_lock);
	probe_graph_gen++;
	node = probe_graph_node_of(dev);
	if (!node)
		return;

	/*
	 * Not for a parent: it may be going away, and a child's driver
	 * may need its data.  A supplier's links wait for it to bind.
	 */
	rebind = device_links_walk_suppliers(dev, probe_graph_find_unbinding,
					     NULL) > 0;
	probe_graph_set_state(node, PROBE_GRAPH_IDLE);
	if (rebind && probe_graph_wait(node))
		probe_graph_evaluate(probe_graph_pending_of(node), false);
	/* Children held back while it was unbinding may go now. */
	list_for_each_entry_safe(p, tmp, &probe_graph_waiting, wait_list)
		if (p->dev->parent == dev)
			probe_graph_evaluate(p, false);
	probe_graph_evaluate_consumers(dev);
}

/**
 * probe_graph_device_del() - a device is being deleted
 * @dev: the device
 *
 * Frees the device's node; a queued probe finds it gone and drops it.
 * Devices that waited for @dev are looked at again: its links are gone.
 *
 * Context: Called from device_del(), after the driver was released and
 * the device's links were purged.
 */
void probe_graph_device_del(struct device *dev)
{
	struct probe_graph_pending *waiter, *tmp;
	struct probe_graph_node *node;

	/*
	 * Only devices on a bus have nodes.  Device link devices, deleted
	 * under the device links lock, must not take G.
	 */
	if (probe_graph_get_mode() == PROBE_GRAPH_OFF || !dev->bus)
		return;

	guard(mutex)(&probe_graph_lock);
	probe_graph_gen++;
	node = probe_graph_node_of(dev);
	if (!node)
		return;
	probe_graph_set_state(node, PROBE_GRAPH_DEAD);
	list_del(&node->list);
	probe_graph_list_gen++;
	RCU_INIT_POINTER(dev->p->probe_graph, NULL);

	list_for_each_entry_safe(waiter, tmp, &probe_graph_waiting, wait_list)
		if (waiter->blocker == dev)
			probe_graph_evaluate(waiter, false);
	probe_graph_forget_fw_edges(node);
	/* probe_graph_device_claimed() looks at it without G. */
	kfree_rcu_mightsleep(node);
}

/**
 * probe_graph_wait_idle() - wait until no probe is queued or running
 *
 * Waiting devices are not waited for.  Devices parked since the drain at
 * the end of the late initcalls are probed and waited for, if the caller
 * is the initcall thread: whoever calls wait_for_device_probe() then asks
 * for them, as deferred probing would have run them.  Does nothing in a
 * probe the graph runs, which would otherwise wait for itself.
 *
 * Context: Process context; may sleep.
 * Return: true if there was something to wait for: the probes waited for
 * may have triggered deferred probing again.
 */
bool probe_graph_wait_idle(void)
{
	if (!probe_graph_active() || probe_graph_in_worker())
		return false;
	scoped_guard(mutex, &probe_graph_lock)
		probe_graph_release_parked();
	if (!atomic_read(&probe_graph_busy))
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
	probe_graph_gen++;
	probe_graph_paused = block;
	if (!block)
		probe_graph_evaluate_all();
}

static void probe_graph_report_waiting(void)
{
	struct probe_graph_blocker b;
	struct probe_graph_pending *p;
	char buf[160];

	lockdep_assert_held(&probe_graph_lock);

	list_for_each_entry(p, &probe_graph_waiting, wait_list) {
		b = (struct probe_graph_blocker) {
			.node = p->node, .buf = buf, .len = sizeof(buf),
		};
		if (!probe_graph_blocked_by(&b))
			strscpy(buf, "probing blocked");
		dev_warn(p->dev, "probe_graph: not probed: %s\n", buf);
	}
}

/**
 * probe_graph_drivers_done() - the deferred probe timeout expired
 * @timeout: true
 *
 * fw_devlink has relaxed the links to suppliers without a driver, which
 * woke their consumers: once they are probed, say why each device still
 * waiting does, and report the cycles among them.
 *
 * Context: Process context.
 */
void probe_graph_drivers_done(bool timeout)
{
	if (!probe_graph_active())
		return;

	/*
	 * Parents that still wait no longer hold their children back, and
	 * every waiting device is looked at again, whatever changed under
	 * it unreported.
	 */
	if (timeout) {
		guard(mutex)(&probe_graph_lock);
		probe_graph_parents_released = true;
		probe_graph_evaluate_all();
	}
	probe_graph_wait_idle();
	if (timeout) {
		guard(mutex)(&probe_graph_lock);
		probe_graph_find_cycles();
		probe_graph_report_waiting();
	}
}

/**
 * probe_graph_boot_end() - the late initcalls are over: drain the graph
 *
 * Called from deferred_probe_initcall(), the point where deferred probing
 * settles what the initcalls left behind, until it returns false.  Once
 * no graph probe is queued or running, devices the graph wakes are
 * parked until the late_initcall_sync callbacks have run, and every
 * driver registration waits for its probes.
 *
 * Context: Process context.
 * Return: true if probes ran, which may have triggered deferred probing.
 */
bool probe_graph_boot_end(void)
{
	if (!probe_graph_active())
		return false;

	if (probe_graph_wait_idle())
		return true;

	guard(mutex)(&probe_graph_lock);
	if (atomic_read(&probe_graph_busy))
		return true;
	if (probe_graph_phase == PROBE_GRAPH_PHASE_BOOT) {
		probe_graph_phase = PROBE_GRAPH_PHASE_LATE;
		probe_graph_init_task = current;
	}
	return false;
}

/*
 * End of boot, after the late_initcall_sync callbacks of the subsystems
 * linked before drivers/base (clk, pmdomain, regulator): probe what was
 * parked, and wait, so that userspace starts with every ready device
 * bound whether or not prepare_namespace() waits for probing.
 */
static int __init probe_graph_boot_done(void)
{
	struct probe_graph_node *node;
	unsigned int bound = 0, waiting = 0;

	if (!probe_graph_active())
		return 0;

	scoped_guard(mutex, &probe_graph_lock) {
		probe_graph_phase = PROBE_GRAPH_PHASE_RUNNING;
		probe_graph_evaluate_all();
	}
	probe_graph_wait_idle();

	guard(mutex)(&probe_graph_lock);
	probe_graph_find_cycles();
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
late_initcall_sync(probe_graph_boot_done);

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

/*
 * What debugfs shows.
 */

/**
 * probe_graph_get_stats() - copy the graph's counters
 * @stats: filled in
 *
 * Context: G held.
 */
void probe_graph_get_stats(struct probe_graph_stats *stats)
{
	lockdep_assert_held(&probe_graph_lock);

	*stats = probe_graph_stats;
}

/**
 * probe_graph_phase_name() - how far boot is
 *
 * Context: G held.
 * Return: the name of the phase.
 */
const char *probe_graph_phase_name(void)
{
	lockdep_assert_held(&probe_graph_lock);

	return probe_graph_phase_names[probe_graph_phase];
}

/**
 * probe_graph_get_max_active() - how many probes the graph runs at once
 *
 * Context: Any context.
 * Return: 1 in serial mode, probe_graph.max_active otherwise.
 */
unsigned int probe_graph_get_max_active(void)
{
	return probe_graph_get_mode() == PROBE_GRAPH_SERIAL ? 1 :
	       READ_ONCE(probe_graph_max_active);
}

/**
 * probe_graph_busy_count() - probes queued or running, and pending re-looks
 *
 * Context: Any context.
 * Return: the count.
 */
int probe_graph_busy_count(void)
{
	return atomic_read(&probe_graph_busy);
}

/**
 * probe_graph_is_paused() - whether device_block_probing() is in effect
 *
 * Context: G held.
 * Return: true if probing is paused.
 */
bool probe_graph_is_paused(void)
{
	lockdep_assert_held(&probe_graph_lock);

	return probe_graph_paused;
}

/**
 * probe_graph_ready_ns() - when a node's last probe attempt was queued
 * @node: the node
 *
 * Context: G held.
 * Return: the time, or 0 if its caller probed it.
 */
u64 probe_graph_ready_ns(struct probe_graph_node *node)
{
	struct probe_graph_pending *p = probe_graph_pending_of(node);

	lockdep_assert_held(&probe_graph_lock);

	if (node->state == PROBE_GRAPH_QUEUED && p)
		return p->ready_ns;
	if (!node->wait_us || !node->start_ns)
		return 0;
	return node->start_ns - (u64)node->wait_us * NSEC_PER_USEC;
}

#if IS_ENABLED(CONFIG_PROBE_GRAPH_KUNIT_TEST)
/**
 * probe_graph_node_info() - describe a device's node, for tests
 * @dev: the device
 * @info: filled in
 *
 * Context: Process context; takes probe_graph_lock.
 * Return: 0, or -ENOENT if the graph keeps nothing for @dev.
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
	info->pending = !!probe_graph_pending_of(b.node);
	info->best_effort = b.node->flags & PROBE_GRAPH_BEST_EFFORT;
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
	*cycles = probe_graph_cycle_count();
}
EXPORT_SYMBOL_IF_KUNIT(probe_graph_stats_get);

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
 * @info: filled in: the number of nodes and of scheduling states, how
 *	many invariants are broken and the first of them, and the memory
 *	each takes
 *
 * Every listed node is its device's node, alive, has scheduling state
 * exactly when it waits, is queued or probes, is on the waiting list
 * exactly when it waits, and is bound exactly when its device has a
 * driver; a child held back by its parent is the parent's device's child;
 * the driver core never deferred a device twice on a dependency the graph
 * saw bound; the busy count matches the devices queued or probing, and no
 * registration is still attaching.  The last two only hold while nothing
 * is being probed, registered or unregistered, which is when tests call
 * this.
 *
 * Context: Process context; takes probe_graph_lock.
 */
VISIBLE_IF_KUNIT void probe_graph_check(struct probe_graph_check_info *info)
{
	struct probe_graph_pending *p, *child;
	struct probe_graph_node *node;
	unsigned int busy = 0;

	memset(info, 0, sizeof(*info));
	info->node_bytes = kmalloc_size_roundup(sizeof(*node));
	info->pending_bytes = kmalloc_size_roundup(sizeof(*p));

	guard(mutex)(&probe_graph_lock);
	list_for_each_entry(node, &probe_graph_nodes, list) {
		bool has_driver = READ_ONCE(node->dev->driver);
		bool waits = node->state == PROBE_GRAPH_WAITING;
		bool bound = node->state == PROBE_GRAPH_BOUND;

		p = probe_graph_pending_of(node);
		info->nodes++;
		info->pending += !!p;
		if (probe_graph_node_of(node->dev) != node)
			probe_graph_check_fail(info, node, "not its device's node");
		if (node->state == PROBE_GRAPH_DEAD)
			probe_graph_check_fail(info, node, "dead but listed");
		if (!p != !probe_graph_state_pending(node->state))
			probe_graph_check_fail(info, node, "%s %s scheduling state",
					       probe_graph_state_names[node->state],
					       p ? "with" : "without");
		if (p && list_empty(&p->wait_list) == waits)
			probe_graph_check_fail(info, node,
					       "%s but %son the waiting list",
					       probe_graph_state_names[node->state],
					       list_empty(&p->wait_list) ?
					       "not " : "");
		if (bound != has_driver)
			probe_graph_check_fail(info, node, "%s but %s driver",
					       probe_graph_state_names[node->state],
					       has_driver ? "has a" : "has no");
		if (node->state == PROBE_GRAPH_QUEUED ||
		    node->state == PROBE_GRAPH_PROBING)
			busy++;
		if (!p)
			continue;
		if (p->node != node)
			probe_graph_check_fail(info, node, "scheduling state of another node");
		list_for_each_entry(child, &p->children, sibling)
			if (child->dev->parent != node->dev)
				probe_graph_check_fail(info, node,
						       "holds back %s, not its child",
						       dev_name(child->dev));
	}
	list_for_each_entry(p, &probe_graph_waiting, wait_list)
		if (!p->node || p->node->state != PROBE_GRAPH_WAITING)
			probe_graph_check_fail(info, p->node,
					       "%s on the waiting list",
					       p->node ? probe_graph_state_names[p->node->state] :
					       "released");
	if (info->pending != probe_graph_stats.pending)
		probe_graph_check_fail(info, NULL,
				       "%u scheduling states counted, %u found",
				       probe_graph_stats.pending, info->pending);
	if (atomic_read(&probe_graph_busy) != busy)
		probe_graph_check_fail(info, NULL,
				       "busy count %d, %u nodes queued or probing",
				       atomic_read(&probe_graph_busy), busy);
	if (probe_graph_stats.unforeseen)
		probe_graph_check_fail(info, NULL,
				       "%lu deferrals on dependencies the graph saw bound",
				       probe_graph_stats.unforeseen);
	if (!list_empty(&probe_graph_batches))
		probe_graph_check_fail(info, NULL,
				       "a driver registration is still attaching");
}
EXPORT_SYMBOL_IF_KUNIT(probe_graph_check);

static bool probe_graph_test_held;
static DECLARE_WAIT_QUEUE_HEAD(probe_graph_test_hold_wq);

/**
 * probe_graph_pause() - hold queued probes in the queued state, for tests
 * @pause: true to hold them, false to let them run
 *
 * Context: Process context.
 */
VISIBLE_IF_KUNIT void probe_graph_pause(bool pause)
{
	WRITE_ONCE(probe_graph_test_held, pause);
	if (!pause)
		wake_up_all(&probe_graph_test_hold_wq);
}
EXPORT_SYMBOL_IF_KUNIT(probe_graph_pause);

static void probe_graph_test_hold_point(void)
{
	wait_event(probe_graph_test_hold_wq, !READ_ONCE(probe_graph_test_held));
}

/**
 * probe_graph_set_max_active() - change how many probes run at once, for tests
 * @max_active: the new limit, clamped to what the workqueue allows
 *
 * Context: Process context.
 * Return: the limit before the change.
 */
VISIBLE_IF_KUNIT unsigned int probe_graph_set_max_active(unsigned int max_active)
{
	unsigned int old = probe_graph_max_active;

	if (!probe_graph_active() ||
	    probe_graph_get_mode() == PROBE_GRAPH_SERIAL)
		return old;
	max_active = clamp(max_active, 1U, WQ_UNBOUND_MAX_ACTIVE);
	workqueue_set_max_active(probe_graph_wq, max_active);
	WRITE_ONCE(probe_graph_max_active, max_active);
	return old;
}
EXPORT_SYMBOL_IF_KUNIT(probe_graph_set_max_active);
#else
static inline void probe_graph_test_hold_point(void) { }
#endif
