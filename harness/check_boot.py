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
from typing import Dict, List

TEST_COMPATIBLE = "probe-graph,test-device"


def test_devices_in_dtb(dtb: Path) -> List[str]:
    """Device names of the test device nodes of a compiled tree."""
    dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", str(dtb)],
                         check=True, capture_output=True, text=True).stdout
    names: List[str] = []
    stack: List[str] = []
    for line in dts.splitlines():
        line = line.strip()
        m = re.match(r"^(?:[\w-]+:\s*)?([\w,@.+-]+|/)\s*\{$", line)
        if m:
            stack.append(m.group(1))
            continue
        if line == "};":
            stack.pop()
            continue
        if (line.startswith("compatible") and TEST_COMPATIBLE in line
                and len(stack) >= 2):
            # stack[0] is "/"; test devices never have "reg"
            names.append(":".join(stack[1:]))
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


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dtb", type=Path)
    ap.add_argument("out", type=Path, help="directory written by boot --out")
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
        elif dev.state != "bound":
            print(f"check-boot: {name}: {dev.state}: {dev.reason}")
        elif dev.probe_calls != 1 or dev.defers:
            print(f"check-boot: {name}: {dev.probe_calls} probe calls, "
                  f"{dev.defers} deferrals")
        else:
            continue
        failed += 1
    if stats.get("defers_declared") != "0":
        print(f"check-boot: {stats.get('defers_declared')} deferrals of "
              "declared dependencies")
        failed += 1
    print(f"check-boot: {len(expected) - failed}/{len(expected)} test "
          f"devices bound with one probe call each, {len(devices)} devices "
          f"tracked, defers_declared {stats.get('defers_declared')}, "
          f"peak_parallel {stats.get('peak_parallel')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
