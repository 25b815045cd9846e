from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from toolkit.sop.globs import is_glob, matches, pattern_error


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
        ("x/[]]", "x/]", True),
        ("x/[!]]", "x/]", False),
        ("x/[!]]", "x/a", True),
        ("x/[z-a]", "x/z", True),  # a range backwards holds its first character only, as in git
        ("x/[z-a]", "x/b", False),
        ("x/[a-c-e]", "x/-", True),  # '-' right after a range stands for itself
        ("x/[a-c-e]", "x/d", False),
        ("x/[&&~~||]", "x/~", True),  # nothing in a set means anything to Python's class syntax
        ("x/[+-0]", "x/.", True),
        ("x/[+-0]y", "x//y", False),  # a class never matches '/', not even through a range
        ("x/[!a]", "x/é", True),
    ],
)
def test_matching(pattern: str, path: str, expected: bool) -> None:
    assert pattern_error(pattern) is None
    assert matches(pattern, path) is expected


@pytest.mark.parametrize(
    "pattern",
    [
        "",
        "/etc/passwd",
        "C:/x",
        "a/../b",
        "a\\b",
        "a//b",
        "a/",
        "./a",
        "a/**.md",
        "a/[bc",
        "a/\x01",
        "a/[]",
        "a/[[:alpha:]]",
        "a/x**",
    ],
)
def test_invalid_patterns(pattern: str) -> None:
    assert pattern_error(pattern)


def test_is_glob() -> None:
    assert is_glob("a/*.md") and is_glob("a/[b]") and is_glob("a?") and not is_glob("a/b.md")


# --- git's own :(glob) pathspecs as the oracle -----------------------------------------------------

NAMES = [
    "a",
    "b",
    "ab",
    "abc",
    "a.md",
    "b.md",
    ".md",
    ".hidden",
    "a b.md",
    "]x",
    "]-x",
    "x]",
    "[x]",
    "!x",
    "^x",
    "-x",
    "a-b",
    "a_b",
    "A.md",
    "*",
    "?",
    "*.md",
    "a[1].md",
    "a1.md",
    "é.md",
    "e\u0301.md",
    "日本.md",
    "\U0001f600.md",
    "docs/a.md",
    "docs/b.md",
    "docs/.gitkeep",
    "docs/x.php",
    "docs/a b/c d.md",
    "docs/sub/a.md",
    "docs/sub/deep/c.puml",
    "docs/sub/.hidden/x.md",
    "docs/é/ä.md",
    "docs/[x]/y.md",
    "docs/]/y.md",
    "docsx/a.md",
    "doc/a.md",
    "src/app.py",
    "src/[x].py",
    "src/x].py",
    "src/].py",
    "src/!.py",
    "src/^.py",
    "src/-.py",
    "src/a-z.py",
    "src/z.py",
    "src/*.py",
    "src/?.py",
    "src/.py",
    "src/m/a.py",
    "src/m/n/o/p.py",
    "a/b/c/.gitkeep",
    "x/y/z",
    "x/yy/z",
    "x/z",
    "z/x/y/z",
]

SEGMENTS = [
    "*",
    "?",
    "??",
    "a*",
    "*.md",
    "?.md",
    "??.md",
    "*.py",
    ".*",
    "*x*",
    "[ab]*",
    "[!a]*",
    "[^a]*",
    "[]]*",
    "[!]]*",
    "[]-a]*",
    "[a-]*",
    "[z-a]*",
    "[+-0]*",
    "[!a-z].py",
    "[[]x]",
    "*]",
    "]*",
    "[é]*",
    "é*",
    "a",
    "docs",
    "src",
    "sub",
    "x",
    "y",
    "z",
    "a b",
    "* *",
    "a[1].md",
    "[x]",
    "[ae]\u0301.md",
    "src[+-0]*",
    "x[!a]y",
    "docs[+-0]a.md",
    "x[--0]y*",
]


def _from_name(name: str, rng: random.Random) -> str:
    """A pattern made from ``name`` by turning parts of it into wildcards: most of them match it."""
    segments = name.split("/")
    out: list[str] = []
    i = 0
    while i < len(segments):
        if rng.random() < 0.15:  # '**' for zero or more segments
            i += rng.randint(0, len(segments) - 1 - i)
            if out[-1:] != ["**"]:
                out.append("**")
            if rng.random() < 0.3:
                continue
        segment = segments[i] if i < len(segments) else "x"
        chars = []
        for c in segment:
            roll = rng.random()
            if roll < 0.1:
                chars.append("?")
            elif roll < 0.18:
                chars.append("*")
            elif roll < 0.26:
                chars.append(f"[{c}{rng.choice('a]-!')}]")
            elif roll < 0.32:
                chars.append(f"[!{rng.choice('ab]-')}]")
            elif roll < 0.36:
                chars.append(f"[{chr(max(33, ord(c) - 2))}-{chr(ord(c) + 1)}]")
            else:
                chars.append(c)
        out.append("".join(chars))
        i += 1
    return "/".join(out)


