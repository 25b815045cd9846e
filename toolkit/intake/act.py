"""Making a transition: ``sopkit request new|record|dispose|assign|reject``.

The transition is judged twice by the same decision as ``verify`` and the server hook: first as it
would be (the key's roster member, now), before anything is written; then as made (the real signature
checked by ``ssh-keygen``), before the registry's branch moves. A refusal leaves the registry as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import EXIT_BLOCKED, UserError
from toolkit.evidence.contents import looks_like_pdf
from toolkit.evidence.roster import Member, office_day
from toolkit.forge.plain.signing import signing_key
from toolkit.gate.decide import signers_of
from toolkit.i18n import _
from toolkit.intake import registry as store
from toolkit.intake.decide import (
    REGISTRY_APP,
    FileChange,
    Registry,
    RegistryCommit,
    digest,
    judge,
    message,
    next_id,
)
from toolkit.intake.model import NEW, POLICY, TRANSITIONS, Transition, folder, next_transition
from toolkit.intake.records import SCHEMAS, render_record
from toolkit.sop.model import POLICY_STEP


@dataclass(frozen=True)
class Done:
    request_id: str
    transition: str
    commit: str
    member: str
    role: str


def act(
    repo: Path,
    name: str,
    request_id: str | None,
    values: Mapping[str, Any],
    attachments: Mapping[str, Path],
    key: str | None,
) -> Done:
    """Make transition ``name`` of ``request_id`` (a new id for ``new``) with the record ``values`` and
    the ``attachments`` (file name -> file), signed with ``key``."""
    store.require_clean(repo)
    registry = store.load(repo)
    transition = _transition(registry, name, request_id)
    key_path, member = _signer(repo, registry, key)
    moment = store.now()
    timezone = registry.rules.sop.settings.timezone
    today = office_day(moment, timezone)
    if transition is NEW:
        request_id = next_id(registry, today.year)
    assert request_id is not None
    step_no = _step_of(registry, transition, request_id)
    step = registry.rules.sop.step(step_no)
    roles = signers_of(registry.rules.sop, step.id)
    role = next((r for r in roles if registry.rules.roster.holds(member.id, r, today)), roles[0])
    base = folder(request_id)
    record = {"id": request_id, **values} if transition is NEW else dict(values)
    for field in ("tanggal", "tanggal_diterima"):  # the day it is done, unless the officer says otherwise
        if any(f.name == field for f in SCHEMAS[transition.name]) and not record.get(field):
            record[field] = today.isoformat()
    files = {f"{base}/{transition.record}": render_record(transition, record)}
    for file_name, path in attachments.items():
        files[f"{base}/{file_name}"] = _attachment(path, registry.rules.sop.settings.max_artefact_bytes)
    changes = tuple(
        FileChange(path, "A", "100644", store.hash_blob(repo, content, write=False), len(content), content)
        for path, content in files.items()
    )
    title = _title(transition, request_id)
    text = message(title, request_id, transition.name, step.id, role, digest(changes))
    planned = RegistryCommit("0" * 40, (registry.head or "",), text, True, member.id, moment, False, changes)
    _refuse(judge(registry, planned))
    commit = store.write_commit(repo, files, text, key_path, member)
    verdict = store.replay(repo, commit, since=registry)
    if not verdict.valid:
        _refuse(list(verdict.problems))
    store.advance(repo, commit)
    return Done(request_id, transition.name, commit, member.id, role)


def change_policy(repo: Path, policy: Path, roster: Path, key: str | None) -> Done:
    """The registry's policy transition: its ``.sop/`` policy and roster replaced by ``policy`` and
    ``roster``, signed with ``key`` by a policy owner of the rules in force; judged before anything is
    written and again as made, like every transition."""
    store.require_clean(repo)
    registry = store.load(repo)
    key_path, member = _signer(repo, registry, key)
    wanted = {store.POLICY_FILE: policy, store.ROSTER_FILE: roster}
    for path in wanted.values():
        if path.is_symlink() or not path.is_file():
            raise UserError(_("{path} is not a regular file").format(path=path))
    files = {name: path.read_bytes() for name, path in wanted.items()}
    new_rules = store.parse_rules(files[store.POLICY_FILE], files[store.ROSTER_FILE], "policy")
    files = {name: content for name, content in files.items() if content != (repo / name).read_bytes()}
    if not files:
        raise UserError(_("the registry's policy and roster are these already; nothing to change"))
    moment = store.now()
    today = office_day(moment, registry.rules.sop.settings.timezone)
    roles = signers_of(registry.rules.sop, POLICY_STEP)
    role = next((r for r in roles if registry.rules.roster.holds(member.id, r, today)), roles[0])
    changes = tuple(
        FileChange(path, "M", "100644", store.hash_blob(repo, content, write=False), len(content), content)
        for path, content in files.items()
    )
    title = "Registri: kebijakan/roster diubah / policy or roster changed"
    text = message(title, REGISTRY_APP, POLICY, POLICY_STEP, role, digest(changes))
    planned = RegistryCommit(
        "0" * 40, (registry.head or "",), text, True, member.id, moment, False, changes, new_rules
    )
    _refuse(judge(registry, planned))
    commit = store.write_commit(repo, files, text, key_path, member)
    verdict = store.replay(repo, commit, since=registry)
    if not verdict.valid:
        _refuse(list(verdict.problems))
    store.advance(repo, commit)
    return Done(REGISTRY_APP, POLICY, commit, member.id, role)


def _signer(repo: Path, registry: Registry, key: str | None) -> tuple[str, Member]:
    """The signing key and the roster member it belongs to; refused when it belongs to nobody."""
    key_path = signing_key(repo, key)
    member = store.member_of_key(key_path, registry.rules.roster)
    if member is None:
        raise UserError(
            _("refused: the key {key} belongs to no member of the registry's roster").format(key=key_path),
            EXIT_BLOCKED,
        )
    return key_path, member


def _transition(registry: Registry, name: str, request_id: str | None) -> Transition:
    """The transition ``name`` names; ``dispose`` is the Kadis's or the Kabid's, by the request's state."""
    if name != "dispose":
        return TRANSITIONS[name]
    request = registry.request(request_id or "")
    upcoming = next_transition(request.state) if request else None
    if upcoming is None or not upcoming.name.startswith("dispose"):
        raise UserError(
            _("refused: request {id} awaits no disposition (it is '{state}')").format(
                id=request_id, state=request.state if request else "-"
            ),
            EXIT_BLOCKED,
        )
    return upcoming


