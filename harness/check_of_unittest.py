#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot the CONFIG_OF_UNITTEST kernel with the probe graph and without,
and compare the device tree unit tests' results.

The kernel is harness/build-arm64's "ofunit" variant
(harness/configs/arm64-ofunit.config): the tests run at boot and print
"### dt-test ###" lines, a "FAIL" line for each failed case and a
summary.  They also print errors and stack traces on purpose, so a
report in the log is not a failure here; a boot that does not reach init
is.  The summary and the set of failed cases must be the same with
probe_graph=on as with probe_graph=off.
"""

import argparse
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

TOP = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("PG_WORK", TOP / ".build"))
SUMMARY_RE = re.compile(r"### dt-test ### end of unittest - (\d+) passed, "
                        r"(\d+) failed")
FAIL_RE = re.compile(r"### dt-test ### (FAIL \S+ .*?)\s*$", re.M)
DONE = "=== probe-graph done ==="


@dataclass
class Result:
    """The unit tests' outcome in one boot."""

    passed: Optional[int] = None
    failed: Optional[int] = None
    failures: List[str] = field(default_factory=list)
    reached_init: bool = False


def parse(log: str) -> Result:
    m = SUMMARY_RE.search(log)
    # the line number after the function name moves with the source
    failures = sorted(re.sub(r"\(\):\d+ ", "() ", f)
                      for f in FAIL_RE.findall(log))
    return Result(int(m.group(1)) if m else None,
                  int(m.group(2)) if m else None, failures, DONE in log)


def compare(on: Result, off: Result) -> List[str]:
    problems = []
    for name, r in (("on", on), ("off", off)):
        if r.passed is None:
            problems.append(f"{name}: no unittest summary")
        if not r.reached_init:
            problems.append(f"{name}: the boot did not reach init")
    if (on.passed, on.failed) != (off.passed, off.failed):
        problems.append(f"{on.passed} passed, {on.failed} failed with the "
                        f"graph; {off.passed} passed, {off.failed} failed "
                        "without")
    for f in sorted(set(on.failures) - set(off.failures)):
        problems.append(f"only with the graph: {f}")
    for f in sorted(set(off.failures) - set(on.failures)):
        problems.append(f"only without the graph: {f}")
    return problems


def boot(mode: str, kbuild: Path, out: Path) -> str:
    log = out / f"{mode}.log"
    # a boot that fails before it writes its log leaves no old one behind
    log.unlink(missing_ok=True)
    # boot.py fails on the reports the tests cause on purpose: its exit
    # status is not the verdict, the log is
    subprocess.run(
        [sys.executable, str(TOP / "harness" / "boot.py"),
         "--name", f"ofunit-{mode}", "--kbuild", str(kbuild),
         "--append", f"probe_graph={mode} loglevel=7", "--log", str(log),
         "--timeout", "600"], check=False)
    return log.read_text(errors="replace") if log.exists() else ""


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kbuild", type=Path,
                    default=WORK / "arm64-ofunit")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    on = parse(boot("on", args.kbuild, args.out))
    off = parse(boot("off", args.kbuild, args.out))
    problems = compare(on, off)
    for p in problems:
        print(f"of_unittest: {p}")
    if problems:
        return 1
    print(f"of_unittest: {on.passed} passed, {on.failed} failed, the same "
          "cases with and without the graph")
    for f in on.failures:
        print(f"of_unittest: failed in both: {f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
