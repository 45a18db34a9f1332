"""Commit a conversion one subsystem at a time, as a maintainer would.

Files are grouped by the MAINTAINERS entry that owns them and by the
subject prefix their subsystem uses.  The prefix is learned from the tree's
own history where it has some (`git log --format=%s -- files`), and taken
from a table otherwise (Debian's tree is a single commit).
"""

import re
import subprocess
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import maintainers
import sites

# Subject prefixes the RDMA, NVMe, NFS, net and SMB trees use for these
# files, most specific path first.
PREFIX_TABLE = (
    ("drivers/infiniband/ulp/ipoib/", "IB/ipoib:"),
    ("drivers/infiniband/ulp/isert/", "IB/isert:"),
    ("drivers/infiniband/ulp/iser/", "IB/iser:"),
    ("drivers/infiniband/ulp/srpt/", "IB/srpt:"),
    ("drivers/infiniband/ulp/srp/", "IB/srp:"),
    ("drivers/infiniband/ulp/rtrs/", "RDMA/rtrs:"),
    ("drivers/nvme/host/", "nvme-rdma:"),
    ("drivers/nvme/target/", "nvmet-rdma:"),
    ("net/sunrpc/xprtrdma/svc_rdma", "svcrdma:"),
    ("net/sunrpc/xprtrdma/", "xprtrdma:"),
    ("net/rds/", "rds:"),
    ("net/smc/", "net/smc:"),
    ("net/9p/", "net/9p:"),
    ("fs/smb/client/", "smb: client:"),
    ("fs/smb/server/", "ksmbd:"),
)

_PREFIX = re.compile(r"^((?:[A-Za-z0-9_.+/-]+: ){1,2})(?=[a-zA-Z])")


_PROVIDER_DIR = re.compile(r"^drivers/infiniband/(?:hw|sw)/([^/]+)/")


def table_prefix(path: str) -> str:
    for start, prefix in PREFIX_TABLE:
        if path.startswith(start):
            return prefix
    provider = _PROVIDER_DIR.match(path)
    if provider:
        return f"RDMA/{provider.group(1)}:"
    return "RDMA:"


def subject_prefix_of(subject: str) -> str | None:
    if subject.startswith(("Revert", "Merge", "[")):
        return None
    match = _PREFIX.match(subject)
    return match.group(1).strip() if match else None


def learned_prefix(repo: Path, files: list[str], depth: int = 40
                   ) -> str | None:
    """The prefix most recent commits to these files used, if clear."""
    result = subprocess.run(
        ["git", "-c", f"safe.directory={repo}", "-C", str(repo), "log",
         "--no-merges", f"-n{depth}", "--format=%s", "--", *files],
        capture_output=True, text=True)
    if result.returncode != 0:
        return None
    counts = Counter(p for p in map(subject_prefix_of,
                                    result.stdout.splitlines()) if p)
    if not counts:
        return None
    prefix, count = counts.most_common(1)[0]
    return prefix if count >= 3 else None


@dataclass
class Group:
    subsystem: str
    prefix: str
    files: list[str] = field(default_factory=list)


def group_files(repo: Path, files: list[str],
                owners: maintainers.Maintainers) -> list[Group]:
    """One group per (MAINTAINERS entry, subject prefix), in path order."""
    keyed: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(files):
        keyed[(owners.subsystem(path), table_prefix(path))].append(path)
    groups = []
    for (subsystem, prefix), paths in keyed.items():
        groups.append(Group(subsystem, learned_prefix(repo, paths) or prefix,
                            paths))
    return sorted(groups, key=lambda g: g.files[0])


def identity(repo: Path) -> tuple[str, str] | None:
    """user.name and user.email as git sees them in the user's repository."""
    values = []
    for key in ("user.name", "user.email"):
        result = subprocess.run(["git", "-c", f"safe.directory={repo}", "-C",
                                 str(repo), "config", key],
                                capture_output=True, text=True)
        if result.returncode != 0 or not result.stdout.strip():
            return None
        values.append(result.stdout.strip())
    return values[0], values[1]


def api_calls_added(diff: str) -> list[str]:
    added = "\n".join(l for l in diff.splitlines() if l.startswith("+"))
    return sorted(set(re.findall(r"\b(rdma_(?:map|unmap|sync|fill)_\w+)\(",
                                 added)))


def count_sites(texts: dict[str, str]) -> tuple[int, int]:
    calls = lkeys = 0
    for path, text in texts.items():
        for site in sites.sites_in_text(path, text):
            if site.name == "local_dma_lkey":
                lkeys += 1
            else:
                calls += 1
    return calls, lkeys


