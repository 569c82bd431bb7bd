// SPDX-License-Identifier: GPL-2.0
/*
 * Probe graph cycles: finding and reporting dependency cycles.
 *
 * The graph never relaxes an edge itself.  fw_devlink breaks the cycles
 * it finds in firmware (FWLINK_FLAG_CYCLE, DL_FLAG_CYCLE) and
 * device_link_add() refuses a link that would close a cycle of device
 * links, so the graph only reports cycles: the strongly connected
 * components of its blocking edges and of the edges fw_devlink marked as
 * part of a cycle.  The whole graph is searched at the end of boot and
 * when the deferred probe timeout expires, and the part of it a device
 * reaches when it becomes ready with a marked edge; never from debugfs.
 * Each cycle is reported once.
 *
 * A cycle fw_devlink broke need not exist among devices at any one time:
 * a member can be bound, and its marked links dropped, before the device
 * of another member is even added.  So when a device becomes ready, the
 * marked edges it has then are also noted, by the firmware node names at
 * their ends, and the noted edges are searched as well: each member is
 * ready once, so the cycle closes among them when the last one is.  An
 * edge is noted once and forgotten when its consumer's device goes.
 *
 * A search keeps its state in arrays of its own, indexed by the position
 * of each node in the search, and frees them when it is done: nothing is
 * kept in the nodes.  Everything here runs with probe_graph_lock (G)
 * held.
 */

#include <linux/bitmap.h>
#include <linux/cleanup.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/property.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>

#include "base.h"
#include "probe_graph_internal.h"

/**
 * struct probe_graph_cycle - a reported dependency cycle
 * @list: entry in probe_graph_cycles (G).
 * @members: the device names of the cycle, sorted, space separated.
 */
struct probe_graph_cycle {
	struct list_head list;
	char *members;
};

static LIST_HEAD(probe_graph_cycles);		/* G */
static unsigned int probe_graph_cycles_found;	/* G */

/**
 * struct probe_graph_fw_edge - an edge fw_devlink marked as part of a cycle
 * @list: entry in probe_graph_fw_edges (G).
 * @node: the consumer's node, which had the edge when it became ready.
 * @con: full name of the consumer's firmware node.
 * @sup: full name of the supplier's firmware node.
 */
struct probe_graph_fw_edge {
	struct list_head list;
	struct probe_graph_node *node;
	char *con;
	char *sup;
};

static LIST_HEAD(probe_graph_fw_edges);		/* G */

/**
 * struct probe_graph_scc - one search for strongly connected components
 * @pos: the position of each node of the search, plus one.
 * @nodes: the nodes of the search, by position.
 * @n: number of @nodes.
 * @size: allocated entries of @nodes.
 * @adj: the successors of every node, by position.
 * @adj_len: used entries of @adj.
 * @adj_size: allocated entries of @adj.
 * @first: where the successors of each node start in @adj; @n + 1
 *	entries.
 * @collect: successors found are recorded in @adj; otherwise they are
 *	added to the search.
 * @noted: the edges are the noted ones (&struct probe_graph_fw_edge),
 *	not those of the devices now.
 * @failed: out of memory: the search is abandoned.
 */
struct probe_graph_scc {
	struct xarray pos;
	struct probe_graph_node **nodes;
	unsigned int n;
	unsigned int size;
	unsigned int *adj;
	unsigned int adj_len;
	unsigned int adj_size;
	unsigned int *first;
	bool collect;
	bool noted;
	bool failed;
};

static unsigned long probe_graph_scc_key(const struct probe_graph_node *node)
{
	return (unsigned long)node / sizeof(void *);
}

/* Grow the array @arr of @size entries of @elem bytes to hold @len + 1. */
static bool probe_graph_scc_grow(void **arr, unsigned int len,
				 unsigned int *size, size_t elem)
{
	unsigned int want = max(64U, *size * 2);
	void *grown;

	if (len < *size)
		return true;
	grown = kvrealloc(*arr, array_size(want, elem), GFP_KERNEL);
	if (!grown)
		return false;
	*arr = grown;
	*size = want;
	return true;
}

/* Add @node to the search, if it is not part of it yet. */
static void probe_graph_scc_add(struct probe_graph_scc *scc,
				struct probe_graph_node *node)
{
	unsigned long key = probe_graph_scc_key(node);

