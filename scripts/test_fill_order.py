"""fill_order: when an sge fill at an offset may become rdma_sge_part()."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fill_order  # noqa: E402


def test_constant_lengths_of_the_real_fills_fold():
    # isert's receive and login descriptors, srpt's requests, SMC's slots
    assert not fill_order.length_reads_sge("ISER_RX_PAYLOAD_SIZE", "rx_sg")
    assert not fill_order.length_reads_sge("srp_max_req_size", "list")
    assert not fill_order.length_reads_sge("SMC_WR_BUF_V2_SIZE - SMC_WR_TX_SIZE",
                                           "lnk->wr_rx_sges[x + 1]")


def test_a_length_that_reads_the_sge_does_not_fold():
    assert fill_order.length_reads_sge("sge.addr & 0xfff", "sge")
    assert fill_order.length_reads_sge("PAGE_SIZE - offset_in_page(x)", "sge")
    # through the variable the sge is reached by
    assert fill_order.length_reads_sge("lnk->wr_rx_cnt", "lnk->wr_rx_sges[x]")
    assert fill_order.length_reads_sge("rx_sg[1].length", "*rx_sg")


def test_a_call_in_the_length_does_not_fold():
    assert fill_order.length_reads_sge("isert_rx_len(desc)", "rx_sg")


def test_base_name():
    assert fill_order.base_name("*rx_sg") == "rx_sg"
    assert fill_order.base_name("lnk->wr_rx_sges[x]") == "lnk"
