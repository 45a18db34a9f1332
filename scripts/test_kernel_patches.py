"""Checks on the kernel patch series in kernel-patches/ itself."""

import re
import subprocess
from pathlib import Path

import pytest

import apply
import build
import series
import sites
from conftest import CACHE, git

PATCHES = apply.PATCHES_DIR
API = ["rdma_map_sge_single", "rdma_map_sge_page", "rdma_unmap_sge",
       "rdma_sync_sge_for_cpu", "rdma_sync_sge_for_device",
       "rdma_sync_sge_range_for_cpu", "rdma_sync_sge_range_for_device",
       "rdma_fill_ib_sge_from_sgl", "rdma_sge_part", "rdma_map_sge_sgl",
       "rdma_unmap_sgl", "rdma_map_mr_sgl", "rdma_map_sgl",
       "rdma_map_sgtable", "rdma_unmap_sgtable"]
# static inline in include/rdma/ib_verbs.h, as the wrappers they replace:
# one test and one DMA API call on a completion's hot path
INLINE_API = ["rdma_unmap_sge", "rdma_sync_sge_for_cpu",
              "rdma_sync_sge_for_device", "rdma_sync_sge_range_for_cpu",
              "rdma_sync_sge_range_for_device"]


def series_text() -> str:
    return "".join(p.read_text() for p in apply.series_patches(PATCHES))


_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@")


def _apply_hunks(lines: list[str], body: list[str]) -> list[str]:
    """lines with the hunks of one file's diff applied, in order."""
    out, done, i = [], 0, 0
    while i < len(body):
        m = _HUNK.match(body[i])
        assert m, body[i]
        start = int(m[1]) - (0 if m[2] == "0" else 1)
        out += lines[done:start]
        done = start
        i += 1
        while i < len(body) and not body[i].startswith("@@"):
            tag, text = body[i][:1], body[i][1:]
            if tag in " -":
                assert lines[done] == text, (lines[done], text)
                done += 1
            if tag in " +":
                out.append(text)
            i += 1
    return out + lines[done:]


def added_file(path: str) -> str:
    """A file the series creates, as its last patch leaves it: the hunks
    of every patch for it applied in series order."""
    lines: list[str] = []
    touched = False
    for patch in apply.series_patches(PATCHES):
        text = patch.read_text()
        m = re.search(rf"^\+\+\+ b/{re.escape(path)}\n(.*?)(?=^diff |^-- \n)",
                      text, re.M | re.S)
        if not m:
            continue
        touched = True
        lines = _apply_hunks(lines, [line for line in m.group(1).splitlines()
                                     if line != "\\ No newline at end of file"])
    assert touched and lines, f"{path} not created by the series"
    return "".join(line + "\n" for line in lines)


def test_numbered_series_with_cover_letter():
    names = sorted(p.name for p in PATCHES.glob("*.patch"))
    assert names[0] == "0000-cover-letter.patch"
    numbers = [int(n[:4]) for n in names]
    assert numbers == list(range(len(names)))
    total = len(names) - 1
    for i, name in enumerate(names):
        head = (PATCHES / name).read_text().split("\n\n", 1)[0]
        # as git format-patch numbers them: 01/10 from ten patches on
        assert f"[PATCH {i:0{len(str(total))}d}/{total}]" in head


def test_commit_messages():
    for patch in apply.series_patches(PATCHES):
        text = patch.read_text()
        message = text.split("\n---\n", 1)[0]
        # RDMA/core:, or the driver's prefix for a patch to one driver
        touched = set(re.findall(r"^diff --git a/drivers/infiniband/"
                                 r"(?:sw|hw)/(\w+)/", text, re.M))
        files = re.findall(r"^diff --git a/", text, re.M)
        prefixes = [f"RDMA/{touched.pop()}: "] if len(touched) == 1 and \
            len(files) == len(re.findall(r"^diff --git a/drivers/infiniband/"
                                         r"(?:sw|hw)/", text, re.M)) \
            else ["RDMA/core: "]
        # a patch to one part of the core may name it, as RDMA/rw: for
        # rw.c or RDMA/mad: for mad.c and mad_priv.h
        core = set(re.findall(r"^diff --git a/drivers/infiniband/core/"
                              r"([a-z]+)\w*\.[ch] ", text, re.M))
        if len(core) == 1 and len(files) == len(re.findall(
                r"^diff --git a/drivers/infiniband/core/", text, re.M)):
            prefixes.append(f"RDMA/{core.pop()}: ")
        assert apply.patch_subject(patch).startswith(tuple(prefixes)), \
            patch.name
        assert re.search(r"^Signed-off-by: .+ <.+@.+>$", message, re.M)
        for word in ("toolkit", "coccinelle", "spatch", "pytest"):
            assert word not in message.lower(), (patch.name, word)


def test_cover_letter():
    text = (PATCHES / "0000-cover-letter.patch").read_text()
    assert "*** SUBJECT HERE ***" not in text
    assert "*** BLURB HERE ***" not in text
    assert "https://lore.kernel.org/r/20201104155255.GR36674@ziepe.ca" in text
    for name in API:
        assert name in text
    for where in ("queue->device->pd", "s.dev->ib_pd", "rds_ibdev->pd",
                  "ib_virt_dma_to_ptr", "Linux 6.12"):
        assert where in text


