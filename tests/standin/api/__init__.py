"""The REST operations the stand-in serves, one module per area; importing this package fills the route
table (``tests.standin.rest.ROUTES``)."""

from tests.standin.api import accounts, checks, gitdata, issues, pulls, repos

__all__ = ["accounts", "checks", "gitdata", "issues", "pulls", "repos"]
