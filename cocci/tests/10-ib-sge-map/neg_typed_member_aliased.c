/* Shaped after drivers/nvme/target/rdma.c (6.12), whose inline sges are
 * mapped with PAGE_SIZE and trimmed through a local struct ib_sge *, here
 * with a plain sge member: its address goes to a pointer that is not a
 * post, so the pointer's trimmed length is this member's, and the unmap
 * that passes it is not of the mapped size.  The member is not a family
 * of its own; the name "sge" is blocked by the trim, and nothing
 * converts. */
struct nvmet_rdma_rsp {
	struct ib_sge		sge;
	struct ib_cqe		cqe;
	void			*buf;
};

static int nvmet_rdma_map_rsp(struct nvmet_rdma_device *ndev,
			      struct nvmet_rdma_rsp *r)
{
	r->sge.addr = ib_dma_map_single(ndev->device, r->buf, PAGE_SIZE,
					DMA_FROM_DEVICE);
	if (ib_dma_mapping_error(ndev->device, r->sge.addr))
		return -ENOMEM;
	r->sge.length = PAGE_SIZE;
	r->sge.lkey = ndev->pd->local_dma_lkey;
	return 0;
}

static void nvmet_rdma_trim_rsp(struct nvmet_rdma_rsp *r, int len)
{
	struct ib_sge *sge = &r->sge;

	sge->length = min_t(int, len, PAGE_SIZE);
}

static void nvmet_rdma_unmap_rsp(struct nvmet_rdma_device *ndev,
				 struct nvmet_rdma_rsp *r)
{
	ib_dma_unmap_single(ndev->device, r->sge.addr, r->sge.length,
			    DMA_FROM_DEVICE);
}