def _step_of(registry: Registry, transition: Transition, request_id: str) -> int:
    if transition.step_no is not None:
        return transition.step_no
    request = registry.request(request_id)
    upcoming = next_transition(request.state) if request else None
    if upcoming is None or upcoming.step_no is None:
        state = request.state if request else "-"
        raise UserError(
            _("refused: request {id} is not open ({state}); it cannot be rejected").format(
                id=request_id, state=state
            ),
            EXIT_BLOCKED,
        )
    return upcoming.step_no


def _attachment(path: Path, limit: int) -> bytes:
    if path.is_symlink() or not path.is_file():
        raise UserError(_("{path} is not a regular file (a symbolic link is refused)").format(path=path))
    if path.stat().st_size > limit:
        raise UserError(_("{path} is larger than {limit} bytes").format(path=path, limit=limit))
    content = path.read_bytes()
    if not looks_like_pdf(content):
        raise UserError(_("{path} is not a PDF").format(path=path))
    return content


def _refuse(problems: list[str]) -> None:
    if problems:
        raise UserError(
            _("refused; the registry is unchanged:\n  {problems}").format(problems="\n  ".join(problems)),
            EXIT_BLOCKED,
        )


def _title(transition: Transition, request_id: str) -> str:
    titles = {
        "new": "Permintaan {id}: surat permintaan diterima",
        "record": "Permintaan {id}: dicatat TU (arsip surat masuk)",
        "dispose-kadis": "Permintaan {id}: disposisi Kadis ke Kabid",
        "dispose-kabid": "Permintaan {id}: disposisi Kabid ke Kasi, surat tugas",
        "assign": "Permintaan {id}: tim ditugaskan",
        "reject": "Permintaan {id}: ditolak",
    }
    return titles[transition.name].format(id=request_id)