def message(group: Group, diff: str, before: tuple[int, int],
            after: tuple[int, int], rules: list[str],
            signer: tuple[str, str]) -> str:
    calls = api_calls_added(diff)
    lists = [c for c in calls if c in LIST_CALLS]
    builders = [c for c in calls if c not in LIST_CALLS]
    converted_calls = before[0] - after[0]
    converted_lkeys = before[1] - after[1]
    subject = "use the ib_sge builders instead of ib_dma_* wrappers" \
        if builders or not lists else \
        "use rdma_map_sgl() instead of ib_dma_map_sg()"
    body = [f"{group.prefix} {subject}", ""]
    if builders or not lists:
        body += [
            f"Build the struct ib_sge with "
            f"{_listing(builders) or 'the ib_sge builders'} instead of "
            "wrapping the DMA API with ib_dma_*() and filling addr, length "
            "and lkey by hand. The builders always take the lkey from the "
            "pd, and they hide whether the device wants a DMA address or, "
            "for software devices such as rxe and siw, a kernel virtual "
            "address.",
            "",
        ]
    if lists:
        body += [
            f"Map scatterlists with {_listing(lists)} instead of "
            "ib_dma_map_sg() and ib_dma_unmap_sg(): the same dma_map_sg() "
            "and dma_unmap_sg() and the same return value for a hardware "
            "device. A software device gets nothing mapped and the DMA "
            "side of the list unset; nothing in the driver reads it (it "
            "calls no sg_dma_address(), sg_dma_len() or DMA page "
            "iterator), and "
            "ib_map_mr_sg() and rdma_fill_ib_sge_from_sgl() take a "
            "software device's entries from the page side.",
            "",
        ]
    if folded_release_loop(diff):
        body += [
            "The first sge of an array (a header, mapped single) and the "
            "others (pages) were released apart; rdma_unmap_sge() releases "
            "either kind of mapping, so they are released in one loop.",
            "",
        ]
    body += [
        "No functional change intended.",
        "",
        f"This removes {converted_calls} ib_dma_*() call(s) and "
        f"{converted_lkeys} local_dma_lkey reference(s); "
        f"{after[0]} call(s) and {after[1]} reference(s) remain in "
        f"{', '.join(group.files)}.",
        "",
        "The change was made with Coccinelle, using these semantic patches "
        "in order:",
        "",
        *[f"  {rule}" for rule in rules],
        "",
        f"Signed-off-by: {signer[0]} <{signer[1]}>",
    ]
    return wrap_body(body)


def folded_release_loop(diff: str) -> bool:
    """Whether rule 70 folded a release of sge 0 and a loop from 1 into
    one loop from 0: a loop from 1 removed, one from 0 over
    rdma_unmap_sge() added with the same index."""
    lines = diff.splitlines()
    removed = set(re.findall(r"^-\s*for \((\w+) = 1; \1 < ", diff, re.M))
    for line, after in zip(lines, lines[1:]):
        m = re.match(r"^\+\s*for \((\w+) = 0; \1 < ", line)
        if m and m[1] in removed and re.match(
                r"^\+\s*rdma_unmap_sge\(", after):
            return True
    return False


# the scatterlist calls of rule 60, described apart from the sge builders
LIST_CALLS = ("rdma_map_sgl", "rdma_unmap_sgl")


def _listing(calls: list[str]) -> str:
    names = [f"{c}()" for c in calls]
    return (", ".join(names[:-1]) + " and " + names[-1]
            if len(names) > 1 else "".join(names))


def provider_message(group: Group, provider: str, diff: str,
                     before: tuple[int, int], after: tuple[int, int],
                     proof: str, rule: str, signer: tuple[str, str]) -> str:
    """The commit message of a provider that calls the DMA API itself."""
    added = "\n".join(l for l in diff.splitlines() if l.startswith("+"))
    calls = sorted(set(re.findall(r"\b(dma_\w+)\(", added)))
    body = [
        f"{group.prefix} Call the DMA API instead of the ib_dma_* wrappers",
        "",
        f"{provider} registers its ib_device with a DMA device "
        f"({proof}), so ib_uses_virt_dma() is false for it and each "
        "ib_dma_*() wrapper it calls does exactly one thing: the DMA API "
        "call of the same name on ib_device->dma_device.  Make that call "
        "directly, as a driver for hardware that does real DMA should. The "
        "wrappers exist for the software devices (rxe, siw, rdmavt) and "
        "their users, and are to go once no one calls them.",
        "",
        "No functional change.",
        "",
        f"This removes {before[0] - after[0]} ib_dma_*() call(s), which "
        f"become {_listing(calls)}; {after[0]} remain in "
        f"{', '.join(group.files)}.",
        "",
        "The change was made with Coccinelle, using this semantic patch:",
        "",
        f"  {rule}",
        "",
        f"Signed-off-by: {signer[0]} <{signer[1]}>",
    ]
    return wrap_body(body)


def wrap_body(lines: list[str], width: int = 72) -> str:
    out = []
    for index, line in enumerate(lines):
        if index == 0 or line.startswith("  ") or line.startswith(
                "Signed-off-by:") or len(line) <= width:
            out.append(line)
            continue
        current = ""
        for word in line.split():
            if current and len(current) + 1 + len(word) > width:
                out.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        out.append(current)
    return "\n".join(out) + "\n"
