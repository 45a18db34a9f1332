"""Which MAINTAINERS entry owns a file, decided the way get_maintainer.pl does.

F: and X: patterns are matched as in scripts/get_maintainer.pl's
file_match_pattern(): a pattern that ends in '/' (or names a directory)
matches everything below it; any other pattern must match the whole path at
the same directory depth.  '*' and '?' are shell-like and may cross '/' in
the regular expression, but the depth rule keeps them within one level.  The
most specific entry wins: the one whose matching F: pattern has the most
path components (a file pattern counts one more than a directory pattern),
which is how get_maintainer.pl orders its matches.  N: regex patterns are
honoured too.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    name: str
    files: list[str] = field(default_factory=list)  # F:
    excludes: list[str] = field(default_factory=list)  # X:
    regexes: list[str] = field(default_factory=list)  # N:
    trees: list[str] = field(default_factory=list)  # T:
    lists: list[str] = field(default_factory=list)  # L:
    status: str = ""  # S:


def parse(text: str) -> list[Entry]:
    """Parse MAINTAINERS into its entries, skipping the preamble."""
    entries = []
    current = None
    started = False
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if not started:
            # The first entry is the first title line followed by a tag line.
            nxt = lines[index + 1] if index + 1 < len(lines) else ""
            if (line and not line[0].isspace() and
                    re.match(r"^[A-Z]:\s", nxt)):
                started = True
            else:
                continue
        tag = re.match(r"^([A-Z]):\s*(.*?)\s*$", line)
        if tag and current is not None:
            kind, value = tag.groups()
            if kind == "F":
                current.files.append(value)
            elif kind == "X":
                current.excludes.append(value)
            elif kind == "N":
                current.regexes.append(value)
            elif kind == "T":
                current.trees.append(value)
            elif kind == "L":
                current.lists.append(value)
            elif kind == "S":
                current.status = value
        elif line.strip() and not line[0].isspace():
            current = Entry(line.strip())
            entries.append(current)
    return entries


class Pattern:
    """One F:/X: pattern, compiled once."""

    def __init__(self, pattern: str, tree: Path | None):
        is_dir = pattern.endswith("/") or (
            tree is not None and "*" not in pattern and "?" not in pattern
            and (tree / pattern).is_dir())
        text = pattern.rstrip("/") + "/" if is_dir else pattern
        regex = re.escape(text).replace(r"\*", ".*").replace(r"\?", ".")
        self.regex = re.compile(regex)
        self.is_dir = is_dir
        self.slashes = text.count("/")
        # get_maintainer.pl: slashes in the pattern, plus one for a file.
        self.depth = self.slashes + (0 if is_dir else 1)

    def matches(self, path: str) -> bool:
        if not self.regex.match(path):
            return False
        return self.is_dir or path.count("/") == self.slashes


def file_matches(path: str, pattern: str, tree: Path | None = None) -> bool:
    return Pattern(pattern, tree).matches(path)


class Maintainers:
    """Look up the owning entries of files in one kernel tree."""

    def __init__(self, tree: Path, text: str | None = None):
        self.tree = tree
        if text is None:
            text = (tree / "MAINTAINERS").read_text(encoding="utf-8",
                                                     errors="replace")
        self.entries = [e for e in parse(text) if e.name != "THE REST"]
        self._compiled = [
            ([Pattern(f, tree) for f in e.files],
             [Pattern(x, tree) for x in e.excludes],
             [re.compile(n) for n in e.regexes if _valid_regex(n)])
            for e in self.entries]
        # Index entries by the literal leading path components of their F:
        # patterns, so a lookup tries tens of entries rather than thousands.
        self._by_prefix: dict[tuple[str, ...], set[int]] = {}
        self._by_regex: set[int] = set()
        for index, entry in enumerate(self.entries):
            for pattern in entry.files:
                key = _literal_prefix(pattern)
                self._by_prefix.setdefault(key, set()).add(index)
            if entry.regexes:
                self._by_regex.add(index)
        self._cache: dict[str, list[Entry]] = {}

    def owners(self, path: str) -> list[Entry]:
        """The most specific entries for path (several when they tie)."""
        if path not in self._cache:
            self._cache[path] = self._owners(path)
        return self._cache[path]

    def _matches(self, path: str) -> list[tuple[int, Entry]]:
        """Every entry that covers path, with how specific its match is."""
        found = []
        parts = path.split("/")
        candidates = set(self._by_regex)
        for length in range(3):
            candidates |= self._by_prefix.get(tuple(parts[:length]), set())
        for index in sorted(candidates):
            entry = self.entries[index]
            files, excludes, regexes = self._compiled[index]
            depth = max((p.depth for p in files if p.matches(path)),
                        default=-1)
            if depth < 0 and any(r.search(path) for r in regexes):
                depth = 0
            if depth < 0 or any(x.matches(path) for x in excludes):
                continue
            found.append((depth, entry))
        return found

    def _owners(self, path: str) -> list[Entry]:
        found = self._matches(path)
        best_depth = max((d for d, _ in found), default=-1)
        return [e for d, e in found if d == best_depth]

    def trees(self, path: str) -> list[str]:
        """The git trees (T:) a patch to path goes through: those of the
        most specific entries that name one (a driver's entry often has
        none, its subsystem's does), a -next tree rather than the fixes
        tree it sits beside in the same entry."""
        found = self._matches(path)
        for depth in sorted({d for d, _ in found}, reverse=True):
            trees = []
            for d, entry in found:
                if d != depth:
                    continue
                names = [t.split()[1] if len(t.split()) > 1 else t
                         for t in entry.trees]
                trees += [t for t, name in zip(entry.trees, names)
                          if name.replace(".git", "-next.git") not in names
                          and t not in trees]
            if trees:
                return trees
        return []

    def subsystem(self, path: str) -> str:
        """The owning entry's title; tied entries are joined with ' + '."""
        owners = self.owners(path)
        if not owners:
            return "THE REST"
        return " + ".join(e.name for e in owners)


def _literal_prefix(pattern: str) -> tuple[str, ...]:
    """Up to two leading directory components that hold no wildcard."""
    parts = pattern.split("/")[:-1] if "/" in pattern else []
    prefix = []
    for part in parts[:2]:
        if "*" in part or "?" in part:
            break
        prefix.append(part)
    return tuple(prefix)


def _valid_regex(text: str) -> bool:
    try:
        re.compile(text)
    except re.error:
        return False
    return True
