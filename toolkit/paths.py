"""Where the data shipped with sop-toolkit lives: the application template and, inside it, the default
policy (``.sop/sop.yaml``) and its JSON Schema.

A wheel carries them under ``toolkit/_data``; a source checkout (and an editable install) reads them
from the repository, where the root ``sop.yaml`` and ``sop.schema.json`` point into the template.
"""

from __future__ import annotations

import os
from pathlib import Path

# Where an application repository keeps the rules the gate applies to it.
POLICY_FILE = ".sop/sop.yaml"
ROSTER_FILE = ".sop/roster.yaml"
ANSWERS_FILE = ".copier-answers.yml"  # the scaffold answers: the application's id (app_slug)


def data_root() -> Path:
    packaged = Path(__file__).parent / "_data"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent


def template_dir() -> Path:
    """The application template; ``SOPKIT_TEMPLATE_DIR`` points at an office's own variant of it."""
    configured = os.environ.get("SOPKIT_TEMPLATE_DIR")
    return Path(configured).expanduser() if configured else data_root() / "project_template"


def intake_template_dir() -> Path:
    """The intake repository's template (requests as GitHub issues)."""
    return data_root() / "intake_template"


def _shipped_policy_dir() -> Path:
    return data_root() / "project_template" / "template" / ".sop"


def default_policy() -> Path:
    return _shipped_policy_dir() / "sop.yaml"


def schema_path() -> Path:
    return _shipped_policy_dir() / "sop.schema.json"
