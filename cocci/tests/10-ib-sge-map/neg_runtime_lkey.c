/* NEGATIVE: the lkey is chosen at run time or cached in a ULP field
 * (shape f): left alone, the audit reports it. */
static int post(struct ctx *c, struct buf *b, size_t len, struct ib_mr *mr)
{
	b->sge.addr = ib_dma_map_single(c->dev, b->data, len, DMA_TO_DEVICE);
	if (ib_dma_mapping_error(c->dev, b->sge.addr))
		return -ENOMEM;
	b->sge.length = len;
	b->sge.lkey = mr ? mr->lkey : c->pd->local_dma_lkey;
	return 0;
}

static int post2(struct ctx *c, struct buf *b, size_t len)
{
	b->sg2.addr = ib_dma_map_single(c->dev, b->data, len, DMA_TO_DEVICE);
	if (ib_dma_mapping_error(c->dev, b->sg2.addr))
		return -ENOMEM;
	b->sg2.length = len;
	b->sg2.lkey = c->lkey;
	return 0;
}

static void done(struct ctx *c, struct buf *b)
{
	ib_dma_unmap_single(c->dev, b->sge.addr, b->sge.length, DMA_TO_DEVICE);
	ib_dma_unmap_single(c->dev, b->sg2.addr, b->sg2.length, DMA_TO_DEVICE);
}
