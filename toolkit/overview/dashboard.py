"""The static dashboard: one self-contained HTML page (inline CSS, no script, nothing fetched) with every
application's progress through the steps and the requests' timeline.

Every text that comes from a repository or a request (names, people, paths, reasons) is escaped; links
are built from the office's URL templates with their parts percent-encoded, or point at local files; a
Content-Security-Policy forbids the page to load or run anything. Status is shown by colour, symbol and
words together, and the colours keep a contrast of at least 4.5:1 with their text (WCAG AA)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from toolkit.gate.model import StepReport
from toolkit.i18n import N_, _, current_language
from toolkit.overview.model import CANNOT_DECIDE, AppState, Request
from toolkit.overview.table import LABELS, clean

SYMBOLS = {  # the shape of each status, beside its colour and its words
    "complete": "✓",
    "awaiting-signoff": "✎",
    "unfilled": "○",
    "missing": "✗",
    "invalid": "!",
    "stale": "↻",
    "blocked": "–",
    CANNOT_DECIDE: "?",
}
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


class Links(NamedTuple):
    """Where the page links to. ``repo``: a URL template with ``{repo}`` (the repository's path below
    the folder); ``document``: one with ``{repo}``, ``{branch}`` and ``{path}``. Without them, local
    repositories are linked as files on this machine (documents only in a work tree)."""

    repo: str | None = None
    document: str | None = None
    branch: str = "main"


LOCAL = Links()


def _e(text: str) -> str:
    return escape(clean(text), quote=True)


def _fill(template: str, **parts: str) -> str:
    return template.format(**{k: quote(v, safe="/") for k, v in parts.items()})


def _repo_href(app: AppState, links: Links) -> str:
    if links.repo:
        return _fill(links.repo, repo=app.repo)
    return Path(app.path).as_uri()


def _document_href(app: AppState, path: str, links: Links) -> str | None:
    if links.document:
        return _fill(links.document, repo=app.repo, branch=links.branch, path=path)
    if app.bare:
        return None  # a server repository has no files on disk to open
    return (Path(app.path) / path).as_uri()


STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:1rem;color:#1a1a1a;
background:#fff;line-height:1.45}
main{max-width:72rem;margin:0 auto}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.25rem;margin:1.5rem 0 .5rem;border-bottom:2px solid #ccc}
h3{font-size:1.05rem;margin:0 0 .25rem;overflow-wrap:anywhere}
a{color:#0b4f9c}
.meta{color:#333;margin:.25rem 0}
.legend,.steps{display:flex;flex-wrap:wrap;gap:.25rem;list-style:none;padding:0;margin:.5rem 0}
.legend li{padding:.1rem .4rem;border-radius:.25rem}
.app{border:1px solid #bbb;border-radius:.4rem;padding:.75rem;margin:.75rem 0}
.steps li{min-width:2.6rem;text-align:center;padding:.2rem .15rem;border-radius:.25rem;font-weight:600;
border:2px solid transparent}
.steps li.current{border-color:#1a1a1a}
.steps li.overdue{border:3px solid #b00020}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.st-complete{background:#d5efd9;color:#0b3d17}
.st-awaiting-signoff{background:#fff0bf;color:#4d3a00}
.st-unfilled,.st-missing,.st-invalid{background:#fde2de;color:#7a1a10}
.st-stale{background:#eadff8;color:#3f1f6e}
.st-blocked{background:#e8e8e8;color:#333}
.st-cannot-decide{background:#fde2de;color:#7a1a10}
.late{color:#b00020;font-weight:700}
.timeline{list-style:none;padding:0 0 0 1rem;border-left:3px solid #888;margin:.5rem 0}
.timeline li{margin:.25rem 0}
details{margin-top:.4rem}
@media (max-width:40rem){body{padding:.5rem}.steps li{min-width:2.2rem;font-size:.9rem}}
"""


def page(
    apps: Iterable[AppState],
    requests: Iterable[Request] | None = None,
    *,
    links: Links = LOCAL,
    generated: str = "",
) -> str:
    """The dashboard for ``apps`` and (when given) the requests of the intake registry. ``generated``:
    when the page was made, as people read it."""
    apps, lang = list(apps), current_language()
    title = _e(_("SOP dashboard"))
    heading_apps, heading_requests = _e(_("Applications")), _e(_("Requests"))
    late = sum(1 for a in apps if a.progress is not None and a.progress.overdue)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f"<title>{title}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body><main>",
        f"<h1>{title}</h1>",
        '<p class="meta">'
        + _e(
            _("{apps} applications, {late} with an overdue step. Generated {when}.").format(
                apps=len(apps), late=late, when=generated or "—"
            )
        )
        + "</p>",
        _legend(),
        f"<h2>{heading_apps}</h2>",
        *(_application(app, links) for app in apps),
    ]
    if not apps:
        parts.append("<p>" + _e(_("No application repository found.")) + "</p>")
    parts += [f"<h2>{heading_requests}</h2>", _requests(requests)]
    parts += ["</main></body>", "</html>"]
    return "\n".join(parts) + "\n"


