"""Readers of the DMA side of a scatterlist in a ULP: the proof that its
ib_dma_map_sg() calls may become rdma_map_sgl().

ib_dma_map_sg() copies each entry's kernel virtual address and length into
the DMA side of the list for a software device (ib_dma_virt_map_sg());
rdma_map_sgl() maps nothing for one and leaves the DMA side alone. For a
hardware device both are dma_map_sg() on the dma_device, with the same
return value (0 on failure). So the swap keeps what the ULP does on every
device exactly when nothing reads the DMA side of a list the ULP maps:
the ULP's own code (sg_dma_address(), sg_dma_len(), the DMA page
iterators) and the RDMA core it hands lists to. The core's consumers,
rdma_fill_ib_sge_from_sgl() and ib_map_mr_sg() with rxe's, siw's and
rdmavt's map_mr_sg(), take a software device's entries from the page side
(core series patches 1 to 3). Which list a reader reads is not traced: any
reader anywhere in the ULP's files keeps every ib_dma_map_sg() of the ULP.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import sites
import ulps

READERS = ("sg_dma_address", "sg_dma_len", "sg_page_iter_dma_address",
           "for_each_sg_dma_page", "for_each_sgtable_dma_page",
           "for_each_sgtable_dma_sg", "__sg_page_iter_dma_next")
_READER_RE = re.compile(r"\b(" + "|".join(READERS) + r")\s*\(")
_MAP_RE = re.compile(r"\bib_dma_(?:un)?map_sg\s*\(")


@dataclass(frozen=True)
class Reader:
    path: str
    line: int
    call: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} reads {self.call}()"


def readers(texts: Mapping[str, str]) -> list[Reader]:
    """Every read of a list's DMA side in texts (path -> C source)."""
    found = []
    for path in sorted(texts):
        code = sites.strip_comments_and_strings(texts[path])
        for m in _READER_RE.finditer(code):
            found.append(Reader(path, code.count("\n", 0, m.start()) + 1,
                                m.group(1)))
    return found


def maps_lists(texts: Mapping[str, str]) -> bool:
    """Whether texts call ib_dma_map_sg() or ib_dma_unmap_sg()."""
    return any(_MAP_RE.search(sites.strip_comments_and_strings(text))
               for text in texts.values())


def why_kept(found: list[Reader]) -> str | None:
    """The reason a ULP's list maps stay, or None when they may go."""
    if not found:
        return None
    more = f" and {len(found) - 1} more" if len(found) > 1 else ""
    return (f"{found[0]}{more}: rdma_map_sgl() leaves a software device's "
            f"DMA side unset")


def ulp_sources(tree: Path, ulp: str) -> list[str]:
    """The C files and headers of a ULP in tree, tree-relative."""
    p = subprocess.run(["git", "ls-files", "--", *ulps.ULPS[ulp]], cwd=tree,
                       capture_output=True, text=True, check=True)
    return [f for f in p.stdout.split() if f.endswith((".c", ".h"))]


def outside_readers(tree: Path, group: list[Path]) -> list[Reader]:
    """Readers in the files of group's ULP that are not in group (those
    the conversion does not touch), as the tree holds them."""
    ulp = ulps.ulp_of(group[0].as_posix())
    if ulp is None or not (tree / ".git").exists():
        return []
    inside = {g.as_posix() for g in group}
    texts = {f: (tree / f).read_text(errors="surrogateescape")
             for f in ulp_sources(tree, ulp) if f not in inside}
    return readers(texts)
