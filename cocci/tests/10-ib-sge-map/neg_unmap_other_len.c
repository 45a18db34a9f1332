/* NEGATIVE: one unmap of the family uses a length that is neither the
 * sge's own nor the mapped one: the whole family stays as it is. */
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
	ib_dma_sync_single_for_cpu(c->dev, b->sge.addr, b->sge.length,
				   DMA_TO_DEVICE);
	ib_dma_unmap_single(c->dev, b->sge.addr, b->size, DMA_TO_DEVICE);
}
