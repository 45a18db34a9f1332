// SPDX-License-Identifier: GPL-2.0
/*
 * DMA handles kept where the conversion rules cannot follow them, cut
 * from Linux 6.12 ULPs.
 */

/* drivers/infiniband/ulp/ipoib/ipoib_ib.c: ipoib_alloc_rx_skb() */
static struct sk_buff *ipoib_alloc_rx_skb(struct net_device *dev, int id)
{
	struct ipoib_dev_priv *priv = ipoib_priv(dev);
	struct sk_buff *skb;
	int buf_size;
	u64 *mapping;

	buf_size = IPOIB_UD_BUF_SIZE(priv->max_ib_mtu);
	skb = dev_alloc_skb(buf_size + IPOIB_HARD_LEN);
	if (unlikely(!skb))
		return NULL;
	skb_reserve(skb, sizeof(struct ipoib_pseudo_header));

	mapping = priv->rx_ring[id].mapping;
	mapping[0] = ib_dma_map_single(priv->ca, skb->data, buf_size,
				       DMA_FROM_DEVICE);
	if (unlikely(ib_dma_mapping_error(priv->ca, mapping[0])))
		goto error;

	priv->rx_ring[id].skb = skb;
	return skb;
error:
	dev_kfree_skb_any(skb);
	return NULL;
}

/* drivers/infiniband/ulp/ipoib/ipoib_cm.c: ipoib_cm_handle_rx_wc() */
static void ipoib_cm_sync(struct ipoib_dev_priv *priv,
			  struct ipoib_cm_rx_buf *rx_ring, int wr_id, int dlen)
{
	ib_dma_sync_single_for_cpu(priv->ca, rx_ring[wr_id].mapping[0],
				   dlen, DMA_FROM_DEVICE);
}

/* net/rds/ib_cm.c: rds_dma_hdr_alloc(), rds_dma_hdr_free() */
static struct rds_header *rds_dma_hdr_alloc(struct ib_device *dev,
		dma_addr_t *dma_addr, enum dma_data_direction dir)
{
	struct rds_header *hdr;

	hdr = kzalloc_node(sizeof(*hdr), GFP_KERNEL, ibdev_to_node(dev));
	if (!hdr)
		return NULL;

	*dma_addr = ib_dma_map_single(dev, hdr, sizeof(*hdr),
				      DMA_BIDIRECTIONAL);
	if (ib_dma_mapping_error(dev, *dma_addr)) {
		kfree(hdr);
		return NULL;
	}

	return hdr;
}

static void rds_dma_hdr_free(struct ib_device *dev, struct rds_header *hdr,
		dma_addr_t dma_addr, enum dma_data_direction dir)
{
	ib_dma_unmap_single(dev, dma_addr, sizeof(*hdr), dir);
	kfree(hdr);
}

/* net/rds/ib.h: rds_ib_dma_sync_sg_for_cpu() */
static inline void rds_ib_dma_sync_sg_for_cpu(struct ib_device *dev,
					      struct scatterlist *sglist,
					      unsigned int sg_dma_len,
					      int direction)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sg(sglist, sg, sg_dma_len, i) {
		ib_dma_sync_single_for_cpu(dev, sg_dma_address(sg),
					   sg_dma_len(sg), direction);
	}
}

/* net/sunrpc/xprtrdma/verbs.c: rpcrdma_regbuf_dma_unmap() */
static void rpcrdma_regbuf_dma_unmap(struct rpcrdma_regbuf *rb)
{
	if (!rb)
		return;

	if (!rpcrdma_regbuf_is_mapped(rb))
		return;

	ib_dma_unmap_single(rb->rg_device, rdmab_addr(rb), rdmab_length(rb),
			    rb->rg_direction);
	rb->rg_device = NULL;
}

/* an sge the rules follow: none of the reasons above */
static int smbd_map(struct smbd_connection *info, struct smbd_request *request,
		    void *packet, size_t size)
{
	request->sge[0].addr = ib_dma_map_single(info->id->device, packet,
						 size, DMA_TO_DEVICE);
	if (ib_dma_mapping_error(info->id->device, request->sge[0].addr))
		return -EIO;
	return 0;
}
