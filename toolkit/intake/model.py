"""Requests and dispositions (SOP steps 1-5) as data: states, transitions and the registry's layout.

A request moves ``diajukan`` (the letter is in) -> ``dicatat`` (TU gave it an agenda number) ->
``disposisi-kadis`` -> ``disposisi-kabid`` -> ``ditugaskan`` (the Kasi assigned the team), or to
``ditolak`` from any open state. Each move is one transition: one commit that adds one record file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, NamedTuple

from toolkit.i18n import N_

REQUESTS_DIR = "requests"
REQUEST_ID = re.compile(r"^(?P<year>[0-9]{4})-(?P<seq>[0-9]{3,6})$")
POLICY_FILES = (".sop/sop.yaml", ".sop/roster.yaml")
README = "README.md"
MAX_RECORD_BYTES = 64 * 1024


class State(StrEnum):
    SUBMITTED = "diajukan"
    RECORDED = "dicatat"
    DISPOSED_KADIS = "disposisi-kadis"
    DISPOSED_KABID = "disposisi-kabid"
    ASSIGNED = "ditugaskan"
    REJECTED = "ditolak"


STATE_LABELS = {
    State.SUBMITTED: N_("submitted, awaiting TU's record"),
    State.RECORDED: N_("recorded, awaiting the Kadis"),
    State.DISPOSED_KADIS: N_("disposed by the Kadis, awaiting the Kabid"),
    State.DISPOSED_KABID: N_("disposed by the Kabid, awaiting the Kasi"),
    State.ASSIGNED: N_("team assigned"),
    State.REJECTED: N_("rejected"),
}
CLOSED = frozenset({State.ASSIGNED, State.REJECTED})


class Transition(NamedTuple):
    """One move of a request: the record it adds, the SOP step whose role makes it, where it may start."""

    name: str
    record: str  # file name inside requests/<ID>/
    step_no: int | None  # the SOP step whose sign-off roles may make it (None: the reject, see below)
    source: State | None  # the state it starts from (None: the request does not exist yet)
    target: State
    attachments: tuple[str, ...] = ()  # PDFs it may add beside the record
    required: tuple[str, ...] = ()  # of those, the ones it must add


NEW = Transition(
    "new",
    "request.yaml",
    1,
    None,
    State.SUBMITTED,
    ("surat-permintaan.pdf", "kak.pdf"),
    ("surat-permintaan.pdf",),
)
RECORD = Transition("record", "02-pencatatan.yaml", 2, State.SUBMITTED, State.RECORDED)
DISPOSE_KADIS = Transition(
    "dispose-kadis", "03-disposisi-kadis.yaml", 3, State.RECORDED, State.DISPOSED_KADIS
)
DISPOSE_KABID = Transition(
    "dispose-kabid",
    "04-disposisi-kabid.yaml",
    4,
    State.DISPOSED_KADIS,
    State.DISPOSED_KABID,
    ("surat-tugas.pdf",),
)
ASSIGN = Transition("assign", "05-penugasan.yaml", 5, State.DISPOSED_KABID, State.ASSIGNED)
# A rejection ends a request from any open state; it is made by the role that must act next.
REJECT = Transition("reject", "penolakan.yaml", None, None, State.REJECTED)
POLICY = "policy"  # the transition that changes the registry's own policy or roster

TRANSITIONS = {t.name: t for t in (NEW, RECORD, DISPOSE_KADIS, DISPOSE_KABID, ASSIGN, REJECT)}
# the most files a valid commit changes: a transition's record and attachments, or the first commit's
# policy, roster and README; a commit changing more is refused before any more of it is read
MAX_COMMIT_FILES = max(1 + max(len(t.attachments) for t in TRANSITIONS.values()), len(POLICY_FILES) + 1)
ORDER = (NEW, RECORD, DISPOSE_KADIS, DISPOSE_KABID, ASSIGN)


def next_transition(state: State) -> Transition | None:
    """The transition that moves a request on from ``state`` (``None``: the request is closed)."""
    return next((t for t in ORDER if t.source is state), None)


def folder(request_id: str) -> str:
    return f"{REQUESTS_DIR}/{request_id}"


class Event(NamedTuple):
    """A transition that happened: who made it, when (and whether that time is the server's) and where."""

    transition: str
    member: str
    role: str
    time: int
    trusted: bool
    commit: str


class Request(NamedTuple):
    """A request as its records say: its state, its records by file name (their data) and its history."""

    id: str
    state: State
    records: Mapping[str, Mapping[str, Any]]
    events: tuple[Event, ...]
    files: tuple[str, ...]  # every file of its folder, attachments included

    @property
    def letter(self) -> Mapping[str, Any]:
        return self.records.get(NEW.record, {})

    def record(self, transition: Transition) -> Mapping[str, Any] | None:
        return self.records.get(transition.record)

    def event(self, transition: Transition) -> Event | None:
        return next((e for e in self.events if e.transition == transition.name), None)
