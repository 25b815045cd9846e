"""Requests as GitHub issues: an issue form holds the letter, labels and comment commands move it on.

Pure: the adapter reads an issue and its timeline; :func:`replay` judges every human action on it, oldest
first, with the same rules as the local registry (SOP order, the role of the step on the day, in the
office's time zone, judged by the gate's own :func:`toolkit.gate.decide.signoff_problems`) and answers the
request it makes and a verdict per action. Nothing the bot wrote counts: the state is replayed from what
people did, each time, so a label or a comment added, edited or removed by someone else changes nothing
it may not.

- The request is submitted (step 1, TU) when TU opens the issue, applies the ``diajukan`` label or
  comments ``/terima``, after the issue's text was last edited: an edit after that voids the acceptance.
- A comment command is ``/catat``, ``/disposisi``, ``/tugaskan``, ``/tolak`` (or ``/terima``) on the first
  line, the record's fields as YAML below it. A comment edited after it was written does not count.
- A state label (``dicatat``, ``disposisi-kadis``, ...) applied by the role that owns the transition
  makes it when the record needs nothing a label cannot say (the date, a disposition's usual defaults).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from toolkit.evidence.model import Signoff
from toolkit.evidence.roster import office_day
from toolkit.gate.decide import signers_of, signoff_problems
from toolkit.gate.messages import text
from toolkit.gate.model import Rules
from toolkit.i18n import _
from toolkit.intake.model import (
    ASSIGN,
    CLOSED,
    DISPOSE_KABID,
    DISPOSE_KADIS,
    MAX_RECORD_BYTES,
    NEW,
    ORDER,
    RECORD,
    REJECT,
    TRANSITIONS,
    Event,
    Request,
    State,
    Transition,
    next_transition,
)
from toolkit.intake.records import SCHEMAS, TEAM_FIELDS, Days, check_values
from toolkit.sop.source import parse_yaml

REQUEST_LABEL = "permintaan"
LABELS: Mapping[str, Transition] = {t.target.value: t for t in (*ORDER, REJECT)}
COMMANDS: Mapping[str, str] = {
    "terima": NEW.name,
    "accept": NEW.name,
    "catat": RECORD.name,
    "record": RECORD.name,
    "disposisi": "dispose",
    "dispose": "dispose",
    "tugaskan": ASSIGN.name,
    "assign": ASSIGN.name,
    "tolak": REJECT.name,
    "reject": REJECT.name,
}
COMMAND_OF = {NEW.name: "terima", RECORD.name: "catat", ASSIGN.name: "tugaskan", REJECT.name: "tolak"}
COMMAND_OF |= {DISPOSE_KADIS.name: "disposisi", DISPOSE_KABID.name: "disposisi"}
# What a disposition sheet says when the officer ticks nothing else.
DEFAULTS = {"sifat": "Biasa", "isi_disposisi": "Untuk ditindaklanjuti"}
_DAY_FIELDS = ("tanggal", "tanggal_diterima")

# The issue form: each field's heading as GitHub writes it into the issue's text, and the record field.
FORM: tuple[tuple[str, str], ...] = (
    ("opd", "Nama OPD pemohon"),
    ("aplikasi", "Nama aplikasi"),
    ("jenis", "Jenis permintaan"),
    ("nomor_surat", "Nomor surat permintaan"),
    ("tanggal_surat", "Tanggal surat"),
    ("perihal", "Perihal"),
    ("ringkasan", "Ringkasan kebutuhan"),
    ("lampiran", "Lampiran"),
)
ATTACHMENTS_FIELD = "lampiran"  # links to the letter and the KAK
NO_RESPONSE = "_No response_"
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)  # an unclosed one hides the rest
_HEADING = re.compile(r"^###[ \t]+([^\n]*)$", re.M)  # linear: the heading is stripped after
_COMMAND = re.compile(r"^/([A-Za-z]+)(?:[ \t]+(.*))?$")
_LINK = re.compile(r"https://[^\s)<>\]]+")


class Action(NamedTuple):
    """Something a person (or a bot) did on the issue, as GitHub recorded it."""

    key: str  # stable: "opened", "label:<node id>", "comment:<id>"
    kind: str  # opened, labeled, unlabeled, comment, deleted (a comment), transferred
    login: str | None  # None: a deleted account
    bot: bool
    time: int
    label: str = ""
    body: str = ""
    edited: bool = False  # a comment whose text was changed after it was written
    url: str = ""
    author: str | None = None  # a comment's author (a deleted one's, for "deleted")
    editor: str | None = None  # who last edited a comment
    # the numbers of the accounts of ``login`` and ``author`` (a renamed account frees its login; a roster
    # member with github_id is matched by number)
    account_id: int | None = None
    author_id: int | None = None


class IssueFacts(NamedTuple):
    number: int
    body: str
    created: int
    edited: int | None  # the last edit of the issue's text
    actions: tuple[Action, ...]  # the opening first, then the timeline, oldest first
    confirmed: frozenset[str] = frozenset()  # keys of actions the intake once answered as counting
    editor: str | None = None  # who last edited the issue's text


class Verdict(NamedTuple):
    action: Action
    transition: str  # what it asked for
    problems: tuple[str, ...]  # empty: done
    state: State | None  # the request's state after it

    @property
    def accepted(self) -> bool:
        return not self.problems


class Replayed(NamedTuple):
    request: Request | None  # None: not submitted (yet)
    verdicts: tuple[Verdict, ...]
    letter: Mapping[str, Any]  # the form's fields as read (checked or not)
    links: tuple[str, ...]  # the attachments' links
    tampered: tuple[str, ...] = ()  # what once counted and no longer does: the issue cannot be judged
    notes: tuple[str, ...] = ()  # what changed nothing but must be said (an edit of a closed request)


def request_id(facts: IssueFacts, rules: Rules) -> str:
    year = office_day(facts.created, rules.sop.settings.timezone).year
    return f"{year:04d}-{facts.number:03d}"


def read_form(body: str) -> tuple[dict[str, str], list[str]]:
    """The form's answers by record field, and what is wrong with the form's headings: missing, or there
    more than once (a second copy could say something else). HTML comments are dropped first: GitHub does
    not show them, so what officers read and what is recorded stay the same."""
    names = {heading.lower(): field for field, heading in FORM}
    parts = _HEADING.split(_HTML_COMMENT.sub("", body))
    answers: dict[str, str] = {}
    problems: list[str] = []
    for heading, value in zip(parts[1::2], parts[2::2], strict=True):
        field = names.get(heading.strip().lower())
        if field is None:
            continue
        if field in answers:
            problems.append(
                _("the heading '{heading}' is there more than once").format(heading=heading.strip())
            )
            continue
        answer = value.strip()
        answers[field] = "" if answer == NO_RESPONSE else answer
    problems += [
        _("the heading '{heading}' is missing").format(heading=heading)
        for field, heading in FORM
        if field not in answers
    ]
    return answers, problems


def is_request(body: str) -> bool:
    """Whether the issue was written with the request form (most of its headings are there)."""
    answers, _problems = read_form(body)
    return len(answers) > len(FORM) // 2


def replay(rules: Rules, facts: IssueFacts) -> Replayed:
    """The request ``facts`` make under ``rules``, with a verdict per person's action.

    A closed request (rejected, or assigned to its team) is final: an edit of the request's text after
    it (which voids TU's acceptance and what followed) changes nothing, and is noted, even when the
    edited text is no longer a valid form (the letter as TU accepted it is then lost, and that is said).
    An edit that voids an open request's acceptance is noted too: a request that counted never leaves the
    registers unsaid."""
    done = _replay(rules, facts, facts.edited)
    if facts.edited is None or (done.request is not None and done.request.state in CLOSED):
        return _never_unsaid(facts, done)
    # the request as it was before the edit: GitHub keeps only the edited text, so an acceptance the
    # intake confirmed before the edit is taken as it counted then, whatever the form says now
    unedited = _replay(rules, facts, None, trusted=facts.edited)
    before = unedited.request
    if before is None or (done.request is not None and done.request.state is before.state):
        return _never_unsaid(facts, done)
    editor = facts.editor or "-"
    if before.state in CLOSED and before.events[-1].time < facts.edited:
        lost = _letter(rules, facts)[2]
        if lost:
            note = _(
                "the request's text was edited by @{editor} after the request was closed ({state}); "
                "a closed request is final, so the edit changes nothing, but the edited text is no "
                "longer a valid request ({problems}) and the letter as TU accepted it cannot be "
                "recovered from the issue (GitHub's edit history of the issue shows it)"
            ).format(editor=editor, state=before.state.value, problems="; ".join(lost))
        else:
            note = _(
                "the request's text was edited by @{editor} after the request was closed ({state}); "
                "a closed request is final, so the edit changes nothing, but the letter's fields "
                "shown are the edited text (GitHub's edit history of the issue shows what changed)"
            ).format(editor=editor, state=before.state.value)
        return unedited._replace(notes=(note,))
    if done.request is None:
        return done._replace(
            notes=(
                _(
                    "the request's text was edited by @{editor} after TU accepted it (it was "
                    "'{state}'); it counts again once TU accepts the edited text with /terima"
                ).format(editor=editor, state=before.state.value),
            )
        )
    return _never_unsaid(facts, done)


def _never_unsaid(facts: IssueFacts, done: Replayed) -> Replayed:
    """``done``, with a note when a request that counted (the intake answered so) is gone and nothing
    else says why."""
    if done.request is not None or done.notes or done.tampered or not facts.confirmed:
        return done
    return done._replace(
        notes=(
            _(
                "the request counted once ({keys}, as the intake answered) and no longer does; the "
                "issue's verdicts say why"
            ).format(keys=", ".join(sorted(facts.confirmed))),
        )
    )


def _letter(rules: Rules, facts: IssueFacts) -> tuple[dict[str, Any], tuple[str, ...], list[str]]:
    """The letter the issue's text holds now, its attachments' links, and what is wrong with it."""
    answers, form_problems = read_form(facts.body)
    links = tuple(dict.fromkeys(_LINK.findall(answers.get(ATTACHMENTS_FIELD, ""))))
    submitted = Days(office_day(facts.created, rules.sop.settings.timezone))
    values = {"id": request_id(facts, rules), **answers}
    letter, letter_problems = check_values(NEW, values, rules.roster, submitted)
    letter_problems = [_("the form: {problem}").format(problem=p) for p in letter_problems]
    letter_problems += [_("the form: {problem}").format(problem=p) for p in form_problems]
    if not links:
        letter_problems.append(_("the form: link the request letter (a PDF) under 'Lampiran'"))
    return letter, links, letter_problems


def _replay(rules: Rules, facts: IssueFacts, edited: int | None, trusted: int | None = None) -> Replayed:
    """The replay of ``facts``: ``edited``, when the text was edited (what came before is void);
    ``trusted``, the time before which an acceptance the intake confirmed counts whatever the form
    says now (the text it accepted is gone)."""
    letter, links, letter_problems = _letter(rules, facts)
    rid = request_id(facts, rules)
    request: Request | None = None
    verdicts: list[Verdict] = []
    for action in facts.actions:
        if action.bot or action.login is None:
            continue
        asked = _asked(action, request)
        if asked is None:
            continue
        transition, values, problems = asked
        if transition is None:
            verdicts.append(Verdict(action, "", tuple(problems), request.state if request else None))
            continue
        if action.kind == "opened" and not _may_submit(rules, action):
            problems = [
                _("awaiting TU: the request counts once TU accepts it (the label 'diajukan' or /terima)")
            ]
        if transition is NEW:
            values = letter
            vouched = trusted is not None and action.time < trusted and action.key in facts.confirmed
            problems = [*problems, *([] if vouched else letter_problems)]
            if edited is not None and action.time <= edited:  # the same second: unsure
                problems.append(
                    _("the issue's text was edited after this; TU accepts the edited request with /terima")
                )
        if not problems:
            problems, request = _judged(rules, facts, rid, request, transition, values, action)
        verdicts.append(Verdict(action, transition.name, tuple(problems), request.state if request else None))
    return Replayed(request, tuple(verdicts), letter, links, _tampered(rules, facts, verdicts, edited))


def _tampered(
    rules: Rules, facts: IssueFacts, verdicts: list[Verdict], edited: int | None
) -> tuple[str, ...]:
    """What shows the issue no longer holds its own history, so that nothing is decided from it:

    - an officer's comment (a roster member's) deleted or edited by someone else: whatever it said;
    - the issue moved here from another repository (its history was made elsewhere);
    - what counted once (the intake answered so) and no longer does: gone, edited, a role taken away in
      the roster afterwards. Only an edit of the request's text may void what came before it (TU
      accepts it again). The intake's answers can be forged or deleted by anyone with write access, so
      they are trusted in this direction only: a forged one can block an issue, never move it.
    """
    found = []
    for action in facts.actions:
        officer = (
            action.author is not None and rules.roster.by_github(action.author, action.author_id) is not None
        )
        if action.kind == "transferred":
            found.append(_("the issue was transferred from another repository"))
        elif action.kind == "deleted" and officer and not _same(action.login, action.author):
            found.append(
                _("a comment by @{author} was deleted by @{login}").format(
                    author=action.author, login=action.login
                )
            )
        elif (
            action.kind == "comment" and action.edited and officer and not _same(action.editor, action.author)
        ):
            found.append(
                _("{key}: a comment by @{author} was edited by @{editor}").format(
                    key=action.key, author=action.author, editor=action.editor or "-"
                )
            )
    judged = {v.action.key: v for v in verdicts}
    for key in sorted(facts.confirmed):
        verdict = judged.get(key)
        if verdict is None:
            found.append(_("{key}: counted, and is gone from the issue (deleted)").format(key=key))
        elif not verdict.accepted and (edited is None or verdict.action.time > edited):
            problems = "; ".join(verdict.problems)
            found.append(
                _("{key}: counted, and no longer does: {problems}").format(key=key, problems=problems)
            )
    return tuple(found)


def short(text: str, limit: int = 40) -> str:
    """Someone's text quoted back in an answer: cut, so an answer always fits in a comment."""
    return text if len(text) <= limit else text[:limit] + "…"


