"""A local GitHub for tests: a stateful HTTP server driven by the real PyGithub over real HTTP, with real
git repositories behind it, every answer checked against GitHub's OpenAPI description. See README.md."""

from tests.standin.core import StandIn
from tests.standin.state import ACTIONS_APP_ID

__all__ = ["ACTIONS_APP_ID", "StandIn"]
