"""Names sop-toolkit gives things on GitHub, shared by the gate, provisioning, tracking and audit."""

from __future__ import annotations

CHECK_NAME = "sop-gate"  # the check run the gate publishes; branch protection requires it
ACTIONS_APP_ID = 15368  # the GitHub Actions app: the required check must come from it
TRACKING_LABEL = "sop-pelacakan"  # the one issue per repository that tracks its steps
TRACKING_COLOR = "5319e7"
DASHBOARD_LABEL = "sop-dasbor"  # the one pinned issue of the intake repository: the organisation's status
STEP_COLOR = "0e8a16"


def step_label(no: int) -> str:
    """The label of step ``no`` (``langkah-07``): the tracking issue carries the current step's."""
    return f"langkah-{no:02d}"
