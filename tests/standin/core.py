"""``StandIn``: the local GitHub a test talks to through the real PyGithub, over real HTTP."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.standin.server import FAULT_KINDS, Call, Fault, StandInHTTPServer, Validator
from tests.standin.state import Org, Repo
from tests.standin.world import World


class StandIn:
    """A stateful GitHub on 127.0.0.1: REST under ``api_url``, GraphQL at ``graphql_url``, repositories
    as bare git repositories under ``root``. Use as a context manager (or the ``standin`` fixture)."""

    def __init__(self, root: Path, *, validate: Validator | None = None, graphql: bool = True) -> None:
        self.world = World(root)
        self.server = StandInHTTPServer(self.world)
        host, port = self.server.server_address[:2]
        self.world.host = f"{host}:{port}"
        self.world.web_url = f"http://{host}:{port}"
        self.world.api_url = f"{self.world.web_url}/api/v3"
        self.server.validator = validate
        if graphql:
            from tests.standin.graphql_api import GraphQL

            self.server.graphql = GraphQL(self.world, self.server.traffic.problems)
        self._thread = threading.Thread(target=self.server.serve_forever, name="standin", daemon=True)

    # ---- life
    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    @property
    def api_url(self) -> str:
        return self.world.api_url

    @property
    def graphql_url(self) -> str:
        return f"{self.world.web_url}/api/graphql"

    # ---- accounts and repositories
    def add_user(
        self, login: str, *, name: str | None = None, email: str | None = None, account_id: int | None = None
    ) -> str:
        """A user (``account_id``: its number, when the test needs to know it in advance); returns a
        personal access token acting as them."""
        return self.world.add_user(login, name=name, email=email, account_id=account_id)

    def add_org(self, login: str, *, plan: str = "team", owners: list[str] | tuple[str, ...] = ()) -> Org:
        """An organization on ``plan`` (free, team or enterprise) owned by ``owners`` (user logins)."""
        return self.world.add_org(login, plan=plan, owners=owners)

    def add_member(self, org: str, login: str) -> None:
        self.world.orgs[org].members.add(login)

    def actions_token(self, full_name: str) -> str:
        """The ``GITHUB_TOKEN`` of a workflow in ``owner/repo``: acts as the GitHub Actions app (15368)."""
        return self.world.actions_token(full_name)

    def app_token(self, full_name: str, app_id: int, slug: str) -> str:
        """A token of another GitHub App installed on ``owner/repo`` (one a programmer could make)."""
        return self.world.app_token(full_name, app_id, slug)

    def create_repo(self, full_name: str, *, private: bool = True, default_branch: str = "main") -> Repo:
        owner, name = full_name.split("/", 1)
        with self.world.lock:
            return self.world.create_repo(owner, name, private=private, default_branch=default_branch)

    def grant(self, full_name: str, login: str, permission: str) -> None:
        """Make ``login`` a collaborator with ``permission`` (read, triage, write, maintain, admin)."""
        self.world.repo(full_name).collaborators[login] = permission

    def repo(self, full_name: str) -> Repo:
        return self.world.repo(full_name)

    def git_path(self, owner: str, repo: str) -> Path:
        """The bare repository to ``git clone`` and ``git push`` to (``-o user=LOGIN`` names the pusher)."""
        return self.world.git_path(owner, repo)

    # ---- faults
    def fail(
        self, method: str, path_regex: str, kind: str, times: int = 1, body_regex: str | None = None
    ) -> Fault:
        """The next ``times`` requests matching ``method`` (or ``*``) and ``path_regex`` (searched in the
        path after ``/api/v3``), and ``body_regex`` when given (searched in the request's body), fail
        with ``kind``: 500, 502, 503, rate_limit (primary: 403 with ``X-RateLimit-Remaining: 0``),
        secondary_rate_limit (403 with ``Retry-After: 1``), drop (the connection closed without an
        answer) or write_then_502 (the request is carried out, the answer is a 502)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {FAULT_KINDS}")
        body = re.compile(body_regex.encode()) if body_regex is not None else None
        fault = Fault(method.upper(), re.compile(path_regex), kind, times, body=body)
        with self.server.traffic.lock:
            self.server.traffic.faults.append(fault)
        return fault

    # ---- log
    def calls(self, method: str | None = None, path_regex: str | None = None) -> list[Call]:
        with self.server.traffic.lock:
            found = list(self.server.traffic.calls)
        return [
            c
            for c in found
            if (method is None or c.method == method.upper())
            and (path_regex is None or re.search(path_regex, c.path))
        ]

    def writes(self) -> list[Call]:
        return [c for c in self.calls() if c.write]

    def reset_log(self) -> None:
        with self.server.traffic.lock:
            self.server.traffic.calls.clear()

    @property
    def problems(self) -> list[str]:
        """Contract violations and stand-in crashes seen so far (the fixture fails a test on any)."""
        return list(self.server.traffic.problems)

    def snapshot(self) -> dict[str, Any]:
        return self.world.snapshot()

    def event_payload(self, name: str, action: str | None = None, **state: Any) -> dict[str, Any]:
        from tests.standin.events import event_payload

        return event_payload(self, name, action, **state)
