"""Every workflow, of this repository and of the application template (rendered as `sopkit new` renders it
for a GitHub organisation), passes zizmor (offline) with no finding at the pedantic level, GitHub's
workflow schema, and pins every action and reusable workflow to a full commit SHA."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, Cli, git

OWN = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
TEMPLATE_WORKFLOWS = ROOT / "project_template" / "template" / ".github" / "workflows"
TOOLKIT_REF = "0123456789abcdef0123456789abcdef01234567"
REQUIREMENTS = "sop-toolkit==0.0.0 --hash=sha256:" + "0" * 64


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template's workflows as a repository of a GitHub organisation gets them."""
    from click.testing import CliRunner

    from toolkit.cli.app import cli

    dest = tmp_path_factory.mktemp("rendered") / "app"
    data = [
        "app_name=Sistem Informasi Kepegawaian",
        "opd=Badan Kepegawaian Daerah",
        "github_org=diskominfotik-sumbar",
        f"toolkit_ref={TOOLKIT_REF}",
        f"gate_requirements={REQUIREMENTS}",
    ]
    args = ["new", str(dest), "--defaults", *(a for d in data for a in ("--data", d))]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return dest / ".github" / "workflows"


@pytest.fixture(scope="module")
def intake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The intake repository's workflows as `sopkit request init --github` renders them."""
    from click.testing import CliRunner

    from tests.office import make_key, roster_text
    from toolkit.cli.app import cli
    from toolkit.paths import default_policy

    root = tmp_path_factory.mktemp("intake")
    people = {"ani": (["tu"], None, None)}
    (root / "roster.yaml").write_text(roster_text({"ani": make_key(root, "ani")}, people, {"ani": "ani"}))
    (root / "req.txt").write_text(REQUIREMENTS + "\n")
    args = ["request", "init", str(root / "intake"), "--policy", str(default_policy())]
    args += ["--roster", str(root / "roster.yaml"), "--github", "diskominfotik-sumbar"]
    args += ["--toolkit-ref", TOOLKIT_REF, "--requirements", str(root / "req.txt")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return root / "intake"


def workflows(rendered: Path, intake: Path | None = None) -> list[Path]:
    made = sorted(intake.glob(".github/workflows/*.y*ml")) if intake else []
    return [*OWN, *sorted(rendered.glob("*.y*ml")), *made]


def test_the_intake_repository_calls_the_toolkit_at_its_commit(intake: Path) -> None:
    called = yaml.safe_load((intake / ".github" / "workflows" / "sop-intake.yml").read_text())
    job = called["jobs"]["sop-intake"]
    assert job["uses"] == f"diskominfotik-sumbar/sop-toolkit/.github/workflows/sop-intake.yml@{TOOLKIT_REF}"
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    assert called[True]["issue_comment"]["types"] == ["created", "edited", "deleted"]
    assert (intake / ".sop" / "requirements.txt").read_text().strip() == REQUIREMENTS
    assert (intake / ".sop" / "sop.yaml").is_file() and (intake / ".sop" / "roster.yaml").is_file()
    assert git(intake, "status", "--porcelain") == ""


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} is not installed: pip install -e '.[dev]'"
    return found


def test_there_are_workflows(rendered: Path) -> None:
    assert {p.name for p in OWN} >= {"ci.yml", "sop-gate.yml"}
    assert {p.name for p in rendered.glob("*.yml")} >= {"sop-gate.yml"}


def test_a_repository_without_github_gets_no_gate_workflow(tmp_path: Path, cli: Cli) -> None:
    result = cli(
        "new", str(tmp_path / "app"), "--defaults", "--data", "app_name=Lokal", "--data", "opd=Dinas"
    )
    assert result.exit_code == 0, result.stderr
    assert not (tmp_path / "app" / ".github" / "workflows" / "sop-gate.yml").exists()
    assert not (tmp_path / "app" / ".sop" / "requirements.txt").exists()


def test_the_caller_calls_the_reusable_gate_at_the_pinned_commit(rendered: Path) -> None:
    caller = yaml.safe_load((rendered / "sop-gate.yml").read_text())
    (job,) = caller["jobs"].values()
    assert job["uses"] == f"diskominfotik-sumbar/sop-toolkit/.github/workflows/sop-gate.yml@{TOOLKIT_REF}"
    assert caller["permissions"] == {}
    assert job["permissions"] == {"contents": "read", "checks": "write", "pull-requests": "read"}
    events = caller[True]  # YAML 1.1 reads the key `on` as true
    assert set(events) == {"pull_request", "pull_request_review", "merge_group"}
    assert "pull_request_target" not in events
    assert (rendered.parent.parent / ".sop" / "requirements.txt").read_text().strip() == REQUIREMENTS


