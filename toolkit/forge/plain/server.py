"""A plain git server that enforces the SOP: a bare repository whose pre-receive hook runs the gate.

``sopkit server init BARE`` keeps the office's policy and roster inside the bare repository, in
``sopkit/`` (not reachable by a push), and installs two hooks that call the installed sop-toolkit:

* ``pre-receive`` judges every push to a protected branch and rejects it with the reasons: deleting the
  branch, rewriting its history (force push), or a change the gate blocks. The rules come from the
  branch's current tip (``.sop/`` there), or from the server's own copy while the branch is new: the push
  being judged can never change them. Any failure to decide rejects the push.
* ``post-receive`` records each accepted push in ``sopkit/pushes.log``; ``sopkit audit`` uses it to find
  commits that reached the branch without passing the hook.
"""

from __future__ import annotations

import json
import shlex
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import UserError
from toolkit.gate.model import Report
from toolkit.i18n import _
from toolkit.paths import POLICY_FILE, ROSTER_FILE
from toolkit.repo.gather import Policy, policy_from_files
from toolkit.repo.git import git
from toolkit.repo.gitread import ZERO, is_ancestor

CONFIG_DIR = "sopkit"


@dataclass(frozen=True)
class ServerConfig:
    root: Path  # the bare repository
    protected: tuple[str, ...]  # full ref names
    lang: str

    @property
    def policy_path(self) -> Path:
        return self.root / CONFIG_DIR / "sop.yaml"

    @property
    def roster_path(self) -> Path:
        return self.root / CONFIG_DIR / "roster.yaml"


def init(bare: Path, policy: Path, roster: Path, branches: tuple[str, ...], lang: str) -> ServerConfig:
    policy_from_files(policy, roster)  # refuse an invalid policy or roster before touching anything
    if bare.exists() and any(bare.iterdir()) and not (bare / "HEAD").is_file():
        raise UserError(_("{path} exists and is not a bare git repository").format(path=bare))
    bare.mkdir(parents=True, exist_ok=True)
    git(["init", "-q", "--bare", "-b", branches[0]], bare)
    config_dir = bare / CONFIG_DIR
    config_dir.mkdir(exist_ok=True)
    shutil.copyfile(policy, config_dir / "sop.yaml")
    shutil.copyfile(roster, config_dir / "roster.yaml")
    protected = tuple(b if b.startswith("refs/") else f"refs/heads/{b}" for b in branches)
    (config_dir / "config.json").write_text(
        json.dumps({"protected": protected, "lang": lang}, indent=2) + "\n"
    )
    for hook in ("pre-receive", "post-receive"):
        path = bare / "hooks" / hook
        command = " ".join(shlex.quote(part) for part in (sys.executable, "-m", "toolkit", "hook", hook))
        path.write_text(f"#!/bin/sh\n# Installed by sopkit server init: the SOP gate.\nexec {command}\n")
        path.chmod(0o755)
    return load_config(bare)


def load_config(bare: Path) -> ServerConfig:
    try:
        raw = json.loads((bare / CONFIG_DIR / "config.json").read_text())
        protected = tuple(str(r) for r in raw["protected"])
        return ServerConfig(bare, protected, str(raw.get("lang", "id")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(
            _(
                "cannot decide: the server's sopkit configuration is missing or broken ({reason}); "
                "every push to a protected branch is rejected"
            ).format(reason=exc)
        ) from exc


def server_policy(config: ServerConfig) -> tuple[Policy, dict[str, str]]:
    """The server's own policy and roster, and the blob ids a new repository's copies must have."""
    policy = policy_from_files(config.policy_path, config.roster_path)
    shas = {}
    for name, path in ((POLICY_FILE, config.policy_path), (ROSTER_FILE, config.roster_path)):
        shas[name] = git(["hash-object", "--", str(path)], config.root).strip()
    return policy, shas


def pre_receive(bare: Path, updates: list[tuple[str, str, str]], out: list[str]) -> bool:
    """Judge a push; ``out`` receives the messages for the pusher. ``True`` when it may land."""
    from toolkit.forge.plain import gate as plaingit
    from toolkit.gate.render import as_text

    config = load_config(bare)
    accepted = True
    for old, new, ref in updates:
        if ref not in config.protected:
            continue
        if new == ZERO:
            out.append(_("{ref}: a protected branch cannot be deleted").format(ref=ref))
            accepted = False
            continue
        if old != ZERO and not is_ancestor(bare, old, new):
            out.append(
                _(
                    "{ref}: rejected: the push rewrites history (force push); the SOP record of a "
                    "protected branch cannot be changed"
                ).format(ref=ref)
            )
            accepted = False
            continue
        fallback, configured = server_policy(config)
        report = plaingit.check_change(bare, None if old == ZERO else old, new, fallback, configured)
        out.append(f"{ref}:\n{as_text(report) if not report.passed else _passed(report)}")
        accepted &= report.passed
    return accepted


def _passed(report: Report) -> str:
    """A short answer for an accepted push: the verdict and how far the SOP has come."""
    from toolkit.gate.model import Status
    from toolkit.gate.render import headline

    done = [str(s.no) for s in report.steps if s.status is Status.COMPLETE]
    return headline(report) + "\n" + _("complete steps: {steps}").format(steps=", ".join(done) or "-") + "\n"


def post_receive(bare: Path, updates: list[tuple[str, str, str]]) -> None:
    """Record the accepted push: the protected branches' moves, and when its sign-offs arrived."""
    from toolkit.forge.plain import pushlog

    pushlog.record(bare, updates, load_config(bare).protected, int(time.time()))


def read_updates(text: str) -> list[tuple[str, str, str]]:
    updates = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3:
            updates.append((parts[0], parts[1], parts[2]))
    return updates


def run_hook(name: str, stdin: str) -> int:
    """Entry point of the installed hooks (the current directory is the bare repository)."""
    from toolkit.errors import ProblemsError
    from toolkit.i18n import set_language

    bare = Path(git(["rev-parse", "--absolute-git-dir"], Path.cwd()).strip())
    updates = read_updates(stdin)
    try:
        set_language(load_config(bare).lang)
        if name == "post-receive":
            post_receive(bare, updates)
            return 0
        out: list[str] = []
        accepted = pre_receive(bare, updates, out)
        for message in out:
            sys.stderr.write(message if message.endswith("\n") else message + "\n")
        return 0 if accepted else 1
    except ProblemsError as error:
        sys.stderr.write(error.message + "\n" + _("the gate cannot decide, so the push is rejected") + "\n")
        return 1
    except UserError as error:
        sys.stderr.write(error.message + "\n")
        return 1
    except Exception as error:  # fail closed: a bug in the gate must not let a push through
        sys.stderr.write(
            _("the gate failed ({error}); the push is rejected").format(error=repr(error)) + "\n"
        )
        return 1
