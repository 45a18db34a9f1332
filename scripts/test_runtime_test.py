"""Tests for runtime_test.py; the real boot (three kernels, minutes) is
marked kernel and runtime."""

import gzip
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import runtime_test
from conftest import CACHE, CLI, REPORTS, TOOLKIT


def test_initramfs_is_a_cpio_with_init_tools_and_libraries(tmp_path):
    image = runtime_test.make_initramfs(tmp_path / "i.cpio.gz")
    listing = subprocess.run(["cpio", "-t", "--quiet"],
                             input=gzip.decompress(image.read_bytes()),
                             capture_output=True, check=True).stdout.decode()
    names = set(listing.split())
    assert {"init", "bin/busybox", "bin/sh", "bin/dd", "usr/bin/rdma",
            "usr/sbin/ip"} <= names
    for lib in runtime_test.libraries("/usr/bin/rdma"):
        assert lib.lstrip("/") in names, lib
    assert any("libmnl" in n for n in names)
    extracted = tmp_path / "x"
    extracted.mkdir()
    subprocess.run(["cpio", "-id", "--quiet"], cwd=extracted, check=True,
                   input=gzip.decompress(image.read_bytes()))
    assert (extracted / "init").read_bytes() == \
        runtime_test.GUEST_INIT.read_bytes()
    assert (extracted / "log_checks.sh").read_bytes() == \
        runtime_test.GUEST_LOG_CHECKS.read_bytes()
    assert (extracted / "bin/sh").is_symlink()
    # the guest's test programs, static: nothing to load in the guest
    for program in ("bin/rds_check", "bin/smc_check"):
        binary = extracted / program
        assert binary.read_bytes()[:4] == b"\x7fELF", program
        assert runtime_test.libraries(str(binary)) == [], program


def test_the_root_file_system_follows_the_busybox_archive(tmp_path):
    """What the kernel unpacks: the gzip'ed busybox cpio, zeroes up to a
    4-byte boundary, then the root file system's cpio as it is."""
    busybox = tmp_path / "b.cpio.gz"
    busybox.write_bytes(gzip.compress(runtime_test.cpio_newc(
        [("init", 0o100755, b"#!/bin/sh\n")])) + b"x")  # 1 odd byte
    rootfs = tmp_path / "rootfs.cpio"
    rootfs.write_bytes(runtime_test.cpio_newc(
        [("debian", 0o040755, b""),
         ("debian/etc", 0o040755, b"")]))
    image = runtime_test.with_rootfs(busybox, rootfs, tmp_path / "i.cpio")
    data = image.read_bytes()
    head = busybox.read_bytes()
    assert data.startswith(head)
    rest = data[len(head):]
    padding = -len(head) % 4
    assert padding and rest[:padding] == b"\0" * padding
    assert rest[padding:] == rootfs.read_bytes()
    listing = subprocess.run(["cpio", "-t", "--quiet"],
                             input=rest[padding:], capture_output=True,
                             check=True).stdout.decode().split()
    assert listing == ["debian", "debian/etc"]
    assert not list(tmp_path.glob("*.partial"))


def test_a_guest_program_that_does_not_build_is_one_clear_error(tmp_path):
    source = tmp_path / "broken.c"
    source.write_text("int main(void) { return missing; }\n")
    with pytest.raises(runtime_test.RuntimeError_,
                       match=r"cannot build the guest program broken\.c: "
                       r".*missing"):
        runtime_test.guest_program(source, tmp_path / "out")
    assert not list((tmp_path / "out").glob("broken-*"))


def test_parse_result_lines_and_crashes():
    ok = "boot\nRUNTIME rxe: PASS\n"
    assert runtime_test.parse_result(ok, "rxe") == (True, "")
    bad = "RUNTIME siw: FAIL 4k block 17 differs\n"
    assert runtime_test.parse_result(bad, "siw") == (False,
                                                     "4k block 17 differs")
    assert runtime_test.parse_result(ok, "siw")[0] is False
    # the console's first line starts with the firmware's escape codes
    first = "Booting from ROM..\x1bc\x1b[2JRUNTIME rxe: FAIL no KASAN\n"
    assert runtime_test.parse_result(first, "rxe") == (False, "no KASAN")
    panic = "Kernel panic - not syncing: panic_on_warn set ...\n"
    assert runtime_test.parse_result(panic, "rxe") == (
        False, "Kernel panic - not syncing: panic_on_warn set ...")


