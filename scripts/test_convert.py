"""make convert: unit tests of its git handling, and the real thing on the
default tree (marked kernel: it builds objects, a few minutes)."""

import json
import re
import time
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

import apply
import build
import cocci_convert
import convert
import tree
import ulp_fixes
from conftest import CACHE, CLI, REPORTS, changed_state, git, user_state

def test_dropping_a_commit_keeps_the_others(kernel_shaped, tmp_path):
    base = git(kernel_shaped, "rev-parse", "HEAD").strip()
    for name in ("a.c", "b.c", "c.c"):
        (kernel_shaped / name).write_text(f"/* {name} */\n")
        git(kernel_shaped, "add", name)
        git(kernel_shaped, "commit", "-q", "-m", f"convert {name}")
    git(kernel_shaped, "branch", "-q", "work")
    git(kernel_shaped, "checkout", "-q", "work")
    work = tree.WorkTree(kernel_shaped, "work", kernel_shaped, False)
    result = convert.ConvertResult(work=work, series_tip=base)
    result.commits = convert._commits_since(kernel_shaped, base)
    convert._drop_commits(kernel_shaped, base, {"b.c"}, result, print)
    assert [s for _, s in result.commits] == ["convert a.c", "convert c.c"]
    assert [s for _, s in result.dropped] == ["convert b.c"]
    assert not (kernel_shaped / "b.c").exists()
    assert git(kernel_shaped, "symbolic-ref", "HEAD").strip() == \
        "refs/heads/work"


def test_builds_are_reused_only_for_the_same_commit(tmp_path):
    """A run that converted nothing takes the last run's build results
    only when that run built the same HEAD on the same series tip, with
    the same compiler, objects and architectures, ran the checkers if
    this one does (and not if it does not), and dropped nothing."""
    work = tree.WorkTree(tmp_path, "work", tmp_path, False)
    record = tmp_path / "convert.json"
    builds = [{"source": "a.c", "subsystem": "A", "built": True,
               "baseline_warnings": [], "new_warnings": [], "errors": [],
               "uncompiled_lines": []}]
    arches = tuple(build.CROSS_ARCHES)
    missing = convert.arches_skipped(arches)
    arch_builds = [dict(builds[0], arch=arch, baseline_built=True)
                   for arch in build.CROSS_ARCHES if arch not in missing]
    last = {"head": "h1", "series_tip": "t1", "compiler": "gcc 12",
            "dropped": [], "builds": builds, "checkers": [],
            "arch_builds": arch_builds,
            "arch_skipped": missing}

    def reusable(nothing_to_do=True, sources=("a.c",), **change):
        record.write_text(json.dumps(dict(last, **change)))
        result = convert.ConvertResult(work=work, series_tip="t1",
                                       nothing_to_do=nothing_to_do,
                                       head="h1", compiler="gcc 12")
        return convert._reusable_builds(record, result, list(sources),
                                        arches)

    assert reusable() == (builds, [], arch_builds, last["arch_skipped"])
    assert reusable(nothing_to_do=False) is None
    assert reusable(head="h0") is None
    assert reusable(series_tip="t0") is None
    assert reusable(compiler="gcc 13") is None
    assert reusable(dropped=[["x", "y"]]) is None
    record.write_text(json.dumps({k: v for k, v in last.items()
                                  if k != "checkers"}))
    assert convert._reusable_builds(record, convert.ConvertResult(
        work=work, series_tip="t1", nothing_to_do=True, head="h1",
        compiler="gcc 12"), ["a.c"], arches) is None  # a run before the checkers
    assert reusable(sources=("a.c", "b.c")) is None
    # a run from before the other architectures were built, or one that
    # could not build an architecture this run can (or the other way)
    record.write_text(json.dumps({k: v for k, v in last.items()
                                  if k != "arch_builds"}))
    assert convert._reusable_builds(record, convert.ConvertResult(
        work=work, series_tip="t1", nothing_to_do=True, head="h1",
        compiler="gcc 12"), ["a.c"], arches) is None
    assert reusable(arch_skipped={a: "x" for a in build.CROSS_ARCHES
                                  if a not in missing}) is None
    if arch_builds:  # the records of an architecture are missing
        assert reusable(arch_builds=arch_builds[1:]) is None
    # a run that skips an architecture for another reason than the last
    if missing:
        assert reusable(arch_skipped={a: "not asked for (--arches)"
                                      for a in missing}) is None
    # a run asked to build fewer architectures than the last one built
    assert reusable() is not None
    assert convert._reusable_builds(record, convert.ConvertResult(
        work=work, series_tip="t1", nothing_to_do=True, head="h1",
        compiler="gcc 12"), ["a.c"], arches[1:]) is None
    # a run with sparse and coccicheck never takes one without (nor the
    # other way round)
    without = [convert.NO_CHECKERS]
    assert reusable(checkers=without) is None
    record.write_text(json.dumps(dict(last, checkers=without)))
    assert convert._reusable_builds(record, convert.ConvertResult(
        work=work, series_tip="t1", nothing_to_do=True, head="h1",
        compiler="gcc 12"), ["a.c"], arches, False) is not None
    record.write_text(json.dumps(last))
    assert convert._reusable_builds(record, convert.ConvertResult(
        work=work, series_tip="t1", nothing_to_do=True, head="h1",
        compiler="gcc 12"), ["a.c"], arches, False) is None
    record.write_text("{not json")
    assert convert._reusable_builds(record, convert.ConvertResult(
        work=work, series_tip="t1", nothing_to_do=True, head="h1",
        compiler="gcc 12"), ["a.c"], arches) is None


