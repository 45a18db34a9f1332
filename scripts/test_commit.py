import subprocess

import commit
import maintainers
from conftest import git

MAINTAINERS = """\
NVM EXPRESS DRIVER
S:	Supported
F:	drivers/nvme/host/

NFS, SUNRPC, AND LOCKD CLIENTS
S:	Maintained
F:	net/sunrpc/

KERNEL NFSD, SUNRPC, AND LOCKD SERVERS
S:	Supported
F:	net/sunrpc/
"""


def test_subject_prefixes():
    assert commit.subject_prefix_of("nvme-rdma: fix a leak") == "nvme-rdma:"
    assert commit.subject_prefix_of("smb: client: fix a leak") == \
        "smb: client:"
    assert commit.subject_prefix_of("RDMA/srp: Fix x") == "RDMA/srp:"
    assert commit.subject_prefix_of('Revert "nvme-rdma: x"') is None
    assert commit.subject_prefix_of("Fix the build") is None


def test_prefix_is_learned_from_history(kernel_shaped):
    path = kernel_shaped / "drivers/nvme/host/rdma.c"
    path.parent.mkdir(parents=True)
    for n, subject in enumerate(["nvme-rdma: a", "nvme-rdma: b",
                                 "nvme: c", "nvme-rdma: d"]):
        path.write_text(f"int x = {n};\n")
        git(kernel_shaped, "add", "-A")
        git(kernel_shaped, "commit", "-q", "-m", subject)
    assert commit.learned_prefix(kernel_shaped,
                                 ["drivers/nvme/host/rdma.c"]) == "nvme-rdma:"
    # Too little history: the table decides.
    assert commit.learned_prefix(kernel_shaped, ["Makefile"]) is None


def test_groups_split_client_and_server_of_one_entry(kernel_shaped):
    owners = maintainers.Maintainers(kernel_shaped, MAINTAINERS)
    groups = commit.group_files(kernel_shaped, [
        "net/sunrpc/xprtrdma/verbs.c", "net/sunrpc/xprtrdma/svc_rdma_rw.c",
        "net/sunrpc/xprtrdma/svc_rdma_sendto.c",
        "drivers/nvme/host/rdma.c"], owners)
    assert [(g.prefix, g.files) for g in groups] == [
        ("nvme-rdma:", ["drivers/nvme/host/rdma.c"]),
        ("svcrdma:", ["net/sunrpc/xprtrdma/svc_rdma_rw.c",
                      "net/sunrpc/xprtrdma/svc_rdma_sendto.c"]),
        ("xprtrdma:", ["net/sunrpc/xprtrdma/verbs.c"])]


def test_message_says_what_and_why_and_signs_off():
    group = commit.Group("9P FILE SYSTEM", "net/9p:",
                         ["net/9p/trans_rdma.c"])
    diff = ("+\tif (rdma_map_sge_single(rdma->pd, &c->busa, buf, len,\n"
            "+\trdma_unmap_sge(dev, &c->busa, DMA_TO_DEVICE);\n"
            "-\tc->busa = ib_dma_map_single(dev, buf, len, dir);\n")
    text = commit.message(group, diff, (8, 2), (0, 0),
                          ["10-ib-sge-map.cocci"], ("A U Thor", "a@b.c"))
    lines = text.splitlines()
    assert lines[0] == "net/9p: use the ib_sge builders instead of " \
        "ib_dma_* wrappers"
    assert len(lines[0]) <= 75 and lines[1] == ""
    assert all(len(l) <= 72 for l in lines[1:] if not l.startswith(
        "Signed-off-by"))
    assert "rdma_map_sge_single() and rdma_unmap_sge()" in \
        " ".join(lines)
    assert "removes 8 ib_dma_*() call(s) and 2 local_dma_lkey" in \
        " ".join(lines)
    assert lines[-1] == "Signed-off-by: A U Thor <a@b.c>"
