/* Shaped after ib_srpt.c: the ioctx buffer is mapped in srpt_alloc_ioctx()
 * with sdev->device (pd from struct srpt_device), the receive sge starts
 * at an offset into the buffer, the lkey is cached in sdev->lkey and the
 * fields are reached through an embedded struct (ioctx->ioctx.dma). */
struct srpt_ioctx {
	struct ib_cqe cqe;
	void *buf;
	dma_addr_t dma;
	uint8_t offset;
	uint32_t index;
};

struct srpt_recv_ioctx {
	struct srpt_ioctx ioctx;
	struct list_head wait_list;
	int byte_len;
};

struct srpt_send_ioctx {
	struct srpt_ioctx ioctx;
	u8 n_rdma;
};

struct srpt_device {
	struct ib_device *device;
	struct ib_pd *pd;
	u32 lkey;
	struct ib_srq *srq;
};

static struct srpt_ioctx *srpt_alloc_ioctx(struct srpt_device *sdev,
					   int ioctx_size,
					   struct kmem_cache *buf_cache,
					   enum dma_data_direction dir)
{
	struct srpt_ioctx *ioctx;

	ioctx = kzalloc(ioctx_size, GFP_KERNEL);
	if (!ioctx)
		goto err;

	ioctx->buf = kmem_cache_alloc(buf_cache, GFP_KERNEL);
	if (!ioctx->buf)
		goto err_free_ioctx;

	ioctx->dma = ib_dma_map_single(sdev->device, ioctx->buf,
				       kmem_cache_size(buf_cache), dir);
	if (ib_dma_mapping_error(sdev->device, ioctx->dma))
		goto err_free_buf;

	return ioctx;

err_free_buf:
	kmem_cache_free(buf_cache, ioctx->buf);
err_free_ioctx:
	kfree(ioctx);
err:
	return NULL;
}

static void srpt_free_ioctx(struct srpt_device *sdev, struct srpt_ioctx *ioctx,
			    struct kmem_cache *buf_cache,
			    enum dma_data_direction dir)
{
	if (!ioctx)
		return;

	ib_dma_unmap_single(sdev->device, ioctx->dma,
			    kmem_cache_size(buf_cache), dir);
	kmem_cache_free(buf_cache, ioctx->buf);
	kfree(ioctx);
}

static int srpt_post_recv(struct srpt_device *sdev,
			  struct srpt_recv_ioctx *ioctx)
{
	struct ib_sge list;
	struct ib_recv_wr wr;

	list.addr = ioctx->ioctx.dma + ioctx->ioctx.offset;
	list.length = srp_max_req_size;
	list.lkey = sdev->lkey;

	wr.sg_list = &list;
	wr.num_sge = 1;
	return ib_post_srq_recv(sdev->srq, &wr, NULL);
}

static void srpt_handle_new_iu(struct srpt_rdma_ch *ch,
			       struct srpt_recv_ioctx *recv_ioctx)
{
	ib_dma_sync_single_for_cpu(ch->sport->sdev->device,
				   recv_ioctx->ioctx.dma,
				   recv_ioctx->ioctx.offset + srp_max_req_size,
				   DMA_FROM_DEVICE);
}

static int srpt_queue_response(struct srpt_device *sdev,
			       struct srpt_send_ioctx *ioctx, int resp_len)
{
	struct ib_sge sge;

	ib_dma_sync_single_for_device(sdev->device, ioctx->ioctx.dma, resp_len,
				      DMA_TO_DEVICE);

	sge.addr = ioctx->ioctx.dma;
	sge.length = resp_len;
	sge.lkey = sdev->lkey;

	return post(sdev, &sge);
}

static int srpt_add_one(struct srpt_device *sdev)
{
	sdev->lkey = sdev->pd->local_dma_lkey;
	return 0;
}
