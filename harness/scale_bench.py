#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Scheduler cost at scale: run the probe_graph_scale KUnit case on UML
with graphs of 1000, 10000 and 100000 devices and report the time per
device, how it grows from 10k to 100k devices, and the memory per node.

The UML kernel is the one `kunit.py build` leaves in --build-dir; it is
started directly because kunit.py caps its memory at 1 GiB.
"""

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

TOP = Path(__file__).resolve().parent.parent

TIME_RE = re.compile(r"probe_graph_scale_test: (\d+) devices: add\+link "
                     r"(\d+) ns/device, register to all bound (\d+) "
                     r"ns/device")
BYTES_RE = re.compile(r"probe_graph_scale_test: (\d+) devices: (\d+) bytes "
                      r"per node, (\d+) per edge")
PENDING_RE = re.compile(r"probe_graph_scale_test: (\d+) devices: (\d+) bytes "
                        r"per pending device, device_private (\d+) bytes in "
                        r"a (\d+)-byte object")
RESULT_RE = re.compile(r"^\s*(not ok|ok) \d+ (\d+) devices", re.M)


@dataclass
class Scale:
    """What one graph size cost."""

    devices: int
    add_ns: int = 0
    drain_ns: int = 0
    node_bytes: int = 0
    edge_bytes: int = 0
    pending_bytes: int = 0
    private_bytes: int = 0
    private_object: int = 0
    ok: bool = False


def parse(text: str) -> Dict[int, Scale]:
    """The scale case's results from a KUnit log, by number of devices."""
    scales: Dict[int, Scale] = {}
    for m in TIME_RE.finditer(text):
        s = scales.setdefault(int(m.group(1)), Scale(int(m.group(1))))
        s.add_ns, s.drain_ns = int(m.group(2)), int(m.group(3))
    for m in BYTES_RE.finditer(text):
        s = scales.setdefault(int(m.group(1)), Scale(int(m.group(1))))
        s.node_bytes, s.edge_bytes = int(m.group(2)), int(m.group(3))
    for m in PENDING_RE.finditer(text):
        s = scales.setdefault(int(m.group(1)), Scale(int(m.group(1))))
        s.pending_bytes = int(m.group(2))
        s.private_bytes, s.private_object = int(m.group(3)), int(m.group(4))
    for m in RESULT_RE.finditer(text):
        if int(m.group(2)) in scales:
            scales[int(m.group(2))].ok = m.group(1) == "ok"
    return scales


def report(scales: Dict[int, Scale]) -> str:
    """A markdown table, and the growth from 10k to 100k devices."""
    lines = ["| devices | add + link ns/device | register to all bound "
             "ns/device | bytes/bound device | bytes/pending device "
             "| bytes/edge | result |",
             "|---|---|---|---|---|---|---|"]
    for n in sorted(scales):
        s = scales[n]
        lines.append(f"| {n} | {s.add_ns} | {s.drain_ns} | {s.node_bytes} "
                     f"| {s.node_bytes + s.pending_bytes} "
                     f"| {s.edge_bytes} | {'ok' if s.ok else 'not ok'} |")
    priv = [s for s in scales.values() if s.private_object]
    if priv:
        lines.append("")
        lines.append(f"struct device_private, with the node pointer: "
                     f"{priv[0].private_bytes} bytes in a "
                     f"{priv[0].private_object}-byte object.")
    if 10000 in scales and 100000 in scales and scales[10000].drain_ns:
        ratio = scales[100000].drain_ns / scales[10000].drain_ns
        lines.append("")
        lines.append(f"Per-device cost from 10k to 100k devices: x{ratio:.2f} "
                     "(1.00 is linear total time).")
    return "\n".join(lines) + "\n"


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build-dir", type=Path, default=TOP / ".build" / "uml",
                    help="kunit.py UML build directory")
    ap.add_argument("--max", type=int, default=100000,
                    help="largest graph (probe_graph_kunit.scale_max)")
    ap.add_argument("--mem", default="8G", help="UML memory")
    ap.add_argument("--log", type=Path, help="parse this log, run nothing")
    ap.add_argument("--out", type=Path, help="markdown report to write")
    args = ap.parse_args(argv)

    if args.log:
        text = args.log.read_text(errors="replace")
    else:
        cmd = [str(args.build_dir / "linux"),
               "kunit.filter_glob=probe_graph_scale*", "kunit.enable=1",
               f"probe_graph_kunit.scale_max={args.max}", f"mem={args.mem}",
               "console=tty", "kunit_shutdown=halt"]
        text = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True,
                              errors="replace", timeout=3600).stdout
    scales = parse(text)
    if not scales:
        print("scale_bench: no probe_graph_scale results", file=sys.stderr)
        return 1
    out = report(scales)
    print(out, end="")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(out)
    return 0 if all(s.ok for s in scales.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
