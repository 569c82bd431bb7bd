#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Stock probing against the probe graph on QEMU's models of real boards,
each booting the kernel's own board tree with the SoC's drivers built in.

For a board (see board_defs.py), builds its kernel and dtb out of tree,
then boots it with probe_graph=off (stock, synchronous), probe_graph=off
driver_async_probe=* (stock, asynchronous) and probe_graph=on, a number of
times each, modes interleaved so that load on the host spreads over all of
them.  Every boot has initcall_debug, whose "probe of X returned R after T
usecs" records (collected by the initramfs) give per device:

- probe attempts (every record) and ->probe() calls (records with R >= 0:
  really_probe() returns driver errors as positive values and its own
  checks, such as fw_devlink's supplier check, as negative ones);
- deferrals (|R| == 517), as "link" (R < 0: the driver core's supplier
  check, before ->probe()) or "driver" (R > 0: ->probe() returned
  -EPROBE_DEFER);
- the bound set: devices whose last record is R == 0 and that still
  exist at the end of boot (the graph file of the probe_graph=on boots
  lists every device then);
- the time of the last successful probe (printk clock), and the time
  init started.

Each deferral is attributed to the declared dependencies (parent and
supplier edges of the probe graph's debugfs graph file, read from the
probe_graph=on boots: they are fw_devlink's and the same in every mode)
that had not bound yet when it happened; a deferral with none is an
undeclared dependency.  Devices still deferred at the end come with the
kernel's reason from devices_deferred.
"""

import json
import os
import re
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set, Tuple

TOP = Path(__file__).resolve().parent.parent
HARNESS = TOP / "harness"
sys.path.insert(0, str(HARNESS))

import boot  # noqa: E402

WORK = boot.WORK
EPROBE_DEFER = 517
EBUSY = 16

MODES: Dict[str, str] = {
    "off": "probe_graph=off",
    "async": "probe_graph=off driver_async_probe=*",
    "on": "probe_graph=on",
}
COMMON = "initcall_debug log_buf_len=4M"
NO_CONSOLE = "unable to open an initial console"

KMSG_RE = re.compile(r"^\d+,\d+,(\d+),[^;]*;probe of (\S+) returned (-?\d+) "
                     r"after (\d+) usecs")
INIT_RE = re.compile(r"^\d+,\d+,(\d+),[^;]*;Run (\S+) as init process")
STAMP_RE = re.compile(r"^\[\s*(\d+\.\d+)\]", re.M)
VERSION_RE = re.compile(r"Linux version (\S+) .*?(#\d+ .*)$", re.M)


@dataclass(frozen=True)
class Board:
    """A QEMU board model and the kernel tree of the real board."""

    machine: str        # QEMU machine, see boot.BOARD_MACHINES
    title: str
    dts: str            # under arch/<arch>/boot/dts
    fragment: str       # under harness/configs, merged on allnoconfig
    kbuild: str         # build directory under .build
    hardware: str       # what QEMU gives the guest
    # device -> what the tree and the drivers say about it
    notes: Dict[str, str] = field(default_factory=dict)
    # devices bound, then unregistered -> why
    transient: Dict[str, str] = field(default_factory=dict)
    # what the tables leave out, and why
    remark: str = ""

    @property
    def arch(self) -> boot.Arch:
        return boot.BOARD_MACHINES[self.machine].arch

    @property
    def dtb(self) -> str:
        return self.dts.replace(".dts", ".dtb")



@dataclass
class Probe:
    """One "probe of" record of initcall_debug."""

    device: str
    ret: int
    usecs: int
    time_us: int


@dataclass
class Node:
    """A device of the probe graph's graph file: parent and suppliers."""

    device: str
    parent: str
    driver: str
    # supplier -> (kind, state) as the graph file gives them
    suppliers: Dict[str, Tuple[str, str]] = field(default_factory=dict)


@dataclass
class Deferral:
    """One -EPROBE_DEFER result and what it was waiting for."""

    device: str
    time_us: int
    kind: str           # "link" (before ->probe()) or "driver"
    waiting_for: List[str]  # declared dependencies not bound yet
    blocking: bool      # one of them holds the probe back
    cause: str
    detail: str         # the blocking dependencies' records around it


@dataclass
class BootRun:
    """What one boot measured."""

    mode: str
    index: int
    log: str
    ok: bool
    measured: bool      # the initramfs printed the probe records
    problems: List[str]
    probed: List[str]
    bound: List[str]
    failed: Dict[str, int]
    attempts: int
    probe_calls: int
    deferrals: List[Deferral]
    first_probe_ms: float
    last_probe_ms: float
    init_ms: float      # when the kernel ran init; 0.0: no record
    uptime_s: float
    printk_end_s: float
    no_console: bool
    still_deferred: Dict[str, str]
    graph_bound: Optional[List[str]]
    graph_stats: Dict[str, str]
    graph_reasons: Dict[str, str]

    @property
    def deferral_count(self) -> int:
        return len(self.deferrals)

    def deferrals_of(self, kind: str) -> int:
        return sum(d.kind == kind for d in self.deferrals)


# --- parsing -------------------------------------------------------------

def parse_probes(text: str) -> List[Probe]:
    """The records of the /kmsg/probes block, in log order."""
    probes = []
    for line in text.splitlines():
        m = KMSG_RE.match(line)
        if m:
            probes.append(Probe(device=m.group(2), ret=int(m.group(3)),
                                usecs=int(m.group(4)),
                                time_us=int(m.group(1))))
    return probes


def parse_graph(text: str) -> Dict[str, Node]:
    """Nodes and supplier edges of probe_graph/graph."""
    nodes: Dict[str, Node] = {}
    edges: List[List[str]] = []
    for line in text.splitlines():
        f = line.split("\t")
        if f[0] == "node" and len(f) >= 6:
            nodes[f[1]] = Node(device=f[1], parent=f[4], driver=f[3])
        elif f[0] == "edge" and len(f) >= 5:
            edges.append(f)
    for _, sup, con, kind, state in (e[:5] for e in edges):
        if con in nodes and kind != "parent":
            nodes[con].suppliers[sup] = (kind, state)
    return nodes


def parse_devices(text: str) -> Dict[str, Tuple[str, str]]:
    """probe_graph/devices: device -> (state, reason)."""
    out: Dict[str, Tuple[str, str]] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        f = line.split("\t")
        if len(f) >= 6:
            out[f[0]] = (f[2], f[5])
    return out


def parse_stats(text: str) -> Dict[str, str]:
    stats: Dict[str, str] = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if key:
            stats[key] = value
    return stats


def parse_deferred(text: str) -> Dict[str, str]:
    """devices_deferred: device -> reason (may be empty)."""
    out: Dict[str, str] = {}
    for line in text.splitlines():
        if line.strip():
            dev, _, reason = line.partition("\t")
            out[dev.strip()] = reason.strip()
    return out


def bind_times(probes: Sequence[Probe]) -> Dict[str, int]:
    """Device -> time of its first successful probe."""
    out: Dict[str, int] = {}
    for p in probes:
        if p.ret == 0 and p.device not in out:
            out[p.device] = p.time_us
    return out


NON_BLOCKING = ("relaxed", "cycle-broken")


def attribute(probes: Sequence[Probe],
              topology: Dict[str, Node]) -> List[Deferral]:
    """Each deferral with the declared dependencies unbound when the
    attempt started.  A dependency counts as bound from the record of its
    first successful probe on."""
    bound_at = bind_times(probes)
    out = []
    for i, p in enumerate(probes):
        if abs(p.ret) != EPROBE_DEFER:
            continue
        kind = "link" if p.ret < 0 else "driver"
        start = p.time_us - p.usecs
        waiting: List[str] = []
        details: List[str] = []
        blocking = False
        node = topology.get(p.device)
        if node is not None:
            deps: List[Tuple[str, str, str]] = []
            parent = topology.get(node.parent)
            if parent is not None and parent.driver != "-":
                deps.append((node.parent, "parent", "satisfied"))
            deps += [(s, k, st) for s, (k, st) in node.suppliers.items()]
            for dep, dep_kind, state in deps:
                t = bound_at.get(dep)
                if t is None or t > start:
                    waiting.append(dep_kind + " " + dep +
                                   (f" ({state} edge)"
                                    if state in NON_BLOCKING else ""))
                    if state in NON_BLOCKING:
                        continue
                    blocking = True
                    before = [q for q in probes[:i] if q.device == dep]
                    details.append(
                        f"{dep}: " + (f"last result {before[-1].ret} at "
                                      f"{before[-1].time_us / 1000:.1f} ms"
                                      if before else "no result yet") +
                        (f", bound at {t / 1000:.1f} ms" if t is not None
                         else ", never bound"))
        if blocking:
            cause = "declared dependency not bound yet: " + ", ".join(waiting)
        elif waiting:
            cause = ("only a non-blocking dependency not bound yet: " +
                     ", ".join(waiting))
        elif node is None:
            cause = "not in the probe graph"
        else:
            cause = "undeclared dependency: every declared one had bound"
        out.append(Deferral(device=p.device, time_us=p.time_us, kind=kind,
                            waiting_for=waiting, blocking=blocking,
                            cause=cause,
                            detail=(f"attempt {start / 1000:.1f}-"
                                    f"{p.time_us / 1000:.1f} ms; " +
                                    "; ".join(details)) if details else ""))
    return out


def measure(mode: str, index: int, log: Path, ok: bool,
            topology: Dict[str, Node]) -> BootRun:
    """Read one boot's console log."""
    text = log.read_text(errors="replace")
    problems = []
    try:
        files = boot.parse_console(text)
    except boot.BootError as e:
        files = {}
        problems.append(str(e))
    fatal = boot.FATAL_RE.search(text)
    if fatal:
        problems.append(f"kernel reported '{fatal.group(0)}'")
    if boot.DONE not in text:
        problems.append("no '" + boot.DONE + "' marker")
    records = files.get("/kmsg/probes", "")
    probes = parse_probes(records)
    init = [int(m.group(1)) for m in
            (INIT_RE.match(line) for line in records.splitlines()) if m]
    last: Dict[str, int] = {}
    for p in probes:
        # The driver core's -EBUSY: bound already (an i2c dummy of at24,
        # say), nothing was tried.
        if p.ret == -EBUSY:
            continue
        last[p.device] = p.ret
    bound = sorted(d for d, r in last.items() if r == 0)
    failed = {d: r for d, r in last.items()
              if r != 0 and abs(r) != EPROBE_DEFER}
    ok_times = [p.time_us for p in probes if p.ret == 0]
    uptime = files.get("/proc/uptime", "").split()
    pg = "/sys/kernel/debug/probe_graph/"
    devices = parse_devices(files.get(pg + "devices", ""))
    graph_bound = sorted(d for d, (s, _) in devices.items()
                         if s == "bound") if devices else None
    return BootRun(
        mode=mode, index=index, log=str(log), ok=ok and not problems,
        measured="/kmsg/probes" in files, problems=problems,
        probed=sorted(last), bound=bound, failed=failed,
        attempts=len(probes),
        probe_calls=sum(p.ret >= 0 for p in probes),
        deferrals=attribute(probes, topology),
        first_probe_ms=probes[0].time_us / 1000 if probes else 0.0,
        last_probe_ms=max(ok_times) / 1000 if ok_times else 0.0,
        init_ms=init[0] / 1000 if init else 0.0,
        uptime_s=float(uptime[0]) if uptime else 0.0,
        printk_end_s=max((float(x) for x in STAMP_RE.findall(text)),
                         default=0.0),
        no_console=NO_CONSOLE in text,
        still_deferred=parse_deferred(
            files.get("/sys/kernel/debug/devices_deferred", "")),
        graph_bound=graph_bound,
        graph_stats=parse_stats(files.get(pg + "stats", "")),
        graph_reasons={d: r for d, (s, r) in devices.items()
                       if r not in ("-", "no driver")})


def topology_of(logs: Sequence[Path]) -> Dict[str, Node]:
    """Union of the graph files of the given boots."""
    nodes: Dict[str, Node] = {}
    for log in logs:
        try:
            files = boot.parse_console(log.read_text(errors="replace"))
        except boot.BootError:
            continue
        for name, node in parse_graph(
                files.get("/sys/kernel/debug/probe_graph/graph", "")).items():
            if name in nodes:
                nodes[name].suppliers.update(node.suppliers)
            else:
                nodes[name] = node
    return nodes


# --- summary -------------------------------------------------------------

def med(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def fmt(x: float) -> str:
    return f"{x:.0f}" if x == int(x) else f"{x:.1f}"


@dataclass
class ModeSummary:
    """Medians of one mode, and its bound set against off's."""

    mode: str
    params: str
    boots: int
    ok_boots: int
    measured: int
    probed: float
    bound: float
    attempts: float
    probe_calls: float
    deferrals: float
    link_deferrals: float
    driver_deferrals: float
    last_probe_ms: float
    init_ms: float
    no_console: int
    bound_sets: int
    same_bound_as_off: Optional[bool]
    bound_diff: Dict[str, List[str]]
    transient: Dict[str, int]   # bound, then unregistered: in how many boots


def end_bound(run: BootRun, present: Set[str]) -> List[str]:
    """The devices of @run bound at the end: those bound by their last
    record that still exist at the end of boot (@present: the devices of
    the probe graph's graph file; empty: no such list)."""
    return [d for d in run.bound if not present or d in present]


def summarise(mode: str, all_runs: Sequence[BootRun],
              reference: Optional[Set[str]],
              present: Set[str]) -> ModeSummary:
    """Medians over the boots that printed their records."""
    runs = [r for r in all_runs if r.measured]
    sets = {tuple(end_bound(r, present)) for r in runs}
    union: Set[str] = set()
    inter: Set[str] = set(end_bound(runs[0], present)) if runs else set()
    transient: Dict[str, int] = {}
    for r in runs:
        union |= set(end_bound(r, present))
        inter &= set(end_bound(r, present))
        for d in set(r.bound) - set(end_bound(r, present)):
            transient[d] = transient.get(d, 0) + 1
    diff: Dict[str, List[str]] = {}
    same: Optional[bool] = None
    if reference is not None:
        diff = {"missing": sorted(reference - inter),
                "extra": sorted(union - reference)}
        same = not diff["missing"] and not diff["extra"]
    return ModeSummary(
        mode=mode, params=MODES.get(mode, mode), boots=len(all_runs),
        ok_boots=sum(r.ok for r in all_runs), measured=len(runs),
        probed=med([len(r.probed) for r in runs]),
        bound=med([len(end_bound(r, present)) for r in runs]),
        attempts=med([r.attempts for r in runs]),
        probe_calls=med([r.probe_calls for r in runs]),
        deferrals=med([r.deferral_count for r in runs]),
        link_deferrals=med([r.deferrals_of("link") for r in runs]),
        driver_deferrals=med([r.deferrals_of("driver") for r in runs]),
        last_probe_ms=med([r.last_probe_ms for r in runs]),
        init_ms=med([r.init_ms for r in runs if r.init_ms]),
        no_console=sum(r.no_console for r in all_runs),
        bound_sets=len(sets), same_bound_as_off=same, bound_diff=diff,
        transient=transient)


@dataclass
class DeviceDeferrals:
    """The deferrals of one device in one mode, over all its boots."""

    device: str
    per_boot: List[int]
    kinds: Dict[str, int]
    causes: Dict[str, int]
    still_deferred: int
    final_reasons: List[str]


def deferrals_by_device(all_runs: Sequence[BootRun]
                        ) -> List[DeviceDeferrals]:
    runs = [r for r in all_runs if r.measured]
    devices = sorted({d.device for r in runs for d in r.deferrals} |
                     {d for r in runs for d in r.still_deferred})
    out = []
    for dev in devices:
        kinds: Dict[str, int] = {}
        causes: Dict[str, int] = {}
        reasons: List[str] = []
        for r in runs:
            for d in r.deferrals:
                if d.device == dev:
                    kinds[d.kind] = kinds.get(d.kind, 0) + 1
                    causes[d.cause] = causes.get(d.cause, 0) + 1
            if dev in r.still_deferred:
                reason = r.still_deferred[dev] or "(no reason given)"
                if reason not in reasons:
                    reasons.append(reason)
            g = r.graph_reasons.get(dev)
            if g and g not in reasons:
                reasons.append(g)
        out.append(DeviceDeferrals(
            device=dev,
            per_boot=[sum(d.device == dev for d in r.deferrals)
                      for r in runs],
            kinds=kinds, causes=causes,
            still_deferred=sum(dev in r.still_deferred for r in runs),
            final_reasons=reasons))
    return out


def md_escape(s: str) -> str:
    return s.replace("|", "\\|")


def report(board: Board, summaries: Sequence[ModeSummary],
           runs: Dict[str, List[BootRun]], present: Set[str], kernel: str,
           qemu: str, command: str, level: str = "#") -> str:
    """The Markdown report of one board; @level: its heading level."""
    n = max((s.boots for s in summaries), default=0)
    sub = level + "#"
    out = [
        f"{level} {board.title}: stock probing against the probe graph "
        f"on QEMU {board.machine}",
        "",
        f"Kernel {kernel}, harness/configs/{board.fragment}, the kernel's "
        f"`{board.dts}`; {qemu} `-M {board.machine}` ({board.hardware}), "
        f"initramfs of harness/initramfs/init.c.  {n} boots per mode, "
        f"modes interleaved; every boot has `{COMMON}`.",
        "",
        f"Produced by: `{command}`",
        "",
        "Medians over the boots of each mode that printed their records "
        "(*measured*).  *Probe attempts*: initcall_debug \"probe of\" "
        "records; *->probe() calls*: those with a result >= 0 "
        "(really_probe() reports driver errors as positive values, its own "
        "checks as negative ones); *deferrals*: results -EPROBE_DEFER, "
        "*link* when fw_devlink's supplier check refused the probe before "
        "->probe(), *driver* when ->probe() returned it; *bound*: devices "
        "whose last record is a success and that still exist at the end "
        "(see below), in every measured boot the same set as in `off` "
        "(*bound set = off*); *last probe*: printk time of "
        "the last successful probe; *init*: printk time of \"Run /init as "
        "init process\".  Times come from TCG emulation on a shared host: "
        "compare them between modes only, and see the boots below for "
        "outliers.",
        "",
        "| mode | kernel parameters | boots measured | devices probed | "
        "devices bound | bound set = off | probe attempts | ->probe() "
        "calls | deferrals | link / driver | last probe ms | init ms | "
        "\"unable to open an initial console\" |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        same = "-" if s.same_bound_as_off is None else (
            "yes" if s.same_bound_as_off else "**no**")
        if s.bound_sets > 1:
            same += f" ({s.bound_sets} different sets)"
        out.append(
            f"| {s.mode} | `{s.params}` | {s.measured}/{s.boots} | "
            f"{fmt(s.probed)} | {fmt(s.bound)} | {same} | "
            f"{fmt(s.attempts)} | {fmt(s.probe_calls)} | "
            f"{fmt(s.deferrals)} | {fmt(s.link_deferrals)} / "
            f"{fmt(s.driver_deferrals)} | {s.last_probe_ms:.0f} | "
            f"{s.init_ms:.0f} | {s.no_console}/{s.boots} |")
    out.append("")

    warned = False
    for mode, rs in runs.items():
        for r in rs:
            if r.no_console:
                warned = True
                out.append(
                    f"{mode} boot {r.index}: \"Warning: {NO_CONSOLE}.\" "
                    "The serial console was not registered yet when init "
                    "started, so init's output (the records and the "
                    "debugfs files) was lost" +
                    (": the boot is not measured." if not r.measured
                     else "."))
    if warned:
        out.append("")

    out += [f"{sub} Boots", "",
            "| mode | boot | measured | bound | probe attempts | deferrals "
            "| first record ms | last probe ms | /proc/uptime at the end s "
            "| last printk time s |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for i in range(n):
        for mode, rs in runs.items():
            for r in rs:
                if r.index != i:
                    continue
                out.append(
                    f"| {mode} | {r.index} | "
                    f"{'yes' if r.measured else 'no'} | "
                    f"{len(end_bound(r, present))} | "
                    f"{r.attempts} | {r.deferral_count} | "
                    f"{r.first_probe_ms:.0f} | {r.last_probe_ms:.0f} | "
                    f"{r.uptime_s:.2f} | {r.printk_end_s:.2f} |")
    out += ["", "The last printk time is that of \"reboot: Power down\", "
            "just after init printed /proc/uptime.  A printk time far above "
            "that uptime marks a boot in which the guest's clocks disagree, "
            "as when the host stops running the guest for a while (the host "
            "is shared): compare such a boot's times with care.", ""]

    ref = [r for r in runs.get("off", []) if r.measured]
    if ref:
        bound = sorted(end_bound(ref[0], present))
        out += [f"{sub} Bound devices", "",
                "The bound set of a boot: the devices whose last record is "
                "a success and that still exist at the end of boot "
                "(probe_graph/graph of the `on` boots lists every device "
                "there is then).  "
                f"{len(bound)} devices bound at the end of the first `off` "
                "boot: " + ", ".join(f"`{d}`" for d in bound) + ".", ""]
        for s in summaries:
            if s.bound_diff.get("missing") or s.bound_diff.get("extra"):
                out.append(f"- **{s.mode} differs from off**: missing "
                           f"{s.bound_diff['missing']}, extra "
                           f"{s.bound_diff['extra']}")
        gone = sorted({d for s in summaries for d in s.transient})
        for d in gone:
            counts = ", ".join(f"{s.mode} {s.transient.get(d, 0)}/"
                               f"{s.measured}" for s in summaries)
            out.append(f"- `{d}` bound, then was unregistered (not "
                       f"counted), in {counts} boots.")
            if d in board.transient:
                out.append("  " + board.transient[d])
        agree: List[int] = []
        for r in runs.get("on", []):
            if r.graph_bound is None:
                continue
            mine, theirs = set(end_bound(r, present)), set(r.graph_bound)
            if mine == theirs:
                agree.append(r.index)
            else:
                out.append(
                    f"- on boot {r.index}: the records say "
                    f"{sorted(mine - theirs)} bound and probe_graph/devices "
                    f"does not; probe_graph/devices says "
                    f"{sorted(theirs - mine)} bound and the records do not.")
        on = [r for r in runs.get("on", []) if r.graph_bound is not None]
        if on:
            out.append(f"- The bound set from the records equals the bound "
                       f"devices of probe_graph/devices in {len(agree)}/"
                       f"{len(on)} `on` boots.")
        out.append("")

    out += [f"{sub} Devices that did not bind", ""]
    for mode, rs in runs.items():
        failed: Dict[str, Set[int]] = {}
        for r in rs:
            for d, ret in r.failed.items():
                failed.setdefault(d, set()).add(ret)
        items = ", ".join(f"`{d}` ({'/'.join(str(x) for x in sorted(v))})"
                          for d, v in sorted(failed.items()))
        out.append(f"- {mode}: {items or 'none'}")
    out.append("")
    failing = sorted({d for rs in runs.values() for r in rs
                      for d in r.failed})
    out += [f"- `{d}`: {board.notes[d]}" for d in failing
            if d in board.notes]
    if board.remark:
        out += ["", board.remark]
    out.append("")

    for mode, rs in runs.items():
        rows = deferrals_by_device(rs)
        measured = sum(r.measured for r in rs)
        out += [f"{sub} Deferrals by cause: {mode}", ""]
        if not rows:
            out += ["None.", ""]
            continue
        out += ["| device | deferrals per boot | link / driver | causes "
                "(deferrals over all boots) | still deferred at the end |",
                "|---|---|---|---|---|"]
        for row in rows:
            causes = "; ".join(f"{md_escape(c)} ({k})"
                               for c, k in row.causes.items())
            final = (f"{row.still_deferred}/{measured}: " +
                     "; ".join(md_escape(x) for x in row.final_reasons)
                     if row.still_deferred else "no")
            out.append(
                f"| `{row.device}` | {', '.join(map(str, row.per_boot))} | "
                f"{row.kinds.get('link', 0)} / {row.kinds.get('driver', 0)}"
                f" | {causes or '-'} | {final} |")
        out.append("")

    on_rows = deferrals_by_device(runs.get("on", []))
    if on_rows:
        out += [f"{sub} Deferrals left under probe_graph=on", "",
                "The graph probes a device once its parent and the "
                "suppliers fw_devlink declares have bound, so what is left "
                "is either a dependency no edge declares or a probe the "
                "graph let through early.", ""]
        for row in on_rows:
            total = sum(row.per_boot)
            out.append(f"- `{row.device}`: {total} deferrals over "
                       f"{len(row.per_boot)} boots "
                       f"({', '.join(map(str, row.per_boot))}).")
            for c, k in row.causes.items():
                tag = ""
                if c.startswith("declared"):
                    tag = (" **The graph probed it before a declared "
                           "dependency had bound.**")
                out.append(f"  - {k}x {c}.{tag}")
            for r in runs.get("on", []):
                for dfr in r.deferrals:
                    if dfr.device == row.device and dfr.detail:
                        out.append(f"    - boot {r.index}: {dfr.detail}")
            if row.final_reasons:
                out.append("  - The kernel says: " +
                           "; ".join(row.final_reasons) + ".")
            if row.device in board.notes:
                out.append(f"  - {board.notes[row.device]}")
        out.append("")

    problems = [(r.mode, r.index, p) for rs in runs.values() for r in rs
                for p in r.problems]
    if problems:
        out += [f"{sub} Boot problems", ""]
        out += [f"- {m} boot {i}: {p}" for m, i, p in problems]
        out.append("")
    return "\n".join(out)




# --- build and boot ------------------------------------------------------

def kmake(board: Board, kbuild: Path, jobs: int, *targets: str) -> None:
    arch = board.arch
    subprocess.run(["nice", "-n", "10", "make", "-s", "-C",
                    str(WORK / "linux"), f"O={kbuild.resolve()}",
                    f"ARCH={arch.kernel_arch}",
                    f"CROSS_COMPILE={arch.cross}",
                    f"CC=ccache {arch.cross}gcc", f"-j{jobs}",
                    *targets], check=True, stdout=subprocess.DEVNULL)


def fragment_path(board: Board) -> Path:
    return HARNESS / "configs" / board.fragment


def config_ok(board: Board, kbuild: Path) -> List[str]:
    """The options of the board's fragment missing from the .config."""
    config = kbuild / ".config"
    have = set(config.read_text().splitlines()) if config.exists() else set()
    return [line for line in fragment_path(board).read_text().splitlines()
            if line.startswith("CONFIG_") and line not in have]


def dtb_path(board: Board, kbuild: Path) -> Path:
    return kbuild / "arch" / board.arch.kernel_arch / "boot" / "dts" / \
        board.dtb


def build(board: Board, kbuild: Path, jobs: int) -> Path:
    """Configure if needed, build the kernel image and the board's dtb."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    os.environ.setdefault("CCACHE_DIR", str(cache / "ccache"))
    os.environ.setdefault("CCACHE_BASEDIR", str(WORK.parent))
    os.environ.setdefault("CCACHE_NOHASHDIR", "1")
    kbuild = kbuild.resolve()
    kbuild.mkdir(parents=True, exist_ok=True)
    if config_ok(board, kbuild):
        print(f"boards: configuring {kbuild}", file=sys.stderr)
        kmake(board, kbuild, jobs, "allnoconfig")
        subprocess.run([str(WORK / "linux" / "scripts" / "kconfig" /
                            "merge_config.sh"), "-m", "-O", str(kbuild),
                        str(kbuild / ".config"), str(fragment_path(board))],
                       check=True, cwd=kbuild, stdout=subprocess.DEVNULL)
        kmake(board, kbuild, jobs, "olddefconfig")
        missing = config_ok(board, kbuild)
        if missing:
            raise SystemExit(f"boards: {fragment_path(board)}: did not "
                             f"survive Kconfig: {' '.join(missing)}")
    image = Path(board.arch.image).name
    print(f"boards: building {image} and {board.dtb} in {kbuild}",
          file=sys.stderr)
    kmake(board, kbuild, jobs, image, board.dtb)
    return dtb_path(board, kbuild)


def run_boot(board: Board, kbuild: Path, dtb: Path, mode: str, log: Path,
             out: Path, timeout: int, work: Path,
             smp: Optional[int] = None) -> bool:
    # boot.py builds the initramfs under $PG_WORK/boot: a directory of our
    # own, which other boots cannot rewrite while QEMU loads it.
    env = dict(os.environ, PG_WORK=str(work))
    proc = subprocess.run(
        [sys.executable, str(HARNESS / "boot.py"), "--machine",
         board.machine, "--kbuild", str(kbuild), "--dtb", str(dtb),
         "--name", board.machine,
         "--append", f"{MODES[mode]} {COMMON}",
         "--init-args", f"pg.kmsg=1 pg.timeout_s={timeout}",
         "--log", str(log), "--out", str(out),
         "--timeout", str(timeout + 120)]
        + (["--smp", str(smp)] if smp is not None else []), env=env)
    return proc.returncode == 0


def qemu_version(board: Board) -> str:
    try:
        out = subprocess.run([board.arch.qemu, "--version"],
                             capture_output=True, text=True).stdout
    except OSError:
        return "QEMU"
    m = re.search(r"version (\S+)", out)
    return f"QEMU {m.group(1)}" if m else "QEMU"


@dataclass
class BoardResult:
    """What the boots of one board measured."""

    board: Board
    kernel: str
    qemu: str
    runs: Dict[str, List[BootRun]]
    present: Set[str]
    summaries: List[ModeSummary]

    def summary(self, mode: str) -> Optional[ModeSummary]:
        return next((s for s in self.summaries if s.mode == mode), None)

    @property
    def good(self) -> bool:
        """The probe graph bound what stock probing binds and had the
        console ready for init, in every boot, without a kernel report."""
        return not [s for s in self.summaries if s.mode == "on" and (
            s.same_bound_as_off is False or s.no_console or
            s.ok_boots < s.boots)]


def bench_board(board: Board, modes: Sequence[str], repeat: int, out: Path,
                kbuild: Path, jobs: int, build_it: bool, reuse: bool,
                timeout: int, smp: Optional[int] = None) -> BoardResult:
    """Boot @board @repeat times per mode (or read the logs in @out with
    @reuse) and measure every boot; @smp: CPUs instead of the board's."""
    out.mkdir(parents=True, exist_ok=True)
    dtb = dtb_path(board, kbuild)
    if build_it and not reuse:
        dtb = build(board, kbuild, jobs)

    boots: List[Tuple[str, int, Path, bool]] = []
    for i in range(repeat):
        for mode in modes:
            base = out / f"{mode}-{i}"
            log = base.with_suffix(".log")
            ok = True
            if not reuse:
                ok = run_boot(board, kbuild, dtb, mode, log, base, timeout,
                              out / "work", smp)
            elif not log.exists():
                continue
            boots.append((mode, i, log, ok))

    topology = topology_of([log for m, _, log, _ in boots if m == "on"])
    runs: Dict[str, List[BootRun]] = {m: [] for m in modes}
    present = set(topology)
    for mode, i, log, ok in boots:
        run = measure(mode, i, log, ok, topology)
        runs[mode].append(run)
        print(f"boards: {board.machine} {mode} #{i}: "
              f"{len(end_bound(run, present))} bound, "
              f"{run.attempts} attempts, {run.deferral_count} deferrals, "
              f"last probe {run.last_probe_ms:.0f} ms"
              + ("" if run.ok else " (boot problems)"), file=sys.stderr)

    ref_runs = [r for r in runs.get("off", []) if r.measured]
    reference = set(end_bound(ref_runs[0], present)) if ref_runs else None
    summaries = [summarise(m, rs, reference, present)
                 for m, rs in runs.items()]
    kernel = "?"
    for _, _, log, _ in boots:
        m = VERSION_RE.search(log.read_text(errors="replace"))
        if m:
            kernel = f"{m.group(1)} ({m.group(2).strip()})"
            break
    return BoardResult(board=board, kernel=kernel, qemu=qemu_version(board),
                       runs=runs, present=present, summaries=summaries)


def write_results(result: BoardResult, out: Path, command: str) -> str:
    """results.md and results.json of one board in @out; the report."""
    md = report(result.board, result.summaries, result.runs, result.present,
                result.kernel, result.qemu, command)
    (out / "results.md").write_text(md)
    (out / "results.json").write_text(json.dumps({
        "version": 1,
        "board": result.board.machine,
        "kernel": result.kernel,
        "modes": MODES,
        "common": COMMON,
        "summaries": [asdict(s) for s in result.summaries],
        "runs": {m: [asdict(r) for r in rs]
                 for m, rs in result.runs.items()},
    }, indent=1) + "\n")
    return md


def summary_table(results: Sequence[BoardResult]) -> List[str]:
    """One row per board: off against on, and the ratio of their last
    probe times."""
    out = ["| board | devices bound (off) | bound set = off (async / on) "
           "| probe attempts off / async / on | deferrals off / async / on "
           "| last probe ms off / async / on | on / off | init ms off / on |",
           "|---|---|---|---|---|---|---|---|"]

    def cell(r: BoardResult, attr: str, digits: int = 0) -> str:
        vals = []
        for mode in ("off", "async", "on"):
            s = r.summary(mode)
            vals.append("-" if s is None else
                        f"{getattr(s, attr):.{digits}f}")
        return " / ".join(vals)

    for r in results:
        off, asy, on = (r.summary(m) for m in ("off", "async", "on"))

        def same(s: Optional[ModeSummary]) -> str:
            if s is None or s.same_bound_as_off is None:
                return "-"
            return "yes" if s.same_bound_as_off else "**no**"
        ratio = (f"{on.last_probe_ms / off.last_probe_ms:.2f}"
                 if on and off and off.last_probe_ms else "-")
        out.append(
            f"| {r.board.machine} | {fmt(off.bound) if off else '-'} | "
            f"{same(asy)} / {same(on)} | {cell(r, 'attempts')} | "
            f"{cell(r, 'deferrals')} | {cell(r, 'last_probe_ms')} | "
            f"{ratio} | "
            f"{off.init_ms if off else 0:.0f} / {on.init_ms if on else 0:.0f}"
            " |")
    return out
