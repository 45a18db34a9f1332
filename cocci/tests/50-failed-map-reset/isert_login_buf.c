// Shaped after isert_alloc_login_buf() in
// drivers/infiniband/ulp/isert/ib_isert.c (6.12) once rule 30 converted
// login_desc->dma_addr and login_rsp_dma.
static int
isert_alloc_login_buf(struct isert_conn *isert_conn,
		      struct ib_pd *pd)
{
	int ret;

	isert_conn->login_desc = kzalloc(sizeof(*isert_conn->login_desc),
			GFP_KERNEL);
	if (!isert_conn->login_desc)
		return -ENOMEM;

	ret = rdma_map_sge_single(pd, &isert_conn->login_desc->sge,
				  isert_conn->login_desc->buf, ISER_RX_SIZE,
				  DMA_FROM_DEVICE);
	if (ret) {
		isert_err("login_desc dma mapping error: %d\n", ret);
		isert_conn->login_desc->sge.addr = 0;
		goto out_free_login_desc;
	}

	isert_conn->login_rsp_buf = kzalloc(ISER_RX_PAYLOAD_SIZE, GFP_KERNEL);
	if (!isert_conn->login_rsp_buf) {
		ret = -ENOMEM;
		goto out_unmap_login_desc;
	}

	ret = rdma_map_sge_single(pd, &isert_conn->login_rsp_sge,
				  isert_conn->login_rsp_buf,
				  ISER_RX_PAYLOAD_SIZE, DMA_TO_DEVICE);
	if (ret) {
		isert_err("login_rsp_sge mapping error: %d\n", ret);
		isert_conn->login_rsp_sge.addr = 0;
		goto out_free_login_rsp_buf;
	}

	return 0;

out_free_login_rsp_buf:
	kfree(isert_conn->login_rsp_buf);
out_unmap_login_desc:
	rdma_unmap_sge(pd->device, &isert_conn->login_desc->sge,
		       DMA_FROM_DEVICE);
out_free_login_desc:
	kfree(isert_conn->login_desc);
	return ret;
}
