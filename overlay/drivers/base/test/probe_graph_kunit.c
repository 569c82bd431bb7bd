// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the probe graph.
 *
 * Topologies are built on a bus of their own: device links for supplier
 * edges, device parents for parent edges.  Firmware (fwnode) edges and
 * cycles come from device tree overlays.  Every probe records when it
 * started and ended, so ordering is checked from timestamps, and
 * overlap from the number of probes in flight at once.
 */

#include <kunit/device.h>
#include <kunit/of.h>
#include <kunit/platform_device.h>
#include <kunit/test.h>
#include <linux/async.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/kthread.h>
#include <linux/of.h>
#include <linux/of_platform.h>
#include <linux/platform_device.h>
#include <linux/prandom.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>

#include "../base.h"
#include "../probe_graph_internal.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define PG_MAX_SUPPLIERS	32
#define PG_PEER_TIMEOUT		(5 * HZ)
#define PG_WAIT_TIMEOUT		(30 * HZ)

/* What happened to device i of a topology; outlives the device. */
struct pg_record {
	atomic_t calls;
	atomic_t removes;
	u64 start_ns;
	u64 end_ns;
	int ret;
	struct task_struct *task;
	bool parent_locked;
	int nested_ret;
	bool nested_bound;
	u64 nested_end_ns;
};

struct pg_ctx;

struct pg_dev {
	struct device dev;
	struct pg_ctx *ctx;
	unsigned int idx;
};

/**
 * struct pg_ctx - one test's devices, driver and records
 * @test: the test
 * @n: number of devices
 * @devs: the devices
 * @rec: what happened to each
 * @parent: parent index of each device, or -1
 * @nsup: number of device-link suppliers of each device
 * @sup: the suppliers of each device
 * @no_driver: the driver does not match the device
 * @decline: a second driver, tried first, turns the device down
 * @wait_peer: the probe waits until two probes were in flight at once
 * @defer_until: the probe returns -EPROBE_DEFER until that device (index
 *	plus one) is bound: a dependency nobody declared
 * @defer_before_probe: @defer_until defers before the driver's probe, in
 *	the bus's dma_configure(), as pin control or an IOMMU would
 * @gate: the probe of @gate_idx waits for this
 * @gate_idx: index of the gated device, or -1
 * @slow_idx: index of a device whose probe takes 20 ms, or -1
 * @parent_lock: devices with a parent need the parent's lock to probe
 * @links_reversed: pg_add_links() links the last device first
 * @link_flags: flags of the links pg_add_links() makes
 * @nest: the probe of device i adds device @nest[i] - 1 as its child and
 *	looks at it before returning, as v4l2_i2c_new_subdev_board() does
 * @gate_timeouts: gated probes whose gate did not open in time
 * @tag: put in the names of the devices, to tell two contexts apart
 * @started: completed when the gated device starts probing
 * @deferred: completed when a probe returns -EPROBE_DEFER
 * @drv: the driver
 * @decline_drv: the driver that turns devices down
 * @in_flight: probes running now
 * @max_in_flight: the most probes that ran at once
 * @violations: probes that started before a supplier or parent was bound
 * @peer_wq: where waiting peers sleep
 * @remove_children: a device's remove unbinds its children first, as a
 *	bus driver tearing its bus down does
 */
struct pg_ctx {
	struct kunit *test;
	unsigned int n;
	struct pg_dev **devs;
	struct pg_record *rec;
	int *parent;
	unsigned int *nsup;
	unsigned int (*sup)[PG_MAX_SUPPLIERS];
	bool *no_driver;
	bool *decline;
	bool *wait_peer;
	unsigned int *defer_until;
	bool defer_before_probe;
	struct completion gate;
	int gate_idx;
	int slow_idx;
	bool parent_lock;
	bool remove_children;
	bool links_reversed;
	u32 link_flags;
	unsigned int *nest;
	atomic_t gate_timeouts;
	const char *tag;
	struct completion started;
	struct completion deferred;
	struct device_driver drv;
	struct device_driver decline_drv;
	atomic_t in_flight;
	atomic_t max_in_flight;
	atomic_t violations;
	wait_queue_head_t peer_wq;
};

static struct pg_dev *to_pg_dev(struct device *dev)
{
	return container_of(dev, struct pg_dev, dev);
}

static int pg_bus_match(struct device *dev, const struct device_driver *drv)
{
	struct pg_dev *pd = to_pg_dev(dev);

	if (drv == &pd->ctx->decline_drv)
		return pd->ctx->decline[pd->idx];
	return &pd->ctx->drv == drv && !pd->ctx->no_driver[pd->idx];
}

/* Whether device @i must wait for the device it silently depends on. */
static bool pg_must_defer(struct pg_ctx *ctx, unsigned int i)
{
	unsigned int until = ctx->defer_until[i];

	return until && (!ctx->devs[until - 1] ||
			 !device_is_bound(&ctx->devs[until - 1]->dev));
}

static int pg_dma_configure(struct device *dev)
{
	struct pg_dev *pd = to_pg_dev(dev);
	struct pg_ctx *ctx = pd->ctx;

	if (!ctx->defer_before_probe || !pg_must_defer(ctx, pd->idx))
		return 0;
	complete(&ctx->deferred);
	return -EPROBE_DEFER;
}

static const struct bus_type pg_bus = {
	.name = "probe_graph_kunit",
	.match = pg_bus_match,
	.dma_configure = pg_dma_configure,
};

static int pg_add_nested(struct pg_ctx *ctx, unsigned int i);

static bool pg_bound_before(struct pg_ctx *ctx, unsigned int sup, u64 now)
{
	u64 end = READ_ONCE(ctx->rec[sup].end_ns);

	return end && end <= now && !READ_ONCE(ctx->rec[sup].ret) &&
	       device_is_bound(&ctx->devs[sup]->dev);
}

static int pg_probe(struct device *dev)
{
	struct pg_dev *pd = to_pg_dev(dev);
	struct pg_ctx *ctx = pd->ctx;
	struct pg_record *rec = &ctx->rec[pd->idx];
	unsigned int i;
	int cur, max, ret = 0;
	u64 now = ktime_get_ns();

	atomic_inc(&rec->calls);
	WRITE_ONCE(rec->start_ns, now);
	WRITE_ONCE(rec->task, current);
	if (dev->parent)
		WRITE_ONCE(rec->parent_locked, mutex_is_locked(&dev->parent->mutex));

	/* Everything declared must have finished binding. */
	if (ctx->parent[pd->idx] >= 0 &&
	    !ctx->no_driver[ctx->parent[pd->idx]] &&
	    !pg_bound_before(ctx, ctx->parent[pd->idx], now))
		atomic_inc(&ctx->violations);
	for (i = 0; i < ctx->nsup[pd->idx]; i++)
		if (!pg_bound_before(ctx, ctx->sup[pd->idx][i], now))
			atomic_inc(&ctx->violations);

	cur = atomic_inc_return(&ctx->in_flight);
	max = atomic_read(&ctx->max_in_flight);
	while (cur > max && !atomic_try_cmpxchg(&ctx->max_in_flight, &max, cur))
		;
	wake_up_all(&ctx->peer_wq);

	if (ctx->wait_peer[pd->idx])
		wait_event_timeout(ctx->peer_wq,
				   atomic_read(&ctx->max_in_flight) >= 2,
				   PG_PEER_TIMEOUT);

	if (ctx->gate_idx == pd->idx) {
		complete(&ctx->started);
		if (!wait_for_completion_timeout(&ctx->gate, PG_WAIT_TIMEOUT))
			atomic_inc(&ctx->gate_timeouts);
	}

	if (ctx->nest[pd->idx]) {
		unsigned int child = ctx->nest[pd->idx] - 1;

		rec->nested_ret = pg_add_nested(ctx, child);
		rec->nested_bound = !rec->nested_ret &&
				    device_is_bound(&ctx->devs[child]->dev);
		rec->nested_end_ns = ktime_get_ns();
	}

	if (ctx->slow_idx == pd->idx)
		fsleep(20 * USEC_PER_MSEC);

	if (!ctx->defer_before_probe && pg_must_defer(ctx, pd->idx))
		ret = dev_err_probe(dev, -EPROBE_DEFER, "device %u not bound\n",
				    ctx->defer_until[pd->idx] - 1);

	atomic_dec(&ctx->in_flight);
	WRITE_ONCE(rec->ret, ret);
	WRITE_ONCE(rec->end_ns, ktime_get_ns());
	if (ret == -EPROBE_DEFER)
		complete(&ctx->deferred);
	return ret;
}

static int pg_unbind_child(struct device *child, void *unused)
{
	device_release_driver(child);
	return 0;
}

static int pg_remove(struct device *dev)
{
	struct pg_dev *pd = to_pg_dev(dev);

	if (pd->ctx->remove_children)
		device_for_each_child(dev, NULL, pg_unbind_child);
	atomic_inc(&pd->ctx->rec[pd->idx].removes);
	return 0;
}

/* Turns the device down, once the test lets it when the device is gated. */
static int pg_decline_probe(struct device *dev)
{
	struct pg_dev *pd = to_pg_dev(dev);

	if (pd->ctx->gate_idx == pd->idx) {
		complete(&pd->ctx->started);
		wait_for_completion(&pd->ctx->gate);
	}
	return -ENODEV;
}

static void pg_dev_release(struct device *dev)
{
	kfree(to_pg_dev(dev));
}

KUNIT_DEFINE_ACTION_WRAPPER(pg_kvfree, kvfree, const void *);
KUNIT_DEFINE_ACTION_WRAPPER(pg_device_unregister, device_unregister,
			    struct device *);
KUNIT_DEFINE_ACTION_WRAPPER(pg_driver_unregister, driver_unregister,
			    struct device_driver *);

/* The larger arrays of the scale case do not fit kmalloc(). */
static void *pg_kvcalloc(struct kunit *test, size_t n, size_t size)
{
	void *p = kvcalloc(n, size, GFP_KERNEL);

	if (p && kunit_add_action_or_reset(test, pg_kvfree, p))
		return NULL;
	return p;
}

static struct pg_ctx *pg_ctx_alloc(struct kunit *test, unsigned int n)
{
	struct pg_ctx *ctx;
	unsigned int i;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->test = test;
	ctx->n = n;
	ctx->devs = pg_kvcalloc(test, n, sizeof(*ctx->devs));
	ctx->rec = pg_kvcalloc(test, n, sizeof(*ctx->rec));
	ctx->parent = kunit_kcalloc(test, n, sizeof(*ctx->parent), GFP_KERNEL);
	ctx->nsup = kunit_kcalloc(test, n, sizeof(*ctx->nsup), GFP_KERNEL);
	ctx->sup = pg_kvcalloc(test, n, sizeof(*ctx->sup));
	ctx->no_driver = kunit_kcalloc(test, n, sizeof(bool), GFP_KERNEL);
	ctx->decline = kunit_kcalloc(test, n, sizeof(bool), GFP_KERNEL);
	ctx->wait_peer = kunit_kcalloc(test, n, sizeof(bool), GFP_KERNEL);
	ctx->defer_until = kunit_kcalloc(test, n, sizeof(unsigned int),
					 GFP_KERNEL);
	ctx->nest = kunit_kcalloc(test, n, sizeof(unsigned int), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, ctx->devs && ctx->rec && ctx->parent &&
			  ctx->nsup && ctx->sup && ctx->no_driver && ctx->decline &&
			  ctx->wait_peer && ctx->defer_until && ctx->nest);
	ctx->link_flags = DL_FLAG_AUTOPROBE_CONSUMER;
	ctx->tag = "";
	for (i = 0; i < n; i++)
		ctx->parent[i] = -1;
	ctx->gate_idx = -1;
	ctx->slow_idx = -1;
	init_completion(&ctx->gate);
	init_completion(&ctx->started);
	init_completion(&ctx->deferred);
	init_waitqueue_head(&ctx->peer_wq);
	ctx->drv.name = "probe-graph-kunit";
	ctx->drv.bus = &pg_bus;
	ctx->drv.probe = pg_probe;
	ctx->drv.remove = pg_remove;
	ctx->decline_drv.name = "probe-graph-kunit-decline";
	ctx->decline_drv.bus = &pg_bus;
	ctx->decline_drv.probe = pg_decline_probe;
	return ctx;
}

