"""The kernel's checkers on what a conversion touched: parsers on captured
real output, and the kernel's own coccinelle rules with the real spatch."""

from pathlib import Path

import pytest

import build
import checkers

# make coccicheck MODE=report style output of
# scripts/coccinelle/api/string_choices.cocci on 6.12's ULP files.
REPORT = """\
drivers/infiniband/ulp/srp/ib_srp.c:3061:32-52: opportunity for str_true_false(target -> allow_ext_sg)
./drivers/infiniband/ulp/rtrs/rtrs-clt.c:447:7-32: opportunity for str_write_read(req -> dir == DMA_TO_DEVICE)
"""
RULE = "scripts/coccinelle/api/string_choices.cocci"


def test_report_lines_become_findings():
    found = checkers.parse_report(RULE, REPORT)
    assert [(f.file, f.line) for f in found] == [
        ("drivers/infiniband/ulp/srp/ib_srp.c", 3061),
        ("drivers/infiniband/ulp/rtrs/rtrs-clt.c", 447)]
    assert str(found[0]).endswith("allow_ext_sg) [string_choices.cocci]")


def test_rule_options_as_coccicheck_reads_them():
    text = "/// x\n// Confidence: Medium\n// Options: --no-includes " \
           "--include-headers\nvirtual report\n"
    assert checkers.rule_options(text) == ["--no-includes",
                                           "--include-headers"]
    assert checkers.rule_options("virtual report\n") == []


def test_only_what_the_conversion_adds_is_new():
    before = checkers.parse_report(RULE, REPORT)
    # The conversion moved both lines and added a third finding.
    after = checkers.parse_report(RULE, REPORT.replace(":3061:", ":3070:")
                                  .replace(":447:", ":450:")) + \
        checkers.parse_report(RULE, "drivers/x.c:5:1-2: opportunity for "
                              "str_on_off(x)\n")
    assert [f.file for f in checkers.new_findings(before, after)] == \
        ["drivers/x.c"]
    # the same finding twice after, once before: one is new
    assert len(checkers.new_findings(before[:1], before[:1] * 2)) == 1


# scripts/coccinelle/api/atomic_as_refcounter.cocci on 6.12's ksmbd, before
# and after rule 10 took 8 lines out above the function: the finding names
# a second line in its message, and both move.
REFCOUNT_RULE = "scripts/coccinelle/api/atomic_as_refcounter.cocci"
REFCOUNT_BEFORE = """\
fs/smb/server/transport_rdma.c:874:5-24: WARNING: atomic_dec_and_test variation before object free at line 883.
fs/smb/server/transport_rdma.c:874:5-24: WARNING: atomic_dec_and_test variation before object free at line 887.
"""


def test_a_line_named_in_the_message_moves_with_the_code():
    before = checkers.parse_report(REFCOUNT_RULE, REFCOUNT_BEFORE)
    after = checkers.parse_report(
        REFCOUNT_RULE, REFCOUNT_BEFORE.replace(":874:", ":866:")
        .replace("line 883", "line 875").replace("line 887", "line 879"))
    assert checkers.new_findings(before, after) == []
    # a third such finding after is still new
    extra = checkers.parse_report(
        REFCOUNT_RULE, "fs/smb/server/transport_rdma.c:900:5-24: WARNING: "
        "atomic_dec_and_test variation before object free at line 910.\n")
    assert checkers.new_findings(before, after + extra) == extra


def test_sparse_output_is_attributed_to_the_object_checked():
    """make -O C=2 output, captured on 6.12's converted rtrs-srv.o."""
    output = (
        "  CHECK   /w/drivers/infiniband/ulp/rtrs/rtrs-srv.c\n"
        "/w/drivers/infiniband/ulp/rtrs/rtrs-srv.c:1042:16: warning: "
        "restricted __le16 degrades to integer\n"
        "  CHECK   /w/drivers/infiniband/ulp/srp/ib_srp.c\n")
    lines = output.splitlines()
    assert checkers._CHECK_LINE.match(lines[0])["source"].endswith(
        "rtrs/rtrs-srv.c")
    [diag] = build.parse_diagnostics(lines[1], Path("/w"))
    assert (diag.file, diag.line, diag.severity) == (
        "drivers/infiniband/ulp/rtrs/rtrs-srv.c", 1042, "warning")


