"""The REST operations the stand-in serves, one module per area; importing this package fills the route
table (``tests.standin.rest.ROUTES``)."""

from tests.standin.api import accounts, checks, environments, gitdata, issues, pulls, repos, rulesets

__all__ = [
    "accounts",
    "checks",
    "environments",
    "gitdata",
    "issues",
    "pulls",
    "repos",
    "rulesets",
]
