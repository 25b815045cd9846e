"""The registers of steps 2-4 (arsip surat masuk, laporan permintaan aplikasi): one row per request."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Mapping
from typing import Any

from toolkit.errors import UserError
from toolkit.evidence.roster import office_day
from toolkit.gate.decide import people_named, signers_of
from toolkit.i18n import _
from toolkit.intake.decide import Registry
from toolkit.intake.model import (
    ASSIGN,
    DISPOSE_KABID,
    DISPOSE_KADIS,
    NEW,
    RECORD,
    REJECT,
    STATE_LABELS,
    Request,
    next_transition,
)

COLUMNS = (
    ("id", "ID"),
    ("nomor_agenda", "No. agenda"),
    ("tanggal_surat", "Tgl surat"),
    ("tanggal_diterima", "Tgl diterima"),
    ("opd", "OPD"),
    ("aplikasi", "Aplikasi"),
    ("status", "Status"),
    ("sejak", "Sejak"),
    ("menunggu", "Menunggu"),
)


def _day(registry: Registry, timestamp: int) -> str:
    return office_day(timestamp, registry.rules.sop.settings.timezone).isoformat()


def row(registry: Registry, request: Request, today: dt.date | None = None) -> dict[str, Any]:
    """One request as the registers show it; ``menunggu``: who must act next, by name."""
    letter = request.letter
    upcoming = next_transition(request.state)
    waiting = ""
    if upcoming is not None and upcoming.step_no is not None:
        step = registry.rules.sop.step(upcoming.step_no)
        waiting = "; ".join(people_named(registry.rules, signers_of(registry.rules.sop, step.id), today))
    last = request.events[-1] if request.events else None
    recorded = request.record(RECORD) or {}
    return {
        "id": request.id,
        "nomor_agenda": recorded.get("nomor_agenda", ""),
        "tanggal_surat": letter.get("tanggal_surat", ""),
        "tanggal_diterima": recorded.get("tanggal_diterima", ""),
        "opd": letter.get("opd", ""),
        "aplikasi": letter.get("aplikasi", ""),
        "nomor_surat": letter.get("nomor_surat", ""),
        "state": str(request.state),
        "status": _(STATE_LABELS[request.state]),
        "sejak": _day(registry, last.time) if last else "",
        "menunggu": waiting,
        "disposisi_kadis": _day(registry, e.time) if (e := request.event(DISPOSE_KADIS)) else "",
        "disposisi_kabid": _day(registry, e.time) if (e := request.event(DISPOSE_KABID)) else "",
        "ditugaskan": _day(registry, e.time) if (e := request.event(ASSIGN)) else "",
        "surat_tugas": (request.record(DISPOSE_KABID) or {}).get("nomor_surat_tugas", ""),
        "alasan_penolakan": (request.record(REJECT) or {}).get("alasan", ""),
    }


def rows(registry: Registry, requests: list[Request]) -> list[dict[str, Any]]:
    today = office_day(int(dt.datetime.now(dt.UTC).timestamp()), registry.rules.sop.settings.timezone)
    return [row(registry, r, today) for r in requests]


def in_period(registry: Registry, start: str | None, end: str | None) -> list[Request]:
    """The requests whose letter is dated between ``start`` and ``end`` (inclusive), by id."""
    first, last = _date(start, "--from"), _date(end, "--to")
    chosen = []
    for request in sorted(registry.requests.values(), key=lambda r: r.id):
        dated = str(request.letter.get("tanggal_surat", ""))
        if (first and dated < first.isoformat()) or (last and dated > last.isoformat()):
            continue
        chosen.append(request)
    return chosen


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise UserError(
            _("{option} {value}: not a date like 2026-01-31").format(option=option, value=value)
        ) from exc


def _cells(registry: Registry, requests: list[Request]) -> list[list[str]]:
    return [[str(r[key]) for key, _title in COLUMNS] for r in rows(registry, requests)]


def as_table(registry: Registry, requests: list[Request]) -> str:
    if not requests:
        return _("no requests") + "\n"
    lines = [[title for _key, title in COLUMNS], *_cells(registry, requests)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    return "".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() + "\n" for line in lines
    )


def as_markdown(registry: Registry, requests: list[Request]) -> str:
    from toolkit.overview.table import markdown_cell  # the status table's cells: no HTML, no link

    head = "| " + " | ".join(title for _key, title in COLUMNS) + " |\n"
    rule = "|" + "---|" * len(COLUMNS) + "\n"
    cells = _cells(registry, requests)
    body = "".join("| " + " | ".join(markdown_cell(c) for c in line) + " |\n" for line in cells)
    return head + rule + body


def as_csv(registry: Registry, requests: list[Request]) -> str:
    out = io.StringIO()
    found = rows(registry, requests)
    keys = list(found[0]) if found else [key for key, _title in COLUMNS]
    writer = csv.DictWriter(out, fieldnames=keys, lineterminator="\n")
    writer.writeheader()
    for item in found:  # a cell starting with = + - @ would be a formula in a spreadsheet
        writer.writerow(
            {k: ("'" + v if isinstance(v, str) and v[:1] and v[0] in "=+-@" else v) for k, v in item.items()}
        )
    return out.getvalue()


def as_json(registry: Registry, requests: list[Request]) -> str:
    return json.dumps(rows(registry, requests), ensure_ascii=False, indent=2) + "\n"


FORMATS: Mapping[str, Callable[[Registry, list[Request]], str]] = {
    "table": as_table,
    "markdown": as_markdown,
    "csv": as_csv,
    "json": as_json,
}


def request_detail(registry: Registry, request: Request) -> str:
    """One request for people: its letter, every transition (who, when), and who must act next."""
    from toolkit.overview.table import clean  # each value on one line: no record can forge a line

    item = {k: clean(str(v)) for k, v in row(registry, request).items()}
    lines = [
        f"{request.id}: {item['aplikasi']} ({item['opd']})",
        _("letter {no} of {date}").format(no=item["nomor_surat"], date=item["tanggal_surat"]),
        _("state: {state}").format(state=item["status"]),
    ]
    for event in request.events:
        member = registry.rules.roster.member(event.member)
        who = member.name if member else event.member
        when = _day(registry, event.time)
        lines.append(f"  {when}  {event.transition:<14} {who} ({event.role})  {event.commit[:12]}")
    for transition in (NEW, RECORD, DISPOSE_KADIS, DISPOSE_KABID, ASSIGN, REJECT):
        data = request.record(transition)
        if data:
            lines.append(
                f"  {transition.record}: "
                + ", ".join(f"{clean(str(k))}={clean(str(v))}" for k, v in data.items() if k != "id")
            )
    if item["menunggu"]:
        lines.append(_("waiting for: {people}").format(people=item["menunggu"]))
    return "\n".join(lines) + "\n"
