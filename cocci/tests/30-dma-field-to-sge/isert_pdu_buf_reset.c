/* isert's pdu_buf_dma: mapped and posted in the response paths, tested
 * against 0 and reset to 0 around its unmap, whose size comes from a
 * length member that nothing else reads (pdu_buf_len): it goes too, and
 * so does the device local of the inner block that only mapped. */
struct isert_device {
	struct ib_device *ib_device;
	struct ib_pd *pd;
};

struct isert_cmd {
	u32 read_stag;
	u64 pdu_buf_dma;
	u32 pdu_buf_len;
	struct iser_tx_desc tx_desc;
};

static void isert_completion_put(struct isert_cmd *isert_cmd,
				 struct ib_device *ib_dev)
{
	if (isert_cmd->pdu_buf_dma != 0) {
		ib_dma_unmap_single(ib_dev, isert_cmd->pdu_buf_dma,
				    isert_cmd->pdu_buf_len, DMA_TO_DEVICE);
		isert_cmd->pdu_buf_dma = 0;
	}
}

static int isert_put_response(struct isert_conn *isert_conn,
			      struct isert_cmd *isert_cmd, void *sense,
			      u32 pdu_len)
{
	isert_init_tx_hdrs(isert_conn, &isert_cmd->tx_desc);
	if (sense) {
		struct isert_device *device = isert_conn->device;
		struct ib_device *ib_dev = device->ib_device;
		struct ib_sge *tx_dsg = &isert_cmd->tx_desc.tx_sg[1];

		isert_cmd->pdu_buf_dma = ib_dma_map_single(ib_dev, sense,
							   pdu_len,
							   DMA_TO_DEVICE);
		if (ib_dma_mapping_error(ib_dev, isert_cmd->pdu_buf_dma))
			return -ENOMEM;

		isert_cmd->pdu_buf_len = pdu_len;
		tx_dsg->addr = isert_cmd->pdu_buf_dma;
		tx_dsg->length = pdu_len;
		tx_dsg->lkey = device->pd->local_dma_lkey;
		isert_cmd->tx_desc.num_sge = 2;
	}
	return 0;
}
