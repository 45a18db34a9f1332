/* fs/smb/server/transport_rdma.c (6.12): two structs name their sges
 * "sge".  The send message's sge[] array is filled from a mapped
 * scatterlist through a local struct ib_sge *sge and released page by
 * page (a pre-existing mismatch: that family stays).  The receive
 * message's sge is a plain member whose address is only posted, so no
 * pointer reaches it: it is its own family and converts. */
struct smb_direct_sendmsg {
	struct smb_direct_transport	*transport;
	struct ib_send_wr	wr;
	int			num_sge;
	struct ib_sge		sge[SMB_DIRECT_MAX_SEND_SGES];
	struct ib_cqe		cqe;
	u8			packet[];
};

struct smb_direct_recvmsg {
	struct smb_direct_transport	*transport;
	int			type;
	struct ib_sge		sge;
	struct ib_cqe		cqe;
	u8			packet[];
};

static void put_recvmsg(struct smb_direct_transport *t,
			struct smb_direct_recvmsg *recvmsg)
{
	if (likely(recvmsg->sge.length != 0)) {
		ib_dma_unmap_single(t->cm_id->device,
				    recvmsg->sge.addr,
				    recvmsg->sge.length,
				    DMA_FROM_DEVICE);
		recvmsg->sge.length = 0;
	}
}

static void recv_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct smb_direct_recvmsg *recvmsg;

	recvmsg = container_of(wc->wr_cqe, struct smb_direct_recvmsg, cqe);
	ib_dma_sync_single_for_cpu(wc->qp->device, recvmsg->sge.addr,
				   recvmsg->sge.length, DMA_FROM_DEVICE);
}

static int smb_direct_post_recv(struct smb_direct_transport *t,
				struct smb_direct_recvmsg *recvmsg)
{
	struct ib_recv_wr wr;
	int ret;

	recvmsg->sge.addr = ib_dma_map_single(t->cm_id->device,
					      recvmsg->packet, t->max_recv_size,
					      DMA_FROM_DEVICE);
	ret = ib_dma_mapping_error(t->cm_id->device, recvmsg->sge.addr);
	if (ret)
		return ret;
	recvmsg->sge.length = t->max_recv_size;
	recvmsg->sge.lkey = t->pd->local_dma_lkey;
	recvmsg->cqe.done = recv_done;

	wr.wr_cqe = &recvmsg->cqe;
	wr.next = NULL;
	wr.sg_list = &recvmsg->sge;
	wr.num_sge = 1;

	ret = ib_post_recv(t->qp, &wr, NULL);
	if (ret) {
		pr_err("Can't post recv: %d\n", ret);
		ib_dma_unmap_single(t->cm_id->device,
				    recvmsg->sge.addr, recvmsg->sge.length,
				    DMA_FROM_DEVICE);
		recvmsg->sge.length = 0;
		return ret;
	}
	return ret;
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
}

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
	if (ret)
		return ret;

	sendmsg->num_sge = 1;
	sendmsg->sge[0].length = header_length;
	sendmsg->sge[0].lkey = t->pd->local_dma_lkey;
	return 0;
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
