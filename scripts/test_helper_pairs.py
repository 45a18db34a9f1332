"""helper_pairs on the alloc/free helpers of 6.12's ULPs."""

from helper_pairs import release_helpers, releases


def test_the_release_of_an_allocator_is_found_by_its_verb():
    assert releases("rtrs_iu_alloc", "rtrs_iu_free")
    assert releases("srp_alloc_iu", "srp_free_iu")
    assert releases("nvme_rdma_alloc_qe", "nvme_rdma_free_qe")
    assert releases("isert_alloc_login_buf", "isert_free_login_buf")


def test_other_functions_are_not_releases():
    assert not releases("rtrs_iu_alloc", "rtrs_iu_post_recv")
    assert not releases("nvme_rdma_alloc_qe", "nvme_rdma_free_ring")
    assert not releases("dealloc_x", "defree_x")   # whole words only
    assert not releases("rtrs_iu_free", "rtrs_iu_alloc")


def test_release_helpers_picks_them_out_of_a_file():
    assert release_helpers({"rtrs_iu_alloc"},
                           {"rtrs_iu_free", "rtrs_iu_post_recv",
                            "rtrs_iu_alloc"}) == {"rtrs_iu_free"}
    assert release_helpers(set(), {"rtrs_iu_free"}) == set()
