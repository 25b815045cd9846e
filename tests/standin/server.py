"""The HTTP side: a threading server on 127.0.0.1 that routes REST calls under ``/api/v3`` through the
route table, GraphQL at ``/api/graphql``, and the git hooks' calls under ``/_standin/``; it injects the
faults a test asks for, logs every request and has every REST answer checked against GitHub's
description."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.standin.factories import Factories, error
from tests.standin.rest import ROUTES, Request, Response, Route, match_route
from tests.standin.state import Token
from tests.standin.world import World

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
FAULT_KINDS = ("500", "502", "503", "rate_limit", "secondary_rate_limit", "drop", "write_then_502")

# (operation "METHOD /template", status, body) -> problems; set by the contract checker
Validator = Callable[[str, int, Any], list[str]]


@dataclass
class Call:
    method: str
    path: str  # without /api/v3 and the query
    query: dict[str, list[str]]
    status: int
    write: bool
    user: str | None
    app_id: int | None
    operation: str | None  # "METHOD /template" of the route served, or "graphql"


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    kind: str
    remaining: int
    hits: int = 0
    body: re.Pattern[bytes] | None = None  # only requests whose body it finds


@dataclass
class Traffic:
    """The request log, the faults still to inject and the contract problems found."""

    calls: list[Call] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take_fault(self, method: str, path: str, raw: bytes = b"") -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if (
                    fault.remaining
                    and fault.method in (method, "*")
                    and fault.pattern.search(path)
                    and (fault.body is None or fault.body.search(raw))
                ):
                    fault.remaining -= 1
                    fault.hits += 1
                    return fault
        return None


class Handler(BaseHTTPRequestHandler):
    server: StandInHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return  # tests read the request log, not stderr

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if parsed.path.startswith("/_standin/"):
            self._send(200, self.server.internal(parsed.path, raw))
            return
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        path = urllib.parse.unquote(parsed.path)
        token = self._token()
        api_path = path.removeprefix("/api/v3") if path.startswith("/api/v3/") or path == "/api/v3" else path
        traffic = self.server.traffic
        fault = traffic.take_fault(method, api_path, raw)
        if fault is not None and fault.kind != "write_then_502":
            self._log(method, api_path, query, self._fault_status(fault), token, None)
            self._inject(fault)
            return
        status, body, headers, operation = self.server.dispatch(method, path, api_path, query, raw, token)
        if fault is not None:  # the write happened; the answer is lost
            status, body, headers = 502, error("Server Error"), {}
        self._log(method, api_path, query, status, token, operation)
        self._send(status, body, headers)

    def _token(self) -> Token | None:
        header = self.headers.get("Authorization") or ""
        scheme, _, value = header.partition(" ")
        if scheme.lower() not in ("token", "bearer"):
            return None
        return self.server.world.tokens.get(value.strip())

    def _log(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        status: int,
        token: Token | None,
        operation: str | None,
    ) -> None:
        call = Call(
            method,
            path,
            query,
            status,
            # a GraphQL query is POSTed but reads; a mutation writes
            write=operation == "graphql mutation" or (method in WRITE_METHODS and operation != "graphql"),
            user=token.user.login if token else None,
            app_id=token.app.id if token and token.app else None,
            operation=operation,
        )
        with self.server.traffic.lock:
            self.server.traffic.calls.append(call)

    @staticmethod
    def _fault_status(fault: Fault) -> int:
        special = {"rate_limit": 403, "secondary_rate_limit": 403, "drop": 0}
        return special[fault.kind] if fault.kind in special else int(fault.kind)

    def _inject(self, fault: Fault) -> None:
        if fault.kind == "drop":
            self.close_connection = True
            self.connection.close()
            return
        if fault.kind == "rate_limit":
            reset = str(int(time.time()) + 1)
            self._send(
                403,
                error("API rate limit exceeded for user ID 1."),
                {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
            )
            return
        if fault.kind == "secondary_rate_limit":
            message = (
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
            )
            self._send(403, error(message), {"Retry-After": "1"})
            return
        self._send(int(fault.kind), error("Server Error"))

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        defaults = {
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": "4999",
            "X-RateLimit-Reset": str(int(time.time()) + 3600),
        }
        for key, value in (defaults | (headers or {})).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


class StandInHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, world: World) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.world = world
        self.factories = Factories(world)
        self.traffic = Traffic()
        self.validator: Validator | None = None
        self.graphql: Callable[[Token | None, Any], tuple[int, Any, bool]] | None = None

    def dispatch(
        self,
        method: str,
        path: str,
        api_path: str,
        query: dict[str, list[str]],
        raw: bytes,
        token: Token | None,
    ) -> tuple[int, Any, dict[str, str], str | None]:
        try:
            payload = json.loads(raw) if raw.strip() else None
        except ValueError:
            return 400, error("Problems parsing JSON"), {}, None
        if path == "/api/graphql" and method == "POST":
            if self.graphql is None:
                return 404, error("Not Found"), {}, None
            try:
                with self.world.lock:
                    status, body, mutation = self.graphql(token, payload)
            except Exception as exc:
                import traceback

                self.traffic.problems.append(f"graphql: stand-in crashed:\n{traceback.format_exc()}")
                return 500, error(f"stand-in error: {exc}"), {}, "graphql"
            return status, body, {}, "graphql mutation" if mutation else "graphql"
        found = match_route(method, api_path) if path.startswith("/api/v3/") else None
        if found is None:
            return 404, error("Not Found"), {}, None
        route, params = found
        request = Request(self.world, self.factories, method, api_path, params, query, payload, token)
        try:
            with self.world.lock:
                response = route.handler(request)
        except Exception as exc:  # a bug in the stand-in: answer 500 and fail the test
            import traceback

            self.traffic.problems.append(f"{route.key}: stand-in crashed:\n{traceback.format_exc()}")
            return 500, error(f"stand-in error: {exc}"), {}, route.key
        self._check(route, response)
        return response.status, response.body, response.headers, route.key

    def _check(self, route: Route, response: Response) -> None:
        if self.validator is None:
            return
        for problem in self.validator(route.key, response.status, response.body):
            self.traffic.problems.append(f"{route.key} -> {response.status}: {problem}")

    def internal(self, path: str, raw: bytes) -> Any:
        """The git hooks' questions: may this push land (pre-receive), and it landed (post-receive)."""
        from tests.standin import hooks, rules

        payload = json.loads(raw)
        with self.world.lock:
            repo = self.world.repo(payload["repo"])
            login = hooks.pusher_of(payload["options"])
            pusher = self.world.users.get(login) if login else None
            if login and pusher is None:
                return {"refused": f"unknown user {login}"}
            if path.endswith("pre-receive"):
                if pusher is not None and not self.world.can(repo, pusher, "write"):
                    return {"refused": f"Permission to {repo.full_name}.git denied to {login}."}
                repo.git.extra_env = dict(payload.get("env") or {})
                try:
                    for old, new, ref in payload["updates"]:
                        reason = rules.refuse_push(self.world, repo, ref, old, new, pusher)
                        if reason:
                            return {"refused": reason}
                finally:
                    repo.git.extra_env = {}
                return {}
            for _old, new, ref in payload["updates"]:
                if ref.startswith("refs/heads/") and new != rules.ZERO:
                    self.world.on_branch_moved(repo, ref.removeprefix("refs/heads/"), new, login)
            return {}


def routes_served() -> list[str]:
    return [route.key for route in ROUTES]
