/* smc_nested_device.c with the posted lengths from a call that gets the
 * link: rdma_sge_part() would run it before the fill stores the address,
 * where the original runs it after, and the callee can reach the sge being
 * filled through lnk.  The fills, and so both fields, stay. */
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
	lnk->wr_rx_sges[0].length = smc_wr_rx_len(lnk, 0);
	lnk->wr_rx_sges[0].lkey = lnk->roce_pd->local_dma_lkey;
	lnk->wr_rx_sges[1].addr = lnk->wr_rx_v2_dma_addr + SMC_WR_TX_SIZE;
	lnk->wr_rx_sges[1].length = smc_wr_rx_len(lnk, 1);
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
