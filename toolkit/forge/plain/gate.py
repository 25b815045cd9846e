"""The gate on a plain git repository: SSH-signed sign-offs timed by the server's push log, judged by
:mod:`toolkit.forge.judge` for a state report or a change; and the release gate."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.cache import Cache
from toolkit.forge import judge
from toolkit.forge.plain import pushlog

if TYPE_CHECKING:
    from toolkit.forge.judge import Sources
    from toolkit.gate.model import Report, Rules, View
    from toolkit.repo.gather import SignoffSource


# --- gathering the sign-offs ----------------------------------------------------------------------------


def signoff_source(
    repo: Path, rules: Rules, cache: Cache, arrivals: Mapping[str, int] | None, new: frozenset[str], now: int
) -> SignoffSource:
    from toolkit.forge.plain.signoffs import Clock, ssh_signoffs

    return ssh_signoffs(repo, rules.roster, Clock(arrivals, new, now), cache)


def _sources(repo: Path, cache: Cache, now: int | None) -> Sources:
    """SSH sign-offs, timed by the push log where there is one; those a change brings arrive ``now``."""
    arrivals = pushlog.arrivals(repo)
    when = int(now if now is not None else time.time())
    return lambda rules, new: signoff_source(repo, rules, cache, arrivals, new, when)


# --- deciding -------------------------------------------------------------------------------------------


def state(
    repo: Path, rev: str, fallback: Rules | None = None, cache: Cache | None = None, now: int | None = None
) -> Report:
    return judged_state(repo, rev, fallback, cache, now)[2]


def judged_state(
    repo: Path, rev: str, fallback: Rules | None = None, cache: Cache | None = None, now: int | None = None
) -> tuple[Rules, View, Report]:
    """The state of every step at ``rev``, who must act named as the roster stands on the office's day
    of ``now``; with the rules and the view it was judged from."""
    from toolkit.evidence.roster import office_day
    from toolkit.gate import decide

    rules, view = view_of(repo, rev, fallback, cache or Cache.default(), now)
    today = office_day(int(now if now is not None else time.time()), rules.sop.settings.timezone)
    return rules, view, decide.state(rules, view, today)


def view_of(
    repo: Path, rev: str, fallback: Rules | None, cache: Cache, now: int | None
) -> tuple[Rules, View]:
    """The rules ``rev`` carries and the view of it (sign-offs timed by the push log where there is one)."""
    return judge.view_of(repo, rev, fallback, cache, _sources(repo, cache, now))


def check_change(
    repo: Path,
    base_rev: str | None,
    head_rev: str,
    fallback: Rules | None = None,
    configured: dict[str, str] | None = None,
    now: int | None = None,
    cache: Cache | None = None,
) -> Report:
    """The gate for the change ``base..head`` (:func:`toolkit.forge.judge.change`). On a server, sign-offs
    are timed by the push log and those of this change arrive ``now``."""
    cache = cache or Cache.default()
    return judge.change(repo, base_rev, head_rev, _sources(repo, cache, now), fallback, configured, cache)


def check_release(
    repo: Path, rev: str, fallback: Rules | None = None, branch: str = "main", cache: Cache | None = None
) -> Report:
    """The release gate (:func:`toolkit.forge.release.check_release`) with SSH sign-offs timed by the
    push log."""
    from toolkit.forge import release

    cache = cache or Cache.default()
    return release.check_release(repo, rev, _sources(repo, cache, None), fallback, branch, cache)
