/* Shaped after ib_srp.c: the iu is mapped in an alloc helper that has no
 * lkey fill; the pd comes from the struct that holds the device
 * (host->srp_dev->dev -> host->srp_dev->pd).  The sge fills use an lkey
 * cached in target->lkey, only ever assigned pd->local_dma_lkey.  The
 * unmap passes iu->size, which the DMA API requires to be the mapped
 * size.  A second map goes through a local device variable.  The local
 * target pointer goes where the lkey was its only use.  The receive IUs
 * are synced with ch->max_ti_iu_len, what the rings are allocated with:
 * the whole sge, also after a reconnect renegotiated it; a response is
 * synced with the length memcpy() writes into the buffer: a range.  The
 * receive posts iu->size, only ever the mapped size: the copy needs no
 * trim, also with a member of that name in another struct (the fast
 * registration pool's pool->size). */
struct srp_device {
	struct list_head dev_list;
	struct ib_device *dev;
	struct ib_pd *pd;
	u32 mr_page_mask;
};

struct srp_host {
	struct srp_device *srp_dev;
	u32 port;
};

struct srp_target_port {
	u32 lkey;
	struct srp_host *srp_host;
};

struct srp_iu {
	struct list_head list;
	u64 dma;
	void *buf;
	size_t size;
	enum dma_data_direction direction;
	u32 num_sge;
	struct ib_sge sge[SRP_MAX_SGE];
	struct ib_cqe cqe;
};

struct srp_fr_pool {
	int size;
	int max_page_list_len;
};

struct srp_rsp {
	void *desc;
	dma_addr_t desc_dma;
};

static struct srp_iu *srp_alloc_iu(struct srp_host *host, size_t size,
				   gfp_t gfp_mask,
				   enum dma_data_direction direction)
{
	struct srp_iu *iu;

	iu = kmalloc(sizeof(*iu), gfp_mask);
	if (!iu)
		goto out;

	iu->buf = kzalloc(size, gfp_mask);
	if (!iu->buf)
		goto out_free_iu;

	iu->dma = ib_dma_map_single(host->srp_dev->dev, iu->buf, size,
				    direction);
	if (ib_dma_mapping_error(host->srp_dev->dev, iu->dma))
		goto out_free_buf;

	iu->size = size;
	iu->direction = direction;

	return iu;

out_free_buf:
	kfree(iu->buf);
out_free_iu:
	kfree(iu);
out:
	return NULL;
}

static void srp_free_iu(struct srp_host *host, struct srp_iu *iu)
{
	if (!iu)
		return;

	ib_dma_unmap_single(host->srp_dev->dev, iu->dma, iu->size,
			    iu->direction);
	kfree(iu->buf);
	kfree(iu);
}

static int srp_post_send(struct srp_rdma_ch *ch, struct srp_iu *iu, int len)
{
	struct srp_target_port *target = ch->target;

	iu->sge[0].addr = iu->dma;
	iu->sge[0].length = len;
	iu->sge[0].lkey = target->lkey;

	return ib_post_send(ch->qp, &iu->wr, NULL);
}

static int srp_post_recv(struct srp_rdma_ch *ch, struct srp_iu *iu)
{
	struct srp_target_port *target = ch->target;
	struct ib_sge list;

	list.addr = iu->dma;
	list.length = iu->size;
	list.lkey = target->lkey;

	if (ch->req_lim <= 0) {
		++target->zero_req_lim;
		return -EAGAIN;
	}
	return ib_post_recv(ch->qp, &list, NULL);
}

static int srp_alloc_iu_bufs(struct srp_rdma_ch *ch)
{
	struct srp_target_port *target = ch->target;
	int i;

	for (i = 0; i < target->queue_size; ++i) {
		ch->rx_ring[i] = srp_alloc_iu(target->srp_host,
					      ch->max_ti_iu_len,
					      GFP_KERNEL, DMA_FROM_DEVICE);
		if (!ch->rx_ring[i])
			return -ENOMEM;
	}
	for (i = 0; i < target->queue_size; ++i) {
		ch->tx_ring[i] = srp_alloc_iu(target->srp_host,
					      ch->max_it_iu_len,
					      GFP_KERNEL, DMA_TO_DEVICE);
		if (!ch->tx_ring[i])
			return -ENOMEM;
	}
	return 0;
}

static void srp_recv_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct srp_iu *iu = container_of(wc->wr_cqe, struct srp_iu, cqe);
	struct srp_rdma_ch *ch = cq->cq_context;
	struct ib_device *dev = ch->target->srp_host->srp_dev->dev;

	ib_dma_sync_single_for_cpu(dev, iu->dma, ch->max_ti_iu_len,
				   DMA_FROM_DEVICE);
	consume(iu->buf);
	ib_dma_sync_single_for_device(dev, iu->dma, ch->max_ti_iu_len,
				      DMA_FROM_DEVICE);
}

static int srp_response_common(struct srp_rdma_ch *ch, s32 req_delta,
			       void *rsp, int len)
{
	struct ib_device *dev = ch->target->srp_host->srp_dev->dev;
	struct srp_iu *iu = __srp_get_tx_iu(ch, SRP_IU_RSP);

	if (!iu)
		return 1;

	iu->num_sge = 1;
	ib_dma_sync_single_for_cpu(dev, iu->dma, len, DMA_TO_DEVICE);
	memcpy(iu->buf, rsp, len);
	ib_dma_sync_single_for_device(dev, iu->dma, len, DMA_TO_DEVICE);

	return srp_post_send(ch, iu, len);
}

static int srp_alloc_rsp(struct srp_target_port *target,
			 struct srp_rsp *rsp)
{
	struct srp_device *srp_dev = target->srp_host->srp_dev;
	struct ib_device *ibdev = srp_dev->dev;
	int ret;

	rsp->desc = kmalloc(64, GFP_KERNEL);
	rsp->desc_dma = ib_dma_map_single(ibdev, rsp->desc, 64,
					  DMA_TO_DEVICE);
	ret = ib_dma_mapping_error(ibdev, rsp->desc_dma);
	if (ret)
		return ret;
	ib_dma_sync_single_for_device(ibdev, rsp->desc_dma, 64,
				      DMA_TO_DEVICE);
	ib_dma_unmap_single(ibdev, rsp->desc_dma, 64, DMA_TO_DEVICE);
	return 0;
}

static struct srp_fr_pool *srp_create_fr_pool(int pool_size)
{
	struct srp_fr_pool *pool;

	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return NULL;
	pool->size = pool_size;
	return pool;
}

static void srp_add_target(struct srp_host *host,
			   struct srp_target_port *target)
{
	target->lkey = host->srp_dev->pd->local_dma_lkey;
}