static void pg_edge(struct pg_ctx *ctx, unsigned int sup, unsigned int con)
{
	ctx->sup[con][ctx->nsup[con]++] = sup;
}

static void pg_register_driver(struct pg_ctx *ctx)
{
	struct kunit *test = ctx->test;

	int ret;

	KUNIT_ASSERT_EQ(test, 0, driver_register(&ctx->drv));
	ret = kunit_add_action_or_reset(test, pg_driver_unregister, &ctx->drv);
	KUNIT_ASSERT_EQ(test, 0, ret);
}

static const struct device_type pg_parent_locked_type = {
	.name = "probe-graph-kunit-parent-locked",
	.need_parent_lock = true,
};

static void pg_add_device(struct pg_ctx *ctx, unsigned int i)
{
	struct kunit *test = ctx->test;
	struct pg_dev *pd;
	int ret;

	pd = kzalloc(sizeof(*pd), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pd);
	pd->ctx = ctx;
	pd->idx = i;
	device_initialize(&pd->dev);
	pd->dev.bus = &pg_bus;
	pd->dev.release = pg_dev_release;
	if (ctx->parent[i] >= 0) {
		pd->dev.parent = &ctx->devs[ctx->parent[i]]->dev;
		if (ctx->parent_lock)
			pd->dev.type = &pg_parent_locked_type;
	}
	ret = dev_set_name(&pd->dev, "pg-%s-%s%u", test->name, ctx->tag, i);
	KUNIT_ASSERT_EQ(test, 0, ret);
	ctx->devs[i] = pd;
	if (device_add(&pd->dev)) {
		put_device(&pd->dev);
		ctx->devs[i] = NULL;
		KUNIT_FAIL_AND_ABORT(test, "device_add(%u) failed\n", i);
	}
	/* Unregistered in reverse order: children and consumers first. */
	ret = kunit_add_action_or_reset(test, pg_device_unregister, &pd->dev);
	KUNIT_ASSERT_EQ(test, 0, ret);
}

/*
 * Add device @i from a probe, where KUnit assertions cannot run: the test
 * unregisters it with pg_own_nested() once the probe is over.
 */
static int pg_add_nested(struct pg_ctx *ctx, unsigned int i)
{
	struct pg_dev *pd;
	int ret;

	pd = kzalloc(sizeof(*pd), GFP_KERNEL);
	if (!pd)
		return -ENOMEM;
	pd->ctx = ctx;
	pd->idx = i;
	device_initialize(&pd->dev);
	pd->dev.bus = &pg_bus;
	pd->dev.release = pg_dev_release;
	pd->dev.parent = &ctx->devs[ctx->parent[i]]->dev;
	ret = dev_set_name(&pd->dev, "pg-%s-%s%u", ctx->test->name, ctx->tag,
			   i);
	if (!ret) {
		ctx->devs[i] = pd;
		ret = device_add(&pd->dev);
	}
	if (ret) {
		ctx->devs[i] = NULL;
		put_device(&pd->dev);
	}
	return ret;
}

static void pg_own_nested(struct pg_ctx *ctx, unsigned int i)
{
	KUNIT_ASSERT_NOT_NULL(ctx->test, ctx->devs[i]);
	KUNIT_ASSERT_EQ(ctx->test, 0,
			kunit_add_action_or_reset(ctx->test, pg_device_unregister,
						  &ctx->devs[i]->dev));
}

/*
 * Link every device to its suppliers, the first device first or, with
 * @ctx->links_reversed, the last first: each new link of a chain then has a
 * consumer that already has the rest of the chain as its own consumers.
 */
static void pg_add_links(struct pg_ctx *ctx)
{
	struct device_link *link;
	unsigned int k, i, j, sup;

	for (k = 0; k < ctx->n; k++) {
		i = ctx->links_reversed ? ctx->n - 1 - k : k;
		for (j = 0; j < ctx->nsup[i]; j++) {
			sup = ctx->sup[i][j];
			link = device_link_add(&ctx->devs[i]->dev,
					       &ctx->devs[sup]->dev,
					       ctx->link_flags);
			KUNIT_ASSERT_NOT_NULL_MSG(ctx->test, link,
						  "link %u -> %u", sup, i);
		}
	}
}

static void pg_skip_if_off(struct kunit *test)
{
	if (probe_graph_get_mode() == PROBE_GRAPH_OFF)
		kunit_skip(test, "probe_graph=off");
}

static void pg_info(struct kunit *test, struct device *dev,
		    struct probe_graph_node_info *info)
{
	KUNIT_ASSERT_EQ(test, 0, probe_graph_node_info(dev, info));
}

/*
 * Parameterised topologies.
 */

enum pg_order {
	PG_DEVICES_FIRST,	/* devices and links, then the driver */
	PG_DRIVER_FIRST,	/* the driver, then devices and links */
};

struct pg_topo {
	const char *desc;
	unsigned int n;
	void (*build)(struct pg_ctx *ctx);
	enum pg_order order;
	bool overlap;		/* independent devices become ready at once */
	bool links_reversed;	/* links made from the last consumer back */
};

static void pg_build_chain(struct pg_ctx *ctx)
{
	unsigned int i;

	for (i = 1; i < ctx->n; i++)
		pg_edge(ctx, i - 1, i);
}

static void pg_build_diamond(struct pg_ctx *ctx)
{
	pg_edge(ctx, 0, 1);
	pg_edge(ctx, 0, 2);
	pg_edge(ctx, 1, 3);
	pg_edge(ctx, 2, 3);
	ctx->wait_peer[1] = true;
	ctx->wait_peer[2] = true;
}

static void pg_build_fan_out(struct pg_ctx *ctx)
{
	unsigned int i;

	for (i = 1; i < ctx->n; i++) {
		pg_edge(ctx, 0, i);
		ctx->wait_peer[i] = true;
	}
}

static void pg_build_fan_in(struct pg_ctx *ctx)
{
	unsigned int i, last = ctx->n - 1;

	for (i = 0; i < last; i++) {
		pg_edge(ctx, i, last);
		ctx->wait_peer[i] = true;
	}
}

/* Three trees of parent edges, three levels deep, and a link across. */
static void pg_build_forest(struct pg_ctx *ctx)
{
	unsigned int t;

	for (t = 0; t < 3; t++) {
		ctx->parent[t * 3 + 1] = t * 3;
		ctx->parent[t * 3 + 2] = t * 3 + 1;
		ctx->wait_peer[t * 3] = true;
	}
	pg_edge(ctx, 2, 5);
}

static const struct pg_topo pg_topos[] = {
	{ "chain", 5, pg_build_chain, PG_DEVICES_FIRST, false },
	{ "chain, driver first", 5, pg_build_chain, PG_DRIVER_FIRST, false },
	{ "diamond", 4, pg_build_diamond, PG_DEVICES_FIRST, true },
	{ "diamond, driver first", 4, pg_build_diamond, PG_DRIVER_FIRST, true },
	{ "fan-out 32", 33, pg_build_fan_out, PG_DEVICES_FIRST, true },
	{ "fan-in 32", 33, pg_build_fan_in, PG_DEVICES_FIRST, true },
	{ "fan-in 32, driver first", 33, pg_build_fan_in, PG_DRIVER_FIRST, true },
	{ "forest", 9, pg_build_forest, PG_DEVICES_FIRST, true },
	{ "forest, driver first", 9, pg_build_forest, PG_DRIVER_FIRST, true },
	{ "deep chain 1000", 1000, pg_build_chain, PG_DEVICES_FIRST, false },
	/*
	 * Each link added makes the driver core walk the consumers of the new
	 * link's consumer, the whole chain below it, to check for a cycle and
	 * to reorder the device lists.
	 */
	{ "deep chain 2000, links deepest first", 2000, pg_build_chain,
	  PG_DEVICES_FIRST, false, true },
};

KUNIT_ARRAY_PARAM_DESC(pg_topo, pg_topos, desc);

static void pg_add_all(struct pg_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ctx->n; i++)
		pg_add_device(ctx, i);
	pg_add_links(ctx);
}

/*
 * Every device binds with exactly one probe call, none before what it
 * depends on has bound, none deferred, and independent devices overlap
 * where nobody waits for them in the driver core: when the graph wakes
 * them.  A driver registered after boot probes the devices ready when it
 * gets to them in the registering task, one at a time, as it always did:
 * with the devices first, each finds its suppliers bound.
 */
static void probe_graph_topology_test(struct kunit *test)
{
	const struct pg_topo *topo = test->param_value;
	unsigned long declared0, driver0, declared1, driver1;
	bool parallel = probe_graph_get_mode() == PROBE_GRAPH_ON, overlap;
	struct probe_graph_node_info info;
	struct pg_ctx *ctx;
	unsigned int i, j, cycles;

	pg_skip_if_off(test);

	ctx = pg_ctx_alloc(test, topo->n);
	ctx->links_reversed = topo->links_reversed;
	topo->build(ctx);
	overlap = parallel && topo->overlap && topo->order == PG_DRIVER_FIRST;
	if (!overlap)
		memset(ctx->wait_peer, 0, topo->n * sizeof(bool));

	probe_graph_stats_get(&declared0, &driver0, &cycles);
	if (topo->order == PG_DEVICES_FIRST) {
		pg_add_all(ctx);
		pg_register_driver(ctx);
	} else {
		/* Hold probing so the links exist before anything probes. */
		pg_register_driver(ctx);
		device_block_probing();
		pg_add_all(ctx);
		device_unblock_probing();
	}
	wait_for_device_probe();
	probe_graph_stats_get(&declared1, &driver1, &cycles);

	for (i = 0; i < topo->n; i++) {
		struct device *dev = &ctx->devs[i]->dev;

		KUNIT_EXPECT_TRUE_MSG(test, device_is_bound(dev),
				      "device %u not bound", i);
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ctx->rec[i].calls), 1,
				    "device %u", i);
		pg_info(test, dev, &info);
		KUNIT_EXPECT_STREQ_MSG(test, info.state, "bound", "device %u", i);
		KUNIT_EXPECT_EQ_MSG(test, info.defers, 0, "device %u", i);
		for (j = 0; j < ctx->nsup[i]; j++)
			KUNIT_EXPECT_LE_MSG(test,
					    ctx->rec[ctx->sup[i][j]].end_ns,
					    ctx->rec[i].start_ns,
					    "%u started before supplier %u ended",
					    i, ctx->sup[i][j]);
		if (ctx->parent[i] >= 0)
			KUNIT_EXPECT_LE_MSG(test,
					    ctx->rec[ctx->parent[i]].end_ns,
					    ctx->rec[i].start_ns,
					    "%u started before its parent ended",
					    i);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->violations), 0);
	KUNIT_EXPECT_EQ(test, declared1 - declared0, 0);
	KUNIT_EXPECT_EQ(test, driver1 - driver0, 0);
	if (overlap)
		KUNIT_EXPECT_GE(test, atomic_read(&ctx->max_in_flight), 2);
	/* Serial: one graph probe at a time; the registering task may steal. */
	if (!parallel && topo->order == PG_DRIVER_FIRST)
		KUNIT_EXPECT_EQ(test, atomic_read(&ctx->max_in_flight), 1);
}

