"""The intake repository on GitHub: read a request issue, replay it, and make the issue say so.

``sopkit github intake`` runs on every ``issues`` and ``issue_comment`` event of the intake repository.
It reads the issue, its timeline and the policy and roster of the default branch in one GraphQL query
(more only for a timeline longer than 100 items), replays it (:mod:`toolkit.intake.issues`), then keeps
the state label right (a label someone put or took away against the rules is reverted) and answers each
person's action once, in a comment that says what counted and why not. Nothing it writes is read back as
evidence: only what people did counts, so the bot's own labels and comments cannot be forged into a step.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from toolkit.errors import EXIT_BLOCKED, UserError
from toolkit.evidence.roster import office_day
from toolkit.forge.github.api import Unreachable, _asking, graphql
from toolkit.gate.decide import people_named, signers_of
from toolkit.gate.model import Rules
from toolkit.i18n import N_, _
from toolkit.intake.decide import Registry
from toolkit.intake.issues import (
    LABELS,
    REQUEST_LABEL,
    Action,
    IssueFacts,
    Replayed,
    Verdict,
    is_request,
    label_key,
    recorded,
    replay,
    role_titles,
)
from toolkit.intake.issues import (
    short as _short,
)
from toolkit.intake.model import (
    POLICY_FILES,
    RECORD,
    REQUEST_ID,
    STATE_LABELS,
    Request,
    State,
    next_transition,
)
from toolkit.intake.records import agenda_key

if TYPE_CHECKING:
    from toolkit.forge.github.api import GitHub
    from toolkit.intake.scaffold import Scaffolded

MARK = re.compile(r"<!-- sopkit-intake (\S+) (ok|no) -->")
_BLOB = "object { ... on Blob { text isBinary isTruncated } }"
_POLICY = f"""
    defaultBranchRef {{
      name
      target {{
        ... on Commit {{
          oid
          sop: file(path: "{POLICY_FILES[0]}") {{ {_BLOB} }}
          roster: file(path: "{POLICY_FILES[1]}") {{ {_BLOB} }}
        }}
      }}
    }}"""
_ISSUE = """
      number
      body
      url
      createdAt
      lastEditedAt
      editor { login }
      author { ...Who }
      labels(first: 100) { nodes { name } }
      timelineItems(
        itemTypes: [
          LABELED_EVENT, UNLABELED_EVENT, ISSUE_COMMENT, COMMENT_DELETED_EVENT, TRANSFERRED_EVENT
        ]
        first: 100
        after: AFTER
      ) {
        pageInfo { hasNextPage endCursor }
        nodes {
          __typename
          ... on LabeledEvent { createdAt actor { ...Who } }
          ... on UnlabeledEvent { createdAt actor { ...Who } }
          ... on IssueComment {
            databaseId url createdAt lastEditedAt body author { ...Who } editor { login }
          }
          ... on CommentDeletedEvent {
            id createdAt actor { ...Who } deletedCommentAuthor { ...Who }
          }
          ... on TransferredEvent { id createdAt }
        }
      }"""
# The intake's labels, each asked for by name (a list of the repository's labels could be padded past
# any page by someone making labels).
_MANAGED = (REQUEST_LABEL, *LABELS)
_STATE_LABELS = "\n".join(f'    s{i}: label(name: "{name}") {{ name }}' for i, name in enumerate(_MANAGED))
# GraphQL and REST spell a bot's login differently (github-actions, github-actions[bot]) and a deleted
# account differently (null, ghost): the two views of a label event are paired by account id.
_WHO = """
fragment Who on Actor { __typename login ... on User { databaseId } ... on Bot { databaseId } }
"""
QUERY = (
    _WHO
    + f"""
query($owner: String!, $name: String!, $number: Int!, $after: String) {{
  repository(owner: $owner, name: $name) {{{_POLICY}
{_STATE_LABELS}
    issue(number: $number) {{{_ISSUE.replace("AFTER", "$after")}
    }}
  }}
}}
"""
)
# Every issue (25 a page, each with its first 100 timeline items): the requests' registers.
ALL_QUERY = (
    _WHO
    + f"""
