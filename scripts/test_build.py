import build


def test_compiling_lines_of_kbuild_are_recognised():
    for line, target in (("  CC [M]  drivers/nvme/target/rdma.o",
                          "drivers/nvme/target/rdma.o"),
                         ("  CC      net/9p/trans_rdma.o",
                          "net/9p/trans_rdma.o")):
        assert build._COMPILING.match(line)["target"] == target
    assert build._COMPILING.match("  CPP     net/9p/trans_rdma.i") is None
    assert build._COMPILING.match("  LD [M]  net/9p/9pnet_rdma.o") is None


def test_parse_diagnostics_keeps_file_line_and_message(tmp_path):
    out = ("/src/net/9p/trans_rdma.c:120:5: warning: unused variable 'x' "
           "[-Wunused-variable]\n")
    [diag] = build.parse_diagnostics(out, tmp_path.parent / "src")
    assert (diag.line, diag.column, diag.severity) == (120, 5, "warning")
    assert diag.message.startswith("unused variable")
