// Shaped after net/sunrpc/xprtrdma/frwr_ops.c (6.12): a list mapped only
// to be registered in an MR, unmapped when the MR is released.
static void frwr_mr_unmap(struct rpcrdma_mr *mr)
{
	if (mr->mr_device) {
		trace_xprtrdma_mr_unmap(mr);
		ib_dma_unmap_sg(mr->mr_device, mr->mr_sg, mr->mr_nents,
				mr->mr_dir);
		mr->mr_device = NULL;
	}
}

struct rpcrdma_mr_seg *frwr_map(struct rpcrdma_xprt *r_xprt,
				struct rpcrdma_mr_seg *seg,
				int nsegs, bool writing, __be32 xid,
				struct rpcrdma_mr *mr)
{
	struct rpcrdma_ep *ep = r_xprt->rx_ep;
	int i, n, dma_nents;
	struct ib_mr *ibmr;

	mr->mr_dir = rpcrdma_data_dir(writing);
	mr->mr_nents = i;

	/* the list is ib_dma_map_sg()'d here and ib_dma_unmap_sg()'d later */
	dma_nents = ib_dma_map_sg(ep->re_id->device, mr->mr_sg, mr->mr_nents,
				  mr->mr_dir);
	if (!dma_nents)
		goto out_dmamap_err;
	mr->mr_device = ep->re_id->device;

	ibmr = mr->mr_ibmr;
	n = ib_map_mr_sg(ibmr, mr->mr_sg, dma_nents, NULL, PAGE_SIZE);
	if (n != dma_nents)
		goto out_mapmr_err;

	return seg;

out_dmamap_err:
	trace_xprtrdma_frwr_sgerr(mr, i);
	return ERR_PTR(-EIO);

out_mapmr_err:
	trace_xprtrdma_frwr_maperr(mr, n);
	return ERR_PTR(-EIO);
}

// Shaped after fs/smb/client/smbdirect.c (6.12): the unmap spread over
// lines, and an attrs map the core series has no helper for.
static void smbd_mr_release(struct smbd_connection *info,
			    struct smbd_mr *mr)
{
	ib_dma_unmap_sg(
		info->id->device, mr->sgt.sgl,
		mr->sgt.nents,
		mr->dir);
	ib_dma_unmap_sg_attrs(info->id->device, mr->sgt.sgl, mr->sgt.nents,
			      mr->dir, DMA_ATTR_SKIP_CPU_SYNC);
}
