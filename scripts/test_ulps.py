import ulps


def test_a_directory_ulp_is_not_a_prefix_of_its_neighbour():
    assert ulps.ulp_of("drivers/infiniband/ulp/srpt/ib_srpt.c") == "srpt"
    assert ulps.ulp_of("drivers/infiniband/ulp/srp/ib_srp.h") == "srp"


def test_single_file_ulps_own_only_their_files():
    assert ulps.ulp_of("fs/smb/client/smbdirect.h") == "smb-client"
    assert ulps.ulp_of("fs/smb/client/cifsglob.h") is None
    assert ulps.ulp_of("drivers/nvme/host/rdma.c") == "nvme-rdma"
    assert ulps.ulp_of("drivers/nvme/host/core.c") is None


def test_header_globs_cover_directories_and_listed_headers():
    assert ulps.header_globs(["srp", "smb-server", "9p"]) == [
        "fs/smb/server/transport_rdma.h", "drivers/infiniband/ulp/srp/*.h"]
