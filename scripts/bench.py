"""make bench: time each stage of the audit on one tree.

Prints the stages of a cold audit (no spatch result cache), a warm one
(cache filled, as a second make report sees it), and optionally a naive
whole-tree spatch run of the same rule, with the ratio between them.
"""

import shutil
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
              "run; about 6 minutes here)")
    return 0
