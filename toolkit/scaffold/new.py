"""``sopkit new``: a new application repository from the template, with git and a first commit."""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from toolkit.errors import UserError
from toolkit.i18n import _
from toolkit.repo.git import commit_all, git, has_identity
from toolkit.scaffold.store import Store, ensure_store


@dataclass(frozen=True)
class NewRepo:
    path: Path
    template_version: str
    commit: str
    answers: dict[str, Any]
    fallback_identity: bool


def parse_data(pairs: tuple[str, ...]) -> dict[str, str]:
    """``KEY=VALUE`` pairs from the command line."""
    data: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(
                _("--data '{pair}': write it as KEY=VALUE, e.g. --data opd=\"Dinas Pariwisata\"").format(
                    pair=pair
                )
            )
        data[key.strip()] = value
    return data


def check_destination(dest: Path) -> None:
    if dest.is_symlink() or (dest.exists() and not dest.is_dir()):
        raise UserError(_("{dest} exists and is not a folder; choose a new folder").format(dest=dest))
    if dest.is_dir() and any(dest.iterdir()):
        raise UserError(
            _(
                "{dest} is not empty; sopkit new only creates a repository in a new or empty "
                "folder, so nothing of yours is overwritten"
            ).format(dest=dest)
        )


def create(
    dest: Path,
    data: dict[str, str],
    *,
    defaults: bool,
    policy: Path | None = None,
    roster: Path | None = None,
    store: Store | None = None,
) -> NewRepo:
    """Render the template into ``dest``, put the policy (and the roster) in place, ``git init`` and
    commit."""
    from copier import run_copy
    from copier.errors import CopierError

    check_destination(dest)
    from toolkit import sop
    from toolkit.evidence import roster as roster_lib
    from toolkit.paths import default_policy

    # refuse a broken policy or roster before anything is written
    rules = sop.load(policy or default_policy(), display=str(policy or default_policy()))
    if roster is not None:
        roster_lib.load(roster, set(rules.roles))
    store = store or ensure_store()
    _check_questions(store.path, data)
    existed = dest.exists()
    answers = dict(data)
    if "app_name" in data and "app_slug" not in data:
        answers["app_slug"] = slugify(data["app_name"])
    try:
        worker = run_copy(
            str(store.path),
            dest,
            data=answers,
            defaults=defaults,
            vcs_ref="HEAD",
            quiet=True,
            unsafe=False,
            overwrite=False,
        )
    except (ValueError, CopierError) as exc:
        _remove_partial(dest, existed)
        required = re.match(r'Question "(\w+)" is required', str(exc))
        if required:
            raise UserError(
                _("the question '{name}' has no default: answer it with --data {name}=...").format(
                    name=required.group(1)
                )
            ) from exc
        raise UserError(_("the template refused the answers: {reason}").format(reason=exc)) from exc
    except BaseException:
        _remove_partial(dest, existed)
        raise
    if policy is not None:
        shutil.copyfile(policy, dest / ".sop" / "sop.yaml")
    if roster is not None:
        shutil.copyfile(roster, dest / ".sop" / "roster.yaml")
    branch = str(worker.answers.combined.get("default_branch", "main"))
    git(["init", "-q", "-b", branch], dest)
    fallback = not has_identity(dest)
    commit_all(
        dest, f"Scaffold {worker.answers.combined.get('app_name')} from sop-toolkit template {store.head}"
    )
    commit = git(["rev-parse", "HEAD"], dest).strip()
    return NewRepo(dest, store.head, commit, dict(worker.answers.user), fallback)


def slugify(name: str) -> str:
    """``"Sistem Informasi Kepegawaian"`` -> ``"sistem-informasi-kepegawaian"`` (accents folded)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:60].rstrip("-")


def _check_questions(template: Path, data: dict[str, str]) -> None:
    config = yaml.safe_load((template / "copier.yml").read_text(encoding="utf-8")) or {}
    questions = sorted(k for k in config if not k.startswith("_"))
    for key in data:
        if key not in questions:
            raise UserError(
                _("--data {key}: the template has no such question; questions: {known}").format(
                    key=key, known=", ".join(questions)
                )
            )


def _remove_partial(dest: Path, existed: bool) -> None:
    if not dest.exists():
        return
    if existed:  # an empty folder the user gave us: empty it again, keep the folder
        for child in dest.iterdir():
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    else:
        shutil.rmtree(dest)
