/* NEGATIVE: the helper that maps only has an ib_device, no pd, and no
 * caller in the files processed together that could hand it one: left
 * alone. */
struct qe {
	struct ib_cqe cqe;
	void *data;
	u64 dma;
};

static int alloc_qe(struct ib_device *ibdev, struct qe *qe, size_t size)
{
	qe->data = kzalloc(size, GFP_KERNEL);
	if (!qe->data)
		return -ENOMEM;
	qe->dma = ib_dma_map_single(ibdev, qe->data, size, DMA_TO_DEVICE);
	if (ib_dma_mapping_error(ibdev, qe->dma)) {
		kfree(qe->data);
		return -ENOMEM;
	}
	return 0;
}

static int post(struct queue *q, struct qe *qe, struct ib_sge *sge)
{
	sge->addr = qe->dma;
	sge->length = sizeof(struct cmd);
	sge->lkey = q->pd->local_dma_lkey;
	return 0;
}
