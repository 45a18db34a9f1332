/* Shaped after rds_ib_xmit_rdma() (net/rds/ib_send.c): the first sge of a
 * send is the first entry of the mapped op scatterlist. */
static int xmit_rdma(struct rds_ib_connection *ic, struct rm_rdma_op *op,
		     struct rds_ib_send_work *send)
{
	int i;

	i = ib_dma_map_sg(ic->i_cm_id->device, op->op_sg, op->op_nents,
			  op->op_write ? DMA_TO_DEVICE : DMA_FROM_DEVICE);
	if (!i)
		return -ENOMEM;

	/* Convert our struct scatterlist to struct ib_sge */
	send->s_sge[0].addr = sg_dma_address(op->op_sg);
	send->s_sge[0].length = sg_dma_len(op->op_sg);
	send->s_sge[0].lkey = ic->i_pd->local_dma_lkey;

	rdsdebug("rpa %Lx len %u\n", send->s_sge[0].addr,
		 send->s_sge[0].length);
	return 0;
}

/* the same through a pointer to the sge */
static void fill_first(struct queue *q, struct request *req,
		       struct scatterlist *sgl)
{
	struct ib_sge *sge = &req->sge[1];

	sge->addr = sg_dma_address(sgl);
	sge->length = sg_dma_len(sgl);
	sge->lkey = q->device->pd->local_dma_lkey;
	req->num_sge++;
}
