"""The upper-layer protocols the conversion is for: one table for the audit,
the conversion rules and the coverage count."""

# name -> paths in the tree: a directory (ends with "/") or a file.
ULPS = {
    "ipoib": ("drivers/infiniband/ulp/ipoib/",),
    "iser": ("drivers/infiniband/ulp/iser/",),
    "isert": ("drivers/infiniband/ulp/isert/",),
    "rtrs": ("drivers/infiniband/ulp/rtrs/",),
    "srp": ("drivers/infiniband/ulp/srp/",),
    "srpt": ("drivers/infiniband/ulp/srpt/",),
    "nvme-rdma": ("drivers/nvme/host/rdma.c",),
    "nvmet-rdma": ("drivers/nvme/target/rdma.c",),
    "xprtrdma": ("net/sunrpc/xprtrdma/",),
    "rds": ("net/rds/",),
    "smc": ("net/smc/",),
    "9p": ("net/9p/trans_rdma.c",),
    "smb-client": ("fs/smb/client/smbdirect.c", "fs/smb/client/smbdirect.h"),
    "smb-server": ("fs/smb/server/transport_rdma.c",
                   "fs/smb/server/transport_rdma.h"),
}

PATHS = tuple(p for paths in ULPS.values() for p in paths)


def ulp_of(path: str) -> str | None:
    """The ULP a tree-relative path belongs to, or None."""
    for name, paths in ULPS.items():
        for p in paths:
            if path == p or (p.endswith("/") and path.startswith(p)):
                return name
    return None


def header_globs(names) -> list[str]:
    """git pathspecs of the headers of the ULPs `names`."""
    globs = []
    for name in sorted(names):
        for p in ULPS[name]:
            if p.endswith("/"):
                globs.append(p + "*.h")
            elif p.endswith(".h"):
                globs.append(p)
    return globs
