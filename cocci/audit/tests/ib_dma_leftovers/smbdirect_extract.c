// SPDX-License-Identifier: GPL-2.0
/*
 * Cut from fs/smb/client/smbdirect.c (Linux 6.12): the lkey cached in a ULP
 * struct field, set through a designated initializer, used through '.' and
 * '->', and a page mapping.
 */

struct smb_extract_to_rdma {
	struct ib_sge		*sge;
	unsigned int		nr_sge;
	unsigned int		max_sge;
	struct ib_device	*device;
	u32			local_dma_lkey;
	enum dma_data_direction	direction;
};

static int smbd_post_send_iter(struct smbd_connection *info,
			       struct iov_iter *iter)
{
	struct smbdirect_socket *sc = &info->socket;

	if (iter) {
		struct smb_extract_to_rdma extract = {
			.nr_sge		= 1,
			.max_sge	= SMBDIRECT_MAX_SEND_SGE,
			.sge		= request->sge,
			.device		= sc->ib.dev,
			.local_dma_lkey	= sc->ib.pd->local_dma_lkey,
			.direction	= DMA_TO_DEVICE,
		};

		rc = smb_extract_iter_to_rdma(iter, payload_len, &extract);
	}
	return rc;
}

static bool smb_set_sge(struct smb_extract_to_rdma *rdma,
			struct page *lowest_page, size_t off, size_t len)
{
	struct ib_sge *sge = &rdma->sge[rdma->nr_sge];
	u64 addr;

	addr = ib_dma_map_page(rdma->device, lowest_page,
			       off, len, rdma->direction);
	if (ib_dma_mapping_error(rdma->device, addr))
		return false;

	sge->addr   = addr;
	sge->length = len;
	sge->lkey   = rdma->local_dma_lkey;
	rdma->nr_sge++;
	return true;
}

static void smbd_lkey_copy(struct smb_extract_to_rdma extract,
			   struct ib_sge *sge)
{
	sge->lkey = extract.local_dma_lkey;
}