def test_an_object_broken_on_one_architecture_is_a_regression():
    """A converted object that built on an architecture at the series' tip
    and does not build there now is a regression (make convert drops the
    commits that touch it) and the summary says it built before; one that
    did not build there before either is not, and a core series object
    that does not build is reported but is no conversion's doing."""
    def record(source, arch, built, baseline_built, subsystem="ULP"):
        return convert.BuildRecord(
            source=source, subsystem=subsystem, built=built, arch=arch,
            baseline_built=baseline_built,
            errors=[] if built else [f"{source}:1:1: error: broken"])
    result = convert.ConvertResult(work=None, series_tip="t")
    result.core_builds = [convert.BuildRecord("core/sge.c", "core series",
                                              True)]
    result.arch_builds = [
        record("ulp/a.c", "i386", False, True),
        record("ulp/a.c", "arm64", True, True),
        record("ulp/b.c", "arm64", False, False),
        record("core/sge.c", "i386", False, None, "core series"),
    ]
    result.arch_skipped = {}
    assert convert.arch_regressions(result) == {"ulp/a.c"}
    text = "\n".join(convert.arch_lines(result))
    assert "i386: 0/2 objects built" in text
    assert "arm64: 1/2 objects built" in text
    assert "- i386: `ulp/a.o` DOES NOT BUILD (it did before the " \
        "conversion): `ulp/a.c:1:1: error: broken`" in text
    assert "- i386: `core/sge.o` DOES NOT BUILD: `core/sge.c:1:1: " \
        "error: broken`" in text
    result.arch_builds = result.arch_builds[1:2]
    result.arch_skipped = {"i386": "i686-linux-gnu-gcc is not installed"}
    assert convert.arch_regressions(result) == set()
    assert "i386: not built (i686-linux-gnu-gcc is not installed); " \
        "arm64: 1/1 objects built, no new warnings." in \
        "\n".join(convert.arch_lines(result))


