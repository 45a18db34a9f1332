// SPDX-License-Identifier: GPL-2.0-or-later
/* the count comes from a call; shaped after fs/smb/server/transport_rdma.c (6.12), once converted */
#include <rdma/ib_verbs.h>

struct smb_direct_sendmsg {
	int num_sge;
	struct ib_sge sge[8];
};

struct smb_direct_transport {
	struct rdma_cm_id *cm_id;
	mempool_t *sendmsg_mempool;
};

static void smb_direct_free_sendmsg(struct smb_direct_transport *t,
				    struct smb_direct_sendmsg *msg)
{
	int i;

	if (sendmsg_sges(msg) > 0) {
		rdma_unmap_sge(t->cm_id->device, &msg->sge[0], DMA_TO_DEVICE);
		for (i = 1; i < sendmsg_sges(msg); i++)
			rdma_unmap_sge(t->cm_id->device, &msg->sge[i],
				       DMA_TO_DEVICE);
	}
	mempool_free(msg, t->sendmsg_mempool);
}
