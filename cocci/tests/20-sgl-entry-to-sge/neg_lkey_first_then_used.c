/* NEGATIVE: the lkey is stored first, but the sge is read or a function
 * is called before addr and length are filled: moving the fill up could
 * change what that code sees, so the function is left alone. */
static int reg_read_between(struct iser_device *device,
			    struct iser_data_buf *mem,
			    struct iser_mem_reg *reg)
{
	struct scatterlist *sg = mem->sg;

	reg->sge.lkey = device->pd->local_dma_lkey;
	iser_dbg("lkey=0x%x\n", reg->sge.lkey);
	reg->sge.addr = sg_dma_address(&sg[0]);
	reg->sge.length = sg_dma_len(&sg[0]);
	return 0;
}

static int reg_call_between(struct iser_device *device,
			    struct iser_data_buf *mem,
			    struct iser_mem_reg *reg)
{
	struct scatterlist *sg = mem->sg;

	reg->sge.lkey = device->pd->local_dma_lkey;
	reg->rkey = iser_pick_rkey(device);
	reg->sge.addr = sg_dma_address(&sg[0]);
	reg->sge.length = sg_dma_len(&sg[0]);
	return 0;
}
