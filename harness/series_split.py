#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Cut the change from one kernel tree to another into a patch series.

The cut is described by a map file (harness/series.map):

    [slug]            a patch; its message is in msg/<slug> next to the map
    [slug?]           a patch that is left out when nothing is assigned to it
    GLOB              every change to the files matching GLOB ("*" stays
                      within a path component, "**" crosses them)
    ?GLOB             the same; matching no changed file is not an error
    PATH  REGEX       the changed lines of PATH that REGEX claims (below)
    ?PATH  REGEX      the same; claiming nothing is not an error

Line rules split a file that several patches change.  Each hunk of
"git diff -U0 base final -- PATH" is read line by line, removed lines
first, then added lines.  At every non-blank line each rule of PATH is
tried with re.match against the text from that line to the end of its
side of the hunk (so a rule can look at the lines that follow it with
"\\n"); the longest match wins, the earlier rule on a tie.  A matching
line goes to the rule's patch and so do the lines after it that no rule
matches.  A hunk's first line that no rule matches goes to the patch
that claims the whole file, if one does; otherwise it is an error.  An
"#endif" always goes with its "#if"; blank lines added by a hunk are
placed between the lines a patch adds as the hunk has them, so a patch
that takes part of a hunk gets tidy spacing and the last one gets the
hunk exactly.

Commands (REPO is a git repository holding both commits):

    plan  REPO BASE FINAL MAP           the patches, one "slug<TAB>paths" a line
    apply REPO BASE FINAL MAP SLUG      write the work tree of REPO as it is
                                        after patch SLUG; print the paths
                                        written, NUL-terminated
    warnings REPO REV PATH < BUILD-OUTPUT
                                        print the warnings about PATH on
                                        lines REV adds; fail if any
    cover TOP TEMPLATE LETTER TO... -- CC...
                                        fill the cover letter LETTER from
                                        TEMPLATE (see render_cover()) and
                                        the address lists TO and CC
