"""make bench: time each stage of the audit (and of make convert) on one tree.

Prints the stages of a cold audit (no spatch result cache), a warm one
(cache filled, as a second make report sees it), and optionally a naive
whole-tree spatch run of the same rule, with the ratio between them.

With --convert it also times make convert three times: cold (no work
branch, no build directory, no spatch cache), warm (tree extracted and the
build configured: only the work branch is rebuilt) and a re-run that finds
nothing to do.  That rebuilds the toolkit's work branch rdma-sge/work from
scratch (it holds nothing but what make convert puts there).
"""

import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import leftovers
import spatch
import tree


def timed(label: str, func, results: list):
    start = time.monotonic()
    value = func()
    results.append((label, time.monotonic() - start))
    return value


def naive_spatch(root: Path) -> float:
    """spatch --dir over the whole tree, the way one would run it unaided."""
    start = time.monotonic()
    subprocess.run([spatch.find_spatch(), "--very-quiet", "-D", "report",
                    "--no-includes", "--include-headers", "--sp-file",
                    str(leftovers.AUDIT_RULE), "--dir", "."], cwd=root,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - start


def report_command_runs(args, reports: Path, runs: int = 5) -> list[float]:
    """Wall time of the whole `make report` command (Python start-up, tree
    check, audit, reports), warm: one run to fill the cache, then runs."""
    cmd = ["/usr/bin/python3", str(Path(__file__).with_name("rdma_sge.py")),
           "--cache", str(args.cache), "--reports", str(reports),
           *(["--kernel", str(args.kernel)] if args.kernel else []),
           *(["--jobs", str(args.jobs)] if args.jobs else []), "report"]
    times = []
    for i in range(runs + 1):
        start = time.monotonic()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        if i:
            times.append(time.monotonic() - start)
    return times


def bench_convert(kernel, cache: Path, reports: Path, jobs) -> list:
    import convert
    rows: list[tuple[str, float]] = []
    runs = []

    def quiet(message: str) -> None:
        if not message.startswith("    "):
            print(message, flush=True)

    print("make convert, cold: removing the work branch, its build "
          "directory and the spatch cache", flush=True)
    tree.remove_work_tree(kernel, cache, quiet)
    shutil.rmtree(cache / "kbuild" / tree.work_tree_path(kernel, cache).name,
                  ignore_errors=True)
    shutil.rmtree(cache / "spatch-results", ignore_errors=True)
    runs.append(timed("convert, cold", lambda: convert.convert(
        kernel, cache, reports, jobs, quiet), rows))
    print("make convert, warm: removing the work branch only", flush=True)
    tree.remove_work_tree(kernel, cache, quiet)
    runs.append(timed("convert, warm (build configured)", lambda:
                      convert.convert(kernel, cache, reports, jobs, quiet),
                      rows))
    runs.append(timed("convert, re-run (nothing to do)", lambda:
                      convert.convert(kernel, cache, reports, jobs, quiet),
                      rows))
    print()
    for (label, seconds), result in zip(rows, runs):
        print(f"{label:<44} {seconds:8.2f}")
        for stage, stage_seconds in result.stages.items():
            print(f"  {stage:<42} {stage_seconds:8.2f}")
    return rows


def main(args) -> int:
    rows: list[tuple[str, float]] = []
    kernel = timed("open tree (extract on first use)",
                   lambda: tree.open_tree(args.kernel, args.cache, print),
                   rows)
    scratch = Path(tempfile.mkdtemp(prefix="rdma-sge-bench-"))
    try:
        cold = timed("audit, cold (no spatch cache)", lambda:
                     leftovers.run_audit(kernel.root, kernel.name,
                                         kernel.version, kernel.is_git,
                                         scratch / "cache", jobs=args.jobs),
                     rows)
        warm = timed("audit, warm (spatch cache filled)", lambda:
                     leftovers.run_audit(kernel.root, kernel.name,
                                         kernel.version, kernel.is_git,
                                         scratch / "cache", jobs=args.jobs),
                     rows)
        timed("write reports", lambda: leftovers.write_reports(
            warm, scratch / "reports"), rows)
        command = report_command_runs(args, scratch / "command-reports")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    jobs = args.jobs or spatch.default_jobs()
    print(f"tree: {kernel.root} (Linux {kernel.version}); {cold.files} files "
          f"prefiltered of the tree; spatch jobs: {jobs}")
    print(f"sites: {cold.totals()}")
    print()
    print(f"{'stage':<44} {'seconds':>8}")
    for label, seconds in rows:
        print(f"{label:<44} {seconds:8.2f}")
    for name, audit in (("cold", cold), ("warm", warm)):
        for stage, seconds in audit.timings.items():
            print(f"  {name}: {stage:<36} {seconds:8.2f}")
    print(f"{'make report, warm, whole command (median)':<44} "
          f"{statistics.median(command):8.2f}")
    print("  runs: " + " ".join(f"{t:.2f}" for t in command))
    if args.naive:
        print("\nnaive whole-tree spatch run (spatch --dir .), please wait…",
              flush=True)
        naive = naive_spatch(kernel.root)
        cold_total = dict(rows)["audit, cold (no spatch cache)"]
        warm_total = dict(rows)["audit, warm (spatch cache filled)"]
        print(f"{'naive spatch --dir . (one process)':<44} {naive:8.2f}")
        print(f"ratio naive / cold audit: {naive / cold_total:6.1f}x")
        print(f"ratio naive / warm audit: {naive / warm_total:6.1f}x")
    else:
        print("\n(make bench NAIVE=1 also times a naive whole-tree spatch "
              "run; about 12 minutes here)")
    if args.convert:
        print()
        bench_convert(kernel, args.cache, args.reports / "bench",
                      args.jobs)
    else:
        print("(make bench CONVERT=1 also times make convert cold, warm "
              "and re-run; about 4 minutes here)")
    return 0
