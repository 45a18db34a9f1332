// Shaped after smc_wr_create_link() in net/smc/smc_wr.c (6.12) once rule
// 30 converted the link's buffer addresses: the error path tests the
// address before it unmaps.
int smc_wr_create_link(struct smc_link *lnk)
{
	struct ib_device *ibdev = lnk->smcibdev->ibdev;
	int rc = 0;

	smc_wr_tx_set_wr_id(&lnk->wr_tx_id, 0);
	lnk->wr_rx_id = 0;
	if (rdma_map_sge_single(lnk->roce_pd, &lnk->wr_rx_sge, lnk->wr_rx_bufs,
				SMC_WR_BUF_SIZE * lnk->wr_rx_cnt,
				DMA_FROM_DEVICE)) {
		lnk->wr_rx_sge.addr = 0;
		rc = -EIO;
		goto out;
	}
	if (lnk->lgr->smc_version == SMC_V2) {
		if (rdma_map_sge_single(lnk->roce_pd, &lnk->wr_rx_v2_sge,
					lnk->lgr->wr_rx_buf_v2,
					SMC_WR_BUF_V2_SIZE, DMA_FROM_DEVICE)) {
			lnk->wr_rx_v2_sge.addr = 0;
			rc = -EIO;
			goto dma_unmap;
		}
	}
	return rc;

dma_unmap:
	if (lnk->wr_rx_v2_sge.addr) {
		rdma_unmap_sge(ibdev, &lnk->wr_rx_v2_sge, DMA_FROM_DEVICE);
		lnk->wr_rx_v2_sge.addr = 0;
	}
	rdma_unmap_sge(ibdev, &lnk->wr_rx_sge, DMA_FROM_DEVICE);
	lnk->wr_rx_sge.addr = 0;
out:
	return rc;
}
