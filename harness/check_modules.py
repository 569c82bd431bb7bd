#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot the debug kernel with the test drivers as modules and check that
loading and unloading them behaves.

The kernel is the debug variant (harness/build-arm64 debug: KASAN,
lockdep, debug objects, kmemleak, hung task detection), where the
probe-graph,test-device driver and test_async_driver_probe are modules.
The tree is harness/dts/modules.dtsi merged into QEMU virt's.  After
boot, init runs these steps and prints, after each, the devices bound
to the test driver and the probe graph's devices file:

 1. load the test driver: every test device that was ready when it
    registered, became ready while it did, or was populated by one of
    their probes is bound when loading returns; the device the deferred
    list retries afterwards and its consumers, which nobody waits for,
    are meant to be still probing (a warning says when they were not);
 2. unload it at once, while those probes run: nothing stays bound,
    queued or probing;
 3. load it again: the ready devices are bound when loading returns;
 4. wait for probing to settle: every test device is bound;
 5. load test_async_driver_probe, which fails to load if asynchronous
    and synchronous probing do not behave as the driver core promises.

In step 1 (and again in step 3) the probe of pg-mod-loader, which loading
waits for, calls request_module() for probe_graph_test_module: the
kernel runs init as /sbin/modprobe, and that module's init registers
the driver of pg-mod-loaded.  The module must say its device was bound
when its registration returned, and request_module() must return 0 in
the probe, before loading the test driver returns.  --max-active 1 runs
the same boot with a single probe graph worker, which such a probe may
hold while the module registers its driver.

The boot itself fails on any panic, oops, WARN, BUG (KASAN), lockdep
report or hung task in the log, and the run on any object kmemleak
suspects in a scan init asks for after the last step.  The same boots
run on the KCSAN variant (harness/build-arm64 kcsan), which fails on any
data race KCSAN reports.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Set

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_boot import Device, read_devices  # noqa: E402

TOP = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("PG_WORK", TOP / ".build"))
TEST_MODULE = "probe_graph_test_device"
ASYNC_MODULE = "test_async_driver_probe"
LOADED_MODULE = "probe_graph_test_module"
STEPS = [f"insmod:{TEST_MODULE}", f"rmmod:{TEST_MODULE}",
         f"insmod:{TEST_MODULE}", "settle", f"insmod:{ASYNC_MODULE}"]
CHILDREN = {f"pg-mod-bus:pg-mod-child-{i}" for i in range(1, 5)}
# bound when loading returns, as with synchronous probing
READY = ({"pg-mod-solo-1", "pg-mod-solo-2", "pg-mod-solo-3", "pg-mod-clk",
          "pg-mod-user", "pg-mod-loader", "pg-mod-bus", "pg-mod-last"} |
         CHILDREN)
# retried by the deferred list, and its consumers: nobody waits for them
LATE = {"pg-mod-late"} | {f"pg-mod-late-user-{i}" for i in range(1, 5)}
ALL = READY | LATE
IN_FLIGHT = {"queued", "probing"}

LOADED_RE = re.compile(rf"{LOADED_MODULE}: (\d+) of (\d+) devices bound "
                       r"when the registration returned")
REQUEST_RE = re.compile(rf"pg-mod-loader: request_module\({LOADED_MODULE}\)"
                        r": (-?\d+)(?: in ([^,]+), work (\S+))?")
GRAPH_WORK = "probe_graph_probe_work"
STEP_RE = re.compile(r"^init: step (\d+) (\S+): rc (-?\d+) \(([^)]*)\) "
                     r"in (\d+) ms$", re.M)


@dataclass
class Step:
    """What init printed about one step, and what it dumped after it:
    the test devices bound and the probe graph's devices file (empty
    with probe_graph=off)."""

    n: int
    op: str
    rc: int
    err: str
    ms: int
    bound: Set[str]
    devices: Dict[str, Device]


