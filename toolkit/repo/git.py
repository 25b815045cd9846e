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


# A graft file that can never exist (nothing can be created below /dev/null): git finds no grafts. An
# existing empty file would do too, but git prints its deprecation hint for every graft file it opens.
NO_GRAFTS = str(Path(os.devnull) / "no-grafts")
# Appended last to the command-line configuration, so it outranks every configuration file and every
# earlier ``-c``: ``core.useReplaceRefs=true`` would otherwise switch replace objects back on.
_NO_REPLACE_CONFIG = "'core.usereplacerefs=false'"


def git_env() -> dict[str, str]:
    """The environment for every git process sop-toolkit runs: never prompt, messages in English (we
    parse some of them), and the repository read as stored: replace objects (``refs/replace/*``) and
    grafts (``info/grafts``) are ignored, whatever the environment or a configuration file says."""
    env = dict(os.environ)
    env.update({"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "LANGUAGE": "C"})
    env["GIT_NO_REPLACE_OBJECTS"] = "1"
    env["GIT_GRAFT_FILE"] = NO_GRAFTS
    env.pop("GIT_REPLACE_REF_BASE", None)
    inherited = env.get("GIT_CONFIG_PARAMETERS", "").strip()
    env["GIT_CONFIG_PARAMETERS"] = f"{inherited} {_NO_REPLACE_CONFIG}".strip()
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
