# SPDX-License-Identifier: GPL-2.0
"""The probe graph as the kernel reports it, and its readers.

Three inputs describe the same graph:

 - the kernel's debugfs directory, /sys/kernel/debug/probe_graph/, with
   its graph, stats, cycles and devices files (format v1);
 - a saved copy of it, or of its parent directory (which also holds the
   stock kernel's devices_deferred file);
 - the JSON written by "probe-graph dump".

load() accepts any of them and returns a Graph.  Timestamps are
nanoseconds on the kernel's monotonic clock; the kernel writes 0 for
"never", which is None here.
"""

import json
import os
from dataclasses import dataclass, field
from typing import Any, Optional, Union

FORMAT_VERSION = 1

MODES = ('on', 'serial', 'off')
NODE_STATES = ('idle', 'waiting', 'queued', 'probing', 'deferred', 'failed',
               'bound', 'unbinding', 'dead')
EDGE_KINDS = ('parent', 'fwnode', 'devlink')
EDGE_STATES = ('blocking', 'satisfied', 'relaxed', 'cycle-broken')

GRAPH_FILE = 'graph'
STATS_FILE = 'stats'
CYCLES_FILE = 'cycles'
DEVICES_FILE = 'devices'
DEBUGFS_DIR = 'probe_graph'
DEFERRED_FILE = 'devices_deferred'

# Columns of a graph line, the record tag included.
_NODE_FIELDS = 13
_EDGE_FIELDS = 5
_DEVICE_FIELDS = 6

StatValue = Union[int, str]


class ParseError(Exception):
    """An input does not follow the format it claims to."""


@dataclass
class Node:
    """A device the probe graph tracks."""
    name: str
    of_node: Optional[str]
    driver: Optional[str]
    parent: Optional[str]
    state: str
    probe_calls: int
    defers: int
    ready_ns: Optional[int]
    start_ns: Optional[int]
    end_ns: Optional[int]
    ret: int
    reason: str

    @property
    def probed(self) -> bool:
        """Whether the last probe attempt has both ends recorded."""
        return self.start_ns is not None and self.end_ns is not None

    @property
    def probe_ns(self) -> Optional[int]:
        """Duration of the last probe attempt."""
        if self.start_ns is None or self.end_ns is None:
            return None
        return self.end_ns - self.start_ns

    @property
    def queue_ns(self) -> Optional[int]:
        """Time from being queued (ready) to the start of the probe."""
        if self.ready_ns is None or self.start_ns is None:
            return None
        return self.start_ns - self.ready_ns


@dataclass
class Edge:
    """A dependency: the consumer waits for the supplier to bind."""
    supplier: str
    consumer: str
    kind: str
    state: str

    @property
    def supplier_has_device(self) -> bool:
        """False when the supplier is a firmware node without a device.

        Such suppliers are written by their OF full path, which starts
        with '/'; device names never do.
        """
        return not self.supplier.startswith('/')

    @property
    def gates(self) -> bool:
        """Whether the consumer really waited on the supplier."""
        return self.state in ('satisfied', 'blocking')


@dataclass
class Cycle:
    """A dependency cycle the kernel found, and what broke it."""
    members: list[str]
    relaxed: str


