import pytest

import leftovers
import lkey_review
from lkey_review import FIELD

# Lines of Debian's linux-source-6.12 (file, the lines up to the use, the
# area), each with what the review must say of its local_dma_lkey.
REAL_USES = [
    ("drivers/infiniband/hw/bnxt_re/main.c", "provider",
     ["\tibdev->local_dma_lkey = BNXT_QPLIB_RSVD_LKEY;"],
     lkey_review.DEVICE_DEFINES),
    ("drivers/infiniband/hw/cxgb4/provider.c", "provider",
     ["\tdev->ibdev.local_dma_lkey = 0;"], lkey_review.DEVICE_DEFINES),
    ("drivers/infiniband/hw/mlx4/main.c", "provider",
     ["\tibdev->ib_dev.local_dma_lkey\t= dev->caps.reserved_lkey;"],
     lkey_review.DEVICE_DEFINES),
    ("drivers/infiniband/sw/rxe/rxe_verbs.c", "provider",
     ["\tdev->local_dma_lkey = 0;"], lkey_review.DEVICE_DEFINES),
    ("drivers/infiniband/hw/mlx4/mad.c", "provider",
     ["\tlist.lkey = tun_ctx->pd->local_dma_lkey;"],
     lkey_review.PROVIDER_READ),
    ("drivers/infiniband/hw/mlx5/mr.c", "provider",
     ["\tu32 lkey = mr->ibmr.pd->local_dma_lkey;"],
     lkey_review.PROVIDER_READ),
    ("drivers/infiniband/hw/mlx5/wr.c", "provider",
     ["\tdseg->lkey = cpu_to_be32(pd->ibpd.local_dma_lkey);"],
     lkey_review.PROVIDER_READ),
    ("drivers/infiniband/core/verbs.c", "core",
     ["\t\t\tpd->local_dma_lkey = pd->__internal_mr->lkey;"],
     lkey_review.PD_DEFINES),
    ("drivers/infiniband/core/sge.c", "core",
     ["\tsge->lkey = pd->local_dma_lkey;"], lkey_review.BUILDERS_READ),
    ("drivers/infiniband/core/sge_kunit.c", "core",
     ["\tctx->pd->local_dma_lkey = SGE_TEST_LKEY;"],
     lkey_review.TEST_DEFINES),
    ("drivers/infiniband/core/nldev.c", "core",
     ["\tif (has_cap_net_admin) {",
      "\t\tif (nla_put_u32(msg, RDMA_NLDEV_ATTR_RES_LOCAL_DMA_LKEY,",
      "\t\t\t\tpd->local_dma_lkey))"],
     lkey_review.NETLINK_READ),
]


def at_last(lines: list[str], nth: int = -1) -> tuple[int, int]:
    """line (1-based) and column (0-based) of the nth use on the last
    line, as the audit records it"""
    text = lines[-1]
    starts = [i for i in range(len(text)) if text.startswith(FIELD, i)]
    return len(lines), starts[nth]


@pytest.mark.parametrize("path,area,lines,expected", REAL_USES,
                         ids=[u[0].split("/")[-1] + ":" + u[2][-1].strip()
                              for u in REAL_USES])
def test_real_uses(path, area, lines, expected):
    line, column = at_last(lines)
    use = lkey_review.parse_use(path, lines, line, column)
    assert use is not None
    assert lkey_review.reason(use, area) == expected


def test_both_uses_of_one_line_in_ib_alloc_pd():
    """verbs.c: the pd's lkey is stored, the device's read, both
    ib_alloc_pd() giving the pd its lkey."""
    lines = ["\t\tpd->local_dma_lkey = device->local_dma_lkey;"]
    stored = lkey_review.parse_use("drivers/infiniband/core/verbs.c", lines,
                                   *at_last(lines, 0))
    read = lkey_review.parse_use("drivers/infiniband/core/verbs.c", lines,
                                 *at_last(lines, 1))
    assert stored.store and stored.holder == "pd"
    assert not read.store and read.holder == "device"
    assert lkey_review.reason(stored, "core") == lkey_review.PD_DEFINES
    assert lkey_review.reason(read, "core") == lkey_review.PD_DEFINES


def test_comparison_is_a_read():
    lines = ["\tif (pd->local_dma_lkey == lkey)"]
    use = lkey_review.parse_use("drivers/infiniband/hw/x/y.c", lines,
                                *at_last(lines))
    assert not use.store


@pytest.mark.parametrize("path,area,line", [
    # a provider storing into a pd: not a shape the review knows
    ("drivers/infiniband/hw/x/y.c", "provider", "\tpd->local_dma_lkey = 5;"),
    # a core read that is neither the builders' nor netlink's
    ("drivers/infiniband/core/cma.c", "core",
     "\tsge.lkey = id->pd->local_dma_lkey;"),
])
def test_unknown_shapes_keep_the_generic_words(path, area, line):
    use = lkey_review.parse_use(path, [line], *at_last([line]))
    assert lkey_review.reason(use, area) is None
    site = leftovers.Site(file=path, line=1, column=at_last([line])[1],
                          use=FIELD, kind="lkey", function="f",
                          subsystem="S", area=area)
    assert leftovers.core_lkey_category(site, [line]) == \
        leftovers.CORE_OR_PROVIDER


def test_a_position_without_the_member_is_no_use():
    lines = ["\tdev->local_dma_lkey = 0;"]
    line, column = at_last(lines)
    assert lkey_review.parse_use("a.c", lines, line, column + 1) is None
    assert lkey_review.parse_use("a.c", lines, 2, column) is None


def test_the_category_keeps_the_audit_words_in_front():
    lines = ["\tdev->local_dma_lkey = 0;"]
    site = leftovers.Site(file="drivers/infiniband/sw/rxe/rxe_verbs.c",
                          line=1, column=at_last(lines)[1], use=FIELD,
                          kind="lkey", function="rxe_register_device",
                          subsystem="SOFT-ROCE DRIVER (rxe)", area="provider")
    assert leftovers.core_lkey_category(site, lines) == \
        leftovers.REVIEWED_PREFIX + lkey_review.DEVICE_DEFINES
    assert "not a ULP" in leftovers.REVIEWED_PREFIX
