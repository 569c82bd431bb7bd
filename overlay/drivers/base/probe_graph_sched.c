// SPDX-License-Identifier: GPL-2.0
/*
 * Probe graph scheduler: the driver core hooks that move devices through
 * the graph's states, and the work items that probe the ready ones.
 * See probe_graph.c for the theory of operation and the lock legend.
 */

#include <linux/atomic.h>
#include <linux/cleanup.h>
#include <linux/device.h>
#include <linux/device/bus.h>
#include <linux/fwnode.h>
#include <linux/init.h>
#include <linux/kref.h>
#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/probe_graph.h>
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

/**
 * struct probe_graph_batch - a driver registration that waits for its probes
 * @drv: the driver being attached (I).
 * @task: the task attaching it (I).
 * @kref: held by the registration and by each node it waits for.
 * @list: entry in probe_graph_batches while attaching (G).
 * @queued: nodes of this batch whose work item is pending (G).
 * @attaching: the registration is still attaching (G).
 * @pending: queued or probing nodes of this batch (A).
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

unsigned int probe_graph_max_active = WQ_DFL_ACTIVE;
module_param_named(max_active, probe_graph_max_active, uint, 0444);
MODULE_PARM_DESC(max_active, "Probes running at once (default 256, max 512)");

static LIST_HEAD(probe_graph_batches);		/* G */
static LIST_HEAD(probe_graph_parked);		/* G */
static enum probe_graph_phase probe_graph_phase;	/* G */
/* The initcall thread, which drained the graph; compared only. */
static const struct task_struct *probe_graph_init_task;	/* G */
bool probe_graph_paused;			/* G: device_block_probing() */

atomic_t probe_graph_busy = ATOMIC_INIT(0);	/* A: queued+probing+relook */
/* Bumped whenever what blocks a device may have changed; never 0. */
static unsigned long probe_graph_gen = 1;	/* G */
static DECLARE_WAIT_QUEUE_HEAD(probe_graph_idle_wq);

/* Nodes whose supplier links changed, looked at again by a work item. */
static LLIST_HEAD(probe_graph_relook_list);	/* A */
static unsigned long probe_graph_relook_flags;	/* A */
#define PROBE_GRAPH_RELOOK_QUEUED	0
#define PROBE_GRAPH_RELOOK_ALL		1
static void probe_graph_relook_work(struct work_struct *work);
static DECLARE_WORK(probe_graph_relook, probe_graph_relook_work);

static struct workqueue_struct *probe_graph_wq;
static struct workqueue_struct *probe_graph_sync_wq;

static void probe_graph_test_hold_point(void);

/* The graph schedules probes: not off, and the workqueues exist. */
static bool probe_graph_active(void)
{
	return probe_graph_get_mode() != PROBE_GRAPH_OFF &&
	       READ_ONCE(probe_graph_wq);
}

/**
 * probe_graph_phase_name() - how far boot is, for debugfs
 *
 * Context: G held.
 * Return: the name of the phase.
 */
const char *probe_graph_phase_name(void)
{
	lockdep_assert_held(&probe_graph_lock);

	return probe_graph_phase_names[probe_graph_phase];
}

