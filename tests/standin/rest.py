"""The route table: one ``@route(METHOD, "/openapi/path/{template}")`` handler per REST operation. The
template is GitHub's own path from its OpenAPI description, so the contract checker finds the schema of
every answer by the route's key, and ``scripts/trim_openapi.py`` keeps exactly these operations."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from tests.standin.factories import Factories, error
from tests.standin.state import PERMISSIONS, Repo, Token, User

if TYPE_CHECKING:
    from tests.standin.world import World

T = TypeVar("T")
# Parameters that may hold a "/" (a ref, a file path, a branch); the others stop at the next "/".
_GREEDY = {"ref", "path", "branch"}
_PARAM = re.compile(r"\{(\w+)\}")


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class Answer(Exception):
    """Raised by a handler to answer at once (an error, usually)."""

    def __init__(self, status: int, message: str, *, errors: list[Any] | None = None) -> None:
        super().__init__(message)
        self.response = Response(status, error(message, status=status, errors=errors))


@dataclass
class Request:
    world: World
    f: Factories
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, list[str]]
    body: Any
    token: Token | None

    @property
    def user(self) -> User:
        if self.token is None:
            raise Answer(401, "Requires authentication")
        return self.token.user

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def field(self, name: str, default: Any = None) -> Any:
        return (self.body or {}).get(name, default) if isinstance(self.body, dict) else default

    def need(self, name: str) -> Any:
        value = self.field(name)
        if value is None:
            raise Answer(422, f'Invalid request.\n\n"{name}" wasn\'t supplied.')
        return value

    def repo(self, level: str = "read") -> Repo:
        """The repository of the path, if the caller may act on it at ``level`` (else 404 or 403, as
        GitHub answers: a private repository one cannot read does not exist)."""
        name = f"{self.params['owner']}/{self.params['repo']}"
        repo = self.world.repos.get(name.lower())
        if repo is None:
            raise Answer(404, "Not Found")
        if self.token is None:
            if repo.private:
                raise Answer(404, "Not Found")
            if level != "read":
                raise Answer(401, "Requires authentication")
            return repo
        held = self.world.permission(repo, self.token.user)
        if held == "none":
            raise Answer(404, "Not Found")
        if PERMISSIONS.index(held) < PERMISSIONS.index(level):
            if self.token.app is not None:
                raise Answer(403, "Resource not accessible by integration")
            raise Answer(
                403,
                "Must have admin rights to Repository."
                if level == "admin"
                else "Resource not accessible by personal access token",
            )
        return repo

    def page(self, items: list[Any], *, default: int = 30) -> Response:
        """One page of ``items`` with GitHub's ``Link`` header (``per_page`` at most 100)."""
        try:
            per_page = min(max(int(self.arg("per_page") or default), 1), 100)
            number = max(int(self.arg("page") or 1), 1)
        except ValueError as exc:
            raise Answer(422, "Invalid page or per_page") from exc
        last = max((len(items) + per_page - 1) // per_page, 1)
        chunk = items[(number - 1) * per_page : number * per_page]
        links = []
        for rel, target in (("prev", number - 1), ("next", number + 1), ("last", last), ("first", 1)):
            if (rel in ("prev", "first") and number > 1) or (rel in ("next", "last") and number < last):
                links.append(f'<{self._page_url(target, per_page)}>; rel="{rel}"')
        return Response(200, chunk, {"Link": ", ".join(links)} if links else {})

    def _page_url(self, number: int, per_page: int) -> str:
        query = {k: v for k, v in self.query.items() if k not in ("page", "per_page")}
        query["per_page"] = [str(per_page)]
        query["page"] = [str(number)]
        return (
            f"{self.world.api_url}{urllib.parse.quote(self.path)}?{urllib.parse.urlencode(query, doseq=True)}"
        )


Handler = Callable[[Request], Response]


def by_id(items: Iterable[T], number: str) -> T:
    """The item whose ``id`` is the path parameter ``number``; 404 when there is none."""
    found = next((item for item in items if str(getattr(item, "id", None)) == number), None)
    if found is None:
        raise Answer(404, "Not Found")
    return found


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    regex: re.Pattern[str]
    handler: Handler

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def literal_length(self) -> int:
        return len(_PARAM.sub("", self.template))


ROUTES: list[Route] = []


def route(method: str, template: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        def param(m: re.Match[str]) -> str:
            name = m.group(1)
            if name == "path":  # the repository's root is the empty path
                return "(?P<path>.*)"
            return f"(?P<{name}>.+)" if name in _GREEDY else f"(?P<{name}>[^/]+)"

        pattern = _PARAM.sub(param, re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
        ROUTES.append(Route(method, template, re.compile(f"^{pattern}$"), _answering(handler)))
        return handler

    return register


def _answering(handler: Handler) -> Handler:
    def run(request: Request) -> Response:
        try:
            return handler(request)
        except Answer as answer:
            return answer.response

    return run


def match_route(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The most specific route for ``path`` (the one with the most literal characters)."""
    import tests.standin.api  # noqa: F401 - fills ROUTES

    best: tuple[Route, dict[str, str]] | None = None
    for candidate in ROUTES:
        if candidate.method != method:
            continue
        m = candidate.regex.match(path)
        if m and (best is None or candidate.literal_length > best[0].literal_length):
            best = (candidate, m.groupdict())
    return best