query($owner: String!, $name: String!, $after: String) {{
  repository(owner: $owner, name: $name) {{{_POLICY}
    issues(first: 25, after: $after, orderBy: {{field: CREATED_AT, direction: ASC}}) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{{_ISSUE.replace("AFTER", "null")}
      }}
    }}
  }}
}}
"""
)
ANSWERED = N_("cannot decide: GitHub answered {status} to {what} ({detail}); the issue is left as it is")
UNREACHED = N_("cannot decide: GitHub could not be reached for {what} ({detail}); the issue is left as it is")
MAX_PAGES = 20  # 2,000 timeline items: more is not a request but a flood


class IntakeIssue(NamedTuple):
    facts: IssueFacts
    url: str
    author_bot: bool
    labels: tuple[str, ...]  # the issue's
    answered: frozenset[str]  # "<key> ok|no" the intake has answered already (as a bot's marks say)
    policy: Mapping[str, bytes]  # the default branch's .sop/ files
    where: str  # OWNER/NAME@branch, for messages
    repo_labels: tuple[str, ...] = ()  # the repository's


class Trigger(NamedTuple):
    """The action an event reports (to be answered even when a mark says it was)."""

    kind: str  # opened, labeled, unlabeled, comment, other
    login: str = ""
    label: str = ""
    comment_id: int = 0


def _time(stamp: str) -> int:
    return int(dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())


def _number(actor: Mapping[str, Any] | None) -> int | None:
    """The number of an account (``None`` for a deleted one): a roster member with github_id is it."""
    found = (actor or {}).get("databaseId")
    return found if isinstance(found, int) and not isinstance(found, bool) else None


def _is_bot(actor: Mapping[str, Any] | None) -> bool:
    return bool(actor) and (actor or {}).get("__typename") == "Bot"


def read_issue(hub: GitHub, number: int) -> IntakeIssue:
    """Issue ``number`` of the intake repository with its whole timeline and the default branch's policy."""
    what = _("issue #{number} of {repo}").format(number=number, repo=hub.full_name)
    nodes: list[Mapping[str, Any]] = []
    after: str | None = None
    for _page in range(MAX_PAGES):
        variables = {"owner": hub.owner, "name": hub.name, "number": number, "after": after}
        data = graphql(hub.client, QUERY, variables, what, _(ANSWERED), _(UNREACHED))
        repository = data.get("repository") or {}
        issue = repository.get("issue")
        if issue is None:
            raise UserError(_("{repo} has no issue #{number}").format(repo=hub.full_name, number=number))
        timeline = issue["timelineItems"]
        nodes += [n for n in timeline["nodes"] if n]
        if not timeline["pageInfo"]["hasNextPage"]:
            break
        after = timeline["pageInfo"]["endCursor"]
    else:
        raise Unreachable(
            _("cannot decide: issue #{number} has more than {count} timeline items").format(
                number=number, count=MAX_PAGES * 100
            )
        )
    policy, where = _policy(hub, repository)
    repo_labels = tuple(
        str(found["name"]) for i in range(len(_MANAGED)) if (found := repository.get(f"s{i}")) is not None
    )
    events = _rest_events(hub, f"/repos/{hub.full_name}/issues/{number}/events", what)
    return _issue_of(issue, nodes, events, policy, where, repo_labels)


