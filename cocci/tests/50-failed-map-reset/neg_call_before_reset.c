// A call other than a message between the failed map and the reset could
// change which sge the expression names: left alone.
static int map_desc(struct ib_pd *pd, struct conn *c)
{
	if (rdma_map_sge_single(pd, &c->desc->sge, c->desc->buf, 64,
				DMA_TO_DEVICE)) {
		conn_replace_desc(c);
		c->desc->sge.addr = 0;
		return -ENOMEM;
	}
	return 0;
}
