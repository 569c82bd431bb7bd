/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Probe graph internals shared by probe_graph.c (the graph),
 * probe_graph_sched.c (the scheduler) and probe_graph_debugfs.c.
 * The lock tags (G, R, D, I, A) are explained in probe_graph.c.
 */
#ifndef _DRIVERS_BASE_PROBE_GRAPH_INTERNAL_H_
#define _DRIVERS_BASE_PROBE_GRAPH_INTERNAL_H_

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/probe_graph.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

struct device;
struct device_driver;
struct device_supplier_edge;
struct fwnode_handle;

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

struct probe_graph_batch;

/**
 * struct probe_graph_node - a device in the probe graph
 * @dev: the device (I).  Valid while the node is on @list: the node is
 *	unlinked by device_del().  A queued node also holds a reference.
 * @kref: held by the graph while the node is on @list, by a queued work
 *	item and while the node waits to be looked at again.
 * @rcu: the node is freed after a grace period.
 * @list: entry in probe_graph_nodes (G).
 * @wait_list: entry in probe_graph_waiting while WAITING (G).
 * @park: entry in probe_graph_parked while QUEUED between the drain at the
 *	end of the late initcalls and the end of boot (G).
 * @batch_entry: entry in the queue of @batch while its work item is
 *	pending, so that the registration can probe it itself (G).
 * @relook_node: entry in probe_graph_relook_list (A).
 * @relook: bit 0 set while on probe_graph_relook_list (A).
 * @children: nodes of the device's children (G).
 * @sibling: entry in the parent node's @children (G).
 * @work: the probe work item.
 * @state: see &enum probe_graph_state (G, R).
 * @sync: the matched driver forces synchronous probing (G).
 * @in_work: a graph work item is probing the device (G).
 * @task: the task probing the device while PROBING (G); compared, never
 *	dereferenced.
 * @probe_called: ->probe() ran in the current attempt (G).
 * @probe_calls: ->probe() calls (G).
 * @defers: -EPROBE_DEFER results (G).
 * @retries: deferred-list retries of this device (G).
 * @ret: result of the last probe attempt (G).
 * @gen: probe_graph_gen when the last probe attempt started (G).
 * @unforeseen_gen: @gen of the last attempt the driver core deferred on a
 *	dependency the graph saw bound (G).
 * @ready_ns: when the node was last queued (G).
 * @start_ns: when the last probe attempt started (G).
 * @end_ns: when the device bound, or the last probe attempt failed (G).
 * @blocker: the device that blocked the node last; compared, never
 *	dereferenced (G).
 * @batch: the driver registration that waits for the node if it becomes
 *	ready while the registration attaches (G).
 * @batch_held: the next run of @work is counted in @batch's pending
 *	count, and the node is on its queue unless the registration took
 *	it (G).
 * @links_missing: the driver core deferred the current probe attempt
 *	because a supplier link was not ready (G).
 * @reoffer: a driver registered while a graph run probed the node, which
 *	may have tried its drivers before: look again once it settles (G).
 * @driver: name of the bound driver, while bound (G).
 * @defer_reason: dev_err_probe() reason of the last deferral (D).
 * @scc_gen: generation of the last cycle search that saw the node (G).
 * @scc_index: Tarjan discovery index in that search (G).
 * @scc_low: Tarjan low-link in that search (G).
 * @scc_on_stack: on the Tarjan stack in that search (G).
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
	struct list_head park;
	struct list_head batch_entry;
	struct llist_node relook_node;
	unsigned long relook;
	struct list_head children;
	struct list_head sibling;
	struct work_struct work;
	enum probe_graph_state state;
	bool sync;
	bool in_work;
	const struct task_struct *task;
	bool probe_called;
	unsigned int probe_calls;
	unsigned int defers;
	unsigned int retries;
	int ret;
	unsigned long gen;
	unsigned long unforeseen_gen;
	u64 ready_ns;
	u64 start_ns;
	u64 end_ns;
	const struct device *blocker;
	struct probe_graph_batch *batch;
	bool batch_held;
	bool links_missing;
	bool reoffer;
	const char *driver;
	const char *defer_reason;
	unsigned long scc_gen;
	unsigned int scc_index;
	unsigned int scc_low;
	bool scc_on_stack;
	struct probe_graph_node *scc_next;
	unsigned int adj;
	unsigned int adj_len;
};

/**
 * struct probe_graph_cycle - a reported dependency cycle
 * @list: entry in probe_graph_cycles (G).
 * @members: the device names of the cycle, sorted, space separated.
 */
struct probe_graph_cycle {
	struct list_head list;
	char *members;
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
 * @unforeseen: devices the driver core deferred twice on a dependency
 *	the graph saw bound, with nothing changed in between: the graph and
 *	the driver core disagree, and the device is left to the deferred
 *	list.  Stays 0.
 * @failed: probes that failed.
 * @running: probe work items probing now.
 * @peak_parallel: the most probe work items probing at once.
 * @cycles: dependency cycles found.
 */
struct probe_graph_stats {
	unsigned long probe_calls;
	unsigned long dispatched;
	unsigned long defers_declared;
	unsigned long defers_driver;
	unsigned long fallback_retries;
	unsigned long unforeseen;
	unsigned long failed;
	unsigned int running;
	unsigned int peak_parallel;
	unsigned int cycles;
};

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

extern struct mutex probe_graph_lock;
extern spinlock_t probe_graph_reason_lock;
extern struct list_head probe_graph_nodes;
extern struct list_head probe_graph_waiting;
extern struct list_head probe_graph_cycles;
extern struct probe_graph_stats probe_graph_stats;
extern unsigned long probe_graph_list_gen;
extern unsigned int probe_graph_max_active;
extern const char * const probe_graph_state_names[];
extern const char * const probe_graph_mode_names[];

/* probe_graph.c: nodes, blockers and cycles */
struct probe_graph_node *probe_graph_node_of(const struct device *dev);
struct probe_graph_node *probe_graph_node_get_or_create(struct device *dev);
void probe_graph_node_put(struct probe_graph_node *node);
void probe_graph_set_state(struct probe_graph_node *node,
			   enum probe_graph_state state);
bool probe_graph_parent_blocks(struct probe_graph_node *node);
void probe_graph_release_parents(void);
bool probe_graph_blocked_by(struct probe_graph_blocker *b);
void probe_graph_find_cycles(void);
int probe_graph_cycle_edge(const struct device_supplier_edge *edge, void *data);
void probe_graph_report_fw_cycle(struct probe_graph_node *node);

/* probe_graph_sched.c: dispatch */
extern bool probe_graph_paused;
extern atomic_t probe_graph_busy;
const char *probe_graph_phase_name(void);
void probe_graph_probe_work(struct work_struct *work);
bool probe_graph_evaluate(struct probe_graph_node *node, bool caller_probes);
void probe_graph_node_drop_batch(struct probe_graph_node *node);

#endif /* _DRIVERS_BASE_PROBE_GRAPH_INTERNAL_H_ */
