"""Cache files written whole: the tests run two chains of kernel tests at
once on one cache, and a reader must never see half a file."""

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Write text to path through a temporary file of this process in the
    same directory, renamed over path: a concurrent reader sees the old
    file or the new one, and a failed write leaves no partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                               suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # as a plain write would leave it
        with os.fdopen(fd, "w", encoding="utf-8",
                       errors="surrogateescape") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