/*
 * The same chain in every mode, stock probing included: the driver core
 * creates every link, however deep the chain below it, and all of it binds.
 */
static void probe_graph_deep_links_test(struct kunit *test)
{
	struct pg_ctx *ctx;
	unsigned int i;

	ctx = pg_ctx_alloc(test, 2000);
	ctx->links_reversed = true;
	pg_build_chain(ctx);
	pg_add_all(ctx);
	pg_register_driver(ctx);
	wait_for_device_probe();

	for (i = 0; i < ctx->n; i++)
		KUNIT_EXPECT_TRUE_MSG(test, device_is_bound(&ctx->devs[i]->dev),
				      "device %u not bound", i);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->violations), 0);
}

/* A supplier nothing will ever bind keeps its consumer waiting, said why. */
static void probe_graph_no_driver_test(struct kunit *test)
{
	struct probe_graph_node_info info;
	struct pg_ctx *ctx;

	pg_skip_if_off(test);

	ctx = pg_ctx_alloc(test, 2);
	ctx->no_driver[0] = true;
	pg_edge(ctx, 0, 1);
	pg_add_all(ctx);
	pg_register_driver(ctx);
	wait_for_device_probe();

	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->rec[1].calls), 0);
	KUNIT_EXPECT_FALSE(test, device_is_bound(&ctx->devs[1]->dev));
	pg_info(test, &ctx->devs[1]->dev, &info);
	KUNIT_EXPECT_STREQ(test, info.state, "waiting");
	KUNIT_EXPECT_TRUE(test, info.pending);
	KUNIT_EXPECT_NOT_NULL(test, strstr(info.reason, "waiting for supplier"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(info.reason,
					   dev_name(&ctx->devs[0]->dev)));
	KUNIT_EXPECT_NOT_NULL(test, strstr(info.reason, "no driver"));
	/* The supplier no driver matches costs the graph nothing. */
	KUNIT_EXPECT_EQ(test, -ENOENT,
			probe_graph_node_info(&ctx->devs[0]->dev, &info));
}

static const bool pg_defer_before_probe[] = { false, true };

static void pg_defer_desc(const bool *before, char *desc)
{
	strscpy(desc, *before ? "before the probe (bus)" : "in the probe",
		KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(pg_defer, pg_defer_before_probe, pg_defer_desc);

/*
 * A driver that returns -EPROBE_DEFER for a dependency it did not declare,
 * or a deferral before its probe the graph cannot see (pin control, an
 * IOMMU), still binds, retried by the deferred list when other devices
 * bind, as without the graph; the retry is recorded, and neither counts
 * as a deferral on a declared dependency.
 */

static void probe_graph_undeclared_defer_test(struct kunit *test)
{
	const bool *before = test->param_value;
	unsigned long declared0, driver0, declared1, driver1;
	struct probe_graph_node_info info;
	unsigned int cycles;
	struct pg_ctx *ctx;

	pg_skip_if_off(test);

	ctx = pg_ctx_alloc(test, 2);
	ctx->defer_until[1] = 1;	/* device 1 needs device 0, silently */
	ctx->defer_before_probe = *before;

	probe_graph_stats_get(&declared0, &driver0, &cycles);
	pg_register_driver(ctx);
	pg_add_device(ctx, 1);
	KUNIT_ASSERT_NE(test, 0, wait_for_completion_timeout(&ctx->deferred,
							     PG_WAIT_TIMEOUT));
	/* Device 1 has deferred: now device 0 comes and binds. */
	pg_add_device(ctx, 0);
	wait_for_device_probe();
	probe_graph_stats_get(&declared1, &driver1, &cycles);

	KUNIT_EXPECT_TRUE(test, device_is_bound(&ctx->devs[0]->dev));
	KUNIT_EXPECT_TRUE(test, device_is_bound(&ctx->devs[1]->dev));
	/* Deferred before the probe, the driver only saw the bind. */
	if (*before)
		KUNIT_EXPECT_EQ(test, atomic_read(&ctx->rec[1].calls), 1);
	else
		KUNIT_EXPECT_GE(test, atomic_read(&ctx->rec[1].calls), 2);
	pg_info(test, &ctx->devs[1]->dev, &info);
	KUNIT_EXPECT_STREQ(test, info.state, "bound");
	KUNIT_EXPECT_GE(test, info.defers, 1);
	KUNIT_EXPECT_GE(test, info.retries, 1);
	KUNIT_EXPECT_GE(test, driver1 - driver0, 1);
	KUNIT_EXPECT_EQ(test, declared1 - declared0, 0);
}

static void pg_open_gate(void *data)
{
	struct pg_ctx *ctx = data;

	complete_all(&ctx->gate);
}

static void pg_unpause(void *unused)
{
	probe_graph_pause(false);
}

/*
 * A parent whose probe defers until a child it registered is bound, as
 * MFD drivers do, does not hold the child back: both end up bound.
 */
static void probe_graph_mfd_parent_test(struct kunit *test)
{
	struct pg_ctx *ctx;

	pg_skip_if_off(test);

	ctx = pg_ctx_alloc(test, 2);
	ctx->parent[1] = 0;
	ctx->defer_until[0] = 2;	/* device 0 needs its child, device 1 */
	pg_add_all(ctx);
	pg_register_driver(ctx);
	wait_for_device_probe();

	KUNIT_EXPECT_TRUE(test, device_is_bound(&ctx->devs[0]->dev));
	KUNIT_EXPECT_TRUE(test, device_is_bound(&ctx->devs[1]->dev));
	KUNIT_EXPECT_GE(test, atomic_read(&ctx->rec[0].calls), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->rec[1].calls), 1);
}

/* A queued device that goes away is not probed, and nothing leaks. */
static void probe_graph_remove_queued_test(struct kunit *test)
{
	struct probe_graph_node_info info;
	struct pg_ctx *ctx;
	struct device *dev;

	pg_skip_if_off(test);

	ctx = pg_ctx_alloc(test, 1);
	pg_register_driver(ctx);

	probe_graph_pause(true);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, pg_unpause,
							   NULL));
	/* Woken by the graph, not probed by device_add()'s caller. */
	device_block_probing();
	pg_add_device(ctx, 0);
	device_unblock_probing();
	dev = &ctx->devs[0]->dev;
	pg_info(test, dev, &info);
	KUNIT_EXPECT_STREQ(test, info.state, "queued");

	/* Delete it by hand; the initial reference keeps dev->p to look at. */
	kunit_remove_action(test, pg_device_unregister, dev);
	device_del(dev);
	KUNIT_EXPECT_EQ(test, -ENOENT, probe_graph_node_info(dev, &info));
	probe_graph_pause(false);
	wait_for_device_probe();

	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->rec[0].calls), 0);
	KUNIT_EXPECT_NULL(test, dev->driver);
	put_device(dev);
}

struct pg_remover {
	struct device *dev;
	struct completion done;
};

static int pg_remover_fn(void *data)
{
	struct pg_remover *r = data;

	device_unregister(r->dev);
	complete(&r->done);
	return 0;
}

/*
 * A device deleted while its probe runs is deleted once the probe is
 * over: the probe completes, then the driver is removed, exactly once.
 */
static void probe_graph_remove_probing_test(struct kunit *test)
{
	struct pg_remover *r;
	struct task_struct *task;
	struct pg_ctx *ctx;

	pg_skip_if_off(test);

	ctx = pg_ctx_alloc(test, 1);
	ctx->gate_idx = 0;
	pg_register_driver(ctx);
	/* Woken by the graph: probed by a worker, not by this task. */
	device_block_probing();
	pg_add_device(ctx, 0);
	device_unblock_probing();
	/* Runs first at cleanup: a failed test does not leave a probe stuck. */
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, pg_open_gate,
							   ctx));
	KUNIT_ASSERT_NE(test, 0, wait_for_completion_timeout(&ctx->started,
							     PG_WAIT_TIMEOUT));

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->dev = &ctx->devs[0]->dev;
	init_completion(&r->done);
	kunit_remove_action(test, pg_device_unregister, r->dev);
	task = kthread_run(pg_remover_fn, r, "pg-remover");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));

	/* device_del() waits for the device lock the probe holds. */
	complete(&ctx->gate);
	KUNIT_ASSERT_NE(test, 0, wait_for_completion_timeout(&r->done,
							     PG_WAIT_TIMEOUT));
	wait_for_device_probe();

	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->rec[0].calls), 1);
	KUNIT_EXPECT_EQ(test, ctx->rec[0].ret, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->rec[0].removes), 1);
}

/*
 * A parent that a first driver turns down is tried with the next one: its
 * children wait until one binds it, as they would wait for the first.
 */
static void probe_graph_next_driver_test(struct kunit *test)
{
	struct pg_ctx *ctx;
	int ret;

	pg_skip_if_off(test);

	ctx = pg_ctx_alloc(test, 2);
	ctx->parent[1] = 0;
	ctx->decline[0] = true;
	ctx->gate_idx = 0;
	ctx->slow_idx = 0;
	/* Tried in the order they registered: the one that declines first. */
	KUNIT_ASSERT_EQ(test, 0, driver_register(&ctx->decline_drv));
	ret = kunit_add_action_or_reset(test, pg_driver_unregister,
					&ctx->decline_drv);
	KUNIT_ASSERT_EQ(test, 0, ret);
	pg_register_driver(ctx);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, pg_open_gate,
							   ctx));

	device_block_probing();
	pg_add_device(ctx, 0);
	device_unblock_probing();
	KUNIT_ASSERT_NE(test, 0, wait_for_completion_timeout(&ctx->started,
							     PG_WAIT_TIMEOUT));
	/* The child comes while its parent is being turned down. */
	pg_add_device(ctx, 1);
	complete_all(&ctx->gate);
	wait_for_device_probe();

	KUNIT_EXPECT_TRUE(test, device_is_bound(&ctx->devs[0]->dev));
	KUNIT_EXPECT_TRUE(test, device_is_bound(&ctx->devs[1]->dev));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->rec[1].calls), 1);
	KUNIT_EXPECT_LE(test, ctx->rec[0].end_ns, ctx->rec[1].start_ns);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->violations), 0);
}

/*
 * A child its parent's remove unbinds stays unbound, as without the
 * graph: its parent may be going away, and it is no supplier whose
 * return the child waits for.
 */
