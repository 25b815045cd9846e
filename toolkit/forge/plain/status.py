"""``sopkit status ROOT``: the state of every application repository under a folder (clones, or a plain
server's bare repositories), read through the gate's cache. A repository that cannot be judged is
reported with its reason; the others are judged all the same."""

from __future__ import annotations

import time
from pathlib import Path

from toolkit.cache import Cache
from toolkit.errors import UserError
from toolkit.evidence.model import ArtefactState
from toolkit.gate.model import Report, Rules, View
from toolkit.gate.progress import progress, waiting
from toolkit.overview.model import AppState
from toolkit.repo.discover import Application, applications, branch_ref, repositories

WORKERS = 4  # repositories judged at once (benchmarks/status.py: about 1.4x faster than one at a time)
NAME_LIMIT = 200  # characters of an application's name shown; the answers file is the pusher's to write


def status(
    root: Path, branch: str = "main", now: int | None = None, cache: Cache | None = None
) -> list[AppState]:
    """Every application under ``root``, judged at ``branch``, the days counted to ``now``."""
    when = int(now if now is not None else time.time())
    found = applications(repositories(root), branch)
    cache, ref = cache or Cache.default(), branch_ref(branch)
    if len(found) < 2 * WORKERS:
        return [application_state(app, ref, when, cache) for app in found]
    from concurrent.futures import ThreadPoolExecutor

    # Much of a repository's time is spent waiting for git: a few at once keep both git and Python busy.
    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(lambda app: application_state(app, ref, when, cache), found))


def application_state(app: Application, ref: str, now: int, cache: Cache) -> AppState:
    """One application's state at ``ref`` (its problem, when it cannot be judged)."""
    repo = app.repo
    plain = AppState(repo.path.name, repo.name, str(repo.path), bare=repo.bare)
    if app.problem is not None:
        return plain._replace(problem=app.problem)
    try:
        rules, view, report = _judged(repo.path, ref, cache, now)
    except UserError as error:
        return plain._replace(problem=error.message)
    from toolkit.repo.gather import app_name_of

    started = view.commits[0].time if view.commits else now
    name = (app_name_of(app.answers) or repo.path.name).strip()[:NAME_LIMIT]
    return plain._replace(
        name=name,
        report=report,
        progress=progress(rules.sop, report, started, now),
        waits=waiting(rules.sop, report, started, now),
        documents=_documents(view),
    )


def _judged(path: Path, ref: str, cache: Cache, now: int) -> tuple[Rules, View, Report]:
    from toolkit.forge.plain import gate as plaingit
    from toolkit.forge.plain.pushlog import is_server

    fallback = None
    if is_server(path):  # the server's own roster names who must act, as its hook judges with it
        from toolkit.forge.plain.server import load_config
        from toolkit.repo.gather import policy_from_files

        config = load_config(path)
        fallback = policy_from_files(config.policy_path, config.roster_path, config.app, cache)
    return plaingit.judged_state(path, ref, fallback, cache, now)


def _documents(view: View) -> dict[str, tuple[str, ...]]:
    """Each step's artefact files that are filled in."""
    return {
        step: tuple(p for check in checks if check.state is ArtefactState.PRESENT for p in check.paths)
        for step, checks in view.checks.items()
    }
