"""The quick schema check never says "valid" where jsonschema says "invalid", and says "valid" for the
policies the office ships (otherwise it buys nothing)."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from toolkit.paths import default_policy
from toolkit.sop.conforms import conforms, unknown_keywords
from toolkit.sop.schema import schema
from toolkit.sop.source import parse_yaml

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((Path(__file__).parent / "corpus").glob("*.yaml"))


def _data(path: Path) -> Any:
    doc, _ = parse_yaml(path.read_bytes(), path.name)
    return None if doc is None else doc.data


def _jsonschema_valid(data: Any) -> bool:
    return not any(Draft202012Validator(schema()).iter_errors(data))


def test_the_schema_uses_only_keywords_the_quick_check_judges() -> None:
    assert unknown_keywords(schema()) == set()


@pytest.mark.parametrize(
    "path",
    [ROOT / "sop.yaml", Path(__file__).parent / "minimal.yaml", default_policy()],
    ids=["sop.yaml", "minimal.yaml", "template"],
)
def test_shipped_policies_pass_quickly(path: Path) -> None:
    assert conforms(_data(path), schema())


@pytest.mark.parametrize("case", CORPUS, ids=lambda p: p.stem)
def test_never_laxer_than_jsonschema_on_the_corpus(case: Path) -> None:
    data = _data(case)
    if data is not None and conforms(data, schema()):
        assert _jsonschema_valid(data), case.name


# Values that break one keyword or another: wrong types, YAML 1.1 booleans and dates, floats, empties,
# duplicates, text that fails a pattern.
_ODD_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    1.0,
    1.5,
    "",
    "X",
    "Bad Id",
    "a--b",
    "ok-id",
    [],
    [1, 1],
    ["a", "a"],
    {},
    {"x": 1},
    {False: 1},
    "**",
    "src/*.py",
]


def _places(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _places(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _places(value, (*path, index))


def _mutate(data: Any, rng: random.Random, places: list[tuple[Any, ...]]) -> Any:
    result = copy.deepcopy(data)
    path = rng.choice(places[1:])
    parent = result
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    move = rng.randrange(4)
    if move == 0 and isinstance(parent, dict):
        del parent[last]  # a required key gone
    elif move == 1 and isinstance(parent, dict):
        parent[rng.choice(["extra", "Bad Key", "x-y"])] = rng.choice(_ODD_VALUES)  # an unknown key
    elif move == 2 and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))  # a duplicate item
    else:
        parent[last] = copy.deepcopy(rng.choice(_ODD_VALUES))
    return result


def test_never_laxer_than_jsonschema_on_mutations_of_the_policy() -> None:
    data = _data(ROOT / "sop.yaml")
    places = list(_places(data))
    rng = random.Random(20261130)
    judged = valid = 0
    for _ in range(3000):
        mutant = _mutate(data, rng, places)
        if conforms(mutant, schema()):
            valid += 1
            assert _jsonschema_valid(mutant), mutant
        judged += 1
    assert judged == 3000
    assert valid > 100  # some mutations stay valid (a changed title, say): both checks must agree on them
