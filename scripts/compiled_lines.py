"""Were the changed lines compiled?  (The question JMake asks.)

A changed line proves nothing if the configuration leaves it out: inside
an #ifdef the config does not take, or in a file the build never compiled.
The preprocessed file (.i) tells which source lines reached the compiler:
cpp emits every line of an active region (a line that continues a
multi-line macro call comes out blank, so single lines cannot be trusted)
and drops inactive regions.  So the unit is the conditional group: a group
of lines between #if/#elif/#else/#endif is active if any of its lines came
out of cpp with text, and a changed line was compiled if every group around
it is active in some preprocessed file that includes it.
"""

import re
from pathlib import Path

_MARKER = re.compile(r'^# (\d+) "((?:\\.|[^"\\])*)"')
_DIRECTIVE = re.compile(r"^\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b")


def emitted_lines(i_text: str, source: str) -> set[int]:
    """Line numbers of `source` that came out of cpp with text."""
    return emitted_per_source(i_text, [source])[source]


def emitted_per_source(i_text: str, sources: list[str]
                       ) -> dict[str, set[int]]:
    """For each of sources, its line numbers that came out of cpp with
    text, in one pass over the preprocessed file."""
    emitted: dict[str, set[int]] = {source: set() for source in sources}
    which: dict[str, list[set[int]]] = {}  # cpp's file name -> their sets

    def sets_of(name: str) -> list[set[int]]:
        if name not in which:
            which[name] = [emitted[s] for s in sources
                           if name == s or name.endswith("/" + s)]
        return which[name]

    current: list[set[int]] = []
    line = 0
    for out in i_text.splitlines():
        marker = _MARKER.match(out)
        if marker:
            line = int(marker.group(1))
            current = sets_of(marker.group(2))
            continue
        if current and out.strip():
            for lines in current:
                lines.add(line)
        line += 1
    return emitted


def conditional_groups(text: str) -> list[tuple[int, ...]]:
    """For each line (index 0 = line 1), the chain of groups around it.

    A group is named by the line number of the directive that opens it
    (#if/#ifdef/#ifndef, or the #elif/#else that starts a new branch).
    """
    chains: list[tuple[int, ...]] = []
    stack: list[int] = []
    continued = False
    for number, line in enumerate(text.splitlines(), start=1):
        directive = None if continued else _DIRECTIVE.match(line)
        if directive:
            kind = directive.group(1)
            if kind in ("if", "ifdef", "ifndef"):
                stack.append(number)
            elif kind in ("elif", "else") and stack:
                stack[-1] = number
            elif kind == "endif" and stack:
                stack.pop()
        chains.append(tuple(stack))
        continued = line.rstrip().endswith("\\")
    return chains


def is_code(line: str) -> bool:
    stripped = re.sub(r"/\*.*?\*/|//.*$", "", line).strip()
    return bool(stripped) and not stripped.startswith(("*", "/*"))


def uncompiled(source_text: str, changed: list[int],
               emitted: set[int]) -> list[int]:
    """The changed code lines that did not reach the compiler."""
    if not emitted:
        return [n for n in changed if
                is_code(source_text.splitlines()[n - 1])]
    lines = source_text.splitlines()
    chains = conditional_groups(source_text)
    active: set[int] = set()
    for number in emitted:
        if 1 <= number <= len(chains):
            active.update(chains[number - 1])
    missing = []
    for number in changed:
        if not 1 <= number <= len(lines) or not is_code(lines[number - 1]):
            continue
        if _DIRECTIVE.match(lines[number - 1]):
            continue
        if any(group not in active for group in chains[number - 1]):
            missing.append(number)
    return missing


def added_lines(diff_text: str) -> dict[str, list[int]]:
    """New-file line numbers of the lines a unified diff adds, per file."""
    added: dict[str, list[int]] = {}
    current = None
    line = 0
    for text in diff_text.splitlines():
        if text.startswith("+++ "):
            name = text[4:].strip()
            current = None if name == "/dev/null" else \
                name.removeprefix("b/")
            continue
        hunk = re.match(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@", text)
        if hunk:
            line = int(hunk.group(1))
            continue
        if current is None or text.startswith(("--- ", "diff ", "index ")):
            continue
        if text.startswith("+"):
            added.setdefault(current, []).append(line)
            line += 1
        elif text.startswith(" "):
            line += 1
    return added


def check(srctree: Path, changed: dict[str, list[int]],
          preprocessed: dict[str, Path]) -> dict[str, list[int]]:
    """Changed lines never compiled, per file.  `preprocessed` maps each
    built source to its .i; a header counts as compiled where any .i that
    includes it shows its group active."""
    result = {}
    emitted: dict[str, set[int]] = {path: set() for path in changed}
    for i_file in preprocessed.values():
        if i_file.exists():
            for path, lines in emitted_per_source(
                    i_file.read_text(errors="replace"),
                    list(changed)).items():
                emitted[path] |= lines
    for path, lines in changed.items():
        text = (srctree / path).read_text(errors="replace")
        missing = uncompiled(text, lines, emitted[path])
        if missing:
            result[path] = missing
    return result
