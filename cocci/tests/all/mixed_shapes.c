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
/* Map in a function that also fills the sge (gives the pd), "." and "->"
 * access, a pointer sge filled with a shorter length (copy + trim),
 * syncs of the mapped length and of a part the CPU has just written (a
 * range that the memset shows inside the buffer), unlikely() and "ret =". */
struct rsp {
	struct ib_cqe cqe;
	dma_addr_t hdr_dma;
	void *hdr;
};

struct req {
	struct rsp rsp;
	struct ib_sge sge[2];
};

static int req_init(struct conn *conn, struct req *req)
{
	int ret;

	req->rsp.hdr_dma = ib_dma_map_single(conn->ibdev, req->rsp.hdr,
					     HDR_LEN, DMA_FROM_DEVICE);
	ret = ib_dma_mapping_error(conn->ibdev, req->rsp.hdr_dma);
	if (unlikely(ret))
		return ret;

	req->sge[0].addr = req->rsp.hdr_dma;
	req->sge[0].length = HDR_LEN;
	req->sge[0].lkey = conn->pd->local_dma_lkey;
	return 0;
}

static int rsp_init(struct conn *conn, struct rsp *rsp, struct ib_sge *sge)
{
	rsp->hdr_dma = ib_dma_map_single(conn->ibdev, rsp->hdr, HDR_LEN,
					 DMA_FROM_DEVICE);
	if (unlikely(ib_dma_mapping_error(conn->ibdev, rsp->hdr_dma)))
		return -ENOMEM;
	sge->addr = rsp->hdr_dma;
	sge->length = 16;
	sge->lkey = conn->pd->local_dma_lkey;
	return 0;
}

static void rsp_done(struct conn *conn, struct rsp *rsp)
{
	ib_dma_sync_single_for_cpu(conn->ibdev, rsp->hdr_dma, HDR_LEN,
				   DMA_FROM_DEVICE);
	memset(rsp->hdr, 0, 16);
	ib_dma_sync_single_for_device(conn->ibdev, rsp->hdr_dma, 16,
				      DMA_FROM_DEVICE);
	ib_dma_unmap_single(conn->ibdev, rsp->hdr_dma, HDR_LEN,
			    DMA_FROM_DEVICE);
}
