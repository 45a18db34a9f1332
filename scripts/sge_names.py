"""What a DMA-address field is called once it holds a struct ib_sge.

Rule 30 turns `u64 dma_addr` into `struct ib_sge`; a reader of
`iu->dma.addr` or `desc->dma_addr.length` is told the wrong thing.  The
field is renamed to say what it holds: dma -> sge, dma_addr -> sge,
*_dma_addr and *_dma -> *_sge (login_rsp_dma -> login_rsp_sge), unless the
struct already has a member of that name, in which case the name stays
(and the rule says so).  Its kernel-doc line follows.
"""

from __future__ import annotations

import re


def new_name(old: str, members: set[str]) -> str | None:
    """The new name of field old, or None when it keeps its name (no
    pattern, or the new name is taken by another member)."""
    if old in ("dma", "dma_addr"):
        name = "sge"
    else:
        m = re.fullmatch(r"(\w+?)_dma(?:_addr)?", old)
        if m is None:
            return None
        name = f"{m.group(1)}_sge"
    if name in members - {old}:
        return None
    return name


_ADDRESS = re.compile(r"\b(?:dma[ _]address|DMA address|dma address|"
                      r"dma addr|DMA addr)\b", re.I)


def describe(text: str) -> str:
    """A description of the field with "DMA address" said as sge."""
    return _ADDRESS.sub("sge", text)


def kernel_doc_line(line: str, old: str, new: str) -> str:
    """A kernel-doc member line of the renamed field, e.g.
    " * @dma_addr:      header buffer dma_address" ->
    " * @sge:           header buffer sge"."""
    m = re.match(rf"^(\s*\*\s*@){re.escape(old)}(:\s*)(.*)$", line)
    if m is None:
        return line
    width = len(old) + len(m.group(2))
    sep = m.group(2)
    if len(new) + 2 <= width:
        sep = ":" + " " * (width - len(new) - 1)
    text = _ADDRESS.sub("sge", m.group(3))
    return f"{m.group(1)}{new}{sep}{text}"