	if (scc->failed || xa_load(&scc->pos, key))
		return;
	if (!probe_graph_scc_grow((void **)&scc->nodes, scc->n, &scc->size,
				  sizeof(*scc->nodes)) ||
	    xa_is_err(xa_store(&scc->pos, key, xa_mk_value(scc->n + 1),
			       GFP_KERNEL))) {
		scc->failed = true;
		return;
	}
	scc->nodes[scc->n++] = node;
}

/* @to depends-on target of a node being looked at. */
static void probe_graph_scc_next(struct probe_graph_scc *scc,
				 struct probe_graph_node *to)
{
	void *pos;

	if (!scc->collect) {
		probe_graph_scc_add(scc, to);
		return;
	}
	pos = xa_load(&scc->pos, probe_graph_scc_key(to));
	if (!pos || scc->failed)
		return;
	if (!probe_graph_scc_grow((void **)&scc->adj, scc->adj_len,
				  &scc->adj_size, sizeof(*scc->adj))) {
		scc->failed = true;
		return;
	}
	scc->adj[scc->adj_len++] = xa_to_value(pos) - 1;
}

static int probe_graph_scc_edge(const struct device_supplier_edge *edge,
				void *data)
{
	struct probe_graph_node *to;

	if (!edge->supplier ||
	    !(edge->flags & (DEVICE_EDGE_BLOCKING | DEVICE_EDGE_CYCLE)))
		return 0;
	to = probe_graph_node_of(edge->supplier);
	if (to)
		probe_graph_scc_next(data, to);
	return 0;
}

/* The noted edges of @node lead to the nodes that noted their supplier's. */
static void probe_graph_scc_walk_noted(struct probe_graph_scc *scc,
				       struct probe_graph_node *node)
{
	struct probe_graph_fw_edge *e, *f;

	list_for_each_entry(e, &probe_graph_fw_edges, list) {
		if (e->node != node)
			continue;
		list_for_each_entry(f, &probe_graph_fw_edges, list)
			if (!strcmp(f->con, e->sup))
				probe_graph_scc_next(scc, f->node);
	}
}

/* Look at what @node depends on: a blocking parent, blocking or cycle links. */
static void probe_graph_scc_walk(struct probe_graph_scc *scc,
				 struct probe_graph_node *node)
{
	struct probe_graph_node *parent;

	lockdep_assert_held(&probe_graph_lock);

	if (scc->noted) {
		probe_graph_scc_walk_noted(scc, node);
		return;
	}
	if (probe_graph_parent_blocks(node->dev)) {
		parent = probe_graph_node_of(node->dev->parent);
		if (parent)
			probe_graph_scc_next(scc, parent);
	}
	device_links_walk_suppliers(node->dev, probe_graph_scc_edge, scc);
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
	probe_graph_cycles_found++;
	pr_warn("probe_graph: dependency cycle: %s\n", cycle->members);
}

/**
 * struct probe_graph_tarjan - the arrays of Tarjan's algorithm
 * @index: discovery index of each node, UINT_MAX until discovered.
 * @low: low-link of each node.
 * @on_stack: whether each node is on the stack.
 * @stack: the stack, of positions.
 * @path: the positions on the depth-first path.
 * @next: for each position on @path, its next successor in @adj.
 * @members: the members of the component being reported.
 */
struct probe_graph_tarjan {
	unsigned int *index;
	unsigned int *low;
	unsigned long *on_stack;
	unsigned int *stack;
	unsigned int *path;
	unsigned int *next;
	struct probe_graph_node **members;
};

static void probe_graph_tarjan_free(struct probe_graph_tarjan *t)
{
	kvfree(t->members);
	kvfree(t->next);
	kvfree(t->path);
	kvfree(t->stack);
	bitmap_free(t->on_stack);
	kvfree(t->low);
	kvfree(t->index);
}

static bool probe_graph_tarjan_alloc(struct probe_graph_tarjan *t,
				     unsigned int n)
{
	t->index = kvmalloc_array(n, sizeof(*t->index), GFP_KERNEL);
	t->low = kvmalloc_array(n, sizeof(*t->low), GFP_KERNEL);
	t->on_stack = bitmap_zalloc(n, GFP_KERNEL);
	t->stack = kvmalloc_array(n, sizeof(*t->stack), GFP_KERNEL);
	t->path = kvmalloc_array(n, sizeof(*t->path), GFP_KERNEL);
	t->next = kvmalloc_array(n, sizeof(*t->next), GFP_KERNEL);
	t->members = kvmalloc_array(n, sizeof(*t->members), GFP_KERNEL);
	return t->index && t->low && t->on_stack && t->stack && t->path &&
	       t->next && t->members;
}

