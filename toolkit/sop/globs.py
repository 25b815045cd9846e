"""Path patterns of sop.yaml: repository-relative, '/'-separated, with ``*``, ``?``, ``[...]`` and ``**``.

A pattern always matches a whole path from the repository root. ``*`` and ``?`` never cross a ``/``;
``**`` is a whole segment matching any number of segments (``docs/**`` is everything under docs/).
``[...]`` is one character of a set: ``[abc]``, ranges ``[a-z]``, negated ``[!a-z]`` or ``[^a-z]``, ``]``
first in the set stands for itself (``[]]``, ``[!]]``); it never matches ``/``. Patterns that could reach
outside the repository (absolute, ``..``, backslashes) are invalid.

These are the rules of git's own ``:(glob)`` pathspecs (wildmatch with ``WM_PATHNAME``), which
tests/sop/test_globs.py checks against a real git, except where we differ on purpose:

* a pattern matches paths only by its wildcards. git also takes a pathspec as the literal name, and as a
  folder: ``:(glob)docs`` lists everything under ``docs/``, ``:(glob)a[1].md`` the file ``a[1].md``.
  Here ``docs`` is only the file ``docs`` (``docs/**`` is the folder) and ``a[1].md`` is ``a1.md``;
* ``?`` and ``[...]`` stand for one character; git counts bytes, so for a name like ``é.md`` git needs
  ``??.md`` where ``?.md`` matches here;
* POSIX classes (``[[:alpha:]]``) and backslash escapes are refused: list the characters instead;
* ``**`` glued to other characters (``a**``, ``**.md``) is refused: git reads it as ``*``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from toolkit.i18n import _

_SPECIAL = re.compile(r"[*?\[]")


def pattern_error(pattern: str) -> str | None:
    """Why ``pattern`` is not a valid path pattern, or ``None`` when it is."""
    if not pattern.strip():
        return _("the pattern is empty")
    if any(ord(c) < 32 or c == "\x7f" for c in pattern):
        return _("the pattern contains control characters")
    if "\\" in pattern:
        return _("use '/' to separate folders, not '\\'")
    if pattern.startswith("/") or re.match(r"^[A-Za-z]:", pattern):
        return _("the pattern must be relative to the repository root (no leading '/')")
    segments = pattern.split("/")
    for segment in segments:
        if segment in ("", "."):
            return _("the pattern has an empty or '.' folder name (check for '//' or a trailing '/')")
        if segment == "..":
            return _("'..' is not allowed: a pattern may not reach outside the repository")
        if "**" in segment and segment != "**":
            return _("'**' must stand alone between slashes, as in 'docs/**/*.md'")
        reason = _class_error(segment)
        if reason:
            return reason
    return None


def _class_error(segment: str) -> str | None:
    i = 0
    while i < len(segment):
        if segment[i] == "[":
            end = _class_end(segment, i)
            if end < 0:
                return _("a '[' is not closed by ']'")
            if "/" in segment[i:end]:
                return _("a [...] class may not contain '/'")
            if "[:" in segment[i + 1 : end]:
                return _("classes like [:alpha:] are not supported; list the characters, as in [a-zA-Z]")
            i = end + 1
        else:
            i += 1
    return None


def _class_end(text: str, start: int) -> int:
    """Index of the ``]`` closing the class opened at ``start`` (``[]]`` and ``[!]]`` included)."""
    i = start + 1
    if i < len(text) and text[i] in "!^":
        i += 1
    if i < len(text) and text[i] == "]":
        i += 1
    return text.find("]", i)


def is_glob(pattern: str) -> bool:
    return bool(_SPECIAL.search(pattern))


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A regex matching exactly the paths ``pattern`` names (the pattern must be valid)."""
    return re.compile(regex_source(pattern) + r"\Z", re.DOTALL)


def regex_source(pattern: str, lines: bool = False) -> str:
    """The regex of ``pattern``; with ``lines``, one that never crosses a newline, for scanning many paths
    joined one per line in a single pass."""
    any_char, not_slash = ("[^\n]", "[^/\n]") if lines else (".", "[^/]")
    parts: list[str] = []
    segments = pattern.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            # zero or more whole segments; at the end, one or more (the folder's contents)
            parts.append(f"{any_char}+" if last else f"(?:{not_slash}+/)*")
            continue
        parts.append(_segment_regex(segment, not_slash) + ("" if last else "/"))
    return "".join(parts)


def union_source(patterns: Iterable[str], lines: bool = False) -> str:
    """One regex alternation for all ``patterns`` (each as :func:`regex_source`)."""
    return "|".join(regex_source(pattern, lines) for pattern in dict.fromkeys(patterns))


def _segment_regex(segment: str, not_slash: str = "[^/]") -> str:
    out: list[str] = []
    i = 0
    while i < len(segment):
        c = segment[i]
        if c == "*":
            out.append(f"{not_slash}*")
        elif c == "?":
            out.append(not_slash)
        elif c == "[":
            end = _class_end(segment, i)
            negate = segment[i + 1] in "!^"
            out.append(_class_regex(segment[i + 1 + negate : end], negate, not_slash))
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def _class_regex(body: str, negate: bool, not_slash: str) -> str:
    """The regex of the class ``[body]`` read as git reads it: a ``-`` between two characters is a range
    (``-`` first or last, or right after a range, stands for itself); a range backwards (``z-a``) holds
    only its first character. Every character is written as a code point, so nothing in the set means
    anything to Python's own class syntax; ranges are split around ``/``, which a class never matches."""
    ranges: list[tuple[int, int]] = []
    i, after_char = 0, False
    while i < len(body):
        if body[i] == "-" and after_char and i + 1 < len(body):
            start, stop = ranges[-1][0], ord(body[i + 1])
            if stop >= start:
                ranges.append((start, stop))
            i, after_char = i + 2, False
            continue
        ranges.append((ord(body[i]), ord(body[i])))
        i, after_char = i + 1, True
    slash = ord("/")
    parts = []
    for start, stop in ranges:
        for low, high in ((start, min(stop, slash - 1)), (max(start, slash + 1), stop)):
            if low <= high:
                parts.append(f"\\U{low:08x}" + (f"-\\U{high:08x}" if high > low else ""))
    return (not_slash[:-1] if negate else "[") + "".join(parts) + "]"


def matches(pattern: str, path: str) -> bool:
    return compile_pattern(pattern).match(path) is not None