def _legend() -> str:
    items = [
        f'<li class="st-{status}"><span aria-hidden="true">{symbol}</span> {_e(label)}</li>'
        for status, symbol, label in ((st, sy, _(LABELS[st])) for st, sy in SYMBOLS.items())
    ]
    late = _e(_("overdue"))
    items.append(f'<li class="overdue" style="border:3px solid #b00020">⚠ {late}</li>')
    legend = _e(_("Legend"))
    return f'<ul class="legend" aria-label="{legend}">' + "".join(items) + "</ul>"


def _application(app: AppState, links: Links) -> str:
    name = f'<a href="{escape(_repo_href(app, links), quote=True)}">{_e(app.name)}</a>'
    head = f"<h3>{name}</h3>"
    where = _e(_("Repository: {repo}").format(repo=app.repo))
    if app.report is None or app.progress is None:
        reason = _e(_("cannot decide: {reason}").format(reason=app.problem or ""))
        status = f'<p class="meta st-cannot-decide"><span aria-hidden="true">?</span> {reason}</p>'
        return f'<article class="app">{head}<p class="meta">{where}</p>{status}</article>'
    progress, current = app.progress, app.progress.current
    summary = [
        where,
        _e(_("{done} of {total} steps complete").format(done=progress.done, total=progress.total)),
    ]
    if current is not None:
        summary.append(_e(_("now: step {no}, {title}").format(no=current.no, title=current.title)))
        summary.append(_e(_(LABELS[current.status.value])))
        if progress.waiting is not None:
            summary.append(_days(progress.waiting.days, progress.waiting.limit, progress.waiting.overdue))
        if current.people:
            summary.append(_e(_("to act: {people}").format(people="; ".join(current.people))))
    cells = "".join(_cell(app, step) for step in app.report.steps)
    label = _e(_("Steps of {name}").format(name=app.name))
    steps = f'<ol class="steps" aria-label="{label}">{cells}</ol>'
    return (
        f'<article class="app">{head}<p class="meta">{" · ".join(summary)}</p>{steps}'
        f"{_documents(app, links)}</article>"
    )


def _days(days: int, limit: int | None, overdue: bool) -> str:
    if limit is None:
        return _e(_("{days} days in this step").format(days=days))
    text = _e(_("{days} of {limit} days").format(days=days, limit=limit))
    late = _e(_("overdue"))
    return f'<span class="late">⚠ {text} ({late})</span>' if overdue else text


def _cell(app: AppState, step: StepReport) -> str:
    status = step.status.value
    wait = app.waits.get(step.id)
    late = wait is not None and wait.overdue
    classes = [f"st-{status}", *(["current"] if app.current == step else []), *(["overdue"] if late else [])]
    words = f"{step.no}. {step.title}: " + _(LABELS[status])
    if late and wait is not None:
        words += " — " + _("overdue: {days} of {limit} days").format(days=wait.days, limit=wait.limit)
    mark = "⚠" if late else SYMBOLS.get(status, "?")
    return (
        f'<li class="{" ".join(classes)}" title="{_e(words)}">'
        f'<span aria-hidden="true">{step.no}{mark}</span><span class="sr">{_e(words)}</span></li>'
    )


def _documents(app: AppState, links: Links) -> str:
    items = []
    for step in app.report.steps if app.report else ():
        for path in app.documents.get(step.id, ()):
            href = _document_href(app, path, links)
            text = f"{step.no}. {_e(path)}"
            items.append(
                f'<li><a href="{escape(href, quote=True)}">{text}</a></li>' if href else f"<li>{text}</li>"
            )
    if not items:
        return ""
    title = _e(_("Documents ({count})").format(count=len(items)))
    return f"<details><summary>{title}</summary><ul>{''.join(items)}</ul></details>"


NO_REQUESTS = N_("No request registry was given.")


def _requests(requests: Iterable[Request] | None) -> str:
    if requests is None:
        return "<p>" + _e(_(NO_REQUESTS)) + "</p>"
    found = list(requests)
    if not found:
        return "<p>" + _e(_("No requests.")) + "</p>"
    return "\n".join(_request(r) for r in found)


def _request(request: Request) -> str:
    head = f"<h3>{_e(request.id)}: {_e(request.title)}</h3>"
    meta = [
        _e(_("Agency: {agency}").format(agency=request.agency)),
        _e(_("State: {state}").format(state=request.state)),
    ]
    if request.application:
        meta.append(_e(_("Repository: {repo}").format(repo=request.application)))
    moves = "".join(
        f'<li><time datetime="{t.on.isoformat()}">{t.on.isoformat()}</time> — {_e(t.what)}, {_e(t.by)}'
        + (f" ({_e(t.note)})" if t.note else "")
        + "</li>"
        for t in request.transitions
    )
    label = _e(_("Timeline"))
    timeline = f'<ol class="timeline" aria-label="{label}">{moves}</ol>' if moves else ""
    return f'<article class="app">{head}<p class="meta">{" · ".join(meta)}</p>{timeline}</article>'
