"""The decision on its own, in memory: every rule of the gate, with no git, no ssh-keygen, no disk.

A small office is built from plain data: a policy (tests/sop/minimal.yaml: steps 1 requirements, 2 design,
3 security test, which covers the code), a roster, files, commits and sign-offs as a provider would
report them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from toolkit import sop
from toolkit.evidence import security_report
from toolkit.evidence.artefacts import check_step
from toolkit.evidence.model import CommitInfo, Entry, Signoff, Snapshot
from toolkit.evidence.roster import Grant, Member, Roster
from toolkit.evidence.signoffs import step_digest
from toolkit.gate import decide
from toolkit.gate.messages import violation_text
from toolkit.gate.model import Change, Release, Report, ReportedCommit, Rules, Status, View
from toolkit.i18n import set_language

_LOADED = sop.load(Path(__file__).parent.parent / "sop" / "minimal.yaml")
_TESTED = _LOADED.steps[2]._replace(covers_code=True, tested_commit_field="commit_diuji")
POLICY = _LOADED._replace(steps=(*_LOADED.steps[:2], _TESTED))  # the security test covers the code
APP = "simpeg"
JUNE_30 = int(dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC).timestamp())
NOW = int(dt.datetime(2026, 11, 30, 3, tzinfo=dt.UTC).timestamp())


def member(name: str, *grants: Grant) -> Member:
    return Member(name, name.title(), (f"{name}@sumbarprov.go.id",), (f"ssh-ed25519 AAAA{name}",), grants)


ROSTER = Roster(
    (
        member("budi", Grant("kasi")),
        member("sari", Grant("kasi")),
        member("joko", Grant("security")),
        member("rina", Grant("programmer")),
        member("lina", Grant("kasi", dt.date(2026, 1, 1), dt.date(2026, 6, 30))),  # left at the end of June
    )
)
RULES = Rules(POLICY, ROSTER, APP)

SKPL = "docs/01-kebutuhan/skpl.md"
DPPL = "docs/02-desain/dppl.md"
REPORT = "docs/03-uji/laporan.md"
FILLED = {
    SKPL: b"# SKPL\n\n## Pendahuluan\n\nSistem kepegawaian.\n",
    DPPL: b"# DPPL\n\nRancangan rinci.\n",
    REPORT: b"---\ncommit_diuji: " + b"a" * 40 + b"\n---\n# Laporan\n\nLulus.\n",
}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("id")


def files(contents: Mapping[str, bytes], rev: str = "head") -> tuple[Snapshot, View]:
    """A commit holding ``contents``, and a view of it without history (add it with :func:`at`)."""
    entries = {
        path: Entry(path, "100644", "blob", f"{abs(hash(data)):040x}"[:40], len(data))
        for path, data in contents.items()
    }
    blobs = {entries[path].sha: data for path, data in contents.items()}
    snapshot = Snapshot(rev, entries)
    checks = {s.id: tuple(check_step(s, snapshot, blobs, POLICY.settings)) for s in POLICY.steps}
    return snapshot, View(snapshot, checks, (), ())


def at(
    contents: Mapping[str, bytes], commits: list[CommitInfo], signoffs: list[Signoff], rev: str = "head"
) -> View:
    return files(contents, rev)[1]._replace(commits=tuple(commits), signoffs=tuple(signoffs))


def commit(sha: str, paths: tuple[str, ...], *people: str, parents: tuple[str, ...] = ()) -> CommitInfo:
    emails = tuple(f"{p}@sumbarprov.go.id" for p in people or ("rina",))
    return CommitInfo(sha, parents, emails, JUNE_30, paths, not paths)


def signed(
    anchor: str,
    step: str,
    role: str,
    signer: str | None,
    contents: Mapping[str, bytes],
    *,
    time: int = NOW,
    app: str | None = APP,
    trusted: bool = True,
) -> Signoff:
    digest = step_digest(POLICY, step, files(contents)[0])
    return Signoff(anchor, step, role, digest, signer, time, app, (), trusted)


def change(
    base: View | None, head: View, paths: tuple[str, ...], rules: Rules = RULES, **fields: object
) -> Report:
    known = {c.sha for c in base.commits} if base else set()
    commits = tuple(c for c in head.commits if c.sha not in known)
    new = {c.sha for c in commits}
    signoffs = tuple(s for s in head.signoffs if s.anchor in new)
    made = Change(base.snapshot.rev if base else None, "head", paths, commits, signoffs, **fields)  # type: ignore[arg-type]
    return decide.decide_change(rules, base, head, made)


def codes(report: Report) -> list[str]:
    return [v.code for v in report.violations]


def why(report: Report) -> str:
    return "\n".join(violation_text(v) for v in report.violations)


# A base with step 1 complete: the SKPL filled in by rina and signed off by budi.
BASE_FILES = {SKPL: FILLED[SKPL]}
BASE_COMMITS = [commit("c1", (SKPL,)), commit("s1", (), "budi", parents=("c1",))]
BASE = at(BASE_FILES, BASE_COMMITS, [signed("s1", "kebutuhan", "kasi", "budi", BASE_FILES)], "base")
DESIGN_FILES = {**BASE_FILES, DPPL: FILLED[DPPL]}


def design_change(*signoffs: Signoff, people: tuple[str, ...] = ("rina",)) -> Report:
    commits = [*BASE_COMMITS, commit("c2", (DPPL,), *people, parents=("s1",))]
    commits += [commit(s.anchor, (), parents=(commits[-1].sha,)) for s in signoffs]
    return change(BASE, at(DESIGN_FILES, commits, [*BASE.signoffs, *signoffs]), (DPPL,))


# --- rule 1: a step's artefacts change only with that step's sign-offs on the change ---------------------


def test_the_base_is_as_described() -> None:
    report = decide.state(RULES, BASE)
    assert report.step("kebutuhan").status is Status.COMPLETE
    assert report.step("kebutuhan").signed_by == ("budi (kasi)",)


def test_a_step_changed_without_its_signoff_is_blocked() -> None:
    report = design_change()
    assert codes(report) == ["signoff.missing"]
    violation = report.violations[0]
    assert (violation.step, dict(violation.params)) == (2, {"step": "2", "role": "kasi"})


def test_a_step_changed_with_its_signoff_passes() -> None:
    report = design_change(signed("s2", "desain", "kasi", "budi", DESIGN_FILES))
    assert report.passed, why(report)
    assert report.step("desain").status is Status.COMPLETE


@pytest.mark.parametrize(
    ("signoff", "problem"),
    [
        (signed("s2", "desain", "security", "joko", DESIGN_FILES), "signoff.wrong-role"),
        (signed("s2", "desain", "kasi", None, DESIGN_FILES), "signoff.unknown-key"),
        (signed("s2", "desain", "kasi", "joko", DESIGN_FILES), "signoff.role-not-held"),
        (signed("s2", "desain", "kasi", "budi", BASE_FILES), "signoff.stale-digest"),
        (signed("s2", "desain", "kasi", "budi", DESIGN_FILES, app="sipeg-lain"), "signoff.other-app"),
        (signed("s2", "desain", "kasi", "budi", DESIGN_FILES, app=None), "signoff.other-app"),
        (signed("s2", "desain", "kasi", "budi", DESIGN_FILES)._replace(step="nonexistent"), None),
    ],
)
def test_a_signoff_that_does_not_count_is_named_with_its_reason(
    signoff: Signoff, problem: str | None
) -> None:
    report = design_change(signoff)
    assert codes(report) == ["signoff.missing"]
    if problem is None:  # a sign-off for a step the policy does not have is no sign-off of this step
        assert [m.code for m in decide.signoff_problems(RULES, signoff, ())] == ["signoff.unknown-step"]
        return
    (rejected,) = report.violations[0].rejected
    assert rejected.anchor == "s2" and problem in [m.code for m in rejected.problems]


def test_a_repository_that_names_no_application_binds_no_signoff() -> None:
    signoff = signed("s2", "desain", "kasi", "budi", DESIGN_FILES)
    problems = decide.signoff_problems(RULES._replace(app=None), signoff, ())
    assert [m.code for m in problems] == ["signoff.no-app"]


def test_a_provider_problem_is_kept() -> None:
    unsigned = signed("s2", "desain", "kasi", None, DESIGN_FILES)._replace(problems=("signoff.unsigned",))
    (rejected,) = design_change(unsigned).violations[0].rejected
    assert [m.code for m in rejected.problems] == ["signoff.unsigned"]


def test_a_signoff_made_before_the_last_change_does_not_count() -> None:
    signoff = signed("s2", "desain", "kasi", "budi", DESIGN_FILES)
    commits = [
        *BASE_COMMITS,
        commit("s2", (), "budi", parents=("s1",)),  # signed first ...
        commit("c2", (DPPL,), parents=("s2",)),  # ... then the files changed (to the same digest)
    ]
    report = change(BASE, at(DESIGN_FILES, commits, [signoff]), (DPPL,))
    (rejected,) = report.violations[0].rejected
    assert [m.code for m in rejected.problems] == ["signoff.before-last-change"]


# --- who may sign, and when ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "people",
    [("budi",), ("rina", "budi"), ("rina", "rina", "budi")],
    ids=["author", "committer", "co-author"],
)
def test_nobody_who_made_what_they_sign_may_sign_it(people: tuple[str, ...]) -> None:
    report = design_change(signed("s2", "desain", "kasi", "budi", DESIGN_FILES), people=people)
    (rejected,) = report.violations[0].rejected
    assert [m.code for m in rejected.problems] == ["signoff.own-work"]
    # another holder of the role may
    assert design_change(signed("s2", "desain", "kasi", "sari", DESIGN_FILES), people=people).passed


def test_an_edit_inside_a_merge_is_its_makers_work() -> None:
    """A merge's paths are what it changes against its first parent: an edit hidden in it counts."""
    commits = [
        *BASE_COMMITS,
        commit("side", ("src/x.py",), parents=("s1",)),
        commit("m", (DPPL, "src/x.py"), "budi", parents=("s1", "side")),
        commit("s2", (), "budi", parents=("m",)),
    ]
    signoff = signed("s2", "desain", "kasi", "budi", DESIGN_FILES)
    report = change(BASE, at({**DESIGN_FILES, "src/x.py": b"x"}, commits, [signoff]), (DPPL, "src/x.py"))
    assert "signoff.own-work" in [m.code for v in report.violations for r in v.rejected for m in r.problems]


