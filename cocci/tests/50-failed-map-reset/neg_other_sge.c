// The reset is of another sge than the one whose map failed, or it is on
// the success path: both stay.
static int map_two(struct ib_pd *pd, struct two *t)
{
	int ret;

	ret = rdma_map_sge_single(pd, &t->rx_sge, t->rx, 64, DMA_FROM_DEVICE);
	if (ret) {
		t->tx_sge.addr = 0;
		return ret;
	}
	t->rx_sge.addr = 0;
	return 0;
}
