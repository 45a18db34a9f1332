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
reader anywhere in the ULP's files, or in a header they include by a quoted
path or from include/trace/events/ (a tracepoint that records
mr_sg->dma_address, as rpcrdma.h does), keeps every ib_dma_map_sg() of the
ULP. A direct read of the fields (->dma_address, .dma_length) counts too.
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
_FIELD_RE = re.compile(r"(->|\.)\s*(dma_address|dma_length)\b")
_INCLUDE_RE = re.compile(r'^#\s*include\s+(?:<(trace/events/[\w-]+\.h)>'
                         r'|"([\w./-]+\.h)")', re.M)
_MAP_RE = re.compile(r"\bib_dma_(?:un)?map_sg\s*\(")


@dataclass(frozen=True)
class Reader:
    path: str
    line: int
    call: str

    def __str__(self) -> str:
        what = f"the {self.call.lstrip('-.>')} field" \
            if self.call[0] in "-." else f"{self.call}()"
        return f"{self.path}:{self.line} reads {what}"


def readers(texts: Mapping[str, str]) -> list[Reader]:
    """Every read of a list's DMA side in texts (path -> C source)."""
    found = []
    for path in sorted(texts):
        code = sites.strip_comments_and_strings(texts[path])
        hits = [(m.start(), m.group(1)) for m in _READER_RE.finditer(code)]
        hits += [(m.start(), m.group(1) + m.group(2))
                 for m in _FIELD_RE.finditer(code)]
        for start, call in sorted(hits):
            found.append(Reader(path, code.count("\n", 0, start) + 1, call))
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


def included_headers(tree: Path, texts: Mapping[str, str]) -> list[str]:
    """The headers texts include that exist in tree: quoted paths beside
    the including file, and include/trace/events/ (a ULP's tracepoints)."""
    found = []
    for path, text in texts.items():
        for trace, quoted in _INCLUDE_RE.findall(text):
            name = f"include/{trace}" if trace else \
                (Path(path).parent / quoted).as_posix()
            if name not in found and (tree / name).is_file():
                found.append(name)
    return found


def outside_readers(tree: Path, group: list[Path]) -> list[Reader]:
    """Readers in the files of group's ULP that are not in group (those
    the conversion does not touch) and in the headers the ULP includes,
    as the tree holds them."""
    ulp = ulps.ulp_of(group[0].as_posix())
    if ulp is None or not (tree / ".git").exists():
        return []
    inside = {g.as_posix() for g in group}
    own = {f: (tree / f).read_text(errors="surrogateescape")
           for f in ulp_sources(tree, ulp)}
    names = list(own) + included_headers(tree, own)
    texts = {f: own.get(f) or (tree / f).read_text(errors="surrogateescape")
             for f in names if f not in inside}
    return readers(texts)