def test_debug_boots_with_panic_on_warn(tmp_path):
    plain = runtime_test.qemu_command(tmp_path / "bz", tmp_path / "i",
                                      "rxe", False)
    debug = runtime_test.qemu_command(tmp_path / "bz", tmp_path / "i",
                                      "siw", True)
    assert "panic_on_warn=1" not in plain[plain.index("-append") + 1]
    append = debug[debug.index("-append") + 1]
    assert "panic_on_warn=1" in append and "rdmadev=siw" in append
    assert "rdmadebug=1" in append
    # rxe through the DMA API: the test patch's parameter and bouncing
    dma = runtime_test.qemu_command(tmp_path / "bz", tmp_path / "i",
                                    "rxe_dma", True)
    append = dma[dma.index("-append") + 1].split()
    for word in ("rdmadev=rxe", "rdmarealdma=1", "rdma_rxe.real_dma=1",
                 "swiotlb=force", "rdmadebug=1"):
        assert word in append, word
    assert "panic_on_warn=1" not in append
    assert "swiotlb" not in debug[debug.index("-append") + 1]
    assert runtime_test.parse_result("RUNTIME rxe_dma: FAIL nothing was "
                                     "bounced through swiotlb\n",
                                     "rxe_dma") == (
        False, "nothing was bounced through swiotlb")


def test_runtime_test_before_convert_is_one_clear_error(kernel_shaped,
                                                        tmp_path):
    result = subprocess.run(
        [sys.executable, str(TOOLKIT / "scripts/rdma_sge.py"), "--kernel",
         str(kernel_shaped), "--cache", str(tmp_path / "c"), "--reports",
         str(tmp_path / "r"), "runtime-test"], capture_output=True,
        text=True)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "run `make convert` first" in lines[0]


@pytest.mark.kernel
@pytest.mark.runtime
def test_make_runtime_test_on_the_default_tree(converted, default_tree):
    """The debug guest kernel (KASAN, lockdep, DMA-API debugging) built
    from the work branch, booted on rxe, siw and rxe_dma: every run
    passes.  The control on the base runs only when a run fails."""
    result = subprocess.run([*CLI, "runtime-test", "--variants", "debug"],
                            capture_output=True, text=True, timeout=5400)
    out = result.stdout + result.stderr
    for run, ulps in (("rxe", "nvme srp rnbd nfs iser smb smc rds"),
                      ("siw", "nvme nfs smb"),
                      ("rxe_dma", "nvme srp nfs iser smb smc rds")):
        assert f"debug kernel, {run}: PASS {ulps} (" in out, out[-4000:]
        log = (REPORTS / default_tree.name / "runtime" /
               f"debug-{run}.log").read_text(errors="replace")
        # the KUnit suite built into this kernel stays off here
        assert "Subtest: rdma_sge" not in log, log[-2000:]
    # rxe_dma really went through the DMA API, bounced, with no error
    log = (REPORTS / default_tree.name / "runtime" /
           "debug-rxe_dma.log").read_text(errors="replace")
    assert "rxe0 maps through the DMA API" in log, log[-3000:]
    maps = re.search(r"DMA API: (\d+) maps at most at once, swiotlb (\d+) "
                     r"slabs at most, no error but (\d+) cache-line", log)
    assert maps and int(maps[1]) > 0 and int(maps[2]) > 0, log[-3000:]
    # the report (and the cover letter that quotes it) says what the kernel
    # carried besides the series
    report = (REPORTS / default_tree.name / "runtime.txt").read_text()
    assert ("debug kernel built with rxe-real-dma.patch, "
            "ib_srpt-sync.patch, svcrdma-sync.patch, smc-wr-sync.patch "
            "(not in the series"
            ) in report, report
    assert "control on the unconverted base: not run" in out
    # runtime.json, which make series reads for each batch's lines
    record = json.loads((REPORTS / default_tree.name /
                         "runtime.json").read_text())
    smb = {r["device"] for r in record["runs"]
           if r["ulps"].get("smb", [""])[0] == "PASS"}
    assert smb == {"rxe", "siw", "rxe_dma"}, record
    # the ULP x run table, from each ULP's own line in the guest's log
    cells = [re.split(r"\s{2,}", line.strip()) for line in
             report.splitlines() if line.startswith("  ")]
    rows = {c[0]: c[1:] for c in cells
            if c[0] in runtime_test.ULP_TESTS.values()}
    assert rows["NVMe-oF (nvme-rdma, nvmet-rdma)"] == ["PASS"] * 3, report
    assert rows["NFS/RDMA (xprtrdma, svcrdma)"] == ["PASS"] * 3, report
    assert rows["SMB Direct (cifs, ksmbd)"] == ["PASS"] * 3, report
    # SMC-R: not on siw (iWARP); bounced with smc-wr-sync.patch
    smc = rows["SMC-R (net/smc)"]
    assert smc[0] == smc[2] == "PASS", report
    assert smc[1].startswith("NOT RUNNABLE"), report
    rds = rows["RDS (rds_rdma)"]
    assert rds[0] == rds[2] == "PASS", report
    note = re.search(r"NOT RUNNABLE \[(\d+)\]", rds[1])
    assert note and f"  [{note[1]}] RDS's IB transport takes no iWARP " \
        "device" in report, report
    # iSER (open-iscsi logging ib_iser in to isert) on rxe and rxe_dma; siw
    # cannot listen on the port of the portal's TCP listener
    iser = rows["iSER (ib_iser, ib_isert)"]
    assert iser[0] == iser[2] == "PASS", report
    note = re.search(r"NOT RUNNABLE \[(\d+)\]", iser[1])
    assert note and f"  [{note[1]}] siw's listener cannot share the port " \
        "of the iSCSI/TCP portal" in report, report
    assert result.returncode == 0, out[-4000:]