def test_the_security_signoff_may_not_come_from_who_wrote_the_code() -> None:
    contents = {**DESIGN_FILES, REPORT: FILLED[REPORT], "src/app.py": b"print(1)\n"}
    commits = [
        commit("c1", (SKPL, DPPL), "rina"),
        commit("code", ("src/app.py",), "joko", parents=("c1",)),  # the tester wrote code
        commit("c3", (REPORT,), "rina", parents=("code",)),
        commit("s3", (), "joko", parents=("c3",)),
    ]
    signoff = signed("s3", "uji-keamanan", "security", "joko", contents)
    assert step_digest(POLICY, "uji-keamanan", files(contents)[0]) == signoff.digest
    problems = decide.signoff_problems(RULES, signoff, commits)
    assert [m.code for m in problems] == ["signoff.own-work"]
    # who wrote only the report's neighbours (the artefacts of other steps) may sign
    clean = [commits[0], commits[0]._replace(sha="code"), *commits[2:]]
    assert decide.signoff_problems(RULES, signoff, clean) == []


def test_a_role_is_judged_on_the_day_the_signoff_arrived() -> None:
    """lina held 'kasi' until 30 June: a sign-off that arrived in June stays valid after she left; one
    that arrived later does not, whatever date she wrote into it."""
    june = signed("s2", "desain", "kasi", "lina", DESIGN_FILES, time=JUNE_30)
    assert decide.signoff_problems(RULES, june, ()) == []
    later = signed("s2", "desain", "kasi", "lina", DESIGN_FILES, time=NOW)
    assert [m.code for m in decide.signoff_problems(RULES, later, ())] == ["signoff.role-not-held"]