def _same(one: str | None, other: str | None) -> bool:
    return one is not None and other is not None and one.lower() == other.lower()


def role_titles(rules: Rules, roles: tuple[str, ...] | list[str]) -> str:
    return ", ".join(rules.sop.roles[r].title.get() if r in rules.sop.roles else r for r in roles)


def label_key(name: str) -> str:
    """A label's name as the state labels are compared: ASCII letters folded; a name with anything else
    (a look-alike such as the Kelvin sign for K) is never a state label."""
    return name.lower() if name.isascii() else ""


def _may_submit(rules: Rules, action: Action) -> bool:
    """Whether the issue's author may submit a request (holds step 1's role on the day)."""
    member = rules.roster.by_github(action.login or "", action.account_id)
    day = office_day(action.time, rules.sop.settings.timezone)
    roles = signers_of(rules.sop, rules.sop.step(NEW.step_no or 1).id)
    return member is not None and any(rules.roster.holds(member.id, r, day) for r in roles)


def _asked(
    action: Action, request: Request | None
) -> tuple[Transition | None, dict[str, Any], list[str]] | None:
    """The transition an action asks for, with its values and what is already wrong (None: it asks for
    none)."""
    state = request.state if request else None
    if action.kind == "opened":
        return NEW, {}, []
    if action.kind == "unlabeled":
        if state is not None and label_key(action.label) == state.value:
            return (
                LABELS[state.value],
                {},
                [
                    _(
                        "the label '{label}' shows the request's state and comes back; to end a request, "
                        "comment /tolak with the reason"
                    ).format(label=action.label)
                ],
            )
        return None
    if action.kind == "labeled":
        transition = LABELS.get(label_key(action.label))
        if transition is None:
            return None
        return transition, {}, _label_problems(transition)
    if action.kind != "comment":
        return None
    asked = _command(action.body, state)
    if asked is not None and action.edited:  # what counted must stay as it was when it counted
        edited = _("the comment was edited after it was written; write the command again in a new comment")
        return asked[0], asked[1], [*asked[2], edited]
    return asked