@pytest.mark.kernel
@pytest.mark.runtime
def test_injected_defects_fail_on_rxe_dma_and_pass_on_rxe(converted,
                                                         default_tree):
    """make defect-test on the converted tree: the debug kernel rebuilt
    with a sync past a mapping (nvme-rdma), an unmap with half the mapped
    size (ib_srp) and a missing sync for the CPU (svcrdma) passes on rxe,
    which never reaches the DMA API, and fails each ULP on rxe_dma, where
    DMA-API debugging or the data check says why.  The debug kernel's
    source is left as make runtime-test wants it."""
    import defect_test
    result = subprocess.run([*CLI, "defect-test"], capture_output=True,
                            text=True, timeout=5400)
    out = result.stdout + result.stderr
    report = (REPORTS / default_tree.name / "runtime-defects.txt").read_text()
    rows = {c[0]: c[1:] for c in (re.split(r"\s{2,}", line.strip())
                                  for line in report.splitlines()
                                  if line.startswith("  ") and ": " not in line)}
    for ulp, patch in defect_test.DEFECTS.items():
        assert rows[ulp] == [patch.name, "PASS", "FAIL"], report
    said = dict(re.findall(r"^  (\w+) on rxe_dma: (.*)$", report, re.M))
    assert said["nvme"].startswith("DMA-API: ") and \
        "sync DMA memory it has not allocated" in said["nvme"], report
    assert "frees DMA memory with different size" in said["srp"], report
    assert said["nfs"].startswith("RUNTIME rxe_dma: FAIL nfs: "), report
    if "killed after" in said["nfs"]:
        # the defect's boot waits less than init.sh's default, as asked
        # on its kernel command line
        assert f"killed after {defect_test.NFS_DEFECT_WAIT} s" in \
            said["nfs"], report
    assert "every defect caught" in report and result.returncode == 0, \
        out[-4000:]
    # the debug source again has the test patches and no defect
    work = Path(json.loads((REPORTS / default_tree.name / "convert.json")
                           .read_text())["worktree"])
    src = CACHE / "runtime" / f"{work.name}-debug-src"
    changed = subprocess.run(["git", "-C", str(src), "diff", "--name-only"],
                             capture_output=True, text=True).stdout.split()
    assert not any(f in changed for f in ("drivers/nvme/host/rdma.c",
                                          "drivers/infiniband/ulp/srp/ib_srp.c",
                                          "net/sunrpc/xprtrdma/"
                                          "svc_rdma_recvfrom.c")), changed
    assert "drivers/infiniband/sw/rxe/rxe.c" in changed
    assert src.with_name(src.name + ".stamp").exists()


