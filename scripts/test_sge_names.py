"""sge_names on the fields rule 30 converts in 6.12."""

from sge_names import kernel_doc_line, new_name


def test_names_say_what_the_field_holds():
    assert new_name("dma", {"dma", "buf", "size"}) == "sge"
    assert new_name("dma_addr", {"dma_addr", "tx_sg"}) == "sge"
    assert new_name("login_rsp_dma", set()) == "login_rsp_sge"
    assert new_name("pdu_buf_dma", set()) == "pdu_buf_sge"
    assert new_name("indirect_dma_addr", set()) == "indirect_sge"
    assert new_name("wr_tx_dma_addr", {"wr_tx_sges"}) == "wr_tx_sge"


def test_a_bus_address_holds_an_sge_too():
    assert new_name("busa", set()) == "sge"           # 9p's context


def test_a_taken_name_gives_way_to_the_mapped_buffer():
    # srp_iu has sge[]; smc_link has the pointer wr_tx_v2_sge
    assert new_name("dma", {"dma", "sge", "buf"}, {"iu -> buf"}) == \
        "buf_sge"
    assert new_name("wr_tx_v2_dma_addr", {"wr_tx_v2_sge"},
                    {"lnk -> wr_tx_v2_buf"}) == "wr_tx_v2_buf_sge"
    assert new_name("dma", {"sge"}, {"(void *) iu->buf"}) == "buf_sge"


def test_a_name_without_the_pattern_or_a_way_out_stays():
    assert new_name("dma", {"dma", "sge"}) is None    # no map seen
    assert new_name("dma", {"sge"}, {"iu->buf", "iu->data"}) is None
    assert new_name("dma", {"sge"}, {"(void *)rx_desc"}) is None
    assert new_name("dma", {"sge", "buf_sge"}, {"iu->buf"}) is None
    assert new_name("req_dma", {"req_sge"}) is None
    assert new_name("dmabuf", set()) is None


def test_the_kernel_doc_line_follows():
    assert kernel_doc_line(
        " * @dma_addr:      header buffer dma_address", "dma_addr", "sge") \
        == " * @sge:           header buffer sge"
    assert kernel_doc_line(" * @dma: DMA address of the buffer.", "dma",
                           "sge") == " * @sge: sge of the buffer."
    assert kernel_doc_line(" * @buf: the buffer", "dma", "sge") == \
        " * @buf: the buffer"


def test_a_description_says_sge():
    from sge_names import describe
    assert describe(" DMA address of wr_tx_bufs ") == " sge of wr_tx_bufs "
    assert describe(" v2 tx buf") == " v2 tx buf"