def _rest_events(hub: GitHub, path: str, what: str) -> list[Mapping[str, Any]]:
    """Every issue event at ``path`` (REST: a labelled event keeps the label's name as it was when it
    happened, where GraphQL's ``LabeledEvent.label`` is the label as it is now, renamed or not)."""
    found: list[Mapping[str, Any]] = []
    with _asking(what, _(ANSWERED), _(UNREACHED)):
        for page in range(1, MAX_PAGES * 10 + 1):
            _headers, data = hub.client.requester.requestJsonAndCheck(
                "GET", path, parameters={"per_page": 100, "page": page}
            )
            if not isinstance(data, list):
                raise Unreachable(
                    _("cannot decide: GitHub's answer to {what} is not a list").format(what=what)
                )
            found += [e for e in data if isinstance(e, dict)]
            if len(data) < 100:
                return found
    raise Unreachable(_("cannot decide: {what} has too many events").format(what=what))


def read_requests(hub: GitHub) -> tuple[Rules, list[IntakeIssue], list[str]]:
    """Every request issue of the intake repository (25 a query, then each one's label events: a REST
    page per 100; an issue with more than 100 timeline items read on its own), the default branch's
    rules, and the issues that could not be read (named, with why: one flooded issue never hides the
    others)."""
    what = _("the issues of {repo}").format(repo=hub.full_name)
    issues: list[IntakeIssue] = []
    unread: list[str] = []
    policy: Mapping[str, bytes] = {}
    where, after = "", None
    while True:
        variables = {"owner": hub.owner, "name": hub.name, "after": after}
        data = graphql(hub.client, ALL_QUERY, variables, what, _(ANSWERED), _(UNREACHED))
        repository = data.get("repository") or {}
        policy, where = _policy(hub, repository)
        page = repository["issues"]
        for node in page["nodes"]:
            if _is_bot(node.get("author")) or not is_request(node.get("body") or ""):
                continue
            number = node["number"]
            try:
                if node["timelineItems"]["pageInfo"]["hasNextPage"]:
                    issues.append(read_issue(hub, number))
                    continue
                path = f"/repos/{hub.full_name}/issues/{number}/events"
                events = _rest_events(
                    hub, path, _("issue #{number} of {repo}").format(number=number, repo=hub.full_name)
                )
                timeline = [n for n in node["timelineItems"]["nodes"] if n]
                issues.append(_issue_of(node, timeline, events, policy, where))
            except Unreachable as error:
                unread.append(_("issue #{number}: {why}").format(number=number, why=error.message))
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return _rules(policy, where), issues, unread


def _policy(hub: GitHub, repository: Mapping[str, Any]) -> tuple[dict[str, bytes], str]:
    branch = repository.get("defaultBranchRef") or {}
    target = branch.get("target") or {}
    where = f"{hub.full_name}@{branch.get('name', '-')}"
    policy = {
        name: _blob(target.get(key), where, name)
        for key, name in zip(("sop", "roster"), POLICY_FILES, strict=True)
    }
    return policy, where