# ----------------------------------------------- the guest's log checks

# Kernel logs captured in the debug guest (dmesg at the end of the run,
# cut to the reports and a few lines around them): scripts/testdata/runtime
CAPTURED = TOOLKIT / "scripts" / "testdata" / "runtime"
# the busybox the initramfs is made of
BUSYBOX = runtime_test.BINARIES[0]


def guest_checks(tmp_path, log: str, commands: str, *, error_count=0,
                 disabled="N", **variables) -> subprocess.CompletedProcess:
    """Runs log_checks.sh under busybox sh, as the guest does, with dmesg
    answering the captured log and DMA-API debugging's debugfs files in a
    directory of the test's."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    for applet in ("sh", "cat", "grep", "sed", "awk", "sort", "uniq",
                   "head", "tail", "echo", "["):
        if not (bindir / applet).exists():
            (bindir / applet).symlink_to(BUSYBOX)
    (tmp_path / "dmesg.txt").write_text(log)
    dma_api = tmp_path / "dma-api"
    dma_api.mkdir(exist_ok=True)
    (dma_api / "disabled").write_text(f"{disabled}\n")
    (dma_api / "error_count").write_text(f"{error_count}\n")
    script = (f"dmesg() {{ cat {tmp_path / 'dmesg.txt'}; }}\n"
              'fail() { echo "FAIL $*"; exit 1; }\n'
              f". {runtime_test.GUEST_LOG_CHECKS}\n{commands}\n")
    env = {"PATH": str(bindir), "DMA_API": str(dma_api), **variables}
    return subprocess.run([BUSYBOX, "sh", "-c", script], env=env,
                          capture_output=True, text=True, timeout=60)


def test_converted_rxe_dma_log_passes_with_its_known_overlaps(tmp_path):
    log = (CAPTURED / "rxe_dma-converted-dmesg.log").read_text()
    overlaps = log.count("cacheline tracking EEXIST")
    assert overlaps >= 2
    done = guest_checks(tmp_path, log, 'checked srp; echo "ran=$ran"; '
                        'echo "sites=$(overlap_sites)"',
                        error_count=overlaps, rdmarealdma="1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ran=srp\n" in done.stdout
    assert f"sites=nvme_rdma_alloc_qe x{overlaps}\n" in done.stdout
    # one DMA-API error more than there are overlap reports fails
    done = guest_checks(tmp_path, log, "checked srp",
                        error_count=overlaps + 1, rdmarealdma="1")
    assert done.returncode == 1
    assert (f"FAIL srp: DMA-API debugging counted {overlaps + 1} error(s), "
            f"{overlaps} of them overlaps") in done.stdout
    # and so does DMA-API debugging turned off
    done = guest_checks(tmp_path, log, "checked srp", error_count=overlaps,
                        disabled="Y", rdmarealdma="1")
    assert "FAIL srp: DMA-API debugging turned itself off" in done.stdout
    # off rxe_dma an overlap report is a problem like any other WARNING
    done = guest_checks(tmp_path, log, "checked nvme")
    assert "FAIL nvme: kernel log reports a problem" in done.stdout
    assert "add_dma_entry" in done.stdout


def test_an_overlap_from_another_mapper_fails(tmp_path):
    """rnbd's client maps its IUs the way nvme-rdma maps completions; its
    overlap reports are not let through."""
    log = (CAPTURED / "rxe_dma-rtrs-overlap-dmesg.log").read_text()
    overlaps = log.count("cacheline tracking EEXIST")
    done = guest_checks(tmp_path, log, "checked rnbd",
                        error_count=overlaps, rdmarealdma="1")
    assert done.returncode == 1
    assert ("FAIL rnbd: DMA-API: a cache-line overlap mapped by "
            "rtrs_iu_alloc (not a known one)") in done.stdout


def test_base_srp_sync_outside_its_mapping_fails_in_srp_name(tmp_path):
    """6.12's ib_srp after the reconnect: 8260-byte syncs of IUs mapped
    with 276 bytes.  Caught by the log itself before the count."""
    log = (CAPTURED / "rxe_dma-base-srp-dmesg.log").read_text()
    done = guest_checks(tmp_path, log, "checked srp",
                        error_count=log.count("DMA-API: platform"),
                        rdmarealdma="1")
    assert done.returncode == 1
    assert "FAIL srp: kernel log reports a problem" in done.stdout
    assert ("device driver tries to sync DMA memory it has not allocated"
            in done.stdout)


def test_rds_lockdep_report_is_let_through_only_once_rds_ran(tmp_path):
    log = (CAPTURED / "rxe-rds-lockdep-dmesg.log").read_text()
    done = guest_checks(tmp_path, log, 'checked rds; echo "ran=$ran"',
                        rds_ran="1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ran=rds\n" in done.stdout
    # before RDS ran (a block ULP's check) the same report fails
    done = guest_checks(tmp_path, log, "checked nvme")
    assert "FAIL nvme: kernel log reports a problem" in done.stdout
    # and a second lockdep report is never let through
    done = guest_checks(tmp_path, log + log, "checked rds", rds_ran="1")
    assert "FAIL rds: kernel log reports a problem" in done.stdout


def test_rdma_chunks_reads_xprtrdma_counters(tmp_path):
    """The NFS part of the guest checks that the data went as RDMA READs
    and WRITEs (chunks), not inline, from the counters of the mount."""
    checks = {"writes": "nfs-mountstats-after-writes.txt",
              "reads": "nfs-mountstats-after-reads.txt"}
    got = {}
    for what, name in checks.items():
        done = guest_checks(tmp_path, "", f"rdma_chunks {CAPTURED / name}")
        assert done.returncode == 0, done.stderr
        got[what] = done.stdout.split()
    assert got == {"writes": ["133", "0"], "reads": ["0", "268"]}
    # no NFS mount over RDMA: nothing, which the guest takes for 0
    plain = tmp_path / "mountstats"
    plain.write_text("device proc mounted on /proc with fstype proc\n")
    done = guest_checks(tmp_path, "", f"rdma_chunks {plain}")
    assert done.returncode == 0 and done.stdout == ""


# ----------------------------------------------- the ULP x run table

def test_each_ulp_s_line_from_the_guest_functions(tmp_path):
    """begin, not_runnable and checked of log_checks.sh, under busybox sh
    with fail() as init.sh has it, make the lines parse_ulps reads: a
    ULP that passed, one that cannot run here and why, the one a failure
    is put down to; the ULPs after it get no line."""
    clean = "[    0.000000] Linux version 6.12.0\n"
    fail = ('fail() { [ -n "$ulp_now" ] && echo "RUNTIME $run $ulp_now: '
            'FAIL"; echo "RUNTIME $run: FAIL $*"; exit 1; }\n')
    done = guest_checks(tmp_path, clean,
                        fail + 'begin nvme; checked nvme; '
                        'not_runnable srp "siw_lo has no GID 0"; '
                        'begin nfs; fail "nfs: mount -o proto=rdma"; '
                        'begin rds; checked rds', run="siw")
    assert done.returncode == 1, done.stdout + done.stderr
    ulps = runtime_test.parse_ulps(done.stdout, "siw")
    assert ulps == {"nvme": ("PASS", ""),
                    "srp": ("NOT RUNNABLE", "siw_lo has no GID 0"),
                    "nfs": ("FAIL", "")}
    # another run's lines are not this run's
    assert runtime_test.parse_ulps(done.stdout, "rxe") == {}
    # a failure between two ULPs is no ULP's: the checked one passed
    between = guest_checks(tmp_path, clean, fail + 'begin nvme; '
                           'checked nvme; fail "rdma link add siw_lo"',
                           run="siw")
    assert runtime_test.parse_ulps(between.stdout, "siw") == {
        "nvme": ("PASS", "")}
    passed, detail = runtime_test.parse_result(done.stdout, "siw")
    assert (passed, detail) == (False, "nfs: mount -o proto=rdma")


def test_rdmaonly_picks_the_ulps_a_run_moves_data_over(tmp_path):
    """wanted of log_checks.sh: every ULP without rdmaonly=, else only
    those it lists (whole names: "nvme" is not "nvmet")."""
    clean = "[    0.000000] Linux version 6.12.0\n"
    ask = "for u in nvme srp rnbd nfs rds; do wanted $u && echo $u; done"
    every = guest_checks(tmp_path, clean, ask)
    assert every.stdout.split() == ["nvme", "srp", "rnbd", "nfs", "rds"]
    one = guest_checks(tmp_path, clean, ask, rdmaonly="srp")
    assert one.stdout.split() == ["srp"]
    two = guest_checks(tmp_path, clean, ask, rdmaonly="nfs,nvme")
    assert two.stdout.split() == ["nvme", "nfs"]
    assert guest_checks(tmp_path, clean, ask, rdmaonly="nvmet").stdout == ""


def test_a_failure_stands_over_what_the_ulp_said_before():
    console = ("RUNTIME siw rds: NOT RUNNABLE RDS's IB transport takes no "
               "iWARP device\nRUNTIME siw rds: FAIL\n"
               "RUNTIME siw: FAIL RDS: rds_check passed on siw\n")
    assert runtime_test.parse_ulps(console, "siw") == {"rds": ("FAIL", "")}


def test_the_table_has_a_row_per_ulp_and_a_column_per_run(tmp_path):
    def run(device, passed, ulps):
        return runtime_test.Run("debug", device, passed, "", 1.0,
                                tmp_path / f"{device}.log", ulps)
    why_srp = "siw_lo has no GID 0"
    runs = [run("rxe", True, {u: ("PASS", "") for u in
                              runtime_test.ULP_TESTS}),
            run("siw", True, {"nvme": ("PASS", ""),
                              "srp": ("NOT RUNNABLE", why_srp),
                              "rnbd": ("NOT RUNNABLE", "RTRS over siw"),
                              "nfs": ("PASS", ""),
                              "rds": ("NOT RUNNABLE", "iWARP")}),
            run("rxe_dma", False, {"nvme": ("PASS", ""),
                                   "srp": ("FAIL", "")})]
    lines = runtime_test.ulp_table(runs)
    assert lines[0] == "debug kernel:"
    header = lines[1]
    assert header.split() == ["ULP", "rxe", "siw", "rxe_dma"]

    def cells(table_lines):
        """label -> {run: cell}, cut at the header's column starts"""
        head = table_lines[0]
        starts = [head.index(name) for name in ("rxe", "siw", "rxe_dma")]
        out = {}
        for line in table_lines[1:]:
            out[line[:starts[0]].strip()] = {
                name: line[start:end].strip() for name, start, end in
                zip(("rxe", "siw", "rxe_dma"), starts,
                    [*starts[1:], None])}
        return out
    table = cells(lines[1:2 + len(runtime_test.ULP_TESTS)])
    assert set(table) == set(runtime_test.ULP_TESTS.values())
    assert table["SRP (ib_srp, ib_srpt)"] == {
        "rxe": "PASS", "siw": "NOT RUNNABLE [1]", "rxe_dma": "FAIL"}
    assert table["NFS/RDMA (xprtrdma, svcrdma)"] == {
        "rxe": "PASS", "siw": "PASS", "rxe_dma": "not reached"}
    assert f"  [1] {why_srp}" in lines
    assert "  [3] iWARP" in lines
    assert any(line.startswith("not covered: IPoIB: not runnable")
               for line in lines)
    # a run that passed without a word of a ULP: the guest lost a line
    runs[0].ulps.pop("rds")
    table = cells(runtime_test.ulp_table(runs)[
        1:2 + len(runtime_test.ULP_TESTS)])
    assert table["RDS (rds_rdma)"]["rxe"] == "no result"


