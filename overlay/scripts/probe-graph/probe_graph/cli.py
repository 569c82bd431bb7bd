# SPDX-License-Identifier: GPL-2.0
"""The probe-graph command line.

Each subcommand reads its input with model.load(), asks analysis.py and
prints what render.py makes of the answer.  Exit status: 0 on success,
1 when the answer is "no" (why: not bound; check: a test failed;
predict --fail-on-cycles: a cycle), 2 on bad input or usage, with a
one-line error.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict
from typing import Any, Callable, Optional, Sequence

from . import analysis, audit, model, platform, render
from .fdt import DeviceTree, FdtError, read_fdt

PROG = 'probe-graph'

EXIT_OK = 0
EXIT_NO = 1
EXIT_ERROR = 2


class CliError(Exception):
    """A problem to report in one line, with exit status 2."""


def _write(path: Optional[str], text: str) -> None:
    if path is None or path == '-':
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def _json(data: Any) -> str:
    return json.dumps(data, indent=2) + '\n'


def _unknown(name: str, source: str, graph: model.Graph) -> CliError:
    text = 'no device named %r in %s' % (name, source)
    if graph.mode == 'off':
        text += ' (the probe graph is off there: mode=off records nothing)'
    return CliError(text)


def cmd_dump(args: argparse.Namespace) -> int:
    _write(args.output, model.dump_json(model.load(args.source)))
    return EXIT_OK


def cmd_dot(args: argparse.Namespace) -> int:
    graph = model.load(args.source)
    focus = graph.resolve(args.focus) if args.focus else None
    options = render.DotOptions(focus, args.depth, args.direction,
                                args.all)
    try:
        text = render.render_dot(graph, options)
    except analysis.UnknownDevice as e:
        raise _unknown(str(e), args.source, graph) from None
    if args.svg is None:
        _write(args.output, text)
        return EXIT_OK
    dot = shutil.which('dot')
    if dot is None:
        raise CliError('--svg needs the "dot" program of Graphviz, which is '
                       'not in PATH; install graphviz, or write DOT with '
                       '-o and render it elsewhere')
    result = subprocess.run([dot, '-Tsvg', '-o', args.svg], input=text,
                            text=True, capture_output=True, check=False)
    if result.returncode:
        raise CliError('dot failed (status %d): %s' %
                       (result.returncode, result.stderr.strip()))
    if args.output is not None:
        _write(args.output, text)
    return EXIT_OK


def cmd_trace(args: argparse.Namespace) -> int:
    graph = model.load(args.source)
    _write(args.output, _json(render.render_trace(graph)))
    return EXIT_OK


def cmd_timeline(args: argparse.Namespace) -> int:
    graph = model.load(args.source)
    _write(args.output, render.render_timeline(graph, args.width))
    return EXIT_OK


def cmd_why(args: argparse.Namespace) -> int:
    source, device = args.source, args.device
    # Accept "why DEV SOURCE" too.
    if not os.path.exists(source) and os.path.exists(device):
        source, device = device, source
    graph = model.load(source)
    device = graph.resolve(device)
    try:
        result = analysis.why(graph, device)
    except analysis.UnknownDevice:
        raise _unknown(device, source, graph) from None
    _write(args.output, render.format_why(result))
    return EXIT_OK if result.bound else EXIT_NO


def cmd_critical_path(args: argparse.Namespace) -> int:
    graph = model.load(args.source)
    report = analysis.critical_path(graph, args.slack)
    if report is None and not args.json:
        chain = analysis.longest_chain(graph)
        text = render.format_critical_path(None)
        if len(chain) > 1:
            text += ('longest dependency chain: %d devices: %s\n' %
                     (len(chain), ' -> '.join(chain)))
        _write(args.output, text)
    elif args.json:
        _write(args.output, _json(render.critical_path_dict(report)))
    else:
        _write(args.output, render.format_critical_path(report))
    return EXIT_OK


def cmd_cycles(args: argparse.Namespace) -> int:
    graph = model.load(args.source)
    reports = analysis.find_cycles(graph)
    if args.json:
        _write(args.output, _json([{'members': r.members,
                                    'broken': r.broken,
                                    'reported': r.reported,
                                    'in_edges': r.in_edges}
                                   for r in reports]))
    else:
        _write(args.output, render.format_cycles(
            reports, bool(graph.stats.get('predicted'))))
    return EXIT_OK


def cmd_blame(args: argparse.Namespace) -> int:
    graph = model.load(args.source)
    entries = analysis.blame(graph)
    if args.top is not None:
        entries = entries[:args.top]
    if args.json:
        _write(args.output, _json([asdict(e) for e in entries]))
    elif not entries and graph.stats.get('predicted'):
        _write(args.output, 'no probe times: a prediction has them only '
                            'with --delays or probe-delay-us\n')
    else:
        _write(args.output, render.format_blame(entries))
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    a = model.load(args.a)
    b = model.load(args.b)
    report = analysis.diff(a, b, int(args.threshold_us * 1000))
    cmp = None
    # A prediction names devices as the kernel does; compare by node too.
    if a.stats.get('predicted') or b.stats.get('predicted'):
        cmp = analysis.compare_with_boot(a, b)
    if args.json:
        data = render.diff_dict(report)
        if cmp is not None:
            data['by_node'] = asdict(cmp)
        _write(args.output, _json(data))
    else:
        text = render.format_diff(report, args.a, args.b)
        if cmp is not None:
            text += render.format_boot_comparison(cmp)
        _write(args.output, text)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    graph = model.load(args.source)
    results = analysis.check(graph)
    title = 'probe_graph check of %s (mode=%s)' % (args.source, graph.mode)
    _write(args.output, render.format_ktap(results, title))
    return EXIT_OK if all(r.ok for r in results) else EXIT_NO


def _read_delays(path: str) -> dict[str, int]:
    with open(path, encoding='utf-8') as f:
        try:
            data = json.load(f)
        except json.JSONDecodeError as e:
            raise CliError('%s: not valid JSON: %s' % (path, e)) from None
    if not isinstance(data, dict):
        raise CliError('%s: expected an object of node: microseconds' % path)
    delays = {}
    for key, value in data.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or value < 0:
            raise CliError('%s: delay of %r is not a number of '
                           'microseconds' % (path, key))
        delays[key] = int(round(value))
    return delays


def _read_tree(path: str) -> DeviceTree:
    try:
        return read_fdt(path)
    except FdtError as e:
        hint = ''
        with open(path, 'rb') as f:
            head = f.read(64)
        if path.endswith(('.dts', '.dtsi')) or head.lstrip().startswith(
                (b'/dts-v1/', b'/ {', b'//', b'/*', b'#include')):
            hint = ('; it looks like device tree source: compile it first, '
                    'e.g. "make dtbs", or cpp and "dtc -I dts -O dtb"')
        raise CliError('%s: not a device tree blob: %s%s' %
                       (path, e, hint)) from None


def cmd_predict(args: argparse.Namespace) -> int:
    if args.depth is not None and args.focus is None:
        raise CliError('--depth goes with --focus')
    tree = _read_tree(args.dtb)
    delays = _read_delays(args.delays) if args.delays else None
    pred = analysis.predict(tree, delays, args.strict, args.early_init,
                            args.children)
    graph = analysis.prediction_graph(pred)
    if args.focus is not None:
        name = graph.resolve(args.focus)
        if graph.node(name) is None:
            raise CliError('no device for %r in %s (a device name, node '
                           'path or node name)' % (args.focus, args.dtb))
        text = render.format_prediction_focus(graph, name, args.depth)
    elif args.summary:
        text = render.format_prediction_summary(pred, args.dtb)
    elif args.order:
        text = render.format_prediction_order(pred)
    elif args.dump:
        text = model.dump_json(graph)
    elif args.json:
        text = _json(render.prediction_dict(pred))
    else:
        text = render.format_prediction(pred, args.dtb)
    _write(args.output, text)
    if args.fail_on_cycles and pred.cycles:
        return EXIT_NO
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    types = None
    if not args.no_schemas:
        where = args.schemas or audit.default_bindings_dir()
        if where is None or not os.path.isdir(where):
            raise CliError('no binding schemas at %s: give --schemas '
                           'DIR (Documentation/devicetree/bindings) or '
                           '--no-schemas' % (where or 'the kernel tree'))
        types = audit.schema_types(where)

    def trees() -> Any:
        for path in args.dtbs:
            yield os.path.basename(path).rsplit('.', 1)[0], _read_tree(path)

    report = audit.audit(trees(), types)
    if args.top is not None:
        report.entries = report.entries[:args.top]
    if args.json:
        _write(args.output, _json(render.audit_dict(report)))
    else:
        _write(args.output, render.format_audit(report, args.markdown))
    return EXIT_OK


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError('must not be negative')
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description='Explain, draw and check the driver core\'s probe '
                    'graph.  SOURCE is /sys/kernel/debug/probe_graph, a '
                    'saved copy of it (or of the directory holding it), or '
                    'JSON written by "dump".')
    sub = parser.add_subparsers(dest='command', metavar='COMMAND')
    sub.required = True

    def add(name: str, func: Callable[[argparse.Namespace], int],
            text: str, source: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=text, description=text)
        if source:
            p.add_argument('source', metavar='SOURCE',
                           help='debugfs directory, saved copy or dump')
        p.add_argument('-o', '--output', metavar='FILE',
                       help='write here instead of standard output')
        p.set_defaults(func=func)
        return p

    add('dump', cmd_dump, 'write the graph as canonical JSON')

    p = add('dot', cmd_dot, 'draw the graph in Graphviz DOT')
    p.add_argument('--focus', metavar='DEV',
                   help='only what is reachable from DEV')
    p.add_argument('--depth', metavar='N', type=_non_negative,
                   help='at most N edges away from --focus')
    p.add_argument('--direction', choices=('up', 'down', 'both'),
                   default='both',
                   help='up: suppliers and parents, down: consumers and '
                        'children (default: both)')
    p.add_argument('--all', action='store_true',
                   help='keep idle devices that have no edges')
    p.add_argument('--svg', metavar='OUT',
                   help='render to SVG with Graphviz\'s dot')

    add('trace', cmd_trace, 'write the probes as Chrome/Perfetto trace JSON')

    p = add('timeline', cmd_timeline, 'draw the probes as an SVG timeline')
    p.add_argument('--width', metavar='PX', type=_non_negative, default=1200,
                   help='image width in pixels (default: 1200)')

    p = add('why', cmd_why, 'explain why a device is or is not bound')
    p.add_argument('device', metavar='DEV', help='device name')

    p = add('critical-path', cmd_critical_path,
            'the chain of probes that decided when the last device bound')
    p.add_argument('--slack', metavar='N', type=_non_negative, default=3,
                   help='also show N near-critical chains (default: 3)')
    p.add_argument('--json', action='store_true', help='JSON output')

    p = add('cycles', cmd_cycles, 'list dependency cycles')
    p.add_argument('--json', action='store_true', help='JSON output')

    p = add('blame', cmd_blame, 'probe and waiting time per device')
    p.add_argument('--top', metavar='N', type=_non_negative,
                   help='only the N most expensive probes')
    p.add_argument('--json', action='store_true', help='JSON output')

    p = add('diff', cmd_diff, 'compare two boots', source=False)
    p.add_argument('a', metavar='A', help='first boot')
    p.add_argument('b', metavar='B', help='second boot')
    p.add_argument('--threshold-us', metavar='US', type=float, default=1000,
                   help='report changes larger than this (default: 1000)')
    p.add_argument('--json', action='store_true', help='JSON output')

    add('check', cmd_check, 'check the graph\'s invariants, in KTAP')

    p = add('predict', cmd_predict,
            'predict the graph of a device tree blob, offline; --dump '
            'and --json output is a SOURCE for the other commands',
            source=False)
    p.add_argument('dtb', metavar='DTB',
                   help='flattened device tree (.dtb, not .dts)')
    p.add_argument('--delays', metavar='FILE',
                   help='JSON {node path or name: microseconds} weighting '
                        'the critical path')
    p.add_argument('--strict', action='store_true',
                   help='follow optional bindings too, as '
                        'fw_devlink.strict=1')
    p.add_argument('--early-init', choices=platform.EARLY_INIT_CHOICES,
                   default=platform.EARLY_POPULATED,
                   help='interrupt controllers and clocks that '
                        'of_irq_init()/of_clk_init() set up: "populated" '
                        '(the default, as the kernel does): never devices, '
                        'no links to them, but for those their init makes '
                        'devices again (CLK_OF_DECLARE_DRIVER(), i.MX GPC); '
                        '"devices": like any other node')
    p.add_argument('--children', action='store_true',
                   help='also the children of devices that are not buses, '
                        'as drivers that populate their node create them '
                        '(default: only what of_platform creates at boot)')
    p.add_argument('--fail-on-cycles', action='store_true',
                   help='exit with status 1 when there is a cycle')
    out = p.add_mutually_exclusive_group()
    out.add_argument('--json', action='store_true',
                     help='JSON report; its "graph" is a dump')
    out.add_argument('--dump', action='store_true',
                     help='the predicted graph as "dump" writes it')
    out.add_argument('--summary', action='store_true',
                     help='counts, depth, width, cycles, longest chain')
    out.add_argument('--order', action='store_true',
                     help='a probe order that respects every blocking edge')
    out.add_argument('--focus', metavar='DEV',
                     help='suppliers and consumers of DEV (device name, '
                          'node path or node name)')
    p.add_argument('--depth', metavar='N', type=_non_negative,
                   help='with --focus: at most N hops (default: all)')

    p = add('audit', cmd_audit,
            'phandle properties no fw_devlink binding parses, ranked by '
            'boards and nodes', source=False)
    p.add_argument('dtbs', metavar='DTB', nargs='+',
                   help='flattened device trees')
    p.add_argument('--schemas', metavar='DIR',
                   help='binding schemas that type properties (default: '
                        'Documentation/devicetree/bindings of this tree)')
    p.add_argument('--no-schemas', action='store_true',
                   help='no schemas: a property whose first cell is a '
                        'phandle of the tree counts')
    p.add_argument('--top', metavar='N', type=_non_negative,
                   help='only the N most used properties')
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument('--json', action='store_true', help='JSON output')
    fmt.add_argument('--markdown', action='store_true',
                     help='a markdown table')
    return parser


def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except (CliError, model.ParseError, FdtError, OSError) as e:
        print('%s: error: %s' % (PROG, e), file=sys.stderr)
        return EXIT_ERROR
    except (ValueError, KeyError, IndexError, UnicodeError) as e:
        # Malformed input that got past the parsers' checks.
        print('%s: error: bad input: %s: %s' % (PROG, type(e).__name__, e),
              file=sys.stderr)
        return EXIT_ERROR
