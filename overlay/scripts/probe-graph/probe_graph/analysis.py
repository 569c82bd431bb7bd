# SPDX-License-Identifier: GPL-2.0
"""What a probe graph says: critical path, blame, why, cycles, diff, check.

Everything here works on the model of model.py, or, for predict(), on a
parsed device tree blob, and returns plain dataclasses; render.py turns
them into text.
"""

import errno
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional

from . import bindings, platform
from .fdt import DeviceTree, FdtNode
from .model import Cycle, Edge, Graph, Node, StatValue

# Kernel-internal errno values that Python's errno module does not know.
_KERNEL_ERRNO = {
    512: 'ERESTARTSYS',
    517: 'EPROBE_DEFER',
    524: 'ENOTSUPP',
}

# States a device settles in and that need no further explanation.
_SETTLED_IDLE_REASONS = ('no driver', 'unbound')

_WAITING_RE = re.compile(
    r'^waiting for (?P<kind>supplier|parent) (?P<name>\S+) \((?P<note>.*)\)$')


class UnknownDevice(Exception):
    """The graph has no device of that name."""


def errno_name(ret: int) -> str:
    """-5 -> 'EIO'; unknown values give 'errno N'."""
    value = abs(ret)
    name = _KERNEL_ERRNO.get(value) or errno.errorcode.get(value)
    return name if name else 'errno %d' % value


def fmt_ms(ns: int) -> str:
    return '%.3f ms' % (ns / 1e6)


# ---------------------------------------------------------------------------
# Strongly connected components
# ---------------------------------------------------------------------------

def tarjan_scc(vertices: Iterable[str],
               successors: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components with sorted members.

    Components come out in reverse topological order: a component is
    emitted after every component reachable from it.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0

    for root in vertices:
        if root in index:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(successors.get(root, ())))]
        while work:
            v, it = work[-1]
            descended = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(successors.get(w, ()))))
                    descended = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if descended:
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                result.append(sorted(component))
    return result


def cyclic_components(vertices: Iterable[str],
                      successors: Mapping[str, Iterable[str]]
                      ) -> list[list[str]]:
    """The components that hold a cycle (two or more members, or a loop)."""
    cycles = []
    for comp in tarjan_scc(vertices, successors):
        if len(comp) > 1 or comp[0] in successors.get(comp[0], ()):
            cycles.append(comp)
    return sorted(cycles)


def _successors(pairs: Iterable[tuple[str, str]]
                ) -> tuple[list[str], dict[str, list[str]]]:
    vertices: dict[str, None] = {}
    succ: dict[str, set[str]] = {}
    for a, b in pairs:
        vertices.setdefault(a)
        vertices.setdefault(b)
        succ.setdefault(a, set()).add(b)
    return list(vertices), {k: sorted(v) for k, v in succ.items()}


# ---------------------------------------------------------------------------
# Critical path
# ---------------------------------------------------------------------------

@dataclass
class PathStep:
    """One device on a chain; wait is from its releaser's end to its start.

    The first device of a chain has no releaser: its wait is the time
    from being queued to starting.
    """
    name: str
    via: Optional[str]
    kind: Optional[str]
    ready_ns: Optional[int]
    start_ns: int
    end_ns: int
    wait_ns: int
    probe_ns: int


@dataclass
class Chain:
    """A dependency chain ending at a leaf, oldest first."""
    steps: list[PathStep]

    @property
    def leaf(self) -> str:
        return self.steps[-1].name

    @property
    def end_ns(self) -> int:
        return self.steps[-1].end_ns

    @property
    def begin_ns(self) -> int:
        return self.steps[0].start_ns - self.steps[0].wait_ns

    @property
    def total_ns(self) -> int:
        return sum(s.wait_ns + s.probe_ns for s in self.steps)


@dataclass
class CriticalPathReport:
    path: Chain
    near: list[tuple[Chain, int]]


def releaser(graph: Graph, node: Node) -> Optional[tuple[Node, str]]:
    """The supplier or parent whose end let this device start.

    Of the suppliers the device really waited on (satisfied or blocking
    edges) that ended before it started, the one that ended last.  The
    start, not the ready time, is the bound: the kernel queues a
    consumer from inside its supplier's bind, a little before the
    supplier's end time is taken.
    """
    if node.start_ns is None:
        return None
    best: Optional[tuple[Node, str]] = None
    for edge in graph.suppliers_of(node.name):
        if not edge.gates:
            continue
        sup = graph.node(edge.supplier)
        if sup is None or sup.end_ns is None or sup.start_ns is None:
            continue
        if sup.end_ns > node.start_ns:
            continue
        if best is None or sup.end_ns > (best[0].end_ns or 0):
            best = (sup, edge.kind)
    return best


def chain_to(graph: Graph, leaf: Node) -> Chain:
    """Walk back from a probed device through its releasers."""
    steps: list[PathStep] = []
    seen: set[str] = set()
    cur: Optional[Node] = leaf
    while cur is not None and cur.name not in seen:
        assert cur.start_ns is not None and cur.end_ns is not None
        seen.add(cur.name)
        rel = releaser(graph, cur)
        if rel is not None:
            wait = cur.start_ns - (rel[0].end_ns or 0)
            via: Optional[str] = rel[0].name
            kind: Optional[str] = rel[1]
        else:
            wait = cur.queue_ns or 0
            via = kind = None
        steps.append(PathStep(cur.name, via, kind, cur.ready_ns, cur.start_ns,
                              cur.end_ns, max(wait, 0),
                              cur.end_ns - cur.start_ns))
        cur = rel[0] if rel is not None else None
    steps.reverse()
    # The releaser of a step is the step before it.
    if steps:
        steps[0].via = steps[0].kind = None
        first = steps[0]
        first.wait_ns = max((first.start_ns - first.ready_ns)
                            if first.ready_ns else 0, 0)
    return Chain(steps)


def _bound_probed(graph: Graph) -> list[Node]:
    return [n for n in graph.nodes if n.state == 'bound' and n.probed]


def critical_path(graph: Graph, slack: int = 3
                  ) -> Optional[CriticalPathReport]:
    """The chain that decided when the last device bound.

    Also returns up to slack other chains ending at leaves (bound devices
    no probed device waited on), with their slack: how much later they
    could have ended without delaying the last bind.
    """
    bound = _bound_probed(graph)
    if not bound:
        return None
    last = max(bound, key=lambda n: (n.end_ns or 0, n.name))
    path = chain_to(graph, last)

    released = set()
    for node in graph.probed_nodes():
        rel = releaser(graph, node)
        if rel is not None:
            released.add(rel[0].name)
    leaves = [n for n in bound if n.name not in released and
              n.name != last.name]
    near = [(chain_to(graph, n), (last.end_ns or 0) - (n.end_ns or 0))
            for n in leaves]
    near.sort(key=lambda item: (item[1], item[0].leaf))
    return CriticalPathReport(path, near[:max(slack, 0)])


