"""A small content-addressed cache on disk, for results that depend only on their inputs' bytes (the data
of a policy that passed validation, a signature that verified, the verdict on an artefact file). Keys are
SHA-256 digests of every input, the code that computed the value included; a value is only ever written
for a key, never changed (large ones, the histories, are trimmed to the latest few). A cache that cannot
be written only costs time.

It lives in ``$SOPKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/sopkit``, else ``~/.cache/sopkit``; like any
cache in the user's home, it is trusted as much as that home is.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from toolkit.sha256 import sha256


def key(*parts: bytes) -> str:
    digest = sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def code_identity(*sources: str | Path) -> bytes:
    """What identifies the code that computed a value, for its key: the version, and the size and
    modification time of each given source file (an edited checkout changes them, not the version)."""
    from toolkit import __version__

    parts = [__version__]
    for source in sources:
        try:
            status = Path(source).stat()
            parts.append(f"{status.st_size}:{status.st_mtime_ns}")
        except OSError:
            parts.append("?")
    return "|".join(parts).encode()


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


def has(namespace: str, digest: str) -> bool:
    return (_dir(namespace) / digest).is_file()


def store(namespace: str, digest: str, value: str = "") -> None:
    try:
        folder = _dir(namespace)
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{digest}.{os.getpid()}"
        temporary.write_text(value, encoding="utf-8")
        temporary.replace(folder / digest)  # atomic: a reader never sees half a value
    except OSError:
        pass


def lookup_json(namespace: str, digest: str) -> Any | None:
    """The data stored under ``digest`` (``None``: none, or a damaged entry)."""
    import json

    text = lookup(namespace, digest)
    try:
        return json.loads(text) if text is not None else None
    except ValueError:
        return None


def store_json(namespace: str, digest: str, data: Any) -> None:
    """Store ``data`` under ``digest``, if JSON keeps it exactly (no tuples, no non-text keys)."""
    import json

    text = json.dumps(data, ensure_ascii=False)
    if json.loads(text) == data:
        store(namespace, digest, text)


def trim(namespace: str, keep: int) -> None:
    """Delete all but the ``keep`` most recently written values of ``namespace`` (for large values)."""
    try:
        values = [entry for entry in os.scandir(_dir(namespace)) if not entry.name.startswith(".")]
        values.sort(key=lambda entry: entry.stat().st_mtime_ns, reverse=True)
        for stale in values[keep:]:
            Path(stale.path).unlink(missing_ok=True)
    except OSError:
        pass
