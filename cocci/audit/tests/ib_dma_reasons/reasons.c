// SPDX-License-Identifier: GPL-2.0
/*
 * Shapes cut from Linux 6.12 ULPs, each kept away from the conversion for a
 * different reason.
 */

/* net/rds/ib.h: the sge array lives in a ULP struct (type resolved). */
struct rds_ib_send_work {
	void			*s_op;
	struct ib_send_wr	s_wr;
	struct ib_sge		s_sge[RDS_IB_MAX_SGE];
	unsigned long		s_queued;
};

/* net/rds/ib_send.c: rds_ib_send_init_ring() */
void rds_ib_send_init_ring(struct rds_ib_connection *ic)
{
	struct rds_ib_send_work *send;
	u32 i;

	for (i = 0, send = ic->i_sends; i < ic->i_send_ring.w_nr; i++, send++) {
		struct ib_sge *sge;

		send->s_wr.sg_list = send->s_sge;
		sge = &send->s_sge[0];
		sge->addr = ic->i_send_hdrs_dma[i];
		sge->length = sizeof(struct rds_header);
		sge->lkey = ic->i_pd->local_dma_lkey;

		send->s_sge[1].lkey = ic->i_pd->local_dma_lkey;
	}
}

/* drivers/infiniband/ulp/isert/ib_isert.c: __isert_create_send_desc() */
static void
__isert_create_send_desc(struct isert_device *device,
			 struct iser_tx_desc *tx_desc)
{
	tx_desc->num_sge = 1;

	if (tx_desc->tx_sg[0].lkey != device->pd->local_dma_lkey) {
		tx_desc->tx_sg[0].lkey = device->pd->local_dma_lkey;
		isert_dbg("tx_desc %p lkey mismatch, fixing\n", tx_desc);
	}
}

/* drivers/infiniband/ulp/srp/ib_srp.c: add_target_store() */
static ssize_t add_target_store(struct device *dev,
				struct device_attribute *attr, const char *buf,
				size_t count)
{
	target->lkey		= host->srp_dev->pd->local_dma_lkey;
	target->global_rkey	= host->srp_dev->global_rkey;
	return count;
}

/* A ULP that posts with an MR's lkey when it has one. */
static void post_one(struct ulp_conn *conn, struct ib_sge *sge,
		     struct ib_mr *mr)
{
	sge->lkey = mr ? mr->lkey : conn->pd->local_dma_lkey;
}

/* fs/smb/client/smbdirect.c: smbd_post_send_iter() */
static int smbd_post_send_iter(struct smbd_connection *info,
			       struct iov_iter *iter)
{
	struct smb_extract_to_rdma extract = {
		.nr_sge		= 1,
		.device		= sc->ib.dev,
		.local_dma_lkey	= sc->ib.pd->local_dma_lkey,
		.direction	= DMA_TO_DEVICE,
	};

	return smb_extract_iter_to_rdma(iter, payload_len, &extract);
}

/* drivers/infiniband/ulp/rtrs/rtrs-srv.c: map_cont_bufs() */
static int map_cont_bufs(struct rtrs_srv_path *srv_path)
{
	nr_sgt = ib_dma_map_sg(srv_path->s.dev->ib_dev, sgt->sgl,
			       sgt->nents, DMA_BIDIRECTIONAL);
	if (!nr_sgt)
		return -EINVAL;
	mr = ib_alloc_mr(srv_path->s.dev->ib_pd, IB_MR_TYPE_MEM_REG, nr_sgt);
	if (IS_ERR(mr))
		return PTR_ERR(mr);
	nr = ib_map_mr_sg(mr, sgt->sgl, nr_sgt, NULL, max_chunk_size);
	return nr < nr_sgt ? -EINVAL : 0;
}

/* fs/smb/client/smbdirect.c: smbd_post_send_negotiate_req(), mapped in the
 * same function (the rule that converts it says why it did not) */
struct smbd_request {
	struct smbd_connection	*info;
	int			num_sge;
	struct ib_sge		sge[SMBDIRECT_MAX_SEND_SGE];
};

static int smbd_post_send_negotiate_req(struct smbd_connection *info,
					struct smbd_request *request,
					struct smbd_negotiate_req *packet)
{
	request->num_sge = 1;
	request->sge[0].addr = ib_dma_map_single(
				info->id->device, (void *)packet,
				sizeof(*packet), DMA_TO_DEVICE);
	if (ib_dma_mapping_error(info->id->device, request->sge[0].addr))
		return -EIO;

	request->sge[0].length = sizeof(*packet);
	request->sge[0].lkey = info->pd->local_dma_lkey;
	return 0;
}
