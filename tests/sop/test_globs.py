from __future__ import annotations

import pytest

from toolkit.sop.globs import example_path, is_glob, matches, pattern_error


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("docs/a.md", "docs/a.md", True),
        ("docs/a.md", "docs/a.mdx", False),
        ("docs/*.md", "docs/a.md", True),
        ("docs/*.md", "docs/sub/a.md", False),
        ("docs/**", "docs/sub/deep/a.md", True),
        ("docs/**", "docs", False),
        ("docs/**/*.puml", "docs/a.puml", True),
        ("docs/**/*.puml", "docs/x/y/a.puml", True),
        ("**", "src/app.py", True),
        ("*.md", "README.md", True),
        ("*.md", "docs/README.md", False),
        ("img/[a-c]?.png", "img/b1.png", True),
        ("img/[!a-c]?.png", "img/b1.png", False),
        ("docs/a+b.md", "docs/a+b.md", True),
    ],
)
def test_matching(pattern: str, path: str, expected: bool) -> None:
    assert pattern_error(pattern) is None
    assert matches(pattern, path) is expected


@pytest.mark.parametrize(
    "pattern",
    ["", "/etc/passwd", "C:/x", "a/../b", "a\\b", "a//b", "a/", "./a", "a/**.md", "a/[bc", "a/\x01"],
)
def test_invalid_patterns(pattern: str) -> None:
    assert pattern_error(pattern)


def test_example_path_matches_its_pattern() -> None:
    for pattern in ["docs/**/*.md", "img/[a-c]?.png", "x/*", "a/b.md"]:
        assert matches(pattern, example_path(pattern))
    assert is_glob("a/*.md") and not is_glob("a/b.md")
