#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot benchmark: stock probing against the probe graph on one kernel.

For each size N, generate a random layered DAG of test devices (top-level
nodes shuffled, as real trees are sorted by address), boot it in QEMU virt
with stock synchronous probing (probe_graph=off), stock asynchronous
probing (probe_graph=off driver_async_probe=*), probe_graph=serial and
probe_graph=on, R times each, and report medians:

- makespan: from the first ->probe() start to the last successful end, as
  the test device driver records them (the same in every mode);
- its ratio to the critical path computed from the probe durations
  measured in that boot, and to the declared-delay critical path;
- speed-up over both stock modes;
- probe attempts (initcall_debug "probe of" lines), ->probe() calls,
  -EPROBE_DEFER results, ordering violations seen by the driver, and
  children it saw probed nested in their parent's probe, which populated
  them (stock's normal nesting, not a violation).

Writes results.json, results.md and makespan.svg to --out.
"""

import argparse
import json
import re
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_boot import parse_probes  # noqa: E402

TOP = Path(__file__).resolve().parent.parent
HARNESS = TOP / "harness"

MODES: Dict[str, str] = {
    "off": "probe_graph=off",
    "async": "probe_graph=off driver_async_probe=*",
    "serial": "probe_graph=serial",
    "on": "probe_graph=on",
}
COMMON = "initcall_debug log_buf_len=32M"
KMSG_RE = re.compile(r"^\d+,\d+,\d+,[^;]*;probe of (\S+) returned (-?\d+) "
                     r"after (\d+) usecs")


@dataclass
class Run:
    """What one boot measured."""

    n: int
    tree: str
    mode: str
    bound: int
    makespan_ms: float
    cp_measured_ms: float
    attempts: int
    probe_calls: int
    deferrals: int
    violations: int
    nested: int


def read_probes(path: Path) -> Dict[str, List[Tuple[int, int, int]]]:
    """The test device's record: device -> [(start_ns, end_ns, ret)]."""
    probes: Dict[str, List[Tuple[int, int, int]]] = {}
    for name, start, end, ret in parse_probes(path.read_text()):
        probes.setdefault(name, []).append((start, end, ret))
    return probes


def critical_path_ms(meta: Dict[str, Dict[str, object]],
                     duration: Dict[str, float]) -> float:
    """The longest chain of dependencies, weighted by probe durations."""
    best: Dict[str, float] = {}

    def deps(d: str) -> List[str]:
        info = meta[d]
        sups = info["suppliers"]
        out = [str(s) for s in sups] if isinstance(sups, list) else []
        if info["parent"]:
            out.append(str(info["parent"]))
        return out

    def layer(d: str) -> int:
        return int(str(meta[d]["layer"]))

    for d in sorted(meta, key=layer):
        best[d] = duration.get(d, 0.0) + max((best[x] for x in deps(d)),
                                             default=0.0)
    return max(best.values()) / 1e6


def measure(out: Path, n: int, tree: str, mode: str,
            meta: Dict[str, Dict[str, object]]) -> Run:
    td = out / "probe_graph_test_device"
    probes = read_probes(td / "probes")
    ok = {d: [p for p in ps if p[2] == 0] for d, ps in probes.items()}
    bound = {d: ps[-1] for d, ps in ok.items() if ps}
    starts = [p[0] for ps in probes.values() for p in ps]
    makespan = (max(p[1] for p in bound.values()) - min(starts)) / 1e6 \
        if bound else 0.0
    duration = {d: float(p[1] - p[0]) for d, p in bound.items()}
    attempts = deferrals = 0
    for line in (out / "kmsg" / "probes").read_text().splitlines():
        m = KMSG_RE.match(line)
        if not m or m.group(1) not in meta:
            continue
        attempts += 1
        deferrals += abs(int(m.group(2))) == 517
    return Run(n=n, tree=tree, mode=mode, bound=len(bound),
               makespan_ms=makespan,
               cp_measured_ms=critical_path_ms(meta, duration),
               attempts=attempts,
               probe_calls=int((td / "probe_calls").read_text()),
               deferrals=deferrals,
               violations=int((td / "violations").read_text()),
               nested=int((td / "nested").read_text()))


def boot(dtsi: Path, name: str, mode: str, log: Path, out: Path,
         timeout: int) -> None:
    subprocess.run([sys.executable, str(HARNESS / "boot.py"),
                    "--nodes", str(dtsi), "--name", name,
                    "--append", f"{MODES[mode]} {COMMON}",
                    "--init-args", f"pg.kmsg=1 pg.timeout_s={timeout}",
                    "--log", str(log), "--out", str(out),
                    "--timeout", str(timeout + 120)], check=True)


def median_run(runs: List[Run]) -> Dict[str, float]:
    keys = ("bound", "makespan_ms", "cp_measured_ms", "attempts",
            "probe_calls", "deferrals", "violations", "nested")
    return {k: statistics.median(float(getattr(r, k)) for r in runs)
            for k in keys}


def table(results: Dict[str, Dict[str, Dict[str, float]]],
          declared: Dict[str, float], sizes: Dict[str, int]) -> str:
    lines = ["| tree | mode | bound | makespan ms | x CP measured | "
             "x CP declared | vs off | vs async | attempts/dev | "
             "probe calls/dev | deferrals | violations | nested |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for tree, modes in results.items():
        n = sizes[tree]
        for mode, m in modes.items():
            off = modes.get("off", {}).get("makespan_ms")
            asy = modes.get("async", {}).get("makespan_ms")
            mk = m["makespan_ms"]
            lines.append(
                f"| {tree} | {mode} | {m['bound']:.0f}/{n} | {mk:.0f} | "
                f"{mk / m['cp_measured_ms']:.2f} | "
                f"{mk / declared[tree]:.2f} | "
                f"{off / mk if off else 0:.1f} | "
                f"{asy / mk if asy else 0:.1f} | "
                f"{m['attempts'] / n:.2f} | {m['probe_calls'] / n:.2f} | "
                f"{m['deferrals']:.0f} | {m['violations']:.0f} | "
                f"{m['nested']:.0f} |")
    return "\n".join(lines) + "\n"


def plot(results: Dict[str, Dict[str, Dict[str, float]]],
         sizes: Dict[str, int]) -> str:
    """Makespan against N, one line per mode, log scale on both axes."""
    import math
    w, h, pad = 640, 400, 60
    pts: Dict[str, List[Tuple[int, float]]] = {}
    for tree, modes in results.items():
        if tree.endswith("-topo"):
            continue
        for mode, m in modes.items():
            pts.setdefault(mode, []).append((sizes[tree], m["makespan_ms"]))
    xs = [x for p in pts.values() for x, _ in p] or [1]
    ys = [y for p in pts.values() for _, y in p if y > 0] or [1.0]
    lx0, lx1 = math.log10(min(xs)) - 0.1, math.log10(max(xs)) + 0.1
    ly0, ly1 = math.log10(min(ys)) - 0.2, math.log10(max(ys)) + 0.2

    def sx(x: float) -> float:
        return pad + (math.log10(x) - lx0) / (lx1 - lx0) * (w - 2 * pad)

    def sy(y: float) -> float:
        return h - pad - (math.log10(y) - ly0) / (ly1 - ly0) * (h - 2 * pad)

    colours = {"off": "#d62728", "async": "#ff7f0e", "serial": "#7f7f7f",
               "on": "#2ca02c"}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" '
           f'height="{h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{w / 2}" y="20" text-anchor="middle">'
           'Makespan of probing against devices (log-log)</text>',
           f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" '
           'stroke="black"/>',
           f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h - pad}" '
           'stroke="black"/>',
           f'<text x="{w / 2}" y="{h - 15}" text-anchor="middle">'
           'devices</text>',
           f'<text x="15" y="{h / 2}" transform="rotate(-90 15 {h / 2})" '
           'text-anchor="middle">makespan (ms)</text>']
    for x in sorted(set(xs)):
        out.append(f'<text x="{sx(x):.0f}" y="{h - pad + 15}" '
                   f'text-anchor="middle">{x}</text>')
    for e in range(math.floor(ly0), math.ceil(ly1) + 1):
        y = 10 ** e
        if ly0 <= e <= ly1:
            out.append(f'<text x="{pad - 5}" y="{sy(y) + 4:.0f}" '
                       f'text-anchor="end">{y:g}</text>')
    for i, (mode, p) in enumerate(sorted(pts.items())):
        p.sort()
        c = colours.get(mode, "black")
        coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in p if y > 0)
        out.append(f'<polyline points="{coords}" fill="none" stroke="{c}" '
                   'stroke-width="2"/>')
        for x, y in p:
            if y > 0:
                out.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" '
                           f'fill="{c}"/>')
        out.append(f'<text x="{w - pad - 60}" y="{pad + 16 * i}" '
                   f'fill="{c}">{mode}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[100, 1000],
                    help="tree sizes")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--modes", default="off,async,serial,on")
    ap.add_argument("--topo", type=int, default=1000,
                    help="also boot the topologically sorted tree of this "
                    "size (0: none)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=int, default=900,
                    help="seconds a boot may take to settle")
    ap.add_argument("--out", type=Path, default=TOP / ".build" / "bench")
    args = ap.parse_args(argv)
    modes = args.modes.split(",")
    args.out.mkdir(parents=True, exist_ok=True)

    trees: List[Tuple[str, int, str]] = [(f"n{n}", n, "shuffled")
                                         for n in args.n]
    if args.topo:
        trees.append((f"n{args.topo}-topo", args.topo, "topo"))

    results: Dict[str, Dict[str, Dict[str, float]]] = {}
    runs: List[Run] = []
    declared: Dict[str, float] = {}
    sizes: Dict[str, int] = {}
    for tree, n, order in trees:
        dtsi, meta_path = args.out / f"{tree}.dtsi", args.out / f"{tree}.json"
        subprocess.run([sys.executable, str(HARNESS / "gen_dag.py"),
                        "-n", str(n), "--seed", str(args.seed),
                        "--order", order, "--out", str(dtsi),
                        "--meta", str(meta_path)], check=True)
        meta = json.loads(meta_path.read_text())
        declared[tree] = meta["critical_path_us"] / 1000
        sizes[tree] = n
        results[tree] = {}
        for mode in modes:
            these = []
            for r in range(args.repeat):
                base = args.out / f"{tree}-{mode}-{r}"
                boot(dtsi, tree, mode, base.with_suffix(".log"), base,
                     args.timeout)
                run = measure(base, n, tree, mode, meta["devices"])
                print(f"bench: {tree} {mode} #{r}: {run.makespan_ms:.0f} ms, "
                      f"{run.bound}/{n} bound, {run.deferrals} deferrals, "
                      f"{run.violations} violations, {run.nested} nested",
                      file=sys.stderr)
                these.append(run)
            runs.extend(these)
            results[tree][mode] = median_run(these)

    md = table(results, declared, sizes)
    (args.out / "results.md").write_text(md)
    (args.out / "results.json").write_text(json.dumps({
        "version": 1,
        "declared_critical_path_ms": declared,
        "medians": results,
        "runs": [asdict(r) for r in runs],
    }, indent=1) + "\n")
    (args.out / "makespan.svg").write_text(plot(results, sizes))
    print(md)
    print(f"bench: results in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
