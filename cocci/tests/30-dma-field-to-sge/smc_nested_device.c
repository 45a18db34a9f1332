/* smc's link buffers: the device is one struct further
 * (lnk->smcibdev->ibdev, in a local) next to the pd of the link
 * (lnk->roce_pd); the v2 buffers are mapped in a branch; every handle is
 * tested before its unmap and reset to 0 after it; rx sges are filled at
 * an offset into the buffer. */
struct smc_ib_device {
	struct ib_device *ibdev;
};

struct smc_link {
	struct smc_ib_device *smcibdev;
	struct ib_pd *roce_pd;
	struct ib_sge *wr_rx_sges;
	dma_addr_t wr_rx_dma_addr;
	dma_addr_t wr_rx_v2_dma_addr;
	void *wr_rx_bufs;
	int v2;
};

static void smc_wr_init_sge(struct smc_link *lnk)
{
	lnk->wr_rx_sges[0].addr = lnk->wr_rx_dma_addr + SMC_WR_BUF_SIZE;
	lnk->wr_rx_sges[0].length = SMC_WR_TX_SIZE;
	lnk->wr_rx_sges[0].lkey = lnk->roce_pd->local_dma_lkey;
	lnk->wr_rx_sges[1].addr = lnk->wr_rx_v2_dma_addr + SMC_WR_TX_SIZE;
	lnk->wr_rx_sges[1].length = SMC_WR_TX_SIZE;
	lnk->wr_rx_sges[1].lkey = lnk->roce_pd->local_dma_lkey;
}

void smc_wr_free_link(struct smc_link *lnk)
{
	struct ib_device *ibdev = lnk->smcibdev->ibdev;

	if (lnk->wr_rx_dma_addr) {
		ib_dma_unmap_single(ibdev, lnk->wr_rx_dma_addr,
				    SMC_WR_BUF_SIZE, DMA_FROM_DEVICE);
		lnk->wr_rx_dma_addr = 0;
	}
	if (lnk->wr_rx_v2_dma_addr) {
		ib_dma_unmap_single(ibdev, lnk->wr_rx_v2_dma_addr,
				    SMC_WR_BUF_V2_SIZE, DMA_FROM_DEVICE);
		lnk->wr_rx_v2_dma_addr = 0;
	}
}

int smc_wr_create_link(struct smc_link *lnk)
{
	struct ib_device *ibdev = lnk->smcibdev->ibdev;
	int rc = 0;

	lnk->wr_rx_dma_addr = ib_dma_map_single(
		ibdev, lnk->wr_rx_bufs, SMC_WR_BUF_SIZE, DMA_FROM_DEVICE);
	if (ib_dma_mapping_error(ibdev, lnk->wr_rx_dma_addr)) {
		lnk->wr_rx_dma_addr = 0;
		rc = -EIO;
		goto out;
	}
	if (lnk->v2) {
		lnk->wr_rx_v2_dma_addr = ib_dma_map_single(ibdev,
			lnk->wr_rx_bufs, SMC_WR_BUF_V2_SIZE, DMA_FROM_DEVICE);
		if (ib_dma_mapping_error(ibdev, lnk->wr_rx_v2_dma_addr)) {
			lnk->wr_rx_v2_dma_addr = 0;
			rc = -EIO;
			goto dma_unmap;
		}
	}
	smc_wr_init_sge(lnk);
	return 0;

dma_unmap:
	ib_dma_unmap_single(ibdev, lnk->wr_rx_dma_addr, SMC_WR_BUF_SIZE,
			    DMA_FROM_DEVICE);
	lnk->wr_rx_dma_addr = 0;
out:
	return rc;
}