static void probe_graph_parent_unbinds_child_test(struct kunit *test)
{
	struct probe_graph_node_info info;
	struct pg_ctx *ctx;

	pg_skip_if_off(test);

	ctx = pg_ctx_alloc(test, 2);
	ctx->parent[1] = 0;
	ctx->remove_children = true;
	pg_add_all(ctx);
	pg_register_driver(ctx);
	wait_for_device_probe();
	KUNIT_ASSERT_TRUE(test, device_is_bound(&ctx->devs[1]->dev));

	device_release_driver(&ctx->devs[0]->dev);
	wait_for_device_probe();
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->rec[1].removes), 1);
	KUNIT_EXPECT_FALSE(test, device_is_bound(&ctx->devs[0]->dev));
	KUNIT_EXPECT_FALSE(test, device_is_bound(&ctx->devs[1]->dev));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->rec[1].calls), 1);
	pg_info(test, &ctx->devs[1]->dev, &info);
	KUNIT_EXPECT_STREQ(test, info.state, "idle");
}

/* Unbinding a supplier makes its consumer wait; rebinding wakes it. */
static void probe_graph_unbind_rebind_test(struct kunit *test)
{
	struct probe_graph_node_info info;
	struct device *sup, *con;
	struct pg_ctx *ctx;

	pg_skip_if_off(test);

	ctx = pg_ctx_alloc(test, 2);
	pg_edge(ctx, 0, 1);
	pg_add_all(ctx);
	pg_register_driver(ctx);
	wait_for_device_probe();
	sup = &ctx->devs[0]->dev;
	con = &ctx->devs[1]->dev;
	KUNIT_ASSERT_TRUE(test, device_is_bound(con));

	device_release_driver(sup);
	KUNIT_EXPECT_FALSE(test, device_is_bound(con));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->rec[1].removes), 1);
	pg_info(test, con, &info);
	KUNIT_EXPECT_STREQ(test, info.state, "waiting");
	KUNIT_EXPECT_NOT_NULL(test, strstr(info.reason, dev_name(sup)));

	KUNIT_ASSERT_EQ(test, 1, device_attach(sup));
	wait_for_device_probe();
	KUNIT_EXPECT_TRUE(test, device_is_bound(con));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->rec[1].calls), 2);
	KUNIT_EXPECT_GE(test, ctx->rec[1].start_ns, ctx->rec[0].end_ns);

	/* Unbinding on request is not undone. */
	device_release_driver(con);
	wait_for_device_probe();
	KUNIT_EXPECT_FALSE(test, device_is_bound(con));
	pg_info(test, con, &info);
	KUNIT_EXPECT_STREQ(test, info.state, "idle");
}

/*
 * Unregistering the driver of queued and waiting devices: nothing is
 * probed; the queued device goes back to idle, the others keep waiting
 * for it.
 */
static void probe_graph_driver_gone_test(struct kunit *test)
{
	struct probe_graph_node_info info;
	struct pg_ctx *ctx;
	unsigned int i;

	pg_skip_if_off(test);

	ctx = pg_ctx_alloc(test, 3);
	pg_build_chain(ctx);
	pg_register_driver(ctx);
	probe_graph_pause(true);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, pg_unpause,
							   NULL));
	/* Links before anything is looked at: device 0 alone is ready. */
	device_block_probing();
	pg_add_all(ctx);
	device_unblock_probing();
	pg_info(test, &ctx->devs[0]->dev, &info);
	KUNIT_EXPECT_STREQ(test, info.state, "queued");
	pg_info(test, &ctx->devs[1]->dev, &info);
	KUNIT_EXPECT_STREQ(test, info.state, "waiting");

	kunit_release_action(test, pg_driver_unregister, &ctx->drv);
	probe_graph_pause(false);
	wait_for_device_probe();

	for (i = 0; i < ctx->n; i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&ctx->rec[i].calls), 0);
		KUNIT_EXPECT_FALSE(test, device_is_bound(&ctx->devs[i]->dev));
	}
	pg_info(test, &ctx->devs[0]->dev, &info);
	KUNIT_EXPECT_STREQ(test, info.state, "idle");
}

/* Buses that need the parent's lock get it for probes the graph runs. */
static void probe_graph_parent_lock_test(struct kunit *test)
{
	struct pg_ctx *ctx;

	pg_skip_if_off(test);

	ctx = pg_ctx_alloc(test, 4);
	ctx->parent_lock = true;
	ctx->parent[1] = 0;
	ctx->parent[2] = 0;
	ctx->parent[3] = 1;
	pg_add_all(ctx);
	pg_register_driver(ctx);
	wait_for_device_probe();

	KUNIT_EXPECT_TRUE(test, device_is_bound(&ctx->devs[3]->dev));
	KUNIT_EXPECT_TRUE(test, ctx->rec[1].parent_locked);
	KUNIT_EXPECT_TRUE(test, ctx->rec[2].parent_locked);
	KUNIT_EXPECT_TRUE(test, ctx->rec[3].parent_locked);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->violations), 0);
}

/*
 * A driver that forces synchronous probing probes the devices that are
 * ready in the registering task, as before, and its registration returns
 * once the ones that became ready meanwhile are bound too, one at a
 * time, in dependency order.
 */
static void probe_graph_force_sync_test(struct kunit *test)
{
	struct pg_ctx *ctx;
	unsigned int i;

	pg_skip_if_off(test);

	/* 0 needs 1, which needs 2: offered before their suppliers bind. */
	ctx = pg_ctx_alloc(test, 6);
	pg_edge(ctx, 1, 0);
	pg_edge(ctx, 2, 1);
	ctx->drv.probe_type = PROBE_FORCE_SYNCHRONOUS;
	pg_add_all(ctx);
	pg_register_driver(ctx);
	/* Ready at registration: probed by the registration itself. */
	for (i = 2; i < 6; i++)
		KUNIT_EXPECT_PTR_EQ(test, ctx->rec[i].task, current);
	/* Ready once their supplier bound, during the registration. */
	for (i = 0; i < ctx->n; i++) {
		KUNIT_EXPECT_TRUE(test, device_is_bound(&ctx->devs[i]->dev));
		KUNIT_EXPECT_EQ(test, atomic_read(&ctx->rec[i].calls), 1);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->violations), 0);
	KUNIT_EXPECT_LE(test, ctx->rec[2].end_ns, ctx->rec[1].start_ns);
	KUNIT_EXPECT_LE(test, ctx->rec[1].end_ns, ctx->rec[0].start_ns);
}

/* Suspend blocks probing: nothing starts until probing is unblocked. */
static void probe_graph_block_probing_test(struct kunit *test)
{
	struct probe_graph_node_info info;
	struct pg_ctx *ctx;

	pg_skip_if_off(test);

	ctx = pg_ctx_alloc(test, 3);
	pg_build_chain(ctx);
	pg_register_driver(ctx);
	device_block_probing();
	pg_add_all(ctx);
	pg_info(test, &ctx->devs[0]->dev, &info);
	KUNIT_EXPECT_STREQ(test, info.state, "waiting");
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->rec[0].calls), 0);
	device_unblock_probing();
	wait_for_device_probe();
	KUNIT_EXPECT_TRUE(test, device_is_bound(&ctx->devs[2]->dev));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->rec[2].calls), 1);
}

/* A device offered to its bus gets a node that follows bind and unbind. */
static void probe_graph_node_bind_test(struct kunit *test)
{
	DECLARE_COMPLETION_ONSTACK(probed);
	struct probe_graph_node_info info;
	struct platform_device *pdev;
	static struct platform_driver drv = {
		.driver = { .name = "probe-graph-kunit-pdev" },
	};

	pg_skip_if_off(test);

	pdev = kunit_platform_device_alloc(test, drv.driver.name,
					   PLATFORM_DEVID_AUTO);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pdev);
	KUNIT_ASSERT_EQ(test, 0, kunit_platform_device_add(test, pdev));
	/* No driver matches it yet: the graph keeps nothing for it. */
	KUNIT_EXPECT_EQ(test, -ENOENT, probe_graph_node_info(&pdev->dev, &info));

	KUNIT_ASSERT_EQ(test, 0,
			kunit_platform_device_prepare_wait_for_probe(test, pdev,
								     &probed));
	KUNIT_ASSERT_EQ(test, 0, kunit_platform_driver_register(test, &drv));
	KUNIT_ASSERT_NE(test, 0, wait_for_completion_timeout(&probed,
							     PG_WAIT_TIMEOUT));
	pg_info(test, &pdev->dev, &info);
	KUNIT_EXPECT_STREQ(test, info.state, "bound");
	/* Bound: only the node is kept, not the scheduling state. */
	KUNIT_EXPECT_FALSE(test, info.pending);

	device_release_driver(&pdev->dev);
	pg_info(test, &pdev->dev, &info);
	KUNIT_EXPECT_STREQ(test, info.state, "idle");
	KUNIT_EXPECT_FALSE(test, info.pending);
}

/* Deleting a device frees its node. */
static void probe_graph_node_del_test(struct kunit *test)
{
	struct probe_graph_node_info info;
	struct device *dev;

	pg_skip_if_off(test);

	dev = kunit_device_register(test, "pg-del");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, 0, probe_graph_node_info(dev, &info));

	/* Keep dev->p alive across the unregistration to look at it. */
	get_device(dev);
	kunit_device_unregister(test, dev);
	KUNIT_EXPECT_EQ(test, -ENOENT, probe_graph_node_info(dev, &info));
	put_device(dev);
}

/*
 * The caller contract: whatever the mode, a call that bound a device
 * before it returned without the graph still does.
 */

enum pg_how {
	PG_BY_CALLER,		/* device_add() of a ready device */
	PG_BY_GRAPH,		/* woken by the graph when probing resumes */
};

struct pg_nest_case {
	const char *desc;
	enum pg_how how;
	enum probe_type probe_type;
};

static const struct pg_nest_case pg_nest_cases[] = {
	{ "added by its caller", PG_BY_CALLER, PROBE_DEFAULT_STRATEGY },
	{ "woken by the graph", PG_BY_GRAPH, PROBE_DEFAULT_STRATEGY },
	{ "forced synchronous, added by its caller", PG_BY_CALLER,
	  PROBE_FORCE_SYNCHRONOUS },
	{ "forced synchronous, woken by the graph", PG_BY_GRAPH,
	  PROBE_FORCE_SYNCHRONOUS },
};

KUNIT_ARRAY_PARAM_DESC(pg_nest, pg_nest_cases, desc);

/*
 * A parent's probe registers a child and looks at child->driver before it
 * returns, as v4l2_i2c_new_subdev_board() does: the child is bound by
 * then, probed nested in the parent's probe, in the parent's task.  It
 * never runs in another task while the parent's probe is unfinished.
 */
