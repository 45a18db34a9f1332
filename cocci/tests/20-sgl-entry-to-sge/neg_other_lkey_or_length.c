/* NEGATIVE: an MR's lkey, an lkey chosen at run time, or a length that is
 * not the entry's DMA length: left alone, the audit reports the lkey. */
static void fill_mr(struct ctx *c, struct ib_sge *sge, struct scatterlist *sg,
		    struct ib_mr *mr)
{
	sge->addr = sg_dma_address(sg);
	sge->length = sg_dma_len(sg);
	sge->lkey = mr->lkey;
}

static void fill_runtime(struct ctx *c, struct ib_sge *sge,
			 struct scatterlist *sg, struct ib_mr *mr)
{
	sge->addr = sg_dma_address(sg);
	sge->length = sg_dma_len(sg);
	sge->lkey = mr ? mr->lkey : c->pd->local_dma_lkey;
}

static void fill_short(struct ctx *c, struct ib_sge *sge,
		       struct scatterlist *sg, u32 len)
{
	sge->addr = sg_dma_address(sg);
	sge->length = len;
	sge->lkey = c->pd->local_dma_lkey;
}
