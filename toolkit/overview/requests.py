"""The request registry's requests as the dashboard's timeline shows them (pure: the registry, already
read and verified by :func:`toolkit.intake.registry.load`, in; plain data out)."""

from __future__ import annotations

from collections.abc import Mapping

from toolkit.evidence.roster import Roster, office_day
from toolkit.i18n import N_, _
from toolkit.intake.model import STATE_LABELS, Request
from toolkit.overview.model import Request as Shown
from toolkit.overview.model import Transition

_DONE = {
    "new": N_("request submitted (recorded by TU)"),
    "record": N_("recorded with an agenda number"),
    "dispose-kadis": N_("disposed by the Kadis to the Kabid"),
    "dispose-kabid": N_("disposed by the Kabid to the Kasi, with the letter of assignment"),
    "assign": N_("team assigned by the Kasi"),
    "reject": N_("rejected"),
}
# the record field that says what was decided, by transition
_NOTE = {"dispose-kadis": "isi_disposisi", "dispose-kabid": "isi_disposisi", "reject": "alasan"}


def timeline(
    requests: Mapping[str, Request], roster: Roster, timezone: str, applications: Mapping[str, str] = {}
) -> list[Shown]:
    """Each request with its transitions, oldest first; ``applications``: request id -> the repository
    scaffolded for it."""
    shown = []
    for request_id, request in sorted(requests.items()):
        letter = request.letter
        moves = []
        for event in request.events:
            member = roster.member(event.member)
            record = _record_of(request, event.transition)
            note = str(record.get(_NOTE.get(event.transition, ""), "") or "")
            what = _(_DONE[event.transition]) if event.transition in _DONE else event.transition
            by = member.name if member is not None else event.member
            moves.append(Transition(what, by, office_day(event.time, timezone), note))
        shown.append(
            Shown(
                request_id,
                str(letter.get("aplikasi", "")),
                str(letter.get("opd", "")),
                _(STATE_LABELS[request.state]),
                tuple(moves),
                applications.get(request_id),
            )
        )
    return shown


def _record_of(request: Request, transition: str) -> Mapping[str, object]:
    from toolkit.intake.model import TRANSITIONS

    known = TRANSITIONS.get(transition)
    if known is None:
        return {}
    return request.record(known) or {}