static void probe_graph_nested_child_test(struct kunit *test)
{
	const struct pg_nest_case *param = test->param_value;
	struct pg_ctx *ctx;

	ctx = pg_ctx_alloc(test, 2);
	ctx->parent[1] = 0;
	ctx->nest[0] = 2;
	ctx->drv.probe_type = param->probe_type;
	pg_register_driver(ctx);
	if (param->how == PG_BY_GRAPH)
		device_block_probing();
	pg_add_device(ctx, 0);
	if (param->how == PG_BY_GRAPH)
		device_unblock_probing();
	wait_for_device_probe();
	pg_own_nested(ctx, 1);

	KUNIT_EXPECT_EQ(test, ctx->rec[0].nested_ret, 0);
	KUNIT_EXPECT_TRUE(test, ctx->rec[0].nested_bound);
	KUNIT_EXPECT_TRUE(test, device_is_bound(&ctx->devs[0]->dev));
	KUNIT_EXPECT_TRUE(test, device_is_bound(&ctx->devs[1]->dev));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->rec[1].calls), 1);
	KUNIT_EXPECT_PTR_EQ(test, ctx->rec[1].task, ctx->rec[0].task);
	KUNIT_EXPECT_LE(test, ctx->rec[1].end_ns, ctx->rec[0].nested_end_ns);
}

/* device_add() of a ready device after boot returns with it bound. */
static void probe_graph_device_add_test(struct kunit *test)
{
	struct pg_ctx *ctx;

	ctx = pg_ctx_alloc(test, 2);
	ctx->parent[1] = 0;
	pg_register_driver(ctx);
	pg_add_device(ctx, 0);
	KUNIT_EXPECT_TRUE(test, device_is_bound(&ctx->devs[0]->dev));
	pg_add_device(ctx, 1);
	KUNIT_EXPECT_TRUE(test, device_is_bound(&ctx->devs[1]->dev));
	KUNIT_EXPECT_PTR_EQ(test, ctx->rec[0].task, current);
	KUNIT_EXPECT_PTR_EQ(test, ctx->rec[1].task, current);
}

/*
 * A driver that prefers asynchronous probing keeps its meaning: its
 * probes run in the async domain, so a module's init, which ends with
 * async_synchronize_full(), returns with its devices bound.
 */
static void probe_graph_async_driver_test(struct kunit *test)
{
	struct pg_ctx *ctx;
	unsigned int i;

	ctx = pg_ctx_alloc(test, 3);
	ctx->drv.probe_type = PROBE_PREFER_ASYNCHRONOUS;
	ctx->slow_idx = 2;
	pg_add_all(ctx);
	pg_register_driver(ctx);
	async_synchronize_full();

	for (i = 0; i < ctx->n; i++) {
		KUNIT_EXPECT_TRUE_MSG(test, device_is_bound(&ctx->devs[i]->dev),
				      "device %u not bound", i);
		KUNIT_EXPECT_PTR_NE(test, ctx->rec[i].task, current);
	}
}

/**
 * struct pg_link_gone - how a link a consumer waits on goes away
 * @desc: the case's name
 * @deleted: the supplier, which no driver binds, is deleted; otherwise
 *	its driver is released and the link goes with it
 *	(DL_FLAG_AUTOREMOVE_SUPPLIER)
 */
struct pg_link_gone {
	const char *desc;
	bool deleted;
};

static const struct pg_link_gone pg_link_gone_cases[] = {
	{ "supplier unbound, link autoremoved", false },
	{ "supplier deleted", true },
};

KUNIT_ARRAY_PARAM_DESC(pg_link_gone, pg_link_gone_cases, desc);

/*
 * A consumer waits for its supplier and the link goes away: nothing holds
 * the consumer back any more, and it binds with no other event.
 */
static void probe_graph_link_gone_test(struct kunit *test)
{
	const struct pg_link_gone *lg = test->param_value;
	struct device *sup, *con;
	struct pg_ctx *ctx;

	pg_skip_if_off(test);

	ctx = pg_ctx_alloc(test, 2);
	pg_edge(ctx, 0, 1);
	if (lg->deleted)
		ctx->no_driver[0] = true;
	else
		ctx->link_flags = DL_FLAG_AUTOREMOVE_SUPPLIER;
	pg_add_all(ctx);
	pg_register_driver(ctx);
	wait_for_device_probe();
	sup = &ctx->devs[0]->dev;
	con = &ctx->devs[1]->dev;

	if (lg->deleted) {
		KUNIT_ASSERT_FALSE(test, device_is_bound(con));
		/* The consumer's probe must not look at a deleted supplier. */
		ctx->nsup[1] = 0;
		kunit_release_action(test, pg_device_unregister, sup);
		ctx->devs[0] = NULL;
		wait_for_device_probe();
		KUNIT_EXPECT_TRUE(test, device_is_bound(con));
		KUNIT_EXPECT_EQ(test, atomic_read(&ctx->rec[1].calls), 1);
		return;
	}

	KUNIT_ASSERT_TRUE(test, device_is_bound(con));
	device_release_driver(sup);
	wait_for_device_probe();
	KUNIT_EXPECT_FALSE(test, device_is_bound(sup));
	KUNIT_EXPECT_TRUE(test, device_is_bound(con));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->rec[1].calls), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->rec[1].removes), 1);
}

static void pg_restore_max_active(void *data)
{
	probe_graph_set_max_active((unsigned long)data);
}

/* Graph probes at once: one, and the default. */
static const unsigned int pg_max_actives[] = { 1, WQ_DFL_ACTIVE };

static void pg_max_active_desc(const unsigned int *max, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "max_active %u", *max);
}

KUNIT_ARRAY_PARAM(pg_max_active, pg_max_actives, pg_max_active_desc);

/*
 * A registration waits for the devices of its driver that become ready
 * while it attaches, and probes them itself if no worker has started
 * them: with one worker, busy with a probe that waits for the
 * registration to end (as one calling request_module() for the module
 * registering the driver would), the registration still ends.
 */
static void probe_graph_registration_waits_test(struct kunit *test)
{
	const unsigned int *max_active = test->param_value;
	struct pg_ctx *busy, *ctx;
	unsigned int old;

	pg_skip_if_off(test);

	old = probe_graph_set_max_active(*max_active);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, pg_restore_max_active,
						  (void *)(unsigned long)old));

	/* The only worker probes a device that waits for the registration. */
	busy = pg_ctx_alloc(test, 1);
	busy->tag = "busy-";
	busy->drv.name = "probe-graph-kunit-busy";
	busy->gate_idx = 0;
	pg_register_driver(busy);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, pg_open_gate,
							   busy));
	device_block_probing();
	pg_add_device(busy, 0);
	device_unblock_probing();
	KUNIT_ASSERT_NE(test, 0, wait_for_completion_timeout(&busy->started,
							     PG_WAIT_TIMEOUT));

	/*
	 * Device 0 waits for device 1, offered after it: it becomes ready
	 * when device 1 binds, while the registration attaches.
	 */
	ctx = pg_ctx_alloc(test, 2);
	pg_edge(ctx, 1, 0);
	pg_add_all(ctx);
	pg_register_driver(ctx);
	KUNIT_EXPECT_TRUE(test, device_is_bound(&ctx->devs[0]->dev));
	KUNIT_EXPECT_TRUE(test, device_is_bound(&ctx->devs[1]->dev));
	KUNIT_EXPECT_EQ(test, atomic_read(&busy->gate_timeouts), 0);

	complete_all(&busy->gate);
	wait_for_device_probe();
	KUNIT_EXPECT_TRUE(test, device_is_bound(&busy->devs[0]->dev));
	KUNIT_EXPECT_EQ(test, atomic_read(&busy->gate_timeouts), 0);
}

/*
 * Device tree: fwnode edges from fw_devlink, and cycles.
 */

#if IS_ENABLED(CONFIG_OF_OVERLAY)

#define PG_DT_COMPATIBLE	"probe-graph-kunit-device"
#define PG_DT_MAX		8

static struct {
	const char *names[PG_DT_MAX];
	u64 start_ns[PG_DT_MAX];
	u64 end_ns[PG_DT_MAX];
	atomic_t calls[PG_DT_MAX];
} pg_dt;

static int pg_dt_index(struct device *dev)
{
	unsigned int i;

	for (i = 0; i < PG_DT_MAX && pg_dt.names[i]; i++)
		if (of_node_name_eq(dev->of_node, pg_dt.names[i]))
			return i;
	return -1;
}

static int pg_dt_probe(struct platform_device *pdev)
{
	int i = pg_dt_index(&pdev->dev);

	if (i < 0)
		return -ENODEV;
	atomic_inc(&pg_dt.calls[i]);
	WRITE_ONCE(pg_dt.start_ns[i], ktime_get_ns());
	WRITE_ONCE(pg_dt.end_ns[i], ktime_get_ns());
	return 0;
}

static const struct of_device_id pg_dt_match[] = {
	{ .compatible = PG_DT_COMPATIBLE },
	{ }
};

static struct platform_driver pg_dt_driver = {
	.probe = pg_dt_probe,
	.driver = {
		.name = "probe-graph-kunit-dt",
		.of_match_table = pg_dt_match,
	},
};

static struct device *pg_dt_device(struct kunit *test, const char *name)
{
	struct platform_device *pdev;
	struct device_node *np;

	np = of_find_node_by_name(NULL, name);
	KUNIT_ASSERT_NOT_NULL_MSG(test, np, "%s", name);
	of_node_put_kunit(test, np);
	pdev = of_find_device_by_node(np);
	KUNIT_ASSERT_NOT_NULL_MSG(test, pdev, "%s", name);
	/* The overlay, removed after the test, owns the device. */
	put_device(&pdev->dev);
	return &pdev->dev;
}

/* Record the probes of the devices of @names, in every mode. */
static void pg_dt_prepare(struct kunit *test, const char * const *names)
{
	unsigned int i;

	if (!of_root)
		kunit_skip(test, "no device tree root");
	memset(&pg_dt, 0, sizeof(pg_dt));
	for (i = 0; names[i]; i++)
		pg_dt.names[i] = names[i];
	KUNIT_ASSERT_EQ(test, 0,
			kunit_platform_driver_register(test, &pg_dt_driver));
}

/* The same, for a case that looks at the graph: not with it off. */
static void pg_dt_setup(struct kunit *test, const char * const *names)
{
	pg_skip_if_off(test);
	pg_dt_prepare(test, names);
}

/*
 * pg-dt-c consumes pg-dt-b's clock, which consumes pg-dt-a's; the nodes
 * are listed consumer first, so each supplier's device is created after
 * its consumer's.
 */
static void probe_graph_dt_chain_test(struct kunit *test)
{
	static const char * const names[] = {
		"pg-dt-a", "pg-dt-b", "pg-dt-c", NULL
	};
	unsigned long declared0, driver0, declared1, driver1;
	unsigned int i, cycles;

	pg_dt_setup(test, names);
	probe_graph_stats_get(&declared0, &driver0, &cycles);
	KUNIT_ASSERT_EQ(test, 0, of_overlay_apply_kunit(test,
							probe_graph_kunit_chain));
	wait_for_device_probe();
	probe_graph_stats_get(&declared1, &driver1, &cycles);

	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_TRUE_MSG(test,
				      device_is_bound(pg_dt_device(test, names[i])),
				      "%s", names[i]);
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&pg_dt.calls[i]), 1,
				    "%s", names[i]);
	}
	KUNIT_EXPECT_LE(test, pg_dt.end_ns[0], pg_dt.start_ns[1]);
	KUNIT_EXPECT_LE(test, pg_dt.end_ns[1], pg_dt.start_ns[2]);
	KUNIT_EXPECT_EQ(test, declared1 - declared0, 0);
	KUNIT_EXPECT_EQ(test, driver1 - driver0, 0);
}

