/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Probe graph internals shared by probe_graph.c (the state machine, the
 * hooks and the dispatch), probe_graph_cycles.c, probe_graph_debugfs.c and
 * the KUnit suite.
 * The lock tags (G, R, I, A) are explained in probe_graph.c.
 */
#ifndef _DRIVERS_BASE_PROBE_GRAPH_INTERNAL_H_
#define _DRIVERS_BASE_PROBE_GRAPH_INTERNAL_H_

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

struct device;
struct fwnode_handle;
struct probe_graph_pending;
struct seq_file;

/**
 * enum probe_graph_mode - how devices are probed
 * @PROBE_GRAPH_OFF: the probe graph is inert; stock deferred probing.
 * @PROBE_GRAPH_SERIAL: dependency order, one probe at a time.
 * @PROBE_GRAPH_ON: dependency order, ready devices probe in parallel.
 */
enum probe_graph_mode {
	PROBE_GRAPH_OFF,
	PROBE_GRAPH_SERIAL,
	PROBE_GRAPH_ON,
};

/**
 * enum probe_graph_state - where a device is in its probe life
 * @PROBE_GRAPH_IDLE: not probed yet, turned down by its drivers, or its
 *	driver was released.
 * @PROBE_GRAPH_WAITING: a driver matches; a parent or supplier blocks.
 * @PROBE_GRAPH_QUEUED: ready; a probe work item is pending.
 * @PROBE_GRAPH_PROBING: a probe attempt is running.
 * @PROBE_GRAPH_DEFERRED: the driver returned -EPROBE_DEFER by itself; the
 *	device is on the deferred list, which retries it as without the graph.
 * @PROBE_GRAPH_FAILED: the last probe failed.
 * @PROBE_GRAPH_BOUND: a driver is bound.
 * @PROBE_GRAPH_UNBINDING: the driver is being released.
 * @PROBE_GRAPH_DEAD: device_del() has run.
 *
 * Only WAITING, QUEUED and PROBING have scheduling state, a
 * &struct probe_graph_pending.
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

/* &probe_graph_node.flags */
#define PROBE_GRAPH_PROBE_CALLED	BIT(0)	/* ->probe() ran in this attempt */
#define PROBE_GRAPH_LINKS_MISSING	BIT(1)	/* a supplier link deferred it */
#define PROBE_GRAPH_SYNC		BIT(2)	/* its driver forces sync probing */
#define PROBE_GRAPH_PARENT_UNHELD	BIT(3)	/* its parent did not hold it back */
#define PROBE_GRAPH_BEST_EFFORT		BIT(4)	/* ready without a fwnode supplier */

/**
 * struct probe_graph_node - what the graph keeps of a device a driver matched
 * @list: entry in probe_graph_nodes (G).
 * @dev: the device (I).  Valid while the node is listed: device_del()
 *	unlinks and frees it.
 * @pending: the scheduling state while WAITING, QUEUED or PROBING (G, R).
 * @start_ns: when the last probe attempt started (G).
 * @end_ns: when the device bound (just before its consumer links became
 *	available), or the last attempt failed; 0 if neither happened
 *	yet (G).
 * @wait_us: how long the last attempt was queued before it started; 0 if
 *	its caller probed it (G).
 * @ret: result of the last probe attempt (G).
 * @probe_calls: ->probe() calls, saturating (G).
 * @defers: -EPROBE_DEFER results, saturating (G).
 * @retries: deferred-list retries, saturating (G).
 * @state: &enum probe_graph_state (G, R).
 * @flags: PROBE_GRAPH_PROBE_CALLED, PROBE_GRAPH_LINKS_MISSING,
 *	PROBE_GRAPH_SYNC, PROBE_GRAPH_PARENT_UNHELD, PROBE_GRAPH_BEST_EFFORT
 *	(G).
 *
 * 64 bytes, kept from the first match until device_del(); freed after a
 * grace period.  Everything a device needs only while it waits for its
 * dependencies or is probed is in its &struct probe_graph_pending.
 */
struct probe_graph_node {
	struct list_head list;
	struct device *dev;
	struct probe_graph_pending __rcu *pending;
	u64 start_ns;
	u64 end_ns;
	u32 wait_us;
	int ret;
	u16 probe_calls;
	u16 defers;
	u16 retries;
	u8 state;
	u8 flags;
};

/**
 * struct probe_graph_blocker - the first dependency that is not bound
 * @node: the node being looked at.
 * @dev: the blocking device, or NULL.
 * @fwnode: the blocking firmware node when it has no device yet.
 * @parent: @dev is the parent.
 * @best_effort: a supplier with no device yet does not block, because
 *	fw_devlink lets the device probe best effort (the console's, or
 *	every device's while wait_for_init_devices_probe() runs).
 * @buf: if not NULL, receives a description.
 * @len: size of @buf.
 */
struct probe_graph_blocker {
	struct probe_graph_node *node;
	struct device *dev;
	struct fwnode_handle *fwnode;
	bool parent;
	bool best_effort;
	char *buf;
	size_t len;
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
 * @pending: devices with scheduling state now.
 * @peak_pending: the most devices with scheduling state at once.
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
	unsigned int pending;
	unsigned int peak_pending;
};

extern struct mutex probe_graph_lock;
extern struct list_head probe_graph_nodes;
extern unsigned long probe_graph_list_gen;
extern const char * const probe_graph_state_names[];
extern const char * const probe_graph_mode_names[];

/* probe_graph.c */
enum probe_graph_mode probe_graph_get_mode(void);
struct probe_graph_node *probe_graph_node_of(const struct device *dev);
bool probe_graph_parent_blocks(struct device *dev);
bool probe_graph_blocked_by(struct probe_graph_blocker *b);
void probe_graph_get_stats(struct probe_graph_stats *stats);
const char *probe_graph_phase_name(void);
unsigned int probe_graph_get_max_active(void);
int probe_graph_busy_count(void);
bool probe_graph_is_paused(void);
u64 probe_graph_ready_ns(struct probe_graph_node *node);

/* probe_graph_cycles.c */
void probe_graph_find_cycles(void);
void probe_graph_report_fw_cycle(struct probe_graph_node *node);
void probe_graph_forget_fw_edges(struct probe_graph_node *node);
bool probe_graph_has_cycle_edge(struct probe_graph_node *node);
unsigned int probe_graph_cycle_count(void);
void probe_graph_show_cycles(struct seq_file *s);

#endif /* _DRIVERS_BASE_PROBE_GRAPH_INTERNAL_H_ */
