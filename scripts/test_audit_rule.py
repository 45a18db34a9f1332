"""Golden tests for cocci/audit/ib_dma_leftovers.cocci, Coccinelle style:
cocci/audit/tests/NAME.c is the input, NAME.report the expected report."""

import subprocess
from pathlib import Path

import pytest

import leftovers
import spatch

TESTS = leftovers.AUDIT_RULE.parent / "tests"
CASES = sorted(TESTS.glob("*.c"))


def run_rule(source: Path, mode: str) -> str:
    result = subprocess.run(
        [spatch.find_spatch(), *spatch.DEFAULT_OPTIONS, "-D", mode,
         "--sp-file", str(leftovers.AUDIT_RULE), source.name],
        cwd=source.parent, capture_output=True, text=True, check=True)
    return result.stdout


def sort_report(text: str) -> list[str]:
    def key(line):
        path, line_no, column, _ = line.split(":", 3)
        return path, int(line_no), int(column.split("-")[0])
    return sorted((l for l in text.splitlines() if l.strip()), key=key)


def test_there_are_cases():
    assert len(CASES) >= 3


@pytest.mark.parametrize("source", CASES, ids=lambda p: p.stem)
def test_report_matches_golden(source):
    expected = source.with_suffix(".report").read_text().splitlines()
    assert sort_report(run_rule(source, "report")) == expected


@pytest.mark.parametrize("source", CASES, ids=lambda p: p.stem)
def test_context_mode_stars_every_use(source):
    """make coccicheck MODE=context runs the same file: it stars the uses."""
    diff = run_rule(source, "context")
    starred = {l[1:] for l in diff.splitlines()
               if l.startswith("-") and not l.startswith("---")}
    lines = source.read_text().splitlines()
    uses = {lines[int(l.split(":")[1]) - 1]
            for l in source.with_suffix(".report").read_text().splitlines()
            if " call " in l or " lkey " in l}
    assert uses <= starred
    if not uses:
        assert starred == set()


def test_org_mode_lists_sites():
    source = TESTS / "nvme_rdma_qe.c"
    out = run_rule(source, "org")
    assert out.count("* TODO") == 4
