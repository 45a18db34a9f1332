#!/usr/bin/env python3
"""rdma-sge: convert RDMA ULPs from ib_dma_* to the ib_sge builder API.

Thin command-line entry; each stage lives in its own module.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import leftovers
import spatch
import tree

TOOLKIT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = TOOLKIT / "build"
DEFAULT_REPORTS = TOOLKIT / "reports"


def log(message: str) -> None:
    print(message, flush=True)


def progress_line(label: str):
    interactive = sys.stdout.isatty()
    last = [0.0]

    def progress(done: int, total: int, result) -> None:
        now = time.monotonic()
        if done == total or now - last[0] > (0.2 if interactive else 2.0):
            last[0] = now
            text = f"  {label}: {done}/{total} files"
            if interactive:
                print("\r" + text, end="\n" if done == total else "",
                      flush=True)
            else:
                print(text, flush=True)
    return progress


def cmd_report(args) -> int:
    kernel = tree.open_tree(args.kernel, args.cache, log)
    log(f"auditing {kernel.root} (Linux {kernel.version})")
    cache = None if args.no_cache else args.cache / "spatch-results"
    audit = leftovers.run_audit(kernel.root, kernel.name, kernel.version,
                                kernel.is_git, cache, jobs=args.jobs,
                                progress=progress_line("spatch"))
    out_dir = args.reports / kernel.name
    written = leftovers.write_reports(audit, out_dir)
    print()
    print(leftovers.terminal_summary(audit))
    print()
    t = audit.totals()
    log(f"{t['calls']} ib_dma_* calls, {t['lkey_uses']} local_dma_lkey uses"
        f", {t['definitions']} definition(s), {t['fields']} field(s) in "
        f"{t['files']} files; {t['not_audited']} not audited")
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in audit.timings.items())
    log(f"stages: {stages} ({audit.cached_files}/{audit.files} files from "
        "the spatch result cache)")
    for path in written:
        log(f"wrote {path.relative_to(TOOLKIT) if path.is_relative_to(TOOLKIT) else path}")
    return 0


def cmd_worktree(args) -> int:
    kernel = tree.open_tree(args.kernel, args.cache, log)
    work = tree.prepare_work_tree(kernel, args.cache, log)
    log(f"work branch {work.branch}: {work.path}")
    return 0


def cmd_clean_work(args) -> int:
    kernel = tree.open_tree(args.kernel, args.cache, log)
    tree.remove_work_tree(kernel, args.cache, log)
    kbuild = args.cache / "kbuild" / tree.work_tree_path(kernel,
                                                          args.cache).name
    if kbuild.is_dir():
        shutil.rmtree(kbuild)
        log(f"removed the build directory {kbuild}")
    name = tree.work_tree_path(kernel, args.cache).name
    base_src = args.cache / "runtime" / f"{name}-base-src"
    if base_src.exists():
        common = subprocess.run(
            ["git", "-C", str(base_src), "rev-parse", "--path-format="
             "absolute", "--git-common-dir"], capture_output=True,
            text=True).stdout.strip()
        shutil.rmtree(base_src, ignore_errors=True)
        if common:
            subprocess.run(["git", "--git-dir", common, "worktree", "prune"],
                           capture_output=True)
        log(f"removed the runtime test's base checkout {base_src}")
    return 0


def _applied_work_tree(args):
    import apply
    kernel = tree.open_tree(args.kernel, args.cache, log)
    work = tree.prepare_work_tree(kernel, args.cache, log)
    try:
        result = apply.apply_series(work.path)
    except apply.ApplyError as exc:
        raise tree.TreeError(str(exc)) from exc
    log(result.message)
    return kernel, work


def cmd_apply(args) -> int:
    _, work = _applied_work_tree(args)
    log(f"work branch {work.branch}: {work.path}")
    return 0


def cmd_kunit(args) -> int:
    import guest_kernel
    import kunit_run
    kernel, work = _applied_work_tree(args)
    variant = guest_kernel.KUNIT_VARIANT
    out = guest_kernel.build_dir(args.cache, work.path.name, variant)
    log(f"[build {variant} guest kernel, with the KUnit suite] in {out}")
    try:
        # the kernel make runtime-test boots too: the same source
        source = guest_kernel.variant_source(
            work.path, variant,
            guest_kernel.source_dir(args.cache, work.path.name, variant))
        guest_kernel.build_kernel(source.path, out,
                                  guest_kernel.fragments(variant),
                                  jobs=args.jobs or 2, log=log,
                                  ccache_dir=args.cache / "ccache")
    except guest_kernel.KernelError as exc:
        raise tree.TreeError(str(exc)) from exc
    result = kunit_run.run_kunit(work.path, out)
    if result.summary:
        log(result.summary)
        out = args.reports / kernel.name
        out.mkdir(parents=True, exist_ok=True)
        (out / "kunit.txt").write_text(
            f"{result.summary.strip()} ({'pass' if result.passed else 'FAIL'}"
            f", kunit.py under QEMU x86_64)\n")
    return 0 if result.passed else 1


def cmd_series(args) -> int:
    import series
    kernel = tree.open_tree(args.kernel, args.cache, log)
    try:
        result = series.make_series(
            kernel, args.cache, args.reports, version=args.version,
            prefix=args.prefix, check_bisect_build=args.check_bisect,
            jobs=args.jobs, log=log)
    except series.SeriesError as exc:
        raise tree.TreeError(str(exc)) from exc
    for line in series.summary_txt(result).splitlines():
        log(line)
    log(f"wrote {result.out_dir}")
    return 1 if result.first_broken else 0


def cmd_convert(args) -> int:
    import build
    import convert
    try:  # before the tree is touched
        convert.check_arches(args.arches or [])
    except convert.ConvertError as exc:
        raise tree.TreeError(str(exc)) from exc
    kernel = tree.open_tree(args.kernel, args.cache, log)
    try:
        result = convert.convert(
            kernel, args.cache, args.reports, jobs=args.jobs, log=log,
            arches=None if args.arches is None else tuple(args.arches),
            run_checkers=not args.no_checkers)
    except (convert.ConvertError, build.BuildError) as exc:
        raise tree.TreeError(str(exc)) from exc
    before, after = result.before.totals(), result.after.totals()
    fixes = sum(1 for f in result.fixes if f.commit)
    log(f"ib_dma_* calls {before['calls']} -> {after['calls']}, "
        f"local_dma_lkey uses {before['lkey_uses']} -> "
        f"{after['lkey_uses']}; {len(result.commits) - fixes} conversion "
        f"commit(s) and {fixes} fix(es) on {result.work.branch}, "
        f"{result.new_commits} new")
    failed = [b for b in result.builds if not b.built]
    noisy = [b for b in result.builds if b.new_warnings]
    log(f"built {len(result.builds) - len(failed)}/{len(result.builds)} "
        f"objects; {len(noisy)} with new warnings; "
        f"{sum(len(v) for v in result.uncompiled.values())} changed lines "
        "not compiled"
        + (" (the last run's build of the same commit)"
           if result.builds_reused else ""))
    stages = ", ".join(f"{k} {v:.0f}s" for k, v in result.stages.items())
    log(f"stages: {stages}")
    return 1 if failed else 0


def _boot_guests(args, run, text, error) -> int:
    """make runtime-test and make defect-test: run(kernel) boots the
    guests; its result's text is printed, and it exits 1 unless passed."""
    import runtime_test
    kernel = tree.open_tree(args.kernel, args.cache, log)
    try:
        runtime_test.environment_check()
        result = run(kernel)
    except (runtime_test.RuntimeError_, error) as exc:
        raise tree.TreeError(str(exc)) from exc
    log("")
    for line in text(result).splitlines():
        log(line)
    return 0 if result.passed else 1


