"""make convert's layout stage: what the conversion did to struct layouts.

Rule 30 widens u64/dma_addr_t members into struct ib_sge.  For every
struct whose member declarations the conversion changed, this stage reads
its size, cache lines and member offsets before and after from the
compiler's own output: the object of a source that uses the struct is
compiled again with the exact Kbuild command line plus -g, at the series'
tip and after the conversion, and pahole (Debian's dwarves) reads the
DWARF.  Nothing is computed from the C text.

Each change is reported with flags a maintainer looks for: a packed
struct that changed, a change of the number of cache lines, and a new
sge that does not sit on an 8-byte boundary.  The size change itself is
always reported: it is the stride of every array of the struct.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

import struct_layout


@dataclass
class Layout:
    size: int
    cachelines: int
    packed: bool
    members: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass
class LayoutChange:
    struct: str
    file: str
    members: list[str]          # the members whose declaration changed
    before: Layout | None = None
    after: Layout | None = None
    flags: list[str] = field(default_factory=list)
    note: str = ""              # why a layout could not be read

    def described_members(self) -> list[str]:
        """The changed members, a renamed one as "old -> new": the new
        name in the old one's place in the member list (its offset, when
        members came or went)."""
        if self.before is None or self.after is None:
            return list(self.members)
        gone = [m for m in self.members if m in self.before.members and
                m not in self.after.members]
        new = [m for m in self.members if m in self.after.members and
               m not in self.before.members]
        added = set(new)
        out = []
        for name in self.members:
            if name in added:
                continue
            if name in gone:
                to = [n for n in new if self._same_place(name, n)]
                if to:
                    out.append(f"{name} -> {to[0]}")
                    new.remove(to[0])
                    continue
            out.append(name)
        return out + new

    def _same_place(self, old: str, new: str) -> bool:
        before, after = list(self.before.members), list(self.after.members)
        if len(before) == len(after):
            # an earlier member that grew moves the later ones
            return before.index(old) == after.index(new)
        return self.before.members[old][0] == self.after.members[new][0]

    def line(self) -> str:
        if self.before is None or self.after is None:
            return f"struct {self.struct} ({self.file}): {self.note}"
        b, a = self.before, self.after
        text = (f"struct {self.struct} ({self.file}): {b.size} -> "
                f"{a.size} bytes, {b.cachelines} -> {a.cachelines} cache "
                f"lines; {', '.join(self.described_members())}")
        return text + (" [" + "; ".join(self.flags) + "]"
                       if self.flags else "")

    def to_dict(self) -> dict:
        return asdict(self)


def struct_changes(old_text: str, new_text: str) -> dict[str, list[str]]:
    """Structs whose member declarations differ between two texts of a
    file: name -> the members whose declaration changed."""
    old = struct_layout.structs(old_text)
    new = struct_layout.structs(new_text)
    changes = {}
    for name in old.keys() & new.keys():
        if len(old[name]) != 1 or len(new[name]) != 1:
            continue
        before = dict((n, d) for d, n in old[name][0].members)
        after = dict((n, d) for d, n in new[name][0].members)
        changed = sorted(n for n in before.keys() | after.keys()
                         if before.get(n) != after.get(n))
        if changed:
            changes[name] = changed
    return changes


_MEMBER = re.compile(r"^\s+.*?\b(\w+)(?:\[[^\]]*\])*(?::\d+)?;\s+/\*\s+"
                     r"(\d+)(?::\s*\d+)?\s+(\d+)\s+\*/")
_SIZE = re.compile(r"/\*\s+size:\s+(\d+),\s+cachelines:\s+(\d+)")


def parse_pahole(text: str) -> Layout | None:
    """A struct's layout from `pahole -C NAME` output."""
    size = _SIZE.search(text)
    if size is None:
        return None
    members = {}
    depth = 0
    for line in text.splitlines():
        if depth == 1:
            m = _MEMBER.match(line)
            if m:
                members[m.group(1)] = (int(m.group(2)), int(m.group(3)))
        depth += line.count("{") - line.count("}")
    return Layout(int(size.group(1)), int(size.group(2)),
                  "packed" in text.rsplit("}", 1)[-1], members)


def pahole(obj: Path, struct: str) -> Layout | None:
    done = subprocess.run(["pahole", "-C", struct, str(obj)],
                          capture_output=True, text=True)
    return parse_pahole(done.stdout) if done.returncode == 0 else None


def debug_command(cmd_file: Path, out: Path) -> list[str] | None:
    """The compiler command of a Kbuild .cmd file, writing out, with -g
    and without the dependency file (Kbuild's own stays as it is)."""
    try:
        first = cmd_file.read_text(errors="replace").splitlines()[0]
    except (OSError, IndexError):
        return None
    m = re.match(r"^savedcmd_\S+ := (.*)$", first)
    if m is None:
        return None
    words = shlex.split(m.group(1).split(";")[0])
    if "-o" not in words:
        return None
    words = [w for w in words if not w.startswith("-Wp,-MMD,")]
    words[words.index("-o") + 1] = str(out)
    return [*words, "-g"]


