"""Writing a file whole, in a folder someone else may also write to."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def replace_file(target: Path, data: bytes, mode: int = 0o644) -> None:
    """``target`` replaced by ``data`` in one step (a reader sees the old file or the new one). The bytes
    go to a temporary file that ``mkstemp`` creates beside it (``O_EXCL``: a link or file planted under
    any name is never opened, let alone followed), then renamed over ``target`` (a link named ``target``
    is replaced, not followed). ``mode``: the new file's permissions."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            os.fchmod(file.fileno(), mode)
            file.write(data)
        temporary.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
