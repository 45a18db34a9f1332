/* Two maps in one function, error-path unwinding, "->" and ".". */
struct req {
	struct ib_sge hdr;
	struct ib_sge *tail;
	void *hbuf;
	void *tbuf;
};

static int req_map(struct dev *d, struct req *r)
{
	int err;

	r->hdr.addr = ib_dma_map_single(d->ibdev, r->hbuf, 64, DMA_TO_DEVICE);
	if (ib_dma_mapping_error(d->ibdev, r->hdr.addr))
		return -ENOMEM;
	r->hdr.length = 64;
	r->hdr.lkey = d->pd->local_dma_lkey;

	r->tail->addr = ib_dma_map_single(d->ibdev, r->tbuf, 128,
					  DMA_TO_DEVICE);
	err = ib_dma_mapping_error(d->ibdev, r->tail->addr);
	if (err)
		goto out_unmap_hdr;
	r->tail->lkey = d->pd->local_dma_lkey;
	r->tail->length = 128;
	return 0;

out_unmap_hdr:
	ib_dma_unmap_single(d->ibdev, r->hdr.addr, r->hdr.length,
			    DMA_TO_DEVICE);
	return err;
}

static void req_unmap(struct dev *d, struct req *r)
{
	ib_dma_unmap_single(d->ibdev, r->tail->addr, r->tail->length,
			    DMA_TO_DEVICE);
	ib_dma_unmap_single(d->ibdev, r->hdr.addr, r->hdr.length,
			    DMA_TO_DEVICE);
}
