"""Golden tests for the report-mode rules in cocci/audit/, Coccinelle style:
cocci/audit/tests/RULE/NAME.c is the input, NAME.report the expected
report of cocci/audit/RULE.cocci."""

import subprocess
from pathlib import Path

import pytest

import leftovers
import spatch

TESTS = leftovers.AUDIT_RULE.parent / "tests"
CASES = sorted(TESTS.glob("*/*.c"))
OPTIONS = {
    leftovers.AUDIT_RULE.stem: spatch.DEFAULT_OPTIONS,
    leftovers.REASONS_RULE.stem: [o for o in leftovers.REASONS_OPTIONS
                                  if o not in ("-D", "report")],
    leftovers.MISMATCH_RULE.stem: spatch.DEFAULT_OPTIONS,
}


def run_rule(source: Path, mode: str) -> str:
    rule = leftovers.AUDIT_RULE.parent / f"{source.parent.name}.cocci"
    result = subprocess.run(
        [spatch.find_spatch(), *OPTIONS[rule.stem], "-D", mode,
         "--sp-file", str(rule), source.name],
        cwd=source.parent, capture_output=True, text=True, check=True)
    return result.stdout


def sort_report(text: str) -> list[str]:
    def key(line):
        path, line_no, column, _ = line.split(":", 3)
        return path, int(line_no), int(column.split("-")[0])
    return sorted((l for l in text.splitlines() if l.strip()), key=key)


def test_every_rule_has_cases():
    rules = {p.stem for p in leftovers.AUDIT_RULE.parent.glob("*.cocci")}
    assert rules == set(OPTIONS)
    assert {c.parent.name for c in CASES} == rules


@pytest.mark.parametrize("source", CASES,
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_report_matches_golden(source):
    expected = source.with_suffix(".report").read_text().splitlines()
    assert sort_report(run_rule(source, "report")) == expected


LEFTOVER_CASES = [c for c in CASES
                  if c.parent.name == leftovers.AUDIT_RULE.stem]


@pytest.mark.parametrize("source", LEFTOVER_CASES, ids=lambda p: p.stem)
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
    source = TESTS / leftovers.AUDIT_RULE.stem / "nvme_rdma_qe.c"
    out = run_rule(source, "org")
    assert out.count("* TODO") == 4
