"""The cache keeps only what it can give back as it was; anything else costs time, never a crash."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from toolkit.cache import Cache


def test_a_value_is_given_back_as_stored(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    key = Cache.key("ns", b"a")
    cache.store("ns", key, {"teks": "Dinas Kominfo", "n": [1, 2]})
    assert cache.lookup("ns", key) == {"teks": "Dinas Kominfo", "n": [1, 2]}


def test_text_that_is_not_unicode_is_not_remembered_and_leaves_nothing(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    key = Cache.key("ns", b"b")
    cache.store("ns", key, {"organisation": "Dinas \ud800"})  # a lone surrogate, as a YAML escape makes
    assert cache.lookup("ns", key) is None
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_a_number_too_large_to_print_is_not_remembered(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    key = Cache.key("ns", b"c")
    cache.store("ns", key, [16**4000])
    assert cache.lookup("ns", key) is None


def test_a_cached_value_is_never_written_through_a_planted_link(tmp_path: Path) -> None:
    """The cache wrote `.KEY.<pid>.<thread>` the same way."""
    cache = Cache(tmp_path / "cache")
    (tmp_path / "cache" / "ns").mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (tmp_path / "cache" / "ns" / f".k.{os.getpid()}.{threading.get_ident()}").symlink_to(victim)
    cache.store("ns", "k", [1, 2])
    assert victim.read_text() == "precious\n"
    assert cache.lookup("ns", "k") == [1, 2]