def compile_with_debug(kbuild, source: str, out: Path) -> bool:
    """Compile source as Kbuild last did, with -g, into out."""
    obj = source[:-2] + ".o"
    cmd_file = kbuild.out / Path(obj).parent / f".{Path(obj).name}.cmd"
    cmd = debug_command(cmd_file, out)
    if cmd is None:
        return False
    out.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(cmd, cwd=kbuild.out, capture_output=True,
                          env=kbuild.env)
    return done.returncode == 0 and out.exists()


_INCLUDE = re.compile(r'^\s*#\s*include\s*(["<])([^">]+)[">]', re.M)


def _included(source: str, text: str) -> list[str]:
    """Paths (from the tree's top) of what text, the text of source,
    includes: "name" relative to its directory, <path> under include/."""
    out = []
    for quote, name in _INCLUDE.findall(text):
        if quote == '"':
            out.append(os.path.normpath(os.path.join(os.path.dirname(source),
                                                     name)))
        else:
            out.append(f"include/{name}")
    return out


def includes(source: str, text: str, header: str, read=None,
             depth: int = 4) -> bool:
    """source (whose text is text) includes header, directly or, with
    read, through the headers it includes (rtrs-clt.c gets rtrs-pri.h
    through rtrs-clt.h)."""
    seen = {source}
    todo = [(source, text, 0)]
    while todo:
        path, body, level = todo.pop()
        for name in _included(path, body):
            if name == header:
                return True
            if read is None or level + 1 >= depth or name in seen:
                continue
            seen.add(name)
            try:
                body = read(name)
            except OSError:
                continue
            if body is not None:
                todo.append((name, body, level + 1))
    return False


def probe_source(struct: str, file: str, sources: list[str],
                 read) -> str | None:
    """A built source that uses struct: the file itself when it is one,
    else the first source that names it and includes the file (iser and
    isert each declare their own struct iser_rx_desc)."""
    if file in sources:
        return file
    pattern = re.compile(rf"\bstruct\s+{re.escape(struct)}\b")
    for source in sources:
        text = read(source)
        if pattern.search(text) and includes(source, text, file,
                                             read):
            return source
    return None


def flags(before: Layout, after: Layout, members: list[str],
          packed: bool = False) -> list[str]:
    """packed: the source says so (pahole only sees it where the layout
    needs it)."""
    out = []
    if after.packed or packed:
        out.append("packed")
    if before.size != after.size:
        grown = after.size - before.size
        out.append(f"{'grows' if grown > 0 else 'shrinks'} by {abs(grown)} "
                   "bytes: the stride of any array of it")
    if before.cachelines != after.cachelines:
        out.append(f"cache lines {before.cachelines} -> {after.cachelines}")
    for name in members:
        placed = after.members.get(name)
        if placed and placed[1] == 16 and placed[0] % 8:
            already = [other for other, (offset, size) in
                       before.members.items()
                       if size == 16 and offset % 8 and other not in members]
            note = f" (as {already[0]} was already)" if already else ""
            out.append(f"{name} at offset {placed[0]}: not 8-byte "
                       f"aligned{note}")
    return out


def measure(changes: dict[tuple[str, str], list[str]], sources: list[str],
            read, kbuild, scratch: Path, phase: str,
            layouts: dict[tuple[str, str], Layout | None]) -> None:
    """Compile each probe source once (phase "before" or "after") and read
    the layout of every changed struct it uses into layouts."""
    by_source: dict[str, list[tuple[str, str]]] = {}
    for (struct, file) in changes:
        source = probe_source(struct, file, sources, read)
        if source is not None:
            by_source.setdefault(source, []).append((struct, file))
    for source, structs in by_source.items():
        obj = scratch / phase / (source.replace("/", "__")[:-2] + ".o")
        if not compile_with_debug(kbuild, source, obj):
            continue
        for key in structs:
            layouts[key] = pahole(obj, key[0])


def compare(changes: dict[tuple[str, str], list[str]],
            before: dict[tuple[str, str], Layout | None],
            after: dict[tuple[str, str], Layout | None],
            packed: set[tuple[str, str]] = frozenset()
            ) -> list[LayoutChange]:
    """packed: the (struct, file) whose source declares them packed."""
    out = []
    for (struct, file), members in sorted(changes.items()):
        change = LayoutChange(struct, file, members,
                              before.get((struct, file)),
                              after.get((struct, file)))
        if change.before is None or change.after is None:
            change.note = "no built object uses it: layout not read"
        else:
            change.flags = flags(change.before, change.after, members,
                                 (struct, file) in packed)
        out.append(change)
    return out


def available() -> bool:
    return shutil.which("pahole") is not None
