/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Probe graph: dependency-ordered, parallel device probing.
 *
 * Only what code outside drivers/base needs lives here; the driver core
 * hooks are declared in drivers/base/base.h.
 */
#ifndef _LINUX_PROBE_GRAPH_H
#define _LINUX_PROBE_GRAPH_H

#include <linux/types.h>

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

#ifdef CONFIG_PROBE_GRAPH
enum probe_graph_mode probe_graph_get_mode(void);
#else
static inline enum probe_graph_mode probe_graph_get_mode(void)
{
	return PROBE_GRAPH_OFF;
}
#endif

#endif /* _LINUX_PROBE_GRAPH_H */