def _patterns() -> list[str]:
    chosen = {
        "**",
        "**/*.md",
        "**/.gitkeep",
        "**/z",
        "docs/**",
        "docs/**/*.md",
        "docs/**/a.md",
        "src/**/*.py",
        "x/**/z",
        "x/**/**/z",
        "**/y/**",
        "docs",
        "docs/sub",
        "src/m",
        "a[1].md",
        "docs/[x]",
        "[x]",
        "*",
        "*/*",
        "*/*/*",
    }
    rng = random.Random(20260101)
    while len(chosen) < 250:
        segments = [rng.choice([*SEGMENTS, "**"]) for _ in range(rng.randint(1, 3))]
        pattern = "/".join(segments)
        if pattern_error(pattern) is None:
            chosen.add(pattern)
    while len(chosen) < 600:
        pattern = _from_name(rng.choice(NAMES), rng)
        if pattern_error(pattern) is None:
            chosen.add(pattern)
    return sorted(chosen)


def _index(tmp_path: Path, names: list[str]) -> Path:
    repo = tmp_path / "oracle"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    blob = (
        subprocess.run(
            ["git", "hash-object", "-w", "--stdin"], cwd=repo, input=b"", capture_output=True, check=True
        )
        .stdout.decode()
        .strip()
    )
    records = b"".join(f"100644 {blob}\t{name}".encode() + b"\0" for name in names)
    subprocess.run(["git", "update-index", "-z", "--index-info"], cwd=repo, input=records, check=True)
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=repo, capture_output=True, check=True).stdout
    assert sorted(listed.decode().split("\0")[:-1]) == sorted(names)
    return repo


def _git_glob(repo: Path, pattern: str) -> set[str]:
    out = subprocess.run(
        ["git", "-c", "core.quotePath=false", "ls-files", "-z", "--", f":(glob){pattern}"],
        cwd=repo,
        capture_output=True,
        check=True,
    ).stdout
    return set(out.decode().split("\0")[:-1])


def _bytewise(text: str) -> str:
    """``text`` with one character per byte of its UTF-8 form: git matches bytes, we match characters."""
    return text.encode().decode("latin-1")


def test_matching_agrees_with_git_glob_pathspecs(tmp_path: Path) -> None:
    names = [n for n in NAMES if not any(o.startswith(f"{n}/") for o in NAMES)]  # no file is a folder
    repo = _index(tmp_path, names)
    checked = 0
    for pattern in _patterns():
        git = _git_glob(repo, pattern)
        ours = {n for n in names if matches(pattern, n)}
        bytewise = {n for n in names if matches(_bytewise(pattern), _bytewise(n))}
        # git also takes a pathspec as a literal name and as a folder (documented in globs.py)
        literal = {n for n in names if n == pattern or n.startswith(f"{pattern}/")}
        assert git - literal == bytewise - literal, pattern
        assert literal <= git, pattern
        # '?' and '[...]' stand for one character, git's for one byte (documented in globs.py)
        differ = {n for n in (ours ^ bytewise) if not n.isascii() and any(c in pattern for c in "?[")}
        assert ours ^ bytewise == differ, pattern
        checked += 1
    assert checked >= 600


@pytest.mark.parametrize(
    ("pattern", "name", "git", "ours"),
    [
        ("docs", "docs/a.md", True, False),  # git: a folder; here: only the file 'docs'
        ("a[1].md", "a[1].md", True, False),  # git: also the literal name; here: 'a1.md' only
        ("?.md", "é.md", False, True),  # git: one byte; here: one character
        ("??.md", "é.md", True, False),
        ("[é].md", "é.md", False, True),
    ],
)
def test_deliberate_differences_from_git(
    tmp_path: Path, pattern: str, name: str, git: bool, ours: bool
) -> None:
    repo = _index(tmp_path, [name])
    assert (name in _git_glob(repo, pattern)) is git
    assert matches(pattern, name) is ours