@dataclass
class Graph:
    """Everything known about one boot."""
    mode: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    cycles: list[Cycle] = field(default_factory=list)
    stats: dict[str, StatValue] = field(default_factory=dict)
    # The stock kernel's deferred list, device -> reason; not in dumps.
    deferred: dict[str, str] = field(default_factory=dict)
    source: str = ''
    _by_name: dict[str, Node] = field(default_factory=dict, init=False,
                                      repr=False, compare=False)
    _suppliers: dict[str, list[Edge]] = field(default_factory=dict,
                                              init=False, repr=False,
                                              compare=False)
    _consumers: dict[str, list[Edge]] = field(default_factory=dict,
                                              init=False, repr=False,
                                              compare=False)

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        """Rebuild the lookups; needed after changing nodes or edges."""
        self._by_name = {node.name: node for node in self.nodes}
        self._suppliers = {}
        self._consumers = {}
        for edge in self.edges:
            self._suppliers.setdefault(edge.consumer, []).append(edge)
            self._consumers.setdefault(edge.supplier, []).append(edge)

    def node(self, name: str) -> Optional[Node]:
        return self._by_name.get(name)

    def resolve(self, name: str) -> str:
        """A device name, or the first device whose of_node is name, or
        whose of_node ends in "/name"; name itself when none is."""
        if name in self._by_name:
            return name
        for node in self.nodes:
            if node.of_node == name:
                return node.name
        for node in self.nodes:
            if node.of_node and node.of_node.endswith('/' + name):
                return node.name
        return name

    def suppliers_of(self, name: str) -> list[Edge]:
        """Edges into a device, in file order."""
        return list(self._suppliers.get(name, ()))

    def consumers_of(self, name: str) -> list[Edge]:
        """Edges out of a device (or firmware node), in file order."""
        return list(self._consumers.get(name, ()))

    def probed_nodes(self) -> list[Node]:
        return [n for n in self.nodes if n.probed]


def _ns(text: str, where: str) -> Optional[int]:
    value = _int(text, where)
    if value < 0:
        raise ParseError('%s: negative timestamp %r' % (where, text))
    return value if value else None