@pytest.mark.parametrize(
    ("utc", "holds"),
    [
        (dt.datetime(2026, 6, 30, 16, 59, tzinfo=dt.UTC), True),  # 23:59 WIB on the last day
        (dt.datetime(2026, 6, 30, 17, 0, tzinfo=dt.UTC), False),  # 00:00 WIB on 1 July
        (dt.datetime(2025, 12, 31, 17, 0, tzinfo=dt.UTC), True),  # 00:00 WIB on the first day
        (dt.datetime(2025, 12, 31, 16, 59, tzinfo=dt.UTC), False),  # still 31 December in Padang
    ],
)
def test_role_windows_are_days_in_the_office_time_zone(utc: dt.datetime, holds: bool) -> None:
    signoff = signed("s2", "desain", "kasi", "lina", DESIGN_FILES, time=int(utc.timestamp()))
    assert (decide.signoff_problems(RULES, signoff, ()) == []) is holds


def test_the_office_time_zone_is_the_policy_setting() -> None:
    utc = dt.datetime(2026, 6, 30, 17, 30, tzinfo=dt.UTC)  # 1 July in Jakarta, still 30 June in London
    signoff = signed("s2", "desain", "kasi", "lina", DESIGN_FILES, time=int(utc.timestamp()))
    london = RULES._replace(sop=POLICY._replace(settings=POLICY.settings._replace(timezone="Europe/London")))
    assert decide.signoff_problems(london, signoff, ()) == []
    assert decide.signoff_problems(RULES, signoff, ()) != []


