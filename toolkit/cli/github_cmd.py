"""``sopkit github ...``: the gate as a GitHub Actions job (and, next to it, the other GitHub commands)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from toolkit.cli.gate_cmd import FORMAT
from toolkit.errors import EXIT_BLOCKED, EXIT_USAGE, UserError
from toolkit.forge.github.names import CHECK_NAME
from toolkit.i18n import _

if TYPE_CHECKING:
    from toolkit.forge.github.api import Annotation, GitHub
    from toolkit.forge.github.intake import Trigger


@click.group(help=_("GitHub: the gate in Actions, with pull-request reviews as sign-offs."))
def github() -> None:
    pass


@github.command(
    "gate",
    help=_(
        "Judge the pull request (or merge-queue entry) of the running GitHub Actions job: reviews and "
        "SSH-signed commits are the sign-offs, the base branch's policy decides. Publishes a check run with "
        "annotations (or, when the token may not write checks, the job summary and workflow annotations). "
        "Exit 0 pass, 1 blocked, 2 cannot decide (no token, API down, a checkout without history)."
    ),
)
@click.option(
    "--repo",
    type=click.Path(path_type=Path, file_okay=False, exists=True, resolve_path=True),
    default=".",
    show_default=True,
    help=_("The checkout (with its whole history)."),
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help=_("Output format of the report printed to the log."),
)
def gate(repo: Path, fmt: str) -> None:
    from toolkit.forge.github import gate as ghgate
    from toolkit.forge.github.api import Annotation, GitHub
    from toolkit.gate.render import FORMATS, headline

    environ = os.environ
    summary_file = environ.get("GITHUB_STEP_SUMMARY")
    # The check run is made in progress before judging and completed last: a verdict that cannot be
    # published then leaves it pending (a required check blocks), never an earlier success standing.
    check = _Check()
    try:
        event = ghgate.read_event(*ghgate.environment_event(environ))
        hub = GitHub.from_environment(environ)
        verdict = ghgate.judge_event(repo, hub, event, started=lambda head: check.start(hub, head))
    except UserError as error:
        _summary(summary_file, "### " + _("SOP gate: cannot decide") + "\n\n" + error.message + "\n")
        click.echo(f"::error title=sop-gate::{_command_text(error.message)}")
        if check.head:  # judging began: its run completed as failed, or one made so if none was made
            check.finish(hub, "failure", _("SOP gate: cannot decide"), error.message, [])
        raise
    report = verdict.report
    if verdict.moved_from:  # the run made on the head the event named is closed as blocked
        said = _(
            "Not judged: pull request #{number} moved from {old} to {new} since this event; the event of "
            "{new} judges it."
        ).format(number=event.number, old=verdict.moved_from[:12], new=verdict.head[:12])
        check.finish(hub, "failure", _("SOP gate: superseded"), said, [])
        _summary(summary_file, "### " + _("SOP gate: not judged") + "\n\n" + said + "\n")
        click.echo(said)
        return
    if report is None:  # no check run at all: neutral or skipped would satisfy the required check
        said = _(
            "Not judged: pull request #{number} goes into '{base}', not the default branch '{default}'. The "
            "gate judges only pull requests into the default branch and posts no {check} check here (a "
            "check run belongs to the commit, so it would stand for the same commit proposed for "
            "'{default}')."
        ).format(
            number=event.number, base=verdict.base, default=verdict.default_branch or "-", check=CHECK_NAME
        )
        _summary(summary_file, "### " + _("SOP gate: not judged") + "\n\n" + said + "\n")
        click.echo(said)
        return
    click.echo(FORMATS[fmt](report), nl=False)
    markdown = ghgate.summary_markdown(report)
    _summary(summary_file, markdown)
    notes = [Annotation(path, message, code) for path, message, code in ghgate.file_notes(report)]
    conclusion = "success" if report.passed else "failure"
    published = check.finish(hub, conclusion, headline(report), markdown, notes)
    if not published:  # the job's own check carries the verdict: annotations as workflow commands
        for note in notes:
            where = f"file={_property(note.path)},title={_property(note.title)}"
            click.echo(f"::error {where}::{_command_text(note.message)}")
    if not report.passed:
        raise SystemExit(EXIT_BLOCKED)


class _Check:
    """The gate's check run on the judged head: started in progress, finished with the verdict."""

    def __init__(self) -> None:
        self.head = ""
        self.run: int | None = None
        self.writable = True  # False: the token may not write checks (a fork's pull request)

    def start(self, hub: GitHub, head: str) -> None:
        from toolkit.forge.github.api import Unreachable

        self.head, self.run, self.writable = head, None, True  # never another head's run
        try:
            self.run = hub.start_check(head, CHECK_NAME)
            self.writable = self.run is not None
        except Unreachable as error:  # the verdict is still published at the end, if GitHub lets it
            click.echo(error.message, err=True)

    def finish(self, hub: GitHub, conclusion: str, title: str, summary: str, notes: list[Annotation]) -> bool:
        """Whether the verdict is on the check run (else the caller reports it another way)."""
        from toolkit.forge.github.api import Unreachable

        if not self.writable or not self.head:
            return False
        try:
            return hub.publish_check(self.head, CHECK_NAME, conclusion, title, summary, notes, self.run)
        except Unreachable as error:  # a started run stays in progress: the required check blocks
            click.echo(error.message, err=True)
            return False