def test_every_ulp_is_either_tested_or_said_why_not():
    """ULP_CODE names real ULPs (ulps.ULPS) for each test, and a ULP the
    toolkit converts that no test moves data over has a reason."""
    import ulps
    assert set(runtime_test.ULP_CODE) == set(runtime_test.ULP_TESTS)
    tested = {n for names in runtime_test.ULP_CODE.values() for n in names}
    assert tested <= set(ulps.ULPS)
    assert set(runtime_test.NOT_COVERED) <= set(ulps.ULPS)
    assert tested | set(runtime_test.NOT_COVERED) == set(ulps.ULPS)
    assert not tested & set(runtime_test.NOT_COVERED)


def test_a_batch_is_told_what_ran_over_its_own_code(tmp_path):
    """The cover letter's run-time lines for one batch: only the tests
    of its ULPs, from the debug kernel when it ran (not the converted
    one, never a base control), runs grouped by what they said, and
    the batch's ULPs no test covers with their reason."""
    def run(kernel, device, passed, ulps):
        return runtime_test.Run(kernel, device, passed, "", 1.0,
                                tmp_path / f"{kernel}-{device}.log", ulps)
    everything = {u: ("PASS", "") for u in runtime_test.ULP_TESTS}
    result = runtime_test.RuntimeResult(runs=[
        run("base-debug", "rxe_dma", False, {"nvme": ("FAIL", "")}),
        run("converted", "rxe", True, everything),
        run("debug", "rxe", True, everything),
        run("debug", "siw", True, {"srp": ("NOT RUNNABLE", "no GID 0"),
                                   "smb": ("PASS", "")}),
        run("debug", "rxe_dma", False, {"srp": ("FAIL", "")})])
    record = json.loads(json.dumps(runtime_test.runtime_json(result)))
    lines = runtime_test.lines_for_ulps(record, {"srpt", "smb-server", "ipoib"})
    assert lines == [
        "SRP (ib_srp, ib_srpt), debug kernel: PASS on rxe; not runnable "
        "on siw: no GID 0; FAIL on rxe_dma",
        "SMB Direct (cifs, ksmbd), debug kernel: PASS on rxe, siw; not "
        "reached on rxe_dma",
        "IPoIB: not tested at run time: "
        + runtime_test.NOT_COVERED["ipoib"][1]]
    # without the debug kernel the converted one speaks
    record["runs"] = [r for r in record["runs"] if r["kernel"] != "debug"]
    assert runtime_test.lines_for_ulps(record, {"nvmet-rdma"}) == [
        "NVMe-oF (nvme-rdma, nvmet-rdma), converted kernel: PASS on rxe"]