def test_untrusted_times_are_noted() -> None:
    untrusted = signed("s2", "desain", "kasi", "budi", DESIGN_FILES, trusted=False)
    assert [n.code for n in design_change(untrusted).notes] == ["note.untrusted-times"]
    assert design_change(signed("s2", "desain", "kasi", "budi", DESIGN_FILES)).notes == ()


# --- rule 2: a step changes only once the steps it depends on are complete on the base --------------------


def test_a_step_whose_dependency_is_incomplete_is_blocked() -> None:
    empty = at({}, [], [], "base")
    head_commits = [commit("c2", (DPPL,)), commit("s2", (), "budi", parents=("c2",))]
    contents = {DPPL: FILLED[DPPL]}
    head = at(contents, head_commits, [signed("s2", "desain", "kasi", "budi", contents)])
    report = change(empty, head, (DPPL,))
    assert codes(report) == ["dependency.incomplete"]
    assert report.violations[0].params == {"step": "2", "requires": "1"}
    assert report.violations[0].path == DPPL


def test_a_template_draft_of_an_unfinished_step_needs_nobody() -> None:
    draft = {**BASE_FILES, DPPL: b"# DPPL\n\n[[ISI: rancangan]]\n"}
    commits = [*BASE_COMMITS, commit("c2", (DPPL,), parents=("s1",))]
    assert change(BASE, at(draft, commits, []), (DPPL,)).passed


# A step may need another only under way, not complete (the SOP's step 12 meets the agency at 70 % of
# step 11): here the security test needs the design under way, and the design's output is the program.
UNDER_WAY = RULES._replace(
    sop=POLICY._replace(
        steps=(
            POLICY.steps[0],
            POLICY.steps[1]._replace(produces_code=True),
            POLICY.steps[2]._replace(requires=(), requires_started=("desain",)),
        )
    )
)
CODE = "src/app.py"
UNDER_WAY_FILES = {**DESIGN_FILES, CODE: b"print(1)\n"}
UNDER_WAY_COMMITS = [*BASE_COMMITS, commit("c2", (DPPL, CODE), parents=("s1",))]


def security_tested_on(base: View, files: Mapping[str, bytes]) -> Report:
    """The security report with its sign-off, on top of ``base``."""
    contents = {**files, REPORT: FILLED[REPORT]}
    commits = [*base.commits, commit("c3", (REPORT,), parents=(base.commits[-1].sha,))]
    commits.append(commit("s3", (), "joko", parents=("c3",)))
    signoff = signed("s3", "uji-keamanan", "security", "joko", contents)
    return change(base, at(contents, commits, [*base.signoffs, signoff]), (REPORT,), UNDER_WAY)