def test_every_api_function_exported_with_kernel_doc():
    """Each function of the API is exported from sge.c or static inline in
    ib_verbs.h, with kernel-doc where it is defined, and that kernel-doc is
    in Documentation/driver-api/infiniband.rst."""
    sge_c = added_file("drivers/infiniband/core/sge.c")
    exported = re.findall(r"^EXPORT_SYMBOL(?:_GPL)?\((\w+)\);$", sge_c,
                          re.M)
    assert sorted(exported) == sorted(set(API) - set(INLINE_API))
    for name in exported:
        assert re.search(rf"^/\*\*\n \* {name} - ", sge_c, re.M), name
    header = series_text()
    for name in INLINE_API:
        assert re.search(rf"^\+/\*\*\n\+ \* {name} - (.*\n)*?"
                         rf"\+static inline void {name}\(", header, re.M), name
    documented = re.findall(r"^\+    :functions: (.*)$", header, re.M)
    assert sorted(" ".join(documented).split()) == sorted(INLINE_API)
    assert "+.. kernel-doc:: drivers/infiniband/core/sge.c\n+    :export:" \
        in header


def test_helpers_do_not_use_the_wrappers_they_replace():
    """The seed's end state deletes the ib_dma_* wrappers: the core series'
    own helpers must not be among their users (comments may name them)."""
    code = sites.strip_comments_and_strings(
        added_file("drivers/infiniband/core/sge.c"))
    assert re.findall(r"\bib_dma_\w+\s*\(", code) == []
    assert "dma_map_sg(dev->dma_device" in code


def test_api_declared_with_contract_signatures():
    header = series_text()
    # a size_t length: one above U32_MAX is refused, not truncated
    assert ("+int rdma_map_sge_single(struct ib_pd *pd, struct ib_sge *sge, "
            "void *cpu_addr,\n+\t\t\tsize_t length, "
            "enum dma_data_direction dir);" in header)
    assert ("+int rdma_fill_ib_sge_from_sgl(struct ib_pd *pd, struct ib_sge *sge,"
            "\n+\t\t\t      int max_sge, struct scatterlist *sgl, int nents);"
            in header)
    for name in API:
        assert re.search(rf"^\+(int|void|static inline void) {name}\(",
                         header, re.M), name


def test_kunit_suite_uses_every_function():
    test_c = added_file("drivers/infiniband/core/sge_kunit.c")
    for name in API:
        assert f"{name}(" in test_c, name


def test_toolkit_kunitconfig_covers_in_tree_one():
    in_tree = set(added_file("drivers/infiniband/core/.kunitconfig")
                  .split())
    ours = set(Path(PATCHES / "kunit/rdma_sge.kunitconfig").read_text()
               .split())
    assert in_tree <= ours


@pytest.mark.kernel
def test_every_patch_builds_alone_and_is_checkpatch_clean(default_tree):
    """Bisectability and style, patch by patch, on the real default tree:
    after each `git am` the objects it touches build with W=1 and no
    warning, checkpatch.pl --strict has nothing to say and kernel-doc is
    clean on the new files."""
    # a clone of its own (sharing the objects), not a worktree: the other
    # group of kernel tests adds and prunes the default tree's worktrees
    checkout = CACHE / "series-check" / "linux"
    if (checkout / ".git").is_file():  # a worktree of an earlier version
        git(default_tree, "worktree", "remove", "--force", str(checkout))
    if (checkout / ".git").is_dir():
        git(checkout, "checkout", "-q", "--force", "--detach", "base")
        git(checkout, "clean", "-fdxq")
    else:
        checkout.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout",
                        "--single-branch", "--branch", "base", "--no-tags",
                        str(default_tree), str(checkout)], check=True)
        git(checkout, "checkout", "-q", "--detach", "base")
    kbuild = build.KernelBuild(checkout, CACHE / "series-check" / "kbuild",
                               jobs=2, log=lambda m: None,
                               ccache_dir=CACHE / "ccache")
    configured = False
    for patch in apply.series_patches(PATCHES):
        git(checkout, "am", "-q", str(patch))
        # the checkpatch.pl run of make series: new files that MAINTAINERS
        # already covers need no F: line of their own
        style, totals = series.run_checkpatch(checkout, patch)
        assert totals == series.Checkpatch(0, 0, 0), (patch.name, style)
        assert "Traceback" not in style, style

        touched = git(checkout, "diff", "--name-only", "HEAD~1",
                      "HEAD").split()
        sources = [f for f in touched if f.endswith(".c")]
        if any(f.endswith(".h") for f in touched):
            sources.append("drivers/infiniband/core/verbs.c")
        # allmodconfig again only when the patch changes what it chooses
        # from (the single-object makes below run prepare themselves)
        if not configured or any(Path(f).name.startswith("Kconfig")
                                 for f in touched):
            done = kbuild.make("allmodconfig")
            assert done.returncode == 0, done.stderr[-2000:]
            configured = True
        results = kbuild.build(sources)
        for source, result in results.items():
            assert result.built, (patch.name, source,
                                  [str(d) for d in result.diagnostics])
            assert result.warnings == [], (patch.name, source,
                                           [str(d) for d in result.warnings])
        for source in sources:
            if source.startswith("drivers/infiniband/core/sge"):
                doc = subprocess.run(
                    ["perl", "scripts/kernel-doc", "-none", "-Wall", source],
                    cwd=checkout, capture_output=True, text=True)
                assert doc.returncode == 0 and doc.stderr == "", doc.stderr
