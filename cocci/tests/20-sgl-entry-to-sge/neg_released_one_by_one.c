/* fs/smb/server/transport_rdma.c (6.12): the data sges are filled from a
 * scatterlist that ib_dma_map_sg() mapped, and smb_direct_free_sendmsg()
 * releases every sge of the message with ib_dma_unmap_page().  The fill
 * stays as it is: the builder would hide the mismatch (the audit reports
 * it). */
static void smb_direct_free_sendmsg(struct smb_direct_transport *t,
				    struct smb_direct_sendmsg *msg)
{
	int i;

	if (msg->num_sge > 0) {
		ib_dma_unmap_single(t->cm_id->device,
				    msg->sge[0].addr, msg->sge[0].length,
				    DMA_TO_DEVICE);
		for (i = 1; i < msg->num_sge; i++)
			ib_dma_unmap_page(t->cm_id->device,
					  msg->sge[i].addr, msg->sge[i].length,
					  DMA_TO_DEVICE);
	}
	mempool_free(msg, t->sendmsg_mempool);
}

static int smb_direct_post_send_data(struct smb_direct_transport *t,
				     struct smb_direct_sendmsg *msg,
				     struct scatterlist *sg, int sg_cnt)
{
	struct ib_sge *sge;
	int j;

	for (j = 0; j < sg_cnt; j++) {
		sge = &msg->sge[msg->num_sge];
		sge->addr = sg_dma_address(&sg[j]);
		sge->length = sg_dma_len(&sg[j]);
		sge->lkey  = t->pd->local_dma_lkey;
		msg->num_sge++;
	}
	return 0;
}
