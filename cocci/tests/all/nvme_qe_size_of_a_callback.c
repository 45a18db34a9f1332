/* A helper whose size the conversion leaves unused, but whose address is
 * taken (a release callback of a ring): its parameter list is a type
 * other code depends on, so capsule_size stays (rule 40).  The ndev of
 * nvme_rdma_post_send() only gave the lkey, and goes. */
struct nvme_rdma_qe {
	struct ib_cqe		cqe;
	void			*data;
	u64			dma;
};

struct nvme_rdma_device {
	struct ib_device	*dev;
	struct ib_pd		*pd;
};

static void nvme_rdma_free_qe(struct ib_device *ibdev, struct nvme_rdma_qe *qe,
		size_t capsule_size, enum dma_data_direction dir)
{
	ib_dma_unmap_single(ibdev, qe->dma, capsule_size, dir);
	kfree(qe->data);
}

static int nvme_rdma_alloc_qe(struct ib_device *ibdev, struct nvme_rdma_qe *qe,
		size_t capsule_size, enum dma_data_direction dir)
{
	qe->data = kzalloc(capsule_size, GFP_KERNEL);
	if (!qe->data)
		return -ENOMEM;

	qe->dma = ib_dma_map_single(ibdev, qe->data, capsule_size, dir);
	if (ib_dma_mapping_error(ibdev, qe->dma)) {
		kfree(qe->data);
		return -ENOMEM;
	}
	return 0;
}

static void (*nvme_rdma_release)(struct ib_device *, struct nvme_rdma_qe *,
				 size_t, enum dma_data_direction) =
	nvme_rdma_free_qe;

static int nvme_rdma_setup(struct nvme_rdma_device *ndev,
		struct nvme_rdma_qe *qe)
{
	int ret;

	ret = nvme_rdma_alloc_qe(ndev->dev, qe, 64, DMA_TO_DEVICE);
	if (ret)
		return ret;
	nvme_rdma_free_qe(ndev->dev, qe, 64, DMA_TO_DEVICE);
	return 0;
}

static int nvme_rdma_post_send(struct nvme_rdma_device *ndev,
		struct nvme_rdma_qe *qe, struct ib_sge *sge)
{
	sge->addr   = qe->dma;
	sge->length = 64;
	sge->lkey   = ndev->pd->local_dma_lkey;
	return 0;
}
