/* fs/smb/client/smbdirect.c (6.12): the header sge is mapped single; the
 * data sges are mapped as pages by smb_set_sge(); send_done() releases
 * every sge of the request with ib_dma_unmap_single(). */
static void send_done(struct ib_cq *cq, struct ib_wc *wc)
{
	int i;
	struct smbd_request *request =
		container_of(wc->wr_cqe, struct smbd_request, cqe);
	struct smbd_connection *info = request->info;
	struct smbdirect_socket *sc = &info->socket;

	for (i = 0; i < request->num_sge; i++)
		ib_dma_unmap_single(sc->ib.dev,
			request->sge[i].addr,
			request->sge[i].length,
			DMA_TO_DEVICE);
	mempool_free(request, info->request_mempool);
}

static int smbd_post_send_negotiate_req(struct smbd_connection *info)
{
	struct smbdirect_socket *sc = &info->socket;
	struct smbd_request *request;
	struct smbdirect_negotiate_req *packet;

	request = mempool_alloc(info->request_mempool, GFP_KERNEL);
	packet = smbd_request_payload(request);
	request->num_sge = 1;
	request->sge[0].addr = ib_dma_map_single(
				sc->ib.dev, (void *)packet,
				sizeof(*packet), DMA_TO_DEVICE);
	if (ib_dma_mapping_error(sc->ib.dev, request->sge[0].addr))
		return -EIO;

	request->sge[0].length = sizeof(*packet);
	request->sge[0].lkey = sc->ib.pd->local_dma_lkey;
	return 0;
}

static bool smb_set_sge(struct smb_extract_to_rdma *rdma,
			struct page *lowest_page, size_t off, size_t len)
{
	struct ib_sge *sge = &rdma->sge[rdma->nr_sge];
	u64 addr;

	addr = ib_dma_map_page(rdma->device, lowest_page,
			       off, len, rdma->direction);
	if (ib_dma_mapping_error(rdma->device, addr))
		return false;

	sge->addr   = addr;
	sge->length = len;
	sge->lkey   = rdma->local_dma_lkey;
	rdma->nr_sge++;
	return true;
}
