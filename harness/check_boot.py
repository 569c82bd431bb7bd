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


def read_devices(path: Path) -> Dict[str, str]:
    states: Dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        states[fields[0]] = fields[2]
    return states


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dtb", type=Path)
    ap.add_argument("out", type=Path, help="directory written by boot --out")
    args = ap.parse_args(argv)

    devices = args.out / "probe_graph" / "devices"
    if not devices.exists():
        print(f"check-boot: {devices} missing")
        return 1
    states = read_devices(devices)
    expected = test_devices_in_dtb(args.dtb)
    failed = 0
    if not expected:
        print("check-boot: the tree has no test devices")
        failed += 1
    for name in expected:
        state = states.get(name)
        if state != "bound":
            print(f"check-boot: {name}: {state or 'not listed'}")
            failed += 1
    print(f"check-boot: {len(expected) - failed}/{len(expected)} test "
          f"devices listed and bound, {len(states)} devices tracked")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