def test_a_baseline_is_built_only_where_there_is_something_to_compare():
    """An object that builds without a diagnostic has no new warning
    whatever its baseline had: only objects with a compiler warning or
    error, a sparse warning, or that fail get a baseline build; and
    build.txt says "-" for a baseline that was not built, not 0."""
    def obj(source, built=True, *severities):
        return build.ObjectResult(source[:-2] + ".o", source, built, [
            build.Diagnostic(source, 1, 1, sev, "m") for sev in severities])
    built = {s: r for s, r in [
        ("clean.c", obj("clean.c")),
        ("warns.c", obj("warns.c", True, "warning")),
        ("fails.c", obj("fails.c", False, "error")),
        ("gone.c", obj("gone.c", False)),
        ("sparse.c", obj("sparse.c"))]}
    assert convert.needs_baseline(built) == ["fails.c", "gone.c", "warns.c"]
    assert convert.needs_baseline(built, {"sparse.c": ["w"], "clean.c": []}
                                  ) == ["fails.c", "gone.c", "sparse.c",
                                        "warns.c"]
    result = convert.ConvertResult(work=None, series_tip="t", builds=[
        convert.compared_record("clean.c", "ULP", None, built["clean.c"]),
        convert.compared_record("warns.c", "ULP", built["warns.c"],
                                built["warns.c"], baseline_built=True)])
    rows = convert.build_txt(result).splitlines()
    assert "clean.o  yes  -  0  0  -" in rows
    assert "warns.o  yes  1  0  0  -" in rows


def test_interrupted_run_leftovers_are_cleaned(kernel_shaped):
    git(kernel_shaped, "checkout", "-q", "-b", "work")
    git(kernel_shaped, "checkout", "-q", "--detach", "HEAD")
    (kernel_shaped / "Makefile").write_text("half-converted\n")
    (kernel_shaped / "new.c").write_text("x\n")
    messages = []
    convert.clean_leftovers_of_an_interrupted_run(kernel_shaped,
                                                  messages.append, "work")
    assert git(kernel_shaped, "status", "--porcelain") == ""
    assert git(kernel_shaped, "symbolic-ref", "HEAD").strip() == \
        "refs/heads/work"
    assert any("discarded" in m for m in messages)
    assert any("checked work out again" in m for m in messages)


def test_a_branch_converted_by_other_rules_is_not_converted_on_top(
        kernel_shaped, tmp_path):
    """The rules run on the work branch as it is: after a toolkit update,
    a re-run over code an older rule half converted says why it leaves it
    with reasons about converted code.  The work tree records which rules
    made its commits, and a run with other rules says so instead."""
    tip = git(kernel_shaped, "rev-parse", "HEAD").strip()
    wt = tmp_path / "wt"
    git(kernel_shaped, "worktree", "add", "-q", "-b", "rdma-sge/work",
        str(wt))
    # a branch at the series tip: nothing to be stale about
    assert not convert.rules_changed(wt, tip, "rules-1")
    convert.mark_rules(wt, tip, "rules-1", fresh=True)
    (wt / "a.c").write_text("/* converted */\n")
    git(wt, "add", "a.c")
    git(wt, "commit", "-q", "-m", "convert a.c")
    assert not convert.rules_changed(wt, tip, "rules-1")
    assert convert.rules_changed(wt, tip, "rules-2")
    # a run on top by the same rules keeps the record; other rules that
    # ran on top (no record before) do not write one
    convert.mark_rules(wt, tip, "rules-1", fresh=False)
    assert not convert.rules_changed(wt, tip, "rules-1")
    convert.mark_rules(wt, tip, "rules-2", fresh=False)
    assert convert.rules_changed(wt, tip, "rules-2")
    # the record is the worktree's own: the user's checkout has none
    assert git(kernel_shaped, "status", "--porcelain") == ""
    assert not convert.rules_changed(kernel_shaped, tip, "rules-2")
    assert convert.cocci_convert.rules_fingerprint() == \
        convert.cocci_convert.rules_fingerprint()


def test_the_fingerprint_changes_with_a_rule(tmp_path):
    rule = tmp_path / "10-x.cocci"
    rule.write_text("@@\n@@\n- a\n+ b\n")
    before = cocci_convert.rules_fingerprint([rule])
    rule.write_text("@@\n@@\n- a\n+ c\n")
    assert cocci_convert.rules_fingerprint([rule]) != before


