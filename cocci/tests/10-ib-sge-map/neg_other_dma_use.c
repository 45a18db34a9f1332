/* NEGATIVE: the sge address is handed to the plain DMA API elsewhere:
 * the family cannot be followed, nothing changes. */
static int post(struct ctx *c, struct buf *b, size_t len)
{
	b->sge.addr = ib_dma_map_single(c->dev, b->data, len, DMA_TO_DEVICE);
	if (ib_dma_mapping_error(c->dev, b->sge.addr))
		return -ENOMEM;
	b->sge.length = len;
	b->sge.lkey = c->pd->local_dma_lkey;
	return 0;
}

static void done(struct ctx *c, struct buf *b)
{
	dma_unmap_single(c->dev->dma_device, b->sge.addr, b->sge.length,
			 DMA_TO_DEVICE);
}
