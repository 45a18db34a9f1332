"""What a DMA-address field is called once it holds a struct ib_sge.

Rule 30 turns `u64 dma_addr` into `struct ib_sge`; a reader of
`iu->dma.addr` or `desc->dma_addr.length` is told the wrong thing.  The
field is renamed to say what it holds: dma -> sge, dma_addr -> sge,
*_dma_addr and *_dma -> *_sge (login_rsp_dma -> login_rsp_sge), a bus
address (9p's busa) -> sge.  Where the struct already has a member of that
name (srp_iu has sge[], smc_link has wr_tx_v2_sge), the field is named for
the buffer its maps map: iu->buf -> buf_sge, lnk->wr_tx_v2_buf ->
wr_tx_v2_buf_sge.  Only when that is taken or unclear too does the name
stay (and the rule says so).  Its kernel-doc line follows.
"""

from __future__ import annotations

import re


_BUS_ADDRESS = ("dma", "dma_addr", "dma_address", "busa", "bus_addr")


def _buffer_member(buffers: set[str]) -> str | None:
    """The member name every mapped buffer expression ends in (iu->buf,
    lnk->wr_tx_v2_buf), or None when they differ or are not members."""
    names = set()
    for text in buffers:
        bare = re.sub(r"\s+", "", text)
        m = re.fullmatch(r"(?:\(void\*\))?[\w\]\[>.-]*?(?:->|\.)(\w+)",
                         bare)
        if m is None:
            return None
        names.add(m.group(1))
    return names.pop() if len(names) == 1 else None


def new_name(old: str, members: set[str],
             buffers: set[str] = frozenset()) -> str | None:
    """The new name of field old, or None when it keeps its name (no
    pattern, or every name it could take is taken by another member).
    buffers: the buffer expressions the field's maps map."""
    if old in _BUS_ADDRESS:
        name = "sge"
    else:
        m = re.fullmatch(r"(\w+?)_dma(?:_addr)?", old)
        if m is None:
            return None
        name = f"{m.group(1)}_sge"
    others = members - {old}
    if name not in others:
        return name
    member = _buffer_member(buffers)
    if member is None:
        return None
    name = f"{member}_sge"
    return None if name in others else name


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