def cmd_runtime_test(args) -> int:
    import runtime_test
    return _boot_guests(args, lambda kernel: runtime_test.run(
        kernel, args.cache, args.reports, variants=args.variants,
        jobs=args.jobs or 2, log=log), runtime_test.runtime_txt,
        runtime_test.RuntimeError_)


def cmd_defect_test(args) -> int:
    import defect_test
    return _boot_guests(args, lambda kernel: defect_test.run(
        kernel, args.cache, args.reports, jobs=args.jobs or 2, log=log),
        defect_test.report_txt, defect_test.DefectError)


def cmd_check(args) -> int:
    import guard
    kernel = tree.open_tree(args.kernel, args.cache, log)
    try:
        result = guard.check(kernel, args.cache, range_spec=args.range,
                             patch=args.patch, jobs=args.jobs)
    except guard.CheckError as exc:
        raise tree.TreeError(str(exc)) from exc
    text = guard.check_txt(result)
    print(text, end="")
    out = args.reports / kernel.name
    out.mkdir(parents=True, exist_ok=True)
    (out / "check.txt").write_text(text)
    (out / "check.json").write_text(guard.check_json(result))
    return 1 if result.added else 0


def cmd_bench(args) -> int:
    import bench
    return bench.main(args)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="rdma-sge", description=__doc__)
    top.add_argument("--kernel", default=os.environ.get("KERNEL") or None,
                     help="kernel tree (default: Debian's linux-source-6.12 "
                          "in the cache)")
    top.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                     help="cache directory (default: build/)")
    top.add_argument("--reports", type=Path, default=DEFAULT_REPORTS)
    top.add_argument("--jobs", type=int, default=None,
                     help="parallel spatch processes (default: CPUs)")
    sub = top.add_subparsers(dest="command", required=True)

    report = sub.add_parser("report", help="audit what is left to convert")
    report.add_argument("--no-cache", action="store_true",
                        help="rerun spatch on every file")
    report.set_defaults(func=cmd_report)

    sub.add_parser("worktree", help="check out the work branch in the cache"
                   ).set_defaults(func=cmd_worktree)
    sub.add_parser("clean-work", help="remove the work branch and worktree"
                   ).set_defaults(func=cmd_clean_work)
    sub.add_parser("apply", help="apply the core series on the work branch"
                   ).set_defaults(func=cmd_apply)
    sub.add_parser("kunit", help="run the series' KUnit suite under QEMU"
                   ).set_defaults(func=cmd_kunit)
    convert = sub.add_parser("convert",
                             help="apply, convert, commit, build, audit")
    convert.add_argument("--arches", nargs="*", default=None,
                         metavar="ARCH", help="the architectures besides "
                         "x86_64 to build for (default: all of them; none "
                         "without a value)")
    convert.add_argument("--no-checkers", action="store_true",
                         help="do not run sparse and coccicheck (minutes "
                         "faster while iterating; never for a series you "
                         "post)")
    convert.set_defaults(func=cmd_convert)

    series = sub.add_parser("series", help="the patch series to post, from "
                            "the work branch of make convert")
    series.add_argument("-v", "--reroll-count", dest="version", type=int,
                        default=None, help="version of a re-roll (v2, ...)")
    series.add_argument("--subject-prefix", dest="prefix", default="PATCH",
                        help='e.g. "PATCH rdma-next"')
    series.add_argument("--check-bisect", action="store_true",
                        help="build the touched objects after each patch")
    series.set_defaults(func=cmd_series)

    runtime = sub.add_parser("runtime-test", help="boot the converted kernel "
                             "in QEMU, NVMe-oF over rxe and siw")
    runtime.add_argument("--variants", nargs="+",
                         default=["converted", "debug"],
                         choices=["converted", "debug", "base"],
                         help="guest kernels to boot (base: the control on "
                         "the unconverted base, which otherwise runs only "
                         "when a kernel fails)")
    runtime.set_defaults(func=cmd_runtime_test)

    defects = sub.add_parser("defect-test", help="boot the debug kernel "
                             "with known DMA defects injected: rxe passes, "
                             "rxe_dma must fail each")
    defects.set_defaults(func=cmd_defect_test)

    check = sub.add_parser("check", help="the ib_dma_*/local_dma_lkey uses "
                           "a change adds (exit 1 if any)")
    check.add_argument("--range", help="base..head in the kernel's repo")
    check.add_argument("--patch", help="a patch, a directory of *.patch or "
                       "an mbox, applied to the kernel tree")
    check.set_defaults(func=cmd_check)

    bench = sub.add_parser("bench", help="time each stage")
    bench.add_argument("--naive", action="store_true",
                       help="also time a naive whole-tree spatch run (slow)")
    bench.add_argument("--convert", action="store_true",
                       help="also time make convert cold, warm and re-run "
                            "(rebuilds the work branch)")
    bench.set_defaults(func=cmd_bench)
    return top


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    tree.no_background_git()
    if args.cache is not None:
        args.cache = args.cache.resolve()
    try:
        return args.func(args)
    except (tree.TreeError, spatch.SpatchError) as exc:
        print(f"rdma-sge: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rdma-sge: interrupted; run the command again to finish",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
