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


def delete_wrappers(tree: Path) -> list[str]:
    """Delete the wrappers from the tree's files; the names deleted (none
    when they are already gone)."""
    header = tree / WRAPPER_HEADER
    text, names = delete_header_wrappers(header.read_text())
    if not names:
        return []
    header.write_text(text)
    source = tree / VIRT_MAP_SOURCE
    if "ib_dma_virt_map_sg" in names:
        source.write_text(delete_virt_map_sg(source.read_text()))
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
        "them.",
        "",
        "Suggested-by: Jason Gunthorpe <jgg@nvidia.com>",
        "Link: https://lore.kernel.org/r/20201104155255.GR36674@ziepe.ca",
        f"Signed-off-by: {signer[0]} <{signer[1]}>",
    ]
    return commit.wrap_body(body)
