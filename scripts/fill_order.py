"""Whether an sge fill can be folded into one rdma_sge_part() call.

The original fill stores the sge field by field,

    X.addr = A + OFF;  X.length = LEN;  X.lkey = pd->local_dma_lkey;

so LEN runs after X.addr has changed.  rdma_sge_part(&X, &A, OFF, LEN)
evaluates both before it stores anything.  That is the same only when LEN
cannot read X: it does not name X or the variable X is reached through, and
it calls nothing (a callee could reach X through another pointer).  OFF runs
before any store in both forms.
"""
from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z_]\w*")


def base_name(lvalue: str) -> str | None:
    """The variable an lvalue is reached through: rx_sg for *rx_sg,
    lnk for lnk->wr_rx_sges[x], sge for sge."""
    m = _WORD.search(lvalue)
    return m.group(0) if m else None


def length_reads_sge(length: str, lvalue: str) -> bool:
    """LEN may read the sge X while the fill stores it."""
    if "(" in length:
        return True
    if re.sub(r"\s+", "", lvalue) in re.sub(r"\s+", "", length):
        return True
    base = base_name(lvalue)
    return base is not None and base in _WORD.findall(length)
