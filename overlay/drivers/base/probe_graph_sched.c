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
#include <linux/init.h>
#include <linux/kref.h>
#include <linux/list.h>
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

unsigned int probe_graph_max_active = WQ_DFL_ACTIVE;
module_param_named(max_active, probe_graph_max_active, uint, 0444);
MODULE_PARM_DESC(max_active, "Probes running at once (default 256, max 512)");

static LIST_HEAD(probe_graph_batches);		/* G */
bool probe_graph_blocked;			/* G */
bool probe_graph_boot_done;			/* G */
static char probe_graph_last_bound[64];	/* G */

atomic_t probe_graph_busy = ATOMIC_INIT(0);	/* A: queued+probing */
static DECLARE_WAIT_QUEUE_HEAD(probe_graph_idle_wq);

static struct workqueue_struct *probe_graph_wq;
static struct workqueue_struct *probe_graph_sync_wq;

static void probe_graph_pause_point(void);

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
 * A registration waits when synchronous probing made it wait before: not
 * for a driver that allows asynchronous probing, whose registration
 * never waited, nor in a probe the graph runs, nor in serial mode: there
 * its probes queue behind the one running, which may be loading this
 * very module with request_module().
 */
static bool probe_graph_driver_waits(const struct device_driver *drv)
{
	lockdep_assert_held(&probe_graph_lock);

	if (probe_graph_in_worker() ||
	    probe_graph_get_mode() == PROBE_GRAPH_SERIAL ||
	    driver_allows_async_probing(drv))
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
bool probe_graph_evaluate(struct probe_graph_node *node,
			  const struct device_driver *drv, bool caller_probes)
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

void probe_graph_probe_work(struct work_struct *work)
{
	struct probe_graph_node *node =
		container_of(work, struct probe_graph_node, work);
	struct probe_graph_blocker b = { .node = node };
	struct probe_graph_batch *batch;
	struct device *dev = node->dev;
	bool probe;

	probe_graph_pause_point();

	scoped_guard(mutex, &probe_graph_lock) {
		/* Taken now: the node may be queued again while this runs. */
		batch = node->batch;
		node->batch = NULL;
		/*
		 * Look again: a supplier may have started unbinding since the
		 * node was queued, and the driver core would then find it
		 * half gone.  Its next bind looks at the node again.
		 */
		probe = node->state == PROBE_GRAPH_QUEUED &&
			!probe_graph_blocked && !probe_graph_blocked_by(&b);
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
 * module being initialised or happens after boot, as synchronous probing
 * did, unless the driver allows asynchronous probing, the graph is in
 * serial mode or this is called from a probe the graph runs.  Built-in
 * drivers registered during boot do not wait, so that their probes
 * overlap with the rest of boot.
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

