"""GraphQL queries validated against GitHub's schema and answered from the stand-in's state; event payloads
from GitHub's examples filled with that state."""

from __future__ import annotations

from typing import Any

import requests

from tests.standin import ACTIONS_APP_ID
from tests.standin.conftest import Office
from tests.standin.test_pulls_and_merges import feature, pass_gate

HISTORY = """
query($owner: String!, $name: String!, $first: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    defaultBranchRef { name target { ... on Commit { oid
      history(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { oid committedDate message author { user { login } email name }
          parents(first: 2) { nodes { oid } }
          associatedPullRequests(first: 5) { nodes { number author { login } mergedAt mergeCommit { oid }
            headRefOid baseRefOid baseRefName mergedBy { login }
            reviews(first: 50, states: [APPROVED]) { pageInfo { hasNextPage endCursor }
              nodes { author { login } state commit { oid } submittedAt } }
            commits(first: 100) { nodes { commit { oid } } } } }
          checkSuites(first: 10) { nodes { app { databaseId } conclusion
            checkRuns(first: 10) { nodes { name conclusion } } } } } } } } }
  }
}"""


def ask(office: Office, query: str, login: str = "kasi", **variables: Any) -> dict[str, Any]:
    answer = requests.post(
        office.standin.graphql_url,
        json={"query": query, "variables": variables},
        headers={"Authorization": f"bearer {office.tokens[login]}"},
        timeout=30,
    )
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def test_history_with_pull_requests_reviews_and_check_suites(office: Office) -> None:
    shas = feature(office)
    office.repo("prog").create_pull(base="main", head="fitur", title="Fitur")
    pass_gate(office, shas[-1])
    office.repo("sec").get_pull(1).create_review(event="APPROVE")
    merged = office.repo("kasi").get_pull(1).merge(merge_method="merge")
    body = ask(office, HISTORY, owner="dinas", name="app", first=2)
    assert "errors" not in body, body
    target = body["data"]["repository"]["defaultBranchRef"]["target"]
    assert target["oid"] == merged.sha
    history = target["history"]
    assert history["pageInfo"]["hasNextPage"] is True
    tip = history["nodes"][0]
    assert [p["oid"] for p in tip["parents"]["nodes"]][1] == shas[-1]
    pull = tip["associatedPullRequests"]["nodes"][0]
    assert (
        pull["number"] == 1
        and pull["mergeCommit"]["oid"] == merged.sha
        and pull["mergedBy"]["login"] == "kasi"
    )
    assert [r["author"]["login"] for r in pull["reviews"]["nodes"]] == ["sec"]
    assert pull["reviews"]["nodes"][0]["commit"]["oid"] == shas[-1] == pull["headRefOid"]
    assert [c["commit"]["oid"] for c in pull["commits"]["nodes"]] == shas
    rest = ask(office, HISTORY, owner="dinas", name="app", first=2, after=history["pageInfo"]["endCursor"])
    second = rest["data"]["repository"]["defaultBranchRef"]["target"]["history"]
    nodes = history["nodes"] + second["nodes"]
    assert second["pageInfo"]["hasNextPage"] is False
    assert {n["oid"] for n in nodes} == {merged.sha, *shas, office.git("rev-parse", "main").strip()}
    feature_commit = next(n for n in nodes if n["oid"] == shas[-1])  # commits of one second: any order
    suite = feature_commit["checkSuites"]["nodes"][0]
    assert suite["app"]["databaseId"] == ACTIONS_APP_ID and suite["conclusion"] == "SUCCESS"
    assert suite["checkRuns"]["nodes"] == [{"name": "sop-gate", "conclusion": "SUCCESS"}]
    assert feature_commit["author"] == {
        "user": {"login": "prog"},
        "email": "prog@example.go.id",
        "name": "Programmer Web",
    }


def test_pull_request_issues_organization_and_pin(office: Office) -> None:
    feature(office)
    office.repo("prog").create_pull(base="main", head="fitur", title="Fitur")
    issue = office.repo("kasi").create_issue("Pelacakan", labels=["sop"])
    query = """
    query { repository(owner: "dinas", name: "app") {
        pullRequest(number: 1) { number author { login } headRefOid baseRefName mergedAt }
        issues(first: 10, labels: ["sop"], states: [OPEN]) { nodes { id number title } } }
      organization(login: "dinas") {
        repositories(first: 10) { pageInfo { hasNextPage } nodes { name } } } }"""
    body = ask(office, query)
    assert "errors" not in body, body
    data = body["data"]
    assert data["repository"]["pullRequest"]["author"]["login"] == "prog"
    assert data["repository"]["pullRequest"]["mergedAt"] is None
    nodes = data["repository"]["issues"]["nodes"]
    assert [n["number"] for n in nodes] == [issue.number]
    assert data["organization"]["repositories"]["nodes"] == [{"name": "app"}]
    pin = ask(
        office,
        "mutation($id: ID!) { pinIssue(input: {issueId: $id}) { issue { number isPinned } } }",
        id=nodes[0]["id"],
    )
    assert pin["data"]["pinIssue"]["issue"] == {"number": issue.number, "isPinned": True}
    assert office.standin.writes()[-1].operation == "graphql mutation"