def _issue_of(
    issue: Mapping[str, Any],
    nodes: list[Mapping[str, Any]],
    events: list[Mapping[str, Any]],
    policy: Mapping[str, bytes],
    where: str,
    repo_labels: tuple[str, ...] = (),
) -> IntakeIssue:
    author = issue.get("author") or {}
    actions = [
        Action(
            "opened",
            "opened",
            author.get("login"),
            _is_bot(author),
            _time(issue["createdAt"]),
            url=issue["url"],
            account_id=_number(author),
        )
    ]
    answered: set[str] = set()
    timeline: list[Action] = []
    names = _label_names(events)
    for node in nodes:
        kind = node["__typename"]
        if kind in ("LabeledEvent", "UnlabeledEvent"):
            timeline.append(_label_action(node, names))
        elif kind == "IssueComment":
            writer = node.get("author") or {}
            if _is_bot(writer):
                answered.update(f"{key} {verdict}" for key, verdict in MARK.findall(node["body"]))
            timeline.append(
                Action(
                    f"comment:{node['databaseId']}",
                    "comment",
                    writer.get("login"),
                    _is_bot(writer),
                    _time(node["createdAt"]),
                    body=node["body"],
                    edited=node.get("lastEditedAt") is not None,
                    url=node["url"],
                    author=writer.get("login"),
                    editor=(node.get("editor") or {}).get("login"),
                    account_id=_number(writer),
                    author_id=_number(writer),
                )
            )
        elif kind in ("CommentDeletedEvent", "TransferredEvent"):
            actor, wrote = node.get("actor") or {}, node.get("deletedCommentAuthor") or {}
            timeline.append(
                Action(
                    f"{kind}:{node['id']}",
                    "deleted" if kind == "CommentDeletedEvent" else "transferred",
                    actor.get("login"),
                    _is_bot(actor),
                    _time(node["createdAt"]),
                    author=None if _is_bot(wrote) else wrote.get("login"),
                    account_id=_number(actor),
                    author_id=_number(wrote),
                )
            )
    actions += timeline
    edited = issue.get("lastEditedAt")
    facts = IssueFacts(
        issue["number"],
        issue.get("body") or "",
        _time(issue["createdAt"]),
        _time(edited) if edited else None,
        tuple(actions),
        # marks any workflow could forge: trusted only to fail closed (see toolkit.intake.issues)
        frozenset(tag.rsplit(" ", 1)[0] for tag in answered if tag.endswith(" ok")),
        (issue.get("editor") or {}).get("login"),
    )
    labels = tuple(n["name"] for n in issue["labels"]["nodes"])
    return IntakeIssue(
        facts, issue["url"], _is_bot(author), labels, frozenset(answered), policy, where, repo_labels
    )


LabelKey = tuple[str, int, int]  # labeled or unlabeled, the account's id (0: a deleted one), when
GHOST = "ghost"  # how REST names a deleted account


def _label_names(events: list[Mapping[str, Any]]) -> dict[LabelKey, list[tuple[str, str]]]:
    """The REST events of labels by kind, person and second, oldest first: (event id, label name as it
    was). GraphQL gives the timeline's order, REST the name a label had when it was put on or taken off
    (GraphQL's is the label's name now: renaming a label would rewrite history)."""
    found: dict[LabelKey, list[tuple[str, str]]] = {}
    for event in sorted(events, key=lambda e: int(e.get("id") or 0)):
        kind = str(event.get("event") or "")
        if kind in ("labeled", "unlabeled"):
            actor = event.get("actor") or {}
            who = 0 if actor.get("login") in (None, GHOST) else int(actor.get("id") or 0)
            key = (kind, who, _time(str(event["created_at"])))
            name = str((event.get("label") or {}).get("name") or "")
            found.setdefault(key, []).append((str(event["id"]), name))
    return found


def _label_action(node: Mapping[str, Any], names: dict[LabelKey, list[tuple[str, str]]]) -> Action:
    actor = node.get("actor") or {}
    kind = "labeled" if node["__typename"] == "LabeledEvent" else "unlabeled"
    when = _time(node["createdAt"])
    queue = names.get((kind, int(actor.get("databaseId") or 0), when))
    if not queue:
        raise Unreachable(
            _(
                "cannot decide: GitHub's timeline and its events do not agree on a label {kind} at {time}"
            ).format(kind=kind, time=node["createdAt"])
        )
    event_id, label = queue.pop(0)
    return Action(
        f"label:{event_id}",
        kind,
        actor.get("login"),
        _is_bot(actor),
        when,
        label=label,
        account_id=_number(actor),
    )


def _blob(entry: Mapping[str, Any] | None, where: str, name: str) -> bytes:
    blob = (entry or {}).get("object") or {}
    if blob.get("text") is None or blob.get("isTruncated"):
        raise Unreachable(
            _(
                "cannot decide: {where} has no readable {file} (the intake repository's policy and roster)"
            ).format(where=where, file=name)
        )
    return str(blob["text"]).encode("utf-8")


def rules_of(issue: IntakeIssue) -> Rules:
    return _rules(issue.policy, issue.where)


