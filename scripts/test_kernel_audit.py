"""The audit on the real default tree (Debian linux-source-6.12), checked
file by file against git grep itself."""

import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

import leftovers
import sites
from conftest import CACHE

pytestmark = pytest.mark.kernel


def git_grep_sites(root: Path) -> dict[str, Counter]:
    """git grep's own hits per file and line (git grep -o prints one line per
    match), minus comments, strings and the wrapper header."""
    found: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pattern in (sites.CALL_PATTERN, sites.LKEY_PATTERN):
        out = subprocess.run(["git", "-C", str(root), "grep", "-n", "-oP",
                              pattern, "--", "*.c", "*.h"],
                             capture_output=True, text=True,
                             check=True).stdout
        for line in out.splitlines():
            path, line_no, match = line.split(":", 2)
            if path != sites.WRAPPER_HEADER:
                found[path].append((int(line_no), match))
    code_only: dict[str, Counter] = {}
    for path, hits in found.items():
        text = (root / path).read_text(errors="replace")
        code = sites.strip_comments_and_strings(text).splitlines()
        kept = Counter()
        for line_no, match in hits:
            # As many of this line's matches as survive in the code.
            seen = kept[line_no]
            if code[line_no - 1].count(match) > seen:
                kept[line_no] += 1
        kept = +kept
        if kept:
            code_only[path] = kept
    return code_only


@pytest.fixture(scope="module")
def audit(default_tree):
    return leftovers.run_audit(default_tree, default_tree.name, "6.12",
                               True, cache_dir=CACHE / "spatch-results")


def test_every_grep_site_is_audited_file_by_file(audit, default_tree):
    expected = git_grep_sites(default_tree)
    reported: dict[str, Counter] = defaultdict(Counter)
    for site in audit.sites:
        assert site.status == "audited", site
        reported[site.file][site.line] += 1
    assert sorted(reported) == sorted(expected)
    for path in expected:
        assert reported[path] == expected[path], path


def test_spatch_classifies_every_site(audit):
    kinds = {s.kind for s in audit.sites}
    assert kinds <= {"call", "lkey", "definition", "field"}
    for site in audit.sites:
        if site.kind == "call":
            assert site.use.startswith("ib_dma_") and site.function != "?"
        assert site.subsystem and site.subsystem != "THE REST", site


def test_ulp_scope_dominates(audit):
    ulp = [s for s in audit.sites if s.area == "ulp"]
    assert len(ulp) > len(audit.sites) / 2
    assert {s.subsystem for s in ulp} >= {
        "NVM EXPRESS DRIVER", "NVM EXPRESS TARGET DRIVER",
        "RDS - RELIABLE DATAGRAM SOCKETS", "9P FILE SYSTEM",
        "SCSI RDMA PROTOCOL (SRP) INITIATOR", "KERNEL SMB3 SERVER (KSMBD)"}


def test_make_report_writes_the_three_files(default_tree, tmp_path):
    scripts = Path(leftovers.__file__).parent
    result = subprocess.run(
        [sys.executable, str(scripts / "rdma_sge.py"), "--cache", str(CACHE),
         "--reports", str(tmp_path), "report"],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    out_dir = tmp_path / default_tree.name
    data = json.loads((out_dir / "leftovers.json").read_text())
    lines = (out_dir / "leftovers.txt").read_text().splitlines()
    assert len(lines) == len(data["sites"]) == data["totals"]["sites"]
    match = re.search(r"^(\d+) ib_dma_\* calls, (\d+) local_dma_lkey uses",
                      result.stdout, re.M)
    assert match and int(match[1]) == data["totals"]["calls"]
    assert "| **total** |" in (out_dir / "summary.md").read_text()
    assert "INFINIBAND SUBSYSTEM" in result.stdout


def test_every_site_says_why_it_is_left(audit):
    for site in audit.sites:
        assert site.category, site
        if site.area == "ulp" and site.use in leftovers.SG_WRAPPERS:
            assert "scatterlist" in site.category, site
        if site.area in ("core", "provider") and site.kind in ("call",
                                                               "lkey"):
            assert "not a ULP" in site.category, site
    lkey_reasons = {s.category for s in audit.sites
                    if s.area == "ulp" and s.kind == "lkey"}
    assert any("sge filled by hand" in r for r in lkey_reasons)