# ---------------------------------------------------------------------------
# Blame
# ---------------------------------------------------------------------------

@dataclass
class BlameEntry:
    """Where one device's time went.

    self_ns: its last probe, start to end.
    queue_ns: from being queued (ready) to the start of that probe.
    blocked_ns: from the moment the first device it waits on was
        queued to its own queueing; None when it waits on nothing
        probed.  An estimate of the time its suppliers held it up.
    """
    name: str
    driver: Optional[str]
    state: str
    self_ns: int
    queue_ns: Optional[int]
    blocked_ns: Optional[int]
    probe_calls: int
    defers: int


def blame(graph: Graph) -> list[BlameEntry]:
    """Every probed device, most expensive probe first."""
    entries = []
    for node in graph.probed_nodes():
        readies = []
        for edge in graph.suppliers_of(node.name):
            sup = graph.node(edge.supplier)
            if edge.gates and sup is not None and sup.ready_ns is not None:
                readies.append(sup.ready_ns)
        blocked = None
        if readies and node.ready_ns is not None:
            blocked = max(node.ready_ns - min(readies), 0)
        entries.append(BlameEntry(node.name, node.driver, node.state,
                                  node.probe_ns or 0, node.queue_ns,
                                  blocked, node.probe_calls, node.defers))
    entries.sort(key=lambda e: (-e.self_ns, e.name))
    return entries


# ---------------------------------------------------------------------------
# Why
# ---------------------------------------------------------------------------

@dataclass
class WhyResult:
    """Why a device is (not) bound.

    cause is one of: bound, missing-device, no-driver, rejected,
    unbound, failed, deferred, cycle, queued, in-progress, gone.
    chain lists the devices from the one asked about to the root cause.
    """
    device: str
    bound: bool
    cause: str
    chain: list[str]
    text: str


def _blocker(graph: Graph, node: Node) -> Optional[tuple[str, str, str]]:
    """What a waiting device waits for: (supplier, kind, edge state)."""
    if node.state != 'waiting':
        return None
    blocking = [e for e in graph.suppliers_of(node.name)
                if e.state == 'blocking']
    # The kernel checks the parent first.
    blocking.sort(key=lambda e: e.kind != 'parent')
    if blocking:
        return blocking[0].supplier, blocking[0].kind, blocking[0].state
    m = _WAITING_RE.match(node.reason)
    if m:
        kind = 'parent' if m.group('kind') == 'parent' else 'fwnode'
        return m.group('name'), kind, 'blocking'
    if node.parent is not None:
        parent = graph.node(node.parent)
        if parent is not None and parent.state in ('failed', 'idle',
                                                   'deferred', 'waiting'):
            return parent.name, 'parent', 'blocking'
    return None


def _own_cause(node: Node) -> tuple[str, str]:
    """Why a device that waits on nothing is not bound."""
    n = node.name
    if node.state == 'failed':
        return 'failed', ('%s failed to probe: %s returned %d (%s), '
                          'reported as "%s".' %
                          (n, 'driver %s' % node.driver if node.driver
                           else 'its driver', node.ret, errno_name(node.ret),
                           node.reason))
    if node.state == 'deferred':
        text = node.reason
        if text.startswith('driver deferred: '):
            text = text[len('driver deferred: '):]
        times = ' (%d times)' % node.defers if node.defers > 1 else ''
        return 'deferred', ('The driver of %s deferred its probe%s, saying '
                            '"%s".' % (n, times, text))
    if node.state == 'idle':
        if node.reason == 'no driver':
            return 'no-driver', ('%s has no driver: no driver matched it, '
                                 'so it never probed.' % n)
        if node.reason.startswith('driver rejected it'):
            return 'rejected', ('The driver of %s rejected it with %d (%s): '
                                'the device is not what the driver '
                                'handles.' % (n, node.ret,
                                              errno_name(node.ret)))
        if node.reason == 'unbound':
            return 'unbound', ('%s was unbound and has not been probed '
                               'again.' % n)
        return 'unbound', '%s is idle (%s).' % (n, node.reason)
    if node.state == 'waiting':
        if node.reason == 'probing blocked':
            return 'queued', ('%s waits on nothing, but probing is blocked '
                              '(suspend or shutdown).' % n)
        return 'queued', ('%s waits on nothing: it is ready and waits for a '
                          'free probe slot.' % n)
    if node.state in ('queued', 'probing'):
        return 'in-progress', '%s is %s right now.' % (n, node.state)
    return 'gone', '%s is %s: its device is going away.' % (n, node.state)


def _describe_bound(node: Node) -> str:
    text = '%s is bound' % node.name
    if node.driver:
        text += ' (driver %s)' % node.driver
    if node.start_ns is not None and node.end_ns is not None:
        text += ': its probe ran from %s to %s (%s)' % (
            fmt_ms(node.start_ns), fmt_ms(node.end_ns),
            fmt_ms(node.end_ns - node.start_ns))
        if node.ready_ns is not None:
            text += ', %s after it was queued at %s' % (
                fmt_ms(node.start_ns - node.ready_ns), fmt_ms(node.ready_ns))
    text += '.'
    if node.probe_calls > 1 or node.defers:
        text += ' It took %d probe calls and %d deferrals.' % (
            node.probe_calls, node.defers)
    return text


def _cycle_note(graph: Graph, name: str) -> Optional[str]:
    for cycle in graph.cycles:
        if name in cycle.members and len(cycle.members) > 1:
            how = (' and was broken by relaxing %s' % cycle.relaxed
                   if cycle.relaxed else '')
            return ('It is part of the dependency cycle %s, which the kernel '
                    'reported%s.' % (' <-> '.join(cycle.members), how))
    return None