/*
 * Once the drivers are done, as they are after boot, fw_devlink relaxes
 * the links to a supplier that no driver matches as its device is added:
 * the consumer waiting for it binds with no other event.
 */
static void probe_graph_dt_no_driver_test(struct kunit *test)
{
	static const char * const names[] = { "pg-nd-con", NULL };

	pg_dt_setup(test, names);
	KUNIT_ASSERT_EQ(test, 0, of_overlay_apply_kunit(test,
							probe_graph_kunit_nodrv));
	wait_for_device_probe();

	KUNIT_EXPECT_FALSE(test, device_is_bound(pg_dt_device(test,
							      "pg-nd-sup")));
	KUNIT_EXPECT_TRUE(test, device_is_bound(pg_dt_device(test,
							     "pg-nd-con")));
	KUNIT_EXPECT_EQ(test, atomic_read(&pg_dt.calls[0]), 1);
}

/*
 * Supplier bindings fw_devlink parses for the probe graph: a consumer node
 * listed before its supplier, so that only the binding can hold the
 * consumer's probe back until the supplier has bound.
 */
struct pg_dt_binding {
	const char *desc;
	const char *consumer;
	const char *supplier;
	int which;
};

static const struct pg_dt_binding pg_dt_bindings[] = {
	{ "mmc-pwrseq", "pg-pw-host", "pg-pw-seq", 0 },
	{ "phy-handle", "pg-ph-mac", "pg-ph-mdio", 1 },
};

KUNIT_ARRAY_PARAM_DESC(pg_dt_binding, pg_dt_bindings, desc);

static void probe_graph_dt_binding_test(struct kunit *test)
{
	const struct pg_dt_binding *b = test->param_value;
	const char * const names[] = { b->consumer, b->supplier, NULL };
	unsigned int i;
	int ret = -EINVAL;

	pg_dt_prepare(test, names);
	switch (b->which) {
	case 0:
		ret = of_overlay_apply_kunit(test, probe_graph_kunit_pwrseq);
		break;
	case 1:
		ret = of_overlay_apply_kunit(test, probe_graph_kunit_phyhandle);
		break;
	}
	KUNIT_ASSERT_EQ(test, 0, ret);
	wait_for_device_probe();

	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_TRUE_MSG(test,
				      device_is_bound(pg_dt_device(test, names[i])),
				      "%s", names[i]);
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&pg_dt.calls[i]), 1,
				    "%s", names[i]);
	}
	/* The consumer's probe started after the supplier's ended. */
	KUNIT_EXPECT_LE(test, pg_dt.end_ns[1], pg_dt.start_ns[0]);
}

#if IS_BUILTIN(CONFIG_PROBE_GRAPH_KUNIT_TEST)
/*
 * Best effort, as an NFS or CIFS root asks for it: pg-be-con waits for
 * pg-be-sup, a device that exists and that no driver matches.  It was
 * added after the drivers were done (fw_devlink_drivers_done() relaxes
 * only the links that exist by then), and before its consumer, so
 * fw_devlink_unblock_consumers() had no link to relax: the consumer waits
 * until wait_for_init_devices_probe() lets it probe without the optional
 * supplier.  The function is __init, so the suite runs at boot.
 */
static void __init probe_graph_best_effort_test(struct kunit *test)
{
	static const char * const names[] = { "pg-be-con", NULL };
	struct device *con;

	if (IS_ENABLED(CONFIG_MODULES))
		kunit_skip(test, "the deferred probe timeout relaxes the link");
	pg_dt_prepare(test, names);
	KUNIT_ASSERT_EQ(test, 0, of_overlay_apply_kunit(test,
							probe_graph_kunit_besteffort));
	wait_for_device_probe();
	con = pg_dt_device(test, "pg-be-con");
	KUNIT_ASSERT_FALSE(test, device_is_bound(pg_dt_device(test,
							      "pg-be-sup")));
	KUNIT_ASSERT_FALSE_MSG(test, device_is_bound(con),
			       "nothing holds the consumer back");
	KUNIT_ASSERT_EQ(test, atomic_read(&pg_dt.calls[0]), 0);

	wait_for_init_devices_probe();

	KUNIT_EXPECT_TRUE(test, device_is_bound(con));
	KUNIT_EXPECT_EQ(test, atomic_read(&pg_dt.calls[0]), 1);
	/* debugfs says why it went ahead of its supplier. */
	if (probe_graph_get_mode() != PROBE_GRAPH_OFF) {
		struct probe_graph_node_info info;

		KUNIT_ASSERT_EQ(test, 0, probe_graph_node_info(con, &info));
		KUNIT_EXPECT_TRUE(test, info.best_effort);
	}
}
#endif

struct pg_dt_cycle {
	const char *desc;
	const char * const *names;
	const char *members;
	int which;
};

static const char * const pg_dt_cycle2_names[] = {
	"pg-cy2-a", "pg-cy2-b", NULL
};

static const char * const pg_dt_cycle3_names[] = {
	"pg-cy3-a", "pg-cy3-b", "pg-cy3-c", NULL
};

static const char * const pg_dt_self_names[] = { "pg-self", NULL };

static const struct pg_dt_cycle pg_dt_cycles[] = {
	{ "2-cycle", pg_dt_cycle2_names, "pg-cy2-a pg-cy2-b", 2 },
	{ "3-cycle", pg_dt_cycle3_names, "pg-cy3-a pg-cy3-b pg-cy3-c", 3 },
	{ "self-reference", pg_dt_self_names, NULL, 1 },
};

KUNIT_ARRAY_PARAM_DESC(pg_dt_cycle, pg_dt_cycles, desc);

/* Devices in a dependency cycle still probe, and the cycle is reported. */
static void probe_graph_dt_cycle_test(struct kunit *test)
{
	const struct pg_dt_cycle *cy = test->param_value;
	unsigned int i;
	int ret;

	pg_dt_setup(test, cy->names);
	switch (cy->which) {
	case 2:
		ret = of_overlay_apply_kunit(test, probe_graph_kunit_cycle2);
		break;
	case 3:
		ret = of_overlay_apply_kunit(test, probe_graph_kunit_cycle3);
		break;
	default:
		ret = of_overlay_apply_kunit(test, probe_graph_kunit_self);
		break;
	}
	KUNIT_ASSERT_EQ(test, 0, ret);
	wait_for_device_probe();

	for (i = 0; cy->names[i]; i++) {
		KUNIT_EXPECT_TRUE_MSG(test,
				      device_is_bound(pg_dt_device(test, cy->names[i])),
				      "%s", cy->names[i]);
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&pg_dt.calls[i]), 1,
				    "%s", cy->names[i]);
	}
	if (cy->members)
		KUNIT_EXPECT_TRUE(test, probe_graph_cycle_reported(cy->members));
}

static void pg_dt_depopulate(void *dev)
{
	of_platform_depopulate(dev);
}

/*
 * A cycle fw_devlink broke is reported even though its members never
 * are devices at the same time: pg-cyl-a is bound, and its links to the
 * cycle dropped, before the devices of the two others are added.
 */
static void probe_graph_dt_cycle_late_test(struct kunit *test)
{
	static const char * const names[] = {
		"pg-cyl-a", "pg-cyl-b", "pg-cyl-c", NULL
	};
	static const char members[] =
		"pg-cyl-a pg-cyl-bus:pg-cyl-b pg-cyl-bus:pg-cyl-c";
	struct device_node *bus_np;
	struct device *bus;
	unsigned int i;

	pg_dt_setup(test, names);
	KUNIT_ASSERT_EQ(test, 0, of_overlay_apply_kunit(test,
							probe_graph_kunit_cyclelate));
	wait_for_device_probe();
	KUNIT_ASSERT_TRUE(test, device_is_bound(pg_dt_device(test, names[0])));

	bus_np = of_find_node_by_name(NULL, "pg-cyl-bus");
	KUNIT_ASSERT_NOT_NULL(test, bus_np);
	of_node_put_kunit(test, bus_np);
	bus = pg_dt_device(test, "pg-cyl-bus");
	KUNIT_ASSERT_EQ(test, 0, of_platform_populate(bus_np, NULL, NULL, bus));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   pg_dt_depopulate,
							   bus));
	wait_for_device_probe();

	for (i = 0; names[i]; i++) {
		KUNIT_EXPECT_TRUE_MSG(test,
				      device_is_bound(pg_dt_device(test, names[i])),
				      "%s", names[i]);
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&pg_dt.calls[i]), 1,
				    "%s", names[i]);
	}
	KUNIT_EXPECT_TRUE(test, probe_graph_cycle_reported(members));
}
#endif /* CONFIG_OF_OVERLAY */

/*
 * Stress: seeded random operations from several threads on a random
 * graph whose probes sleep, through the paths sysfs and drivers use:
 * devices added and deleted with their links, drivers registered and
 * unregistered, bind as bind_store() does it, unbind (suppliers too,
 * under bound consumers), bus rescans as drivers_probe does them, and
 * probing blocked and unblocked.  At the end every device left must bind
 * once all drivers are back, the graph's invariants must hold, and once
 * everything is deleted no node may be left.
 */
#define PG_STRESS_SLOTS		48
#define PG_STRESS_THREADS	4
#define PG_STRESS_OPS		10000
#define PG_STRESS_TIME		(300 * HZ)
#define PG_STRESS_MAX_SUP	3
#define PG_STRESS_PROBE_US	200
#define PG_STRESS_BLOCKS	50

static unsigned int stress_seed = 1;
module_param(stress_seed, uint, 0444);
MODULE_PARM_DESC(stress_seed, "Seed of the probe_graph_stress case");

enum pg_stress_op {
	PG_OP_ADD,
	PG_OP_DEL,
	PG_OP_BIND,
	PG_OP_UNBIND,
	PG_OP_DRIVER,
	PG_OP_RESCAN,
	PG_OP_BLOCK,
	PG_OP_NR,
};

static const char * const pg_stress_op_names[] = {
	[PG_OP_ADD]	= "add",
	[PG_OP_DEL]	= "del",
	[PG_OP_BIND]	= "bind",
	[PG_OP_UNBIND]	= "unbind",
	[PG_OP_DRIVER]	= "driver",
	[PG_OP_RESCAN]	= "rescan",
	[PG_OP_BLOCK]	= "block",
};

/* Out of 100: how often each operation is picked; blocking comes after. */
static const unsigned int pg_stress_op_weight[] = {
	[PG_OP_ADD]	= 30,
	[PG_OP_DEL]	= 8,
	[PG_OP_BIND]	= 20,
	[PG_OP_UNBIND]	= 28,
	[PG_OP_DRIVER]	= 7,
	[PG_OP_RESCAN]	= 7,
};

struct pg_stress;

struct pg_stress_dev {
	struct device dev;
	struct pg_stress *st;
	unsigned int slot;
	bool linked;
};

struct pg_stress_driver {
	struct device_driver drv;
	struct pg_stress *st;
	struct rw_semaphore rwsem;	/* held for writing to (un)register */
	bool registered;		/* rwsem */
};

