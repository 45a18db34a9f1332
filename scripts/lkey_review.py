"""Why a use of local_dma_lkey in the RDMA core or a provider driver stays.

The conversion is about ULPs, but the wrappers' removal has to say of
every other use whether it stays and why: a provider's own lkey in work
requests it builds itself is not a ULP use.  Each use is read from
its source line (spatch's position of the member name): assigned to, it
defines the lkey (a driver for its device, ib_alloc_pd() for a pd, a
KUnit test for its fake pd); read, it is consumed (by the builders, by
the netlink resource dump, or by the provider for its own work
requests).
"""

import re
from dataclasses import dataclass

FIELD = "local_dma_lkey"
# the ib_sge builders' own source: its read of pd->local_dma_lkey is the
# one that stays once every ULP goes through them
BUILDERS_SOURCE = "drivers/infiniband/core/sge.c"

DEVICE_DEFINES = ("the driver sets its device's local DMA lkey (what "
                  "ib_alloc_pd() puts in every pd for the builders to "
                  "read when the device has IBK_LOCAL_DMA_LKEY): stays")
PD_DEFINES = ("ib_alloc_pd() gives the pd its local DMA lkey (the "
              "device's, or the unsafe global MR's): stays, the builders "
              "read it there")
TEST_DEFINES = "a KUnit test gives its fake pd an lkey: stays"
BUILDERS_READ = ("the ib_sge builders' own read of the pd's lkey: the one "
                 "use meant to stay")
NETLINK_READ = ("reported to user space in the netlink resource dump of a "
                "pd (rdma tool): stays")
PROVIDER_READ = ("read by the provider for work requests or descriptors "
                 "it builds itself (its own QPs, UMR, an MR's translation "
                 "entries), not by a ULP: stays with the provider")

# what an assignment looks like right after the member: '=', not '=='
_STORE = re.compile(r"\s*=(?!=)")
# the holder of the member: the expression just before '.' or '->'
_HOLDER = re.compile(r"([\w\]\)]+(?:(?:\.|->)[\w\]\)]+)*)\s*(?:\.|->)\s*$")


@dataclass(frozen=True)
class Use:
    path: str
    store: bool   # the member is assigned to
    holder: str   # what it is a member of ("pd", "dev->ib_dev", ...)
    context: str  # the statement's text up to the use (a few lines)


def parse_use(path: str, lines: list[str], line: int,
              column: int) -> Use | None:
    """The use of local_dma_lkey at line (1-based) and column (0-based)
    of a file's lines; None when the member is not there."""
    if not 1 <= line <= len(lines):
        return None
    text = lines[line - 1]
    if text[column:column + len(FIELD)] != FIELD:
        return None
    before, after = text[:column], text[column + len(FIELD):]
    holder = _HOLDER.search(before)
    # a statement spread over lines: what comes before it names the call
    context = "\n".join(lines[max(0, line - 3):line - 1] + [before])
    return Use(path=path, store=bool(_STORE.match(after)),
               holder=holder.group(1) if holder else "", context=context)


def _holder_is_pd(holder: str) -> bool:
    last = re.split(r"\.|->", holder)[-1]
    return last == "pd" or last.endswith("_pd") or last == "ibpd"


def reason(use: Use, area: str) -> str | None:
    """Why the use stays, for area "core" or "provider"; None when it
    has none of the shapes above (the audit then keeps its generic
    words)."""
    if use.store:
        if use.path.endswith("_kunit.c"):
            return TEST_DEFINES
        if _holder_is_pd(use.holder):
            return PD_DEFINES if area == "core" else None
        return DEVICE_DEFINES
    if area == "core":
        if use.path == BUILDERS_SOURCE:
            return BUILDERS_READ
        if "nla_put" in use.context:
            return NETLINK_READ
        # ib_alloc_pd() copying the device's lkey into the pd
        if re.search(r"(?:\.|->)\s*" + FIELD + r"\s*=\s*(?:\w+(?:\.|->))*$",
                     use.context.splitlines()[-1]):
            return PD_DEFINES
        return None
    return PROVIDER_READ
