/* Shaped after fs/smb/client/smbdirect.c (6.12): a plain sge member that
 * is only ever posted, but here one function copies another sge into it
 * whole.  The copy is not a builder's sge, so the member's unmaps and
 * syncs cannot be shown to release what a builder mapped: it stays. */
struct smbd_response {
	struct smbd_connection	*info;
	struct ib_cqe		cqe;
	struct ib_sge		sge;
	u8			packet[];
};

static int smbd_post_recv(struct smbd_connection *info,
			  struct smbd_response *response)
{
	struct smbdirect_socket *sc = &info->socket;
	struct ib_recv_wr recv_wr;
	int rc;

	response->sge.addr = ib_dma_map_single(sc->ib.dev, response->packet,
					       info->max_receive_size,
					       DMA_FROM_DEVICE);
	if (ib_dma_mapping_error(sc->ib.dev, response->sge.addr))
		return -EIO;

	response->sge.length = info->max_receive_size;
	response->sge.lkey = sc->ib.pd->local_dma_lkey;

	recv_wr.wr_cqe = &response->cqe;
	recv_wr.sg_list = &response->sge;
	recv_wr.num_sge = 1;

	rc = ib_post_recv(sc->ib.qp, &recv_wr, NULL);
	if (rc) {
		ib_dma_unmap_single(sc->ib.dev, response->sge.addr,
				    response->sge.length, DMA_FROM_DEVICE);
		response->sge.length = 0;
	}
	return rc;
}

static void smbd_reuse_response(struct smbd_response *response,
				struct smbd_response *old)
{
	response->sge = old->sge;
}

static void put_receive_buffer(struct smbd_connection *info,
			       struct smbd_response *response)
{
	struct smbdirect_socket *sc = &info->socket;

	if (likely(response->sge.length != 0)) {
		ib_dma_unmap_single(sc->ib.dev, response->sge.addr,
				    response->sge.length, DMA_FROM_DEVICE);
		response->sge.length = 0;
	}
}
