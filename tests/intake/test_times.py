"""The time of a transition: the server judges it by its arrival (its push log), every clone by the
commit's own date. Whatever depends on the time (the year of a new id, the roles held) is judged by
office day, so the two agree only when a transition is dated on the day it reaches the server: the
server refuses any other, and clones keep working whatever an officer dates a commit."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import Cli, git
from tests.intake.registry_office import RegistryOffice, open_registry
from tests.intake.test_tampering import new_names, next_request, rid
from toolkit.evidence.roster import office_zone
from toolkit.intake import registry as store
from toolkit.intake.decide import (
    MAX_SKEW,
    MAX_TIME,
    RegistryCommit,
    _expected_id,
    date_problems,
    time_problems,
)

REDO = "git reset --hard origin/main"


@pytest.fixture
def office(tmp_path: Path, cli: Cli, keyring: dict[str, Path]) -> RegistryOffice:
    office = open_registry(tmp_path, cli, keyring)
    made = office.new()
    assert made.exit_code == 0, made.stderr
    office.through(rid(office), "record")
    pushed = office.push()
    assert pushed.returncode == 0, pushed.stderr
    return office


def clone(office: RegistryOffice, name: str) -> Path:
    where = office.root / name
    subprocess.run(["git", "clone", "-q", str(office.bare), str(where)], check=True)
    return where


def in_clone(office: RegistryOffice, where: Path, *args: str, key: str | None = None) -> Result:
    extra = ["--key", str(office.keys[key])] if key else []
    return office.cli("request", *args, "--registry", str(where), *extra)


def craft_dated(office: RegistryOffice, monkeypatch: pytest.MonkeyPatch, date: str) -> str:
    """TU's valid next request, made by hand, signed with TU's key, its commit dated ``date``."""
    following = rid(office)[:5] + "002"
    with monkeypatch.context() as dated:
        for variable in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
            dated.setenv(variable, date)
        return office.craft(next_request(following), new_names(following), "ani")


@pytest.mark.parametrize("date", ["2031-06-01T10:00:00+07:00", "2019-06-01T10:00:00+07:00"])
def test_a_transition_dated_another_year_is_refused_and_clones_keep_working(
    office: RegistryOffice, monkeypatch: pytest.MonkeyPatch, date: str
) -> None:
    """TU (the role that makes `new`) crafts the next request with the right id and signs it, dated in
    another year. The server judged it at its arrival and accepted it; every clone judged it at its date,
    expected another id and refused the whole history, so no `sopkit request` command worked again
    anywhere. Now the server refuses it, saying how to make it again, and clones keep working."""
    tip = office.server_tip()
    craft_dated(office, monkeypatch, date)
    pushed = office.push()
    assert pushed.returncode != 0
    assert f"the commit is dated {date[:10]}, but reached the server on" in pushed.stderr, pushed.stderr
    assert REDO in pushed.stderr
    assert office.server_tip() == tip
    fresh = clone(office, "kadis-clone")
    verified = in_clone(office, fresh, "verify")
    assert verified.exit_code == 0, verified.stderr
    disposed = in_clone(office, fresh, "dispose", rid(office), "--instruction", "Lanjut", key="dedi")
    assert disposed.exit_code == 0, disposed.stderr


def test_a_back_dated_transition_is_refused(office: RegistryOffice, monkeypatch: pytest.MonkeyPatch) -> None:
    """An officer dates a transition a few days back (into a role's window, or only to show a false
    date in every clone's register): the server judged it by its arrival and accepted it."""
    zone = office_zone(store.load(office.reg).rules.sop.settings.timezone)
    back = dt.datetime.now(zone) - dt.timedelta(days=3)
    craft_dated(office, monkeypatch, back.isoformat(timespec="seconds"))
    tip = office.server_tip()
    pushed = office.push()
    assert pushed.returncode != 0
    assert f"the commit is dated {back.date().isoformat()}" in pushed.stderr, pushed.stderr
    assert office.server_tip() == tip


def test_the_same_transition_dated_today_is_accepted(
    office: RegistryOffice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: dated as it is pushed, it is accepted, and clones agree."""
    craft_dated(office, monkeypatch, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    pushed = office.push()
    assert pushed.returncode == 0, pushed.stderr
    assert in_clone(office, clone(office, "kadis-clone"), "verify").exit_code == 0


def test_the_day_and_the_clock_skew_of_an_arriving_transition(office: RegistryOffice) -> None:
    """The rule itself, on fixed times (office time zone Asia/Jakarta, UTC+7): the same office day and at
    most ten minutes ahead of the arrival; only a transition arriving now is judged so."""
    registry = store.load(office.reg)
    assert registry.rules.sop.settings.timezone == "Asia/Jakarta"
    arrival = int(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))).timestamp())

    def problems(dated: int | None) -> list[str]:
        commit = RegistryCommit("a" * 40, ("b" * 40,), "", True, "ani", arrival, True, (), dated=dated)
        return date_problems(registry, commit)

    assert problems(None) == []  # not arriving now (a clone, or the history before a push)
    assert problems(arrival - 10 * 3600) == []  # 00:00 that day
    assert problems(arrival + MAX_SKEW) == []
    assert "minutes after it reached the server" in problems(arrival + MAX_SKEW + 60)[0]
    assert "dated 2026-03-01, but reached the server on 2026-03-02" in problems(arrival - 10 * 3600 - 1)[0]
    assert REDO in problems(arrival + 14 * 3600)[0]  # the next day, by the clock


def test_the_year_before_is_open_only_in_the_first_days_of_january(office: RegistryOffice) -> None:
    """The rule is meant for a request made on 31 December and pushed in January; it accepted the
    previous year's next id on any day of the year, so in July TU could still open a request filed under
    last year. The year before is open until 15 January (office time zone), no later."""
    registry = store.load(office.reg)
    wib = dt.timezone(dt.timedelta(hours=7))

    def expected(claimed: str, *when: int) -> str:
        return _expected_id(registry, claimed, int(dt.datetime(*when, tzinfo=wib).timestamp()))

    assert expected("2029-001", 2030, 1, 2, 9) == "2029-001"
    assert expected("2029-001", 2030, 1, 15, 23, 59) == "2029-001"
    assert expected("2029-001", 2030, 1, 16, 0, 0) == "2030-001"
    assert expected("2029-001", 2030, 7, 15, 10) == "2030-001"
    assert expected("2028-001", 2030, 1, 2, 9) == "2030-001"
    assert expected("2030-001", 2030, 7, 15, 10) == "2030-001"


def with_committer_time(office: RegistryOffice, commit: str, stamp: str) -> str:
    """``commit`` written again with the committer time ``stamp`` (git's own tools refuse to), made the
    registry's tip."""
    raw = git(office.reg, "cat-file", "commit", commit)
    changed = re.sub(r"^(committer .*> )\d+ ", rf"\g<1>{stamp} ", raw, count=1, flags=re.M)
    made = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--literally", "--stdin"],
        cwd=office.reg,
        input=changed.encode(),
        capture_output=True,
        check=True,
    )
    sha = made.stdout.decode().strip()
    git(office.reg, "update-ref", "refs/heads/main", sha)
    return sha


BEYOND_9999 = ["253402300800", "99999999999999999999"]  # 10000-01-01; past any integer type


@pytest.mark.parametrize("stamp", BEYOND_9999)
def test_the_hook_refuses_a_commit_dated_beyond_year_9999_saying_why(
    office: RegistryOffice, stamp: str
) -> None:
    """Attack: anyone with push access pushes a commit whose committer date is past year 9999: the hook
    failed in office_day ("the gate failed (OverflowError...)"), saying nothing of the cause."""
    following = rid(office)[:5] + "002"
    tip = office.server_tip()
    with_committer_time(office, office.craft(next_request(following), new_names(following), "ani"), stamp)
    pushed = office.push()
    assert pushed.returncode != 0 and office.server_tip() == tip
    assert "gate failed" not in pushed.stderr
    # a date past any integer type git's own object checks refuse first (receive.fsckObjects)
    said = "badDateOverflow" if len(stamp) > 19 else "the commit's date cannot be read"
    assert said in pushed.stderr, pushed.stderr


@pytest.mark.parametrize("stamp", BEYOND_9999)
def test_verify_in_a_clone_refuses_a_commit_dated_beyond_year_9999(
    office: RegistryOffice, stamp: str
) -> None:
    """Attack: the same commit where no hook judged it (a registry shared through a plain remote, a
    branch fetched from someone): `sopkit request verify` and every `sopkit request` command died with
    a ValueError/OverflowError traceback; they now refuse the commit."""
    following = rid(office)[:5] + "002"
    with_committer_time(office, office.craft(next_request(following), new_names(following), "ani"), stamp)
    for args in (("verify",), ("show", rid(office))):
        result = office.run(*args)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # refused, no crash
        assert "the commit's date cannot be read" in result.stdout + result.stderr


def test_a_time_outside_1970_to_9999_is_unreadable() -> None:
    def problems(when: int, dated: int | None = None) -> list[str]:
        return time_problems(RegistryCommit("a" * 40, (), "", True, "ani", when, True, (), dated=dated))

    assert problems(0) == [] and problems(MAX_TIME) == [] and problems(1_764_500_000, 1_764_500_000) == []
    for when, dated in [(-1, None), (MAX_TIME + 1, None), (1_764_500_000, 10**20)]:
        assert "the commit's date cannot be read" in problems(when, dated)[0]


def allow_drafts(office: RegistryOffice) -> None:
    """The office lets officers share drafts: the server takes any branch besides the registry's."""
    root = office.root
    again = office.cli(
        "server", "init", str(office.bare), "--registry", "--policy", str(root / "sop.yaml"),
        "--roster", str(root / "roster.yaml"), "--hook-lang", "en", "--allow-ref", "refs/heads/*",
    )  # fmt: skip
    assert again.exit_code == 0, again.stderr


def test_a_transition_parked_on_an_allowed_ref_is_dated_by_its_first_arrival(
    office: RegistryOffice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Attack: the office lets officers share drafts (``server init --registry --allow-ref
    'refs/heads/*'``). TU crafts the next request dated 2031 and pushes it to refs/heads/draft (not
    judged; its arrival is logged because its trailers look like a sign-off), then to main: the commit
    was no longer "arriving", so its date was not checked; the server judged it by its arrival and
    accepted it, every clone judged it by 2031, expected another id and refused the whole history. A
    commit reaching the branch must now be dated on the office day of its first logged arrival."""
    allow_drafts(office)
    tip = office.server_tip()
    craft_dated(office, monkeypatch, "2031-06-01T10:00:00+07:00")
    parked = subprocess.run(
        ["git", "push", "-q", str(office.bare), "HEAD:refs/heads/draft"],
        cwd=office.reg, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert parked.returncode == 0, parked.stderr
    pushed = office.push()
    assert pushed.returncode != 0 and "the commit is dated 2031-06-01" in pushed.stderr
    assert office.server_tip() == tip
    assert in_clone(office, clone(office, "after"), "verify").exit_code == 0


def test_a_transition_shared_on_a_draft_ref_first_lands_the_same_day(
    office: RegistryOffice, monkeypatch: pytest.MonkeyPatch
) -> None:
    allow_drafts(office)
    following = rid(office)[:5] + "002"
    office.craft(next_request(following), new_names(following), "ani")
    parked = subprocess.run(
        ["git", "push", "-q", str(office.bare), "HEAD:refs/heads/draft"],
        cwd=office.reg, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert parked.returncode == 0, parked.stderr
    assert office.push().returncode == 0
    assert in_clone(office, clone(office, "after"), "verify").exit_code == 0
