#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print one "ok"/"not ok" line per KUnit case from kunit.py --json output.

Exits non-zero if a case failed, or if no case ran at all.
"""

import json
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple


def cases(node: Dict[str, Any], prefix: str) -> Iterator[Tuple[str, str]]:
    """Yield (name, status) of every leaf test case."""
    subs: List[Dict[str, Any]] = node.get("sub_groups", [])
    name = node.get("name", "")
    path = f"{prefix}.{name}" if prefix and name else (name or prefix)
    for case in node.get("test_cases", []):
        yield f"{path}.{case['name']}", case["status"]
    for sub in subs:
        yield from cases(sub, path)


def main(argv: List[str]) -> int:
    path, label = Path(argv[0]), argv[1]
    if not path.exists():
        print(f"not ok - {label}: no results ({path} missing)")
        return 1
    tree = json.loads(path.read_text())
    failed = ran = 0
    for name, status in cases(tree, ""):
        if status == "SKIP":
            print(f"ok - {label}: {name} # SKIP")
            continue
        ran += 1
        if status == "PASS":
            print(f"ok - {label}: {name}")
        else:
            failed += 1
            print(f"not ok - {label}: {name} ({status})")
    return 1 if failed or not ran else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
