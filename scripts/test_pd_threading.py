"""pd_threading on the helpers of nvme-rdma and rtrs (6.12)."""

from pd_threading import Call, Facts, solve, usable


def nvme_facts(destroy_pd: str | None = "dev->pd",
               create_pd: str | None = None) -> Facts:
    """drivers/nvme/host/rdma.c: alloc_qe maps qe->dma with its ibdev;
    alloc_ring and free_ring pass theirs on; the queue code calls the
    ring helpers with a local ibdev (create: the rule cannot name its pd
    on the error path unless create_pd is given)."""
    fns = ["nvme_rdma_alloc_qe", "nvme_rdma_free_qe", "nvme_rdma_alloc_ring",
           "nvme_rdma_free_ring"]
    calls = [
        Call("nvme_rdma_alloc_ring", "nvme_rdma_alloc_qe", "ibdev", None),
        Call("nvme_rdma_alloc_ring", "nvme_rdma_free_ring", "ibdev", None),
        Call("nvme_rdma_free_ring", "nvme_rdma_free_qe", "ibdev", None),
        Call("nvme_rdma_create_queue_ib", "nvme_rdma_alloc_ring", "ibdev",
             "queue->device->pd"),
        Call("nvme_rdma_create_queue_ib", "nvme_rdma_free_ring", "ibdev",
             create_pd),
        Call("nvme_rdma_destroy_queue_ib", "nvme_rdma_free_ring", "ibdev",
             destroy_pd),
        Call("nvme_rdma_configure_admin_queue", "nvme_rdma_alloc_qe",
             "ctrl->device->dev", "ctrl->device->pd"),
        Call("nvme_rdma_destroy_admin_queue", "nvme_rdma_free_qe",
             "ctrl->device->dev", "ctrl->device->pd"),
    ]
    count = {fn: sum(c.callee == fn for c in calls) for fn in fns}
    return Facts(devparam={fn: ("0", "ibdev") for fn in fns},
                 defs={fn: 1 for fn in fns}, local=set(fns),
                 call_count=count, refs=dict(count),
                 maps={"nvme_rdma_alloc_qe": ["dma"]}, calls=calls)


def nothing_blocked(threaded):
    return set()


def test_an_allocator_and_its_pass_through_get_the_pd():
    got = solve(nvme_facts(), nothing_blocked)
    assert {"nvme_rdma_alloc_qe", "nvme_rdma_alloc_ring"} <= got


def test_a_release_whose_caller_cannot_name_the_pd_keeps_the_device():
    """The 6.12 regression: free_ring is dropped because one caller
    passes a device whose pd is not known; free_qe, whose only other
    caller is free_ring, must be dropped with it (before the fix it kept
    the pd and free_ring called it with a pd it did not have)."""
    got = solve(nvme_facts(create_pd=None), nothing_blocked)
    assert "nvme_rdma_free_ring" not in got
    assert "nvme_rdma_free_qe" not in got
    assert {"nvme_rdma_alloc_qe", "nvme_rdma_alloc_ring"} <= got


def test_releases_follow_when_every_caller_names_the_pd():
    got = solve(nvme_facts(create_pd="queue->device->pd"), nothing_blocked)
    assert got == {"nvme_rdma_alloc_qe", "nvme_rdma_alloc_ring",
                   "nvme_rdma_free_qe", "nvme_rdma_free_ring"}


def test_a_helper_whose_field_does_not_convert_keeps_the_device():
    got = solve(nvme_facts(create_pd="queue->device->pd"),
                lambda threaded: {"dma"})
    assert got == set()


def test_a_helper_whose_address_is_taken_is_not_usable():
    facts = nvme_facts()
    facts.refs["nvme_rdma_alloc_qe"] += 1     # used as a callback too
    assert "nvme_rdma_alloc_qe" not in usable(facts)
    got = solve(facts, nothing_blocked)
    assert "nvme_rdma_alloc_qe" not in got
    # alloc_ring only passed its device on to alloc_qe
    assert "nvme_rdma_alloc_ring" not in got


def test_rtrs_iu_free_takes_the_pd_with_rtrs_iu_alloc():
    calls = [Call("rtrs_iu_alloc", "rtrs_iu_free", "dma_dev", None),
             Call("create_con", "rtrs_iu_alloc", "s->dev->ib_dev",
                  "s->dev->ib_pd"),
             Call("destroy_con", "rtrs_iu_free", "s->dev->ib_dev",
                  "s->dev->ib_pd")]
    fns = ["rtrs_iu_alloc", "rtrs_iu_free"]
    facts = Facts(devparam={"rtrs_iu_alloc": ("3", "dma_dev"),
                            "rtrs_iu_free": ("1", "ibdev")},
                  defs={fn: 1 for fn in fns}, local=set(fns),
                  call_count={"rtrs_iu_alloc": 1, "rtrs_iu_free": 2},
                  refs={"rtrs_iu_alloc": 1, "rtrs_iu_free": 2},
                  maps={"rtrs_iu_alloc": ["dma_addr"]}, calls=calls)
    assert solve(facts, nothing_blocked) == set(fns)