def why(graph: Graph, name: str) -> WhyResult:
    """Follow the blocking chain from a device to its root cause."""
    node = graph.node(name)
    if node is None:
        if name in graph.deferred:
            reason = graph.deferred[name] or 'no reason given'
            return WhyResult(name, False, 'deferred', [name],
                             '%s is on the deferred probe list: %s.' %
                             (name, reason))
        raise UnknownDevice(name)

    if node.state == 'bound':
        text = _describe_bound(node)
        note = _cycle_note(graph, name)
        if note:
            text += ' ' + note
        return WhyResult(name, True, 'bound', [name], text)

    sentences = ['%s is not bound (state %s).' % (name, node.state)]
    chain = [name]
    cause = ''
    cur = node
    while True:
        blocker = _blocker(graph, cur)
        if blocker is None:
            cause, text = _own_cause(cur)
            sentences.append('Root cause: ' + text if len(chain) > 1
                             else text)
            break
        sup, kind, state = blocker
        relation = 'parent' if kind == 'parent' else 'supplier'
        sentences.append('%s waits for its %s %s (%s link, %s).' %
                         (cur.name, relation, sup, kind, state))
        if not Edge(sup, cur.name, kind, state).supplier_has_device:
            cause = 'missing-device'
            owners = [n.name for n in graph.nodes if n.of_node == sup]
            if owners:
                sentences.append('The firmware node %s belongs to %s, but '
                                 'the link was made before that device '
                                 'existed.' % (sup, ', '.join(owners)))
            else:
                sentences.append('No device exists for the firmware node %s: '
                                 'nothing created one (its bus was not '
                                 'populated, it has no compatible, or its '
                                 'parent\'s driver did not create it).' % sup)
            break
        if sup in chain:
            cause = 'cycle'
            loop = chain[chain.index(sup):] + [sup]
            sentences.append('That closes a dependency cycle: %s.' %
                             ' -> '.join(loop))
            note = _cycle_note(graph, sup)
            if note:
                sentences.append(note)
            break
        snode = graph.node(sup)
        chain.append(sup)
        if snode is None:
            cause = 'missing-device'
            sentences.append('%s is not in the probe graph: no such device '
                             'was registered.' % sup)
            break
        if snode.state == 'bound':
            cause = 'queued'
            sentences.append('%s is bound, so %s should be queued '
                             'shortly.' % (sup, cur.name))
            break
        cur = snode

    held = sorted({e.consumer for e in graph.consumers_of(name)
                   if e.state == 'blocking'})
    if held:
        sentences.append('It holds up %s.' % ', '.join(held))
    note = _cycle_note(graph, name)
    if note and cause != 'cycle':
        sentences.append(note)
    return WhyResult(name, False, cause, chain, ' '.join(sentences))


# ---------------------------------------------------------------------------
# Cycles
# ---------------------------------------------------------------------------

@dataclass
class CycleReport:
    """A dependency cycle, however it was found.

    reported: how many times the kernel's cycles file lists it.
    in_edges: whether the edges still form it.
    """
    members: list[str]
    broken: str
    reported: int
    in_edges: bool


def edge_cycles(graph: Graph) -> list[list[str]]:
    """Cycles formed by the edges, whatever their state."""
    vertices, succ = _successors((e.supplier, e.consumer)
                                 for e in graph.edges)
    return cyclic_components(vertices, succ)


def find_cycles(graph: Graph) -> list[CycleReport]:
    """The kernel's cycles merged with those the edges still form.

    A prediction lists every cycle fw_devlink would find, and its
    relaxed edges are sync-state-only links, not dependencies: its
    cycles are those it lists.
    """
    reports: dict[tuple[str, ...], CycleReport] = {}
    for cycle in graph.cycles:
        key = tuple(sorted(cycle.members))
        report = reports.get(key)
        if report is None:
            report = CycleReport(list(key), '', 0, False)
            reports[key] = report
        report.reported += 1
        if cycle.relaxed and not report.broken:
            report.broken = 'relaxed %s' % cycle.relaxed
    for members in ([] if graph.stats.get('predicted')
                    else edge_cycles(graph)):
        key = tuple(members)
        report = reports.get(key)
        if report is None:
            report = CycleReport(members, '', 0, True)
            reports[key] = report
        report.in_edges = True
        if not report.broken:
            loose = ['%s -> %s %s' % (e.supplier, e.consumer, e.state)
                     for e in graph.edges
                     if e.supplier in members and e.consumer in members and
                     e.state in ('cycle-broken', 'relaxed')]
            report.broken = ('edge ' + ', '.join(loose) if loose
                             else 'not broken')
    for report in reports.values():
        if not report.broken:
            report.broken = 'unknown'
    return [reports[k] for k in sorted(reports)]


# ---------------------------------------------------------------------------
# Diff
# ---------------------------------------------------------------------------

@dataclass
class Delta:
    name: str
    a_ns: int
    b_ns: int

    @property
    def delta_ns(self) -> int:
        return self.b_ns - self.a_ns


@dataclass
class DiffReport:
    """What changed from boot A to boot B."""
    a_makespan_ns: Optional[int]
    b_makespan_ns: Optional[int]
    a_span_ns: Optional[int]
    b_span_ns: Optional[int]
    threshold_ns: int
    bound_later: list[Delta] = field(default_factory=list)
    bound_earlier: list[Delta] = field(default_factory=list)
    slower: list[Delta] = field(default_factory=list)
    faster: list[Delta] = field(default_factory=list)
    newly_deferred: list[str] = field(default_factory=list)
    newly_not_bound: list[tuple[str, str]] = field(default_factory=list)
    newly_bound: list[str] = field(default_factory=list)
    nodes_added: list[str] = field(default_factory=list)
    nodes_removed: list[str] = field(default_factory=list)
    edges_added: list[tuple[str, str, str]] = field(default_factory=list)
    edges_removed: list[tuple[str, str, str]] = field(default_factory=list)


def makespan(graph: Graph) -> Optional[int]:
    """When the last device bound, on the kernel's clock."""
    ends = [n.end_ns for n in _bound_probed(graph) if n.end_ns is not None]
    return max(ends) if ends else None


def probe_span(graph: Graph) -> Optional[int]:
    """From the first device queued to the last one bound."""
    last = makespan(graph)
    firsts = [n.ready_ns or n.start_ns for n in graph.probed_nodes()]
    begin = [t for t in firsts if t is not None]
    if last is None or not begin:
        return None
    return last - min(begin)


def _was_deferred(graph: Graph, node: Optional[Node], name: str) -> bool:
    if name in graph.deferred:
        return True
    return node is not None and (node.defers > 0 or node.state == 'deferred')


