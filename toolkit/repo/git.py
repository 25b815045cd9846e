"""Running git: one place that builds the command, hides the user's global hooks and config surprises,
and turns a failure into a message the user can act on."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from toolkit.errors import UserError
from toolkit.i18n import _

FALLBACK_NAME = "sop-toolkit"
FALLBACK_EMAIL = "sopkit@localhost"


def git_env() -> dict[str, str]:
    """The environment for git: never prompt, messages in English (we parse some of them)."""
    env = dict(os.environ)
    env.update({"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "LANGUAGE": "C"})
    return env


def git(args: Sequence[str], cwd: Path, *, check: bool = True, input_bytes: bytes | None = None) -> str:
    """Run ``git ARGS`` in ``cwd`` and return its standard output (text)."""
    try:
        result = subprocess.run(
            ["git", *args], cwd=cwd, env=git_env(), input=input_bytes, capture_output=True, check=False
        )
    except FileNotFoundError as exc:
        raise UserError(_("git is not installed or not on PATH; install git and try again")) from exc
    if check and result.returncode != 0:
        raise UserError(
            _("git {command} failed in {path}: {error}").format(
                command=args[0], path=cwd, error=result.stderr.decode(errors="replace").strip()
            )
        )
    return result.stdout.decode(errors="replace")


def has_identity(cwd: Path) -> bool:
    """Whether git knows who the user is (user.name and user.email are set)."""
    return all(git(["config", "--get", key], cwd, check=False).strip() for key in ("user.name", "user.email"))


def commit_all(cwd: Path, message: str) -> bool:
    """Stage everything and commit; ``False`` when there was nothing to commit."""
    git(["add", "-A"], cwd)
    if not git(["status", "--porcelain"], cwd).strip():
        return False
    identity = (
        []
        if has_identity(cwd)
        else ["-c", f"user.name={FALLBACK_NAME}", "-c", f"user.email={FALLBACK_EMAIL}"]
    )
    git([*identity, "commit", "-q", "--no-verify", "-m", message], cwd)
    return True


def is_clean(cwd: Path) -> bool:
    return not git(["status", "--porcelain"], cwd).strip()


def is_repo_root(path: Path) -> bool:
    if not (path / ".git").exists():
        return False
    top = git(["rev-parse", "--show-toplevel"], path, check=False).strip()
    return bool(top) and Path(top).resolve() == path.resolve()
