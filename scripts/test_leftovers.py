import json
import shutil
from pathlib import Path

import pytest

import cocci_convert
import leftovers
import ulps
from conftest import git

FIXTURES = leftovers.AUDIT_RULE.parent / "tests" / leftovers.AUDIT_RULE.stem

MAINTAINERS = """\
INFINIBAND SUBSYSTEM
S:	Supported
F:	drivers/infiniband/
F:	include/rdma/

NVM EXPRESS DRIVER
S:	Supported
F:	drivers/nvme/host/

COMMON INTERNET FILE SYSTEM CLIENT (CIFS and SMB3)
S:	Supported
F:	fs/smb/client/

9P FILE SYSTEM
S:	Maintained
F:	net/9p/
"""

BROKEN = """\
static int good(struct ib_device *dev, void *p)
{
	return ib_dma_mapping_error(dev, 0);
}

static int broken(struct ib_device *dev, void *p)
{
	u64 a = ib_dma_map_single(dev, p, 16, DMA_TO_DEVICE) +;
	return a;
}
"""


@pytest.fixture
def audited_tree(kernel_shaped):
    layout = {
        "nvme_rdma_qe.c": "drivers/nvme/host/rdma.c",
        "smbdirect_extract.c": "fs/smb/client/smbdirect.c",
        "core_virt_map_sg.c": "drivers/infiniband/core/device.c",
    }
    for fixture, target in layout.items():
        (kernel_shaped / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / fixture, kernel_shaped / target)
    (kernel_shaped / "net/9p").mkdir(parents=True)
    (kernel_shaped / "net/9p/trans_rdma.c").write_text(BROKEN)
    (kernel_shaped / "include/rdma/ib_verbs.h").write_text(
        "static inline int ib_dma_mapping_error(struct ib_device *dev, "
        "u64 dma_addr)\n{\n\treturn dma_mapping_error(dev->dma_device, "
        "dma_addr);\n}\n")
    (kernel_shaped / "MAINTAINERS").write_text(MAINTAINERS)
    git(kernel_shaped, "add", "-A")
    git(kernel_shaped, "commit", "-q", "-m", "ulps")
    return kernel_shaped


def audit(root: Path, tmp_path: Path) -> leftovers.Audit:
    return leftovers.run_audit(root, "linux", "6.12.0", True,
                               cache_dir=tmp_path / "cache", jobs=2)


def test_audit_finds_every_site_and_keeps_unparsed_ones(audited_tree,
                                                        tmp_path):
    result = audit(audited_tree, tmp_path)
    totals = result.totals()
    assert totals == {"sites": 14, "calls": 7, "lkey_uses": 5,
                      "definitions": 1, "fields": 1, "not_audited": 1,
                      "files": 4}
    [missing] = result.not_audited
    assert (missing.file, missing.line, missing.use) == \
        ("net/9p/trans_rdma.c", 8, "ib_dma_map_single")
    assert "parse error" in missing.reason and "line 8" in missing.reason
    assert all(s.file != "include/rdma/ib_verbs.h" for s in result.sites)


def test_second_run_comes_from_the_cache_and_agrees(audited_tree, tmp_path):
    first = audit(audited_tree, tmp_path)
    second = audit(audited_tree, tmp_path)
    assert second.cached_files == second.files == 4
    assert second.sites == first.sites


def test_reports(audited_tree, tmp_path):
    result = audit(audited_tree, tmp_path)
    written = leftovers.write_reports(result, tmp_path / "reports")
    assert [p.name for p in written] == ["leftovers.txt", "leftovers.json",
                                         "summary.md", "wrapper-users.txt"]
    lines = (tmp_path / "reports/leftovers.txt").read_text().splitlines()
    assert lines == sorted(lines, key=lambda l: (l.split(":")[0],
                                                 int(l.split(":")[1])))
    assert "drivers/nvme/host/rdma.c:18: ib_dma_map_single — " \
        "nvme_rdma_alloc_qe — NVM EXPRESS DRIVER — map, error check, sync " \
        "or unmap of one buffer or page (convertible; no rule has " \
        "converted it)" in lines
    assert any(l.startswith("net/9p/trans_rdma.c:8: ib_dma_map_single — ? "
                            "— 9P FILE SYSTEM — ") and
               "[not audited: spatch parse error" in l for l in lines)

    data = json.loads((tmp_path / "reports/leftovers.json").read_text())
    assert data["totals"]["not_audited"] == 1
    site = next(s for s in data["sites"]
                if s["file"] == "fs/smb/client/smbdirect.c"
                and s["kind"] == "field")
    assert site == {"file": "fs/smb/client/smbdirect.c", "line": 13,
                    "column": 7, "use": "local_dma_lkey", "kind": "field",
                    "function": "struct smb_extract_to_rdma",
                    "subsystem": "COMMON INTERNET FILE SYSTEM CLIENT "
                                 "(CIFS and SMB3)",
                    "area": "ulp", "status": "audited", "reason": "",
                    "category": "lkey cached in a ULP struct field"}

    summary = (tmp_path / "reports/summary.md").read_text()
    assert "| NVM EXPRESS DRIVER | 3 | 1 | 0 | 0 |" in summary
    assert "| 9P FILE SYSTEM | 2 | 0 | 0 | 1 |" in summary
    assert "| **total** | **7** | **5** | **2** | **1** |" in summary
    assert "- `net/9p/trans_rdma.c:8` ib_dma_map_single: spatch parse " \
        "error" in summary
    assert "| lkey cached in ULP field local_dma_lkey | 2 | 2 |" in summary

    # every call blocks the deletion of the wrappers, the one spatch could
    # not parse too; the definition of ib_dma_virt_map_sg() does not
    users = (tmp_path / "reports/wrapper-users.txt").read_text().splitlines()
    calls = [s for s in result.sites if s.kind == "call"]
    assert len(users) == len(calls) == 7
    assert "net/9p/trans_rdma.c:8: ib_dma_map_single — ? — ULPs" in users
    assert not any(l.startswith("drivers/infiniband/core/device.c")
                   for l in users)
    assert "Blocked: 7 call(s) of the wrappers remain (ULPs 7); every one " \
        "is listed in `wrapper-users.txt`." in summary
    assert "| `ib_dma_mapping_error` | 3 |\n| `ib_dma_map_single` | 2 |" \
        in summary
    assert leftovers.terminal_summary(result).endswith(
        "deleting the ib_dma_* wrappers: blocked by 7 call(s), listed in "
        "wrapper-users.txt")


