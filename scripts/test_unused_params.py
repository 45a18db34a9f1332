"""unused_params: rule 40's decisions, on text shaped after nvme-rdma."""

from unused_params import (decode, encode, only_called, parse_report,
                           pure_argument)

NVME = """
static void nvme_rdma_free_qe(struct ib_device *ibdev, struct nvme_rdma_qe *qe,
		size_t capsule_size, enum dma_data_direction dir);
/* nvme_rdma_free_qe releases the whole sge */
static void nvme_rdma_free_qe(struct ib_device *ibdev, struct nvme_rdma_qe *qe,
		size_t capsule_size, enum dma_data_direction dir)
{
	rdma_unmap_sge(ibdev, &qe->sge, dir);
}

static void nvme_rdma_free_ring(struct ib_device *ibdev, size_t n,
		size_t capsule_size, enum dma_data_direction dir)
{
	nvme_rdma_free_qe (ibdev, &ring[i], capsule_size, dir);
}
"""


def test_a_function_that_is_only_called_may_lose_a_parameter():
    assert only_called(NVME, "nvme_rdma_free_qe", calls=1) is None


def test_a_function_whose_address_is_taken_keeps_its_parameters():
    text = NVME + "static release_fn *release = nvme_rdma_free_qe;\n"
    why = only_called(text, "nvme_rdma_free_qe", calls=1)
    assert why is not None and "other than by a call" in why


def test_a_call_spatch_did_not_see_keeps_its_parameters():
    text = NVME + ("#define FREE(q) nvme_rdma_free_qe(NULL, q, 0, "
                   "DMA_TO_DEVICE)\n")
    assert only_called(text, "nvme_rdma_free_qe", calls=1) == \
        "nvme_rdma_free_qe() is called 2 times, spatch saw 1"


def test_arguments_with_side_effects_stay():
    assert pure_argument("capsule_size")
    assert pure_argument("sizeof(struct nvme_command)")
    assert pure_argument("sizeof(*qe)")
    assert pure_argument("queue->cmnd_capsule_len")
    assert pure_argument("(u32)len")
    assert pure_argument("a == b")
    assert not pure_argument("nvme_rdma_capsule_len(queue)")
    assert not pure_argument("i++")
    assert not pure_argument("len = 4")


def test_the_report_round_trips_through_the_environment():
    keys = parse_report("UNUSED drivers/nvme/host/rdma.c f capsule_size\n"
                        "noise\nUNUSED a.c g flags\n")
    assert keys == {("drivers/nvme/host/rdma.c", "f", "capsule_size"),
                    ("a.c", "g", "flags")}
    assert decode(encode(keys)) == keys
    assert decode("") == set()
