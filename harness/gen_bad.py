#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generate the corpus of bad device trees in harness/dts/bad/.

Each tree is a .dtsi merged into QEMU virt's own tree by boot.py --nodes,
built from "probe-graph,test-device" nodes wired together the ways real
trees get wrong: dependency cycles, phandles to nodes that do not exist
or are disabled, suppliers without a driver or whose probe fails, huge
fan-in and deep chains, duplicate edges, malformed #*-cells and
dependencies only the driver knows about.  Next to each NAME.dtsi,
NAME.json says what a boot must end with: the test devices expected to
bind, those expected to stay unbound with a keyword of their reason, the
number of cycle reports, the devices allowed to probe before a supplier
they reference is bound (the test driver counts those as ordering
violations), and the boot options.  check_bad.py checks a boot against
it; stress-trees boots them all.

Run without arguments to rewrite the corpus; --check only compares.
"""

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

TOP = Path(__file__).resolve().parent.parent
OUT = TOP / "harness" / "dts" / "bad"
TEST = "probe-graph,test-device"
ABSENT = "probe-graph,absent"
# A phandle no node has: dtc numbers phandles from 1 and every tree here
# has far fewer nodes.
NO_PHANDLE = 0xdead
GENERATOR = "harness/gen_bad.py"
# Trees of this many test devices or more are written one line a node.
COMPACT = 100
BLOCK = 1000


@dataclass
class Node:
    """One device tree node."""

    name: str
    props: List[str] = field(default_factory=list)
    compatible: str = TEST
    label: Optional[str] = None
    disabled: bool = False
    children: List["Node"] = field(default_factory=list)

    def ref(self) -> str:
        """A phandle reference to the node; gives it a label if needed."""
        if self.label is None:
            self.label = self.name.replace("-", "_")
        return f"&{self.label}"


@dataclass
class Boot:
    """How to boot a tree: boot.py and init options."""

    timeout_s: int = 120
    pg_timeout_s: int = 60
    mem_mib: int = 1024
    min_ms: int = 4000
    deferred_probe_timeout: int = 2

    @property
    def append(self) -> str:
        return f"deferred_probe_timeout={self.deferred_probe_timeout}"

    @property
    def init_args(self) -> str:
        return f"pg.min_ms={self.min_ms} pg.timeout_s={self.pg_timeout_s}"


@dataclass
class Tree:
    """A bad tree and what booting it must end with."""

    name: str
    title: str
    text: List[str]
    nodes: List[Node]
    unbound: Dict[str, str] = field(default_factory=dict)
    why: Dict[str, str] = field(default_factory=dict)
    cycles: int = 0
    may_violate: List[str] = field(default_factory=list)
    driver_defers: Dict[str, str] = field(default_factory=dict)
    edges: Dict[str, int] = field(default_factory=dict)
    needs: Optional[str] = None
    slow_off: Optional[str] = None
    boot: Boot = field(default_factory=Boot)
    large: bool = False

    def test_devices(self) -> List[str]:
        """Device names of the enabled test device nodes, in tree order.

        Nodes have no "reg", so a device is named after its node,
        prefixed with its parents' names and ':'.
        """
        names: List[str] = []

        def walk(node: Node, prefix: str) -> None:
            if node.disabled:
                return
            name = prefix + node.name
            if node.compatible == TEST:
                names.append(name)
            for child in node.children:
                walk(child, name + ":")
        for node in self.nodes:
            walk(node, "")
        return names

    def bound(self) -> List[str]:
        return [d for d in self.test_devices() if d not in self.unbound]


def test_device(name: str, *props: str, label: Optional[str] = None,
                delay_us: int = 1000) -> Node:
    """A test device node sleeping delay_us in its probe."""
    lines = [f"probe-delay-us = <{delay_us}>"] if delay_us else []
    return Node(name, lines + list(props), label=label)


def ring(prefix: str, n: int) -> List[Node]:
    """n test devices, each a clock consumer of the next, the last of the
    first."""
    nodes = [test_device(f"{prefix}{i:03d}" if n > 26 else
                         f"{prefix}{chr(ord('a') + i)}", "#clock-cells = <0>")
             for i in range(n)]
    for i, node in enumerate(nodes):
        node.props.append(f"clocks = <{nodes[(i + 1) % n].ref()}>")
    return nodes


def cycle_tree(n: int, large: bool = False) -> Tree:
    name = f"cycle-{n}"
    nodes = ring(f"pg-c{n}-", n)
    user = test_device(f"pg-c{n}-user", f"clocks = <{nodes[0].ref()}>")
    members = [node.name for node in nodes]
    return Tree(
        name, f"a dependency cycle of {n} devices",
        [f"{n} test devices, each a clock consumer of the next and the",
         "last of the first, and a consumer of the first.  fw_devlink",
         "finds the cycle and relaxes it: every device binds and the",
         "cycle is reported once.  The members probe before the supplier",
         "they reference is bound, which the test driver counts."],
        nodes + [user], cycles=1, may_violate=members, large=large)


def self_cycle() -> Tree:
    node = test_device("pg-self", "#clock-cells = <0>")
    node.props.append(f"clocks = <{node.ref()}>")
    user = test_device("pg-self-user", f"clocks = <{node.ref()}>")
    return Tree(
        "cycle-1", "a device that is its own clock supplier",
        ["A cycle of length 1: clocks = <&self>.  fw_devlink drops the",
         "reference (\"Fixed dependency cycle(s)\", at debug level) and",
         "links nothing, so there is no edge between devices to report;",
         "the device binds, then its consumer."],
        [node, user], cycles=0)


def cycle_pair() -> Tree:
    a = ring("pg-cp-a-", 2)
    b = ring("pg-cp-b-", 3)
    user = test_device("pg-cp-user", f"clocks = <{a[0].ref()}>",
                       f"resets = <{b[0].ref()}>")
    for node in b:
        node.props.append("#reset-cells = <0>")
    return Tree(
        "cycle-pair", "two disjoint cycles and a consumer of both",
        ["A 2-cycle and a 3-cycle that share nothing, and a device that",
         "consumes a member of each: two cycle reports, not one, and no",
         "cycle reported twice.  The consumer may start before the",
         "member it uses has bound: fw_devlink can mark its link as part",
         "of the cycle, and then it does not block."],
        a + b + [user], cycles=2,
        may_violate=[n.name for n in a + b + [user]])


def dangling() -> Tree:
    return Tree(
        "dangling-phandle", "phandles that no node has",
        [f"dtc refuses a dangling label, so the phandle is a raw cell,",
         f"{NO_PHANDLE:#x}, that no node has.  fw_devlink cannot resolve",
         "it and links nothing: the consumers bind."],
        [test_device("pg-dangle-clk", f"clocks = <{NO_PHANDLE:#x}>"),
         test_device("pg-dangle-pwm", f"pwms = <{NO_PHANDLE:#x} 0>"),
         test_device("pg-dangle-supply",
                     f"vdd-supply = <{NO_PHANDLE:#x}>")])


def disabled() -> Tree:
    off = Node("pg-off", ["#reset-cells = <0>"], disabled=True)
    bus = Node("pg-off-bus", ["#clock-cells = <0>"], disabled=True,
               children=[Node("pg-off-child", ["#pwm-cells = <0>"])])
    return Tree(
        "disabled-supplier", "suppliers whose node is disabled",
        ["A test device with status = \"disabled\" referenced as a reset",
         "supplier, and a disabled bus whose enabled child is referenced",
         "as a PWM supplier.  fw_devlink does not wait for what can never",
         "be a device: the consumers bind at once."],
        [off, bus,
         test_device("pg-off-user", f"resets = <{off.ref()}>"),
         test_device("pg-off-child-user",
                     f"pwms = <{bus.children[0].ref()}>",
                     f"clocks = <{bus.ref()}>")],
        may_violate=["pg-off-user", "pg-off-child-user"])


def no_driver() -> Tree:
    absent = Node("pg-nodrv", ["#clock-cells = <0>"], compatible=ABSENT)
    user = test_device("pg-nodrv-user", "#clock-cells = <0>",
                       f"clocks = <{absent.ref()}>")
    user2 = test_device("pg-nodrv-user2", f"clocks = <{user.ref()}>")
    return Tree(
        "no-driver-supplier", "a supplier whose compatible has no driver",
        ["A clock supplier no driver matches, its consumer and that",
         "consumer's consumer.  The consumer waits until",
         "deferred_probe_timeout= gives up on the supplier, then binds,",
         "then its own consumer."],
        [user2, user, absent], may_violate=["pg-nodrv-user"])


def failing() -> Tree:
    fail = test_device("pg-fail", "#pwm-cells = <0>", "probe-error = <5>")
    user = test_device("pg-fail-user", "#clock-cells = <0>",
                       f"pwms = <{fail.ref()}>")
    user2 = test_device("pg-fail-user2", f"clocks = <{user.ref()}>")
    nodev = test_device("pg-nodev", "#reset-cells = <0>",
                        "probe-error = <19>")
    nodev_user = test_device("pg-nodev-user", f"resets = <{nodev.ref()}>")
    return Tree(
        "failing-supplier", "a supplier whose probe fails",
        ["A PWM supplier whose probe fails with -EIO, its consumer and",
         "that consumer's consumer; and a reset supplier whose probe",
         "returns -ENODEV (the driver rejects the device), with a",
         "consumer.  Neither supplier binds, so neither do their",
         "consumers, each explained down to the failed probe."],
        [user2, user, fail, nodev_user, nodev],
        unbound={"pg-fail": "probe failed: -5",
                 "pg-fail-user": "waiting for supplier pg-fail",
                 "pg-fail-user2": "waiting for supplier pg-fail-user",
                 "pg-nodev": "driver rejected it: -19",
                 "pg-nodev-user": "waiting for supplier pg-nodev"},
        why={"pg-fail": "returned -5",
             "pg-fail-user": "root cause: pg-fail failed",
             "pg-fail-user2": "root cause: pg-fail failed",
             "pg-nodev": "rejected it with -19",
             "pg-nodev-user": "root cause: the driver of pg-nodev rejected"})


def fan_in(n: int) -> Tree:
    hub = test_device("pg-hub", "#clock-cells = <0>", delay_us=5000)
    users = [test_device(f"pg-f{i:05d}", f"clocks = <{hub.ref()}>",
                         delay_us=0)
             for i in range(n)]
    return Tree(
        f"fan-in-{n // 1000}k" if n % 1000 == 0 else f"fan-in-{n}",
        f"{n} consumers of one supplier",
        [f"{n} test devices, all clock consumers of one supplier written",
         "after them, which sleeps 5 ms in its probe.  Every consumer",
         "binds once, after the supplier."],
        users + [hub], boot=Boot(timeout_s=1200, pg_timeout_s=900,
                                 mem_mib=2048), large=True)


def chain(n: int, large: bool = True) -> Tree:
    # Short names: QEMU hands an arm64 guest at most about 1 MB of device
    # tree (harness/boot.py), and 10000 nodes must fit.
    nodes = [test_device(f"k{i:05d}", "#clock-cells = <0>", delay_us=0)
             for i in range(n)]
    for i in range(1, n):
        nodes[i].props.append(f"clocks = <{nodes[i - 1].ref()}>")
    return Tree(
        f"chain-{n // 1000}k" if n % 1000 == 0 else f"chain-{n}",
        f"a dependency chain {n} deep",
        [f"{n} test devices, each a clock consumer of the previous one",
         "(phandles, not nesting), written deepest first, as the reverse",
         "of the probe order.  Each binds once, in chain order.",
         "Creating each link walks the whole chain below it (the cycle",
         "search of fw_devlink, the dependency check and the reordering",
         "of the device lists); 6.12 did that recursively and overflowed",
         "the kernel stack from a chain about 300 deep on."],
        list(reversed(nodes)), boot=Boot(timeout_s=900, pg_timeout_s=800,
                                         mem_mib=2048) if large else Boot(),
        slow_off=("stock deferred probing binds one device of the chain "
                  "per pass over the deferred list, moving every device "
                  "it retries and the chain below it to the end of the "
                  "device lists: minutes from 1000 devices on")
        if n >= 1000 else None,
        large=large)


def duplicates() -> Tree:
    sup = test_device("pg-dup-sup", "#clock-cells = <0>", "#reset-cells = <0>",
                      delay_us=3000)
    ref = sup.ref()
    user = test_device("pg-dup-user", f"clocks = <{ref}>, <{ref}>, <{ref}>",
                       f"resets = <{ref}>", f"vdd-supply = <{ref}>",
                       f"vcc-supply = <{ref}>")
    return Tree(
        "duplicate-edges", "one supplier referenced many times",
        ["The same supplier three times in one property and again",
         "through resets and two supplies: one dependency, one edge in",
         "the graph; the consumer binds once, after the supplier."],
        [user, sup], edges={"pg-dup-sup>pg-dup-user": 1})


def bad_cells() -> Tree:
    one = test_device("pg-mc-clk1", "#clock-cells = <1>", delay_us=3000)
    none = test_device("pg-mc-nocells", delay_us=3000)
    five = test_device("pg-mc-rst5", "#reset-cells = <5>", delay_us=3000)
    return Tree(
        "bad-cells", "malformed #*-cells",
        ["A provider with #clock-cells = <1> referenced without a cell,",
         "a provider without #clock-cells referenced as a clock, and a",
         "provider with #reset-cells = <5> referenced with five cells",
         "(valid) and with one (too short).  The kernel cannot parse the",
         "short references and links nothing for them; fw_devlink reads",
         "a missing #clock-cells as 0, so that reference and the valid",
         "one order their consumer after the provider.  Every device",
         "binds."],
        [test_device("pg-mc-nocell", f"clocks = <{one.ref()}>"),
         test_device("pg-mc-nocells-user", f"clocks = <{none.ref()}>"),
         test_device("pg-mc-five", f"resets = <{five.ref()} 1 2 3 4 5>"),
         test_device("pg-mc-short", f"resets = <{five.ref()} 1>"),
         one, none, five],
        edges={"pg-mc-rst5>pg-mc-five": 1,
               "pg-mc-clk1>pg-mc-nocell": 0,
               "pg-mc-nocells>pg-mc-nocells-user": 1})


DEFER_PROP = "probe-defer-until"


def undeclared() -> Tree:
    late = test_device("pg-ud-late", delay_us=200000)
    waiter = test_device("pg-ud-waiter", "#clock-cells = <0>",
                         f"{DEFER_PROP} = <{late.ref()}>", delay_us=0)
    user = test_device("pg-ud-user", f"clocks = <{waiter.ref()}>")
    absent = Node("pg-ud-absent", compatible=ABSENT)
    never = test_device("pg-ud-never", f"{DEFER_PROP} = <{absent.ref()}>",
                        delay_us=0)
    return Tree(
        "undeclared-dependency", "drivers that defer on their own",
        [f"Needs the test driver's \"{DEFER_PROP}\" property: return",
         "-EPROBE_DEFER while the device of the referenced node is not",
         "bound, a dependency fw_devlink does not parse.  One device",
         "waits that way for a supplier that sleeps 200 ms: it defers,",
         "binds after a retry, which its reason counts; its",
         "declared consumer waits for it without deferring.  Another",
         "waits for a node no driver matches: it stays deferred."],
        [waiter, user, never, late, absent],
        unbound={"pg-ud-never": "driver deferred"},
        why={"pg-ud-never": "defer"},
        driver_defers={"pg-ud-waiter": "deferred retries",
                       "pg-ud-never": ""},
        needs=DEFER_PROP)


def corpus(big: int = 10000) -> List[Tree]:
    """Every tree, small ones first."""
    return [self_cycle(), cycle_tree(2), cycle_tree(3), cycle_pair(),
            dangling(), disabled(), no_driver(), failing(), duplicates(),
            bad_cells(), undeclared(), chain(100, large=False),
            chain(1000, large=False),
            cycle_tree(100, large=True), fan_in(big), chain(big)]


def render_node(node: Node, indent: str, compact: bool) -> List[str]:
    head = f"{node.label}: {node.name}" if node.label else node.name
    props = [f'compatible = "{node.compatible}"']
    if node.disabled:
        props.append('status = "disabled"')
    props += node.props
    if compact and not node.children:
        return [f"{indent}{head} {{ " + "; ".join(props) + "; };"]
    out = [f"{indent}{head} {{"] + [f"{indent}\t{p};" for p in props]
    for child in node.children:
        out.append("")
        out.extend(render_node(child, indent + "\t", compact))
    out.append(f"{indent}}};")
    return out


def command(big: int) -> str:
    return GENERATOR + ("" if big == 10000 else f" --big {big}")


def render_dtsi(tree: Tree, big: int = 10000) -> str:
    """The .dtsi text; large trees get one line per node."""
    compact = len(tree.test_devices()) >= COMPACT
    lines = ["// SPDX-License-Identifier: GPL-2.0", "/*",
             f" * Bad tree \"{tree.name}\": {tree.title}.", " *"]
    lines += [f" * {t}" for t in tree.text]
    lines += [" *",
              f" * Expected outcome in {tree.name}.json.",
              f" * Generated by {command(big)}; do not edit.",
              " */"]
    # dtc's parser runs out of stack on about 10000 sibling nodes in
    # one block: open the root node again every BLOCK nodes.
    for start in range(0, len(tree.nodes), BLOCK):
        lines += ["", "/ {"]
        for i, node in enumerate(tree.nodes[start:start + BLOCK]):
            if i and not compact:
                lines.append("")
            lines.extend(render_node(node, "\t", compact))
        lines.append("};")
    return "\n".join(lines) + "\n"


def expectation(tree: Tree, big: int = 10000) -> Dict[str, object]:
    """The machine-readable expectation check_bad.py reads."""
    return {
        "version": 1,
        "tree": tree.name,
        "title": tree.title,
        "generated_by": command(big),
        "size": "large" if tree.large else "small",
        "needs": tree.needs,
        "slow_off": tree.slow_off,
        "boot": {"append": tree.boot.append,
                 "init_args": tree.boot.init_args,
                 "timeout_s": tree.boot.timeout_s,
                 "mem_mib": tree.boot.mem_mib},
        "test_devices": len(tree.test_devices()),
        "cycles": tree.cycles,
        "unbound": tree.unbound,
        "why": tree.why,
        "may_violate": tree.may_violate,
        "driver_defers": tree.driver_defers,
        "edges": tree.edges,
        "bound": tree.bound(),
    }


def render_json(tree: Tree, big: int = 10000) -> str:
    data = expectation(tree, big)
    # One device name a line keeps diffs of the long lists readable.
    return json.dumps(data, indent=1) + "\n"


def outputs(trees: Sequence[Tree], big: int) -> Dict[str, str]:
    files: Dict[str, str] = {}
    for tree in trees:
        files[f"{tree.name}.dtsi"] = render_dtsi(tree, big)
        files[f"{tree.name}.json"] = render_json(tree, big)
    return files


def main(argv: List[str],
         make: Callable[[int], List[Tree]] = corpus) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=OUT,
                    help="directory to write (default harness/dts/bad)")
    ap.add_argument("--big", type=int, default=10000,
                    help="devices of the fan-in and chain trees")
    ap.add_argument("--check", action="store_true",
                    help="only report files that differ from the output")
    ap.add_argument("--list", action="store_true",
                    help="print each tree's name, size and device count")
    args = ap.parse_args(argv)

    trees = make(args.big)
    if args.list:
        for tree in trees:
            print(f"{tree.name}\t{'large' if tree.large else 'small'}\t"
                  f"{len(tree.test_devices())}")
        return 0
    files = outputs(trees, args.big)
    if args.check:
        stale = [name for name, text in files.items()
                 if not (args.out / name).exists()
                 or (args.out / name).read_text() != text]
        extra = sorted(p.name for p in args.out.glob("*")
                       if p.name not in files) if args.out.exists() else []
        for name in stale:
            print(f"gen_bad: {args.out / name}: out of date")
        for name in extra:
            print(f"gen_bad: {args.out / name}: not generated")
        return 1 if stale or extra else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = args.out / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