@pytest.mark.kernel
def test_make_convert_end_to_end(converted, default_tree):
    # An interrupted first run (Ctrl-C while it commits or builds) stops
    # the make it started, and every compiler of it...
    assert converted.interrupted.returncode != 0
    assert "[build converted (W=1)]" in converted.interrupted.stdout
    assert converted.running_after_interrupt == []
    # ...then a run that finishes,
    first, second = converted.first, converted.second
    assert first.returncode == 0, first.stdout + first.stderr
    # and a second one that has nothing left to do.
    assert second.returncode == 0, second.stdout + second.stderr
    assert ", 0 new" in second.stdout
    # It builds nothing: the first run built this very commit.
    assert "(the last run's build of the same commit)" in second.stdout

    report = json.loads((REPORTS / default_tree.name /
                         "convert.json").read_text())
    work = Path(report["worktree"])
    subjects = [s for _, s in report["commits"]]
    assert subjects and len(subjects) == len(set(subjects))
    prefixes = [s.split(" use the ")[0] for s in subjects]
    assert len(prefixes) == len(set(prefixes))  # one commit per subsystem
    log = git(work, "log", "--format=%s", f"{report['series_tip']}..HEAD")
    assert log.splitlines()[::-1] == subjects
    # the fixes of pre-existing mismatches come first, as their own
    # commits; every other commit is a conversion by the rules
    fixes = {apply.patch_subject(p) for p in ulp_fixes.fix_patches()}
    assert [f["subject"] for f in report["fixes"]
            if f["applied"]] == subjects[:len(fixes)]
    assert set(subjects[:len(fixes)]) == fixes
    for sha, subject in report["commits"]:
        body = git(work, "log", "-1", "--format=%B", sha)
        assert "Signed-off-by: " in body
        assert ("Coccinelle" in body) == (subject not in fixes), subject
    # what the fixes are there for: the rules then convert all of the
    # two SMB Direct transports (6.12 has 27 and 18 lines with wrapper
    # calls or lkey uses in them; the rules alone leave the send paths)
    for rel in ("fs/smb/client/smbdirect.c", "fs/smb/server/transport_rdma.c"):
        left = re.findall(r"\bib_dma_\w+\(|local_dma_lkey",
                          (work / rel).read_text())
        assert left == [], (rel, left)

    assert report["builds"] and report["builds_reused"]
    for record in report["builds"]:
        assert record["built"], record
        assert record["new_warnings"] == [], record
        assert record["uncompiled_lines"] == [], record
    assert report["uncompiled"] == {}
    # The core series' own objects, built before anything was converted:
    # every C file the series' patches touch.
    touched = {line[len("+++ b/"):]
               for patch in apply.series_patches(apply.PATCHES_DIR)
               for line in patch.read_text().splitlines()
               if line.startswith("+++ b/") and line.endswith(".c")}
    assert "drivers/infiniband/core/sge.c" in touched
    assert sorted(r["source"] for r in report["core_builds"]) == \
        sorted(touched)
    assert all(r["built"] and not r["new_warnings"]
               for r in report["core_builds"]), report["core_builds"]
    # The same objects and the converted ones, built for i386 and arm64
    # (really: an ELF object of that machine) with no new warning.
    assert report["arch_skipped"] == {}
    for arch, machine in (("i386", (1, 3)), ("arm64", (2, 183))):
        mine = [r for r in report["arch_builds"] if r["arch"] == arch]
        assert sorted(r["source"] for r in mine) == sorted(
            {r["source"] for r in report["core_builds"] + report["builds"]})
        assert all(r["built"] and not r["new_warnings"] for r in mine), mine
        out = CACHE / "kbuild" / f"{work.name}-{arch}"
        obj = out / "drivers/infiniband/core/sge.o"
        header = obj.read_bytes()[:20]
        assert (header[4], int.from_bytes(header[18:20], "little")) == \
            machine, (arch, header)
    # i386 as asked: a 32-bit dma_addr_t, and the software devices' paths
    # (INFINIBAND_VIRT_DMA, which HIGHMEM turns off) compiled.
    config = (CACHE / "kbuild" / f"{work.name}-i386" / ".config").read_text()
    assert "CONFIG_ARCH_DMA_ADDR_T_64BIT=y" not in config
    assert "CONFIG_X86_PAE=y" not in config
    assert "CONFIG_INFINIBAND_VIRT_DMA=y" in config
    # The kernel's own checkers ran, and the conversion adds nothing to
    # what they say.
    assert any(c.startswith("sparse (") for c in report["checkers"])
    assert any(c.startswith("coccicheck: ") for c in report["checkers"])
    assert [r["sparse_new"] for r in report["builds"] if r["sparse_new"]] \
        == [] and report["coccicheck_new"] == []

    leftovers = json.loads((REPORTS / default_tree.name /
                            "leftovers.json").read_text())
    assert leftovers["totals"] == report["after"]
    assert report["after"]["calls"] < report["before"]["calls"]
    build_txt = (REPORTS / default_tree.name / "build.txt").read_text()
    assert len(build_txt.splitlines()) >= len(report["builds"]) + 1

    # Every struct the conversion changed is measured; a size change is
    # flagged, and iser's ring descriptor keeps its 256-byte stride (its
    # pad now counts the sge).
    # (iser and isert each declare a struct iser_rx_desc: by struct and
    # header, each measured in an object that includes its own header)
    layouts = {(entry["struct"], entry["file"]): entry
               for entry in report["layout"]}
    assert layouts, report["layout"]
    assert len(layouts) == len(report["layout"])
    for entry in layouts.values():
        before, after = entry["before"], entry["after"]
        if before and after and before["size"] != after["size"]:
            assert any(f.startswith(("grows by", "shrinks by"))
                       for f in entry["flags"]), entry
    rx = layouts.get(("iser_rx_desc",
                      "drivers/infiniband/ulp/iser/iscsi_iser.h"))
    if rx is not None:
        assert rx["before"]["size"] == rx["after"]["size"] == 256, rx
    isert_rx = layouts.get(("iser_rx_desc",
                            "drivers/infiniband/ulp/isert/ib_isert.h"))
    if isert_rx is not None:
        assert isert_rx["before"]["size"] > 256, isert_rx
    # No converted field keeps a name that says "DMA address".
    for entry in layouts.values():
        after = entry["after"] or {"members": {}}
        for name in entry["members"]:
            if name in after["members"] and after["members"][name][1] == 16:
                assert not name.endswith(("dma", "dma_addr")), entry

    # The providers that call a wrapper and register with a dma_device
    # call the DMA API, one commit each, which names the registration.
    assert report["providers_converted"], report["providers_converted"]
    for name, proof in report["providers_converted"].items():
        assert "ib_register_device() at drivers/infiniband/hw/" in proof
        [sha] = [sha for sha, subject in report["commits"]
                 if subject.startswith(f"RDMA/{name}: Call the DMA API")]
        assert proof.split(" passes ")[1] in " ".join(git(
            work, "log", "-1", "--format=%B", sha).split())
    # 6.12 keeps calls elsewhere: no commit deletes the wrappers, and the
    # report says why.
    assert report["wrappers_deleted"] == []
    assert "block it" in report["wrappers_kept"]
    assert not any("Remove the ib_dma_* wrappers" in s for s in subjects)

    # The checkout of the tree is exactly as it was.
    assert converted.checkout_after == converted.checkout_before