static bool probe_graph_in_worker(void)
{
	struct work_struct *work = current_work();

	return work && work->func == probe_graph_probe_work;
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

static void probe_graph_batch_put(struct probe_graph_batch *batch)
{
	kref_put(&batch->kref, probe_graph_batch_release);
}

/**
 * probe_graph_node_drop_batch() - forget the registration a node was left to
 * @node: the node, dead or about to be freed
 *
 * A run of the node's work item still counted in the registration drops
 * it itself.
 *
 * Context: G held, or the last reference to @node is being dropped.
 */
void probe_graph_node_drop_batch(struct probe_graph_node *node)
{
	if (!node->batch || node->batch_held)
		return;
	probe_graph_batch_put(node->batch);
	node->batch = NULL;
}

static void probe_graph_queue_work(struct probe_graph_node *node)
{
	struct probe_graph_batch *batch = node->batch;
	struct workqueue_struct *wq;

	lockdep_assert_held(&probe_graph_lock);

	if (batch && !node->batch_held) {
		/* The registration may probe it itself: see _attach_end(). */
		list_add_tail(&node->batch_entry, &batch->queued);
		atomic_inc(&batch->pending);
		node->batch_held = true;
		wake_up_all(&probe_graph_idle_wq);
	}
	probe_graph_stats.dispatched++;
	atomic_inc(&probe_graph_busy);
	kref_get(&node->kref);
	get_device(node->dev);
	wq = node->sync ? probe_graph_sync_wq : probe_graph_wq;
	queue_work(wq, &node->work);
}

static void probe_graph_queue(struct probe_graph_node *node)
{
	struct probe_graph_batch *batch = node->batch;

	lockdep_assert_held(&probe_graph_lock);

	probe_graph_set_state(node, PROBE_GRAPH_QUEUED);
	node->ready_ns = ktime_get_ns();
	node->blocker = NULL;
	/* A registration waits only for what becomes ready while it attaches. */
	if (batch && !batch->attaching && !node->batch_held) {
		node->batch = NULL;
		probe_graph_batch_put(batch);
	}
	/* Still pending from an earlier time: that run will probe it. */
	if (work_pending(&node->work) || !list_empty(&node->park))
		return;
	/*
	 * Woken between the drain at the end of the late initcalls and the
	 * end of boot: no probe runs under the late_initcall_sync callbacks,
	 * which turn off the clocks and power domains nobody claimed.
	 */
	if (!node->batch && probe_graph_phase == PROBE_GRAPH_PHASE_LATE) {
		list_add_tail(&node->park, &probe_graph_parked);
		return;
	}
	probe_graph_queue_work(node);
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

/**
 * probe_graph_evaluate() - queue a waiting node if nothing blocks it
 * @node: the node
 * @caller_probes: the caller probes @node in its own context if ready
 *
 * Context: G held.
 * Return: true if @node is ready: queued here or, if @caller_probes, left
 * to the caller in state IDLE.
 */
bool probe_graph_evaluate(struct probe_graph_node *node, bool caller_probes)
{
	struct probe_graph_blocker b = { .node = node };

	lockdep_assert_held(&probe_graph_lock);

	if (node->state != PROBE_GRAPH_WAITING)
		return false;
	if (probe_graph_paused || probe_graph_blocked_by(&b)) {
		node->blocker = b.dev;
		return false;
	}
	if (device_links_walk_suppliers(node->dev, probe_graph_cycle_edge, NULL))
		probe_graph_report_fw_cycle(node);
	if (caller_probes) {
		probe_graph_set_state(node, PROBE_GRAPH_IDLE);
		return true;
	}
	probe_graph_queue(node);
	return true;
}

static int probe_graph_evaluate_dev(struct device *dev, void *data)
{
	struct probe_graph_node *node = probe_graph_node_of(dev);

	if (node)
		probe_graph_evaluate(node, false);
	return 0;
}

/* Look again at the children and consumers of @dev, and nothing else. */
static void probe_graph_evaluate_dependents(struct device *dev)
{
	struct probe_graph_node *node = probe_graph_node_of(dev), *child;

	lockdep_assert_held(&probe_graph_lock);

	if (node)
		list_for_each_entry(child, &node->children, sibling)
			probe_graph_evaluate(child, false);
	device_links_walk_consumers(dev, probe_graph_evaluate_dev, NULL);
}

static void probe_graph_evaluate_all(void)
{
	struct probe_graph_node *node, *tmp;

	lockdep_assert_held(&probe_graph_lock);

	list_for_each_entry_safe(node, tmp, &probe_graph_waiting, wait_list)
		probe_graph_evaluate(node, false);
}

/*
 * Whether the driver core deferred @node on a dependency that the graph
 * sees bound, for the second attempt in a row with nothing changed in
 * between.  Once may be a supplier binding under the attempt: the graph
 * hears of it a moment later, and the next attempt finds it bound.
 */
static bool probe_graph_unforeseen(struct probe_graph_node *node)
{
	struct probe_graph_blocker b = { .node = node };
	bool again;

	lockdep_assert_held(&probe_graph_lock);

	if (probe_graph_paused || probe_graph_blocked_by(&b))
		return false;
	again = node->unforeseen_gen == node->gen;
	node->unforeseen_gen = node->gen;
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
	lockdep_assert_held(&probe_graph_lock);

	if (node->state != PROBE_GRAPH_PROBING)
		return;
	node->task = NULL;
	if (ret == -EPROBE_DEFER && node->links_missing) {
		probe_graph_set_state(node, PROBE_GRAPH_WAITING);
		if (probe_graph_unforeseen(node)) {
			/* Queuing it again would only defer again, forever. */
			probe_graph_stats.unforeseen++;
			dev_warn(node->dev, "probe_graph: deferred again on a dependency the graph sees bound, left to deferred probing\n");
			probe_graph_set_state(node, PROBE_GRAPH_DEFERRED);
		} else {
			probe_graph_evaluate(node, false);
		}
	} else if (ret == -EPROBE_DEFER) {
		probe_graph_set_state(node, PROBE_GRAPH_DEFERRED);
	} else if (ret && ret != -ENODEV && ret != -ENXIO) {
		probe_graph_stats.failed++;
		probe_graph_set_state(node, PROBE_GRAPH_FAILED);
	} else {
		probe_graph_set_state(node, PROBE_GRAPH_IDLE);
	}
	/* No longer a parent expected to bind: its children may go. */
	probe_graph_evaluate_dependents(node->dev);
}

/* A driver that came while @node was probed finds it unbound: offer it. */
static void probe_graph_reoffer(struct probe_graph_node *node)
{
	lockdep_assert_held(&probe_graph_lock);

	switch (node->state) {
	case PROBE_GRAPH_IDLE:
	case PROBE_GRAPH_FAILED:
		probe_graph_set_state(node, PROBE_GRAPH_WAITING);
		probe_graph_evaluate(node, false);
		break;
	default:
		break;
	}
}

void probe_graph_probe_work(struct work_struct *work)
{
	struct probe_graph_node *node =
		container_of(work, struct probe_graph_node, work);
	struct probe_graph_blocker b = { .node = node };
	struct probe_graph_batch *batch;
	struct device *dev = node->dev;
	bool probe;

	probe_graph_test_hold_point();

	scoped_guard(mutex, &probe_graph_lock) {
		/*
		 * Taken now if this run is the one counted in the batch: the
		 * node may be queued again while this runs.
		 */
		batch = NULL;
		if (node->batch_held) {
			batch = node->batch;
			node->batch = NULL;
			node->batch_held = false;
			list_del_init(&node->batch_entry);
		}
		/*
		 * Look again: a supplier may have started unbinding since the
		 * node was queued, and the driver core would then find it
		 * half gone.  Its next bind looks at the node again.
		 */
		probe = node->state == PROBE_GRAPH_QUEUED &&
			!probe_graph_paused && !probe_graph_blocked_by(&b);
		if (probe) {
			probe_graph_set_state(node, PROBE_GRAPH_PROBING);
			node->in_work = true;
			node->task = current;
			node->ret = 0;
			if (++probe_graph_stats.running >
			    probe_graph_stats.peak_parallel)
				probe_graph_stats.peak_parallel =
					probe_graph_stats.running;
		} else if (node->state == PROBE_GRAPH_QUEUED) {
			/* Probing is paused or blocked; that ending looks again. */
			probe_graph_set_state(node, PROBE_GRAPH_WAITING);
			node->blocker = b.dev;
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
			 * then the device's children keep waiting.  Unless a
			 * deferral settled it already and another run, queued
			 * since, owns the node now: the registration runs this
			 * function inline, outside the workqueue's guarantee
			 * that one work item never runs twice at once.
			 */
			if (!node->task || node->task == current) {
				node->in_work = false;
				probe_graph_settle(node, node->ret);
			}
			if (node->reoffer) {
				node->reoffer = false;
				probe_graph_reoffer(node);
			}
		}
	}

	if (batch) {
		atomic_dec(&batch->pending);
		probe_graph_batch_put(batch);
	}
	put_device(dev);
	probe_graph_node_put(node);
	if (atomic_dec_and_test(&probe_graph_busy) || batch)
		wake_up_all(&probe_graph_idle_wq);
}

/* Look again at the nodes whose supplier links changed. */
static void probe_graph_relook_work(struct work_struct *work)
{
	struct probe_graph_node *node, *tmp;
	struct llist_node *list;
	bool all;

	clear_bit(PROBE_GRAPH_RELOOK_QUEUED, &probe_graph_relook_flags);
	all = test_and_clear_bit(PROBE_GRAPH_RELOOK_ALL,
				 &probe_graph_relook_flags);
	list = llist_del_all(&probe_graph_relook_list);

	scoped_guard(mutex, &probe_graph_lock) {
		probe_graph_gen++;
		llist_for_each_entry_safe(node, tmp, list, relook_node) {
			clear_bit(0, &node->relook);
			probe_graph_evaluate(node, false);
			probe_graph_node_put(node);
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

	if (!probe_graph_active())
		return;

	if (!consumer) {
		set_bit(PROBE_GRAPH_RELOOK_ALL, &probe_graph_relook_flags);
	} else {
		guard(rcu)();
		node = consumer->p ? rcu_dereference(consumer->p->probe_graph) :
				     NULL;
		/*
		 * Whatever its state: one about to go back to waiting looked
		 * at its links under G before this, or will after.
		 */
		if (!node || test_and_set_bit(0, &node->relook))
			return;
		if (!kref_get_unless_zero(&node->kref)) {
			clear_bit(0, &node->relook);
			return;
		}
		llist_add(&node->relook_node, &probe_graph_relook_list);
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
 * Take a node that a driver matched into WAITING and look at it.
 * Return: whether the graph handles it (false: the caller probes).
 */
static bool probe_graph_offer(struct device *dev,
			      const struct device_driver *drv, bool sync)
{
	struct probe_graph_batch *batch;
	struct probe_graph_node *node;
	bool created, caller;

	guard(mutex)(&probe_graph_lock);

	created = !probe_graph_node_of(dev);
	node = probe_graph_node_get_or_create(dev);
	if (!node)
		return false;

	switch (node->state) {
	case PROBE_GRAPH_QUEUED:
		/* Already ready: a registration that waits, waits for it too. */
		batch = drv ? probe_graph_batch_find(drv) : NULL;
		if (batch && node->batch != batch && !node->batch_held) {
			probe_graph_node_drop_batch(node);
			kref_get(&batch->kref);
			node->batch = batch;
			if (!list_empty(&node->park)) {
				list_del_init(&node->park);
				probe_graph_queue_work(node);
			} else if (work_pending(&node->work)) {
				list_add_tail(&node->batch_entry, &batch->queued);
				atomic_inc(&batch->pending);
				node->batch_held = true;
			}
		}
		return true;
	case PROBE_GRAPH_PROBING:
		/*
		 * A graph run may have tried its drivers before @drv was
		 * there: once it settles, it looks at the node again.
		 */
		if (drv && node->in_work)
			node->reoffer = true;
		return true;
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
		fallthrough;
	default:
		node->sync = sync;
		probe_graph_set_state(node, PROBE_GRAPH_WAITING);
		break;
	}

	/* A new supplier device may have unblocked consumers (cycles). */
	if (created)
		device_links_walk_consumers(dev, probe_graph_evaluate_dev, NULL);

	caller = probe_graph_caller_probes(drv);
	if (probe_graph_evaluate(node, caller))
		return node->state != PROBE_GRAPH_IDLE;

	/* Blocked: the registration, if it waits, waits for it once it is ready. */
	batch = drv ? probe_graph_batch_find(drv) : NULL;
	if (batch && node->batch != batch && !node->batch_held) {
		probe_graph_node_drop_batch(node);
		kref_get(&batch->kref);
		node->batch = batch;
	}
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

	if (!probe_graph_active())
		return;

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

/* Take a node of @batch whose work item has not started, if there is one. */
static struct probe_graph_node *probe_graph_batch_steal(struct probe_graph_batch *batch)
{
	struct probe_graph_node *node;

	guard(mutex)(&probe_graph_lock);
	node = list_first_entry_or_null(&batch->queued, struct probe_graph_node,
					batch_entry);
	if (node) {
		/* Still counted: the run that starts takes it off the count. */
		list_del_init(&node->batch_entry);
		kref_get(&node->kref);
	}
	return node;
}

/* Whether @batch is done, and if so, stop it from taking new nodes. */
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
	struct probe_graph_node *node;
	struct probe_graph_batch *batch;

	if (!probe_graph_active())
		return;

	scoped_guard(mutex, &probe_graph_lock)
		batch = probe_graph_batch_find(drv);
	if (!batch)
		return;

	while (!probe_graph_batch_done(batch)) {
		node = probe_graph_batch_steal(batch);
		if (node) {
			if (cancel_work(&node->work))
				probe_graph_probe_work(&node->work);
			probe_graph_node_put(node);
			continue;
		}
		wait_event(probe_graph_idle_wq,
			   !atomic_read(&batch->pending) ||
			   !list_empty_careful(&batch->queued));
	}
	probe_graph_batch_put(batch);
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
	node->links_missing = false;
	node->start_ns = ktime_get_ns();
	node->gen = probe_graph_gen;
	if (node->in_work)
		return;

	/* Probed by its caller: its children added meanwhile are nested. */
	switch (node->state) {
	case PROBE_GRAPH_IDLE:
	case PROBE_GRAPH_WAITING:
	case PROBE_GRAPH_QUEUED:
	case PROBE_GRAPH_DEFERRED:
	case PROBE_GRAPH_FAILED:
		probe_graph_set_state(node, PROBE_GRAPH_PROBING);
		node->task = current;
		node->ret = 0;
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

	guard(mutex)(&probe_graph_lock);
	probe_graph_stats.probe_calls++;
	node = probe_graph_node_of(dev);
	if (!node)
		return;
	node->probe_called = true;
	node->probe_calls++;
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

	guard(mutex)(&probe_graph_lock);
	node = probe_graph_node_of(dev);
	if (node)
		node->links_missing = true;
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

	if (!probe_graph_active())
		return;

	guard(mutex)(&probe_graph_lock);
	node = probe_graph_node_of(dev);
	if (!node)
		return;

	/* Failures of ->probe() come back inverted. */
	if (ret > 0)
		ret = -ret;
	/* Dead, unregistered or bound by someone else: nothing was tried. */
	if (!((ret == -ENODEV && !node->probe_called) || ret == -EBUSY)) {
		if (ret)
			node->end_ns = ktime_get_ns();
		node->ret = ret;
		if (ret == -EPROBE_DEFER) {
			node->defers++;
			if (node->links_missing)
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
	if (!node->in_work || ret == -EPROBE_DEFER)
		probe_graph_settle(node, ret);
}

/*
 * Store @reason as @dev's deferral reason; return what the caller frees:
 * the reason it replaces, or @reason itself when there is no live node.
 */
static const char *probe_graph_swap_reason(const struct device *dev,
					   const char *reason)
{
	struct probe_graph_node *node;
	const char *old;

	guard(rcu)();
	node = rcu_dereference(dev->p->probe_graph);
	/* A dead node is released, or about to be: keep nothing. */
	if (!node || READ_ONCE(node->state) == PROBE_GRAPH_DEAD)
		return reason;
	scoped_guard(spinlock, &probe_graph_reason_lock) {
		old = node->defer_reason;
		node->defer_reason = reason;
	}
	return old;
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
	char *reason;

	if (!probe_graph_active() || !dev->p)
		return;

	reason = kasprintf(GFP_KERNEL, "%s: %pV", dev_driver_string(dev), vaf);
	if (reason)
		kfree(probe_graph_swap_reason(dev, reason));
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
	node = probe_graph_node_of(dev);
	if (node) {
		/* The moment consumers may start, not when the probe unwinds. */
		node->end_ns = ktime_get_ns();
		probe_graph_set_state(node, PROBE_GRAPH_BOUND);
		node->task = NULL;
		kfree(node->driver);
		node->driver = kstrdup(dev->driver->name, GFP_KERNEL);
	}
	probe_graph_gen++;
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
	probe_graph_gen++;
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
	probe_graph_evaluate(node, false);
	/* Children held back while it was unbinding may go now. */
	probe_graph_evaluate_dependents(dev);
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
	probe_graph_gen++;
	node = probe_graph_node_of(dev);
	if (!node)
		return;
	probe_graph_set_state(node, PROBE_GRAPH_DEAD);
	probe_graph_node_drop_batch(node);
	list_del(&node->list);
	probe_graph_list_gen++;
	list_del_init(&node->sibling);
	list_for_each_entry_safe(waiter, tmp, &node->children, sibling)
		list_del_init(&waiter->sibling);
	RCU_INIT_POINTER(dev->p->probe_graph, NULL);

	list_for_each_entry_safe(waiter, tmp, &probe_graph_waiting, wait_list)
		if (waiter->blocker == dev)
			probe_graph_evaluate(waiter, false);
	probe_graph_node_put(node);
}

/* Queue the devices parked since the drain; they are probed from now on. */
static void probe_graph_release_parked(void)
{
	struct probe_graph_node *node, *tmp;

	lockdep_assert_held(&probe_graph_lock);

	list_for_each_entry_safe(node, tmp, &probe_graph_parked, park) {
		list_del_init(&node->park);
		probe_graph_queue_work(node);
	}
}

/**
 * probe_graph_wait_idle() - wait until no probe is queued or running
 *
 * Waiting devices are not waited for.  Devices parked since the drain at
 * the end of the late initcalls are probed and waited for: whoever calls
 * wait_for_device_probe() then asks for them, as deferred probing would
 * have run them.  Does nothing in a probe the graph runs, which would
 * otherwise wait for itself.
 *
 * Context: Process context; may sleep.
 * Return: true if there was something to wait for: the probes waited for
 * may have triggered deferred probing again.
 */
bool probe_graph_wait_idle(void)
{
	if (!probe_graph_active() || probe_graph_in_worker())
		return false;
	/*
	 * Only the initcall thread, whose next step may be the
	 * late_initcall_sync callbacks, releases parked devices before
	 * then: a work item waiting in parallel (the deferred probe
	 * timeout) would let them run under those callbacks.
	 */
	scoped_guard(mutex, &probe_graph_lock)
		if (probe_graph_phase != PROBE_GRAPH_PHASE_LATE ||
		    current == probe_graph_init_task)
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
		probe_graph_release_parents();
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

#if IS_ENABLED(CONFIG_PROBE_GRAPH_KUNIT_TEST)
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
 * its children's devices are its device's children; the driver core
 * never deferred a device twice on a dependency the graph saw bound; the
 * busy count matches the nodes queued or probing, and no registration is
 * still attaching.
 * The last two only hold while nothing is being probed,
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
	probe_graph_max_active = max_active;
	return old;
}
EXPORT_SYMBOL_IF_KUNIT(probe_graph_set_max_active);
#else
static inline void probe_graph_test_hold_point(void) { }
#endif

