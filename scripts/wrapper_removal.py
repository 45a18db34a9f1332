"""The seed's last step: may the ib_dma_* wrappers be deleted yet?

The wrappers go in one patch, and only once nothing calls them: every
call the audit finds blocks it, wherever it is (a ULP the rules left, the
RDMA core, the core series' own helpers, a provider driver, other code),
audited or not.  Their own definitions do not count.  The audit's report
names every blocking call (wrapper-users.txt) and sums them up per area
and per wrapper in summary.md.
"""

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import commit

AREA_NAMES = {"ulp": "ULPs", "core": "RDMA core", "provider":
              "provider drivers", "other": "other code"}


@dataclass
class Removal:
    blockers: list  # leftovers.Site: every call of a wrapper left

    @property
    def possible(self) -> bool:
        return not self.blockers

    def by_area(self) -> Counter:
        return Counter(s.area for s in self.blockers)

    def by_wrapper(self) -> Counter:
        return Counter(s.use for s in self.blockers)


def assess(sites: list) -> Removal:
    """What blocks the deletion, from the audit's sites."""
    return Removal([s for s in sites if s.kind == "call"])


def users_txt(removal: Removal) -> str:
    return "".join(f"{s.file}:{s.line}: {s.use} — {s.function} — "
                   f"{AREA_NAMES.get(s.area, s.area)}\n"
                   for s in removal.blockers)


def summary_lines(removal: Removal) -> list[str]:
    out = ["## Deleting the ib_dma_* wrappers", ""]
    if removal.possible:
        return out + ["Nothing calls them any more: the patch that deletes "
                      "them from `include/rdma/ib_verbs.h` (and "
                      "`ib_dma_virt_map_sg()`) can be written, and `make "
                      "convert` writes it as its last commit."]
    areas = removal.by_area()
    out += [f"Blocked: {len(removal.blockers)} call(s) of the wrappers "
            "remain (" + ", ".join(
                f"{AREA_NAMES[a]} {areas[a]}" for a in AREA_NAMES
                if areas[a]) + "); every one is listed in "
            "`wrapper-users.txt`. The patch that deletes the wrappers can "
            "only come when this list is empty.", "",
            "| wrapper | calls left |", "|---|---:|"]
    out += [f"| `{use}` | {count} |" for use, count in
            sorted(removal.by_wrapper().items(),
                   key=lambda kv: (-kv[1], kv[0]))]
    return out


# Where the wrappers are defined, and the one out-of-line helper that
# exists only for them.
WRAPPER_HEADER = "include/rdma/ib_verbs.h"
VIRT_MAP_SOURCE = "drivers/infiniband/core/device.c"
# The core series' helpers, whose kernel-doc names the wrappers while they
# exist (a list mapped by ib_dma_map_sg() may be described, ...); the
# deletion rewrites those sentences, exactly these (a text it does not
# know stops the deletion).
SGE_SOURCE = "drivers/infiniband/core/sge.c"
SGE_DOC_EDITS = (
    (" * no longer needs to open code the ib_dma_* wrappers around the DMA "
     "API.\n",
     " * no longer needs to open code the DMA API around its sges.\n"),
    (" * @sgl: scatterlist already mapped with rdma_map_sgl(), "
     "rdma_map_sgtable(),\n"
     " *\t ib_dma_map_sg() or ib_dma_map_sgtable_attrs()\n"
     " * @nents: number of mapped entries, as returned by rdma_map_sgl() "
     "or\n"
     " *\t   ib_dma_map_sg(), or found in sg_table->nents after\n"
     " *\t   rdma_map_sgtable() or ib_dma_map_sgtable_attrs()\n",
     " * @sgl: scatterlist already mapped with rdma_map_sgl() or "
     "rdma_map_sgtable()\n"
     " * @nents: number of mapped entries, as returned by rdma_map_sgl() "
     "or found\n"
     " *\t   in sg_table->nents after rdma_map_sgtable()\n"),
    (" * length of the i-th entry instead, from the page side of @sgl: the "
     "values\n"
     " * ib_dma_map_sg() copies into the DMA side for it, which is not read."
     "  The\n"
     " * scatterlist keeps owning the mapping: unmap it as it was mapped\n"
     " * (rdma_unmap_sgl(), ib_dma_unmap_sg()), not with rdma_unmap_sge().\n",
     " * length of the i-th entry instead, from the page side of @sgl.  The\n"
     " * scatterlist keeps owning the mapping: unmap it as it was mapped\n"
     " * (rdma_unmap_sgl(), rdma_unmap_sgtable()), not with "
     "rdma_unmap_sge().\n"),
    (" * API; or 0 if @nents is not positive or @sgl could not be mapped.  "
     "These are\n"
     " * the return values of dma_map_sg() and ib_dma_map_sg(), so a caller "
     "of\n"
     " * ib_dma_map_sg() keeps its error check.\n",
     " * API; or 0 if @nents is not positive or @sgl could not be mapped, as "
     "from\n"
     " * dma_map_sg().\n"),
)

