/* fs/smb/server/transport_rdma.c (6.12) after rule 20: the header sge is mapped with
 * ib_dma_map_single(), the data sges are filled from a scatterlist that
 * ib_dma_map_sg() mapped, and every sge is released one by one with
 * ib_dma_unmap_page(): memory mapped as a list, unmapped as pages.  The
 * sges of the family are not all the builders' own, so none of them
 * converts. */
static int smb_direct_create_header(struct smb_direct_transport *t,
				    struct smb_direct_sendmsg *sendmsg,
				    void *packet, int header_length)
{
	int ret;

	sendmsg->sge[0].addr = ib_dma_map_single(t->cm_id->device,
						 (void *)packet,
						 header_length,
						 DMA_TO_DEVICE);
	ret = ib_dma_mapping_error(t->cm_id->device, sendmsg->sge[0].addr);
	if (ret) {
		smb_direct_free_sendmsg(t, sendmsg);
		return ret;
	}

	sendmsg->num_sge = 1;
	sendmsg->sge[0].length = header_length;
	sendmsg->sge[0].lkey = t->pd->local_dma_lkey;
	return 0;
}

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

	sg_cnt = ib_dma_map_sg(t->cm_id->device, sg, sg_cnt, DMA_TO_DEVICE);
	if (sg_cnt <= 0)
		return -ENOMEM;

	for (j = 0; j < sg_cnt; j++) {
		sge = &msg->sge[msg->num_sge];
		rdma_fill_ib_sge_from_sgl(t->pd, sge, 1, &sg[j], 1);
		msg->num_sge++;
	}
	return 0;
}
