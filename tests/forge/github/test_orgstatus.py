"""``sopkit status --org``, ``sopkit dashboard --org`` and ``sopkit github dashboard-issue`` on the stand-in:
the organisation's state read back from the tracking issues ``sopkit github track`` writes."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from tests.conftest import run_sopkit
from tests.forge.github.orgs import DAY, NOW, ROSTER, SOP, add_tracked, report_at, tracked_body
from tests.standin import StandIn
from toolkit.forge.github.orgstatus import OrgRepo, app_state
from toolkit.forge.github.track import parse_tracking, tracking
from toolkit.gate.model import Status
from toolkit.gate.progress import waiting
from toolkit.i18n import set_language

ORG = "dinas"


@pytest.fixture(autouse=True)
def _language() -> None:
    set_language("id")


# ---- the parser beside the writer


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(("current", "status"), [(1, Status.MISSING), (3, Status.AWAITING_SIGNOFF),
                                                 (7, Status.STALE), (18, Status.COMPLETE)])  # fmt: skip
def test_what_track_writes_reads_back(lang: str, current: int, status: Status) -> None:
    set_language(lang)
    policy = SOP._replace(steps=(SOP.steps[0]._replace(title=SOP.steps[0].title._replace(id="A | B")),
                                 *SOP.steps[1:]))  # fmt: skip
    report = report_at(current, status, policy)
    body = tracking(policy, ROSTER, report, "Simpeg", NOW - 40 * DAY, NOW).body
    set_language("en" if lang == "id" else "id")  # read in the other language than written
    tracked = parse_tracking(body)
    assert tracked is not None
    waits = waiting(policy, report, NOW - 40 * DAY, NOW)
    assert [s.no for s in tracked.steps] == list(range(1, 18))
    for row, step in zip(tracked.steps, report.steps, strict=True):
        assert row.title == step.title
        assert row.status is step.status
        wait = waits.get(step.id)
        assert (row.days, row.limit, row.overdue) == (
            (wait.days, wait.limit, wait.overdue) if wait else (None, None, False)
        )
        if step.status is not Status.COMPLETE and "kasi" in step.act:
            assert "Budi Santoso (@gh-budi)" in row.act
    assert tracked.steps[0].title.startswith("A | B") or lang == "en"
    assert str(tracked.counted) == "2026-03-02"


def _mangled(body: str) -> list[str]:
    lines = body.splitlines()
    row3 = next(i for i, line in enumerate(lines) if line.startswith("| 3 |"))
    return [
        body.replace("| 3 |", "| 4 |", 1),  # numbering broken
        "\n".join(lines[:row3] + lines[row3 + 1 :]),  # a step removed
        body.replace("✅", "⏸️", 1),  # icon and words disagree
        body.replace("|---:|", "|---|", 1),  # not the writer's table
        body.replace("| 3 |", "| 3 | extra |", 1),  # a column too many
        body.replace("dari 5 hari", "dari lima hari"),  # days not in figures
        "\n".join(line.replace("belum ada", "selesai kok") for line in lines),  # a status it never writes
        "x" * 70_000,
        "",
    ]


def test_a_body_edited_by_hand_is_not_guessed_at() -> None:
    _title, body = tracked_body(3, Status.MISSING)
    assert parse_tracking(body) is not None
    for bad in _mangled(body):
        assert parse_tracking(bad) is None, bad[:400]


def test_days_go_on_from_the_day_they_were_counted() -> None:
    title, body = tracked_body(3, started_days=60)  # step 3 waits 19 days at NOW, its limit is 5
    later = app_state(OrgRepo("simpeg", "http://x/dinas/simpeg", {"number": 1, "title": title, "body": body}),
                      NOW + 10 * DAY)  # fmt: skip
    assert later.name == "Aplikasi 3"
    assert later.progress is not None and later.progress.waiting is not None
    assert later.progress.waiting.days == 19 + 10
    assert later.progress.overdue == ("langkah-03",)
    assert later.current is not None and later.current.no == 3


# ---- against the stand-in


def _org(standin: StandIn) -> str:
    token = standin.add_user("kasi", name="Kasi")
    standin.add_org(ORG, plan="team", owners=["kasi"])
    for current, status in ((3, Status.MISSING), (7, Status.AWAITING_SIGNOFF), (18, Status.COMPLETE)):
        title, body = tracked_body(current, status)
        add_tracked(standin, f"{ORG}/app-{current:02d}", body, title)
    add_tracked(standin, f"{ORG}/tanpa-pelacakan", None)
    _t, body = tracked_body(5)
    add_tracked(standin, f"{ORG}/rusak", body.replace("| 5 |", "| 5 | diubah |"), "Pelacakan SOP: Rusak")
    add_tracked(standin, f"{ORG}/arsip", None)
    standin.world.repos[f"{ORG}/arsip"].archived = True
    add_tracked(standin, f"{ORG}/intake", None)
    return token


def test_status_of_the_organisation(standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", _org(standin))
    standin.reset_log()
    result = run_sopkit("status", "--org", ORG, "--api-url", standin.api_url, "--format", "json")
    assert result.exit_code == 2, result.output  # some cannot be decided: listed, and the exit says so
    rows = {r["repository"]: r for r in json.loads(result.stdout)["applications"]}
    assert set(rows) == {"app-03", "app-07", "app-18", "tanpa-pelacakan", "rusak", "intake"}  # not archived
    assert (rows["app-03"]["step"], rows["app-03"]["status"], rows["app-03"]["overdue"]) == (
        3,
        "missing",
        True,
    )
    assert rows["app-03"]["name"] == "Aplikasi 3"
    assert rows["app-07"]["step"] == 7 and rows["app-07"]["status"] == "awaiting-signoff"
    assert rows["app-07"]["done"] == 6 and rows["app-07"]["total"] == 17
    assert rows["app-18"]["status"] == "complete" and rows["app-18"]["done"] == 17
    assert "sopkit github track" in rows["tanpa-pelacakan"]["reason"]
    assert rows["rusak"]["status"] == "cannot-decide" and "#1" in rows["rusak"]["reason"]
    assert len(standin.calls()) == 1 and not standin.writes()  # one GraphQL query for up to 100


def test_one_query_per_hundred_repositories(standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", _org(standin))
    _title, body = tracked_body(4)
    for n in range(100):
        add_tracked(standin, f"{ORG}/extra-{n:03d}", body)
    standin.reset_log()
    result = run_sopkit("status", "--org", ORG, "--api-url", standin.api_url, "--format", "csv")
    assert result.exit_code == 2
    assert result.stdout.count("\n") == 1 + 106
    assert len(standin.calls("POST", r"/graphql$")) == math.ceil(106 / 100) == len(standin.calls())


def test_dashboard_issue_written_once_then_left(standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", _org(standin))
    args = ("github", "dashboard-issue", "--org", ORG, "--repo", "intake", "--api-url", standin.api_url)
    standin.reset_log()
    first = run_sopkit(*args, "--skip", "tanpa-pelacakan", "--skip", "rusak")
    assert first.exit_code == 0, first.output
    assert "disematkan" in first.stdout  # created and pinned
    issues = list(standin.world.repos[f"{ORG}/intake"].issues.values())
    assert len(issues) == 1 and issues[0].pinned and issues[0].labels == ["sop-dasbor"]
    assert "| app-03 |" in (issues[0].body or "") and "rusak" not in (issues[0].body or "")
    assert len(standin.calls()) == 4  # the query, the list, the issue, the pin
    standin.reset_log()
    again = run_sopkit(*args, "--skip", "tanpa-pelacakan", "--skip", "rusak")
    assert again.exit_code == 0 and not standin.writes()
    assert len(standin.calls()) == 2
    standin.reset_log()
    undecided = run_sopkit(*args)  # the broken ones listed with their reasons: the issue changes, exit 2
    assert undecided.exit_code == 2
    assert [c.method for c in standin.writes()] == ["PATCH"]
    assert "sopkit github track" in (issues[0].body or "")


def test_dashboard_page_of_the_organisation(
    standin: StandIn, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", _org(standin))
    result = run_sopkit("dashboard", "--org", ORG, "--api-url", standin.api_url, "--out", str(tmp_path))
    assert result.exit_code == 2
    page = (tmp_path / "index.html").read_text()
    assert f'href="{standin.world.web_url}/{ORG}/app-07"' in page
    assert "Aplikasi 7" in page and "file://" not in page


def test_bad_input_is_named(standin: StandIn, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    missing = run_sopkit("status", "--org", ORG, "--api-url", standin.api_url)
    assert missing.exit_code == 2 and "GITHUB_TOKEN" in missing.stderr
    monkeypatch.setenv("GITHUB_TOKEN", _org(standin))
    for args in (("--org", "../x"), ("--org", "nobody"), ("--org", ORG, str(tmp_path))):
        result = run_sopkit("status", *args, "--api-url", standin.api_url)
        assert result.exit_code == 2 and result.stderr.strip(), args
        assert "Traceback" not in result.output


def test_names_cannot_break_the_dashboard_issue(standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", _org(standin))
    _t, body = tracked_body(4)
    add_tracked(standin, f"{ORG}/jahat", body, 'Pelacakan SOP: <img src=x onerror="a()"> | 9 | selesai')
    args = ("github", "dashboard-issue", "--org", ORG, "--repo", "intake", "--api-url", standin.api_url)
    assert run_sopkit(*args, "--skip", "tanpa-pelacakan", "--skip", "rusak").exit_code == 0
    written = next(iter(standin.world.repos[f"{ORG}/intake"].issues.values())).body or ""
    line = next(x for x in written.splitlines() if x.startswith("| jahat |"))
    assert "<img" not in written and "&lt;img" in line
    assert len(re.findall(r"(?<!\\)\|", line)) == 8  # still the table's seven columns


def test_the_first_tracking_issue_is_read(standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", _org(standin))
    rosy_title, rosy = tracked_body(18, Status.COMPLETE)
    repo = standin.world.repos[f"{ORG}/app-03"]
    first = repo.issues[1]
    with standin.world.lock:
        repo.issues[2] = type(first)(
            standin.world.ids(), 2, rosy_title, rosy, first.user, labels=list(first.labels)
        )
    result = run_sopkit("status", "--org", ORG, "--api-url", standin.api_url, "--format", "json")
    rows = {r["repository"]: r for r in json.loads(result.stdout)["applications"]}
    assert rows["app-03"]["step"] == 3 and rows["app-03"]["status"] == "missing"
