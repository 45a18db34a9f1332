"""Which RDMA providers can call the DMA API instead of the ib_dma_*
wrappers, and the proof.

Every wrapper is "software device: its own path; otherwise: the DMA API
call on ib_device->dma_device", and a device is a software device
(ib_uses_virt_dma()) exactly when its dma_device is NULL.  ib_register_device()
sets dma_device from its third argument.  So a provider whose every
ib_register_device() call passes an address (`&pdev->dev`: never NULL)
can call the DMA API on its ib_device's dma_device with no change in
behaviour; a provider that passes NULL (rdmavt, rxe, siw), an expression
that might be NULL, or that registers through another module (hfi1 and
qib through rdmavt) is left alone with the reason.

A provider only holds the ib_devices it registered, so the device its
wrapper calls take is one of those.
"""

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

# The provider drivers: one directory each.
PROVIDER_ROOTS = ("drivers/infiniband/hw/", "drivers/infiniband/sw/")

_REGISTER = re.compile(r"(?<![\w.>])ib_register_device\s*\(")
_WRAPPER = re.compile(r"\bib_dma_\w+\s*\(")
_NULL = {"NULL", "0", "(void *)0", "((void *)0)"}


@dataclass(frozen=True)
class Registration:
    path: str
    line: int
    dma_device: str  # the third argument, as written

    @property
    def proves_dma_device(self) -> bool:
        """The argument cannot be NULL: it takes an address."""
        return self.dma_device.startswith("&")

    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Provider:
    directory: str  # drivers/infiniband/hw/mlx5/
    registrations: tuple[Registration, ...]
    wrapper_files: tuple[str, ...]  # its files that call a wrapper

    @property
    def name(self) -> str:
        return self.directory.rstrip("/").rsplit("/", 1)[-1]

    @property
    def uses_dma_api(self) -> bool:
        return bool(self.registrations) and all(
            r.proves_dma_device for r in self.registrations)

    def why_not(self) -> str | None:
        """Why its wrapper calls stay, or None when they can go."""
        if not self.registrations:
            return ("registers no ib_device itself (hfi1 and qib register "
                    "through rdmavt, which has no dma_device): its devices "
                    "may use virtual DMA")
        for r in self.registrations:
            if r.dma_device in _NULL:
                return (f"ib_register_device() at {r.where()} passes no "
                        "dma_device: a software device, for which the "
                        "wrappers do not call the DMA API")
            if not r.proves_dma_device:
                return (f"the dma_device `{r.dma_device}` that "
                        f"ib_register_device() at {r.where()} passes is not "
                        "an address: not proved non-NULL, so the device may "
                        "use virtual DMA")
        return None


def provider_of(path: str) -> str | None:
    """The provider directory a tree-relative path is in, or None."""
    for root in PROVIDER_ROOTS:
        if path.startswith(root):
            rest = path[len(root):]
            if "/" in rest:
                return root + rest.split("/", 1)[0] + "/"
    return None


def _split_args(text: str) -> list[str]:
    """Top-level comma-separated arguments of a call's text (after its
    open parenthesis), up to the parenthesis that closes it."""
    args, depth, cur, quote = [], 0, [], None
    for i, ch in enumerate(text):
        if quote:
            cur.append(ch)
            if ch == quote and text[i - 1] != "\\":
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                args.append("".join(cur))
                return [" ".join(a.split()) for a in args]
            depth -= 1
        elif ch == "," and depth == 0:
            args.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    return []  # not closed


def registrations_in_text(path: str, text: str) -> list[Registration]:
    """The ib_register_device() calls in a C file (not a prototype or the
    definition: those name the type of the third parameter)."""
    found = []
    for m in _REGISTER.finditer(text):
        args = _split_args(text[m.end():])
        if len(args) != 3 or args[2].startswith("struct "):
            continue
        line = text.count("\n", 0, m.start()) + 1
        found.append(Registration(path, line, args[2]))
    return found


def _git_grep(tree: Path, pattern: str, paths, rev: str | None) -> list[str]:
    done = subprocess.run(["git", "-C", str(tree), "grep", "-lP", pattern,
                           *([rev] if rev else []), "--", *paths],
                          capture_output=True, text=True)
    return [p.split(":", 1)[1] if rev else p for p in done.stdout.split()]


def _read(tree: Path, path: str, rev: str | None) -> str:
    if rev is None:
        return (tree / path).read_text(errors="replace")
    return subprocess.run(["git", "-C", str(tree), "show", f"{rev}:{path}"],
                          capture_output=True, text=True,
                          errors="replace").stdout


def providers(tree: Path, rev: str | None = None) -> list[Provider]:
    """Every provider directory of `tree` (as checked out, or at the
    commit `rev`) that calls an ib_dma_* wrapper, with its
    registrations."""
    calls: dict[str, list[str]] = {}
    for path in _git_grep(tree, r"\bib_dma_\w+\s*\(", PROVIDER_ROOTS, rev):
        directory = provider_of(path)
        if directory and _WRAPPER.search(_read(tree, path, rev)):
            calls.setdefault(directory, []).append(path)
    result = []
    for directory, files in sorted(calls.items()):
        regs = []
        for path in _git_grep(tree, r"\bib_register_device\s*\(",
                              [directory], rev):
            if path.endswith(".c"):
                regs.extend(registrations_in_text(
                    path, _read(tree, path, rev)))
        result.append(Provider(directory, tuple(regs), tuple(sorted(files))))
    return result