def read_steps(log: str, out: Path) -> List[Step]:
    """The steps of a boot, from its console log and collected files."""
    steps = []
    for m in STEP_RE.finditer(log):
        n = int(m.group(1))
        d = out / "step" / str(n)
        bound_file = d / "bound"
        bound = (set(bound_file.read_text().split())
                 if bound_file.exists() else set())
        devices_file = d / "probe_graph" / "devices"
        devices = (read_devices(devices_file) if devices_file.exists()
                   else {})
        # sysfs links a device to its driver before ->probe() runs: where
        # the graph tracks the devices, bound means its state says so
        if devices:
            bound = {n for n, d in devices.items()
                     if d.state == "bound" and n in ALL}
        steps.append(Step(n, m.group(2), int(m.group(3)), m.group(4),
                          int(m.group(5)), bound, devices))
    return steps


def states(step: Step, names: Set[str]) -> Dict[str, str]:
    return {n: step.devices[n].state for n in sorted(names)
            if n in step.devices}


def check(steps: List[Step], log: str, graph: bool) -> List[str]:
    """Everything wrong with a boot's steps; empty if all is well."""
    problems: List[str] = []
    by_n = {s.n: s for s in steps}
    if [s.op for s in steps] != STEPS:
        return [f"steps run: {[s.op for s in steps]}, expected {STEPS}"]
    for s in steps:
        if s.rc != 0:
            problems.append(f"step {s.n} {s.op}: rc {s.rc} ({s.err})")

    # Without the graph, the deferred list retries pg-mod-loader in a
    # worker that loading does not wait for.
    ready = READY if graph else READY - {"pg-mod-loader"}
    for n in (1, 3):
        missing = ready - by_n[n].bound
        if missing:
            problems.append(f"step {n} {by_n[n].op} returned before "
                            f"{' '.join(sorted(missing))} bound")
    left = by_n[2].bound
    if left:
        problems.append(f"bound after unloading: {' '.join(sorted(left))}")
    busy = {k: v for k, v in states(by_n[2], ALL).items()
            if v in IN_FLIGHT | {"bound"}}
    if busy:
        problems.append(f"graph nodes after unloading: {busy}")
    missing = ALL - by_n[4].bound
    if missing:
        problems.append(f"not bound after settling: "
                        f"{' '.join(sorted(missing))}")
    problems += check_request_module(log)
    # Children probed inside their parent's probe are nested, not
    # violations, with the graph or without.
    for line in re.findall(r"^.*ordering violation.*$", log, re.M):
        problems.append(line.strip())
    return problems


def check_request_module(log: str) -> List[str]:
    """The module pg-mod-loader's probe loads: loaded once, its device
    bound when its registration returned, which was before
    request_module() returned 0 in the probe.  (That loading the test
    driver waited for the probe is what READY says with the graph.)"""
    loaded = list(LOADED_RE.finditer(log))
    requests = list(REQUEST_RE.finditer(log))
    if len(loaded) != 1:
        return [f"{LOADED_MODULE} initialised {len(loaded)} times, "
                "expected once"]
    bound, total = int(loaded[0].group(1)), int(loaded[0].group(2))
    problems = []
    if total < 1 or bound != total:
        problems.append(f"{LOADED_MODULE}: {bound} of {total} devices bound "
                        "when its registration returned")
    if not requests:
        return problems + ["pg-mod-loader never called request_module()"]
    for m in requests:
        if m.group(1) != "0":
            problems.append(f"request_module({LOADED_MODULE}) returned "
                            f"{m.group(1)} in pg-mod-loader's probe")
    if requests[0].start() < loaded[0].end():
        problems.append("request_module() returned before the module's "
                        "init had")
    return problems


def unexercised(steps: List[Step], graph: bool, log: str = "") -> List[str]:
    """What the boot meant to exercise and did not: with the graph, the
    device the deferred list retries after loading returned, or its
    consumers, must still be probing, so that the unload happens during
    their probes.  On a slow host the retry may end before the
    registration does, which then waits for the consumers too; the
    unload checks still hold, without probes in flight.  Likewise a graph
    worker, not the registration, should have run pg-mod-loader's probe,
    the module load a busy worker must survive; the registration runs it
    itself if no worker started it."""
    by_n = {s.n: s for s in steps}
    if not graph:
        return []
    warnings = []
    if not any(v in IN_FLIGHT for v in states(by_n[1], LATE).values()):
        warnings.append("no probe in flight when the module was unloaded: "
                        f"{states(by_n[1], LATE)}")
    if log and GRAPH_WORK not in works(log):
        warnings.append("the registration probed pg-mod-loader itself each "
                        "time: no graph worker loaded a module")
    return warnings


