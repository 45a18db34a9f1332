/* NEGATIVE: the same table, but one use is not a plain read: the address
 * goes to a plain dma_*() call (a mapping the API does not see), or is
 * moved by an offset in place.  The field stays a dma_addr_t, and so do
 * the map, the syncs and the reads. */
struct srp_device {
	struct ib_device *dev;
	struct ib_pd *pd;
};

struct srp_host {
	struct srp_device *srp_dev;
};

struct srp_target_port {
	struct srp_host *srp_host;
	u32 indirect_size;
};

struct srp_request {
	struct srp_direct_buf *indirect_desc;
	dma_addr_t indirect_dma_addr;
	dma_addr_t table_dma;
};

static int srp_init_cmd_priv(struct Scsi_Host *shost, struct scsi_cmnd *cmd)
{
	struct srp_target_port *target = host_to_target(shost);
	struct srp_device *srp_dev = target->srp_host->srp_dev;
	struct ib_device *ibdev = srp_dev->dev;
	struct srp_request *req = scsi_cmd_priv(cmd);
	dma_addr_t dma_addr;

	dma_addr = ib_dma_map_single(ibdev, req->indirect_desc,
				     target->indirect_size, DMA_TO_DEVICE);
	if (ib_dma_mapping_error(ibdev, dma_addr))
		return -ENOMEM;
	req->indirect_dma_addr = dma_addr;

	dma_addr = ib_dma_map_single(ibdev, req->indirect_desc,
				     target->indirect_size, DMA_TO_DEVICE);
	if (ib_dma_mapping_error(ibdev, dma_addr))
		return -ENOMEM;
	req->table_dma = dma_addr;
	return 0;
}

static void srp_sync(struct srp_request *req, struct ib_device *ibdev,
		     u32 len)
{
	dma_sync_single_for_cpu(ibdev->dma_device, req->indirect_dma_addr,
				len, DMA_TO_DEVICE);
	req->table_dma += 64;
}

static __be64 srp_va(struct srp_request *req)
{
	return cpu_to_be64(req->indirect_dma_addr) |
	       cpu_to_be64(req->table_dma);
}