@pytest.mark.kernel
def test_the_deletion_is_built_and_a_broken_one_comes_off(
        converted, default_tree, monkeypatch):
    """Told that nothing calls the wrappers (the audit is bypassed: on 6.12
    ULPs still do), the deletion is committed and the files it touches and
    the core series' objects build without them, on x86_64, i386 and
    arm64; a deletion that breaks the build (a deliberately broken
    device.c, on every architecture or on i386 only) is taken off again."""
    report = json.loads((REPORTS / default_tree.name /
                         "convert.json").read_text())
    work = Path(report["worktree"])
    head = git(work, "rev-parse", "HEAD").strip()
    kbuild = build.work_tree_build(work, CACHE, 2, log=lambda m: None)
    arch_builds = convert._arch_builds_of(
        convert.ConvertResult(
            work=tree.WorkTree(work, report["branch"], work, False),
            series_tip=report["series_tip"],
            arch_builds=[convert.BuildRecord(**r)
                         for r in report["arch_builds"]],
            arch_skipped=report["arch_skipped"]),
        CACHE, 2, lambda m: None)
    assert [b.arch for b in arch_builds] == list(build.CROSS_ARCHES)
    device_o = "drivers/infiniband/core/device.o"

    def delete() -> convert.ConvertResult:
        result = convert.ConvertResult(
            work=tree.WorkTree(work, report["branch"], work, False),
            series_tip=report["series_tip"])
        result.after = SimpleNamespace(sites=[])
        result.core_builds = [convert.BuildRecord(**r)
                              for r in report["core_builds"]]
        convert._delete_wrappers(result, kbuild, ("A U Thor", "a@b.c"),
                                 lambda m: None, arch_builds)
        return result
    try:
        started = time.time()
        result = delete()
        assert "ib_dma_map_single" in result.wrappers_deleted, result
        for each in (kbuild, *arch_builds):  # built now, without them
            assert (each.out / device_o).stat().st_mtime > started, each.out
        assert git(work, "log", "-1", "--format=%s") == \
            "RDMA/core: Remove the ib_dma_* wrappers\n"
        assert git(work, "rev-parse", "HEAD~1").strip() == head
        assert sorted(git(work, "show", "--name-only", "--format=",
                          "HEAD").split()) == \
            ["drivers/infiniband/core/device.c",
             "drivers/infiniband/core/sge.c", "include/rdma/ib_verbs.h"]
        for path in ("include/rdma/ib_verbs.h",
                     "drivers/infiniband/core/sge.c"):
            assert "ib_dma_" not in (work / path).read_text(), path
        doc = subprocess.run(["perl", "scripts/kernel-doc", "-none", "-Wall",
                              "drivers/infiniband/core/sge.c"], cwd=work,
                             capture_output=True, text=True)
        assert doc.returncode == 0 and doc.stderr == "", doc.stderr
        git(work, "reset", "-q", "--hard", head)

        delete_virt_map_sg = convert.wrapper_removal.delete_virt_map_sg
        for broken, where in (("", ""), ("CONFIG_X86_32", " on i386")):
            monkeypatch.setattr(
                convert.wrapper_removal, "delete_virt_map_sg",
                lambda text, c=broken: delete_virt_map_sg(text) + (
                    f"\n#ifdef {c}\nint broken(void\n#endif\n" if c
                    else "\nint broken(void\n"))
            result = delete()
            assert result.wrappers_deleted == []
            assert result.wrappers_kept.startswith(
                f"the deletion does not build{where}: "
                "drivers/infiniband/core/device.c"), result.wrappers_kept
            assert git(work, "rev-parse", "HEAD").strip() == head
            assert git(work, "status", "--porcelain") == ""
    finally:
        git(work, "reset", "-q", "--hard", head)


