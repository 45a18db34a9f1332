"""sge_sync.decide on the facts of real ULP code (6.12)."""

from sge_sync import Facts, Map, Sync, decide, norm, whole_length


def srp() -> Facts:
    """drivers/infiniband/ulp/srp/ib_srp.c: srp_alloc_iu() maps iu->buf
    with its size parameter and stores iu->size = size; the rings are
    allocated with ch->max_ti_iu_len / ch->max_it_iu_len."""
    facts = Facts()
    facts.add_map("dma", Map("srp_alloc_iu", "iu->buf", "size", "iu"))
    facts.args[("srp_alloc_iu", "size")] = {
        ("srp_alloc_iu_bufs", "ch->max_ti_iu_len"),
        ("srp_alloc_iu_bufs", "ch->max_it_iu_len")}
    facts.add_member_store("size", "srp_alloc_iu", "size")
    facts.bounded.add(("srp_response_common", "iu->buf", "len"))
    facts.aliases[("srp_send_tsk_mgmt", "tsk_mgmt")] = {"iu->buf"}
    facts.bounded.add(("srp_send_tsk_mgmt", "tsk_mgmt",
                       norm("sizeof *tsk_mgmt")))
    return facts


def test_the_mapped_constant_is_whole():
    facts = Facts()
    facts.add_map("dma_addr", Map("iser_alloc", "rx_desc",
                                  "ISER_RX_PAYLOAD_SIZE", "rx_desc"))
    form, _ = decide("dma_addr", Sync("iser_task_rsp", "desc->dma_addr",
                                      "ISER_RX_PAYLOAD_SIZE", True, True),
                     facts)
    assert form == "whole"


def test_a_member_stored_with_the_mapped_length_is_whole():
    facts = Facts()
    facts.add_map("dma_addr", Map("rtrs_iu_alloc", "iu->buf", "size", "iu"))
    facts.add_member_store("size", "rtrs_iu_alloc", "size")
    sync = Sync("rtrs_clt_rkey_rsp_done", "iu->dma_addr", "iu->size", True,
                True)
    assert decide("dma_addr", sync, facts)[0] == "whole"
    # stored anything else somewhere: not the mapped length any more
    facts.add_member_store("size", "rtrs_resize", "new_size")
    assert decide("dma_addr", sync, facts)[0] == "leave"


def test_a_member_of_that_name_in_another_struct():
    """srp: iu->size only ever holds the mapped size; srp_create_fr_pool()
    stores pool->size = pool_size into a member of the same name."""
    facts = Facts()
    facts.add_map("dma", Map("srp_alloc_iu", "iu->buf", "size", "iu",
                             "srp_iu"))
    facts.add_member_store("size", "srp_alloc_iu", "size", "srp_iu")
    facts.add_member_store("size", "srp_create_fr_pool", "pool_size",
                           "srp_fr_pool")
    post = ("srp_post_recv", "iu->dma", "iu->size")
    assert whole_length("dma", *post, facts, "srp_iu")
    # the other store untyped: it may be into an srp_iu
    facts.add_member_store("size", "srp_resize", "new_size")
    assert not whole_length("dma", *post, facts, "srp_iu")


def test_the_size_callers_map_can_reach_the_mapped_size():
    """srp's rx IUs are synced with ch->max_ti_iu_len, renegotiated at
    every reconnect while the IUs stay: a range would fall outside and
    sync nothing; the whole sge covers what the original synced."""
    form, why = decide("dma", Sync("srp_recv_done", "iu->dma",
                                   "ch->max_ti_iu_len", True, True), srp())
    assert form == "whole" and "srp_alloc_iu" in why


def test_a_length_copied_into_the_buffer_is_a_range():
    assert decide("dma", Sync("srp_response_common", "iu->dma", "len",
                              True, False), srp())[0] == "range"
    # through a local that points at the buffer
    assert decide("dma", Sync("srp_send_tsk_mgmt", "iu->dma",
                              "sizeof *tsk_mgmt", False, False),
                  srp())[0] == "range"
    # the same length in another function proves nothing there
    form, why = decide("dma", Sync("srp_other", "iu->dma", "len", True,
                                   False), srp())
    assert form == "leave" and "srp_other()" in why


