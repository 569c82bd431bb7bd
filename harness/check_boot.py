#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check a collected boot: the probe graph debugfs files are there and list
every probe-graph test device of the device tree, bound.

Device names follow of_device_make_bus_id() for nodes without "reg":
the node name, prefixed with its parents' names and ':'.
"""

import argparse
import re
import subprocess
import sys
from pathlib import Path
from dataclasses import dataclass
from typing import Dict, List, Tuple

TEST_COMPATIBLE = "probe-graph,test-device"


def test_devices_in_dtb(dtb: Path) -> List[str]:
    """Device names of the enabled test device nodes of a compiled tree."""
    return [name for name, _ in test_device_props(dtb)]


def clock_providers_in_dtb(dtb: Path) -> List[str]:
    """The enabled test devices that provide a clock (#clock-cells = <0>)."""
    return [name for name, props in test_device_props(dtb)
            if "#clock-cells = <0x00>;" in props]


def test_device_props(dtb: Path) -> List[Tuple[str, List[str]]]:
    """(device name, property lines) of the enabled test device nodes."""
    dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", str(dtb)],
                         check=True, capture_output=True, text=True).stdout
    props: Dict[str, List[str]] = {}
    order: List[str] = []
    stack: List[str] = []
    for line in dts.splitlines():
        line = line.strip()
        m = re.match(r"^(?:[\w-]+:\s*)?([\w,@.+-]+|/)\s*\{$", line)
        if m:
            stack.append(m.group(1))
            path = "/".join(stack)
            props[path] = []
            order.append(path)
        elif line == "};":
            stack.pop()
        elif stack:
            props["/".join(stack)].append(line)
    names = []
    for path in order:
        lines = props[path]
        if (any(TEST_COMPATIBLE in p for p in lines if p.startswith(
                "compatible")) and
                not any(p.startswith('status = "disabled"') for p in lines)):
            # path[0] is "/"; test devices never have "reg"
            names.append((":".join(path.split("/")[1:]).lstrip(":"),
                          lines))
    return names


@dataclass
class Device:
    """One line of probe_graph/devices."""

    name: str
    parent: str
    state: str
    probe_calls: int
    defers: int
    reason: str


def read_devices(path: Path) -> Dict[str, Device]:
    devices: Dict[str, Device] = {}
    for line in path.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        f = line.split("\t")
        devices[f[0]] = Device(f[0], f[1], f[2], int(f[3]), int(f[4]),
                               f[5])
    return devices


def read_stats(path: Path) -> Dict[str, str]:
    stats: Dict[str, str] = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition(" ")
        stats[key] = value
    return stats


# "device start_ns end_ns ret"; the console the file was dumped on may
# have put a kernel message right after it, on the same line.
PROBE_LINE_RE = re.compile(r"^(\S+) (\d+) (\d+) (-?\d+)")


def parse_probes(text: str) -> List[Tuple[str, int, int, int]]:
    """The test device's probes file: (device, start_ns, end_ns, ret),
    one per ->probe() call, in order."""
    probes = []
    for line in text.splitlines():
        m = PROBE_LINE_RE.match(line)
        if m:
            probes.append((m.group(1), int(m.group(2)), int(m.group(3)),
                           int(m.group(4))))
    return probes


def read_probes(path: Path) -> List[Tuple[str, int, int]]:
    """The test device's probes file: (device, start_ns, end_ns)."""
    return [(name, start, end)
            for name, start, end, _ in parse_probes(path.read_text())]


def check_disable_unused(out: Path, dtb: Path) -> List[str]:
    """Problems with probes running when clk_disable_unused() ran.

    clk_disable_unused() and genpd_power_off_unused() run at
    late_initcall_sync and turn off what no driver claimed yet: a probe
    running then may lose a clock or a power domain under it.  The test
    clocks record when the first of them was turned off; no probe of the
    test device may span that moment.
    """
    td = out / "probe_graph_test_device"
    if not clock_providers_in_dtb(dtb):
        return []
    path = td / "disable_unused_ns"
    if not path.exists():
        return [f"{path} missing"]
    when = int(path.read_text().strip())
    if when == 0:
        return ["clk_disable_unused() turned off no test clock"]
    return [f"{name} was probing when clk_disable_unused() ran "
            f"({(when - start) / 1e6:.3f} ms into its probe, "
            f"{(end - when) / 1e6:.3f} ms before its end)"
            for name, start, end in read_probes(td / "probes")
            if start < when < end]


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dtb", type=Path)
    ap.add_argument("out", type=Path, help="directory written by boot --out")
    ap.add_argument("--cycles", type=int, default=0,
                    help="dependency cycles the tree has")
    ap.add_argument("--unbound", action="append", default=[],
                    metavar="DEVICE",
                    help="a test device that must not bind, with a reason")
    args = ap.parse_args(argv)

    pg = args.out / "probe_graph"
    for name in ("devices", "stats", "cycles"):
        if not (pg / name).exists():
            print(f"check-boot: {pg / name} missing")
            return 1
    devices = read_devices(pg / "devices")
    stats = read_stats(pg / "stats")
    expected = test_devices_in_dtb(args.dtb)
    failed = 0
    if not expected:
        print("check-boot: the tree has no test devices")
        failed += 1
    for name in expected:
        dev = devices.get(name)
        if dev is None:
            print(f"check-boot: {name}: not listed")
        elif name in args.unbound:
            if dev.state != "bound" and dev.reason not in ("", "-"):
                print(f"check-boot: {name}: {dev.state}: {dev.reason} "
                      "(as expected)")
                continue
            print(f"check-boot: {name}: {dev.state}, expected unbound "
                  "with a reason")
        elif dev.state != "bound":
            print(f"check-boot: {name}: {dev.state}: {dev.reason}")
        elif dev.probe_calls != 1 or dev.defers:
            print(f"check-boot: {name}: {dev.probe_calls} probe calls, "
                  f"{dev.defers} deferrals")
        else:
            continue
        failed += 1
    cycles = [line for line in (pg / "cycles").read_text().splitlines()
              if line and not line.startswith("#")]
    members = [c.split("\t")[0] for c in cycles]
    if len(cycles) != args.cycles or len(set(members)) != len(members):
        print(f"check-boot: {len(cycles)} cycles reported, "
              f"{args.cycles} expected: {members}")
        failed += 1
    start = args.out / "init" / "stats-at-start"
    if start.exists() and read_stats(start).get("busy") != "0":
        print("check-boot: probes were still running when init started")
        failed += 1
    for problem in check_disable_unused(args.out, args.dtb):
        print(f"check-boot: {problem}")
        failed += 1
    if stats.get("unforeseen", "0") != "0":
        print(f"check-boot: {stats.get('unforeseen')} deferrals the graph "
              "did not foresee")
        failed += 1
    if stats.get("defers_declared") != "0":
        print(f"check-boot: {stats.get('defers_declared')} deferrals of "
              "declared dependencies")
        failed += 1
    print(f"check-boot: {len(expected) - failed}/{len(expected)} test "
          f"devices as expected ({len(args.unbound)} unbound), "
          f"{len(devices)} devices "
          f"tracked, defers_declared {stats.get('defers_declared')}, "
          f"peak_parallel {stats.get('peak_parallel')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
