/* Shaped after fs/smb/server/transport_rdma.c: "ret =" error form,
 * unlikely(), the mapped length stored again after other statements, a
 * reset of the length to 0 after the unmap. */
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

static int smb_direct_create_header(struct smb_direct_transport *t,
				    struct smb_direct_sendmsg *sendmsg,
				    void *packet, int header_length)
{
	sendmsg->sge[0].addr = ib_dma_map_single(t->cm_id->device,
						 (void *)packet,
						 header_length,
						 DMA_TO_DEVICE);
	if (unlikely(ib_dma_mapping_error(t->cm_id->device,
					  sendmsg->sge[0].addr))) {
		smb_direct_free_sendmsg(t, sendmsg);
		return -ENOMEM;
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

	for (i = 0; i < msg->num_sge; i++)
		ib_dma_unmap_single(t->cm_id->device,
				    msg->sge[i].addr, msg->sge[i].length,
				    DMA_TO_DEVICE);
}
