"""``sopkit signoff``: a sign-off as an empty commit signed with the signer's SSH key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import UserError
from toolkit.evidence.model import ArtefactState
from toolkit.evidence.signoffs import covered_paths, message, step_digest
from toolkit.forge.plain.signoffs import Clock, ssh_signoffs
from toolkit.gate.decide import signers_of, signoff_problems
from toolkit.gate.messages import joined
from toolkit.gate.model import Rules
from toolkit.i18n import _
from toolkit.paths import ANSWERS_FILE
from toolkit.repo.gather import policy_at, view_at
from toolkit.repo.git import git, has_identity
from toolkit.repo.gitread import read_history, read_snapshot, resolve
from toolkit.sop.model import POLICY_STEP


@dataclass(frozen=True)
class SignoffResult:
    commit: str
    step: str
    role: str
    digest: str
    problems: tuple[str, ...]  # why the gate will not count it (empty: it counts)


def signing_key(repo: Path, key: str | None) -> str:
    configured = git(["config", "--get", "user.signingkey"], repo, check=False).strip()
    key = key or configured
    if not key:
        raise UserError(
            _(
                "no SSH signing key: give --key ~/.ssh/id_ed25519 or run  git config --global "
                "user.signingkey ~/.ssh/id_ed25519.pub  (make a key with ssh-keygen -t ed25519)"
            )
        )
    if key.startswith(("ssh-", "key::")):
        return key  # a literal public key: the private half is in the SSH agent
    path = Path(key).expanduser()
    if not path.is_absolute():  # git signs from inside the repository, so a relative path would move
        path = (repo if key == configured else Path.cwd()) / path
    if not path.is_file():
        raise UserError(_("the signing key {key} does not exist").format(key=key))
    return str(path.resolve())


def commit_signed(repo: Path, key: str, text: str) -> str:
    """An empty commit with message ``text``, signed with the SSH ``key``; returns its id."""
    identity = (
        [] if has_identity(repo) else ["-c", "user.name=sop-toolkit", "-c", "user.email=sopkit@localhost"]
    )
    git(
        [
            *identity,
            "-c",
            "gpg.format=ssh",
            "-c",
            f"user.signingkey={key}",
            "commit",
            "-q",
            "--allow-empty",
            "--no-verify",
            "-S",
            "-m",
            text,
        ],
        repo,
    )
    return resolve(repo, "HEAD")


def sign_off(
    repo: Path,
    step_key: str,
    role: str,
    note: str = "",
    key: str | None = None,
    fallback: Rules | None = None,
) -> SignoffResult:
    head = resolve(repo, "HEAD")
    snapshot = read_snapshot(repo, head)
    policy = policy_at(repo, snapshot, fallback)
    sop = policy.sop
    if policy.app is None:
        raise UserError(
            _(
                "cannot sign off: this repository names no application (app_slug in {file}), and a "
                "sign-off must name the application it is for"
            ).format(file=ANSWERS_FILE)
        )
    try:
        step = None if step_key == POLICY_STEP else sop.step(step_key)
    except KeyError as exc:
        raise UserError(
            _("unknown step '{step}'; use a number 1-{last}, an id, or 'policy'").format(
                step=step_key, last=sop.steps[-1].no
            )
        ) from exc
    step_id = step.id if step else POLICY_STEP
    if role not in signers_of(sop, step_id):
        raise UserError(
            _("role '{role}' does not sign off '{step}'; the policy asks for: {roles}").format(
                role=role, step=step_id, roles=", ".join(signers_of(sop, step_id))
            )
        )
    covered = set(covered_paths(sop, step_id, snapshot))
    dirty = [line[3:] for line in git(["status", "--porcelain"], repo).splitlines() if line[3:] in covered]
    if dirty:
        raise UserError(
            _("commit these changes first; a sign-off covers committed content only: {files}").format(
                files=", ".join(dirty)
            )
        )
    if step is not None:
        view = view_at(repo, policy, head, (), snapshot, ())
        unfinished = [
            r
            for c in view.checks[step.id]
            if c.state is not ArtefactState.PRESENT and not (c.optional and c.state is ArtefactState.MISSING)
            for r in c.reasons
        ]
        if unfinished:
            raise UserError(
                _("step {no} is not ready to sign off:\n  {reasons}").format(
                    no=step.no, reasons="\n  ".join(unfinished)
                )
            )
    digest = step_digest(sop, step_id, snapshot)
    text = message(step.no if step else None, step_id, role, digest, policy.app, note)
    commit = commit_signed(repo, signing_key(repo, key), text)
    history = tuple(read_history(repo, commit))
    (made,) = ssh_signoffs(repo, policy.roster, Clock())(history[-1:])
    problems = signoff_problems(policy, made, history)
    return SignoffResult(commit, step_id, role, digest, (joined(problems),) if problems else ())
