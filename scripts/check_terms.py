"""Check that the Markdown documents of a folder use the preferred terms (scripts/istilah.txt).

    python scripts/check_terms.py DIR [DIR ...]

Prints ``FILE:LINE: 'found' -> 'preferred'`` for every avoided term outside code spans, fenced code
blocks and the allowed proper names, and exits 1 when there is any (0 when there is none, 2 for a word
list it cannot read). Run by the tests on a repository rendered from the template with real Copier.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import NamedTuple

WORD_LIST = Path(__file__).resolve().parent / "istilah.txt"


class Terms(NamedTuple):
    avoid: dict[str, str]  # avoided term (case-folded) -> preferred term
    allowed: tuple[str, ...]  # proper names that keep an avoided term
    pattern: re.Pattern[str]


def load(path: Path = WORD_LIST) -> Terms:
    avoid: dict[str, str] = {}
    allowed: list[str] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("izinkan:"):
            allowed.append(line.removeprefix("izinkan:").strip())
        elif "=>" in line:
            bad, good = (part.strip() for part in line.split("=>", 1))
            avoid[bad.casefold()] = good
        else:
            raise ValueError(f"{path}:{number}: expected 'avoid => preferred' or 'izinkan: name'")
    words = sorted(avoid, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)
    return Terms(avoid, tuple(allowed), pattern)


_CODE_SPAN = re.compile(r"`[^`]*`")


def problems(text: str, terms: Terms) -> list[tuple[int, str, str]]:
    """(line, term found, preferred term) for every avoided term in ``text``."""
    found = []
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced:
            continue
        prose = _CODE_SPAN.sub(" ", line)
        for name in terms.allowed:
            prose = re.sub(re.escape(name), " ", prose, flags=re.IGNORECASE)
        for match in terms.pattern.finditer(prose):
            found.append((number, match.group(0), terms.avoid[match.group(0).casefold()]))
    return found


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        terms = load()
    except (OSError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    count = 0
    for folder in map(Path, argv):
        for file in sorted(folder.rglob("*.md")):
            if ".git" in file.parts:
                continue
            for line, term, preferred in problems(file.read_text(encoding="utf-8"), terms):
                print(f"{file}:{line}: '{term}' -> '{preferred}'")
                count += 1
    return 1 if count else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