_DEFINITION = re.compile(r"^static inline [^;{(]*\b(ib_dma_\w+)\(", re.M)
_PROTOTYPE = re.compile(r"^int ib_dma_virt_map_sg\([^;]*;\n", re.M)
_VIRT_MAP_BLOCK = re.compile(
    r"^#ifdef CONFIG_INFINIBAND_VIRT_DMA\nint ib_dma_virt_map_sg\(.*?"
    r"^EXPORT_SYMBOL\(ib_dma_virt_map_sg\);\n"
    r"#endif /\* CONFIG_INFINIBAND_VIRT_DMA \*/\n\n?", re.M | re.S)


class DefinitionError(Exception):
    """The tree's wrappers are not laid out as the deletion expects."""


def _function_end(text: str, start: int) -> int:
    """Index after the closing brace of the function defined at start."""
    depth, i = 0, text.index("{", start)
    while i < len(text):
        depth += (text[i] == "{") - (text[i] == "}")
        if depth == 0:
            return i + 1
        i += 1
    raise DefinitionError("unbalanced braces after " + text[start:start + 60])


def _comment_start(text: str, start: int) -> int:
    """Where the comment right above start begins, or start."""
    above = text[:start]
    if above.endswith("*/\n"):
        opening = above.rfind("/*")
        if opening >= 0 and "\n\n" not in above[opening:]:
            return opening
    return start


def delete_header_wrappers(text: str) -> tuple[str, list[str]]:
    """The header without the ib_dma_* inline functions (with the comment
    above each) and the ib_dma_virt_map_sg() prototype; and the names
    deleted."""
    names = []
    while True:
        m = _DEFINITION.search(text)
        if not m:
            break
        begin = _comment_start(text, m.start())
        end = _function_end(text, m.start())
        if text.startswith("\n\n", end):
            end += 1
        text = text[:begin] + text[end + 1:]
        names.append(m.group(1))
    text, prototypes = _PROTOTYPE.subn("", text)
    if prototypes:
        names.append("ib_dma_virt_map_sg")
    return text, names


def delete_virt_map_sg(text: str) -> str:
    """device.c without ib_dma_virt_map_sg() and its #ifdef."""
    new, count = _VIRT_MAP_BLOCK.subn("", text)
    if count != 1:
        raise DefinitionError(f"ib_dma_virt_map_sg() is not defined in "
                              f"{VIRT_MAP_SOURCE} as expected")
    return new


def unname_wrappers_in_sge_doc(text: str) -> str:
    """sge.c with SGE_DOC_EDITS made: its kernel-doc no longer names an
    ib_dma_* wrapper."""
    for old, new in SGE_DOC_EDITS:
        if old in text:
            text = text.replace(old, new, 1)
    for number, line in enumerate(text.splitlines(), 1):
        if "ib_dma_" in line:
            raise DefinitionError(f"{SGE_SOURCE}:{number} names a wrapper in "
                                  f"words the deletion does not know: "
                                  f"{line.strip()}")
    return text


def delete_wrappers(tree: Path) -> list[str]:
    """Delete the wrappers from the tree's files, and their names from the
    core series' kernel-doc; the names deleted (none when they are already
    gone).  Nothing is written when one of the files is not as expected."""
    header = tree / WRAPPER_HEADER
    text, names = delete_header_wrappers(header.read_text())
    if not names:
        return []
    writes = {header: text}
    source = tree / VIRT_MAP_SOURCE
    if "ib_dma_virt_map_sg" in names:
        writes[source] = delete_virt_map_sg(source.read_text())
    sge = tree / SGE_SOURCE
    if sge.exists():
        writes[sge] = unname_wrappers_in_sge_doc(sge.read_text())
    for path, new in writes.items():
        path.write_text(new)
    return names


def deletion_message(names: list[str], signer: tuple[str, str]) -> str:
    """The commit message of the patch that deletes the wrappers."""
    wrappers = ", ".join(f"{n}()" for n in names
                         if n != "ib_dma_virt_map_sg")
    removed = f"Remove them from {WRAPPER_HEADER} ({wrappers})"
    if "ib_dma_virt_map_sg" in names:
        removed += (", and ib_dma_virt_map_sg(), which only they called, "
                    f"from {VIRT_MAP_SOURCE}")
    body = [
        "RDMA/core: Remove the ib_dma_* wrappers",
        "",
        "Nothing in the tree calls the ib_dma_*() wrappers any more: the "
        "ULPs build their sges with the ib_sge builders and map "
        "scatterlists with rdma_map_sge_sgl() and rdma_map_mr_sgl(), the "
        "software devices take MR pages from the page side of a "
        "scatterlist, and the hardware providers call the DMA API on their "
        "own dma_device.",
        "",
        removed + ".  ib_uses_virt_dma(), ib_virt_dma_to_ptr() and "
        "ib_virt_dma_to_page() stay: the core and the software devices use "
        "them.  The kernel-doc of the ib_sge helpers in " + SGE_SOURCE +
        " stops naming the wrappers.",
        "",
        "Suggested-by: Jason Gunthorpe <jgg@nvidia.com>",
        "Link: https://lore.kernel.org/r/20201104155255.GR36674@ziepe.ca",
        f"Signed-off-by: {signer[0]} <{signer[1]}>",
    ]
    return commit.wrap_body(body)


def deletion_files(tree: Path) -> list[str]:
    """The files delete_wrappers() may change, as the commit adds them."""
    return [f for f in (WRAPPER_HEADER, VIRT_MAP_SOURCE, SGE_SOURCE)
            if (tree / f).exists()]