def diff(a: Graph, b: Graph, threshold_ns: int = 1000000) -> DiffReport:
    report = DiffReport(makespan(a), makespan(b), probe_span(a),
                        probe_span(b), threshold_ns)
    a_names = [n.name for n in a.nodes]
    b_names = [n.name for n in b.nodes]
    report.nodes_added = sorted(set(b_names) - set(a_names))
    report.nodes_removed = sorted(set(a_names) - set(b_names))

    for name in sorted(set(a_names) | set(b_names) |
                       set(a.deferred) | set(b.deferred)):
        na = a.node(name)
        nb = b.node(name)
        if _was_deferred(b, nb, name) and not _was_deferred(a, na, name):
            report.newly_deferred.append(name)
        a_bound = na is not None and na.state == 'bound'
        b_bound = nb is not None and nb.state == 'bound'
        if a_bound and not b_bound:
            report.newly_not_bound.append(
                (name, '%s: %s' % (nb.state, nb.reason) if nb is not None
                 else 'gone'))
        elif b_bound and not a_bound:
            report.newly_bound.append(name)
        if na is None or nb is None or not na.probed or not nb.probed:
            continue
        assert na.end_ns is not None and nb.end_ns is not None
        if a_bound and b_bound:
            d = Delta(name, na.end_ns, nb.end_ns)
            if d.delta_ns > threshold_ns:
                report.bound_later.append(d)
            elif d.delta_ns < -threshold_ns:
                report.bound_earlier.append(d)
        d = Delta(name, na.probe_ns or 0, nb.probe_ns or 0)
        if d.delta_ns > threshold_ns:
            report.slower.append(d)
        elif d.delta_ns < -threshold_ns:
            report.faster.append(d)

    for lst in (report.bound_later, report.slower):
        lst.sort(key=lambda d: (-d.delta_ns, d.name))
    for lst in (report.bound_earlier, report.faster):
        lst.sort(key=lambda d: (d.delta_ns, d.name))

    a_edges = {(e.supplier, e.consumer, e.kind) for e in a.edges}
    b_edges = {(e.supplier, e.consumer, e.kind) for e in b.edges}
    report.edges_added = sorted(b_edges - a_edges)
    report.edges_removed = sorted(a_edges - b_edges)
    return report


# ---------------------------------------------------------------------------
# Check
# ---------------------------------------------------------------------------

@dataclass
class CheckResult:
    """One KTAP test case."""
    description: str
    ok: bool
    skip: Optional[str] = None
    diagnostics: list[str] = field(default_factory=list)


def is_nested(parent: Node, child: Node) -> bool:
    """Whether @child was probed inside the probe of @parent.

    A driver that adds its children from its own probe (a bus populating
    its nodes, an MFD adding its cells, a serial driver its ports) gets
    them probed right there, before its probe returns: the driver core
    has always done so, and callers such as v4l2_i2c_new_subdev_board()
    rely on it.  That is not an ordering violation.
    """
    if None in (parent.start_ns, parent.end_ns, child.start_ns,
                child.end_ns):
        return False
    assert parent.start_ns is not None and parent.end_ns is not None
    assert child.start_ns is not None and child.end_ns is not None
    return (parent.start_ns <= child.start_ns and
            child.end_ns <= parent.end_ns)


# The reason a bound device gets when fw_devlink let it probe best effort
# (the stdout-path console; every device in wait_for_init_devices_probe()),
# without waiting for a supplier that had no device yet.
REASON_BEST_EFFORT = 'probed best effort'


def started_by_parent(parent: Node, child: Node) -> bool:
    """Whether @child's probe started during @parent's, by its caller.

    The graph did not queue it (no ready time): the device_add() in the
    parent's probe started it, right there or, for a driver that prefers
    asynchronous probing, in the async domain, as the driver core always
    has.  Only nested probes end inside the parent's: see is_nested().
    """
    if None in (parent.start_ns, parent.end_ns, child.start_ns):
        return False
    assert parent.start_ns is not None and parent.end_ns is not None
    assert child.start_ns is not None
    return (child.ready_ns is None and
            parent.start_ns <= child.start_ns <= parent.end_ns)


def _check_order(graph: Graph) -> CheckResult:
    result = CheckResult('consumers start after their bound suppliers end',
                         True)
    for edge in graph.edges:
        if not edge.gates:
            continue
        sup = graph.node(edge.supplier)
        con = graph.node(edge.consumer)
        if sup is None or con is None or sup.state != 'bound':
            continue
        if sup.end_ns is None or con.start_ns is None:
            continue
        # A child probed inside its parent's probe, whether the edge is
        # the parent one or a link its own probe made to the parent.
        if ((edge.kind == 'parent' or sup.name == con.parent) and
                is_nested(sup, con)):
            result.diagnostics.append(
                '%s was probed nested in the probe of its parent %s, '
                'which added it' % (con.name, sup.name))
            continue
        if edge.kind == 'parent' and started_by_parent(sup, con):
            result.diagnostics.append(
                '%s was probed asynchronously from the probe of its parent '
                '%s, which added it' % (con.name, sup.name))
            continue
        if (con.start_ns < sup.end_ns and edge.kind != 'parent' and
                con.reason == REASON_BEST_EFFORT):
            result.diagnostics.append(
                '%s was probed best effort before its supplier %s bound, '
                'as fw_devlink lets the console' % (con.name, sup.name))
            continue
        if con.start_ns < sup.end_ns:
            result.ok = False
            result.diagnostics.append(
                '%s started %.1f us before its %s %s ended (%s edge)' %
                (con.name, (sup.end_ns - con.start_ns) / 1e3,
                 'parent' if edge.kind == 'parent' else 'supplier',
                 sup.name, edge.state))
    return result


def is_explained(node: Node) -> bool:
    """Whether a device is bound, or why not is on record."""
    reason = node.reason.strip()
    if node.state == 'bound':
        return True
    if node.state == 'idle':
        return (reason in _SETTLED_IDLE_REASONS or
                reason.startswith('driver rejected it'))
    if node.state in ('waiting', 'failed', 'deferred'):
        return reason not in ('', '-')
    return node.state == 'dead'


def _check_explained(graph: Graph) -> CheckResult:
    result = CheckResult('every device is bound or explained', True)
    for node in graph.nodes:
        if not is_explained(node):
            result.ok = False
            result.diagnostics.append('%s is %s without a reason (%r)' %
                                      (node.name, node.state, node.reason))
    return result


def _check_cycles(graph: Graph) -> CheckResult:
    result = CheckResult('each cycle is reported once', True)
    for report in find_cycles(graph):
        members = ' '.join(report.members)
        if report.reported > 1:
            result.ok = False
            result.diagnostics.append('cycle %s reported %d times' %
                                      (members, report.reported))
        elif report.reported == 0:
            result.ok = False
            result.diagnostics.append('cycle %s (edges) was not reported' %
                                      members)
    return result


def _check_declared_defers(graph: Graph) -> CheckResult:
    result = CheckResult('no probe deferred on a declared dependency', True)
    value = graph.stats.get('defers_declared')
    if value is None:
        result.ok = False
        result.diagnostics.append('stats has no defers_declared')
    elif value != 0:
        result.ok = False
        result.diagnostics.append('defers_declared is %s: a device was '
                                  'probed before a supplier it declares '
                                  'was bound' % value)
    # Dumps from before the counter existed lack it.
    unforeseen = graph.stats.get('unforeseen', 0)
    if unforeseen != 0:
        result.ok = False
        result.diagnostics.append('unforeseen is %s: the driver core '
                                  'deferred a device on a dependency the '
                                  'graph saw bound' % unforeseen)
    return result


