"""sge_names on the fields rule 30 converts in 6.12."""

from sge_names import kernel_doc_line, new_name


def test_names_say_what_the_field_holds():
    assert new_name("dma", {"dma", "buf", "size"}) == "sge"
    assert new_name("dma_addr", {"dma_addr", "tx_sg"}) == "sge"
    assert new_name("login_rsp_dma", set()) == "login_rsp_sge"
    assert new_name("pdu_buf_dma", set()) == "pdu_buf_sge"
    assert new_name("indirect_dma_addr", set()) == "indirect_sge"
    assert new_name("wr_tx_dma_addr", {"wr_tx_sges"}) == "wr_tx_sge"


def test_a_name_without_the_pattern_or_a_taken_name_stays():
    assert new_name("busa", set()) is None           # 9p's context
    assert new_name("dma", {"dma", "sge"}) is None    # srp_iu has sge[]
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
