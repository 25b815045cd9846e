"""``sopkit audit``: is the protected branch really the product of changes that passed the gate?

On the server's bare repository the hook's push log says which pushes were accepted: every commit of the
branch must have arrived in one of them, each logged push must still pass the gate when re-verified, and
the log must chain from the branch's first push to its tip; a commit that got there any other way
(written into the repository directly, or while the hook was off) is a *bypass*. On a clone, which has
no log, the history is cut into the shortest runs of first-parent commits that each pass the gate;
whatever cannot be cut that way is reported.

The evidence pack is a zip for auditors: the step table, the findings, the policy and roster, every
sign-off commit with its verification, and a manifest with the SHA-256 of each file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from toolkit.cache import Cache
from toolkit.evidence.roster import allowed_signers
from toolkit.forge import pack
from toolkit.forge.plain.gate import check_change, view_of
from toolkit.forge.plain.pushlog import ARRIVALS, CONFIG_DIR, PUSH_LOG, Push, pushes
from toolkit.gate import decide
from toolkit.gate.messages import text, violation_text
from toolkit.gate.model import Report, Rules
from toolkit.gate.render import as_dict, as_markdown
from toolkit.i18n import _
from toolkit.repo.gather import policy_at
from toolkit.repo.git import git
from toolkit.repo.gitread import ZERO, is_ancestor, read_objects, read_snapshot, resolve


@dataclass(frozen=True)
class Finding:
    commit: str
    kind: str  # bypass, blocked, gap
    message: str


@dataclass(frozen=True)
class AuditResult:
    branch: str
    tip: str
    findings: tuple[Finding, ...]
    state: Report
    checked: int  # how many changes were re-verified


def _server_fallback(repo: Path) -> tuple[Rules | None, dict[str, str] | None]:
    if not (repo / "sopkit" / "config.json").is_file():
        return None, None
    from toolkit.forge.plain.server import load_config, server_policy

    return server_policy(load_config(repo))


def audit(repo: Path, branch: str = "main", fallback: Rules | None = None) -> AuditResult:
    ref = branch if branch.startswith("refs/") else f"refs/heads/{branch}"
    tip = resolve(repo, ref)
    server_rules, configured = _server_fallback(repo)
    fallback = fallback or server_rules
    entries = pushes(repo, ref)
    if entries is not None:
        findings, checked = _audit_log(repo, tip, entries, fallback, configured)
    else:
        findings, checked = _audit_history(repo, tip, fallback)
    state = decide.state(*view_of(repo, tip, fallback, Cache.default(), None))
    return AuditResult(ref, tip, tuple(findings), state, checked)


def _commits(repo: Path, base: str, head: str) -> list[str]:
    spec = head if base == ZERO else f"{base}..{head}"
    return git(["rev-list", "--reverse", spec], repo).split()


def _audit_log(
    repo: Path,
    tip: str,
    entries: list[Push],
    fallback: Rules | None,
    configured: dict[str, str] | None,
) -> tuple[list[Finding], int]:
    findings: list[Finding] = []
    expected = ZERO
    for old, new, _ref, when in entries:
        if old != expected:
            findings.append(
                Finding(
                    old,
                    "gap",
                    _("the branch moved from {a} to {b} without a push through the hook").format(
                        a=expected[:12], b=old[:12]
                    ),
                )
            )
            findings += [
                Finding(
                    c, "bypass", _("commit {commit} reached the branch around the hook").format(commit=c[:12])
                )
                for c in _commits(repo, expected, old)
            ]
        report = check_change(repo, None if old == ZERO else old, new, fallback, configured, now=when)
        if not report.passed:
            findings.append(
                Finding(
                    new,
                    "blocked",
                    _("the push {a}..{b} does not pass the gate: {why}").format(
                        a=old[:12], b=new[:12], why="; ".join(violation_text(v) for v in report.violations)
                    ),
                )
            )
        expected = new
    if expected != tip and is_ancestor(repo, tip, expected):
        findings.append(
            Finding(
                tip,
                "gap",
                _("the branch was moved back from {a} to {b} around the hook").format(
                    a=expected[:12], b=tip[:12]
                ),
            )
        )
    elif expected != tip:
        findings += [
            Finding(
                c, "bypass", _("commit {commit} reached the branch around the hook").format(commit=c[:12])
            )
            for c in _commits(repo, expected, tip)
        ]
    return findings, len(entries)


def _audit_history(repo: Path, tip: str, fallback: Rules | None) -> tuple[list[Finding], int]:
    commits = git(["rev-list", "--first-parent", "--reverse", tip], repo).split()
    # A clone does not know what the server was set up with: its first commit's own rules stand in.
    first = read_snapshot(repo, commits[0])
    fallback = fallback or policy_at(repo, first)
    configured = {p: e.sha for p, e in first.entries.items() if p in (".sop/sop.yaml", ".sop/roster.yaml")}
    findings: list[Finding] = []
    base: str | None = None
    checked = 0
    for index, commit in enumerate(commits):
        checked += 1
        if check_change(repo, base, commit, fallback, configured).passed:
            base = commit
        elif index == len(commits) - 1:
            start = commits.index(base) + 1 if base else 0
            findings += [
                Finding(
                    c,
                    "blocked",
                    _("commit {commit} is not covered by any change that passes the gate").format(
                        commit=c[:12]
                    ),
                )
                for c in commits[start:]
            ]
    return findings, checked


def write_pack(repo: Path, result: AuditResult, out: Path, fallback: Rules | None = None) -> None:
    """The evidence pack: deterministic zip (fixed timestamps, sorted names) with a hash manifest."""
    policy, view = view_of(repo, result.tip, fallback or _server_fallback(repo)[0], Cache.default(), None)
    files: dict[str, bytes] = {
        "state.json": json.dumps(as_dict(result.state), ensure_ascii=False, indent=2).encode() + b"\n",
        "state.md": as_markdown(result.state).encode(),
        "findings.json": json.dumps(
            [f.__dict__ for f in result.findings], ensure_ascii=False, indent=2
        ).encode()
        + b"\n",
        "allowed_signers": allowed_signers(policy.roster, policy.sop.settings.timezone).encode(),
    }
    policy_entry = read_snapshot(repo, result.tip).entries.get(".sop/sop.yaml")
    if policy_entry is not None:
        files["policy/sop.yaml"] = read_objects(repo, [policy_entry.sha])[policy_entry.sha]
    raw = read_objects(repo, [s.anchor for s in view.signoffs])
    for signoff in view.signoffs:
        problems = [text(m) for m in decide.signoff_problems(policy, signoff, view.commits)]
        files[f"signoffs/{signoff.anchor}.commit"] = raw[signoff.anchor]
        files[f"signoffs/{signoff.anchor}.json"] = (
            json.dumps(
                {
                    "commit": signoff.anchor,
                    "app": signoff.app,
                    "time": signoff.time,
                    "time_from_push_log": signoff.trusted,
                    "step": signoff.step,
                    "role": signoff.role,
                    "digest": signoff.digest,
                    "signer": signoff.signer,
                    "valid": not problems,
                    "problems": problems,
                },
                ensure_ascii=False,
                indent=2,
            ).encode()
            + b"\n"
        )
    for name in (PUSH_LOG, ARRIVALS):
        log = repo / CONFIG_DIR / name
        if log.is_file():
            files[name] = log.read_bytes()
    pack.write_pack(out, files, branch=result.branch, tip=result.tip, findings=len(result.findings))