def _int(text: str, where: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ParseError('%s: %r is not a number' % (where, text)) from None


def _opt(text: str) -> Optional[str]:
    return None if text == '-' else text


def _header_words(line: str) -> dict[str, str]:
    """'# probe_graph graph v1 mode=on' -> {'mode': 'on', 'version': '1'}"""
    words = line.lstrip('#').split()
    result = {}
    for word in words[2:]:
        if '=' in word:
            key, value = word.split('=', 1)
            result[key] = value
        elif word.startswith('v') and word[1:].isdigit():
            result['version'] = word[1:]
    return result


def _check_header(line: str, what: str, where: str) -> dict[str, str]:
    words = line.lstrip('#').split()
    if len(words) < 3 or words[0] != 'probe_graph' or words[1] != what:
        raise ParseError('%s: not a probe_graph %s file' % (where, what))
    header = _header_words(line)
    if header.get('version') != str(FORMAT_VERSION):
        raise ParseError('%s: format v%s is not supported (need v%d)' %
                         (where, header.get('version', '?'), FORMAT_VERSION))
    mode = header.get('mode')
    if mode is not None and mode not in MODES:
        raise ParseError('%s: unknown mode %r' % (where, mode))
    return header


def _choice(value: str, choices: tuple[str, ...], what: str,
            where: str) -> str:
    if value not in choices:
        raise ParseError('%s: unknown %s %r' % (where, what, value))
    return value


def parse_graph_file(text: str, name: str = GRAPH_FILE
                     ) -> tuple[str, list[Node], list[Edge]]:
    """Parse the graph file: returns (mode, nodes, edges)."""
    mode: Optional[str] = None
    nodes: list[Node] = []
    edges: list[Edge] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        where = '%s:%d' % (name, lineno)
        if not line.strip():
            continue
        if line.startswith('#'):
            if mode is None and lineno == 1:
                header = _check_header(line, 'graph', where)
                mode = header.get('mode')
            continue
        fields = line.split('\t')
        if fields[0] == 'node':
            if len(fields) != _NODE_FIELDS:
                raise ParseError('%s: node line has %d fields, expected %d' %
                                 (where, len(fields), _NODE_FIELDS))
            nodes.append(Node(
                name=fields[1],
                of_node=_opt(fields[2]),
                driver=_opt(fields[3]),
                parent=_opt(fields[4]),
                state=_choice(fields[5], NODE_STATES, 'node state', where),
                probe_calls=_int(fields[6], where),
                defers=_int(fields[7], where),
                ready_ns=_ns(fields[8], where),
                start_ns=_ns(fields[9], where),
                end_ns=_ns(fields[10], where),
                ret=_int(fields[11], where),
                reason=fields[12]))
        elif fields[0] == 'edge':
            if len(fields) != _EDGE_FIELDS:
                raise ParseError('%s: edge line has %d fields, expected %d' %
                                 (where, len(fields), _EDGE_FIELDS))
            if not nodes or nodes[-1].name != fields[2]:
                raise ParseError('%s: edge to %s does not follow its '
                                 'consumer\'s node line' % (where, fields[2]))
            edges.append(Edge(
                supplier=fields[1],
                consumer=fields[2],
                kind=_choice(fields[3], EDGE_KINDS, 'edge kind', where),
                state=_choice(fields[4], EDGE_STATES, 'edge state', where)))
        else:
            raise ParseError('%s: unknown record %r' % (where, fields[0]))
    if mode is None:
        raise ParseError('%s: missing "# probe_graph graph v1" header' % name)
    return mode, nodes, edges


def parse_devices_file(text: str, name: str = DEVICES_FILE
                       ) -> tuple[str, list[Node]]:
    """Parse the devices summary: nodes without timestamps or edges."""
    mode: Optional[str] = None
    nodes: list[Node] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        where = '%s:%d' % (name, lineno)
        if not line.strip():
            continue
        if line.startswith('#'):
            if mode is None and lineno == 1:
                mode = _check_header(line, 'devices', where).get('mode')
            continue
        fields = line.split('\t')
        if len(fields) != _DEVICE_FIELDS:
            raise ParseError('%s: %d fields, expected %d' %
                             (where, len(fields), _DEVICE_FIELDS))
        nodes.append(Node(
            name=fields[0], of_node=None, driver=None,
            parent=_opt(fields[1]),
            state=_choice(fields[2], NODE_STATES, 'node state', where),
            probe_calls=_int(fields[3], where),
            defers=_int(fields[4], where),
            ready_ns=None, start_ns=None, end_ns=None, ret=0,
            reason=fields[5]))
    if mode is None:
        raise ParseError('%s: missing "# probe_graph devices v1" header' %
                         name)
    return mode, nodes


def parse_stats_file(text: str) -> dict[str, StatValue]:
    """Parse 'key value' lines; values that are numbers become ints."""
    stats: dict[str, StatValue] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith('#'):
            continue
        parts = line.split(None, 1)
        key = parts[0]
        value = parts[1].strip() if len(parts) > 1 else ''
        try:
            stats[key] = int(value)
        except ValueError:
            stats[key] = value
    return stats


def parse_cycles_file(text: str, name: str = CYCLES_FILE) -> list[Cycle]:
    """Parse the cycles file: sorted members and how each was broken."""
    cycles = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if line.startswith('#'):
            if lineno == 1:
                _check_header(line, 'cycles', '%s:%d' % (name, lineno))
            continue
        members, _, relaxed = line.partition('\t')
        cycles.append(Cycle(sorted(members.split()), relaxed.strip()))
    return cycles


def parse_deferred_file(text: str) -> dict[str, str]:
    """Parse the stock kernel's devices_deferred: 'device<TAB>reason'."""
    deferred = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        device, _, reason = line.partition('\t')
        deferred[device.strip()] = reason.strip()
    return deferred


def _read(path: str) -> Optional[str]:
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            return f.read()
    except FileNotFoundError:
        return None


def _is_debugfs_dir(path: str) -> bool:
    return any(os.path.isfile(os.path.join(path, name))
               for name in (GRAPH_FILE, DEVICES_FILE, STATS_FILE))


def load_dir(path: str) -> Graph:
    """Read a probe_graph directory, or a directory that holds one."""
    deferred_text = None
    if _is_debugfs_dir(path):
        pg_dir = path
        deferred_text = _read(os.path.join(os.path.dirname(
            os.path.abspath(path)), DEFERRED_FILE))
    elif _is_debugfs_dir(os.path.join(path, DEBUGFS_DIR)):
        pg_dir = os.path.join(path, DEBUGFS_DIR)
        deferred_text = _read(os.path.join(path, DEFERRED_FILE))
    else:
        raise ParseError('%s: neither a probe_graph directory nor one that '
                         'holds probe_graph/' % path)

    graph_text = _read(os.path.join(pg_dir, GRAPH_FILE))
    edges: list[Edge] = []
    if graph_text is not None:
        mode, nodes, edges = parse_graph_file(
            graph_text, os.path.join(pg_dir, GRAPH_FILE))
    else:
        devices_text = _read(os.path.join(pg_dir, DEVICES_FILE))
        if devices_text is None:
            raise ParseError('%s: no graph or devices file' % pg_dir)
        mode, nodes = parse_devices_file(
            devices_text, os.path.join(pg_dir, DEVICES_FILE))

    stats_text = _read(os.path.join(pg_dir, STATS_FILE))
    stats = parse_stats_file(stats_text) if stats_text is not None else {}
    cycles_text = _read(os.path.join(pg_dir, CYCLES_FILE))
    cycles = (parse_cycles_file(cycles_text, os.path.join(pg_dir, CYCLES_FILE))
              if cycles_text is not None else [])
    deferred = (parse_deferred_file(deferred_text)
                if deferred_text is not None else {})
    return Graph(mode=mode, nodes=nodes, edges=edges, cycles=cycles,
                 stats=stats, deferred=deferred, source=path)


def graph_to_dict(graph: Graph) -> dict[str, Any]:
    """The canonical JSON form of a graph (see "probe-graph dump")."""
    nodes = [{
        'name': n.name,
        'of_node': n.of_node,
        'driver': n.driver,
        'parent': n.parent,
        'state': n.state,
        'probe_calls': n.probe_calls,
        'defers': n.defers,
        'ready_ns': n.ready_ns,
        'start_ns': n.start_ns,
        'end_ns': n.end_ns,
        'ret': n.ret,
        'reason': n.reason,
    } for n in graph.nodes]
    edges = [{
        'supplier': e.supplier,
        'consumer': e.consumer,
        'kind': e.kind,
        'state': e.state,
    } for e in sorted(graph.edges, key=lambda e: (e.consumer, e.supplier,
                                                  e.kind, e.state))]
    pairs = sorted((sorted(c.members), c.relaxed) for c in graph.cycles)
    data: dict[str, Any] = {
        'version': FORMAT_VERSION,
        'mode': graph.mode,
        'nodes': nodes,
        'edges': edges,
        'cycles': [members for members, _ in pairs],
        'stats': dict(graph.stats),
    }
    # How each cycle was broken, when known: optional, in cycles' order.
    if any(relaxed for _, relaxed in pairs):
        data['cycles_relaxed'] = [relaxed for _, relaxed in pairs]
    return data


def dump_json(graph: Graph) -> str:
    return json.dumps(graph_to_dict(graph), indent=2) + '\n'


def _get(obj: dict[str, Any], key: str, types: Any, where: str) -> Any:
    if key not in obj:
        raise ParseError('%s: missing key %r' % (where, key))
    value = obj[key]
    if not isinstance(value, types) or isinstance(value, bool):
        raise ParseError('%s: %r has the wrong type' % (where, key))
    return value


def _opt_ns(obj: dict[str, Any], key: str, where: str) -> Optional[int]:
    value = _get(obj, key, (int, type(None)), where)
    if value is not None and value <= 0:
        raise ParseError('%s: %r must be positive or null' % (where, key))
    return value if value is None else int(value)


def graph_from_dict(data: Any, source: str = '') -> Graph:
    """Rebuild a graph from the JSON form; validates as it goes."""
    where = source or 'JSON'
    if not isinstance(data, dict):
        raise ParseError('%s: not a JSON object' % where)
    if data.get('version') != FORMAT_VERSION:
        raise ParseError('%s: version %r is not supported (need %d)' %
                         (where, data.get('version'), FORMAT_VERSION))
    mode = _choice(_get(data, 'mode', str, where), MODES, 'mode', where)
    nodes = []
    for i, obj in enumerate(_get(data, 'nodes', list, where)):
        w = '%s: nodes[%d]' % (where, i)
        if not isinstance(obj, dict):
            raise ParseError('%s: not an object' % w)
        nodes.append(Node(
            name=_get(obj, 'name', str, w),
            of_node=_get(obj, 'of_node', (str, type(None)), w),
            driver=_get(obj, 'driver', (str, type(None)), w),
            parent=_get(obj, 'parent', (str, type(None)), w),
            state=_choice(_get(obj, 'state', str, w), NODE_STATES,
                          'node state', w),
            probe_calls=_get(obj, 'probe_calls', int, w),
            defers=_get(obj, 'defers', int, w),
            ready_ns=_opt_ns(obj, 'ready_ns', w),
            start_ns=_opt_ns(obj, 'start_ns', w),
            end_ns=_opt_ns(obj, 'end_ns', w),
            ret=_get(obj, 'ret', int, w),
            reason=_get(obj, 'reason', str, w)))
    edges = []
    for i, obj in enumerate(_get(data, 'edges', list, where)):
        w = '%s: edges[%d]' % (where, i)
        if not isinstance(obj, dict):
            raise ParseError('%s: not an object' % w)
        edges.append(Edge(
            supplier=_get(obj, 'supplier', str, w),
            consumer=_get(obj, 'consumer', str, w),
            kind=_choice(_get(obj, 'kind', str, w), EDGE_KINDS,
                         'edge kind', w),
            state=_choice(_get(obj, 'state', str, w), EDGE_STATES,
                          'edge state', w)))
    cycles = []
    cycle_lists = _get(data, 'cycles', list, where)
    relaxed = data.get('cycles_relaxed', [''] * len(cycle_lists))
    if not isinstance(relaxed, list) or len(relaxed) != len(cycle_lists) \
            or not all(isinstance(r, str) for r in relaxed):
        raise ParseError('%s: cycles_relaxed does not match cycles' % where)
    for i, members in enumerate(cycle_lists):
        if not isinstance(members, list) or \
                not all(isinstance(m, str) for m in members):
            raise ParseError('%s: cycles[%d] is not a list of names' %
                             (where, i))
        cycles.append(Cycle(sorted(members), relaxed[i]))
    stats: dict[str, StatValue] = {}
    for key, value in _get(data, 'stats', dict, where).items():
        if not isinstance(value, (int, str)) or isinstance(value, bool):
            raise ParseError('%s: stats[%r] has the wrong type' % (where, key))
        stats[key] = value
    return Graph(mode=mode, nodes=nodes, edges=edges, cycles=cycles,
                 stats=stats, source=source)


# "kind" of the JSON "probe-graph predict --json" writes; its "graph" is
# a dump of the predicted graph.
PREDICTION_KIND = 'prediction'


def load_json(path: str) -> Graph:
    """Read a dump, or the predicted graph of a "predict --json" report."""
    with open(path, encoding='utf-8') as f:
        try:
            data = json.load(f)
        except json.JSONDecodeError as e:
            hint = ''
            f.seek(0)
            if path.endswith(('.dts', '.dtsi')) or \
                    f.read(64).lstrip().startswith('/dts-v1/'):
                hint = ('; it looks like device tree source: compile it '
                        'and give the .dtb to "predict"')
            raise ParseError('%s: not valid JSON: %s%s' %
                             (path, e, hint)) from None
        except UnicodeDecodeError:
            raise ParseError('%s: not a text file (a .dtb? use "predict")' %
                             path) from None
    if isinstance(data, dict) and data.get('kind') == PREDICTION_KIND:
        data = data.get('graph')
    return graph_from_dict(data, path)


def load(path: str) -> Graph:
    """Read a graph from a debugfs directory, a saved copy or a dump."""
    if os.path.isdir(path):
        return load_dir(path)
    if os.path.isfile(path):
        return load_json(path)
    raise ParseError('%s: no such file or directory' % path)