/* Discover @v: give it the next index and push it on the stack. */
static void probe_graph_tarjan_push(struct probe_graph_tarjan *t,
				    unsigned int v, unsigned int *counter,
				    unsigned int *sp)
{
	t->index[v] = *counter;
	t->low[v] = (*counter)++;
	set_bit(v, t->on_stack);
	t->stack[(*sp)++] = v;
}

/* Tarjan's algorithm, iterative, from @root. */
static void probe_graph_tarjan_visit(struct probe_graph_scc *scc,
				     struct probe_graph_tarjan *t,
				     unsigned int root, unsigned int *counter,
				     unsigned int *sp)
{
	unsigned int depth = 0, v, w, n, i;
	bool self;

	t->path[0] = root;
	t->next[0] = scc->first[root];
	probe_graph_tarjan_push(t, root, counter, sp);

	while (true) {
		v = t->path[depth];
		if (t->next[depth] < scc->first[v + 1]) {
			w = scc->adj[t->next[depth]++];
			if (t->index[w] == UINT_MAX) {
				probe_graph_tarjan_push(t, w, counter, sp);
				t->path[++depth] = w;
				t->next[depth] = scc->first[w];
			} else if (test_bit(w, t->on_stack)) {
				t->low[v] = min(t->low[v], t->index[w]);
			}
			continue;
		}

		if (t->low[v] == t->index[v]) {
			n = 0;
			do {
				w = t->stack[--(*sp)];
				clear_bit(w, t->on_stack);
				t->members[n++] = scc->nodes[w];
			} while (w != v);
			self = false;
			for (i = scc->first[v]; n == 1 && i < scc->first[v + 1]; i++)
				self |= scc->adj[i] == v;
			if (n > 1 || self)
				probe_graph_scc_found(t->members, n);
		}
		if (!depth)
			break;
		w = v;
		v = t->path[--depth];
		t->low[v] = min(t->low[v], t->low[w]);
	}
}

/* Collect the edges among the nodes of @scc, report its cycles, free it. */
static void probe_graph_scc_run(struct probe_graph_scc *scc)
{
	struct probe_graph_tarjan t = { };
	unsigned int i, counter = 0, sp = 0;

	lockdep_assert_held(&probe_graph_lock);

	scc->collect = true;
	if (scc->n && !scc->failed) {
		scc->first = kvmalloc_array(scc->n + 1, sizeof(*scc->first),
					    GFP_KERNEL);
		scc->failed = !scc->first;
	}
	for (i = 0; i < scc->n && !scc->failed; i++) {
		scc->first[i] = scc->adj_len;
		probe_graph_scc_walk(scc, scc->nodes[i]);
	}
	if (scc->n && !scc->failed) {
		scc->first[scc->n] = scc->adj_len;
		scc->failed = !probe_graph_tarjan_alloc(&t, scc->n);
	}
	if (scc->failed) {
		pr_warn("probe_graph: no memory to search for cycles\n");
	} else {
		for (i = 0; i < scc->n; i++)
			t.index[i] = UINT_MAX;
		for (i = 0; i < scc->n; i++)
			if (t.index[i] == UINT_MAX)
				probe_graph_tarjan_visit(scc, &t, i, &counter,
							 &sp);
	}

	probe_graph_tarjan_free(&t);
	kvfree(scc->first);
	kvfree(scc->adj);
	kvfree(scc->nodes);
	xa_destroy(&scc->pos);
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
	struct probe_graph_node *node;

	lockdep_assert_held(&probe_graph_lock);

	xa_init(&scc.pos);
	list_for_each_entry(node, &probe_graph_nodes, list)
		probe_graph_scc_add(&scc, node);
	probe_graph_scc_run(&scc);
}

static int probe_graph_cycle_edge(const struct device_supplier_edge *edge,
				  void *data)
{
	return !!(edge->flags & DEVICE_EDGE_CYCLE);
}