def test_deps_of_a_kbuild_cmd_file(tmp_path):
    out, src = tmp_path / "out", tmp_path / "src"
    (out / "drivers/ulp").mkdir(parents=True)
    (out / "include/generated").mkdir(parents=True)
    (out / "include/generated/autoconf.h").write_text("")
    (out / "drivers/ulp/.x.o.cmd").write_text(
        "savedcmd_drivers/ulp/x.o := gcc -c -o drivers/ulp/x.o "
        f"{src}/drivers/ulp/x.c\n\n"
        f"source_drivers/ulp/x.o := {src}/drivers/ulp/x.c\n\n"
        "deps_drivers/ulp/x.o := \\\n"
        "    $(wildcard include/config/X) \\\n"
        "  include/generated/autoconf.h \\\n"
        f"  {src}/include/linux/kernel.h \\\n"
        "  include/linux/not-generated.h \\\n\n"
        "drivers/ulp/x.o: $(deps_drivers/ulp/x.o)\n")
    command, files = checkers._deps(out, src, "drivers/ulp/x.o")
    assert command.startswith("gcc -c")
    assert files == [src / "drivers/ulp/x.c",
                     out / "include/generated/autoconf.h",
                     src / "include/linux/kernel.h",
                     src / "include/linux/not-generated.h"]


BEFORE = """static const char *mode(bool on)
{
	return on ? "true" : "false";
}
"""
AFTER = """/* moved down */

static const char *mode(bool on)
{
	return on ? "true" : "false";
}

static const char *dir(bool write)
{
	return write ? "write" : "read";
}
"""


@pytest.mark.kernel
def test_kernel_rule_on_before_and_after(default_tree, tmp_path):
    """The kernel's own string_choices.cocci, run the way make convert
    runs it: the finding the change adds is new, the moved one is not."""
    sides = {}
    for name, text in (("before", BEFORE), ("after", AFTER)):
        root = tmp_path / name
        (root / "drivers/ulp").mkdir(parents=True)
        (root / "drivers/ulp/ulp.c").write_text(text)
        sides[name] = checkers.coccicheck(default_tree, root,
                                          ["drivers/ulp/ulp.c"], [RULE],
                                          tmp_path / "cache")
    assert len(sides["before"]) == 1 and len(sides["after"]) == 2
    [new] = checkers.new_findings(sides["before"], sides["after"])
    assert new.line == 10 and "str_write_read" in new.message
    assert RULE in checkers.report_rules(default_tree)


def test_sparse_key_is_the_same_in_another_work_tree(tmp_path):
    """Same sources, same command, other directories: one cache entry;
    a dependency's content changed: another."""
    keys = []
    for name in ("one", "two", "two"):
        out, src = tmp_path / name / "out", tmp_path / name / "src"
        (out / "drivers/ulp").mkdir(parents=True, exist_ok=True)
        (src / "drivers/ulp").mkdir(parents=True, exist_ok=True)
        (src / "drivers/ulp/x.c").write_text(
            "int x;\n" if len(keys) < 2 else "int y;\n")
        (out / ".config").write_text("CONFIG_X=y\n")
        (out / "drivers/ulp/.x.o.cmd").write_text(
            f"savedcmd_drivers/ulp/x.o := gcc -I{src}/include -c "
            f"{src}/drivers/ulp/x.c\n\n"
            f"source_drivers/ulp/x.o := {src}/drivers/ulp/x.c\n\n"
            "deps_drivers/ulp/x.o := \\\n\n")
        kbuild = build.KernelBuild(src, out)
        keys.append(checkers.SparseCache(tmp_path / "cache", kbuild)
                    .key("drivers/ulp/x.o"))
    assert keys[0] == keys[1] != keys[2]
