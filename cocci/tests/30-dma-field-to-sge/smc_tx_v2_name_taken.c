/* smc's v2 tx buffer: the link already has a member wr_tx_v2_sge (the
 * gather list of the v2 send), so the converted field is named for the
 * buffer it maps, lnk->lgr->wr_tx_buf_v2 -> wr_tx_buf_v2_sge. */
struct smc_ib_device {
	struct ib_device *ibdev;
};

struct smc_link_group {
	void *wr_tx_buf_v2;
};

struct smc_link {
	struct smc_ib_device *smcibdev;
	struct smc_link_group *lgr;
	struct ib_pd *roce_pd;
	struct ib_sge *wr_tx_v2_sge;	/* WR send v2 gather meta data*/
	dma_addr_t wr_tx_v2_dma_addr;	/* DMA address of v2 tx buf*/
};

static void smc_wr_init_sge(struct smc_link *lnk)
{
	lnk->wr_tx_v2_sge->addr = lnk->wr_tx_v2_dma_addr;
	lnk->wr_tx_v2_sge->length = SMC_WR_BUF_V2_SIZE;
	lnk->wr_tx_v2_sge->lkey = lnk->roce_pd->local_dma_lkey;
}

void smc_wr_free_link(struct smc_link *lnk)
{
	struct ib_device *ibdev = lnk->smcibdev->ibdev;

	if (lnk->wr_tx_v2_dma_addr) {
		ib_dma_unmap_single(ibdev, lnk->wr_tx_v2_dma_addr,
				    SMC_WR_BUF_V2_SIZE, DMA_TO_DEVICE);
		lnk->wr_tx_v2_dma_addr = 0;
	}
}

int smc_wr_create_link(struct smc_link *lnk)
{
	struct ib_device *ibdev = lnk->smcibdev->ibdev;

	lnk->wr_tx_v2_dma_addr = ib_dma_map_single(ibdev,
		lnk->lgr->wr_tx_buf_v2, SMC_WR_BUF_V2_SIZE, DMA_TO_DEVICE);
	if (ib_dma_mapping_error(ibdev, lnk->wr_tx_v2_dma_addr)) {
		lnk->wr_tx_v2_dma_addr = 0;
		return -EIO;
	}
	smc_wr_init_sge(lnk);
	return 0;
}