def _rules(policy: Mapping[str, bytes], where: str) -> Rules:
    """The intake's rules; a policy or roster that is not valid leaves the intake unable to decide."""
    from toolkit.intake.registry import parse_rules

    try:
        return parse_rules(policy[POLICY_FILES[0]], policy[POLICY_FILES[1]], where)
    except UserError as error:
        raise Unreachable(
            _("cannot decide: the intake repository's policy or roster is not valid: {error}").format(
                error=error
            )
        ) from error


class Answered(NamedTuple):
    added: tuple[str, ...]
    removed: tuple[str, ...]
    comments: int


LABEL_COLOURS = {REQUEST_LABEL: "0e8a16", **dict.fromkeys(LABELS, "1d76db"), "ditolak": "b60205"}


def trigger_key(issue: IntakeIssue, trigger: Trigger | None) -> str | None:
    """The key of the action ``trigger`` reports: the latest one of its kind, label and person."""
    if trigger is None:
        return None
    if trigger.kind == "comment":
        return f"comment:{trigger.comment_id}"
    found = [
        a.key
        for a in issue.facts.actions
        if a.kind == trigger.kind
        and (a.login or "").lower() == trigger.login.lower()
        and (trigger.kind == "opened" or a.label == trigger.label)
    ]
    return found[-1] if found else None


def keep(
    hub: GitHub, issue: IntakeIssue, rules: Rules, replayed: Replayed, trigger: str | None = None
) -> Answered:
    """Make the issue say what the replay found: the state labels made once, the request's state label,
    an answer to each action not answered yet and always to the one the event reports (a mark can be
    forged to silence an answer, not to stop this one). An issue that no longer holds its history keeps
    its labels and gets an answer saying why nothing is decided."""
    missing = [name for name in LABEL_COLOURS if name not in {label_key(n) for n in issue.repo_labels}]
    state = replayed.request.state.value if replayed.request else None
    wanted = {REQUEST_LABEL, *([state] if state else [])}
    present = {label_key(name): name for name in issue.labels}
    removed = tuple(name for key, name in present.items() if key in LABELS and key != state)
    added = tuple(sorted(name for name in wanted if name not in present))
    if replayed.tampered:  # said once for each set of reasons
        removed, added = (), ()
        replies = [] if f"{_tampered_key(replayed)} no" in issue.answered else [_tampered_reply(replayed)]
    else:
        replies = [
            _reply(rules, v, replayed)
            for v in replayed.verdicts
            if _tag(v) not in issue.answered or v.action.key == trigger
        ]
        if replayed.notes and f"{_notes_key(replayed)} no" not in issue.answered:
            replies.append(_notes_reply(rules, replayed))
    with _asking(_("issue #{number}").format(number=issue.facts.number), _(ANSWERED), _(UNREACHED)):
        repo = hub.client.withLazy(True).get_repo(hub.full_name)
        for name in missing:  # before anyone can put them on (a label made later does not count)
            repo.create_label(name, LABEL_COLOURS[name], _label_description(name))
        gh_issue = repo.get_issue(issue.facts.number)
        for name in removed:
            gh_issue.remove_from_labels(name)
        if added:
            gh_issue.add_to_labels(*added)
        for comment in _comments(replies):  # one comment for all, so a burst of events answers once
            gh_issue.create_comment(comment)
    return Answered(added, removed, len(replies))


COMMENT_LIMIT = 60_000  # GitHub takes 65,536 characters a comment
REPLY_LIMIT = 4_000


def _comments(replies: list[str]) -> list[str]:
    """The answers joined into as few comments as fit, each answer cut to a size that always fits."""
    comments: list[str] = []
    for whole in replies:
        reply = whole if len(whole) <= REPLY_LIMIT else whole[:REPLY_LIMIT] + "…"
        if comments and len(comments[-1]) + len(reply) + 7 <= COMMENT_LIMIT:
            comments[-1] += "\n\n---\n\n" + reply
        else:
            comments.append(reply)
    return comments