def test_invalid_queries_are_refused_in_graphql_format(office: Office) -> None:
    body = ask(office, '{ repository(owner: "dinas", name: "app") { noSuchField } }')
    assert body["errors"][0]["message"] == "Cannot query field 'noSuchField' on type 'Repository'."
    assert "locations" in body["errors"][0] and "data" not in body
    hidden = ask(office, '{ repository(owner: "dinas", name: "app") { name } }', login="tamu")
    assert hidden["data"]["repository"]["name"] == "app"
    office.standin.add_user("luar")
    unknown = requests.post(office.standin.graphql_url, json={"query": "{ viewer { login } }"}, timeout=30)
    assert unknown.status_code == 401


def test_a_field_the_stand_in_does_not_model_is_named(office: Office) -> None:
    body = ask(office, '{ repository(owner: "dinas", name: "app") { stargazerCount } }')
    assert body["errors"][0]["message"] == "the stand-in does not model Repository.stargazerCount"
    problems = office.standin.server.traffic.problems
    assert problems == [
        "graphql: the stand-in does not model Repository.stargazerCount (path ['repository', "
        "'stargazerCount'])"
    ]
    problems.clear()  # expected here; any other test would fail on it


def test_event_payloads_carry_the_stand_ins_state(office: Office) -> None:
    shas = feature(office)
    office.repo("prog").create_pull(base="main", head="fitur", title="Fitur")
    review = office.repo("sec").get_pull(1).create_review(event="APPROVE")
    standin = office.standin
    opened = standin.event_payload("pull_request", "opened", repo="dinas/app", number=1, sender="prog")
    assert opened["pull_request"]["head"]["sha"] == shas[-1] and opened["number"] == 1
    assert opened["repository"]["url"].startswith(standin.api_url) and opened["sender"]["login"] == "prog"
    assert "installation" not in opened and opened["organization"]["login"] == "dinas"
    submitted = standin.event_payload(
        "pull_request_review", "submitted", repo="dinas/app", number=1, review_id=review.id, sender="sec"
    )
    assert submitted["review"]["state"] == "approved" and submitted["review"]["commit_id"] == shas[-1]
    queue = standin.event_payload("merge_group", "checks_requested", repo="dinas/app", head_sha=shas[-1])
    assert queue["merge_group"]["head_sha"] == shas[-1] and "number" not in queue
    push = standin.event_payload("push", repo="dinas/app", ref="refs/heads/fitur", sender="prog")
    assert [c["id"] for c in push["commits"]][-2:] == shas and push["after"] == shas[-1]
    issue = office.repo("kasi").create_issue("Pelacakan", labels=["sop"])
    issue.create_comment("mulai")
    labeled = standin.event_payload("issues", "labeled", repo="dinas/app", number=issue.number, label="sop")
    assert labeled["label"]["name"] == "sop" and labeled["issue"]["number"] == issue.number
    comment = standin.event_payload("issue_comment", "created", repo="dinas/app", number=issue.number)
    assert comment["comment"]["body"] == "mulai"


def test_a_query_over_githubs_node_limit_is_refused() -> None:
    """GitHub refuses a query that could ask for more than 500,000 nodes; the toolkit's queries stay under."""
    from graphql import parse

    from tests.standin.graphql_api import NODE_LIMIT, node_count
    from toolkit.forge.github import api

    too_many = parse(
        'query { repository(owner: "o", name: "r") { pullRequests(first: 50) { nodes { commits(last: 100) '
        "{ nodes { commit { checkSuites(first: 20) { nodes { checkRuns(first: 20) { nodes { name } } } } "
        "} } } } } } }"
    )
    assert node_count(too_many, {}) == (50 + 5_000 + 100_000 + 2_000_000, "checkRuns")
    landed = api._per_commit_query(100, "landed", api._LANDED_FIELDS)  # the most commits a query asks about
    accounts = api._per_commit_query(100, "accounts", api._ACCOUNT_FIELDS)
    for query in (api._PULL_QUERY, landed, accounts, api._LANDINGS_QUERY, api._SUITES_QUERY):
        total, passed = node_count(parse(query), {})
        assert total <= NODE_LIMIT and passed == ""