@pytest.mark.kernel
def test_a_conversion_broken_only_on_i386_is_found(converted, default_tree):
    """A converted object that builds on x86_64 and arm64 but not on i386
    (a deliberately broken commit on the work branch) is a regression on
    i386 alone."""
    report = json.loads((REPORTS / default_tree.name /
                         "convert.json").read_text())
    work = Path(report["worktree"])
    head = git(work, "rev-parse", "HEAD").strip()
    source = next(r["source"] for r in report["builds"]
                  if r["source"].startswith("drivers/infiniband/ulp/"))
    try:
        with open(work / source, "a") as f:
            f.write("\nstatic_assert(sizeof(long) == 8);\n")
        git(work, "commit", "-q", "-a", "-m", "only 64-bit")
        records, skipped = convert.build_other_arches(
            tree.WorkTree(work, report["branch"], work, False),
            report["series_tip"], report["core_patches"], [], [source],
            SimpleNamespace(subsystem=lambda s: "ULP"), CACHE, 2,
            lambda m: None)
        assert skipped == {}
        by_arch = {r.arch: r for r in records}
        assert not by_arch["i386"].built and by_arch["i386"].baseline_built
        assert "static assertion failed" in by_arch["i386"].errors[0]
        assert by_arch["arm64"].built
        result = convert.ConvertResult(work=None, series_tip="t",
                                       arch_builds=records)
        assert convert.arch_regressions(result) == {source}
    finally:
        git(work, "reset", "-q", "--hard", head)


