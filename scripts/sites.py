"""Find ib_dma_*() and local_dma_lkey sites the way git grep sees them.

This is the audit's independent cross-check: a plain text search over C
source with comments and string literals blanked out, so that what remains
is code.  The semantic audit (spatch) must find exactly these sites.
"""

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

# The patterns the audit is defined by.  PCRE for git grep -P (fast), and the
# same expressions for Python's re on the stripped source.
CALL_PATTERN = r"\bib_dma_\w+\s*\("
LKEY_PATTERN = r"\blocal_dma_lkey\b"
PREFILTER_PATTERN = r"\bib_dma_\w+\s*\(|local_dma_lkey"

# The wrappers' own definitions (and the local_dma_lkey field declarations of
# struct ib_device/ib_pd) live here: they are the API, not its users.
WRAPPER_HEADER = "include/rdma/ib_verbs.h"

_CALL_RE = re.compile(r"\b(ib_dma_\w+)\s*\(")
_LKEY_RE = re.compile(LKEY_PATTERN)
_TOKEN_RE = re.compile(
    r"""
      (?P<block>/\*.*?\*/)
    | (?P<line>//(?:\\\n|[^\n])*)
    | (?P<string>"(?:\\.|\\\n|[^"\\\n])*")
    | (?P<char>'(?:\\.|[^'\\\n])*')
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True, order=True)
class GrepSite:
    path: str
    line: int
    column: int  # 0-based, as spatch reports it
    name: str  # the wrapper called, or "local_dma_lkey"


def strip_comments_and_strings(text: str) -> str:
    """Blank comments and literals, keeping every newline and offset."""

    def blank(match: re.Match) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    return _TOKEN_RE.sub(blank, text)


def sites_in_text(path: str, text: str) -> list[GrepSite]:
    code = strip_comments_and_strings(text)
    found = []
    line_starts = [0] + [m.end() for m in re.finditer("\n", code)]

    def position(offset: int) -> tuple[int, int]:
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - line_starts[lo]

    for match in _CALL_RE.finditer(code):
        line, column = position(match.start(1))
        found.append(GrepSite(path, line, column, match.group(1)))
    for match in _LKEY_RE.finditer(code):
        line, column = position(match.start())
        found.append(GrepSite(path, line, column, "local_dma_lkey"))
    return sorted(found)


def candidate_files(tree: Path, is_git: bool) -> list[str]:
    """Files that mention a wrapper or the lkey, relative to the tree root.

    git grep -P is the fast path (about a second on a full tree); a tree that
    is not a git repository falls back to grep -r.
    """
    if is_git:
        cmd = ["git", "-C", str(tree), "grep", "-lP", PREFILTER_PATTERN,
               "--", "*.c", "*.h"]
    else:
        cmd = ["grep", "-rlP", "--include=*.c", "--include=*.h",
               PREFILTER_PATTERN, "."]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=tree)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"{cmd[0]} grep failed in {tree}: "
                           f"{result.stderr.strip()}")
    files = {line.removeprefix("./") for line in result.stdout.splitlines()}
    files.discard(WRAPPER_HEADER)
    return sorted(files)


def grep_sites(tree: Path, files: list[str]) -> list[GrepSite]:
    sites = []
    for rel in files:
        text = (tree / rel).read_text(encoding="utf-8", errors="replace")
        sites.extend(sites_in_text(rel, text))
    return sorted(sites)