def test_converted_tree_reports_zero(kernel_shaped, tmp_path):
    result = audit(kernel_shaped, tmp_path)
    assert result.totals()["sites"] == 0
    summary = leftovers.summary_md(result)
    assert "| **total** | **0** | **0** | **0** | **0** |" in summary
    assert "Nothing calls them any more" in summary


# spatch's report of cocci/audit/dma_mismatch.cocci on 6.12's nvmet-rdma
MISMATCH_OUTPUT = (
    "drivers/nvme/target/rdma.c:266:3-20: MISMATCH unmaps with its length, "
    "which line 299 trims to min_t(int,len,PAGE_SIZE) after the map of "
    "PAGE_SIZE (line 295): not the mapped size\n"
    "drivers/nvme/target/rdma.c:308:3-20: MISMATCH unmaps with its length, "
    "which line 299 trims to min_t(int,len,PAGE_SIZE) after the map of "
    "PAGE_SIZE (line 295): not the mapped size\n")


def test_mismatches_become_the_category_of_their_site():
    found = leftovers.parse_mismatches(MISMATCH_OUTPUT)
    assert set(found) == {("drivers/nvme/target/rdma.c", 266, 3),
                          ("drivers/nvme/target/rdma.c", 308, 3)}
    site = leftovers.Site(file="drivers/nvme/target/rdma.c", line=266,
                          column=3, use="ib_dma_unmap_page", kind="call",
                          function="nvmet_rdma_free_inline_pages",
                          subsystem="NVM EXPRESS TARGET DRIVER", area="ulp")
    category = leftovers.categorize(site, {}, found)
    assert category.startswith(leftovers.MISMATCH_PREFIX)
    assert "trims to min_t" in category
    elsewhere = leftovers.Site(**{**site.__dict__, "line": 300})
    assert not leftovers.categorize(elsewhere, {}, found).startswith(
        leftovers.MISMATCH_PREFIX)


# smbdirect.c's negotiate request as 6.12 has it (fs/smb/client), the
# site at its first line, and a site of another buffer
SMBDIRECT_NEGOTIATE = """\
	request->num_sge = 1;
	request->sge[0].addr = ib_dma_map_single(
				sc->ib.dev, (void *)packet,
				sizeof(*packet), DMA_TO_DEVICE);
	if (ib_dma_mapping_error(sc->ib.dev, request->sge[0].addr)) {
		rc = -EIO;
		goto dma_mapping_failed;
	}
	response->addr = ib_dma_map_single(sc->ib.dev, buf, len,
					   DMA_FROM_DEVICE);
"""


def test_a_rule_s_reason_becomes_the_category_of_the_sites_it_left(
        tmp_path):
    """What rule 10 prints about the smb client's sge family (captured
    from spatch on 6.12's smbdirect.c), read by the driver's own parser,
    is the reason of the sites whose statement names the family; a site
    of another buffer keeps "no rule has converted it"."""
    path = "fs/smb/client/smbdirect.c"
    (tmp_path / path).parent.mkdir(parents=True)
    (tmp_path / path).write_text(SMBDIRECT_NEGOTIATE)
    kept = {"smb-client": cocci_convert.kept_reasons(
        ["rule 10: sge stays: its addr is set from addr at line 2408, not "
         "by a map the rule recognises\n"])}
    assert ulps.ulp_of(path) == "smb-client"

    def site(line, use):
        s = leftovers.Site(file=path, line=line, column=1, use=use,
                           kind="call", function="f",
                           subsystem="COMMON INTERNET FILE SYSTEM CLIENT",
                           area="ulp")
        s.category = leftovers.categorize(s, {})
        return s
    audit = leftovers.Audit(tree="t", root=str(tmp_path), version="6.12",
                            head="", files=1,
                            sites=[site(2, "ib_dma_map_single"),
                                   site(5, "ib_dma_mapping_error"),
                                   site(9, "ib_dma_map_single")])
    assert leftovers.attach_kept(audit, kept, tmp_path) == 2
    first, check, other = audit.sites
    assert first.category == (
        "left alone by rule 10: `sge` stays: its addr is set from addr at "
        "line 2408, not by a map the rule recognises")
    assert check.category == first.category
    assert other.category.endswith(leftovers.NO_RULE)
    # the summary counts them in one row per rule
    assert leftovers.table_category(first.category) == (
        "left alone by rule 10, which says why (each site in "
        "leftovers.txt): needs a human")
    assert leftovers.table_category(other.category) == other.category
