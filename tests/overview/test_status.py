"""``sopkit status ROOT`` over real repositories: a plain server's bare repository with steps signed off,
a clone of it, a repository whose policy is broken, one whose branch is not main, and things that are
not applications (a plain git repository, a link to a repository outside the folder)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

from tests.conftest import ROOT, git, run_sopkit
from tests.office import Office
from tests.overview.conftest import DAY
from tests.overview.conftest import new_app as _new


def _rows(root: Path, *args: str) -> dict[str, dict[str, object]]:
    result = run_sopkit("status", str(root), "--format", "json", *args, lang="en")
    assert result.exit_code == 2, result.output + result.stderr  # two repositories cannot be judged
    return {row["repository"]: row for row in json.loads(result.stdout)["applications"]}


def test_every_application_under_the_folder_gets_its_row(fleet: tuple[Path, Office]) -> None:
    root, _office = fleet
    rows = _rows(root)
    assert sorted(rows) == ["app", "cabang", "rusak", "server.git"]  # not lain, not the link
    server = rows["server.git"]
    assert server["name"] == "Sistem Informasi Kepegawaian"
    assert (server["step"], server["step_id"], server["done"], server["total"]) == (
        3,
        "disposisi-kadis",
        2,
        17,
    )
    assert server["status"] == "unfilled"
    assert server["to_act"] == ["Dedi (Head of office (Kadis))"]  # by name, from the server's roster
    assert (server["days"], server["limit_days"], server["overdue"]) == (0, None, False)
    # the clone holds the same commits but no roster (the server keeps it): no sign-off can be verified,
    # and the role's title stands in for names
    assert (rows["app"]["step"], rows["app"]["status"]) == (1, "awaiting-signoff")
    assert rows["app"]["to_act"] == ["Records office (TU)"]


def test_a_repository_that_cannot_be_judged_is_listed_with_its_reason(fleet: tuple[Path, Office]) -> None:
    root, _office = fleet
    rows = _rows(root)
    broken = rows["rusak"]
    assert broken["status"] == "cannot-decide" and broken["step"] is None
    assert ".sop/sop.yaml" in str(broken["reason"]) and "cannot decide" in str(broken["reason"])
    assert rows["cabang"]["status"] == "cannot-decide"
    assert "refs/heads/main" in str(rows["cabang"]["reason"]) and "--branch" in str(rows["cabang"]["reason"])
    # named by its branch, it is judged
    result = run_sopkit("status", str(root / "cabang"), "--branch", "master", "--format", "json", lang="en")
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)["applications"]
    assert (row["step"], row["status"], row["name"]) == (1, "missing", "Aplikasi Cabang")


def test_csv_and_markdown_have_one_row_per_application(fleet: tuple[Path, Office]) -> None:
    root, _office = fleet
    result = run_sopkit("status", str(root), "--format", "csv", lang="en")
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["repository"] for r in table] == ["app", "cabang", "rusak", "server.git"]
    server = table[3]
    assert server["step"] == "3" and server["done"] == "2" and server["total"] == "17"
    assert server["overdue"] == "no" and server["to_act"] == "Dedi (Head of office (Kadis))"
    markdown = run_sopkit("status", str(root), "--format", "markdown", lang="en").stdout.splitlines()
    assert len(markdown) == 2 + 4 and markdown[0].startswith("| Repository |")
    text = run_sopkit("status", str(root), lang="en").stdout
    assert "Sistem Informasi Kepegawaian" in text and "2/17" in text and "cannot decide" in text
    indonesian = run_sopkit("status", str(root)).stdout
    assert "tidak dapat memutuskan" in indonesian and "Status SOP aplikasi" in indonesian


def test_overdue_against_the_office_time_limit(tmp_path: Path) -> None:
    """Days are counted from the start of the history to the current step's deadline."""
    from toolkit.forge.plain.status import status

    policy = tmp_path / "sop.yaml"
    text = (ROOT / "sop.yaml").read_text(encoding="utf-8")
    policy.write_text(text.replace("    gate: intake\n", "    gate: intake\n    time_limit_days: 3\n", 1))
    apps = tmp_path / "apps"
    _new(apps / "simpeg", "app_name=Simpeg", policy=policy)
    started = int(git(apps / "simpeg", "log", "-1", "--format=%ct").strip())
    (late,) = status(apps, now=started + 5 * DAY + 60)
    assert late.progress is not None and late.progress.waiting is not None
    assert (late.progress.waiting.days, late.progress.waiting.limit, late.progress.waiting.overdue) == (
        5,
        3,
        True,
    )
    assert late.progress.overdue == ("permintaan",)
    (on_time,) = status(apps, now=started + 2 * DAY)
    assert on_time.progress is not None and on_time.progress.overdue == ()


def test_names_from_a_repository_cannot_inject_into_the_outputs(tmp_path: Path) -> None:
    """A pusher writes the application's name: a formula, terminal escapes or markup stay text."""
    apps = tmp_path / "apps"
    repo = _new(apps / "jahat", "app_name=Jahat")
    answers = repo / ".copier-answers.yml"
    hostile = '=HYPERLINK("http://x")|[red]x[/red]\x1b[31m<b>'
    answers.write_text(
        "\n".join(
            f"app_name: {json.dumps(hostile)}" if line.startswith("app_name:") else line
            for line in answers.read_text(encoding="utf-8").splitlines()
        )
        + "\n",
        encoding="utf-8",
    )
    git(repo, "commit", "-qam", "nama", "--no-verify")
    out = run_sopkit("status", str(apps), "--format", "csv", lang="en").stdout
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["name"].startswith("'=HYPERLINK") and "\x1b" not in out
    table = run_sopkit("status", str(apps), lang="en").stdout
    assert "[red]x[/red]" in table.replace("\n", "") or "[red]x[/red" in table
    markdown = run_sopkit("status", str(apps), "--format", "markdown", lang="en").stdout
    assert "<b>" not in markdown and "&lt;b&gt;" in markdown and "\\|\\[red\\]x\\[/red\\]" in markdown


def test_no_application_is_a_clear_error(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path / "kosong")], check=True)
    result = run_sopkit("status", str(tmp_path), lang="en")
    assert result.exit_code == 2
    assert "no application repository under" in result.stderr and "symbolic links" in result.stderr
    bad = run_sopkit("status", str(tmp_path), "--branch", "a..b", lang="en")
    assert bad.exit_code == 2 and "is not a branch name" in bad.stderr
