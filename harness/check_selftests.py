#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run the kernel's tools/testing/selftests/dt/test_unprobed_devices.sh in
the guest, with the probe graph and without, and compare.

The selftest walks /proc/device-tree and reports, in KTAP, every enabled
node whose compatible a driver of the source tree matches but that has
no bound device.  It runs on the kernel every boot uses, on the sample
tree, under the static busybox harness/setup.sh unpacks; the list of
compatibles is generated with scripts/dtc/dt-extract-compatibles, as the
selftest's Makefile does.  With probe_graph=on each node must end with
the same result as with probe_graph=off, and every test device passes.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

TOP = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TOP / "harness"))

from check_boot import test_devices_in_dtb  # noqa: E402
SCRIPT = "/selftests/dt/test_unprobed_devices.sh"
APPLETS = ["sh", "ash", "basename", "cat", "cut", "dirname", "env",
           "expr", "false", "find", "grep", "head", "ls", "printf",
           "readlink", "sed", "sleep", "sort", "tail", "test", "tr",
           "true", "uniq", "wc", "xargs"]
RESULT_RE = re.compile(r"^(ok|not ok) \d+ (\S+)(?: # (SKIP))?\s*$", re.M)
TOTALS_RE = re.compile(r"^# Totals: pass:(\d+) fail:(\d+) xfail:\d+ "
                       r"xpass:\d+ skip:(\d+) error:\d+", re.M)
EXIT_RE = re.compile(r"^init: run (\S+): exit (-?\d+)$", re.M)


@dataclass
class Run:
    """What the selftest printed in one boot."""

    results: Dict[str, str]     # node path -> "pass", "fail" or "skip"
    totals: Optional[tuple[int, int, int]]
    exit: Optional[int]


def parse(log: str) -> Run:
    """The selftest's results from a console log: KTAP lines, totals and
    the exit status init reports.  Kernel messages may interleave."""
    begin = log.find(f"=== probe-graph begin /run{SCRIPT} ===")
    end = log.find(f"=== probe-graph end /run{SCRIPT} ===")
    block = log[begin:end] if 0 <= begin < end else ""
    results = {}
    for m in RESULT_RE.finditer(block):
        results[m.group(2)] = ("skip" if m.group(3) else
                               "pass" if m.group(1) == "ok" else "fail")
    t = TOTALS_RE.search(block)
    totals = (int(t.group(1)), int(t.group(2)), int(t.group(3))) if t \
        else None
    e = EXIT_RE.search(log)
    return Run(results, totals, int(e.group(2)) if e else None)


def compare(on: Run, off: Run, test_nodes: List[str]) -> List[str]:
    """What differs between the two runs, and test devices not passing."""
    problems = []
    for name, run in (("on", on), ("off", off)):
        if not run.results or run.totals is None:
            problems.append(f"{name}: no KTAP results from the selftest")
    for node in sorted(set(on.results) | set(off.results)):
        a, b = on.results.get(node, "absent"), off.results.get(node, "absent")
        if a != b:
            problems.append(f"{node}: {a} with the graph, {b} without")
    for node in test_nodes:
        if on.results.get(node) != "pass":
            problems.append(f"{node}: {on.results.get(node, 'absent')} "
                            "with the graph")
    if on.exit != off.exit:
        problems.append(f"exit status {on.exit} with the graph, {off.exit} "
                        "without")
    return problems


def make_rootfs(src: Path, work: Path) -> Path:
    """busybox, its applets and the selftest with its lists, as a tree."""
    busybox = work / "busybox" / "bin" / "busybox"
    if not busybox.exists():
        raise FileNotFoundError(f"{busybox} missing: run harness/setup.sh")
    root = work / "selftests-root"
    compat = work / "selftests-compatible_list"
    # made again whenever setup re-creates the tree
    stamp = src / ".probe-graph-series"
    if (not compat.exists() or
            (stamp.exists() and stamp.stat().st_mtime > compat.stat().st_mtime)):
        out = subprocess.run(
            [str(src / "scripts" / "dtc" / "dt-extract-compatibles"),
             "-d", str(src)], check=True, capture_output=True,
            text=True).stdout
        compat.write_text(out)
    shutil.rmtree(root, ignore_errors=True)
    (root / "bin").mkdir(parents=True)
    shutil.copy2(busybox, root / "bin" / "busybox")
    for applet in APPLETS:
        (root / "bin" / applet).symlink_to("busybox")
    # The selftest asks for bash; busybox has no applet of that name, and
    # its ash runs the script.
    bash = root / "bin" / "bash"
    bash.write_text('#!/bin/sh\nexec /bin/sh "$@"\n')
    bash.chmod(0o755)
    dt = root / "selftests" / "dt"
    dt.mkdir(parents=True)
    sel = src / "tools" / "testing" / "selftests"
    shutil.copy2(sel / "dt" / "test_unprobed_devices.sh", dt)
    shutil.copy2(sel / "dt" / "compatible_ignore_list", dt)
    shutil.copy2(compat, dt / "compatible_list")
    ksft = root / "selftests" / "kselftest"
    ksft.mkdir()
    shutil.copy2(sel / "kselftest" / "ktap_helpers.sh", ksft)
    return root


def boot(mode: str, root: Path, out: Path, kbuild: Path) -> str:
    log = out / f"{mode}.log"
    log.unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, str(TOP / "harness" / "boot.py"),
         "--nodes", str(TOP / "harness" / "dts" / "sample.dtsi"),
         "--name", f"selftests-{mode}", "--kbuild", str(kbuild),
         "--append", f"probe_graph={mode}", "--rootfs", str(root),
         "--init-args", f"pg.run={SCRIPT}", "--log", str(log),
         "--out", str(out / mode)], check=True)
    return log.read_text(errors="replace")


def test_nodes(results: Dict[str, str]) -> List[str]:
    """The test device nodes among a run's results."""
    return sorted(n for n in results if re.search(r"/pg-[^/]*$", n))


def dt_test_nodes(dtb: Path) -> List[str]:
    """The test device nodes of a compiled tree, as the selftest names
    them: device "pg-bus:pg-mbox" is node /pg-bus/pg-mbox."""
    return sorted("/" + name.replace(":", "/")
                  for name in test_devices_in_dtb(dtb))


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path,
                    default=Path(os.environ.get("PG_WORK", TOP / ".build")))
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    work: Path = args.work
    root = make_rootfs(work / "linux", work)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        on = parse(boot("on", root, args.out, work / "arm64"))
        off = parse(boot("off", root, args.out, work / "arm64"))
    except subprocess.CalledProcessError as e:
        print(f"selftests/dt: boot failed: {e}")
        return 1
    expected = dt_test_nodes(work / "boot" / "selftests-on.dtb")
    problems = compare(on, off, expected)
    for problem in problems:
        print(f"selftests/dt: {problem}")
    if problems:
        return 1
    passed, failed, skipped = on.totals or (0, 0, 0)
    print(f"selftests/dt: {len(on.results)} nodes, pass {passed}, "
          f"fail {failed}, skip {skipped}, exit {on.exit}, the same with and without the graph; "
          f"{len(expected)} test devices pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