def test_a_step_needed_only_under_way_may_still_be_in_progress() -> None:
    base = at(UNDER_WAY_FILES, UNDER_WAY_COMMITS, list(BASE.signoffs), "base")
    assert decide.state(UNDER_WAY, base).step("desain").status is Status.AWAITING_SIGNOFF
    report = security_tested_on(base, UNDER_WAY_FILES)
    assert report.passed, why(report)
    assert report.step("uji-keamanan").status is Status.COMPLETE
    assert report.step("desain").status is Status.AWAITING_SIGNOFF  # still in progress


def test_a_step_needed_under_way_must_have_begun() -> None:
    report = security_tested_on(BASE, BASE_FILES)  # nothing of the design yet
    assert codes(report) == ["dependency.not-started"]
    assert report.violations[0].params == {"step": "3", "requires": "2"}
    assert "step 2 is not under way on the base" in why(report)
    reasons = report.step("uji-keamanan").reasons
    assert reasons == ("step 2 must be under way first: its prerequisites complete and its work begun",)


def test_a_step_is_under_way_only_once_its_own_prerequisites_are_complete() -> None:
    # the design filled in and code written, but the requirements (step 1) never signed off
    unsigned = [c for c in UNDER_WAY_COMMITS if c.sha != "s1"]
    base = at(UNDER_WAY_FILES, unsigned, [], "base")
    assert codes(security_tested_on(base, UNDER_WAY_FILES)) == ["dependency.not-started"]


def test_the_program_step_is_under_way_with_code_and_complete_only_with_code() -> None:
    # the design document still a draft, but programming has begun: code is in the repository
    draft = {**BASE_FILES, DPPL: b"# DPPL\n\n[[ISI: rancangan]]\n", CODE: b"print(1)\n"}
    base = at(draft, UNDER_WAY_COMMITS, list(BASE.signoffs), "base")
    assert security_tested_on(base, draft).passed
    # the design signed off without any code: the program, its output, is missing
    signed_design = signed("s2", "desain", "kasi", "budi", DESIGN_FILES)
    no_code = at(DESIGN_FILES, [*BASE_COMMITS, commit("c2", (DPPL,)), commit("s2", ())], [signed_design])
    step = decide.state(UNDER_WAY, no_code._replace(signoffs=(*BASE.signoffs, signed_design))).step("desain")
    assert step.status is Status.MISSING
    assert step.reasons == ("no application code yet: this step's output is the program itself",)


# --- rule 3: application code changes only once the design steps are complete on the base ----------------


def test_code_before_design_is_blocked_and_after_design_passes() -> None:
    commits = [*BASE_COMMITS, commit("c2", ("src/app.py",), parents=("s1",))]
    report = change(BASE, at({**BASE_FILES, "src/app.py": b"x"}, commits, []), ("src/app.py",))
    assert codes(report) == ["code.design-incomplete"]
    assert report.violations[0].path == "src/app.py" and report.violations[0].params["steps"] == "2"
    designed_commits = [*BASE_COMMITS, commit("c2", (DPPL,), parents=("s1",)), commit("s2", (), "budi")]
    design_signoff = signed("s2", "desain", "kasi", "budi", DESIGN_FILES)
    designed = at(DESIGN_FILES, designed_commits, [*BASE.signoffs, design_signoff])
    code_commits = [*designed_commits, commit("c3", ("src/app.py",), parents=("s2",))]
    head = at({**DESIGN_FILES, "src/app.py": b"x"}, code_commits, list(designed.signoffs))
    assert change(designed, head, ("src/app.py",)).passed


# --- rule 4: the policy files change only with the policy owners' sign-offs ------------------------------


def test_a_policy_change_needs_the_owners() -> None:
    contents = {**BASE_FILES, ".sop/sop.yaml": b"version: 1\n"}
    commits = [*BASE_COMMITS, commit("p", (".sop/sop.yaml",), parents=("s1",))]
    report = change(BASE, at(contents, commits, []), (".sop/sop.yaml",))
    assert codes(report) == ["policy.signoff-missing"] and report.violations[0].params == {"role": "kasi"}
    signoff = signed("s9", "policy", "kasi", "budi", contents)
    signed_commits = [*commits, commit("s9", (), "budi", parents=("p",))]
    assert change(BASE, at(contents, signed_commits, [signoff]), (".sop/sop.yaml",)).passed


