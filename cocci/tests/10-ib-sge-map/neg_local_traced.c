/* NEGATIVE: the local the page is mapped into is also traced after the
 * sge is filled (as svcrdma's send path traces its dma_addr): nothing
 * could take its place, so the family is left alone. */
struct send_ctxt {
	struct ib_sge sc_sge;
	struct ib_send_wr sc_send_wr;
};

static int send_ctxt_map(struct svcxprt_rdma *rdma, struct send_ctxt *ctxt,
			 void *buffer)
{
	dma_addr_t addr;

	addr = ib_dma_map_single(rdma->sc_pd->device, buffer,
				 rdma->sc_max_req_size, DMA_TO_DEVICE);
	if (ib_dma_mapping_error(rdma->sc_pd->device, addr))
		return -EIO;

	ctxt->sc_sge.addr = addr;
	ctxt->sc_sge.length = rdma->sc_max_req_size;
	ctxt->sc_sge.lkey = rdma->sc_pd->local_dma_lkey;
	trace_svcrdma_dma_map_page(ctxt, addr, rdma->sc_max_req_size);
	return 0;
}

static void send_ctxt_unmap(struct svcxprt_rdma *rdma, struct send_ctxt *ctxt)
{
	ib_dma_unmap_single(rdma->sc_pd->device, ctxt->sc_sge.addr,
			    ctxt->sc_sge.length, DMA_TO_DEVICE);
}
