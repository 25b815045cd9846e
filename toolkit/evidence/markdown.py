"""A Markdown document read the way a CommonMark/GFM renderer reads it (markdown-it-py), not line by line:
fences, indented code, block quotes, list items, HTML blocks and tables are found by the same rules a
reader's screen follows, so no text shown as a table or heading is missed and none hidden is read.

The YAML front matter (``---`` ... ``---`` at the very top) is split off first; the body keeps the file's
line numbers (the front-matter lines are left blank).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from markdown_it.token import Token


class Split(NamedTuple):
    front: str | None  # the YAML between the two "---" lines, or None when the file has no front matter
    front_line: int  # the file's line (1-based) the YAML starts on
    body: str  # the rest, with the front matter's lines blanked so that line numbers stay the file's


def split(text: str) -> Split:
    """``text`` (LF line endings) as its front matter and its body; the front matter ends at the first
    line that is exactly ``---``."""
    lines = text.split("\n")
    if lines[0] != "---":
        return Split(None, 1, text)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if end is None:
        return Split(None, 1, text)
    return Split("\n".join(lines[1:end]), 2, "\n" * (end + 1) + "\n".join(lines[end + 1 :]))


def parse(body: str) -> list[Token]:
    """The block and inline tokens of ``body`` (CommonMark with GFM tables; raw HTML kept as tokens)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").parse(body)


def shown(inline: Token) -> str:
    """The text a reader sees in an inline token: entities decoded, escapes and emphasis marks gone,
    code spans as their text; a raw HTML tag (``<br>``, ``<!-- -->``) becomes a space."""
    parts: list[str] = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak", "html_inline"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(shown(child))
    return " ".join("".join(parts).split())
