// Shaped after drivers/infiniband/ulp/srp/ib_srp.c (6.12): the list is
// mapped, then its DMA side is read to fill sges (a software device would
// find nothing there after rdma_map_sgl()), so neither the map nor the
// unmap of the ULP changes.
static int srp_map_data(struct scsi_cmnd *scmnd, struct srp_rdma_ch *ch,
			struct srp_request *req)
{
	struct ib_device *ibdev = ch->target->srp_host->srp_dev->dev;
	struct scatterlist *scat, *sg;
	struct ib_sge *sge = req->sge;
	int i, count;

	count = ib_dma_map_sg(ibdev, scat, nents, scmnd->sc_data_direction);
	if (unlikely(count == 0))
		return -EIO;

	for_each_sg(scat, sg, count, i) {
		sge[i].addr   = sg_dma_address(sg);
		sge[i].length = sg_dma_len(sg);
		sge[i].lkey   = ch->target->lkey;
	}
	return 0;
}

static void srp_unmap_data(struct scsi_cmnd *scmnd, struct srp_rdma_ch *ch)
{
	struct ib_device *ibdev = ch->target->srp_host->srp_dev->dev;

	ib_dma_unmap_sg(ibdev, scsi_sglist(scmnd), scsi_sg_count(scmnd),
			scmnd->sc_data_direction);
}
