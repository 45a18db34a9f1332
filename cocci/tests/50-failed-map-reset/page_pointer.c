// A page mapped into an sge given by pointer, the reset through it.
static int map_one(struct ib_pd *pd, struct ib_sge *sge, struct page *page)
{
	int ret;

	ret = rdma_map_sge_page(pd, sge, page, 0, PAGE_SIZE, DMA_FROM_DEVICE);
	if (ret < 0) {
		pr_err("map failed: %d\n", ret);
		sge->addr = 0;
		return ret;
	}
	return 0;
}