def test_the_first_push_may_bring_exactly_the_servers_policy() -> None:
    contents = {".sop/sop.yaml": b"version: 1\n"}
    head = at(contents, [commit("p", (".sop/sop.yaml",))], [])
    entry = head.snapshot.entries[".sop/sop.yaml"]
    assert change(None, head, (".sop/sop.yaml",), configured_policy={".sop/sop.yaml": entry.sha}).passed
    other = change(None, head, (".sop/sop.yaml",), configured_policy={".sop/sop.yaml": "0" * 40})
    assert codes(other) == ["policy.signoff-missing"]


def test_a_policy_that_does_not_validate_is_refused() -> None:
    commits = [*BASE_COMMITS, commit("c2", ("src/a.py",), parents=("s1",))]
    report = change(BASE, at(BASE_FILES, commits, []), (), policy_problems=(".sop/sop.yaml:1:1: broken",))
    assert codes(report) == ["policy.invalid"] and "broken" in why(report)


# --- names and artefacts ---------------------------------------------------------------------------------


def test_names_that_collide_or_hide_characters_are_refused() -> None:
    contents = {**BASE_FILES, "README.md": b"a", "readme.md": b"b", "src/bad\u202e.py": b"c"}
    commits = [*BASE_COMMITS, commit("c2", ("readme.md", "src/bad\u202e.py"), parents=("s1",))]
    report = change(BASE, at(contents, commits, []), ("readme.md", "src/bad\u202e.py"))
    assert set(codes(report)) >= {"name.case-twin", "name.invisible"}
    assert next(v for v in report.violations if v.code == "name.case-twin").path == "readme.md"


def test_an_invalid_artefact_is_refused_with_its_path() -> None:
    contents = {**BASE_FILES, "docs/02-desain/uml/a.puml": b"\x00\x01 not uml"}
    commits = [*BASE_COMMITS, commit("c2", ("docs/02-desain/uml/a.puml",), parents=("s1",))]
    report = change(BASE, at(contents, commits, []), ("docs/02-desain/uml/a.puml",))
    invalid = [v for v in report.violations if v.code == "artefact.invalid"]
    assert invalid and invalid[0].path == "docs/02-desain/uml/a.puml" and invalid[0].step == 2


# --- the state report and the release --------------------------------------------------------------------


def test_a_signoff_goes_stale_when_its_files_change() -> None:
    changed = {SKPL: FILLED[SKPL] + b"\nTambahan.\n"}
    view = at(changed, [*BASE_COMMITS, commit("c2", (SKPL,))], list(BASE.signoffs))
    report = decide.state(RULES, view)
    assert report.step("kebutuhan").status is Status.STALE
    # the design is missing, but what holds it is its prerequisite: blocked, told apart from unfilled
    assert report.step("desain").status is Status.BLOCKED
    assert report.step("desain").reasons == ("depends on step 1, which is not complete",)


TESTED = "a" * 40
SECURITY = (
    f"---\ncommit_diuji: {TESTED}\nhasil: LULUS\n---\n# Laporan\n\n## Temuan\n\n"
    "| No | Temuan | Tingkat risiko | Status | Uji ulang |\n|---|---|---|---|---|\n"
    "| 1 | Injeksi SQL | Tinggi | Diperbaiki | Lulus |\n"
)


def released(security: str = SECURITY, *, on_branch: bool = True, code: str | None = "released") -> Report:
    """The release of a commit on which every step is complete; its code digest is "released"."""
    contents = {**DESIGN_FILES, REPORT: security.encode(), "src/app.py": b"x"}
    signoffs = [
        signed("s1", "kebutuhan", "kasi", "budi", contents),
        signed("s2", "desain", "kasi", "budi", contents),
        signed("s3", "uji-keamanan", "security", "joko", contents),
    ]
    commits = [
        commit("c", (SKPL, DPPL, REPORT, "src/app.py"), "rina"),
        *(commit(s.anchor, ()) for s in signoffs),
    ]
    view = at(contents, commits, signoffs, rev="b" * 40)
    tested = ReportedCommit("commit", True, code)
    facts = Release(
        "refs/heads/main",
        "b" * 40,
        on_branch,
        {"uji-keamanan": security_report.parse(security)},
        {"uji-keamanan": tested},
    )
    return decide.decide_release(RULES, view, "released", facts)