def check(graph: Graph) -> list[CheckResult]:
    """The invariants a settled probe graph must hold."""
    results = [_check_order(graph), _check_explained(graph),
               _check_cycles(graph), _check_declared_defers(graph)]
    if graph.mode == 'off':
        for result in results:
            result.ok = True
            result.skip = 'probe graph is off (mode=off)'
            result.diagnostics = []
    elif graph.stats.get('predicted'):
        # Nothing was probed, so nothing was deferred.
        declared = results[3]
        declared.ok = True
        declared.skip = 'a prediction probes nothing'
        declared.diagnostics = []
    return results


# ---------------------------------------------------------------------------
# Prediction from a device tree blob
# ---------------------------------------------------------------------------

# Edge states of a prediction, in the words of the dump format.
EDGE_BLOCKING = 'blocking'
EDGE_RELAXED = 'relaxed'
EDGE_CYCLE = 'cycle-broken'

# Why a link to an early-init node gives no edge.
WHY_EARLY = 'supplier is set up early, never a device'
WHY_EARLY_DEVICE = ('supplier is set up early: fw_devlink does not wait '
                    'for its device')
WHY_EARLY_LATER = ('supplier is below a device set up early and its own '
                   'device is added after the consumer\'s: fw_devlink '
                   'does not wait for it')


@dataclass
class PredictedEdge:
    """A dependency between two predicted devices (node paths).

    kind: 'parent' (the device parent) or 'fwnode' (fw_devlink).
    state: 'blocking' when the consumer waits for the supplier to bind;
        'relaxed' for a sync-state-only link (its consumer node has no
        device of its own) or a parent that no generic driver binds;
        'cycle-broken' for a link fw_devlink relaxes in a cycle.
    bindings: the of_supplier_bindings[] entries that gave it
        ('parent' for a parent edge).
    props: "node:property -> supplier node" of each firmware link
        behind it.
    """
    supplier: str
    consumer: str
    kind: str
    state: str
    bindings: list[str] = field(default_factory=list)
    props: list[str] = field(default_factory=list)

    @property
    def gates(self) -> bool:
        return self.state == EDGE_BLOCKING


@dataclass
class DroppedLink:
    """A firmware link that gives no edge, and why."""
    consumer: str
    supplier: str
    binding: str
    prop: str
    why: str


@dataclass
class PredictedCycle:
    """A cycle fw_devlink finds and relaxes.

    members: device node paths.  links: "node:property -> supplier
    node" for each firmware link that closes it, what a device tree
    author would change.  through_parent: the supplier is the consumer
    or one of its descendants, so the cycle closes through the device
    parent (__fw_devlink_relax_cycles() follows it).
    """
    members: list[str]
    links: list[str]
    through_parent: bool


@dataclass
class DagMetrics:
    """Shape of a dependency graph, cycles condensed to one vertex.

    depth: edges on the longest chain (depth_chain).
    levels: devices by longest distance from a device that waits on none.
    width: the most devices on one level.
    critical_path: the chain with the largest sum of weights.
    order: a topological order (a probe order that respects every
        edge), lowest tree position first among the ready.
    """
    depth: int
    depth_chain: list[list[str]]
    levels: list[list[str]]
    width: int
    cycles: list[list[str]]
    critical_path: list[list[str]]
    critical_weight: int
    order: list[str] = field(default_factory=list)


@dataclass
class Prediction:
    """The probe graph a device tree should give at the end of boot.

    devices: node paths of the devices, in the order of_platform creates
    them; names and parents: their device names and parent nodes.
    """
    devices: list[str]
    names: dict[str, str]
    parents: dict[str, Optional[str]]
    edges: list[PredictedEdge]
    edges_by_binding: dict[str, int]
    dropped: list[DroppedLink]
    not_followed: list[bindings.FirmwareLink]
    early_init: list[str]
    cycles: list[PredictedCycle]
    weights: dict[str, int]
    weight_sources: dict[str, int]
    metrics: DagMetrics
    notes: list[str]

    @property
    def has_times(self) -> bool:
        """Whether any weight is a probe time rather than the default 1."""
        return any(src != 'default' for src in self.weight_sources)

    def blocking(self) -> list[PredictedEdge]:
        return [e for e in self.edges if e.gates]


def dag_metrics(vertices: list[str], pairs: list[tuple[str, str]],
                weights: Mapping[str, int]) -> DagMetrics:
    """Depth, levels, width, cycles, weighted critical path and order."""
    order = {v: i for i, v in enumerate(vertices)}
    succ: dict[str, list[str]] = {v: [] for v in vertices}
    for a, b in pairs:
        if b not in succ[a]:
            succ[a].append(b)
    comps = tarjan_scc(vertices, succ)
    comps.sort(key=lambda c: min(order[v] for v in c))
    comp_of = {v: i for i, c in enumerate(comps) for v in c}
    cycles = sorted(c for c in comps if len(c) > 1 or c[0] in succ[c[0]])

    csucc: dict[int, set[int]] = {i: set() for i in range(len(comps))}
    indeg = [0] * len(comps)
    for a, b in pairs:
        ca, cb = comp_of[a], comp_of[b]
        if ca != cb and cb not in csucc[ca]:
            csucc[ca].add(cb)
            indeg[cb] += 1

    # Kahn's algorithm, lowest tree position first.
    ready = sorted(i for i in range(len(comps)) if not indeg[i])
    topo: list[int] = []
    while ready:
        i = ready.pop(0)
        topo.append(i)
        for j in sorted(csucc[i]):
            indeg[j] -= 1
            if not indeg[j]:
                ready.append(j)
        ready.sort()

    weight = [sum(weights.get(v, 1) for v in c) for c in comps]
    level = [0] * len(comps)
    level_pred: list[Optional[int]] = [None] * len(comps)
    best = list(weight)
    best_pred: list[Optional[int]] = [None] * len(comps)
    for i in topo:
        for j in sorted(csucc[i]):
            if level[i] + 1 > level[j]:
                level[j] = level[i] + 1
                level_pred[j] = i
            if best[i] + weight[j] > best[j]:
                best[j] = best[i] + weight[j]
                best_pred[j] = i

    def walk(end: int, pred: list[Optional[int]]) -> list[list[str]]:
        out = []
        cur: Optional[int] = end
        while cur is not None:
            out.append(comps[cur])
            cur = pred[cur]
        out.reverse()
        return out

    if not comps:
        return DagMetrics(0, [], [], 0, [], [], 0)
    deepest = max(range(len(comps)), key=lambda i: (level[i], -i))
    heaviest = max(range(len(comps)), key=lambda i: (best[i], -i))
    levels: list[list[str]] = [[] for _ in range(max(level) + 1)]
    for i in range(len(comps)):
        levels[level[i]].extend(comps[i])
    for members in levels:
        members.sort(key=lambda v: order[v])
    return DagMetrics(
        depth=level[deepest],
        depth_chain=walk(deepest, level_pred),
        levels=levels,
        width=max(len(members) for members in levels),
        cycles=cycles,
        critical_path=walk(heaviest, best_pred),
        critical_weight=best[heaviest],
        order=[v for i in topo for v in sorted(comps[i],
                                               key=lambda v: order[v])])