def _summary(path: str | None, text: str) -> None:
    if not path:
        return
    try:
        with Path(path).open("a", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as error:
        raise UserError(
            _("cannot write the job summary {path}: {error}").format(path=path, error=error), EXIT_USAGE
        ) from error


def _command_text(text: str) -> str:
    """``text`` as a workflow command's message: GitHub reads %, CR and LF there as escapes."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """``text`` as a workflow command's property (a file name): ',' and ':' end it unless escaped."""
    return _command_text(text).replace(":", "%3A").replace(",", "%2C")


CHECKOUT = click.option(
    "--repo",
    type=click.Path(path_type=Path, file_okay=False, exists=True, resolve_path=True),
    default=".",
    show_default=True,
    help=_("The checkout of the default branch (with its whole history)."),
)
BRANCH = click.option(
    "--branch",
    default="main",
    show_default=True,
    help=_("The default branch on GitHub (the pull requests' base)."),
)
GITHUB_REPO = click.option(
    "--github",
    "full_name",
    envvar="GITHUB_REPOSITORY",
    help=_("OWNER/NAME on GitHub (default: GITHUB_REPOSITORY); the token comes from GITHUB_TOKEN."),
)


def _hub(full_name: str | None):  # type: ignore[no-untyped-def]
    from toolkit.forge.github.api import GitHub

    env = dict(os.environ)
    if full_name:
        env["GITHUB_REPOSITORY"] = full_name
    return GitHub.from_environment(env)


@github.command(
    "state",
    help=_(
        "The state of every step on the default branch: a step is complete when its files are exactly what "
        "the right roles approved in the pull requests merged into it (or signed with SSH)."
    ),
)
@CHECKOUT
@BRANCH
@GITHUB_REPO
@FORMAT
def state(repo: Path, branch: str, full_name: str | None, fmt: str) -> None:
    from toolkit.forge.github.state import state as github_state
    from toolkit.gate.render import FORMATS

    judged = github_state(repo, _hub(full_name), branch)
    click.echo(FORMATS[fmt](judged.report), nl=False)


@github.command(
    "track",
    help=_(
        "Keep the repository's tracking issue (label sop-pelacakan) up to date with the state of the "
        "default branch: a line per step, who signed off and when, who must act next, days waiting."
    ),
)
@CHECKOUT
@BRANCH
@GITHUB_REPO
def track(repo: Path, branch: str, full_name: str | None) -> None:
    import time

    from toolkit.forge.github.state import state as github_state
    from toolkit.forge.github.track import tracking
    from toolkit.repo.gather import app_name_at

    hub = _hub(full_name)
    judged = github_state(repo, hub, branch)
    started = judged.view.commits[0].time if judged.view.commits else int(time.time())
    rules = judged.rules
    found = tracking(
        rules.sop,
        rules.roster,
        judged.report,
        app_name_at(repo, judged.view.snapshot) or hub.full_name,
        started,
        int(time.time()),
    )
    done = hub.sync_tracking(*found)
    said = {"created": _("tracking issue created"), "updated": _("tracking issue updated")}
    click.echo(said.get(done, _("tracking issue unchanged")))


@github.command(
    "intake",
    help=_(
        "Keep a request issue of the intake repository (run on its issues and issue_comment events): "
        "replay what people did on it (the request form, state labels, /terima /catat /disposisi "
        "/tugaskan /tolak comments) against the default branch's policy and roster, set the state label "
        "(a label put or taken away against the rules is reverted) and answer each action once. "
        "Exit 0; 2 when it cannot decide (no token, API down, no valid policy)."
    ),
)
@click.option(
    "--issue", "number", type=click.IntRange(min=1), default=None, help=_("The issue (default: the event's).")
)
def intake(number: int | None) -> None:
    from toolkit.forge.github import gate as ghgate
    from toolkit.forge.github.intake import handle

    trigger = None
    if number is None:
        name, path = ghgate.environment_event(os.environ)
        payload = ghgate.load_payload(path)
        issue = payload.get("issue") or {}
        if name not in ("issues", "issue_comment") or not isinstance(issue.get("number"), int):
            raise UserError(
                _("the intake runs on issues and issue_comment events, not on '{name}'").format(
                    name=name or "-"
                )
            )
        if issue.get("pull_request"):
            click.echo(_("a pull request's comment: not a request"))
            return
        number = int(issue["number"])
        trigger = _trigger(name, payload)
    said, _done, _replayed = handle(_hub(None), number, trigger)
    click.echo(said)


def _trigger(name: str, payload: dict[str, Any]) -> Trigger:
    """The action an issues or issue_comment event reports."""
    from toolkit.forge.github.intake import Trigger

    action = str(payload.get("action") or "")
    login = str((payload.get("sender") or {}).get("login") or "")
    if name == "issue_comment":
        comment = (payload.get("comment") or {}).get("id")
        if action == "created" and isinstance(comment, int):
            return Trigger("comment", login, comment_id=comment)
        return Trigger("other")
    if action in ("labeled", "unlabeled"):
        return Trigger(action, login, str((payload.get("label") or {}).get("name") or ""))
    return Trigger("opened", login) if action == "opened" else Trigger("other")


@github.command(
    "dashboard-issue",
    help=_(
        "Keep one pinned issue (label sop-dasbor) in the intake repository whose body is the status of "
        "every repository of the organisation, read from their tracking issues: written only when it "
        "changed. The token (GITHUB_TOKEN) must read the issues of every repository and write issues in "
        "the intake repository. Exit 0; 2 when a repository cannot be judged (it is listed with the "
        "reason) or GitHub cannot be asked."
    ),
)
@click.option("--org", required=True, help=_("The GitHub organisation."))
@click.option(
    "--repo", "intake", required=True, help=_("The intake repository (its name in the organisation).")
)
@click.option(
    "--skip",
    multiple=True,
    help=_(
        "A repository of the organisation that is not an application (repeatable); the intake is skipped."
    ),
)
@click.option(
    "--api-url",
    default="https://api.github.com",
    show_default=True,
    help=_("GitHub's API address (GitHub Enterprise Server: https://HOST/api/v3)."),
)
def dashboard_issue(org: str, intake: str, skip: tuple[str, ...], api_url: str) -> None:
    from toolkit.cli.status_cmd import org_states
    from toolkit.forge.github.api import make_client
    from toolkit.forge.github.dashboard_issue import dashboard_body, sync_dashboard

    if "/" in intake or not intake.strip():
        raise UserError(
            _("--repo is the intake repository's name in {org}, not {name!r}").format(org=org, name=intake)
        )
    apps = org_states(org, api_url, (intake, *skip))
    title, body = dashboard_body(org, apps)
    done = sync_dashboard(
        make_client(os.environ["GITHUB_TOKEN"], api_url, "--api-url"), f"{org}/{intake}", title, body
    )
    said = {"created": _("dashboard issue created and pinned"), "updated": _("dashboard issue updated")}
    click.echo(said.get(done, _("dashboard issue unchanged")))
    if any(a.problem for a in apps):
        raise SystemExit(EXIT_USAGE)


@github.command(
    "release",
    help=_(
        "The release gate on GitHub: REF (default HEAD, a tag) must be on the default branch, whose "
        "tip gives the policy; the steps the release needs complete by the approvals of merged pull "
        "requests; the security report names the released code, LULUS, no open critical or high "
        "finding. Exit 0 release, 1 blocked, 2 cannot decide."
    ),
)
@CHECKOUT
@BRANCH
@GITHUB_REPO
@click.option("--ref", "rev", default="HEAD", show_default=True, help=_("The commit or tag to release."))
def release(repo: Path, branch: str, full_name: str | None, rev: str) -> None:
    from toolkit.forge.github.state import release as github_release
    from toolkit.gate.render import as_text

    report = github_release(repo, _hub(full_name), rev, branch)
    click.echo(as_text(report), nl=False)
    if not report.passed:
        raise SystemExit(EXIT_BLOCKED)


@github.command(
    "audit",
    help=_(
        "Audit the default branch on GitHub: every first-parent commit came from a merged pull request "
        "whose head passed the sop-gate check of GitHub Actions and whose approvals satisfy the base's "
        "policy; direct pushes and admin merges are reported. Exit 0 clean, 1 findings, 2 cannot decide."
    ),
)
@click.option("--repo", "full_name", envvar="GITHUB_REPOSITORY", required=True,
              help=_("OWNER/NAME on GitHub; the token comes from GITHUB_TOKEN."))  # fmt: skip
@click.option(
    "--checkout",
    type=click.Path(path_type=Path, file_okay=False, exists=True, resolve_path=True),
    default=".",
    show_default=True,
    help=_("A clone of the repository with its whole history (git fetch origin first)."),
)
@BRANCH
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), help=_("Write an evidence pack (zip).")
)
def audit(full_name: str, checkout: Path, branch: str, out: Path | None) -> None:
    from toolkit.forge.github.audit import audit as github_audit
    from toolkit.forge.github.audit import write_pack

    result = github_audit(checkout, _hub(full_name), branch)
    for finding in result.findings:
        click.echo(f"[{finding.kind}] {finding.message}")
    if not result.findings:
        click.echo(
            _(
                "{repo} {branch}: {count} pull requests re-verified, nothing reached the branch around the "
                "gate"
            ).format(repo=result.repository, branch=branch, count=result.pulls)
        )
    if out is not None:
        write_pack(result, out)
        click.echo(_("evidence pack: {path}").format(path=out))
    if result.findings:
        raise SystemExit(EXIT_BLOCKED)


