"""What ``sopkit github provision --from DIR`` reads from the folder: the scaffold's committed files, its
policy, roster and answers, turned into the desired state on GitHub."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from toolkit.errors import UserError
from toolkit.evidence import roster as rosters
from toolkit.forge.github.desired import Desired, desired
from toolkit.i18n import _
from toolkit.repo.scaffold_files import Scaffold, read_scaffold

SOP_FILE = ".sop/sop.yaml"
ROSTER_FILE = ".sop/roster.yaml"
ANSWERS_FILE = ".copier-answers.yml"


class Prepared(NamedTuple):
    name: str
    want: Desired
    scaffold: Scaffold


def prepare(
    folder: Path, org: str, name: str | None, merge_methods: Iterable[str], today: dt.date | None = None
) -> Prepared:
    from toolkit import sop as sops

    scaffold = read_scaffold(folder)
    answers = _answers(folder, scaffold.get(ANSWERS_FILE))
    raw_sop = scaffold.get(SOP_FILE)
    if raw_sop is None:
        raise UserError(
            _("{folder}: no {file} committed; provisioning takes a repository made by `sopkit new`").format(
                folder=folder, file=SOP_FILE
            )
        )
    policy = sops.parse(raw_sop, SOP_FILE)
    raw_roster = scaffold.get(ROSTER_FILE)
    if raw_roster is None:
        raise UserError(
            _(
                "{folder}: no {file} committed. On GitHub the gate reads the roster from the repository: "
                "write it (members, roles, github: logins; see README) and commit it, then run again"
            ).format(folder=folder, file=ROSTER_FILE)
        )
    roster = rosters.parse(raw_roster, ROSTER_FILE, set(policy.roles))
    slug = name or str(answers.get("app_slug") or "")
    if not slug:
        raise UserError(
            _("{folder}/{file} names no app_slug; give the repository's name with --name").format(
                folder=folder, file=ANSWERS_FILE
            )
        )
    app_name = str(answers.get("app_name") or slug)
    day = today or dt.datetime.now(rosters.office_zone(policy.settings.timezone)).date()
    return Prepared(slug, desired(policy, roster, org, app_name, day, merge_methods), scaffold)


def _answers(folder: Path, raw: bytes | None) -> dict[str, Any]:
    if raw is None:
        raise UserError(
            _("{folder}: no {file} committed; provisioning takes a repository made by `sopkit new`").format(
                folder=folder, file=ANSWERS_FILE
            )
        )
    try:
        data = yaml.safe_load(raw[:65536].decode("utf-8")) if len(raw) <= 65536 else None
    except (yaml.YAMLError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise UserError(
            _(
                "{folder}/{file} is not the scaffold's answers (a YAML mapping); restore it from `sopkit new`"
            ).format(folder=folder, file=ANSWERS_FILE)
        )
    return data