def _weight_of(node: FdtNode, delays: Mapping[str, int]
               ) -> tuple[int, str]:
    for key in (node.path, node.name):
        if key in delays:
            return delays[key], 'delays'
    value = node.u32('probe-delay-us')
    if value is not None:
        return value, 'probe-delay-us'
    return 1, 'default'


def _in_subtree(node: Optional[FdtNode], top: FdtNode) -> bool:
    """fwnode_is_ancestor_of(top, node): node is top or below it."""
    while node is not None:
        if node is top:
            return True
        node = node.parent
    return False


class _Linker:
    """fw_devlink's fate for each firmware link, at the end of boot."""

    def __init__(self, tree: DeviceTree, devices: Mapping[str, int],
                 early: set[str], initialized: set[str]) -> None:
        self.tree = tree
        self.devices = devices
        self.early = early
        self.initialized = initialized

    def device_of(self, node: Optional[FdtNode]) -> Optional[FdtNode]:
        """The node itself or its nearest ancestor that is a device."""
        while node is not None:
            if node.path in self.devices:
                return node
            node = node.parent
        return None

    def disabled(self, sup: FdtNode) -> bool:
        """of_link_to_phandle(): the supplier or an ancestor, up to the
        first node with a device, is not available: no link at all."""
        node: Optional[FdtNode] = sup
        while node is not None:
            if node.path in self.devices:
                return False
            if not bindings.node_is_available(node):
                return True
            node = node.parent
        return False

    def early_init(self, sup: FdtNode, con_dev: Optional[FdtNode]
                   ) -> Optional[str]:
        """Why fw_devlink_create_devlink() makes no link to sup from the
        device of con_dev, if it is because of an early-init node; else
        None.

        An initialised supplier device without a driver gets no link
        ("Not linking ... - dev might never probe").  A supplier with
        no device when the consumer is added gets none when it or an
        ancestor is initialised without a driver
        (fwnode_ancestor_init_without_drv(): "Not linking ... might
        never become dev"): set up early and never a device, or a
        device set up early, whose driver binds after
        of_platform_default_populate_init() added the consumer.  Below
        such a device, a supplier whose own device (the supplier, or the
        nearest device above it, which takes the links of its nodes,
        FWNODE_FLAG_NOT_DEVICE) is added before the consumer gets its
        link, one added after does not: devices are added in the order
        of self.devices, and a device below is assumed to have bound
        once added, as pin controllers do (their drivers register at
        arch_initcall, before of_platform_default_populate_init()).
        """
        if sup.path in self.initialized:
            return WHY_EARLY_DEVICE
        node: Optional[FdtNode] = sup
        own: Optional[FdtNode] = None
        while node is not None:
            if node.path in self.early:
                return WHY_EARLY
            if node.path in self.initialized:
                if own is None:
                    return WHY_EARLY_DEVICE
                if con_dev is not None and \
                        self.devices[own.path] > self.devices[con_dev.path]:
                    return WHY_EARLY_LATER
                return None
            if own is None and node.path in self.devices:
                own = node
            node = node.parent
        return None


def predict(tree: DeviceTree, delays: Optional[Mapping[str, int]] = None,
            strict: bool = False,
            early_init: str = platform.EARLY_POPULATED,
            children: bool = False) -> Prediction:
    """The probe graph a tree should produce, before booting it.

    Devices: of_platform_default_populate_init() (see platform.py).
    Links: fw_devlink's, from the firmware links of each device's
    available subtree (fw_devlink_parse_fwtree()):

     - a consumer node with a device of its own waits for the device of
       the supplier node, or of its nearest ancestor with one (the
       dangling consumers a bound ancestor picks up), ancestors of the
       consumer included (fw_devlink_create_devlink());
     - a consumer node without a device gives its nearest ancestor
       device a sync-state-only link, which never blocks, and none when
       that device holds the supplier
       (__fw_devlink_link_to_consumers());
     - a supplier that is the consumer or below it closes a cycle
       through the parent, which __fw_devlink_relax_cycles() relaxes;
       so do the links of any other cycle it finds (_relax_cycles());
     - suppliers set up early (early_init) or disabled give no link,
       nor do early-init devices that stay initialised.

    strict follows the optional bindings too, as fw_devlink.strict=1.
    children also makes devices of the children of devices that are not
    buses, as drivers that populate their node do.  delays maps node
    paths or names to probe times in microseconds for the critical
    path; nodes not listed use their probe-delay-us property, else 1.
    """
    delays = delays or {}
    pdevs, early_nodes = platform.platform_devices(tree, early_init,
                                                   children)
    device_nodes = [d.node for d in pdevs]
    ordered = [d.path for d in pdevs]
    position = {p: i for i, p in enumerate(ordered)}
    devices = set(ordered)
    initialized = platform.initialized_devices(tree, early_init)
    linker = _Linker(tree, position, {n.path for n in early_nodes},
                     {n.path for n in initialized})

    edges: dict[tuple[str, str, str], PredictedEdge] = {}
    dropped: list[DroppedLink] = []
    not_followed: list[bindings.FirmwareLink] = []
    # The fwnode links that exist, and the device edge each one makes:
    # (link, "node:property -> supplier", edge key or None).
    made: list[tuple[bindings.FirmwareLink, str,
                     Optional[tuple[str, str, str]]]] = []

    def add(sup: str, con: str, kind: str, state: str, binding: str,
            prop: str) -> tuple[str, str, str]:
        edge = edges.get((sup, con, kind))
        if edge is None:
            edge = PredictedEdge(sup, con, kind, state)
            edges[(sup, con, kind)] = edge
        elif state == EDGE_BLOCKING:
            edge.state = state
        if binding not in edge.bindings:
            edge.bindings.append(binding)
        if prop and prop not in edge.props:
            edge.props.append(prop)
        return sup, con, kind

    by_path = {d.path: d for d in pdevs}
    for dev in pdevs:
        if dev.parent is None:
            continue
        parent = by_path[dev.parent]
        add(dev.parent, dev.path, 'parent',
            EDGE_BLOCKING if parent.children_wait else EDGE_RELAXED,
            'parent', '')

    for link in bindings.parse_links(tree, device_nodes):
        if link.ignore or (link.optional and not strict):
            not_followed.append(link)
            continue
        sup_node = tree.node(link.supplier)
        con_node = tree.node(link.consumer)
        assert sup_node is not None and con_node is not None
        prop = '%s:%s -> %s' % (link.consumer, link.prop, link.supplier)

        def drop(why: str) -> None:
            dropped.append(DroppedLink(link.consumer, link.supplier,
                                       link.binding, link.prop, why))

        if linker.disabled(sup_node):
            # of_link_to_phandle() makes no fwnode link at all.
            drop('supplier is disabled')
            continue
        early_why = linker.early_init(sup_node,
                                      linker.device_of(con_node))
        if early_why is not None:
            drop(early_why)
            continue
        sup_dev = linker.device_of(sup_node)
        if sup_dev is None:
            drop('supplier never becomes a device: the consumer waits '
                 'for it until fw_devlink gives up')
            made.append((link, prop, None))
            continue
        if con_node.path in devices:
            key = None
            if sup_dev is not con_node:
                # An ancestor too; one below closes a cycle, found below.
                key = add(sup_dev.path, con_node.path, 'fwnode',
                          EDGE_BLOCKING, link.binding, prop)
            made.append((link, prop, key))
            continue
        proxy = linker.device_of(con_node)
        if proxy is None:
            drop('consumer is in no device')
            continue
        if _in_subtree(sup_dev, proxy):
            drop('supplier is inside the consumer\'s device')
            made.append((link, prop, None))
            continue
        made.append((link, prop, add(sup_dev.path, proxy.path, 'fwnode',
                                     EDGE_RELAXED, link.binding, prop)))

    cycles = _relax_cycles(tree, pdevs, linker, edges, made)

    weights: dict[str, int] = {}
    sources: Counter[str] = Counter()
    for node in device_nodes:
        weights[node.path], source = _weight_of(node, delays)
        sources[source] += 1

    edge_list = sorted(edges.values(),
                       key=lambda e: (position[e.consumer],
                                      position[e.supplier], e.kind))
    by_binding: Counter[str] = Counter()
    for edge in edge_list:
        if edge.gates:
            by_binding.update(edge.bindings)
    metrics = dag_metrics(ordered, [(e.supplier, e.consumer)
                                    for e in edge_list if e.gates], weights)
    metrics.cycles = [c.members for c in cycles]
    notes = []
    if not strict and any(link.optional for link in not_followed):
        notes.append('optional bindings (iommus, iommu-map, dmas) are not '
                     'followed without fw_devlink.strict=1')
    if early_nodes:
        notes.append('%d nodes set up by of_irq_init()/of_clk_init() are '
                     'not devices (--early-init=devices to treat them as '
                     'devices)' % len(early_nodes))
    if initialized:
        notes.append('%d devices set up early stay initialised, so '
                     'fw_devlink makes no links to them: %s' %
                     (len(initialized),
                      ', '.join(n.path for n in initialized)))
    unknown = sorted(set(delays) - set(ordered) -
                     {n.name for n in device_nodes})
    if unknown:
        notes.append('delays for unknown nodes ignored: ' +
                     ', '.join(unknown))
    return Prediction(ordered, {d.path: d.name for d in pdevs},
                      {d.path: d.parent for d in pdevs}, edge_list,
                      dict(sorted(by_binding.items())), dropped,
                      not_followed, [n.path for n in early_nodes], cycles,
                      weights, dict(sources), metrics, notes)