/**
 * struct pg_stress_slot - a place for one device
 * @sd: the device while it exists (lock)
 * @parent: index of the parent slot, or -1; the device exists only
 *	while its parent does
 * @nsup: number of suppliers
 * @sup: indexes of the supplier slots, all below this one's
 * @probe_us: how long a probe sleeps
 */
struct pg_stress_slot {
	struct pg_stress_dev *sd;
	int parent;
	unsigned int nsup;
	unsigned int sup[PG_STRESS_MAX_SUP];
	unsigned int probe_us;
};

/**
 * struct pg_stress - one stress run
 * @lock: which devices exist and their links
 * @links: held for writing while links are made, for reading by binds
 *	and unbinds: the driver core does not expect a link to appear while
 *	its supplier is between bound and unbound
 * @unbind: serialises binds, unbinds and rescans, as one sysfs writer
 *	would: device_links_unbind_consumers() drops the device lock, and a
 *	second unbind of the same device meanwhile leaves its consumer links
 *	in the "supplier unbind" state
 * @slot: the devices' places
 * @drv: two drivers, for even and odd slots
 * @names: bumped for every device, so names are never reused
 * @ops: operations done, by kind
 * @errors: binds and rescans that returned an error, as sysfs would
 * @total: operations started
 * @probes: ->probe() calls
 * @deadline: jiffies after which the threads stop, done or not
 * @done: completed by each thread when it stops
 */
struct pg_stress {
	struct mutex lock;	/* which devices exist, their links */
	struct rw_semaphore links;
	struct mutex unbind;	/* one unbind at a time */
	struct pg_stress_slot slot[PG_STRESS_SLOTS];
	struct pg_stress_driver drv[2];
	atomic_t names;
	atomic_t ops[PG_OP_NR];
	atomic_t errors;
	atomic_t total;
	atomic_t probes;
	unsigned long deadline;
	struct completion done;
};

struct pg_stress_thread {
	struct pg_stress *st;
	struct rnd_state rnd;
	unsigned int id;
};

static int pg_stress_match(struct device *dev, const struct device_driver *drv)
{
	struct pg_stress_dev *sd = container_of(dev, struct pg_stress_dev, dev);

	/* Not before its links exist, as fw_devlink makes them in device_add(). */
	return READ_ONCE(sd->linked) && drv == &sd->st->drv[sd->slot % 2].drv;
}

static const struct bus_type pg_stress_bus = {
	.name = "probe_graph_stress",
	.match = pg_stress_match,
};

static int pg_stress_probe(struct device *dev)
{
	struct pg_stress_dev *sd = container_of(dev, struct pg_stress_dev, dev);

	atomic_inc(&sd->st->probes);
	fsleep(sd->st->slot[sd->slot].probe_us);
	return 0;
}

static void pg_stress_release(struct device *dev)
{
	kfree(container_of(dev, struct pg_stress_dev, dev));
}

static u32 pg_rand(struct rnd_state *rnd, u32 n)
{
	return prandom_u32_state(rnd) % n;
}

/*
 * Adds the device of a slot whose parent and suppliers exist, and links it
 * to its suppliers before it can probe, as fw_devlink does.
 */
static void pg_stress_add(struct pg_stress *st, unsigned int i)
{
	struct pg_stress_slot *slot = &st->slot[i];
	struct pg_stress_dev *sd;
	struct device *sup;
	unsigned int k;

	lockdep_assert_held(&st->lock);

	if (slot->sd || (slot->parent >= 0 && !st->slot[slot->parent].sd))
		return;
	for (k = 0; k < slot->nsup; k++)
		if (!st->slot[slot->sup[k]].sd)
			return;
	sd = kzalloc(sizeof(*sd), GFP_KERNEL);
	if (!sd)
		return;
	sd->st = st;
	sd->slot = i;
	device_initialize(&sd->dev);
	sd->dev.bus = &pg_stress_bus;
	sd->dev.release = pg_stress_release;
	if (slot->parent >= 0)
		sd->dev.parent = &st->slot[slot->parent].sd->dev;
	if (dev_set_name(&sd->dev, "pgs-%u-%d", i,
			 atomic_inc_return(&st->names)) ||
	    device_add(&sd->dev)) {
		put_device(&sd->dev);
		return;
	}
	slot->sd = sd;

	scoped_guard(rwsem_write, &st->links) {
		for (k = 0; k < slot->nsup; k++) {
			sup = &st->slot[slot->sup[k]].sd->dev;
			guard(device)(sup);
			device_link_add(&sd->dev, sup, DL_FLAG_AUTOPROBE_CONSUMER);
		}
	}
	WRITE_ONCE(sd->linked, true);
	/* As drivers_probe does. */
	if (device_attach(&sd->dev) < 0)
		atomic_inc(&st->errors);
}

static void pg_stress_del(struct pg_stress *st, unsigned int i)
{
	unsigned int j;

	lockdep_assert_held(&st->lock);

	if (!st->slot[i].sd)
		return;
	for (j = i + 1; j < PG_STRESS_SLOTS; j++)
		if (st->slot[j].parent == i && st->slot[j].sd)
			return;
	/* Unbinds it, and its consumers first, if bound; may be probing. */
	device_unregister(&st->slot[i].sd->dev);
	st->slot[i].sd = NULL;
}

static struct device *pg_stress_get(struct pg_stress *st, unsigned int i)
{
	guard(mutex)(&st->lock);
	return st->slot[i].sd ? get_device(&st->slot[i].sd->dev) : NULL;
}

/* Unregisters the driver, unbinding its devices, and registers it again. */
static void pg_stress_driver_reload(struct pg_stress_driver *d)
{
	guard(rwsem_write)(&d->rwsem);
	if (d->registered)
		driver_unregister(&d->drv);
	d->registered = !driver_register(&d->drv);
}

static void pg_stress_one(struct pg_stress_thread *t)
{
	struct pg_stress *st = t->st;
	unsigned int i = pg_rand(&t->rnd, PG_STRESS_SLOTS);
	u32 pick = pg_rand(&t->rnd, 100);
	enum pg_stress_op op;
	struct device *dev;

	for (op = 0; op < PG_OP_RESCAN; op++) {
		if (pick < pg_stress_op_weight[op])
			break;
		pick -= pg_stress_op_weight[op];
	}

	switch (op) {
	case PG_OP_ADD:
		scoped_guard(mutex, &st->lock)
			pg_stress_add(st, i);
		break;
	case PG_OP_DEL:
		scoped_guard(mutex, &st->lock) {
			guard(mutex)(&st->unbind);
			pg_stress_del(st, i);
		}
		break;
	case PG_OP_BIND:
		dev = pg_stress_get(st, i);
		if (!dev)
			break;
		/* As bind_store(): the driver stays registered meanwhile. */
		scoped_guard(mutex, &st->unbind) {
			guard(rwsem_read)(&st->links);
			guard(rwsem_read)(&st->drv[i % 2].rwsem);
			if (st->drv[i % 2].registered &&
			    device_driver_attach(&st->drv[i % 2].drv, dev))
				atomic_inc(&st->errors);
		}
		put_device(dev);
		break;
	case PG_OP_UNBIND:
		dev = pg_stress_get(st, i);
		if (!dev)
			break;
		scoped_guard(mutex, &st->unbind) {
			guard(rwsem_read)(&st->links);
			device_release_driver(dev);
		}
		put_device(dev);
		break;
	case PG_OP_DRIVER:
		scoped_guard(mutex, &st->unbind) {
			guard(rwsem_read)(&st->links);
			pg_stress_driver_reload(&st->drv[i % 2]);
		}
		break;
	case PG_OP_RESCAN:
		scoped_guard(mutex, &st->unbind) {
			guard(rwsem_read)(&st->links);
			if (bus_rescan_devices(&pg_stress_bus))
				atomic_inc(&st->errors);
		}
		break;
	case PG_OP_BLOCK:
	case PG_OP_NR:
		break;
	}
	atomic_inc(&st->ops[op]);
}

static int pg_stress_thread_fn(void *data)
{
	struct pg_stress_thread *t = data;
	struct pg_stress *st = t->st;

	while (atomic_inc_return(&st->total) <= PG_STRESS_OPS &&
	       time_before(jiffies, st->deadline))
		pg_stress_one(t);
	complete(&st->done);
	return 0;
}

/* Deletes every device, consumers and children first, and the drivers. */
static void pg_stress_teardown(void *data)
{
	struct pg_stress *st = data;
	int i;

	scoped_guard(mutex, &st->lock)
		for (i = PG_STRESS_SLOTS - 1; i >= 0; i--)
			pg_stress_del(st, i);
	for (i = 0; i < 2; i++)
		if (st->drv[i].registered) {
			driver_unregister(&st->drv[i].drv);
			st->drv[i].registered = false;
		}
}

