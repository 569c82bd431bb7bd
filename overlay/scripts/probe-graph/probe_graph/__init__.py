# SPDX-License-Identifier: GPL-2.0
"""Analysis of the driver core's probe graph.

model     the graph as read from debugfs, a saved copy or a JSON dump
analysis  critical path, blame, why, cycles, diff, check, predict
render    DOT, Chrome trace, SVG timeline, KTAP and text output
fdt       flattened device tree (.dtb) reader
bindings  fw_devlink's supplier bindings (drivers/of/property.c)
cli       the probe-graph command
"""