@github.command(
    "provision",
    help=_(
        "Set up the application's repository on GitHub from a folder made by `sopkit new` (with its "
        ".sop/roster.yaml): the private repository, the scaffold as its first commit, a team per role "
        "synced from the roster, CODEOWNERS from sop.yaml, branch protection bound to the sop-gate check of "
        "GitHub Actions, the production environment (only v* tags deploy), a tag ruleset that lets only the "
        "policy owners push v* tags, labels and the tracking issue. Writes only what "
        "differs; run it again at any time. Token from GITHUB_TOKEN or GH_TOKEN (scopes repo, admin:org). "
        "Exit 0 done, 2 refused or failed (nothing more was written; run again)."
    ),
)
@click.option("--org", required=True, help=_("The GitHub organisation."))
@click.option(
    "--from",
    "source",
    required=True,
    type=click.Path(path_type=Path, file_okay=False, exists=True, resolve_path=True),
    help=_("The application's repository made by `sopkit new`."),
)
@click.option("--name", default=None, help=_("The repository's name (default: app_slug of the scaffold)."))
@click.option(
    "--merge-methods",
    default="merge,squash,rebase",
    show_default=True,
    help=_("The merge methods the repository allows, separated by commas."),
)
@click.option("--dry-run", is_flag=True, help=_("Print what would be created or changed; write nothing."))
@click.option(
    "--api-url",
    default=None,
    help=_("The API of GitHub Enterprise Server (https://HOST/api/v3); default GitHub.com."),
)
def provision(
    org: str, source: Path, name: str | None, merge_methods: str, dry_run: bool, api_url: str | None
) -> None:
    run_provision(org, source, name, merge_methods, dry_run, api_url)