def _label_description(name: str) -> str:
    if name == REQUEST_LABEL:
        return _("An application request (SOP steps 1-5); kept by sop-intake")
    return _("State: {state}; kept by sop-intake, do not edit").format(state=_(STATE_LABELS[State(name)]))


def _tampered_key(replayed: Replayed) -> str:
    return "tampered:" + hashlib.sha256("\n".join(replayed.tampered).encode()).hexdigest()[:16]


def _tampered_reply(replayed: Replayed) -> str:
    lines = "\n".join(f"- {t}" for t in replayed.tampered)
    return (
        f"<!-- sopkit-intake {_tampered_key(replayed)} no -->\n"
        + _("⛔ This request can no longer be judged from its issue: what counted has changed since.")
        + f"\n{lines}\n\n"
        + _(
            "Nothing is decided from this issue any more. Ask the Kasi to close it and submit the request "
            "again as a new issue; a comment that counted must never be edited or deleted."
        )
    )


def _notes_key(replayed: Replayed) -> str:
    return "notes:" + hashlib.sha256("\n".join(replayed.notes).encode()).hexdigest()[:16]


def _notes_reply(rules: Rules, replayed: Replayed) -> str:
    """What an edit changed nothing of, said once (a mark that says "no": never read as counting)."""
    said = " ".join(f"{note[:1].upper()}{note[1:]}." for note in replayed.notes)
    return f"<!-- sopkit-intake {_notes_key(replayed)} no -->\nℹ️ {said}\n\n{_next(rules, replayed)}"


def _tag(verdict: Verdict) -> str:
    return f"{verdict.action.key} {'ok' if verdict.accepted else 'no'}"


def _reply(rules: Rules, verdict: Verdict, replayed: Replayed) -> str:
    action = verdict.action
    what = {
        "opened": _("The request"),
        "labeled": _("The label '{label}' by @{login}"),
        "unlabeled": _("Taking the label '{label}' away (by @{login})"),
        "comment": _("The command in the comment by @{login}"),
    }[action.kind].format(label=action.label, login=action.login)
    mark = f"<!-- sopkit-intake {_tag(verdict)} -->"
    if verdict.accepted:
        request = replayed.request
        assert request is not None
        event = next((e for e in request.events if e.commit == (action.url or action.key)), None)
        state = _(STATE_LABELS[verdict.state]) if verdict.state else "-"
        lines = [_("✅ {what} counts: {state}.").format(what=what, state=state)]
        if event is not None:
            member = rules.roster.member(event.member)
            lines.append(
                _("Made by {name} as {role}.").format(
                    name=member.name if member else event.member, role=role_titles(rules, [event.role])
                )
            )
        if verdict.transition == "new":  # what TU accepted, as it is recorded
            letter = replayed.letter
            lines.append(
                _("Recorded: {opd}, {app}, letter {number} of {date}.").format(
                    opd=_short(str(letter.get("opd", "-"))),
                    app=_short(str(letter.get("aplikasi", "-"))),
                    number=_short(str(letter.get("nomor_surat", "-"))),
                    date=letter.get("tanggal_surat", "-"),
                )
            )
        elif fields := recorded(request, verdict.transition):  # the text stored, exactly as typed
            lines.append(_("Recorded: {fields}.").format(fields=fields))
        lines.append(_next(rules, replayed))
        return mark + "\n" + " ".join(line for line in lines if line)
    if action.kind == "opened":
        head = _("📥 The request is received but not submitted yet:")
    elif action.kind in ("labeled", "unlabeled"):
        head = _("❌ {what} does not count; the labels were set back as the request's state says:")
    else:
        head = _("❌ {what} does not count:")
    problems = "\n".join(f"- {p}" for p in verdict.problems)
    return f"{mark}\n{head.format(what=what)}\n{problems}\n\n{_next(rules, replayed)}"