"""

import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set, Tuple


class MapError(Exception):
    """The map does not describe the change: the message says where."""


@dataclass
class Rule:
    """A line rule: lines of one file from a match of regex on."""
    path: str
    regex: "re.Pattern[str]"
    patch: int
    optional: bool
    lineno: int
    used: bool = False


@dataclass
class Patch:
    """One stanza of the map."""
    slug: str
    optional: bool
    globs: List[Tuple[str, bool, int]] = field(default_factory=list)
    rules: List[Rule] = field(default_factory=list)


def glob_regex(glob: str) -> "re.Pattern[str]":
    """Translate a path glob: "*" and "?" stay within a component, "**"
    crosses components, "[...]" is a character class."""
    out = []
    i = 0
    while i < len(glob):
        c = glob[i]
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = glob.find("]", i + 1)
            if end < 0:
                out.append(re.escape(c))
            else:
                out.append(glob[i:end + 1])
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z")


def parse_map(text: str) -> List[Patch]:
    """Parse a map file; raise MapError on a malformed line."""
    patches: List[Patch] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"\[([A-Za-z0-9][A-Za-z0-9._-]*)(\??)\]", line)
        if m:
            if any(p.slug == m.group(1) for p in patches):
                raise MapError(f"line {lineno}: patch {m.group(1)} twice")
            patches.append(Patch(m.group(1), m.group(2) == "?"))
            continue
        if not patches:
            raise MapError(f"line {lineno}: no [patch] before {line!r}")
        parts = line.split(None, 1)
        path, optional = parts[0], parts[0].startswith("?")
        if optional:
            path = path[1:]
        if not path or path.startswith("/"):
            raise MapError(f"line {lineno}: bad path {parts[0]!r}")
        if len(parts) == 1:
            patches[-1].globs.append((path, optional, lineno))
            continue
        try:
            regex = re.compile(parts[1], re.M)
        except re.error as e:
            raise MapError(f"line {lineno}: {e}") from e
        patches[-1].rules.append(Rule(path, regex, len(patches) - 1,
                                      optional, lineno))
    if not patches:
        raise MapError("no patches")
    return patches


@dataclass
class Hunk:
    """A -U0 hunk: base lines [old, old + nold) become final lines
    [new, new + nnew) (0-based)."""
    old: int
    nold: int
    new: int
    nnew: int


HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", re.M)


def parse_hunks(diff: str) -> List[Hunk]:
    """The hunks of a "git diff -U0" of one file, from their headers."""
    hunks = []
    for m in HUNK_RE.finditer(diff):
        old, new = int(m.group(1)), int(m.group(3))
        nold = 1 if m.group(2) is None else int(m.group(2))
        nnew = 1 if m.group(4) is None else int(m.group(4))
        # An empty side is numbered by the line before it.
        hunks.append(Hunk(old if nold == 0 else old - 1, nold,
                          new if nnew == 0 else new - 1, nnew))
    return hunks


def blank(line: str) -> bool:
    return not line.strip()


IF_RE = re.compile(r"#\s*if")
ENDIF_RE = re.compile(r"#\s*endif\b")
ELSE_RE = re.compile(r"#\s*(else|elif)\b")
NOCPP_RE = re.compile(r"(?!)")
CPP_SUFFIXES = (".c", ".h", ".S", ".dts", ".dtsi", ".dtso", ".lds")


def cpp_res(path: str) -> Tuple["re.Pattern[str]", "re.Pattern[str]",
                                "re.Pattern[str]"]:
    """The #if, #endif and #else patterns for path: none for files the C
    preprocessor does not read, where "#" starts a comment."""
    if path.endswith(CPP_SUFFIXES):
        return IF_RE, ENDIF_RE, ELSE_RE
    return NOCPP_RE, NOCPP_RE, NOCPP_RE


def assign_side(lines: Sequence[str], rules: Sequence[Rule],
                start: Optional[int], default: Optional[int],
                path: str, where: str
                ) -> Tuple[List[Optional[int]], Optional[int]]:
    """Give each line of one side of a hunk its patch; blank lines get
    None.  Returns the pieces and the patch the last line went to."""
    if_re, endif_re, else_re = cpp_res(path)
    pieces: List[Optional[int]] = [None] * len(lines)
    current = start
    stack: List[int] = []
    for i, line in enumerate(lines):
        if blank(line):
            continue
        text = "".join(lines[i:])
        best: Optional[Rule] = None
        best_len = -1
        for rule in rules:
            m = rule.regex.match(text)
            if m and m.end() > best_len:
                best, best_len = rule, m.end()
        if best is not None:
            best.used = True
            current = best.patch
        elif current is None:
            if default is None:
                raise MapError(f"{where}: no rule claims {line.rstrip()!r}")
            current = default
        piece: Optional[int] = current
        if endif_re.match(line) and stack:
            piece = pieces[stack.pop()]
        elif if_re.match(line) and not else_re.match(line):
            stack.append(i)
        pieces[i] = piece
    return pieces, current


def spaced(added: Sequence[str], pieces: Sequence[Optional[int]],
           upto: int, before: Optional[str], after: Optional[str],
           path: str) -> List[str]:
    """The lines of an added block that patches up to upto add, with a
    blank line wherever the block has blank lines between two of them,
    except next to a preprocessor branch, and at the ends only where the
    surrounding lines (before, after; None at the file's ends) are not
    blank already."""
    if_re, endif_re, else_re = cpp_res(path)
    keep = [i for i, p in enumerate(pieces) if p is not None and p <= upto]
    out: List[str] = []
    if not keep:
        return out

    def gap(lo: int, hi: int) -> Optional[str]:
        for j in range(lo, hi):
            if blank(added[j]):
                return added[j]
        return None

    first = added[keep[0]]
    lead = gap(0, keep[0])
    if (lead is not None and before is not None and not blank(before)
            and not endif_re.match(first) and not else_re.match(first)):
        out.append(lead)
    for n, i in enumerate(keep):
        if n:
            prev = added[keep[n - 1]]
            sep = gap(keep[n - 1] + 1, i)
            line = added[i]
            tight = (if_re.match(prev) or else_re.match(prev)
                     or endif_re.match(line) or else_re.match(line))
            if sep is not None and not tight:
                out.append(sep)
        out.append(added[i])
    trail = gap(keep[-1] + 1, len(added))
    if trail is not None and after is not None and not blank(after):
        out.append(trail)
    return out


def split_file(base: Sequence[str], final: Sequence[str],
               hunks: Sequence[Hunk], rules: Sequence[Rule],
               default: Optional[int], path: str
               ) -> List[Tuple[List[Optional[int]], List[Optional[int]]]]:
    """The patch of every removed and added line of every hunk."""
    out = []
    for h in hunks:
        where = f"{path}:{h.new + 1}"
        old = base[h.old:h.old + h.nold]
        new = final[h.new:h.new + h.nnew]
        dpieces, last = assign_side(old, rules, None, default, path, where)
        # Removed blank lines are not placed like added ones: they go
        # with the patch of the line before them (or after, at the top).
        nxt = next((p for p in dpieces if p is not None), last)
        for i, p in enumerate(dpieces):
            if p is None:
                dpieces[i] = nxt
            else:
                nxt = p
        apieces, _ = assign_side(new, rules, last, default, path, where)
        out.append((dpieces, apieces))
    return out


def materialize(base: Sequence[str], final: Sequence[str],
                hunks: Sequence[Hunk],
                pieces: Sequence[Tuple[List[Optional[int]],
                                       List[Optional[int]]]],
                upto: int, path: str) -> List[str]:
    """The file after the patches up to upto have changed it."""
    out: List[str] = []
    pos = 0
    for h, (dp, ap) in zip(hunks, pieces):
        out.extend(base[pos:h.old])
        old = base[h.old:h.old + h.nold]
        new = final[h.new:h.new + h.nnew]
        kept = [line for line, p in zip(old, dp)
                if p is None or p > upto]
        if not kept and all(p is None or p <= upto for p in ap):
            out.extend(new)
        else:
            out.extend(kept)
            before = out[-1] if out else None
            after = (base[h.old + h.nold] if h.old + h.nold < len(base)
                     else None)
            out.extend(spaced(new, ap, upto, before, after, path))
        pos = h.old + h.nold
    out.extend(base[pos:])
    return out


# ---------------------------------------------------------------- git side

def git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], check=True,
                          stdout=subprocess.PIPE).stdout


@dataclass
class Change:
    """A changed path: its status letter and whole-file or line owners."""
    path: str
    status: str
    whole: Optional[int] = None
    rules: List[Rule] = field(default_factory=list)


def changes(repo: Path, base: str, final: str) -> List[Change]:
    out = git(repo, "diff", "--no-renames", "--name-status", "-z",
              base, final).decode()
    fields = out.split("\0")
    return [Change(fields[i + 1], fields[i][0])
            for i in range(0, len(fields) - 1, 2)]


def resolve(patches: List[Patch], chs: List[Change]) -> None:
    """Give each change its owners; raise MapError on a change nobody
    owns, a file two patches own whole, or a non-optional entry that
    owns nothing."""
    by_path = {c.path: c for c in chs}
    for idx, p in enumerate(patches):
        for glob, optional, lineno in p.globs:
            rx = glob_regex(glob)
            hit = [c for c in chs if rx.match(c.path)]
            if not hit and not optional:
                raise MapError(f"map line {lineno}: {glob} matches no "
                               "changed file")
            for c in hit:
                if c.whole is not None:
                    raise MapError(
                        f"map line {lineno}: {c.path} is already claimed "
                        f"by [{patches[c.whole].slug}]")
                c.whole = idx
        for rule in p.rules:
            owner = by_path.get(rule.path)
            if owner is None:
                if rule.optional:
                    continue
                raise MapError(f"map line {rule.lineno}: {rule.path} is "
                               "not changed")
            if owner.status != "M":
                raise MapError(f"map line {rule.lineno}: {rule.path} is "
                               "added or removed: claim it whole")
            owner.rules.append(rule)
    loose = [c.path for c in chs if c.whole is None and not c.rules]
    if loose:
        raise MapError("not in the map: " + " ".join(loose))


def read_lines(repo: Path, rev: str, path: str) -> List[str]:
    data = git(repo, "cat-file", "blob", f"{rev}:{path}")
    return data.decode("utf-8", "surrogateescape").splitlines(True)


def mode_of(repo: Path, rev: str, path: str) -> str:
    return git(repo, "ls-tree", rev, "--", path).decode().split()[0]


class Series:
    """The map applied to the change base..final of repo."""

    def __init__(self, repo: Path, base: str, final: str,
                 map_text: str) -> None:
        self.repo, self.base, self.final = repo, base, final
        self.patches = parse_map(map_text)
        self.changes = changes(repo, base, final)
        resolve(self.patches, self.changes)
        self.split: Dict[str, Tuple[List[str], List[str], List[Hunk],
                                    List[Tuple[List[Optional[int]],
                                               List[Optional[int]]]]]] = {}
        for c in self.changes:
            if not c.rules:
                continue
            b = read_lines(repo, base, c.path)
            f = read_lines(repo, final, c.path)
            diff = git(repo, "diff", "-U0", "--no-color", "--no-ext-diff",
                       base, final, "--", c.path).decode("utf-8",
                                                         "surrogateescape")
            hunks = parse_hunks(diff)
            self.split[c.path] = (b, f, hunks,
                                  split_file(b, f, hunks, c.rules, c.whole,
                                             c.path))
        for p in self.patches:
            for rule in p.rules:
                if (not rule.used and not rule.optional
                        and rule.path in self.split):
                    raise MapError(f"map line {rule.lineno}: {rule.path}: "
                                   f"{rule.regex.pattern!r} claims nothing")

    def owners(self, c: Change) -> List[int]:
        """The patches that change c."""
        if c.path not in self.split:
            return [c.whole] if c.whole is not None else []
        found: Set[int] = set()
        for dp, ap in self.split[c.path][3]:
            found.update(p for p in dp + ap if p is not None)
        return sorted(found)

    def plan(self) -> List[Tuple[str, List[str]]]:
        """The non-empty patches in order, with the paths each changes;
        raise MapError for an empty patch that is not optional."""
        out = []
        for idx, p in enumerate(self.patches):
            paths = [c.path for c in self.changes if idx in self.owners(c)]
            if not paths and not p.optional:
                raise MapError(f"[{p.slug}] changes nothing")
            if paths:
                out.append((p.slug, paths))
        return out

    def index(self, slug: str) -> int:
        for idx, p in enumerate(self.patches):
            if p.slug == slug:
                return idx
        raise MapError(f"no patch {slug}")

    def apply(self, worktree: Path, upto: int) -> List[str]:
        """Make worktree's changed files what they are after patch upto;
        return the paths written or removed (those already right are left
        alone, so their timestamps do not trigger rebuilds)."""
        written = []
        for c in self.changes:
            owners = self.owners(c)
            dest = worktree / c.path
            if c.path in self.split:
                b, f, hunks, pieces = self.split[c.path]
                text = "".join(materialize(b, f, hunks, pieces, upto,
                                           c.path))
                data: Optional[bytes] = text.encode("utf-8",
                                                    "surrogateescape")
                mode = mode_of(self.repo, self.base, c.path)
            else:
                rev = self.final if owners and owners[0] <= upto \
                    else self.base
                gone = (c.status == "A" and rev == self.base or
                        c.status == "D" and rev == self.final)
                data = None if gone else git(self.repo, "cat-file", "blob",
                                             f"{rev}:{c.path}")
                mode = "" if gone else mode_of(self.repo, rev, c.path)
            if put(dest, data, mode):
                written.append(c.path)
        return written


def put(dest: Path, data: Optional[bytes], mode: str) -> bool:
    """Make dest hold data with git mode mode (None: no file); return
    whether anything changed."""
    if data is None:
        if dest.exists() or dest.is_symlink():
            dest.unlink()
            return True
        return False
    if mode == "120000":
        if dest.is_symlink() and str(dest.readlink()).encode() == data:
            return False
        if dest.exists() or dest.is_symlink():
            dest.unlink()
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.symlink_to(data.decode())
        return True
    perm = 0o755 if mode == "100755" else 0o644
    if (dest.is_file() and not dest.is_symlink()
            and dest.read_bytes() == data
            and (dest.stat().st_mode & 0o111 != 0) == (perm == 0o755)):
        return False
    if dest.is_symlink():
        dest.unlink()
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    dest.chmod(perm)
    return True


# ------------------------------------------------------------ cover letter

DIRECTIVE_RE = re.compile(r"^@(include|section|intro)\s+(.*?)\s*@$")
HEADING_RE = re.compile(r"^([=\-~^\"'`#*+])\1+$")
MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


@dataclass
class Heading:
    """A section heading: its title, its depth (0 is the top), the line
    it starts on and the line its body starts on."""
    title: str
    depth: int
    start: int
    body: int


def rst_headings(lines: Sequence[str]) -> List[Heading]:
    """The headings of a reStructuredText document: a title underlined
    (and maybe overlined) with one punctuation character; the depth of
    each style is the order in which it first appears."""
    levels: List[str] = []
    out = []
    for i in range(1, len(lines)):
        m = HEADING_RE.match(lines[i])
        if (not m or not lines[i - 1].strip()
                or HEADING_RE.match(lines[i - 1])
                or len(lines[i]) < len(lines[i - 1].rstrip())):
            continue
        over = i >= 2 and lines[i - 2] == lines[i]
        mark = ("over" if over else "") + m.group(1)
        if mark not in levels:
            levels.append(mark)
        out.append(Heading(lines[i - 1].strip(), levels.index(mark),
                           i - 2 if over else i - 1, i + 1))
    return out


def md_headings(lines: Sequence[str]) -> List[Heading]:
    """The ATX headings ("## Title") of a Markdown document, outside
    fenced code blocks."""
    out = []
    fenced = False
    for i, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
        m = None if fenced else MD_HEADING_RE.match(line)
        if m:
            out.append(Heading(m.group(2), len(m.group(1)) - 1, i, i + 1))
    return out


def doc_section(text: str, title: str, markdown: bool,
                intro: bool = False) -> Optional[str]:
    """The body of the section called title, up to the next heading of
    the same or a higher level, or with intro up to the next heading of
    any level; None if there is no such section."""
    lines = text.splitlines()
    heads = md_headings(lines) if markdown else rst_headings(lines)
    for n, h in enumerate(heads):
        if h.title != title:
            continue
        end = len(lines)
        for later in heads[n + 1:]:
            if intro or later.depth <= h.depth:
                end = later.start
                break
        return "\n".join(lines[h.body:end]).strip("\n") + "\n"
    return None


def rst_section(text: str, title: str) -> Optional[str]:
    """The body of the reStructuredText section called title."""
    return doc_section(text, title, False)


def render_cover(template: str, top: Path) -> Tuple[str, str, List[str]]:
    """Fill a cover letter template: its first line is the subject, the
    rest the body, where a line "@include PATH@" stands for the file PATH,
    "@section PATH TITLE@" for the section TITLE of the reStructuredText
    or (*.md) Markdown file PATH, subsections included, and "@intro PATH
    TITLE@" for the same up to its first subsection (paths relative to
    top).  Returns the subject, the body and what could not be read."""
    subject, _, rest = template.partition("\n")
    body: List[str] = []
    missing: List[str] = []
    for line in rest.lstrip("\n").splitlines():
        m = DIRECTIVE_RE.match(line)
        if not m:
            body.append(line)
            continue
        kind, arg = m.groups()
        path, _, title = arg.partition(" ") if kind != "include" else (
            arg, "", "")
        try:
            text: Optional[str] = (top / path).read_text()
        except OSError:
            text = None
        if text is not None and kind != "include":
            text = doc_section(text, title.strip(), path.endswith(".md"),
                               kind == "intro")
        if text is None:
            what = f"{path}: {title}" if title else path
            missing.append(what)
            body.append(f"[{what}: not available]")
        else:
            body.extend(text.rstrip("\n").splitlines())
    return subject.strip(), "\n".join(body).rstrip("\n") + "\n", missing


def address_header(name: str, addrs: Sequence[str]) -> str:
    """A To:/Cc: header, one address a line."""
    if not addrs:
        return ""
    return f"{name}: " + ",\n    ".join(addrs) + "\n"


def fill_cover(letter: str, subject: str, body: str, to: Sequence[str],
               cc: Sequence[str]) -> str:
    """Put the subject, the body and the To/Cc headers into a cover
    letter written by git format-patch --cover-letter."""
    letter = letter.replace("*** SUBJECT HERE ***", subject, 1)
    letter = letter.replace("*** BLURB HERE ***\n", body, 1)
    head, sep, tail = letter.partition("\nSubject: ")
    headers = address_header("To", to) + address_header("Cc", cc)
    return head + "\n" + headers.rstrip("\n") + sep + tail if headers \
        else letter


def read_addresses(paths: Sequence[str]) -> List[str]:
    """The addresses in files of get_maintainer.pl output, once each, in
    the order first seen."""
    seen: List[str] = []
    emails: Set[str] = set()
    for p in paths:
        for line in Path(p).read_text().splitlines():
            line = line.strip()
            email = email_of(line)
            if line and email not in emails:
                seen.append(line)
                emails.add(email)
    return seen


def email_of(address: str) -> str:
    """The bare, lower-case e-mail of "Name <email>" or "email"."""
    m = re.search(r"<([^>]*)>", address)
    return (m.group(1) if m else address).strip().lower()


def cover_main(argv: List[str]) -> int:
    """cover TOP TEMPLATE LETTER TO-FILES... -- CC-FILES..."""
    top, template, letter = Path(argv[0]), Path(argv[1]), Path(argv[2])
    rest = argv[3:]
    cut = rest.index("--") if "--" in rest else len(rest)
    to = read_addresses(rest[:cut])
    to_emails = {email_of(a) for a in to}
    cc = [a for a in read_addresses(rest[cut + 1:])
          if email_of(a) not in to_emails]
    subject, body, missing = render_cover(template.read_text(), top)
    letter.write_text(fill_cover(letter.read_text(), subject, body, to, cc))
    for m in missing:
        print(f"cover letter: {m} not available", file=sys.stderr)
    return 1 if missing else 0


def new_warnings(diff: str, output: str, path: str) -> List[str]:
    """The compiler warnings in output about path, a file the -U0 diff
    changes, on lines the diff adds: the ones the change brought."""
    added: Set[int] = set()
    for h in parse_hunks(diff):
        added.update(range(h.new + 1, h.new + h.nnew + 1))
    rx = re.compile(r"(?:^|[\s/])" + re.escape(path) +
                    r":(\d+)(?::\d+)?: warning:")
    return [line for line in output.splitlines()
            if (m := rx.search(line)) and int(m.group(1)) in added]


def main(argv: List[str]) -> int:
    if argv and argv[0] == "cover" and len(argv) >= 4:
        return cover_main(argv[1:])
    if len(argv) == 4 and argv[0] == "warnings":
        diff = git(Path(argv[1]), "diff", "-U0", "--no-color",
                   "--no-ext-diff", f"{argv[2]}^", argv[2], "--",
                   argv[3]).decode("utf-8", "surrogateescape")
        found = new_warnings(diff, sys.stdin.read(), argv[3])
        print("\n".join(found))
        return 1 if found else 0
    if len(argv) < 5 or argv[0] not in ("plan", "apply"):
        print(__doc__, file=sys.stderr)
        return 2
    cmd, repo, base, final, map_path = argv[:5]
    try:
        series = Series(Path(repo), base, final,
                        Path(map_path).read_text())
        if cmd == "plan":
            for slug, paths in series.plan():
                print(slug + "\t" + " ".join(paths))
            return 0
        if len(argv) != 6:
            print(__doc__, file=sys.stderr)
            return 2
        series.plan()
        top = git(Path(repo), "rev-parse", "--show-toplevel").decode()
        paths = series.apply(Path(top.strip()), series.index(argv[5]))
        sys.stdout.write("".join(p + "\0" for p in paths))
        return 0
    except MapError as e:
        print(f"series.map: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