@pytest.mark.kernel
def test_make_test_leaves_the_users_work_branch_and_reports(
        converted, user_state_at_start):
    """make convert ran here in the tests' own cache: the user's work
    branch, build directories and reports are as they were (conftest
    checks it again when the session ends)."""
    assert converted.first.returncode == 0
    assert changed_state(user_state_at_start, user_state()) == []


@pytest.mark.kernel
def test_trees_where_the_core_series_does_not_build(default_tree, tmp_path):
    """A copy of the default tree, made unable to build the core series
    in two ways.  (1) struct ib_pd has no local_dma_lkey: the series
    applies, sge.c does not build, and make convert says so in one line
    with the compiler's first error, before it converts anything.  (2) Only
    the KUnit test cannot build (no kunit_device_register()): its patch is
    left out of the work branch and of the series, the conversion goes
    on (on a copy with 9p's transport as the one ULP to convert, without
    sparse and coccicheck, which the reports and the cover letter say),
    and a re-run keeps it out."""
    copy = tmp_path / "linux-copy"
    subprocess.run(["git", "clone", "-q", "--shared", "--single-branch",
                    "--no-tags", str(default_tree), str(copy)], check=True)
    cli = [*CLI, "--kernel", str(copy)]
    reports = REPORTS / copy.name

    def commit_edit(path: str, old: str, new: str) -> None:
        text = (copy / path).read_text()
        assert old in text
        (copy / path).write_text(text.replace(old, new))
        git(copy, "-c", "user.name=t", "-c", "user.email=t@t", "commit",
            "-q", "-am", f"edit {path}")

    try:
        field = "struct ib_pd {\n\tu32\t\t\tlocal_dma_lkey;"
        commit_edit("include/rdma/ib_verbs.h", field,
                    field.replace("local_dma_lkey", "dma_lkey"))
        done = subprocess.run([*cli, "convert"], capture_output=True,
                              text=True, timeout=1800)
        assert done.returncode == 2, done.stdout + done.stderr
        [line] = done.stderr.splitlines()
        assert line.startswith("rdma-sge: error: the core series does not "
                               "build on this tree, nothing converted: "
                               "drivers/infiniband/core/sge.c:"), line
        assert "local_dma_lkey" in line and "error:" in line
        assert "[convert (spatch)]" not in done.stdout

        # A new work branch (the build directory stays configured) on a
        # copy with one ULP left to convert, 9p's, to keep the test short.
        kernel = tree.open_tree(str(copy), CACHE, log=lambda m: None)
        tree.remove_work_tree(kernel, CACHE, log=lambda m: None)
        git(copy, "revert", "--no-edit", "HEAD")
        others = [str(f) for f in cocci_convert.scope_files(copy)
                  if "9p" not in str(f)]
        assert len(others) > 20
        git(copy, "rm", "-q", *others)
        commit_edit("include/kunit/device.h",
                    "struct device *kunit_device_register(struct kunit "
                    "*test, const char *name);",
                    "struct device *kunit_device_register_gone(struct "
                    "kunit *test, const char *name);")
        # only x86_64, no sparse or coccicheck: the other architectures
        # and the checkers are the end-to-end test's
        first = subprocess.run([*cli, "convert", "--arches",
                                "--no-checkers"],
                               capture_output=True, text=True, timeout=3600)
        assert first.returncode == 0, first.stdout + first.stderr
        record = json.loads((reports / "convert.json").read_text())
        # The KUnit suite is the last patch of the series.
        series = apply.series_patches(apply.PATCHES_DIR)
        kunit_patch = series[-1].name
        assert record["arch_builds"] == []
        assert record["arch_skipped"] == {
            arch: "not asked for (--arches)" for arch in build.CROSS_ARCHES}
        [(name, why)] = record["left_out"].items()
        assert name == kunit_patch and "kunit_device_register" in why
        assert record["core_patches"] == len(series) - 1 and record["commits"]
        summary = (reports / "summary.md").read_text()
        assert f"Left out of the core series on this tree: `{kunit_patch}" \
            in summary
        assert "Static checkers: sparse and coccicheck not run " \
            "(--no-checkers)." in summary
        assert "[sparse and coccicheck]" not in first.stdout
        second = subprocess.run([*cli, "convert", "--arches",
                                 "--no-checkers"],
                                capture_output=True, text=True, timeout=1800)
        assert second.returncode == 0, second.stdout + second.stderr
        assert ", 0 new" in second.stdout
        assert "(the last run's build of the same commit)" in second.stdout
        again = json.loads((reports / "convert.json").read_text())
        assert again["left_out"] == record["left_out"]
        assert again["series_tip"] == record["series_tip"]

        series = subprocess.run([*cli, "series"], capture_output=True,
                                text=True, timeout=1800)
        assert series.returncode == 0, series.stdout + series.stderr
        posted = sorted(p.name for p in (reports / "series").glob(
            "*.patch"))
        assert not any("KUnit" in n for n in posted), posted
        cover = (reports / "series" / posted[0]).read_text()
        assert "Left out of this posting: the core series' patch" in \
            cover.replace("\n", " ") and name in cover
        assert "sparse and coccicheck: NOT run (make convert " \
            "--no-checkers)" in cover.replace("\n", " ")
    finally:
        subprocess.run([*cli, "clean-work"], capture_output=True)
        shutil.rmtree(copy, ignore_errors=True)  # a whole kernel checkout
        shutil.rmtree(reports, ignore_errors=True)