def test_a_received_byte_count_is_a_range_for_a_receive_buffer():
    facts = Facts()
    facts.add_map("rc_recv_dma", Map("svc_rdma_recv_ctxt_alloc", "buffer",
                                     "rdma->sc_max_req_size", "ctxt"))
    facts.received.add("rc_byte_len")
    sync = Sync("svc_rdma_recvfrom", "ctxt->rc_recv_dma",
                "ctxt->rc_byte_len", True, True)
    assert decide("rc_recv_dma", sync, facts)[0] == "range"
    assert decide("rc_recv_dma", Sync("f", "ctxt->rc_recv_dma",
                                      "wc->byte_len", True, True),
                  facts)[0] == "range"
    # not for a buffer the device reads
    to_device = Sync("svc_rdma_recvfrom", "ctxt->rc_recv_dma",
                     "ctxt->rc_byte_len", True, False)
    assert decide("rc_recv_dma", to_device, facts)[0] == "leave"


def test_the_length_of_an_sge_posted_from_it_is_a_range():
    """rtrs-clt: sge.addr = req->iu->dma_addr; sge.length = req->sg_size;
    then the sync for the device of req->sg_size."""
    facts = Facts()
    facts.add_map("dma_addr", Map("rtrs_iu_alloc", "iu->buf", "size", "iu"))
    facts.posted.add(("rtrs_clt_write_req", "req->iu->dma_addr",
                      "req->sg_size"))
    sync = Sync("rtrs_clt_write_req", "req->iu->dma_addr", "req->sg_size",
                False, False)
    assert decide("dma_addr", sync, facts)[0] == "range"


def test_an_unknown_length_leaves_the_field():
    facts = Facts()
    facts.add_map("dma", Map("ulp_map", "rx->buf", "size", "rx"))
    form, why = decide("dma", Sync("ulp_peek", "rx->dma", "len", True,
                                   True), facts)
    assert form == "leave" and "len" in why
    assert decide("other", Sync("f", "x->other", "n", True, True),
                  facts)[0] == "leave"


def test_one_name_in_two_structs_takes_the_maps_of_the_synced_one():
    """iser's tx and rx descriptors both call the field dma_addr, mapped
    with different constants."""
    facts = Facts()
    facts.add_map("dma_addr", Map("init_tx", "tx_desc", "ISER_HEADERS_LEN",
                                  "tx_desc", "iser_tx_desc"))
    facts.add_map("dma_addr", Map("alloc_rx", "rx_desc",
                                  "ISER_RX_PAYLOAD_SIZE", "rx_desc",
                                  "iser_rx_desc"))
    rx = Sync("task_rsp", "desc->dma_addr", "ISER_RX_PAYLOAD_SIZE", True,
              True, "iser_rx_desc")
    assert decide("dma_addr", rx, facts)[0] == "whole"
    untyped = Sync("task_rsp", "desc->dma_addr", "ISER_RX_PAYLOAD_SIZE",
                   True, True)
    assert decide("dma_addr", untyped, facts)[0] == "leave"


