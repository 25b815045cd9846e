"""Evidence packs for auditors: a deterministic zip (fixed dates, sorted names) with a manifest holding
the SHA-256 of every file."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

from toolkit import __version__


def write_pack(out: Path, files: dict[str, bytes], **about: Any) -> None:
    """Write ``files`` and ``manifest.json`` (``about``, the tool, when, and each file's hash) to ``out``."""
    manifest = {
        "tool": "sop-toolkit",
        "version": __version__,
        **about,
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    every = {**files, "manifest.json": json.dumps(manifest, indent=2).encode() + b"\n"}
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as pack:
        for name in sorted(every):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            pack.writestr(info, every[name])


def as_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode() + b"\n"
