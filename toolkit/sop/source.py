"""Read a YAML file into plain data while remembering where every value came from.

PyYAML alone is not safe enough for a file that office staff edit by hand: it accepts duplicate keys
silently, reads ``no``/``yes``/``on``/``off`` as booleans (YAML 1.1), and expands aliases without limit.
So we only let it *compose* the node graph and build the data ourselves:

* scalars follow YAML 1.2's core schema (``no`` stays the text ``"no"``; keys are always text);
* a duplicate key, an unknown tag or a merge key is a located problem;
* alias expansion is bounded (a "billion laughs" file is refused, not expanded);
* every key and value keeps its line and column for error messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from toolkit.errors import Problem
from toolkit.i18n import N_, _

if TYPE_CHECKING:
    import yaml  # imported where used: a gate run that finds its policy in the cache never needs it

JsonPath = tuple[str | int, ...]

MAX_FILE_BYTES = 1024 * 1024
MAX_VALUES = 50_000
MAX_DEPTH = 64

_CORE = "tag:yaml.org,2002:"
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_INT_OCT = re.compile(r"^0o[0-7]+$")
_INT_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_SURROGATE = re.compile("[\ud800-\udfff]")  # the pure-Python YAML reader lets a lone one through
_LARGEST = 2**63 - 1  # no count in a policy comes near; a larger number is a mistake (or an attack)
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
# Plain scalars PyYAML resolves to these tags are re-read with the rules above.
_PLAIN_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}


class Located(NamedTuple):
    """Plain data (dicts, lists, text, numbers) plus the position of every part of it (none known for
    data that comes from the cache: it passed validation, so no problem needs a position)."""

    file: str
    data: Any
    raw: bytes = b""
    value_marks: Mapping[JsonPath, tuple[int, int]] = MappingProxyType({})
    key_marks: Mapping[JsonPath, tuple[int, int]] = MappingProxyType({})

    def at(self, path: JsonPath) -> tuple[int, int]:
        """1-based (line, column) of the value at ``path``, or of its nearest located parent."""
        for end in range(len(path), -1, -1):
            mark = self.value_marks.get(path[:end])
            if mark is not None:
                return mark
        return (1, 1)

    def key_at(self, path: JsonPath) -> tuple[int, int]:
        """Position of the key that holds ``path`` (falls back to the value's position)."""
        return self.key_marks.get(path) or self.at(path)

    def problem(self, path: JsonPath, message: str, *, key: bool = False) -> Problem:
        line, col = self.key_at(path) if key else self.at(path)
        return Problem(self.file, line, col, message)


class _TooBig(Exception):
    pass


def read_yaml(path: Path, display: str | None = None) -> tuple[Located | None, list[Problem]]:
    """Load ``path``; return the located data, or ``None`` and the problems that stopped us."""
    name = display if display is not None else str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None, [Problem(name, 1, 1, _("file not found; give the path to sop.yaml"))]
    except OSError as exc:
        return None, [
            Problem(name, 1, 1, _("cannot read the file: {reason}").format(reason=exc.strerror or exc))
        ]
    if not path.is_file():
        return None, [Problem(name, 1, 1, _("not a regular file"))]
    if size > MAX_FILE_BYTES:
        return None, [too_big(name, size)]
    raw = path.read_bytes()
    return parse_yaml(raw, name)


def too_big(name: str, size: int) -> Problem:
    return Problem(
        name,
        1,
        1,
        _("file is {size} bytes, more than the limit of {limit}; an SOP policy is small text").format(
            size=size, limit=MAX_FILE_BYTES
        ),
    )


def parse_yaml(raw: bytes, name: str, typed: bool = True) -> tuple[Located | None, list[Problem]]:
    """``raw`` as data with its marks, and the problems found. ``typed=False``: every scalar is the
    exact text written (``0412`` stays ``"0412"``, ``12:30`` stays ``"12:30"``), for records whose
    values are what an officer typed, never numbers."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Problem(
                name,
                line,
                col,
                _("the file is not UTF-8 text (byte 0x{byte:02x}); save it with UTF-8 encoding").format(
                    byte=raw[exc.start]
                ),
            )
        ]
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, [Problem(name, line, 1, _("the file contains NUL bytes; it is not a text file"))]
    import yaml

    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "?"
        known = [text for prefix, text in _YAML_PROBLEMS.items() if problem.startswith(prefix)]
        text = _(known[0]) if known else problem
        return None, [Problem(name, line, col, _("YAML syntax error: {problem}").format(problem=text))]
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML marks its errors
        return None, [Problem(name, 1, 1, _("YAML syntax error: {problem}").format(problem=exc))]
    except RecursionError:  # PyYAML's reader recurses once per level of nesting
        return None, [Problem(name, 1, 1, _("nesting is deeper than {limit} levels").format(limit=MAX_DEPTH))]
    if node is None:
        return None, [Problem(name, 1, 1, _("the file is empty; it must hold the SOP as a mapping"))]
    builder = _Builder(name, typed)
    try:
        data = builder.build(node, (), 0, ())
    except _TooBig:
        return None, [
            *builder.problems,
            Problem(
                name,
                1,
                1,
                _(
                    "the document expands to more than {limit} values (through YAML aliases); "
                    "write it out without aliases"
                ).format(limit=MAX_VALUES),
            ),
        ]
    located = Located(name, data, raw, builder.value_marks, builder.key_marks)
    return located, builder.problems


# PyYAML's most frequent complaints (by prefix), said in the user's language with the usual fix.
_YAML_PROBLEMS = {
    "found character '\\t' that cannot start any token": N_("a tab character; indent with spaces, not tabs"),
    "could not find expected ':'": N_("a ':' is missing after a key (write 'key: value')"),
    "mapping values are not allowed here": N_(
        "a ':' where none is allowed; put text containing ': ' in quotes"
    ),
    "but found another document": N_(
        "a second document ('---') in the file; keep the whole SOP in one document"
    ),
    "expected <block end>": N_("the indentation is off; align this line with its siblings"),
    "expected ',' or ']'": N_("a list in '[...]' is not closed; add the ']'"),
    "expected ',' or '}'": N_("a mapping in '{...}' is not closed; add the '}'"),
    "did not find expected key": N_("the indentation is off; align this key with its siblings"),
    "did not find expected '-' indicator": N_(
        "the indentation is off; align this list item with the other items"
    ),
    "found undefined alias": N_("an alias ('*name') without a matching anchor ('&name')"),
    "found unexpected end of stream": N_("the file ends inside a quoted text; close the quote"),
}


def _compose(text: str) -> yaml.Node | None:
    """Compose with libyaml when it is there (ten times faster); on a syntax error, compose again with
    the pure-Python parser, whose messages are the ones we translate."""
    import yaml

    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


class _Builder:
    def __init__(self, name: str, typed: bool = True) -> None:
        self.name = name
        self.typed = typed
        self.problems: list[Problem] = []
        self.value_marks: dict[JsonPath, tuple[int, int]] = {}
        self.key_marks: dict[JsonPath, tuple[int, int]] = {}
        self.count = 0

    def _problem(self, node: yaml.Node, message: str) -> None:
        self.problems.append(
            Problem(self.name, node.start_mark.line + 1, node.start_mark.column + 1, message)
        )

    def build(self, node: yaml.Node, path: JsonPath, depth: int, active: tuple[int, ...]) -> Any:
        import yaml

        self.count += 1
        if self.count > MAX_VALUES:
            raise _TooBig
        self.value_marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if id(node) in active:
            self._problem(node, _("a YAML alias refers to itself; remove the alias"))
            return None
        if depth > MAX_DEPTH:
            self._problem(node, _("nesting is deeper than {limit} levels").format(limit=MAX_DEPTH))
            return None
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        inner = (*active, id(node))
        if isinstance(node, yaml.SequenceNode):
            self._check_tag(node, "seq")
            return [self.build(item, (*path, i), depth + 1, inner) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.MappingNode)
        self._check_tag(node, "map")
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(key_node, _("a key must be plain text, not a list or mapping"))
                continue
            key = self._valid_text(key_node, str(key_node.value))
            if key == "<<" and not key_node.style:
                self._problem(key_node, _("merge keys ('<<') are not supported; write the values out"))
                continue
            if key in result:
                self._problem(
                    key_node,
                    _("duplicate key '{key}' (first on line {line}); keep only one").format(
                        key=key, line=first_line[key]
                    ),
                )
                continue
            first_line[key] = key_node.start_mark.line + 1
            self.key_marks[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, (*path, key), depth + 1, inner)
        return result

    def _check_tag(self, node: yaml.Node, kind: str) -> None:
        if node.tag != f"{_CORE}{kind}":
            self._problem(node, _("the YAML tag '{tag}' is not allowed; remove it").format(tag=node.tag))

    def _whole(self, node: yaml.ScalarNode, text: str, digits: str, base: int) -> int | None:
        # int() of thousands of digits is slow, and Python refuses to print one of more than 4,300
        number = int(digits, base) if len(digits.lstrip("+-0")) <= 24 else _LARGEST + 1
        if abs(number) > _LARGEST:
            shown = text if len(text) <= 24 else text[:20] + "…"
            self._problem(
                node,
                _("the number {number} is too large; use a number below {limit}").format(
                    number=shown, limit=_LARGEST
                ),
            )
            return None
        return number

    def _valid_text(self, node: yaml.ScalarNode, value: str) -> str:
        if _SURROGATE.search(value):
            self._problem(node, _("the text holds a character that is not valid Unicode; remove it"))
            return _SURROGATE.sub("\ufffd", value)
        return value

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        value = self._valid_text(node, str(node.value))
        if node.style:  # quoted or block text is always text
            return value
        if node.tag not in _PLAIN_TAGS:
            self._problem(node, _("the YAML tag '{tag}' is not allowed; remove it").format(tag=node.tag))
            return value
        if not self.typed:
            return value
        if _NULL.match(value):
            return None
        if value in _BOOL:
            return _BOOL[value]
        if _INT.match(value):
            return self._whole(node, value, value, 10)
        if _INT_OCT.match(value):
            return self._whole(node, value, value[2:], 8)
        if _INT_HEX.match(value):
            return self._whole(node, value, value[2:], 16)
        if _FLOAT.match(value):
            return float(value)
        return value
