#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generate a random layered dependency graph of probe-graph test devices.

The nodes are written as a .dtsi to merge into QEMU virt's tree: every
node is a "probe-graph,test-device" that can supply clocks, resets,
mailboxes, PWMs and regulators, consumes some nodes of earlier layers
through those bindings, and sleeps for a random delay in its probe.  A
share of the nodes are children of an earlier node, populated by its
driver.  Top-level nodes are shuffled, as real trees are sorted by
address, not by dependency, unless --order topo.

A JSON description (--meta) gives each device's delay, suppliers and
parent, and the critical-path lower bound: the largest sum of delays
along a dependency chain.
"""

import argparse
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

BINDINGS = ("clocks", "resets", "mboxes", "pwms", "supply")


@dataclass
class Node:
    """One test device."""

    index: int
    layer: int
    delay_us: int
    parent: Optional[int] = None
    suppliers: Dict[str, List[int]] = field(default_factory=dict)
    children: List[int] = field(default_factory=list)

    @property
    def node_name(self) -> str:
        return f"pg-n{self.index:05d}"

    @property
    def label(self) -> str:
        return f"pg_n{self.index:05d}"


@dataclass
class Dag:
    """The generated graph."""

    nodes: List[Node]

    def device_name(self, i: int) -> str:
        """The platform device name of_device_make_bus_id() gives."""
        names = []
        node: Optional[Node] = self.nodes[i]
        while node is not None:
            names.append(node.node_name)
            node = None if node.parent is None else self.nodes[node.parent]
        return ":".join(reversed(names))

    def dependencies(self, i: int) -> List[int]:
        """Suppliers and the parent of node i."""
        node = self.nodes[i]
        deps = [s for sups in node.suppliers.values() for s in sups]
        if node.parent is not None:
            deps.append(node.parent)
        return deps

    def critical_path(self, weight: Dict[int, float]) -> List[int]:
        """The chain with the largest sum of weights, in probe order."""
        best: Dict[int, float] = {}
        prev: Dict[int, Optional[int]] = {}
        for node in sorted(self.nodes, key=lambda n: n.layer):
            deps = self.dependencies(node.index)
            pick = max(deps, key=lambda d: best[d], default=None)
            best[node.index] = weight[node.index] + \
                (best[pick] if pick is not None else 0.0)
            prev[node.index] = pick
        end: Optional[int] = max(best, key=lambda i: best[i])
        path = []
        while end is not None:
            path.append(end)
            end = prev[end]
        return list(reversed(path))


def generate(n: int, depth: int, fanin: int, children: float,
             delay_min: int, delay_max: int, seed: int) -> Dag:
    rnd = random.Random(seed)
    layers: List[List[int]] = [[] for _ in range(depth)]
    nodes: List[Node] = []
    for i in range(n):
        # Every layer gets at least one node; the rest at random.
        layer = i if i < depth else rnd.randrange(depth)
        nodes.append(Node(i, layer, rnd.randint(delay_min, delay_max)))
        layers[layer].append(i)
    for node in nodes:
        if node.layer == 0:
            continue
        below = layers[node.layer - 1]
        earlier = [j for lay in layers[:node.layer] for j in lay]
        # One supplier in the layer just below keeps the depth; the others
        # come from any earlier layer.
        sups = {rnd.choice(below)}
        for _ in range(rnd.randrange(fanin)):
            sups.add(rnd.choice(earlier))
        if rnd.random() < children:
            parent = rnd.choice(below)
            node.parent = parent
            nodes[parent].children.append(node.index)
            sups.discard(parent)
        for s in sorted(sups):
            node.suppliers.setdefault(rnd.choice(BINDINGS), []).append(s)
    return Dag(nodes)


def render_node(dag: Dag, node: Node, indent: str) -> List[str]:
    out = [f"{indent}{node.label}: {node.node_name} {{",
           f'{indent}\tcompatible = "probe-graph,test-device";',
           f"{indent}\tprobe-delay-us = <{node.delay_us}>;",
           f"{indent}\t#clock-cells = <0>;",
           f"{indent}\t#reset-cells = <0>;",
           f"{indent}\t#mbox-cells = <0>;",
           f"{indent}\t#pwm-cells = <0>;"]
    for binding, sups in sorted(node.suppliers.items()):
        if binding == "supply":
            for k, s in enumerate(sups):
                out.append(f"{indent}\tvdd{k}-supply = "
                           f"<&{dag.nodes[s].label}>;")
        else:
            refs = ", ".join(f"<&{dag.nodes[s].label}>" for s in sups)
            out.append(f"{indent}\t{binding} = {refs};")
    for c in node.children:
        out.append("")
        out.extend(render_node(dag, dag.nodes[c], indent + "\t"))
    out.append(f"{indent}}};")
    return out


def render(dag: Dag, order: str, seed: int) -> str:
    top = [n for n in dag.nodes if n.parent is None]
    if order == "shuffled":
        random.Random(seed + 1).shuffle(top)
    else:
        top.sort(key=lambda n: (n.layer, n.index))
    lines = ["// SPDX-License-Identifier: GPL-2.0",
             "// Generated by harness/gen_dag.py; do not edit.",
             "", "/ {"]
    for node in top:
        lines.extend(render_node(dag, node, "\t"))
        lines.append("")
    lines.append("};")
    return "\n".join(lines) + "\n"


def meta(dag: Dag, args: argparse.Namespace) -> Dict[str, object]:
    delays = {n.index: float(n.delay_us) for n in dag.nodes}
    path = dag.critical_path(delays)
    return {
        "version": 1,
        "params": {k: v for k, v in vars(args).items()
                   if k not in ("out", "meta")},
        "devices": {
            dag.device_name(n.index): {
                "delay_us": n.delay_us,
                "layer": n.layer,
                "parent": None if n.parent is None
                else dag.device_name(n.parent),
                "suppliers": sorted(dag.device_name(s)
                                    for sups in n.suppliers.values()
                                    for s in sups),
            } for n in dag.nodes},
        "critical_path": [dag.device_name(i) for i in path],
        "critical_path_us": sum(dag.nodes[i].delay_us for i in path),
    }


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=1000, help="devices")
    ap.add_argument("--depth", type=int, default=12, help="layers")
    ap.add_argument("--fanin", type=int, default=3,
                    help="most suppliers of a device")
    ap.add_argument("--children", type=float, default=0.1,
                    help="share of devices that are children of another")
    ap.add_argument("--delay-min-us", type=int, default=1000)
    ap.add_argument("--delay-max-us", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--order", choices=("shuffled", "topo"),
                    default="shuffled")
    ap.add_argument("--out", type=Path, required=True, help=".dtsi to write")
    ap.add_argument("--meta", type=Path, help="JSON description to write")
    args = ap.parse_args(argv)
    if args.n < args.depth:
        ap.error("need at least one device per layer")

    dag = generate(args.n, args.depth, args.fanin, args.children,
                   args.delay_min_us, args.delay_max_us, args.seed)
    args.out.write_text(render(dag, args.order, args.seed))
    if args.meta:
        args.meta.write_text(json.dumps(meta(dag, args), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
