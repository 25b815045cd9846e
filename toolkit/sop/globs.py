"""Path patterns of sop.yaml: repository-relative, '/'-separated, with ``*``, ``?``, ``[...]`` and ``**``.

A pattern always matches a whole path from the repository root. ``*`` and ``?`` never cross a ``/``;
``**`` is a whole segment matching any number of segments (``docs/**`` is everything under docs/).
Patterns that could reach outside the repository (absolute, ``..``, backslashes) are invalid.
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
    """One regex alternation for all ``patterns`` (each as :func:`regex_source`), with the patterns that
    start with the same literal folder grouped under it: a path is then tried against the patterns of its
    own folder only, which keeps a scan of ten thousand paths fast."""
    patterns = list(patterns)
    # A pattern under a folder that another pattern takes whole ("docs/**") adds nothing: leave it out.
    whole = {p[:-3] for p in patterns if p.endswith("/**") and not is_glob(p[:-3])}
    patterns = [p for p in patterns if not any(p.startswith(f"{w}/") and p != f"{w}/**" for w in whole)]
    groups: dict[str, list[str]] = {}
    loose: list[str] = []
    for pattern in dict.fromkeys(patterns):
        first, slash, rest = pattern.partition("/")
        if slash and not is_glob(first):
            groups.setdefault(first, []).append(regex_source(rest, lines))
        else:
            loose.append(regex_source(pattern, lines))
    grouped = [f"{re.escape(first)}/(?:{'|'.join(rests)})" for first, rests in groups.items()]
    return "|".join(grouped + loose)


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
            body = segment[i + 1 : end]
            negate = body[:1] in ("!", "^")
            if negate:
                body = body[1:]
            escaped = body.replace("\\", "\\\\").replace("[", "\\[")
            out.append((not_slash[:-1] if negate else "[") + escaped + "]")
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def matches(pattern: str, path: str) -> bool:
    return compile_pattern(pattern).match(path) is not None


def example_path(pattern: str) -> str:
    """A path the pattern matches, for checks that need a concrete instance of a pattern."""
    out = []
    for segment in pattern.split("/"):
        if segment == "**":
            out.append("x")
            continue
        text: list[str] = []
        i = 0
        while i < len(segment):
            c = segment[i]
            if c == "[":
                end = _class_end(segment, i)
                one_char = re.compile(_segment_regex(segment[i : end + 1]))
                text.append(next(ch for ch in "xyz0_-abc" + segment if one_char.fullmatch(ch)))
                i = end
            else:
                text.append("x" if c in "*?" else c)
            i += 1
        out.append("".join(text))
    return "/".join(out)