def test_the_reusable_gate_installs_from_the_base_with_hashes() -> None:
    gate = yaml.safe_load((ROOT / ".github" / "workflows" / "sop-gate.yml").read_text())
    runs = "\n".join(step.get("run", "") for step in gate["jobs"]["gate"]["steps"])
    assert "--require-hashes" in runs and 'git show "${BASE_SHA}:.sop/requirements.txt"' in runs


def _release_runs() -> str:
    release = yaml.safe_load((ROOT / ".github" / "workflows" / "sop-release.yml").read_text())
    return "\n".join(step.get("run", "") for step in release["jobs"]["release-gate"]["steps"])


def test_the_release_installs_from_the_default_branch_never_from_the_tag() -> None:
    runs = _release_runs()
    assert 'git show "refs/remotes/origin/${BRANCH}:.sop/requirements.txt"' in runs
    assert "--require-hashes" in runs
    assert 'sopkit github release --branch "${BRANCH}"' in runs


def test_a_tag_named_like_the_remote_branch_does_not_shadow_it(tmp_path: Path) -> None:
    """A programmer pushes a tag ``origin/main`` holding their own requirements: git prefers
    refs/tags/origin/main to refs/remotes/origin/main for the short name, so the release job reads the
    default branch's file only because it names the ref in full. The job's own command, in a real clone."""
    server, clone = tmp_path / "server.git", tmp_path / "clone"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(server)], check=True)
    subprocess.run(["git", "clone", "-q", str(server), str(clone)], check=True, capture_output=True)
    (clone / ".sop").mkdir()
    (clone / ".sop" / "requirements.txt").write_text("branch\n")
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "kebijakan")
    git(clone, "push", "-q", "origin", "HEAD:refs/heads/main")
    (clone / ".sop" / "requirements.txt").write_text("tag\n")
    git(clone, "commit", "-q", "-am", "milik programmer")
    git(clone, "tag", "origin/main")
    git(clone, "push", "-q", "origin", "refs/tags/origin/main")
    job = tmp_path / "job"  # as actions/checkout with fetch-depth: 0 fetches: branches and tags
    subprocess.run(["git", "clone", "-q", str(server), str(job)], check=True, capture_output=True)
    git(job, "fetch", "-q", "--tags", "origin")
    assert git(job, "show", "origin/main:.sop/requirements.txt") == "tag\n"  # the trap is real
    (command,) = [line for line in _release_runs().splitlines() if line.startswith("git show ")]
    ran = subprocess.run(
        ["bash", "-euc", command],
        cwd=job,
        env={**os.environ, "BRANCH": "main", "RUNNER_TEMP": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "sopkit-requirements.txt").read_text() == "branch\n"


def test_no_workflow_puts_expressions_into_scripts_or_runs_on_pull_request_target(rendered: Path) -> None:
    for workflow in workflows(rendered):
        loaded = yaml.safe_load(workflow.read_text())
        assert "pull_request_target" not in loaded.get(True, {}), workflow.name
        assert loaded["permissions"] == {} or workflow.name == "ci.yml", workflow.name
        for job in loaded["jobs"].values():
            for step in job.get("steps", []):
                assert "${{" not in step.get("run", ""), (workflow.name, step)


def test_the_template_deploys_through_the_production_environment_after_the_release_gate(
    rendered: Path,
) -> None:
    caller = yaml.safe_load((rendered / "sop-release.yml").read_text())
    assert caller["jobs"]["deploy"]["needs"] == "gate"
    assert caller["jobs"]["deploy"]["environment"] == "production"
    assert caller["jobs"]["gate"]["uses"].endswith(f"/.github/workflows/sop-release.yml@{TOOLKIT_REF}")


def test_zizmor_finds_nothing(rendered: Path, intake: Path) -> None:
    for workflow in workflows(rendered, intake):
        _zizmor(workflow)


def test_actions_are_pinned_to_commits(rendered: Path, intake: Path) -> None:
    for workflow in workflows(rendered, intake):
        uses = re.findall(r"uses:\s*(\S+)", workflow.read_text())
        assert uses
        for ref in uses:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w./-]+\.ya?ml)?@[0-9a-f]{40}", ref), ref


def test_workflow_schema(rendered: Path, intake: Path) -> None:
    for workflow in workflows(rendered, intake):
        _schema(workflow)


def _zizmor(workflow: Path) -> None:
    result = subprocess.run(
        [tool("zizmor"), "--offline", "--persona", "pedantic", str(workflow)],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "ZIZMOR_OFFLINE": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def _schema(workflow: Path) -> None:
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(workflow)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
