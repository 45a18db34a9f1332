"""The seed's last step: may the ib_dma_* wrappers be deleted yet?

The wrappers go in one patch, and only once nothing calls them: every
call the audit finds blocks it, wherever it is (a ULP the rules left, the
RDMA core, the core series' own helpers, a provider driver, other code),
audited or not.  Their own definitions do not count.  The audit's report
names every blocking call (wrapper-users.txt) and sums them up per area
and per wrapper in summary.md.
"""

from collections import Counter
from dataclasses import dataclass

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
                      "`ib_dma_virt_map_sg()`) can be written."]
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
