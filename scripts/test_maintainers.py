import maintainers

TEXT = """\
List of maintainers
===================

Descriptions of section entries and preferred order
	F: *Files* and directories with wildcard patterns.

3C59X NETWORK DRIVER
M:	Someone <someone@example.org>
S:	Odd Fixes
F:	drivers/net/ethernet/3com/3c59x.c

INFINIBAND SUBSYSTEM
M:	Jason Gunthorpe <jgg@nvidia.com>
L:	linux-rdma@vger.kernel.org
S:	Supported
T:	git git://git.kernel.org/pub/scm/linux/kernel/git/rdma/rdma.git
F:	drivers/infiniband/
F:	include/rdma/
X:	drivers/infiniband/hw/

MELLANOX MLX5 IB driver
S:	Supported
F:	drivers/infiniband/hw/mlx5/

SCSI RDMA PROTOCOL (SRP) INITIATOR
S:	Supported
F:	drivers/infiniband/ulp/srp/

NFS, SUNRPC, AND LOCKD CLIENTS
S:	Maintained
F:	net/sunrpc/

KERNEL NFSD, SUNRPC, AND LOCKD SERVERS
S:	Supported
F:	net/sunrpc/

NETWORKING [GENERAL]
S:	Maintained
T:	git git://git.kernel.org/pub/scm/linux/kernel/git/netdev/net.git
T:	git git://git.kernel.org/pub/scm/linux/kernel/git/netdev/net-next.git
F:	net/
F:	include/net/*.h

SMB DIRECT HEADER
S:	Maintained
N:	smbdirect

THE REST
F:	*
F:	*/
"""


def owners(path):
    return maintainers.Maintainers(None, TEXT).subsystem(path)


def test_preamble_is_not_an_entry():
    names = [e.name for e in maintainers.parse(TEXT)]
    assert names[0] == "3C59X NETWORK DRIVER"
    assert "List of maintainers" not in names


def test_most_specific_directory_wins():
    assert owners("drivers/infiniband/ulp/srp/ib_srp.c") == \
        "SCSI RDMA PROTOCOL (SRP) INITIATOR"
    assert owners("drivers/infiniband/ulp/ipoib/ipoib_ib.c") == \
        "INFINIBAND SUBSYSTEM"


def test_exclusion_drops_an_entry():
    assert owners("drivers/infiniband/hw/mlx5/mr.c") == \
        "MELLANOX MLX5 IB driver"
    assert owners("drivers/infiniband/hw/mlx4/mr.c") == "THE REST"


def test_ties_are_all_named():
    assert owners("net/sunrpc/xprtrdma/verbs.c") == \
        "NFS, SUNRPC, AND LOCKD CLIENTS + KERNEL NFSD, SUNRPC, AND LOCKD " \
        "SERVERS"


def test_file_pattern_is_depth_exact():
    assert owners("include/net/sock.h") == "NETWORKING [GENERAL]"
    assert maintainers.file_matches("include/net/sock.h", "include/net/*.h")
    assert not maintainers.file_matches("include/net/sub/x.h",
                                        "include/net/*.h")


def test_regex_pattern():
    assert owners("fs/smb/client/smbdirect.c") == "SMB DIRECT HEADER"


def test_entry_metadata():
    entry = maintainers.Maintainers(None, TEXT).owners(
        "drivers/infiniband/core/verbs.c")[0]
    assert entry.lists == ["linux-rdma@vger.kernel.org"]
    assert entry.trees[0].endswith("rdma/rdma.git")


def test_trees_come_from_the_most_specific_entry_that_names_one():
    m = maintainers.Maintainers(None, TEXT)
    # the SRP entry names no tree: its subsystem's
    assert m.trees("drivers/infiniband/ulp/srp/ib_srp.c") == [
        "git git://git.kernel.org/pub/scm/linux/kernel/git/rdma/rdma.git"]
    # net.git sits beside net-next.git: a conversion goes to -next
    assert m.trees("net/rds/ib_send.c") == [
        "git git://git.kernel.org/pub/scm/linux/kernel/git/netdev/"
        "net-next.git"]
    # the mlx5 entry names none, and INFINIBAND excludes hw/
    assert m.trees("drivers/infiniband/hw/mlx5/mr.c") == []