static void probe_graph_stress_test(struct kunit *test)
{
	struct pg_stress_thread *threads;
	struct probe_graph_check_info info;
	struct task_struct *task;
	struct rnd_state rnd;
	unsigned int i, j, k, n, nodes0, unbound = 0, present = 0, ops = 0;
	struct pg_stress *st;

	/*
	 * Without the graph, and in serial mode, declared dependencies go
	 * through the deferred list, and its worker's retries racing with
	 * this workload make device_links_missing_supplier() warn and can
	 * stall the run on 6.12.y: not something this suite can check.
	 */
	if (probe_graph_get_mode() != PROBE_GRAPH_ON)
		kunit_skip(test, "probe_graph=on only");

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	threads = kunit_kcalloc(test, PG_STRESS_THREADS, sizeof(*threads),
				GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_ASSERT_NOT_NULL(test, threads);
	mutex_init(&st->lock);
	init_rwsem(&st->links);
	mutex_init(&st->unbind);
	init_completion(&st->done);

	/* A random DAG: suppliers and parents have lower indexes. */
	prandom_seed_state(&rnd, stress_seed);
	for (i = 0; i < PG_STRESS_SLOTS; i++) {
		struct pg_stress_slot *slot = &st->slot[i];

		slot->parent = -1;
		slot->probe_us = pg_rand(&rnd, PG_STRESS_PROBE_US);
		if (!i)
			continue;
		slot->parent = pg_rand(&rnd, 4) ? -1 : pg_rand(&rnd, i);
		n = pg_rand(&rnd, PG_STRESS_MAX_SUP + 1);
		for (k = 0; k < n; k++) {
			j = pg_rand(&rnd, i);
			if (j != slot->parent)
				slot->sup[slot->nsup++] = j;
		}
	}
	for (i = 0; i < 2; i++) {
		st->drv[i].st = st;
		st->drv[i].drv.name = i ? "probe-graph-stress-odd" :
				      "probe-graph-stress-even";
		st->drv[i].drv.bus = &pg_stress_bus;
		st->drv[i].drv.probe = pg_stress_probe;
		init_rwsem(&st->drv[i].rwsem);
	}

	probe_graph_check(&info);
	nodes0 = info.nodes;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   pg_stress_teardown,
							   st));

	for (i = 0; i < 2; i++)
		pg_stress_driver_reload(&st->drv[i]);
	KUNIT_ASSERT_TRUE(test, st->drv[0].registered && st->drv[1].registered);

	st->deadline = jiffies + PG_STRESS_TIME;
	for (i = 0; i < PG_STRESS_THREADS; i++) {
		threads[i].st = st;
		threads[i].id = i;
		prandom_seed_state(&threads[i].rnd, stress_seed * 1000 + i + 1);
		task = kthread_run(pg_stress_thread_fn, &threads[i],
				   "pg-stress/%u", i);
		if (IS_ERR(task))
			complete(&st->done);
		KUNIT_EXPECT_FALSE(test, IS_ERR(task));
	}
	for (i = 0; i < PG_STRESS_THREADS; i++)
		wait_for_completion(&st->done);

	/*
	 * Block probing, as suspend does, while a driver registration's
	 * probes are in flight, add a device while blocked, and unblock.
	 * Blocking does not nest, so the other threads are done by now.
	 */
	for (i = 0; i < PG_STRESS_BLOCKS; i++) {
		scoped_guard(mutex, &st->unbind)
			pg_stress_driver_reload(&st->drv[i % 2]);
		device_block_probing();
		scoped_guard(mutex, &st->lock)
			pg_stress_add(st, prandom_u32_state(&rnd) %
				      PG_STRESS_SLOTS);
		device_unblock_probing();
		atomic_inc(&st->ops[PG_OP_BLOCK]);
	}

	for (i = 0; i < PG_OP_NR; i++) {
		kunit_info(test, "seed %u: %s %d\n", stress_seed,
			   pg_stress_op_names[i], atomic_read(&st->ops[i]));
		if (i != PG_OP_BLOCK)
			ops += atomic_read(&st->ops[i]);
	}
	KUNIT_EXPECT_EQ_MSG(test, ops, PG_STRESS_OPS,
			    "not all operations done in time");

	/* Every driver back, every device offered again: all must bind. */
	for (i = 0; i < 2; i++)
		if (!st->drv[i].registered)
			pg_stress_driver_reload(&st->drv[i]);
	KUNIT_EXPECT_TRUE(test, st->drv[0].registered && st->drv[1].registered);
	/* Like drivers_probe: may report a device that defers. */
	if (bus_rescan_devices(&pg_stress_bus))
		atomic_inc(&st->errors);
	wait_for_device_probe();
	scoped_guard(mutex, &st->lock) {
		for (i = 0; i < PG_STRESS_SLOTS; i++) {
			struct device *dev;

			if (!st->slot[i].sd)
				continue;
			dev = &st->slot[i].sd->dev;
			present++;
			if (!device_is_bound(dev)) {
				unbound++;
				kunit_err(test, "%s not bound\n", dev_name(dev));
			}
		}
	}
	KUNIT_EXPECT_EQ(test, unbound, 0);
	kunit_info(test, "seed %u: %d probes, %d bind/rescan errors, %u devices left\n",
		   stress_seed, atomic_read(&st->probes),
		   atomic_read(&st->errors), present);

	probe_graph_check(&info);
	KUNIT_EXPECT_EQ_MSG(test, info.problems, 0, "%s", info.first);

	pg_stress_teardown(st);
	wait_for_device_probe();
	probe_graph_check(&info);
	KUNIT_EXPECT_EQ_MSG(test, info.problems, 0, "%s", info.first);
	KUNIT_EXPECT_EQ(test, info.nodes, nodes0);
}

static int probe_graph_stress_init(struct kunit_suite *suite)
{
	return bus_register(&pg_stress_bus);
}

static void probe_graph_stress_exit(struct kunit_suite *suite)
{
	bus_unregister(&pg_stress_bus);
}

static struct kunit_case probe_graph_stress_test_cases[] = {
	KUNIT_CASE_SLOW(probe_graph_stress_test),
	{}
};

static struct kunit_suite probe_graph_stress_test_suite = {
	.name = "probe_graph_stress",
	.suite_init = probe_graph_stress_init,
	.suite_exit = probe_graph_stress_exit,
	.test_cases = probe_graph_stress_test_cases,
};

static int probe_graph_suite_init(struct kunit_suite *suite);
static void probe_graph_suite_exit(struct kunit_suite *suite);

/*
 * Scale: n devices with up to three suppliers each and probes that do
 * nothing.  Reports what building and draining the graph cost per device;
 * asserts only the outcome, not the time.
 */
static const unsigned int pg_scale_sizes[] = { 1000, 10000, 100000 };

static unsigned int scale_max = 10000;
module_param(scale_max, uint, 0444);
MODULE_PARM_DESC(scale_max, "Largest graph of the probe_graph_scale case");

static void pg_scale_desc(const unsigned int *n, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u devices", *n);
}

KUNIT_ARRAY_PARAM(pg_scale, pg_scale_sizes, pg_scale_desc);

static void probe_graph_scale_test(struct kunit *test)
{
	const unsigned int n = *(const unsigned int *)test->param_value;
	struct probe_graph_check_info info;
	struct pg_ctx *ctx;
	u64 t0, t1, t2;
	unsigned int i, bound = 0, calls = 0, nodes0;

	pg_skip_if_off(test);
	if (n > scale_max)
		kunit_skip(test, "larger than probe_graph_kunit.scale_max=%u",
			   scale_max);

	ctx = pg_ctx_alloc(test, n);
	for (i = 1; i < n; i++) {
		pg_edge(ctx, i - 1, i);
		if (i / 2 != i - 1)
			pg_edge(ctx, i / 2, i);
		if (i / 3 != i - 1 && i / 3 != i / 2)
			pg_edge(ctx, i / 3, i);
	}
	probe_graph_check(&info);
	nodes0 = info.nodes;
	t0 = ktime_get_ns();
	pg_add_all(ctx);
	t1 = ktime_get_ns();
	/* No driver matches them yet: the graph keeps nothing for them. */
	probe_graph_check(&info);
	KUNIT_EXPECT_EQ(test, info.nodes, nodes0);
	pg_register_driver(ctx);
	wait_for_device_probe();
	t2 = ktime_get_ns();
	probe_graph_check(&info);
	KUNIT_EXPECT_EQ_MSG(test, info.problems, 0, "%s", info.first);
	KUNIT_EXPECT_EQ(test, info.nodes - nodes0, n);
	/* Bound: what a device waits or probes with is freed. */
	KUNIT_EXPECT_EQ(test, info.pending, 0);
	KUNIT_EXPECT_LE(test, info.node_bytes, 64);
	/* Unless lockdep gives the work item a map of its own. */
	if (!IS_ENABLED(CONFIG_LOCKDEP))
		KUNIT_EXPECT_LE(test, info.pending_bytes, 256);

	for (i = 0; i < n; i++) {
		bound += device_is_bound(&ctx->devs[i]->dev);
		calls += atomic_read(&ctx->rec[i].calls);
	}
	KUNIT_EXPECT_EQ(test, bound, n);
	KUNIT_EXPECT_EQ(test, calls, n);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->violations), 0);
	kunit_info(test, "%u devices: add+link %llu ns/device, register to all bound %llu ns/device\n",
		   n, div_u64(t1 - t0, n), div_u64(t2 - t1, n));
	/*
	 * Edges are the device links themselves: the graph adds nothing.
	 * Besides its node, a device has a pointer in its device_private,
	 * whether a driver matches it or not; the slab object that holds
	 * it is reported apart.
	 */
	kunit_info(test, "%u devices: %zu bytes per node, 0 per edge\n",
		   n, info.node_bytes);
	kunit_info(test, "%u devices: %zu bytes per pending device, device_private %zu bytes in a %zu-byte object\n",
		   n, info.pending_bytes, sizeof(struct device_private),
		   kmalloc_size_roundup(sizeof(struct device_private)));
}

static struct kunit_case probe_graph_scale_test_cases[] = {
	KUNIT_CASE_PARAM_ATTR(probe_graph_scale_test, pg_scale_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite probe_graph_scale_test_suite = {
	.name = "probe_graph_scale",
	.suite_init = probe_graph_suite_init,
	.suite_exit = probe_graph_suite_exit,
	.test_cases = probe_graph_scale_test_cases,
};

static int probe_graph_suite_init(struct kunit_suite *suite)
{
	return bus_register(&pg_bus);
}

static void probe_graph_suite_exit(struct kunit_suite *suite)
{
	bus_unregister(&pg_bus);
}

static struct kunit_case probe_graph_test_cases[] = {
	KUNIT_CASE(probe_graph_node_bind_test),
	KUNIT_CASE(probe_graph_parent_unbinds_child_test),
	KUNIT_CASE(probe_graph_node_del_test),
	KUNIT_CASE_PARAM(probe_graph_topology_test, pg_topo_gen_params),
	KUNIT_CASE_SLOW(probe_graph_deep_links_test),
	KUNIT_CASE(probe_graph_no_driver_test),
	KUNIT_CASE_PARAM(probe_graph_undeclared_defer_test, pg_defer_gen_params),
	KUNIT_CASE(probe_graph_mfd_parent_test),
	KUNIT_CASE(probe_graph_remove_queued_test),
	KUNIT_CASE(probe_graph_remove_probing_test),
	KUNIT_CASE(probe_graph_next_driver_test),
	KUNIT_CASE(probe_graph_unbind_rebind_test),
	KUNIT_CASE(probe_graph_block_probing_test),
	KUNIT_CASE(probe_graph_driver_gone_test),
	KUNIT_CASE(probe_graph_parent_lock_test),
	KUNIT_CASE(probe_graph_force_sync_test),
	KUNIT_CASE_PARAM(probe_graph_nested_child_test, pg_nest_gen_params),
	KUNIT_CASE(probe_graph_device_add_test),
	KUNIT_CASE(probe_graph_async_driver_test),
	KUNIT_CASE_PARAM(probe_graph_link_gone_test, pg_link_gone_gen_params),
	KUNIT_CASE_PARAM(probe_graph_registration_waits_test,
			 pg_max_active_gen_params),
#if IS_ENABLED(CONFIG_OF_OVERLAY)
	KUNIT_CASE(probe_graph_dt_chain_test),
	KUNIT_CASE(probe_graph_dt_no_driver_test),
	KUNIT_CASE_PARAM(probe_graph_dt_binding_test, pg_dt_binding_gen_params),
	KUNIT_CASE_PARAM(probe_graph_dt_cycle_test, pg_dt_cycle_gen_params),
	KUNIT_CASE(probe_graph_dt_cycle_late_test),
#endif
	{}
};

static struct kunit_suite probe_graph_test_suite = {
	.name = "probe_graph",
	.suite_init = probe_graph_suite_init,
	.suite_exit = probe_graph_suite_exit,
	.test_cases = probe_graph_test_cases,
};

kunit_test_suites(&probe_graph_test_suite, &probe_graph_scale_test_suite,
		  &probe_graph_stress_test_suite);

#if IS_BUILTIN(CONFIG_PROBE_GRAPH_KUNIT_TEST) && IS_ENABLED(CONFIG_OF_OVERLAY)
/* Not __initdata: KUnit reports the results after boot. */
static struct kunit_case __refdata probe_graph_init_test_cases[] = {
	KUNIT_CASE(probe_graph_best_effort_test),
	{}
};

static struct kunit_suite probe_graph_init_test_suite = {
	.name = "probe_graph_init",
	.test_cases = probe_graph_init_test_cases,
};

kunit_test_init_section_suites(&probe_graph_init_test_suite);
#endif

MODULE_DESCRIPTION("KUnit tests for the probe graph");
MODULE_LICENSE("GPL");