def test_the_ulp_lines_of_captured_consoles(tmp_path):
    """Consoles of the debug kernel in the guest (2026-12-06): siw, where
    SRP, RNBD and RDS cannot run, and rxe_dma on the kernel of the README's
    defect demonstration (the converted svcrdma's receive sync deleted),
    which fails in NFS, so RDS after it is not reached."""
    siw = (CAPTURED / "console-siw-debug.log").read_text()
    dma = (CAPTURED / "console-rxe_dma-svcrdma-sync-deleted.log").read_text()
    assert runtime_test.parse_result(siw, "siw") == (True, "nvme nfs")
    assert runtime_test.parse_result(dma, "rxe_dma") == (
        False, "nfs: mount -o proto=rdma")
    runs = [runtime_test.Run("debug", device, *runtime_test.parse_result(
        text, device), 1.0, tmp_path / device,
        runtime_test.parse_ulps(text, device))
        for device, text in (("siw", siw), ("rxe_dma", dma))]
    assert runs[0].ulps["srp"][0] == runs[0].ulps["rds"][0] == \
        "NOT RUNNABLE"
    assert runs[1].ulps["nfs"] == ("FAIL", "")
    table = [re.split(r"\s{2,}", line.strip())
             for line in runtime_test.ulp_table(runs)[
                 2:2 + len(runtime_test.ULP_TESTS)]]
    assert ["NFS/RDMA (xprtrdma, svcrdma)", "PASS", "FAIL"] in table
    assert ["RDS (rds_rdma)", "NOT RUNNABLE [4]", "not reached"] in table


def test_guests_boot_two_at_a_time_in_the_order_given():
    """runtime-test and defect-test start their guests through
    two_at_a_time(): in the order given, never more than two at once
    (nor more than jobs), each result under its own boot."""
    import threading
    running, most, started = 0, 0, []
    lock = threading.Lock()
    both = threading.Barrier(2, timeout=10)

    def boot_one(name):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            started.append(name)
        if name in ("rxe", "rxe_dma"):
            both.wait()  # the first two run side by side
        time.sleep(0.05)
        with lock:
            running -= 1
        return name.upper()

    done = runtime_test.two_at_a_time(["rxe", "rxe_dma", "siw", "x"],
                                      boot_one, jobs=8)
    assert done == {"rxe": "RXE", "rxe_dma": "RXE_DMA", "siw": "SIW",
                    "x": "X"}
    assert most == 2 and started[:2] == ["rxe", "rxe_dma"]
    running, most, started = 0, 0, []
    runtime_test.two_at_a_time(["a", "b", "c"], boot_one, jobs=1)
    assert most == 1 and started == ["a", "b", "c"]
