/* NEGATIVE: the field is also used in a way the rule cannot follow
 * (printed, compared): the whole field stays a dma_addr_t everywhere. */
struct ctx {
	struct ib_cqe cqe;
	dma_addr_t dma;
	void *buf;
};

static int post(struct conn *conn, struct ctx *c, size_t len)
{
	struct ib_sge sge;

	c->dma = ib_dma_map_single(conn->dev, c->buf, len, DMA_TO_DEVICE);
	if (ib_dma_mapping_error(conn->dev, c->dma))
		return -ENOMEM;
	sge.addr = c->dma;
	sge.length = len;
	sge.lkey = conn->pd->local_dma_lkey;
	pr_debug("mapped %pad\n", &c->dma);
	return ib_post_send(conn->qp, &sge);
}

static void done(struct conn *conn, struct ctx *c, size_t len)
{
	ib_dma_unmap_single(conn->dev, c->dma, len, DMA_TO_DEVICE);
}
