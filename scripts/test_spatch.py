"""The spatch runner's result cache, with the real spatch."""

from pathlib import Path

import leftovers
import spatch

# Shaped after smc_wr.c: the sge's type is only known from the local header.
SOURCE = """#include "ulp_wr.h"

static void ulp_wr_init_sge(struct ulp_link *lnk, struct ib_pd *pd)
{
	lnk->wr_tx_sge.lkey = pd->local_dma_lkey;
}
"""
HEADER_SGE = """#include "ulp_core.h"

struct ulp_link {
	struct ib_sge wr_tx_sge;
};
"""
HEADER_CACHED = """#include "ulp_core.h"

struct ulp_link {
	struct ulp_lkey_cache wr_tx_sge;
};
"""


def _tree(tmp_path: Path, header: str) -> Path:
    (tmp_path / "drivers/ulp").mkdir(parents=True, exist_ok=True)
    (tmp_path / "include/rdma").mkdir(parents=True, exist_ok=True)
    (tmp_path / "drivers/ulp/ulp_wr.c").write_text(SOURCE)
    (tmp_path / "drivers/ulp/ulp_wr.h").write_text(header)
    (tmp_path / "include/ulp_core.h").write_text("/* core */\n")
    return tmp_path


def test_local_headers_follow_includes_into_include_dirs(tmp_path):
    tree = _tree(tmp_path, HEADER_SGE)
    assert spatch.local_headers(tree, "drivers/ulp/ulp_wr.c",
                                leftovers.REASONS_INCLUDE_DIRS) == \
        ["drivers/ulp/ulp_wr.h", "include/ulp_core.h"]


def _reason(tree: Path, cache: Path) -> tuple[str, bool]:
    runner = spatch.SpatchRunner(leftovers.REASONS_RULE,
                                 options=leftovers.REASONS_OPTIONS,
                                 cache_dir=cache, jobs=1,
                                 header_dirs=leftovers.REASONS_INCLUDE_DIRS)
    result = runner.run_file(tree, "drivers/ulp/ulp_wr.c")
    reasons = [m["text"] for _, m in leftovers.report_matches(
        result.stdout, leftovers._REASON_LINE)]
    return " ".join(reasons), result.cached


def test_a_changed_header_is_not_answered_from_the_cache(tmp_path):
    tree = _tree(tmp_path / "tree", HEADER_SGE)
    cache = tmp_path / "cache"
    first, cached = _reason(tree, cache)
    # an sge's lkey set where nothing is mapped, as in smc_wr_init_sge()
    assert "the lkey of an sge set up apart from any map" in first
    assert not cached
    assert _reason(tree, cache) == (first, True)
    # Same .c file, the header now says the field is no sge.
    (tree / "drivers/ulp/ulp_wr.h").write_text(HEADER_CACHED)
    second, cached = _reason(tree, cache)
    assert not cached
    assert "lkey of an sge" not in second
    # A header two includes away is part of the key too.
    (tree / "include/ulp_core.h").write_text("/* core, changed */\n")
    assert _reason(tree, cache) == (second, False)
