import os
import subprocess
from pathlib import Path

import pytest

import build


def test_compiling_lines_of_kbuild_are_recognised():
    for line, target in (("  CC [M]  drivers/nvme/target/rdma.o",
                          "drivers/nvme/target/rdma.o"),
                         ("  CC      net/9p/trans_rdma.o",
                          "net/9p/trans_rdma.o")):
        assert build._COMPILING.match(line)["target"] == target
    assert build._COMPILING.match("  CPP     net/9p/trans_rdma.i") is None
    assert build._COMPILING.match("  LD [M]  net/9p/9pnet_rdma.o") is None


def test_parse_diagnostics_keeps_file_line_and_message(tmp_path):
    out = ("/src/net/9p/trans_rdma.c:120:5: warning: unused variable 'x' "
           "[-Wunused-variable]\n")
    [diag] = build.parse_diagnostics(out, tmp_path.parent / "src")
    assert (diag.line, diag.column, diag.severity) == (120, 5, "warning")
    assert diag.message.startswith("unused variable")


def _running_in_group(pgid: int) -> list[int]:
    """Pids of the processes of group pgid that are not zombies."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(stat.parent.name))
    return pids


def test_interrupted_make_leaves_no_compiler_running(tmp_path, monkeypatch):
    """Ctrl-C (here: KeyboardInterrupt from the progress callback) while
    make runs jobs: make and every job it started are gone when make()
    returns, so the next run does not share the O= directory with them."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "Makefile").write_text(
        "all: a b\n"
        "a:\n\t@echo started; sleep 60\n"
        "b:\n\tsleep 60\n")
    (tmp_path / "out").mkdir()
    kbuild = build.KernelBuild(src, tmp_path / "out", jobs=2,
                               log=lambda m: None)
    started = []
    real_popen = subprocess.Popen

    def recording_popen(*args, **kwargs):
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    def interrupt(line):
        if line.strip() == "started":
            raise KeyboardInterrupt

    monkeypatch.setattr(build.subprocess, "Popen", recording_popen)
    with pytest.raises(KeyboardInterrupt):
        kbuild.make("all", on_line=interrupt)
    [make] = started
    assert make.returncode is not None
    assert os.getpgid(0) != make.pid  # make led a group of its own
    assert _running_in_group(make.pid) == []  # nor any job of it