def test_the_release_of_tested_code_on_the_branch_passes() -> None:
    report = released()
    assert report.passed, why(report)


@pytest.mark.parametrize(
    ("report", "code"),
    [
        (released(on_branch=False), "release.not-on-branch"),
        (released(code="other"), "release.code-changed"),
        (released(SECURITY.replace(TESTED, TESTED[:12])), "release.commit-short"),
        (released(SECURITY.replace(TESTED, "main")), "release.commit-not-an-id"),
        (released(SECURITY.replace("hasil: LULUS", "hasil: TIDAK LULUS")), "release.result-not-passed"),
        (released(SECURITY.replace("Diperbaiki", "Terbuka")), "release.open-finding"),
        (released(SECURITY.split("## Temuan", maxsplit=1)[0]), "release.no-findings-table"),
        (
            released(SECURITY.replace(" | Uji ulang |", " |").replace("|---|\n|", "|\n|")),
            "release.open-finding",
        ),
        (
            released(SECURITY.replace("hasil: LULUS", "hasil: TIDAK LULUS\nhasil: LULUS")),
            "release.report-front-matter",
        ),
        (
            released(SECURITY + "\n> | No | Tingkat risiko | Status |\n> |---|---|---|\n"),
            "release.report-nested-table",
        ),
        (released(SECURITY + "\n<table><tr><td>Kritis</td></tr></table>\n"), "release.report-html-table"),
        (released(SECURITY + "\n    | 2 | RCE | Kritis | Terbuka | - |\n"), "release.report-code-rows"),
        (
            released(SECURITY + "\n| No | Severitas | Status |\n|---|---|---|\n| 2 | Kritis | Terbuka |\n"),
            "release.report-serious-elsewhere",
        ),
        (
            released(SECURITY + "\n| Kode | Status |\n|---|---|\n| AKS-2 | Tidak sesuai |\n"),
            "release.report-control-without-finding",
        ),
    ],
    ids=[
        "off the branch",
        "code changed",
        "short id",
        "ref name",
        "not passed",
        "open finding",
        "no table",
        "no re-test column",
        "duplicate key",
        "quoted table",
        "html table",
        "rows as code",
        "severity in another table",
        "control without finding",
    ],
)
def test_a_release_is_blocked_with_its_reason(report: Report, code: str) -> None:
    assert code in [v.code for v in report.violations], why(report)


def test_a_release_needs_every_step() -> None:
    unfinished = at(BASE_FILES, BASE_COMMITS, list(BASE.signoffs))
    facts = Release("refs/heads/main", "head", True, {"uji-keamanan": None}, {})
    codes_found = {v.code for v in decide.decide_release(RULES, unfinished, "x", facts).violations}
    assert codes_found == {"release.step-incomplete", "release.report-unreadable"}


# --- a new repository: its prerequisites must be complete in what it brings -----------------------------


def test_a_new_repository_may_bring_several_steps_each_complete_in_order() -> None:
    commits = [
        commit("c1", (SKPL,)),
        commit("s1", (), "budi", parents=("c1",)),
        commit("c2", (DPPL,), parents=("s1",)),
        commit("s2", (), "budi", parents=("c2",)),
    ]
    signoffs = [
        signed("s1", "kebutuhan", "kasi", "budi", BASE_FILES),
        signed("s2", "desain", "kasi", "budi", DESIGN_FILES),
    ]
    report = change(None, at(DESIGN_FILES, commits, signoffs), (SKPL, DPPL))
    assert report.passed, why(report)


def test_a_new_repository_cannot_bring_a_step_whose_prerequisite_it_does_not_complete() -> None:
    commits = [commit("c1", (SKPL, DPPL)), commit("s2", (), "budi", parents=("c1",))]
    signoffs = [signed("s2", "desain", "kasi", "budi", DESIGN_FILES)]  # step 1 is never signed
    report = change(None, at(DESIGN_FILES, commits, signoffs), (SKPL, DPPL))
    assert "dependency.incomplete" in codes(report)
    assert "signoff.missing" in codes(report)
