"""A small content-addressed cache on disk, for results that depend only on their inputs' bytes (a policy
that passed validation, a signature that verified). Keys are SHA-256 digests of every input; a value is
only ever written for a key, never changed. A cache that cannot be written only costs time.

It lives in ``$SOPKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/sopkit``, else ``~/.cache/sopkit``; like any
cache in the user's home, it is trusted as much as that home is.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def key(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def _dir(namespace: str) -> Path:
    configured = os.environ.get("SOPKIT_CACHE_DIR")
    root = (
        Path(configured)
        if configured
        else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sopkit"
    )
    return root / namespace


def lookup(namespace: str, digest: str) -> str | None:
    try:
        return (_dir(namespace) / digest).read_text(encoding="utf-8")
    except OSError:
        return None


def store(namespace: str, digest: str, value: str = "") -> None:
    try:
        folder = _dir(namespace)
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{digest}.{os.getpid()}"
        temporary.write_text(value, encoding="utf-8")
        temporary.replace(folder / digest)  # atomic: a reader never sees half a value
    except OSError:
        pass