def test_leaving_out_the_kunit_patch_keeps_the_rest(kernel_shaped):
    """The core series' commit that adds a KUnit test that does not build
    comes off the work branch; the API's commit and the conversions above
    stay, and the core series' tip is the API's commit."""
    repo = kernel_shaped
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "-b", "work")
    for path, subject in (("drivers/infiniband/core/sge.c", "core: API"),
                          ("drivers/infiniband/core/sge_kunit.c",
                           "core: KUnit"),
                          ("drivers/ulp/x.c", "ulp: convert")):
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(f"/* {subject} */\n")
        git(repo, "add", path)
        git(repo, "commit", "-q", "-m", subject)
    series_tip = git(repo, "rev-parse", "HEAD~1").strip()
    work = tree.WorkTree(repo, "work", repo, False)
    patches = [Path("0001-api.patch"), Path("0002-kunit.patch")]
    name, tip = convert._leave_out(work, series_tip, 2,
                                   "drivers/infiniband/core/sge_kunit.c",
                                   patches)
    assert name == "0002-kunit.patch"
    assert git(repo, "log", "--format=%s", f"{base}..HEAD").split("\n")[:2] \
        == ["ulp: convert", "core: API"]
    assert git(repo, "log", "-1", "--format=%s", tip).strip() == "core: API"
    assert not (repo / "drivers/infiniband/core/sge_kunit.c").exists()
    assert git(repo, "symbolic-ref", "HEAD").strip() == "refs/heads/work"
