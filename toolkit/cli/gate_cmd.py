"""``sopkit gate ...`` and ``sopkit signoff``: the gate on a plain git repository."""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.cli.lean import lean
from toolkit.errors import EXIT_BLOCKED
from toolkit.i18n import _

REPO = click.option(
    "--repo",
    # resolved here, where the path enters: git runs inside the repository, with paths below it
    type=click.Path(path_type=Path, file_okay=False, exists=True, resolve_path=True),
    default=".",
    show_default=True,
    help=_("The git repository."),
)
FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help=_("Output format."),
)
POLICY = click.option(
    "--policy",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help=_("sop.yaml to use where the judged commit carries none (e.g. a new repository)."),
)
ROSTER = click.option(
    "--roster",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help=_("roster.yaml to use where the judged commit carries none."),
)


def _fallback(policy: Path | None, roster: Path | None):  # type: ignore[no-untyped-def]
    if policy is None:
        if roster is not None:
            from toolkit.errors import UserError

            raise UserError(_("--roster needs --policy"))
        return None
    from toolkit.repo.gather import policy_from_files

    return policy_from_files(policy, roster)


def _emit(report, fmt: str, exit_on_block: bool = True) -> None:  # type: ignore[no-untyped-def]
    from toolkit.gate.render import FORMATS

    click.echo(FORMATS[fmt](report), nl=False)
    if exit_on_block and not report.passed:
        raise SystemExit(EXIT_BLOCKED)


@click.group(help=_("Check a repository against the SOP: artefacts, sign-offs, order, code and release."))
def gate() -> None:
    pass


@gate.command(
    help=_(
        "Check the change BASE..HEAD against the SOP (exit 0 pass, 1 blocked, 2 cannot decide). "
        "Without --base: the state of every step at HEAD."
    )
)
@REPO
@click.option("--base", help=_("The commit the change starts from (the target branch)."))
@click.option("--head", default="HEAD", show_default=True, help=_("The commit that would land."))
@FORMAT
@POLICY
@ROSTER
@lean
def check(
    repo: Path, base: str | None, head: str, fmt: str, policy: Path | None, roster: Path | None
) -> None:
    from toolkit.forge.plain import gate as plaingit

    fallback = _fallback(policy, roster)
    if base is None:
        _emit(plaingit.state(repo, head, fallback), fmt)
    else:
        _emit(plaingit.check_change(repo, base, head, fallback), fmt)


@gate.command(
    help=_(
        "The release gate: REF on the protected branch, every step through the security test complete, "
        "and the security report naming the tested commit by its full id, with the result LULUS, no "
        "open critical or high finding, and exactly the code at REF. The policy and roster are read "
        "from the tip of the protected branch, never from REF."
    )
)
@REPO
@click.option("--ref", default="HEAD", show_default=True, help=_("The commit to release."))
@click.option(
    "--branch",
    default="main",
    show_default=True,
    help=_(
        "The protected branch whose tip holds the policy and which REF must be on: a branch name, read "
        "only as refs/heads/NAME (on the server's bare repository, its branch); on a clone give the "
        "remote-tracking branch in full, e.g. refs/remotes/origin/main."
    ),
)
@FORMAT
@POLICY
@ROSTER
@lean
def release(repo: Path, ref: str, branch: str, fmt: str, policy: Path | None, roster: Path | None) -> None:
    from toolkit.forge.plain import gate as plaingit

    _emit(plaingit.check_release(repo, ref, _fallback(policy, roster), branch), fmt)


@click.command(
    help=_(
        "Sign off STEP (a number, an id, or 'policy') in ROLE: an empty commit signed with your "
        "SSH key, naming the step, the role and a digest of exactly what you approve."
    )
)
@click.argument("step")
@click.option("--role", required=True, help=_("The SOP role you sign in (e.g. kasi)."))
@REPO
@click.option("-m", "--message", "note", default="", help=_("A note for the record."))
@click.option("--key", help=_("SSH key to sign with (default: git config user.signingkey)."))
@POLICY
@ROSTER
def signoff(
    step: str, role: str, repo: Path, note: str, key: str | None, policy: Path | None, roster: Path | None
) -> None:
    from toolkit.forge.plain.signing import sign_off

    result = sign_off(repo, step, role, note, key, _fallback(policy, roster))
    click.echo(
        _("Signed off '{step}' as {role}: commit {commit} ({digest}).").format(
            step=result.step, role=result.role, commit=result.commit[:12], digest=result.digest[:19]
        )
    )
    if result.problems:
        click.echo(
            _("Warning: the gate will not count this sign-off: {why}").format(why="; ".join(result.problems)),
            err=True,
        )
        raise SystemExit(EXIT_BLOCKED)


@click.command(
    help=_(
        "Re-verify the history of a protected branch offline: every change reached it through "
        "the gate (bypasses are reported); optionally write an evidence pack for auditors."
    )
)
@REPO
@click.option("--branch", default="main", show_default=True, help=_("The protected branch."))
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), help=_("Write the evidence pack (zip).")
)
@POLICY
@ROSTER
def audit(repo: Path, branch: str, out: Path | None, policy: Path | None, roster: Path | None) -> None:
    from toolkit.forge.plain import audit as audit_lib
    from toolkit.gate.render import as_text

    fallback = _fallback(policy, roster)
    result = audit_lib.audit(repo, branch, fallback)
    click.echo(as_text(result.state), nl=False)
    click.echo(
        _("Audit of {branch} at {tip}: {checked} changes re-verified, {count} findings.").format(
            branch=result.branch, tip=result.tip[:12], checked=result.checked, count=len(result.findings)
        )
    )
    for finding in result.findings:
        click.echo(f"  - [{finding.kind}] {finding.message}")
    if out is not None:
        audit_lib.write_pack(repo, result, out, fallback)
        click.echo(_("Evidence pack: {path}").format(path=out))
    if result.findings:
        raise SystemExit(EXIT_BLOCKED)