def leaks(path: Path) -> List[str]:
    """kmemleak's suspects after the steps, one line each; the file must
    exist: init asks for a scan at the end."""
    if not path.exists():
        return ["no kmemleak report printed"]
    return [f"kmemleak: {m}" for m in re.findall(
        r"^unreferenced object .*$", path.read_text(), re.M)]


def summary(steps: List[Step], graph: bool, log: str = "") -> str:
    by_n = {s.n: s for s in steps}
    flying = sum(1 for v in states(by_n[1], LATE).values()
                 if v in IN_FLIGHT) if graph else 0
    return (f"load {by_n[1].ms} ms ({len(by_n[1].bound)} bound), "
            f"unload {by_n[2].ms} ms with {flying} probes in flight, "
            f"reload {by_n[3].ms} ms, {len(by_n[4].bound)}/{len(ALL)} "
            f"bound after settling, {ASYNC_MODULE} {by_n[5].ms} ms, "
            f"{LOADED_MODULE} loaded by a probe in "
            f"{', '.join(loaders(log)) or '?'} "
            f"({', '.join(works(log)) or '?'})")


def loaders(log: str) -> List[str]:
    """The tasks that probed pg-mod-loader: init's insmod, or a worker."""
    return [m.group(2) for m in REQUEST_RE.finditer(log) if m.group(2)]


def works(log: str) -> List[str]:
    """The work functions that probed pg-mod-loader ("0x0": none)."""
    return [m.group(3) for m in REQUEST_RE.finditer(log) if m.group(3)]


def module_path(kbuild: Path, name: str) -> Path:
    found = sorted(kbuild.glob(f"**/{name}.ko"))
    if not found:
        raise FileNotFoundError(f"{name}.ko not in {kbuild}: "
                                "run harness/build-arm64 debug")
    return found[0]


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mode", choices=["on", "serial", "off"], default="on")
    ap.add_argument("--kbuild", type=Path,
                    default=WORK / "arm64-debug",
                    help="the kernel: the debug variant, or the kcsan one")
    ap.add_argument("--out", type=Path, required=True,
                    help="directory for the console log and files")
    ap.add_argument("--max-active", type=int,
                    help="probe_graph.max_active: probes the graph runs at "
                    "once (default: the kernel's)")
    ap.add_argument("--timeout", type=int, default=600)
    args = ap.parse_args(argv)

    out: Path = args.out
    log_path = out / "console.log"
    # nothing of an earlier run may stand in for what this one printed
    shutil.rmtree(out, ignore_errors=True)
    config = (args.kbuild / ".config").read_text()
    kmemleak = "CONFIG_DEBUG_KMEMLEAK=y" in config
    cmd = [sys.executable, str(TOP / "harness" / "boot.py"),
           "--nodes", str(TOP / "harness" / "dts" / "modules.dtsi"),
           "--kbuild", str(args.kbuild), "--name", f"modules-{args.mode}"
           + (f"-max{args.max_active}"
              if args.max_active is not None else ""),
           "--append", f"probe_graph={args.mode}" +
           (f" probe_graph.max_active={args.max_active}"
            if args.max_active is not None else ""),
           "--init-args", f"pg.steps={','.join(STEPS)} pg.timeout_s=300"
           f" pg.kmemleak={int(kmemleak)}",
           "--log", str(log_path), "--out", str(out / "files"),
           "--timeout", str(args.timeout)]
    for name in (TEST_MODULE, ASYNC_MODULE, LOADED_MODULE):
        cmd += ["--module", str(module_path(args.kbuild, name))]
    booted = subprocess.run(cmd).returncode == 0
    log = log_path.read_text(errors="replace") if log_path.exists() else ""
    steps = read_steps(log, out / "files")
    problems = [] if booted else [f"boot failed (see {log_path})"]
    if kmemleak:
        problems += leaks(out / "files" / "kmemleak")
    try:
        problems += check(steps, log, args.mode != "off")
    except KeyError as e:
        problems.append(f"step {e} missing")
    if problems:
        for p in problems:
            print(f"modules {args.mode}: {p}")
        return 1
    for w in unexercised(steps, args.mode != "off", log):
        print(f"modules {args.mode}: warning: {w}")
    print(f"modules {args.mode}: {summary(steps, args.mode != 'off', log)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
