"""make defect-test: the outcome of each injected defect, its report, and
the defect patches themselves.  The real run (the debug kernel rebuilt
with the defects, booted on rxe and rxe_dma) is test_runtime_test.py's."""

import re
import subprocess
from pathlib import Path

import pytest

import defect_test
import runtime_test
import ulps

CAPTURED = Path(__file__).resolve().parent / "testdata" / "runtime"


def run(device: str, passed: bool, said: dict[str, str]) -> runtime_test.Run:
    return runtime_test.Run("defects", device, passed, "", 1.0, Path("x"),
                            {u: (s, "") for u, s in said.items()})


def test_caught_only_where_rxe_passes_and_rxe_dma_fails():
    plain = run("rxe", True, {"nvme": "PASS", "srp": "PASS", "nfs": "PASS"})
    real_dma = {"nvme": (run("rxe_dma", False, {"nvme": "FAIL"}), "why"),
                "srp": (run("rxe_dma", True, {"srp": "PASS"}), ""),
                "nfs": (run("rxe_dma", False, {}), "")}
    rows = {o.ulp: o for o in defect_test.outcomes(plain, real_dma)}
    assert rows["nvme"].caught and rows["nvme"].evidence == "why"
    assert not rows["srp"].caught            # rxe_dma let it through
    assert rows["nfs"].real_dma == "not reached" and not rows["nfs"].caught
    # a defect plain rxe already fails on proves nothing about rxe_dma
    broken = run("rxe", False, {"nvme": "FAIL"})
    [nvme] = defect_test.outcomes(broken, {"nvme": real_dma["nvme"]})
    assert nvme.plain == "FAIL" and not nvme.caught


def test_the_report_names_what_was_not_caught():
    plain = run("rxe", True, {"nvme": "PASS", "srp": "PASS"})
    result = defect_test.DefectResult(outcomes=defect_test.outcomes(plain, {
        "nvme": (run("rxe_dma", False, {"nvme": "FAIL"}),
                 "DMA-API: platform rxe: device driver syncs DMA memory "
                 "outside allocated range"),
        "srp": (run("rxe_dma", True, {"srp": "PASS"}), "")}))
    text = defect_test.report_txt(result)
    assert not result.passed
    cells = [re.split(r"\s{2,}", line.strip()) for line in text.splitlines()
             if line.startswith("  ") and ": " not in line]
    assert cells[1:] == [
        ["nvme", "nvme-rdma-sync-outside-the-mapping.patch", "PASS", "FAIL"],
        ["srp", "srp-unmap-with-another-size.patch", "PASS", "PASS"]]
    assert "  nvme on rxe_dma: DMA-API: platform rxe: device driver syncs" \
        in text
    assert text.rstrip().endswith(
        "NOT CAUGHT: srp (srp-unmap-with-another-size.patch: rxe PASS, "
        "rxe_dma PASS)")
    caught = defect_test.DefectResult(outcomes=result.outcomes[:1])
    assert caught.passed and "every defect caught" in \
        defect_test.report_txt(caught)
    assert not defect_test.DefectResult().passed


def test_evidence_from_a_captured_failed_run():
    """A real rxe_dma console whose NFS part failed (svcrdma's sync of a
    Read chunk's pages deleted): the guest's own FAIL line says why."""
    console = (CAPTURED / "console-rxe_dma-svcrdma-sync-deleted.log"
               ).read_text()
    assert defect_test.evidence(console) == \
        "RUNTIME rxe_dma: FAIL nfs: mount -o proto=rdma"
    # a DMA-API report comes first, but not DMA-API debugging's boot
    # lines nor a cache-line overlap (a real rxe_dma log of SRP on the base)
    dmesg = (CAPTURED / "rxe_dma-converted-dmesg.log").read_text()
    overlap = next(line for line in dmesg.splitlines()
                   if "cacheline tracking EEXIST" in line)
    report = (CAPTURED / "rxe_dma-base-srp-dmesg.log").read_text()
    assert defect_test.evidence("\n".join([*dmesg.splitlines()[:8],
                                            overlap, report, console])) == \
        ("DMA-API: platform rxe_real_dma.0.auto: device driver tries to sync "
         "DMA memory it has not allocated [device address=0x0000000067a84800]"
         " [size=8260 bytes]")
    assert defect_test.evidence("RUNTIME rxe: PASS nvme\n") == ""


def test_each_defect_is_a_described_patch_to_one_converted_ulp():
    """One patch per ULP the guest runs, each saying what it breaks and
    what should catch it, and changing one file of that ULP's table
    entry (ulps.py) by a few lines."""
    assert set(defect_test.DEFECTS) <= set(runtime_test.ULP_TESTS)
    for ulp, patch in defect_test.DEFECTS.items():
        text = patch.read_text()
        head, _, diff = text.partition("\n--- a/")
        assert "Injected defect" in head and "rxe_dma" in head, patch.name
        files = re.findall(r"^\+\+\+ b/(\S+)$", text, re.M)
        assert len(files) == 1, patch.name
        owner = ulps.ulp_of(files[0])
        assert owner is not None, (patch.name, files[0])
        changed = [line for line in diff.splitlines()[2:]
                   if line[:1] in "+-"]
        assert 0 < len(changed) <= 6, patch.name


def test_a_defect_that_does_not_apply_stops_with_its_name(tmp_path):
    """On a tree where the second defect does not apply, the first comes
    out again (the source is as it was) and the one error line names the
    patch that did not apply."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.c").write_text("int a(void)\n{\n\treturn 1;\n}\n")
    (src / "b.c").write_text("int b(void)\n{\n\treturn 2;\n}\n")
    subprocess.run(["git", "init", "-q", str(src)], check=True)
    good = tmp_path / "good.patch"
    good.write_text("Injected defect: a returns 0.\n\n"
                    "--- a/a.c\n+++ b/a.c\n@@ -1,4 +1,4 @@\n int a(void)\n"
                    " {\n-\treturn 1;\n+\treturn 0;\n }\n")
    stale = tmp_path / "stale.patch"
    stale.write_text("--- a/b.c\n+++ b/b.c\n@@ -1,4 +1,4 @@\n int b(void)\n"
                     " {\n-\treturn 3;\n+\treturn 0;\n }\n")
    assert defect_test.apply_defects(src, [good]) == [good]
    assert "return 0" in (src / "a.c").read_text()
    assert defect_test.remove_defects(src, [good])
    with pytest.raises(defect_test.DefectError) as err:
        defect_test.apply_defects(src, [good, stale])
    line = str(err.value)
    assert line.startswith("stale.patch does not apply to the converted "
                           "tree: ") and "\n" not in line
    assert (src / "a.c").read_text() == "int a(void)\n{\n\treturn 1;\n}\n"
