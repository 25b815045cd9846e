"""The plain data the status report and the dashboard are drawn from: the applications, each with the
state report of its branch, and (optionally) the requests of the intake registry with their transitions.
Anything that can produce these records can feed the views."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import NamedTuple

from toolkit.gate.model import Report, StepReport
from toolkit.gate.progress import Progress, Waiting

CANNOT_DECIDE = "cannot-decide"
ALL_COMPLETE = "complete"


class AppState(NamedTuple):
    """One application repository as its branch stands."""

    name: str  # the application's name (its scaffold answers), else the repository's
    repo: str  # the repository's path below the folder searched, with "/"
    path: str  # where it lies on this machine (absolute)
    report: Report | None = None  # None: the state cannot be decided (see ``problem``)
    progress: Progress | None = None
    waits: Mapping[str, Waiting] = {}  # step id -> how long it has waited (steps not complete)
    documents: Mapping[str, tuple[str, ...]] = {}  # step id -> the paths of its artefacts filled in
    bare: bool = False  # a bare (server) repository: no files to link to on disk
    problem: str | None = None  # why the state cannot be decided

    @property
    def current(self) -> StepReport | None:
        return self.progress.current if self.progress is not None else None

    @property
    def status(self) -> str:
        """The current step's status; ``complete`` when every step is, ``cannot-decide`` on a problem."""
        if self.progress is None:
            return CANNOT_DECIDE
        current = self.progress.current
        return current.status.value if current is not None else ALL_COMPLETE


class Transition(NamedTuple):
    """One move of a request through steps 1-5: what happened, who did it, when."""

    what: str  # e.g. "recorded by TU", "disposed to Kabid"
    by: str  # the person, by name
    on: dt.date
    note: str = ""  # an instruction, a reason


class Request(NamedTuple):
    """A request of the intake registry, as the dashboard's timeline shows it."""

    id: str
    title: str  # the application asked for
    agency: str  # the requesting OPD
    state: str  # where it stands now, in words (recorded, disposed, assigned, rejected, ...)
    transitions: tuple[Transition, ...] = ()  # oldest first
    application: str | None = None  # the repository scaffolded for it, once there is one