def _next(rules: Rules, replayed: Replayed) -> str:
    request = replayed.request
    upcoming = next_transition(request.state) if request else None
    if request is not None and upcoming is None:
        return _("The request is closed ({state}).").format(state=_(STATE_LABELS[request.state]))
    step_no = upcoming.step_no if upcoming else 1
    step = rules.sop.step(step_no or 1)
    today = office_day(int(time.time()), rules.sop.settings.timezone)
    names = "; ".join(people_named(rules, signers_of(rules.sop, step.id), today)) or "-"
    state = _(STATE_LABELS[request.state]) if request else _("not submitted yet")
    return _("Now: {state}; next: {names}.").format(state=state, names=names)


def handle(
    hub: GitHub, number: int, trigger: Trigger | None = None
) -> tuple[str, Answered | None, Replayed | None]:
    """Replay issue ``number`` and keep it; what happened in a line for the job's log."""
    issue = read_issue(hub, number)
    if issue.author_bot or not is_request(issue.facts.body):
        return (
            _("issue #{number} is not a request (not written with the request form)").format(number=number),
            None,
            None,
        )
    rules = rules_of(issue)
    replayed = replay(rules, issue.facts)
    done = keep(hub, issue, rules, replayed, trigger_key(issue, trigger))
    if replayed.tampered:
        raise Unreachable(
            _("cannot decide: issue #{number} no longer holds its history: {what}").format(
                number=number, what="; ".join(replayed.tampered)
            )
        )
    state = replayed.request.state.value if replayed.request else "-"
    return (
        _("issue #{number}: {state}; labels +{added} -{removed}; {comments} answers").format(
            number=number,
            state=state,
            added=",".join(done.added) or "0",
            removed=",".join(done.removed) or "0",
            comments=done.comments,
        )
        + "".join(f"; {note}" for note in replayed.notes),
        done,
        replayed,
    )


ISSUE_REF = re.compile(r"^(?:#?(?P<number>[0-9]{1,9})|[0-9]{4}-(?P<seq>[0-9]{3,9}))$")


def issue_number(text: str) -> int:
    """An intake issue named by its number (``7``, ``#7``) or its request id (``2026-007``)."""
    found = ISSUE_REF.match(text.strip())
    if found is None or int(found["number"] or found["seq"]) == 0:
        raise UserError(
            _("'{text}' names no intake issue: give its number (7) or its request id (2026-007)").format(
                text=text
            )
        )
    return int(found["number"] or found["seq"])


def scaffold_issue(hub: GitHub, number: int, dest: Path | None, request_id: str | None = None) -> Scaffolded:
    """The application repository of the assigned request of issue ``number`` (whose id must be
    ``request_id`` when one is given), judged again here."""
    from toolkit.intake.scaffold import scaffold_from

    issue = read_issue(hub, number)
    if issue.author_bot or not is_request(issue.facts.body):
        raise UserError(
            _("issue #{number} is not a request (not written with the request form)").format(number=number)
        )
    rules = rules_of(issue)
    replayed = replay(rules, issue.facts)
    if replayed.tampered:
        raise UserError(
            _("issue #{number} no longer holds its history; nothing is scaffolded from it: {what}").format(
                number=number, what="; ".join(replayed.tampered)
            ),
            EXIT_BLOCKED,
        )
    if replayed.request is None:
        raise UserError(
            _("issue #{number} is not a submitted request yet").format(number=number), EXIT_BLOCKED
        )
    if replayed.notes:  # a closed request's text edited since: the letter TU accepted is not there
        raise UserError(
            _(
                "issue #{number}: {note}; nothing is scaffolded from a text edited after it was accepted: "
                "close the issue and have TU submit the request again as a new issue"
            ).format(number=number, note="; ".join(replayed.notes)),
            EXIT_BLOCKED,
        )
    if request_id is not None and REQUEST_ID.match(request_id) and replayed.request.id != request_id:
        raise UserError(
            _("issue #{number} is request {id}, not {asked}").format(
                number=number, id=replayed.request.id, asked=request_id
            )
        )
    made = scaffold_from(
        rules, issue.policy, replayed.request, {}, dest, _("the intake issue {url}").format(url=issue.url)
    )
    if replayed.links:
        todo = _("step 1: attach the request letter (and the KAK) from the intake issue: {links}").format(
            links=" ".join(replayed.links)
        )
        made = dataclasses.replace(made, todo=(todo, *made.todo))
    return made


