"""``sopkit request init --github``: the intake repository, where requests are GitHub issues.

It is rendered from ``intake_template/`` (the request form, the workflows that call sop-toolkit's
reusable ``sop-intake`` and ``sop-dashboard`` at one commit, a README) with the office's policy and
roster in ``.sop/``, checked before anything is written, and committed once.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from toolkit.errors import UserError
from toolkit.i18n import _
from toolkit.intake.registry import check_new
from toolkit.paths import POLICY_FILE, ROSTER_FILE, intake_template_dir
from toolkit.repo.git import commit_all, git


def create_intake(dest: Path, policy: Path, roster: Path, answers: Mapping[str, str]) -> str:
    """Render the intake repository into ``dest`` (new or empty); the commit it made."""
    from copier import run_copy
    from copier.errors import CopierError

    check_new(dest, policy, roster)
    existed = dest.exists()
    try:
        run_copy(
            str(intake_template_dir()), dest, data=dict(answers), defaults=True, quiet=True, unsafe=False
        )
    except (ValueError, CopierError) as error:
        if not existed:
            shutil.rmtree(dest, ignore_errors=True)
        raise UserError(_("the template refused the answers: {reason}").format(reason=error)) from error
    (dest / POLICY_FILE).parent.mkdir(exist_ok=True)
    shutil.copyfile(policy, dest / POLICY_FILE)
    shutil.copyfile(roster, dest / ROSTER_FILE)
    git(["init", "-q", "-b", answers.get("default_branch", "main")], dest)
    commit_all(dest, "Repositori intake permintaan aplikasi / intake repository")
    return git(["rev-parse", "HEAD"], dest).strip()
