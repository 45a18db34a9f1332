"""Which helper releases what another allocates.

When rule 30 gives an allocation helper the pd in place of its
struct ib_device parameter (rtrs_iu_alloc(..., pd)), its release
helper (rtrs_iu_free(..., ib_dev, ...)) should take the same handle:
a maintainer reads alloc/free pairs side by side.  The pair is found by
name: the verb of one replaced by its opposite (alloc/free,
create/destroy, get/put, init/exit, map/unmap), as a whole word of the
name (rtrs_iu_alloc/rtrs_iu_free, srp_alloc_iu/srp_free_iu).
"""

from __future__ import annotations

import re

_OPPOSITE = {"alloc": "free", "create": "destroy", "get": "put",
             "init": "exit", "map": "unmap", "setup": "cleanup"}


def releases(allocator: str, candidate: str) -> bool:
    """Whether candidate is the release helper of allocator."""
    words = allocator.split("_")
    for i, word in enumerate(words):
        opposite = _OPPOSITE.get(word)
        if opposite is None:
            continue
        if "_".join(words[:i] + [opposite] + words[i + 1:]) == candidate:
            return True
    return False


def release_helpers(allocators: set[str], functions: set[str]) -> set[str]:
    """The functions that release what one of allocators allocates."""
    return {fn for fn in functions
            if any(releases(a, fn) for a in allocators)
            and re.fullmatch(r"\w+", fn)}