def refuse_existing(hub: GitHub, org: str, name: str) -> None:
    """A request's application goes into a repository of its own, new: never the intake, never one that
    exists (``sopkit github provision --from`` carries on with one whose provisioning failed)."""
    from github import UnknownObjectException

    full = f"{org}/{name}"
    if full.lower() == hub.full_name.lower():
        raise UserError(
            _("the application would be {repo}, the intake repository itself: rename the request").format(
                repo=full
            )
        )
    with _asking(_("the repository {repo}").format(repo=full), _(ANSWERED), _(UNREACHED)):
        try:
            hub.client.get_repo(full)
        except UnknownObjectException:
            return
    raise UserError(
        _(
            "{repo} exists already; the request's application is not provisioned over it (to finish a "
            "provisioning that failed: sopkit github provision --org {org} --from FOLDER)"
        ).format(repo=full, org=org),
        EXIT_BLOCKED,
    )


def announce(hub: GitHub, number: int, repository: str) -> None:
    """Say on the intake issue where the application repository is, and close it as done."""
    body = "<!-- sopkit-intake scaffold ok -->\n" + _("🏗️ The application repository is {repo}.").format(
        repo=repository
    )
    with _asking(_("issue #{number}").format(number=number), _(ANSWERED), _(UNREACHED)):
        issue = hub.client.withLazy(True).get_repo(hub.full_name).get_issue(number)
        said = [
            c
            for c in issue.get_comments()
            if c.user.type == "Bot" and "<!-- sopkit-intake scaffold ok -->" in c.body
        ]
        if not said:
            issue.create_comment(body)
        if issue.state != "closed":
            issue.edit(state="closed", state_reason="completed")


def requests_registry(hub: GitHub) -> tuple[Registry, list[str], list[str]]:
    """The intake's requests as the registers read them (a :class:`Registry` without commits), the
    issues that cannot be judged (left out, with why), and what must be said of the others (an edit that
    voided a request's acceptance, or changed nothing of a closed one): no request leaves the registers
    unsaid."""
    rules, issues, undecided = read_requests(hub)
    requests = {}
    notes = []
    for issue in issues:
        replayed = replay(rules, issue.facts)
        if replayed.tampered:
            undecided.append(
                _("issue #{number} no longer holds its history: {what}").format(
                    number=issue.facts.number, what="; ".join(replayed.tampered)
                )
            )
            continue
        if replayed.request is not None:
            requests[replayed.request.id] = replayed.request
        number = issue.facts.number
        notes += [_("issue #{number}: {note}").format(number=number, note=n) for n in replayed.notes]
    return Registry(rules, requests, None), undecided, notes + _agenda_twice(requests)


def _agenda_twice(requests: Mapping[str, Request]) -> list[str]:
    """Each request that recorded an agenda number another request recorded before it (compared by
    :func:`agenda_key`): each issue is replayed alone, so the registers check what the local registry
    refuses, and name it."""
    recorded = sorted(
        (event.time, request.id, str((request.record(RECORD) or {}).get("nomor_agenda", "")))
        for request in requests.values()
        if (event := request.event(RECORD)) is not None
    )
    first: dict[str, str] = {}
    found = []
    for _when, request_id, number in recorded:
        holder = first.setdefault(agenda_key(number), request_id)
        if holder != request_id:
            found.append(
                _(
                    "request {id}: its agenda number {no} is already request {holder}'s; TU gives each "
                    "letter its own number (a request recorded with a wrong one is rejected with /tolak "
                    "and submitted again)"
                ).format(id=request_id, no=number, holder=holder)
            )
    return found