def _label_problems(transition: Transition) -> list[str]:
    needs = [
        f.name
        for f in SCHEMAS[transition.name]
        if f.required and f.name not in (*DEFAULTS, *_DAY_FIELDS, "id")
    ]
    if transition is NEW or not needs:
        return []
    return [
        _(
            "the label '{label}' cannot say {fields}: comment /{command} with them, one 'field: value' a line"
        ).format(label=transition.target.value, fields=", ".join(needs), command=COMMAND_OF[transition.name])
    ]


def _command(body: str, state: State | None) -> tuple[Transition | None, dict[str, Any], list[str]] | None:
    lines = body.strip().splitlines()
    match = _COMMAND.match(lines[0].strip()) if lines else None
    if match is None:
        return None
    name = COMMANDS.get(match[1].lower())
    if name is None:
        known = ", ".join(f"/{c}" for c in dict.fromkeys(COMMAND_OF.values()))
        return (
            None,
            {},
            [_("unknown command /{name}; the commands: {known}").format(name=short(match[1]), known=known)],
        )
    if name == "dispose":
        upcoming = next_transition(state) if state else None
        transition = upcoming if upcoming in (DISPOSE_KADIS, DISPOSE_KABID) else DISPOSE_KADIS
    else:
        transition = {t.name: t for t in (*ORDER, REJECT)}[name]
    if len(body.encode("utf-8")) > MAX_RECORD_BYTES:
        return (
            transition,
            {},
            [_("the comment is larger than {kib} KiB").format(kib=MAX_RECORD_BYTES // 1024)],
        )
    values, problems = fields_below(lines[1:])
    if problems:
        return transition, {}, problems
    inline = (match[2] or "").strip()
    if inline:
        if transition is not REJECT or "alasan" in values:
            return (
                transition,
                {},
                [
                    _("put the fields on the lines below /{command}, one 'field: value' a line").format(
                        command=match[1]
                    )
                ],
            )
        values["alasan"] = inline
    return transition, {str(k): v for k, v in values.items()}, []


def fields_below(lines: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The ``field: value`` lines below a command, each value the exact text typed (YAML without
    implicit types: ``0412`` stays ``0412``, not the octal 266; ``12:30`` stays ``12:30``), lists for
    the team; or what is wrong with them (a line number counts the command's line as line 1)."""
    kept = [line for line in lines if not line.strip().startswith("```")]
    if not any(line.strip() and not line.strip().startswith("#") for line in kept):
        return {}, []
    doc, found = parse_yaml("\n".join(kept).encode("utf-8"), "", typed=False)
    if found or doc is None:
        first = min(found, default=None)
        where = _(" (line {line})").format(line=first.line + 1) if first else ""
        said = f": {first.message}" if first else ""
        return {}, [
            _("the fields below the command are not 'field: value' lines{where}").format(where=where) + said
        ]
    if not isinstance(doc.data, dict):
        return {}, [_("the fields below the command are not 'field: value' lines")]
    return dict(doc.data), []


def recorded(request: Request | None, transition: str) -> str:
    """What a transition recorded, ``field: value`` by field, as an answer echoes it back (so the officer
    sees the text stored, exactly)."""
    made = TRANSITIONS.get(transition)
    record = request.records.get(made.record, {}) if request and made else {}
    shown = []
    for name, value in record.items():
        said = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        shown.append(f"{name}: {short(said)}")
    return "; ".join(shown)


def _judged(
    rules: Rules,
    facts: IssueFacts,
    rid: str,
    request: Request | None,
    transition: Transition,
    values: Mapping[str, Any],
    action: Action,
) -> tuple[list[str], Request | None]:
    """Whether ``action`` makes ``transition`` now; the request after it."""
    state = request.state if request else None
    upcoming = next_transition(state) if state else NEW
    if transition is NEW and request is not None:
        return [_("request {id} is submitted already").format(id=rid)], request
    if transition is not NEW and request is None:
        return [_("the request is not submitted yet: TU accepts it first (/terima)")], request
    if upcoming is None:
        assert state is not None
        return [
            _("request {id} is closed ({state}); nothing may follow").format(id=rid, state=state.value)
        ], request
    problems = []
    if transition is not REJECT and transition is not upcoming:
        problems.append(
            _("request {id} is '{state}': the next is /{next}, not /{name}").format(
                id=rid,
                state=state.value if state else "-",
                next=COMMAND_OF[upcoming.name],
                name=COMMAND_OF[transition.name],
            )
        )
    # who may make it: the roles of its own step (a rejection: of the step that is due)
    step = rules.sop.step((upcoming if transition is REJECT else transition).step_no or 1)
    roles = signers_of(rules.sop, step.id)
    member = rules.roster.by_github(action.login or "", action.account_id)
    if member is None:
        problems.append(
            _("@{login} is not in the roster; step {no} ({step}) is made by: {roles}").format(
                login=action.login, no=step.no, step=step.title.get(), roles=role_titles(rules, roles)
            )
        )
        return problems, request
    day = office_day(action.time, rules.sop.settings.timezone)
    role = next((r for r in roles if rules.roster.holds(member.id, r, day)), roles[0])
    signoff = Signoff(action.key, step.id, role, "", member.id, action.time, rid, (), True, action.url)
    problems += [text(m) for m in signoff_problems(rules._replace(app=rid), signoff, ())]
    record = dict(values)
    if transition is not NEW:
        record = _with_defaults(transition, record, day.isoformat(), rules)
        # not ahead of the day; the letter's date is not a bound here: the agency may edit the form, and a
        # record that counted must not stop counting by an edit (an assigned request is final)
        record, found = check_values(transition, record, rules.roster, Days(day))
        problems += [_("the command: {problem}").format(problem=p) for p in found]
    if problems:
        return problems, request
    event = Event(transition.name, member.id, role, action.time, True, action.url or action.key)
    return [], Request(
        rid,
        transition.target,
        {**(request.records if request else {}), transition.record: record},
        (*(request.events if request else ()), event),
        (),
    )


def _with_defaults(transition: Transition, values: dict[str, Any], day: str, rules: Rules) -> dict[str, Any]:
    fields = {f.name for f in SCHEMAS[transition.name]}
    done = dict(values)
    for name in _DAY_FIELDS:
        if name in fields:
            done.setdefault(name, day)
    for name, value in DEFAULTS.items():
        if name in fields:
            done.setdefault(name, value)
    for name in TEAM_FIELDS:  # team members by roster id or by @login
        if isinstance(done.get(name), list):
            done[name] = [_member_id(v, rules) for v in done[name]]
    return done


def _member_id(value: Any, rules: Rules) -> Any:
    if isinstance(value, str) and value.startswith("@"):
        member = rules.roster.named(value[1:])
        return member.id if member else value
    return value
