"""The YAML reader: YAML 1.2 scalars, positions, and refusal of what PyYAML would accept silently."""

from __future__ import annotations

from toolkit.sop.source import parse_yaml


def load(text: str):  # type: ignore[no-untyped-def]
    return parse_yaml(text.encode(), "t.yaml")


def test_yaml_1_1_words_stay_text_and_keys_stay_keys() -> None:
    doc, problems = load("no: 3\non: yes\nflag: true\nempty:\nn: 0x1f\nf: 1.5\nd: 2026-01-02\n")
    assert problems == []
    assert doc.data == {
        "no": 3,
        "on": "yes",
        "flag": True,
        "empty": None,
        "n": 31,
        "f": 1.5,
        "d": "2026-01-02",
    }


def test_quoted_numbers_are_text() -> None:
    doc, _ = load("a: '1'\nb: \"true\"\n")
    assert doc.data == {"a": "1", "b": "true"}


def test_positions_of_keys_and_values() -> None:
    doc, _ = load("steps:\n  - id: x\n    no: 2\n")
    assert doc.at(("steps", 0, "no")) == (3, 9)
    assert doc.key_at(("steps", 0, "no")) == (3, 5)
    assert doc.at(("steps", 0, "missing", 4)) == (2, 5)  # nearest located parent


def test_aliases_within_the_limit_are_expanded() -> None:
    doc, problems = load("a: &x [1, 2]\nb: *x\n")
    assert problems == []
    assert doc.data == {"a": [1, 2], "b": [1, 2]}


def test_bom_is_accepted() -> None:
    doc, problems = parse_yaml(b"\xef\xbb\xbfa: 1\n", "t.yaml")
    assert problems == [] and doc.data == {"a": 1}