def token_from_environment() -> str:
    token = os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN")
    if not token:
        raise UserError(
            _(
                "no token: set GITHUB_TOKEN (or GH_TOKEN) to a token of an organisation owner with scopes "
                "repo and admin:org"
            )
        )
    return token


def run_provision(
    org: str, source: Path, name: str | None, merge_methods: str, dry_run: bool, api_url: str | None
) -> str:
    """Provision ``source`` in ``org`` as ``sopkit github provision`` does; the repository's name."""
    from toolkit.forge.github.api import DEFAULT_API
    from toolkit.forge.github.provision import Provisioner, client
    from toolkit.forge.github.provision_input import prepare

    token = token_from_environment()
    prepared = prepare(source, org, name, [m.strip() for m in merge_methods.split(",") if m.strip()])
    run = Provisioner(
        client(token, api_url or DEFAULT_API),
        org,
        prepared.name,
        prepared.want,
        prepared.scaffold,
        dry_run=dry_run,
        progress=lambda line: click.echo(line, err=True),
    )
    summary = run.run()
    if dry_run:
        click.echo(_("Dry run: nothing was written to GitHub.") + "\n")
    click.echo(summary.render(), nl=False)
    if dry_run:
        click.echo("\n" + _("CODEOWNERS from sop.yaml:") + "\n" + prepared.want.codeowners, nl=False)
    return prepared.name
