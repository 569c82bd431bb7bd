#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check a boot of a bad tree against its expectation (harness/dts/bad/).

With the probe graph on: the kernel log has no splat; every test device
of the tree is listed in probe_graph/devices, bound with one probe call
and no deferral, or not bound with the expected reason; probe-graph why
explains each unbound device; each cycle is reported once in
probe_graph/cycles and once in the kernel log; only the devices allowed
to probe before a supplier they reference is bound report an ordering
violation; nothing deferred on a declared dependency.  With it off, the
test devices that bound (the test driver's probes file) are the expected
ones, and, with --same-as, the same as in another boot.
"""

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

from check_boot import Device, parse_probes, read_devices, read_stats

TOP = Path(__file__).resolve().parent.parent
TOOL = TOP / "overlay" / "scripts" / "probe-graph" / "probe-graph"

# What boot.py fails on, and the reports of the debug options as well.
SPLAT_RE = re.compile(
    r"Kernel panic|Internal error: Oops|Oops|BUG: |------------\[ cut here \]"
    r"|WARNING: |Unable to handle kernel|Call trace:|kernel stack overflow"
    r"|Insufficient stack space"
    r"|INFO: task .* blocked for more than|circular locking dependency"
    r"|possible recursive locking|KASAN|UBSAN|soft lockup|hard LOCKUP"
    r"|rcu_(?:preempt|sched) detected stalls|self-detected stall"
    r"|kmemleak: .*new suspected|list_(?:add|del) corruption")
VIOLATION_RE = re.compile(
    r"probe-graph-test-device (\S+): ordering violation: (.*)$")
# printk cuts records at about 1000 characters: the members of a long
# cycle may be all the line has room for.
CYCLE_LOG_RE = re.compile(
    r"probe_graph: dependency cycle: (.*?)(?:; relaxed (.*))?$")


@dataclass
class Expectation:
    """What a boot of one bad tree must end with (gen_bad.py writes it)."""

    tree: str
    bound: List[str]
    unbound: Dict[str, str] = field(default_factory=dict)
    why: Dict[str, str] = field(default_factory=dict)
    cycles: int = 0
    may_violate: List[str] = field(default_factory=list)
    driver_defers: Dict[str, str] = field(default_factory=dict)
    edges: Dict[str, int] = field(default_factory=dict)
    needs: Optional[str] = None
    size: str = "small"

    @property
    def devices(self) -> List[str]:
        return self.bound + sorted(self.unbound)


def load_expectation(path: Path) -> Expectation:
    return expectation_from(json.loads(path.read_text()), str(path))


def expectation_from(data: Dict[str, Any], source: str = "") -> Expectation:
    """An Expectation from the JSON object gen_bad.py writes."""
    if data.get("version") != 1:
        raise ValueError(f"{source}: unknown version {data.get('version')}")
    return Expectation(
        tree=str(data["tree"]), bound=list(data["bound"]),
        unbound=dict(data.get("unbound", {})),
        why=dict(data.get("why", {})), cycles=int(data.get("cycles", 0)),
        may_violate=list(data.get("may_violate", [])),
        driver_defers=dict(data.get("driver_defers", {})),
        edges=dict(data.get("edges", {})), needs=data.get("needs"),
        size=str(data.get("size", "small")))


def splats(log: str) -> List[str]:
    """Kernel log lines that report a panic, oops, WARN, BUG, lockdep,
    KASAN, hung task or stall."""
    return [line.strip() for line in log.splitlines()
            if SPLAT_RE.search(line)]


def violations(log: str) -> Dict[str, List[str]]:
    """Ordering violations the test driver logged, by device."""
    found: Dict[str, List[str]] = {}
    for line in log.splitlines():
        m = VIOLATION_RE.search(line.rstrip("\r"))
        if m:
            found.setdefault(m.group(1), []).append(m.group(2))
    return found


def logged_cycles(log: str) -> List[str]:
    """Members of each cycle the kernel log reports, in log order."""
    out = []
    for line in log.splitlines():
        m = CYCLE_LOG_RE.search(line.rstrip("\r"))
        if m:
            out.append(m.group(1))
    return out


def read_cycles(path: Path) -> List[Tuple[str, str]]:
    """(members, relaxed) of each line of probe_graph/cycles."""
    out = []
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            members, _, relaxed = line.partition("\t")
            out.append((members, relaxed))
    return out


def read_probes(path: Path) -> Dict[str, List[int]]:
    """Return values of each ->probe() call, by device, in order."""
    probes: Dict[str, List[int]] = {}
    for name, _, _, ret in parse_probes(path.read_text()):
        probes.setdefault(name, []).append(ret)
    return probes


def bound_by_probes(path: Path) -> Set[str]:
    """Test devices whose last probe call succeeded (nothing unbinds)."""
    return {d for d, rets in read_probes(path).items() if rets[-1] == 0}


def count_edges(graph: Path) -> Dict[Tuple[str, str], int]:
    """Edge records of probe_graph/graph by (supplier, consumer)."""
    counts: Dict[Tuple[str, str], int] = {}
    for line in graph.read_text().splitlines():
        f = line.split("\t")
        if f[0] == "edge" and len(f) >= 3:
            counts[(f[1], f[2])] = counts.get((f[1], f[2]), 0) + 1
    return counts


def contains(text: str, keyword: str) -> bool:
    """keyword in text, ignoring case and whitespace (why wraps lines,
    even at hyphens)."""
    def squash(s: str) -> str:
        return re.sub(r"\s+", "", s).lower()
    return squash(keyword) in squash(text)


def run_tool(tool: Path, *args: str) -> Tuple[int, str]:
    proc = subprocess.run([sys.executable, str(tool), *args],
                          capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def check_device(exp: Expectation, name: str,
                 dev: Optional[Device]) -> Optional[str]:
    """A problem with one test device's line of probe_graph/devices."""
    if dev is None:
        return f"{name}: not listed in probe_graph/devices"
    if name in exp.unbound:
        want = exp.unbound[name]
        if dev.state == "bound":
            return f"{name}: bound, expected unbound ({want})"
        if dev.reason in ("", "-") or not contains(dev.reason, want):
            return (f"{name}: {dev.state}: reason '{dev.reason}', "
                    f"expected '{want}'")
        return None
    if dev.state != "bound":
        return f"{name}: {dev.state}: {dev.reason}"
    if name in exp.driver_defers:
        want = exp.driver_defers[name]
        if not dev.defers or not contains(dev.reason, want):
            return (f"{name}: bound after {dev.defers} deferrals, reason "
                    f"'{dev.reason}', expected deferrals and '{want}'")
        return None
    if dev.probe_calls != 1 or dev.defers:
        return (f"{name}: bound after {dev.probe_calls} probe calls, "
                f"{dev.defers} deferrals")
    return None


def check_cycles(exp: Expectation, pg: Path, log: str) -> List[str]:
    problems = []
    cycles = read_cycles(pg / "cycles")
    members = [m for m, _ in cycles]
    if len(cycles) != exp.cycles:
        problems.append(f"{len(cycles)} cycles in probe_graph/cycles, "
                        f"{exp.cycles} expected: {members}")
    if len(set(members)) != len(members):
        problems.append(f"a cycle is reported twice: {members}")
    logged = logged_cycles(log)
    unmatched = list(members)
    for line in logged:
        match = [m for m in unmatched if m == line or
                 (len(line) > 900 and m.startswith(line))]
        if match:
            unmatched.remove(match[0])
    if len(logged) != len(members) or unmatched:
        problems.append(f"kernel log reports cycles {logged}, "
                        f"probe_graph/cycles {members}")
    return problems


def check_on(exp: Expectation, out: Path, log: str, tool: Optional[Path],
             why_bound: int = 3) -> List[str]:
    """Problems of a boot with the probe graph on."""
    problems = [f"kernel: {s}" for s in splats(log)]
    pg = out / "probe_graph"
    probes_file = out / "probe_graph_test_device" / "probes"
    missing = [p for p in (pg / "devices", pg / "stats", pg / "cycles",
                           pg / "graph", probes_file) if not p.exists()]
    if missing:
        return problems + [f"{p} missing" for p in missing]
    devices = read_devices(pg / "devices")
    for name in exp.devices:
        problem = check_device(exp, name, devices.get(name))
        if problem:
            problems.append(problem)

    probes = read_probes(probes_file)
    unknown = sorted(set(probes) - set(exp.devices))
    if unknown:
        problems.append(f"devices not in the tree probed: {unknown[:5]}")
    listed_bound = {d for d in exp.devices
                    if d in devices and devices[d].state == "bound"}
    by_probes = bound_by_probes(probes_file)
    if listed_bound != by_probes:
        diff = sorted(listed_bound ^ by_probes)
        problems.append(f"probe_graph/devices and the test driver disagree "
                        f"on what bound: {diff[:5]}")

    problems += check_cycles(exp, pg, log)

    stats = read_stats(pg / "stats")
    if stats.get("defers_declared") != "0":
        problems.append(f"{stats.get('defers_declared')} deferrals of "
                        "declared dependencies")
    if stats.get("busy") != "0":
        problems.append(f"busy {stats.get('busy')} after settling")
    start = out / "init" / "stats-at-start"
    if start.exists() and read_stats(start).get("busy") != "0":
        problems.append("probes were still running when init started")

    for name, what in sorted(violations(log).items()):
        if name not in exp.may_violate:
            problems.append(f"{name}: ordering violation: {what[0]}")

    edges = count_edges(pg / "graph")
    for pair, want in sorted(exp.edges.items()):
        sup, _, con = pair.partition(">")
        if edges.get((sup, con), 0) != want:
            problems.append(f"{edges.get((sup, con), 0)} edges {sup} -> "
                            f"{con}, expected {want}")

    if tool is not None:
        problems += check_why(exp, pg, tool, why_bound)
        rc, text = run_tool(tool, "check", str(out))
        failed = [line for line in text.splitlines()
                  if line.startswith("not ok")]
        # Early starts of devices the tree allows to start early only.
        early = [line.split()[1] for line in text.splitlines()
                 if line.startswith("# ") and " started " in line]
        if (rc and len(failed) == 1 and " consumers start after " in
                failed[0] and early and
                all(name in exp.may_violate for name in early)):
            rc = 0
        if rc:
            problems.append("probe-graph check: " + " / ".join(failed))
    return problems


def check_why(exp: Expectation, pg: Path, tool: Path,
              why_bound: int) -> List[str]:
    """probe-graph why explains every unbound device and a few bound."""
    problems = []
    for name in sorted(exp.unbound):
        rc, text = run_tool(tool, "why", str(pg), name)
        want = exp.why.get(name, "")
        if rc != 1 or not text.strip() or not contains(text, want):
            problems.append(f"probe-graph why {name}: status {rc}, "
                            f"expected 1 and '{want}': {text.strip()}")
    sample = list(exp.driver_defers)
    bound = [d for d in exp.bound if d not in sample]
    if bound and why_bound > 0:
        step = max(1, len(bound) // why_bound)
        sample += bound[::step][:why_bound]
    for name in sample:
        if name in exp.unbound:
            continue
        rc, text = run_tool(tool, "why", str(pg), name)
        if rc != 0 or "is bound" not in text:
            problems.append(f"probe-graph why {name}: status {rc}: "
                            f"{text.strip()}")
    return problems


def check_off(exp: Expectation, out: Path, log: str,
              same_as: Optional[Path]) -> List[str]:
    """Problems of a boot with the probe graph off."""
    problems = [f"kernel: {s}" for s in splats(log)]
    probes_file = out / "probe_graph_test_device" / "probes"
    if not probes_file.exists():
        return problems + [f"{probes_file} missing"]
    bound = bound_by_probes(probes_file)
    want = set(exp.bound)
    if bound != want:
        problems.append(f"bound {sorted(bound - want)[:5]} not expected, "
                        f"not bound {sorted(want - bound)[:5]}")
    if same_as is not None:
        other = same_as / "probe_graph_test_device" / "probes"
        if not other.exists():
            problems.append(f"{other} missing")
        elif bound_by_probes(other) != bound:
            diff = sorted(bound_by_probes(other) ^ bound)
            problems.append(f"bound differently than in {same_as}: "
                            f"{diff[:5]}")
    return problems


def mode_of(out: Path) -> str:
    stats = out / "probe_graph" / "stats"
    return read_stats(stats).get("mode", "?") if stats.exists() else "?"


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("expect", type=Path, help="the tree's .json")
    ap.add_argument("out", type=Path, help="directory written by boot --out")
    ap.add_argument("--log", type=Path, required=True,
                    help="console log written by boot --log")
    ap.add_argument("--same-as", type=Path, metavar="OUT",
                    help="another boot whose test devices bound the same")
    ap.add_argument("--tool", type=Path, default=TOOL,
                    help="scripts/probe-graph/probe-graph to run why with")
    ap.add_argument("--no-tool", action="store_true",
                    help="do not run probe-graph why and check")
    args = ap.parse_args(argv)

    exp = load_expectation(args.expect)
    log = args.log.read_text(errors="replace")
    mode = mode_of(args.out)
    if mode == "off":
        problems = check_off(exp, args.out, log, args.same_as)
    else:
        problems = check_on(exp, args.out, log,
                            None if args.no_tool else args.tool)
        if args.same_as is not None:
            problems += check_off(exp, args.out, "", args.same_as)
    for p in problems:
        print(f"check-bad: {exp.tree}: {p}")
    print(f"check-bad: {exp.tree} (probe_graph={mode}): "
          f"{len(exp.devices)} test devices, {len(exp.bound)} to bind, "
          f"{exp.cycles} cycles expected: "
          f"{'ok' if not problems else f'{len(problems)} problems'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
