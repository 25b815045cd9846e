"""GitHub API calls of the GitHub commands, counted from the stand-in's request log.

    python benchmarks/github_calls.py

Each scenario runs a command against a fresh stand-in (tests/standin) and prints the calls it made (all,
and the writes among them) beside its budget from issue 9. Provisioning: a scaffold from ``sopkit new``
with the shipped sop.yaml (11 roles, 17 steps) and a roster of 12 members, provisioned on an organisation
on the Team plan, then provisioned again. To add a command, write a function taking the stand-in's root
folder and returning its rows, and list it in ``SCENARIOS``.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.forge.github.conftest import GitHubOffice  # noqa: E402
from tests.forge.github.provisioning import (  # noqa: E402
    ORG,
    PEOPLE_HERE,
    SLUG,
    clone,
    make_scaffold,
    open_hub,
    provision,
    tokens_of,
)
from tests.standin import ACTIONS_APP_ID, StandIn  # noqa: E402


class Row(NamedTuple):
    what: str
    calls: int
    writes: int
    budget: int | None
    seconds: float | None = None


def provisioning(work: Path) -> list[Row]:
    app = make_scaffold(work, work, PEOPLE_HERE)
    rows = []
    with StandIn(work / "standin") as standin:
        token = open_hub(standin)
        for what in ("provision, first run", "provision, second run"):
            standin.reset_log()
            result = provision(standin, token, app)
            if result.exit_code != 0:
                raise SystemExit(f"{what} failed:\n{result.output}")
            budget = 60 if what.endswith("first run") else None
            rows.append(Row(what, len(standin.calls()), len(standin.writes()), budget))
    return rows


def gate_and_tracking(work: Path) -> list[Row]:
    """A provisioned repository, 100 files changed in a pull request with 2 reviews: the gate's calls;
    then the tracking issue made and kept (what the workflows' token does, counted as the Actions app)."""
    app = make_scaffold(work, work, PEOPLE_HERE)
    rows = []
    with StandIn(work / "standin") as standin:
        if provision(standin, open_hub(standin), app).exit_code != 0:
            raise SystemExit("provisioning failed")
        office = GitHubOffice(
            standin, clone(standin, work / "work"), tokens_of(standin), name=f"{ORG}/{SLUG}"
        )
        files = {f"docs/06-rapat-kebutuhan/data/lampiran-{i:03d}.md": f"# Lampiran {i}\n" for i in range(100)}
        office.branch("lampiran", files)
        number = office.pull("lampiran")
        office.review(number, "budi")
        office.review(number, "sari", event="COMMENT")

        def counted(what: str, run: Callable[[], object], budget: int) -> Row:
            standin.reset_log()
            run()
            made = [c for c in standin.calls() if c.app_id == ACTIONS_APP_ID]
            return Row(what, len(made), sum(c.write for c in made), budget)

        rows.append(counted("gate, 100 files changed", lambda: office.gate(number), 6))
        office.on_main()
        rows.append(counted("tracking, issue made", lambda: office.sopkit("github", "track"), 5))
        rows.append(counted("tracking, nothing changed", lambda: office.sopkit("github", "track"), 5))
    return rows


def org_status(work: Path) -> list[Row]:
    """``sopkit status --org`` over 300 application repositories, each with its tracking issue (written
    straight into the stand-in at steps 1-17): the GraphQL queries (one per 100) and the time taken."""
    import os
    import time

    from tests.conftest import run_sopkit
    from tests.forge.github.orgs import add_tracked, tracked_body

    rows = []
    with StandIn(work / "standin") as standin:
        token = standin.add_user("kasi", name="Kasi")
        standin.add_org("dinas", plan="team", owners=["kasi"])
        bodies = [tracked_body(1 + n % 18) for n in range(18)]
        for n in range(300):
            title, body = bodies[n % 18]
            add_tracked(standin, f"dinas/aplikasi-{n:03d}", body, title)
        os.environ["GITHUB_TOKEN"] = token
        for fmt in ("json", "table"):
            standin.reset_log()
            began = time.perf_counter()
            result = run_sopkit("status", "--org", "dinas", "--api-url", standin.api_url, "--format", fmt)
            took = time.perf_counter() - began
            if result.exit_code != 0:
                raise SystemExit(f"status --org failed:\n{result.output}")
            calls = standin.calls()
            rows.append(Row(f"status --org, 300 repos, {fmt}", len(calls), len(standin.writes()), 3, took))
    return rows


def intake(work: Path) -> list[Row]:
    """The intake job on one event of a request issue (what the workflow's token does): the agency's issue
    accepted by TU's label; a command on an issue with 150 comments before it (two pages of timeline);
    an event that changes nothing. Budget: one GraphQL query per 100 timeline items, one REST page per 100
    label events, and at most three writes (a state label off, one on, one comment)."""
    import time

    from tests.forge.github.intake_office import INTAKE, open_intake
    from tests.office import PEOPLE, make_key

    keys = {name: make_key(work, name) for name in PEOPLE}
    rows = []
    with StandIn(work / "standin") as standin:
        office = open_intake(standin, keys, work)
        number = office.open("opd")
        time.sleep(1.1)  # the labels the first run made exist before anyone puts them on

        def counted(what: str, run: Callable[[], object], pages: int) -> Row:  # pages: of both views
            standin.reset_log()
            run()
            made = [c for c in standin.calls() if c.app_id == ACTIONS_APP_ID]
            writes = sum(c.write and not c.path.endswith("/graphql") for c in made)
            return Row(what, len(made), writes, pages + 3)

        accept = lambda: office.label("ani", number, "diajukan")  # noqa: E731
        rows.append(counted("intake, TU's label accepted", accept, 2))
        issue = office.issue("eko", number)
        for n in range(150):
            issue.create_comment(f"Catatan {n}")
        command = "/catat\nnomor_agenda: 045/TU/XI/2026"
        rows.append(counted("intake, 150 comments before", lambda: office.comment("ani", number, command), 3))
        unchanged = lambda: office.run(number, "issues", "edited", "eko")  # noqa: E731
        rows.append(counted("intake, nothing to change", unchanged, 3))
        assert INTAKE and office.labels(number) == {"permintaan", "dicatat"}
    return rows


SCENARIOS: list[Callable[[Path], list[Row]]] = [provisioning, gate_and_tracking, org_status, intake]


def main() -> None:
    print(f"{'scenario':<34} {'calls':>6} {'writes':>7} {'budget':>7} {'seconds':>8}")
    over = False
    for scenario in SCENARIOS:
        with tempfile.TemporaryDirectory() as folder:
            for row in scenario(Path(folder)):
                budget = "-" if row.budget is None else str(row.budget)
                took = "-" if row.seconds is None else f"{row.seconds:.2f}"
                print(f"{row.what:<34} {row.calls:>6} {row.writes:>7} {budget:>7} {took:>8}")
                over = over or (row.budget is not None and row.calls > row.budget)
    if over:
        raise SystemExit("over budget")


if __name__ == "__main__":
    main()