def _relax_cycles(tree: DeviceTree,
                  pdevs: list[platform.PlatformDevice], linker: '_Linker',
                  edges: Mapping[tuple[str, str, str], PredictedEdge],
                  made: list[tuple[bindings.FirmwareLink, str,
                                   Optional[tuple[str, str, str]]]]
                  ) -> list[PredictedCycle]:
    """Find the cycles and relax their links, as fw_devlink does.

    __fw_devlink_relax_cycles() searches from a link's supplier node for
    its consumer node through the fwnode links of each node it reaches
    (a node without a device keeps its own), the device parent (the
    nearest device above a node without one) and the device links that
    are not sync-state-only.  A link is on a cycle when its supplier
    reaches its consumer that way, and every link on one is relaxed
    (__fwnode_link_cycle(), fw_devlink_relax_link()): so a device edge
    stops blocking when each link behind it is on a cycle.  The device
    links of a blocking edge are the fwnode links of its consumer, so
    the search runs on nodes.
    """
    position = {d.path: i for i, d in enumerate(pdevs)}
    succ: dict[str, list[str]] = {}
    parent_of: dict[str, str] = {}

    def parent_device(path: str) -> Optional[str]:
        """The device parent, or fwnode_get_next_parent_dev()."""
        if path in position:
            return pdevs[position[path]].parent
        node = tree.node(path)
        above = linker.device_of(node.parent if node else None)
        return above.path if above else None

    def vertex(path: str) -> None:
        # Each node the search reaches, with its way up.
        while path not in succ:
            succ[path] = []
            up = parent_device(path)
            if up is None:
                return
            succ[path].append(up)
            parent_of[path] = up
            path = up

    for link, _, _ in made:
        vertex(link.consumer)
        vertex(link.supplier)
        succ[link.consumer].append(link.supplier)

    found: dict[tuple[str, ...], PredictedCycle] = {}
    for comp in cyclic_components(list(succ), succ):
        members = set(comp)
        on_cycle = [(link, prop, key) for link, prop, key in made
                    if link.consumer in members and
                    link.supplier in members]
        devs = {dev.path for dev in
                (linker.device_of(tree.node(p)) for p in comp)
                if dev is not None}
        names = tuple(sorted(devs, key=lambda p: position[p]))
        if not names:
            continue
        cycle = found.setdefault(names, PredictedCycle(list(names), [],
                                                       False))
        cycle.through_parent |= any(parent_of.get(p) in members
                                    for p in comp)
        cycle.links = sorted(set(cycle.links) |
                             {prop for _, prop, _ in on_cycle})
        for key in {key for _, _, key in on_cycle if key is not None}:
            edge = edges[key]
            if edge.state != EDGE_BLOCKING:
                continue
            # Blocking while a link behind it is on no cycle.
            cyclic = {prop for _, prop, k in on_cycle if k == key}
            if set(edge.props) <= cyclic:
                edge.state = EDGE_CYCLE
    result = list(found.values())
    result.sort(key=lambda c: [position[v] for v in c.members])
    return result


def _schedule(pred: Prediction) -> dict[str, tuple[int, int]]:
    """Start and end (ns) of each probe, each as early as its blocking
    suppliers allow, with unlimited parallelism."""
    suppliers: dict[str, list[str]] = {d: [] for d in pred.devices}
    for edge in pred.blocking():
        suppliers[edge.consumer].append(edge.supplier)
    times: dict[str, tuple[int, int]] = {}
    # Probe times start at 1 us: the dump reserves 0 for "never".
    for name in pred.metrics.order:
        start = max((times[s][1] for s in suppliers[name] if s in times),
                    default=1000)
        times[name] = (start, start + pred.weights.get(name, 1) * 1000)
    return times