def test_a_size_passed_through_a_helper_and_a_local_of_it():
    """nvme-rdma: nvme_rdma_alloc_qe(ibdev, qe, capsule_size, dir) maps
    with capsule_size; nvme_rdma_alloc_ring() passes its own capsule_size
    on; the response ring is allocated with sizeof(struct
    nvme_completion); nvme_rdma_recv_done() syncs
    "const size_t len = sizeof(struct nvme_completion)"."""
    facts = Facts()
    facts.add_map("dma", Map("nvme_rdma_alloc_qe", "qe->data",
                             "capsule_size", "qe"))
    facts.params |= {("nvme_rdma_alloc_qe", "capsule_size"),
                     ("nvme_rdma_alloc_ring", "capsule_size")}
    facts.args[("nvme_rdma_alloc_qe", "capsule_size")] = {
        ("nvme_rdma_alloc_ring", "capsule_size"),
        ("nvme_rdma_alloc_admin_tag_set", "sizeof(struct nvme_command)")}
    facts.args[("nvme_rdma_alloc_ring", "capsule_size")] = {
        ("nvme_rdma_create_queue_ib", "sizeof(struct nvme_completion)")}
    facts.aliases[("nvme_rdma_recv_done", "len")] = {
        "sizeof(struct nvme_completion)"}
    sync = Sync("nvme_rdma_recv_done", "qe->dma", "len", True, True)
    assert decide("dma", sync, facts)[0] == "whole"
    # sizeof(*cmd) where spatch typed cmd as struct nvme_command *
    facts.sizeofs[("nvme_rdma_queue_rq", "sizeof(*cmd)")] = \
        "sizeof(struct nvme_command)"
    sqe = Sync("nvme_rdma_queue_rq", "sqe->dma", "sizeof(*cmd)", True,
               False)
    assert decide("dma", sqe, facts)[0] == "whole"
    # a local assigned twice is no one value
    facts.aliases[("nvme_rdma_recv_done", "len")].add("n")
    assert decide("dma", sync, facts)[0] == "leave"


def test_the_end_of_a_region_posted_at_an_offset_is_a_range():
    """srpt: the receive is posted at ioctx.dma + ioctx.offset with
    srp_max_req_size; srpt_handle_new_iu() syncs offset + that size."""
    facts = Facts()
    facts.add_map("dma", Map("srpt_alloc_ioctx", "ioctx->buf", "dma_size",
                             "ioctx"))
    facts.posted_ends.add(".offset+srp_max_req_size")
    sync = Sync("srpt_handle_new_iu", "recv_ioctx->ioctx.dma",
                "recv_ioctx->ioctx.offset + srp_max_req_size", True, True)
    assert decide("dma", sync, facts)[0] == "range"
    other = Sync("srpt_handle_new_iu", "recv_ioctx->ioctx.dma",
                 "recv_ioctx->ioctx.offset + 4096", True, True)
    assert decide("dma", other, facts)[0] == "leave"


def test_a_fill_drops_its_trim_only_for_exactly_the_mapped_length():
    from sge_sync import whole_length
    facts = srp()
    # srp_post_recv: list.length = iu->size, and iu->size only ever holds
    # the size srp_alloc_iu() maps
    assert whole_length("dma", "srp_post_recv", "iu->dma", "iu->size",
                        facts)
    # a sync with what the callers map is whole (it may cover more), but
    # a fill must post exactly what was asked: the trim stays
    assert decide("dma", Sync("srp_recv_done", "iu->dma",
                              "ch->max_ti_iu_len", True, True),
                  facts)[0] == "whole"
    assert not whole_length("dma", "srp_post_recv", "iu->dma",
                            "ch->max_ti_iu_len", facts)
    # a posted part of the buffer
    assert not whole_length("dma", "srp_post_send", "iu->dma", "len", facts)


def test_a_fill_of_a_field_mapped_with_two_lengths_keeps_its_trim():
    from sge_sync import whole_length
    # nvme-rdma: the qe is mapped with the completion's size (rsp ring)
    # and the command's (sqe); posting the command size needs the trim
    facts = Facts()
    facts.add_map("dma", Map("nvme_rdma_alloc_qe", "qe->data",
                             "sizeof(struct nvme_completion)", "qe"))
    facts.add_map("dma", Map("nvme_rdma_queue_rq", "req->sqe.data",
                             "sizeof(struct nvme_command)", "req->sqe"))
    assert not whole_length("dma", "nvme_rdma_post_send", "qe->dma",
                            "sizeof(struct nvme_command)", facts)
    one = Facts()
    one.add_map("dma", Map("nvme_rdma_queue_rq", "req->sqe.data",
                           "sizeof(struct nvme_command)", "req->sqe"))
    assert whole_length("dma", "nvme_rdma_post_send", "qe->dma",
                        "sizeof(struct nvme_command)", one)
