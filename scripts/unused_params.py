"""Which parameters the conversion left unused, and may go.

A builder call takes the whole sge, so a size or a device that a helper
passed on to ib_dma_unmap_single() is no longer read: nvme-rdma's
nvme_rdma_free_qe() keeps a capsule_size nothing uses, and then
nvme_rdma_free_ring() passes one on for nothing.  Rule 40 removes such a
parameter and the argument every caller passes for it.  This module makes
its decisions:

- only a parameter that was used before the conversion goes (one unused
  in the original is the maintainer's business, not this series');
- only of a static function of a .c file that is only ever called: its
  name appears in the file's text only as a call, its definition and its
  prototypes, and spatch saw each of those calls (a call it could not
  parse, inside a macro say, keeps the parameter);
- only where every argument dropped is free of side effects.
"""

from __future__ import annotations

import re

Key = tuple[str, str, str]  # (file, function, parameter)

_REPORT = re.compile(r"^UNUSED (\S+) (\w+) (\w+)$", re.M)


def parse_report(text: str) -> set[Key]:
    """The (file, function, parameter) triples of the rule's report run:
    lines "UNUSED <file> <function> <parameter>"."""
    return {(m[1], m[2], m[3]) for m in _REPORT.finditer(text)}


def encode(keys: set[Key]) -> str:
    return " ".join(":".join(k) for k in sorted(keys))


def decode(text: str) -> set[Key]:
    keys = set()
    for item in text.split():
        parts = item.rsplit(":", 2)
        if len(parts) == 3:
            keys.add((parts[0], parts[1], parts[2]))
    return keys


_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def only_called(text: str, fn: str, calls: int) -> str | None:
    """None when fn appears in text only as "fn(" and spatch saw every
    call: the definition, prototypes and `calls` calls; else why not."""
    code = _COMMENT.sub(" ", text)
    uses = list(re.finditer(rf"\b{re.escape(fn)}\b(\s*\()?", code))
    if any(m.group(1) is None for m in uses):
        return f"{fn}() is used other than by a call (its address taken?)"
    defs = len(re.findall(
        rf"\bstatic\b[^;{{}}()]*\b{re.escape(fn)}\s*\(", code))
    if len(uses) != defs + calls:
        return (f"{fn}() is called {len(uses) - defs} times, spatch saw "
                f"{calls}")
    return None


_IMPURE = re.compile(r"\(|\+\+|--|(?<![=!<>])=(?!=)")


def pure_argument(arg: str) -> bool:
    """An argument that may be dropped: no call, no assignment, no
    increment (sizeof(...) is a constant and may go)."""
    bare = re.sub(r"\bsizeof\s*\((?:[^()]|\([^()]*\))*\)", "0", arg)
    bare = re.sub(r"^\s*\(\s*[\w\s]+\*?\s*\)", "", bare)  # a cast
    return _IMPURE.search(bare) is None
