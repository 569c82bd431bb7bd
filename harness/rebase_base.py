#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Parsing for harness/rebase-base.

    newest PACKAGE < "apt-cache madison PACKAGE"   the newest version listed
    am-result RC LOG                    how a "git am -3" went: one line
                                        "clean", "merged FILE..." or
                                        "conflict FILE..."
"""

import re
import sys
from pathlib import Path
from typing import List, Optional, Tuple


def parse_madison(text: str, package: str) -> List[str]:
    """The versions of package in "apt-cache madison" output."""
    out = []
    for line in text.splitlines():
        fields = [f.strip() for f in line.split("|")]
        if len(fields) >= 3 and fields[0] == package and fields[1]:
            if fields[1] not in out:
                out.append(fields[1])
    return out


def _order(c: str) -> int:
    """dpkg's weight of one character of a non-digit part."""
    if c == "~":
        return -1
    if c.isalpha():
        return ord(c)
    return ord(c) + 256


def _compare_part(a: str, b: str) -> int:
    """Compare an upstream version or Debian revision as dpkg does."""
    while a or b:
        na = re.match(r"[^0-9]*", a)
        nb = re.match(r"[^0-9]*", b)
        sa = na.group(0) if na else ""
        sb = nb.group(0) if nb else ""
        a, b = a[len(sa):], b[len(sb):]
        for i in range(max(len(sa), len(sb))):
            ca = _order(sa[i]) if i < len(sa) else 0
            cb = _order(sb[i]) if i < len(sb) else 0
            if ca != cb:
                return -1 if ca < cb else 1
        da = re.match(r"[0-9]*", a)
        db = re.match(r"[0-9]*", b)
        ta = da.group(0) if da else ""
        tb = db.group(0) if db else ""
        a, b = a[len(ta):], b[len(tb):]
        ia, ib = int(ta or "0"), int(tb or "0")
        if ia != ib:
            return -1 if ia < ib else 1
    return 0


def split_version(v: str) -> Tuple[int, str, str]:
    """(epoch, upstream version, Debian revision)."""
    epoch = 0
    if ":" in v:
        e, v = v.split(":", 1)
        epoch = int(e)
    if "-" in v:
        upstream, revision = v.rsplit("-", 1)
    else:
        upstream, revision = v, ""
    return epoch, upstream, revision


def compare_versions(a: str, b: str) -> int:
    """-1, 0 or 1 as Debian version a sorts before, with or after b."""
    ea, ua, ra = split_version(a)
    eb, ub, rb = split_version(b)
    if ea != eb:
        return -1 if ea < eb else 1
    return _compare_part(ua, ub) or _compare_part(ra, rb)


def newest(versions: List[str]) -> Optional[str]:
    best: Optional[str] = None
    for v in versions:
        if best is None or compare_versions(v, best) > 0:
            best = v
    return best


def am_result(rc: int, log: str) -> Tuple[str, List[str]]:
    """Classify the output of one "git am -3": "clean" when the patch
    applied as it is, "merged" when it needed the 3-way fallback (the
    context moved: the patch should be refreshed), "conflict" when the
    merge left conflicts; with the files concerned."""
    files: List[str] = []

    def add(f: str) -> None:
        if f not in files:
            files.append(f)

    for m in re.finditer(r"^CONFLICT \([^)]*\): .*? in (\S+)$", log, re.M):
        add(m.group(1))
    for m in re.finditer(r"^error: patch failed: (\S+):\d+$", log, re.M):
        add(m.group(1))
    for m in re.finditer(r"^error: (\S+): does not exist in index$", log,
                         re.M):
        add(m.group(1))
    if rc != 0:
        return "conflict", files
    merged = [m.group(1) for m in re.finditer(r"^Auto-merging (\S+)$",
                                              log, re.M)]
    if "Falling back to patching base and 3-way merge" in log:
        return "merged", merged or files
    return "clean", []


def main(argv: List[str]) -> int:
    if len(argv) == 2 and argv[0] == "newest":
        v = newest(parse_madison(sys.stdin.read(), argv[1]))
        if v is None:
            return 1
        print(v)
        return 0
    if len(argv) == 3 and argv[0] == "am-result":
        kind, files = am_result(int(argv[1]), Path(argv[2]).read_text(
            errors="replace"))
        print(" ".join([kind] + files))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