def prediction_graph(pred: Prediction) -> Graph:
    """The prediction in the model of a boot, for every other command.

    Devices are named as the kernel names them, with their node as
    of_node.  With probe times (delays or probe-delay-us) every device
    is bound at the time its suppliers allow; without, every device is
    waiting and blocking edges are "blocking".
    """
    timed = pred.has_times
    times = _schedule(pred) if timed else {}
    nodes = []
    for path in pred.devices:
        parent = pred.parents[path]
        start, end = times.get(path, (0, 0))
        nodes.append(Node(
            name=pred.names[path], of_node=path, driver=None,
            parent=pred.names[parent] if parent else None,
            state='bound' if timed else 'waiting', probe_calls=0,
            defers=0, ready_ns=start or None, start_ns=start or None,
            end_ns=end or None, ret=0, reason='predicted'))
    edges = []
    for e in pred.edges:
        state = e.state
        if state == EDGE_BLOCKING and timed:
            state = 'satisfied'
        edges.append(Edge(pred.names[e.supplier], pred.names[e.consumer],
                          e.kind, state))
    cycles = [Cycle(sorted(pred.names[m] for m in c.members),
                    '; '.join(c.links)) for c in pred.cycles]
    stats: dict[str, StatValue] = {
        'predicted': 1,
        'devices': len(pred.devices),
        'edges_blocking': len(pred.blocking()),
        'edges_not_blocking': len(pred.edges) - len(pred.blocking()),
        'cycles': len(pred.cycles),
        'depth': pred.metrics.depth,
        'width': pred.metrics.width,
    }
    return Graph(mode='on', nodes=nodes, edges=edges, cycles=cycles,
                 stats=stats, source='prediction')


def longest_chain(graph: Graph) -> list[str]:
    """The longest chain of gating edges, by device count."""
    names = [n.name for n in graph.nodes]
    known = set(names)
    pairs = [(e.supplier, e.consumer) for e in graph.edges
             if e.gates and e.supplier in known and e.consumer in known]
    metrics = dag_metrics(names, pairs, {})
    return [' + '.join(c) for c in metrics.depth_chain]


def neighbourhood(graph: Graph, name: str, depth: Optional[int],
                  gating_only: bool = False
                  ) -> tuple[list[tuple[int, str, Edge]],
                             list[tuple[int, str, Edge]]]:
    """Suppliers and consumers of a device within depth hops.

    Returns (suppliers, consumers), each a list of (hop, device, edge
    that reached it), nearest first.
    """
    if graph.node(name) is None:
        raise UnknownDevice(name)

    def walk(up: bool) -> list[tuple[int, str, Edge]]:
        out: list[tuple[int, str, Edge]] = []
        seen = {name}
        frontier = [name]
        hop = 0
        while frontier and (depth is None or hop < depth):
            hop += 1
            nxt = []
            for cur in frontier:
                edges = (graph.suppliers_of(cur) if up
                         else graph.consumers_of(cur))
                for e in edges:
                    if gating_only and not e.gates:
                        continue
                    other = e.supplier if up else e.consumer
                    if other in seen:
                        continue
                    seen.add(other)
                    out.append((hop, other, e))
                    nxt.append(other)
            frontier = nxt
        return out

    return walk(True), walk(False)


@dataclass
class BootComparison:
    """A predicted graph against a boot's, devices named by their node.

    A boot device is compared when it has an of_node and its parent
    does not have the same one (gpiochip0, i2c-0, usb1 and the like
    share their parent's node: devices drivers create later).

    only_predicted, only_booted: nodes with a device on one side only.
    shared_nodes: boot devices sharing their parent's node, not compared.
    no_node: boot devices without an of_node, not compared.
    edges_only_predicted, edges_only_booted: (supplier node, consumer
        node, kind) of gating edges between nodes with a device on both
        sides.
    predicted, booted, both: how many nodes have a device in the
        prediction, in the boot (compared devices only), on both sides.
    edges_predicted, edges_booted, edges_both: how many gating edges
        between nodes on both sides each has, and how many they share.
    """
    only_predicted: list[str] = field(default_factory=list)
    only_booted: list[str] = field(default_factory=list)
    shared_nodes: list[str] = field(default_factory=list)
    no_node: list[str] = field(default_factory=list)
    edges_only_predicted: list[tuple[str, str, str]] = field(
        default_factory=list)
    edges_only_booted: list[tuple[str, str, str]] = field(
        default_factory=list)
    predicted: int = 0
    booted: int = 0
    both: int = 0
    edges_predicted: int = 0
    edges_booted: int = 0
    edges_both: int = 0

    @property
    def clean(self) -> bool:
        return not (self.only_predicted or self.only_booted or
                    self.edges_only_predicted or self.edges_only_booted)


def _nodes_of(graph: Graph) -> tuple[dict[str, str], list[str], list[str]]:
    """device name -> of_node for the comparable devices, and the rest."""
    of: dict[str, str] = {}
    shared = []
    none = []
    for node in graph.nodes:
        if node.of_node is None:
            none.append(node.name)
            continue
        parent = graph.node(node.parent) if node.parent else None
        if parent is not None and parent.of_node == node.of_node:
            shared.append(node.name)
            continue
        of[node.name] = node.of_node
    return of, shared, none


def compare_with_boot(predicted: Graph, boot: Graph) -> BootComparison:
    """Devices and gating edges of a prediction against a boot."""
    p_of, _, _ = _nodes_of(predicted)
    b_of, shared, none = _nodes_of(boot)
    p_nodes = set(p_of.values())
    b_nodes = set(b_of.values())
    both = p_nodes & b_nodes

    def edges(graph: Graph, of: Mapping[str, str]
              ) -> set[tuple[str, str, str]]:
        out = set()
        for e in graph.edges:
            sup = of.get(e.supplier)
            con = of.get(e.consumer)
            if e.gates and sup in both and con in both:
                assert sup is not None and con is not None
                out.add((sup, con, e.kind))
        return out

    p_edges = edges(predicted, p_of)
    b_edges = edges(boot, b_of)
    return BootComparison(
        only_predicted=sorted(p_nodes - b_nodes),
        only_booted=sorted(b_nodes - p_nodes),
        shared_nodes=sorted(shared), no_node=sorted(none),
        edges_only_predicted=sorted(p_edges - b_edges),
        edges_only_booted=sorted(b_edges - p_edges),
        predicted=len(p_nodes), booted=len(b_nodes), both=len(both),
        edges_predicted=len(p_edges), edges_booted=len(b_edges),
        edges_both=len(p_edges & b_edges))
