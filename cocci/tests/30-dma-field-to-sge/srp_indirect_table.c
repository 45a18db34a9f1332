/* Shaped after ib_srp.c's indirect descriptor table: mapped into a local
 * with the device of a struct that holds one pd (srp_dev->dev ->
 * srp_dev->pd), then stored in the request.  The other uses only read
 * the address: a test, a store into a map state, a scatterlist's
 * dma_address, cpu_to_be64() for the wire.  They read the sge's addr.
 * The syncs name a length that is not a constant: range syncs.  The
 * device local of the alloc function has no use left and goes. */
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
	short nmdesc;
};

struct srp_map_state {
	dma_addr_t base_dma_addr;
	u32 dma_len;
};

static int srp_exit_cmd_priv(struct Scsi_Host *shost, struct scsi_cmnd *cmd)
{
	struct srp_target_port *target = host_to_target(shost);
	struct srp_device *dev = target->srp_host->srp_dev;
	struct ib_device *ibdev = dev->dev;
	struct srp_request *req = scsi_cmd_priv(cmd);

	if (req->indirect_dma_addr) {
		ib_dma_unmap_single(ibdev, req->indirect_dma_addr,
				    target->indirect_size,
				    DMA_TO_DEVICE);
	}
	kfree(req->indirect_desc);

	return 0;
}

static int srp_init_cmd_priv(struct Scsi_Host *shost, struct scsi_cmnd *cmd)
{
	struct srp_target_port *target = host_to_target(shost);
	struct srp_device *srp_dev = target->srp_host->srp_dev;
	struct ib_device *ibdev = srp_dev->dev;
	struct srp_request *req = scsi_cmd_priv(cmd);
	dma_addr_t dma_addr;
	int ret = -ENOMEM;

	req->indirect_desc = kmalloc(target->indirect_size, GFP_KERNEL);
	if (!req->indirect_desc)
		goto out;

	dma_addr = ib_dma_map_single(ibdev, req->indirect_desc,
				     target->indirect_size,
				     DMA_TO_DEVICE);
	if (ib_dma_mapping_error(ibdev, dma_addr)) {
		srp_exit_cmd_priv(shost, cmd);
		goto out;
	}

	req->indirect_dma_addr = dma_addr;
	ret = 0;

out:
	return ret;
}

static int srp_map_idb(struct srp_target_port *target,
		       struct srp_request *req, struct scatterlist *idb_sg,
		       u32 idb_len)
{
	struct srp_map_state state;

	state.base_dma_addr = req->indirect_dma_addr;
	state.dma_len = idb_len;
	sg_init_one(idb_sg, req->indirect_desc, idb_len);
	idb_sg->dma_address = req->indirect_dma_addr; /* hack! */
	return srp_map_finish(&state);
}

static int srp_map_data(struct srp_target_port *target,
			struct srp_request *req, struct ib_device *ibdev,
			struct srp_indirect_buf *indirect_hdr, u32 table_len)
{
	ib_dma_sync_single_for_cpu(ibdev, req->indirect_dma_addr,
				   target->indirect_size, DMA_TO_DEVICE);
	memcpy(indirect_hdr->desc_list, req->indirect_desc, table_len);
	indirect_hdr->table_desc.va = cpu_to_be64(req->indirect_dma_addr);
	indirect_hdr->table_desc.len = cpu_to_be32(table_len);
	ib_dma_sync_single_for_device(ibdev, req->indirect_dma_addr, table_len,
				      DMA_TO_DEVICE);
	return 0;
}