/**
 * probe_graph_has_cycle_edge() - whether fw_devlink broke a cycle at a node
 * @node: the node
 *
 * Context: G held.
 * Return: true if a supplier link of @node is marked as part of a cycle.
 */
bool probe_graph_has_cycle_edge(struct probe_graph_node *node)
{
	lockdep_assert_held(&probe_graph_lock);

	return device_links_walk_suppliers(node->dev, probe_graph_cycle_edge,
					   NULL) > 0;
}

/* Note a marked edge of the node @data, once. */
static int probe_graph_note_edge(const struct device_supplier_edge *edge,
				 void *data)
{
	struct probe_graph_node *node = data;
	struct probe_graph_fw_edge *e;

	if (!(edge->flags & DEVICE_EDGE_CYCLE) || !edge->fwnode)
		return 0;
	char *con __free(kfree) = kasprintf(GFP_KERNEL, "%pfwf",
					    dev_fwnode(node->dev));
	char *sup __free(kfree) = kasprintf(GFP_KERNEL, "%pfwf", edge->fwnode);
	if (!con || !sup)
		return 0;
	list_for_each_entry(e, &probe_graph_fw_edges, list)
		if (e->node == node && !strcmp(e->sup, sup))
			return 0;
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return 0;
	e->node = node;
	e->con = no_free_ptr(con);
	e->sup = no_free_ptr(sup);
	list_add_tail(&e->list, &probe_graph_fw_edges);
	return 0;
}

/* Search from @node, through the edges of the devices now or the noted ones. */
static void probe_graph_search_from(struct probe_graph_node *node, bool noted)
{
	struct probe_graph_scc scc = { .noted = noted };
	unsigned int i;

	xa_init(&scc.pos);
	probe_graph_scc_add(&scc, node);
	/* Breadth first: each node looked at adds its successors. */
	for (i = 0; i < scc.n && !scc.failed; i++)
		probe_graph_scc_walk(&scc, scc.nodes[i]);
	probe_graph_scc_run(&scc);
}

/**
 * probe_graph_report_fw_cycle() - report the cycle fw_devlink broke at @node
 * @node: a ready node with an edge fw_devlink marked as part of a cycle
 *
 * fw_devlink relaxes the links of a cycle it finds and drops them once the
 * devices bind.  The search covers what @node reaches through such edges
 * now, and through the edges noted when each node was ready, @node's
 * included, so the cycle is reported when its first member is ready if
 * all of them are devices by then, or else when its last one is.
 *
 * Context: G held.
 */
void probe_graph_report_fw_cycle(struct probe_graph_node *node)
{
	lockdep_assert_held(&probe_graph_lock);

	device_links_walk_suppliers(node->dev, probe_graph_note_edge, node);
	probe_graph_search_from(node, false);
	probe_graph_search_from(node, true);
}

/**
 * probe_graph_forget_fw_edges() - forget the edges a node noted
 * @node: a node whose device is being deleted
 *
 * Context: G held.
 */
void probe_graph_forget_fw_edges(struct probe_graph_node *node)
{
	struct probe_graph_fw_edge *e, *tmp;

	lockdep_assert_held(&probe_graph_lock);

	list_for_each_entry_safe(e, tmp, &probe_graph_fw_edges, list) {
		if (e->node != node)
			continue;
		list_del(&e->list);
		kfree(e->con);
		kfree(e->sup);
		kfree(e);
	}
}

/**
 * probe_graph_cycle_count() - how many cycles were reported
 *
 * Context: G held.
 * Return: the number of distinct cycles reported so far.
 */
unsigned int probe_graph_cycle_count(void)
{
	lockdep_assert_held(&probe_graph_lock);

	return probe_graph_cycles_found;
}

/**
 * probe_graph_show_cycles() - print the reported cycles, one per line
 * @s: the debugfs file
 *
 * Context: G held.
 */
void probe_graph_show_cycles(struct seq_file *s)
{
	struct probe_graph_cycle *cycle;

	lockdep_assert_held(&probe_graph_lock);

	list_for_each_entry(cycle, &probe_graph_cycles, list)
		seq_printf(s, "%s\n", cycle->members);
}

#if IS_ENABLED(CONFIG_PROBE_GRAPH_KUNIT_TEST)
/**
 * probe_graph_cycle_reported() - search for cycles, then look one up, for tests
 * @members: its device names, sorted, separated by spaces
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
