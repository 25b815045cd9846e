"""Sign-offs as signed git commits: what they claim, and the digest of what they sign off.

A sign-off is an empty commit, signed with the signer's SSH key, whose message ends with trailers::

    Sop-App: simpeg
    Sop-Step: analisis-kebutuhan
    Sop-Role: kasi
    Sop-Digest: sha256:5f0c...

The digest covers exactly the files signed off: the step's artefacts (path, mode and content id of each),
plus, for a step that ``covers_code`` (the security test), every application-code file. Any later change
to those files changes the digest, so the sign-off no longer matches: it is *stale*. ``Sop-App`` names the
application (its slug from the scaffold answers), so a sign-off made in one repository proves nothing in
another.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import NamedTuple

from toolkit.evidence.artefacts import step_paths
from toolkit.evidence.classify import classes
from toolkit.evidence.model import Snapshot
from toolkit.sop.model import POLICY_STEP, Sop

APP, STEP, ROLE, DIGEST = "Sop-App", "Sop-Step", "Sop-Role", "Sop-Digest"
_TRAILER = re.compile(r"^(Sop-App|Sop-Step|Sop-Role|Sop-Digest):[ \t]*(\S+)[ \t\r]*$", re.M)


class Claim(NamedTuple):
    """What a sign-off message says it is."""

    step: str
    role: str
    digest: str
    app: str | None  # None: the message names no application (made before sign-offs named one)


class RawCommit(NamedTuple):
    tree: str
    parents: tuple[str, ...]
    signature: bytes | None  # the armoured SSH signature, when the commit is signed
    payload: bytes  # what the signature covers: the commit object without its signature header
    message: str


def parse_commit(raw: bytes) -> RawCommit:
    head, _sep, message = raw.partition(b"\n\n")
    kept: list[bytes] = []
    signature: list[bytes] = []
    in_sig = False
    tree, parents = "", []
    for line in head.split(b"\n"):
        if in_sig and line.startswith(b" "):
            signature.append(line[1:])
            continue
        in_sig = line.startswith(b"gpgsig ")
        if in_sig:
            signature.append(line[len(b"gpgsig ") :])
            continue
        kept.append(line)
        if line.startswith(b"tree "):  # bytes git itself would not write read as they are, never a crash
            tree = line[5:].decode("utf-8", "replace")
        elif line.startswith(b"parent "):
            parents.append(line[7:].decode("utf-8", "replace"))
    payload = b"\n".join(kept) + b"\n\n" + message
    sig = b"\n".join(signature) + b"\n" if signature else None
    return RawCommit(tree, tuple(parents), sig, payload, message.decode("utf-8", "replace"))


def claims(message: str) -> Claim | None:
    """What the trailers of a sign-off message claim, or ``None`` when it is no sign-off."""
    found: dict[str, list[str]] = {}
    for key, value in _TRAILER.findall(message):
        found.setdefault(key, []).append(value)
    if not all(len(found.get(k, [])) == 1 for k in (STEP, ROLE, DIGEST)) or len(found.get(APP, [])) > 1:
        return None  # a sign-off names exactly one step, one role, one digest and at most one application
    return Claim(found[STEP][0], found[ROLE][0], found[DIGEST][0], found.get(APP, [None])[0])


def message(step_no: int | None, step: str, role: str, digest: str, app: str, note: str = "") -> str:
    title = f"SOP sign-off: step {step_no} {step} as {role}" if step_no else f"SOP sign-off: {step} as {role}"
    body = f"{note.strip()}\n\n" if note.strip() else ""
    return f"{title}\n\n{body}{APP}: {app}\n{STEP}: {step}\n{ROLE}: {role}\n{DIGEST}: {digest}\n"


def digest_of(paths: Iterable[str], snapshot: Snapshot) -> str:
    hasher = hashlib.sha256()
    for path in sorted(set(paths)):
        entry = snapshot.entries[path]
        hasher.update(f"{path}\0{entry.mode}\0{entry.sha}\n".encode())
    return "sha256:" + hasher.hexdigest()


def code_paths(policy: Sop, snapshot: Snapshot) -> list[str]:
    return classes(policy).code_among(tuple(snapshot.entries))


def covered_paths(policy: Sop, step_id: str, snapshot: Snapshot) -> list[str]:
    """The files a sign-off of ``step_id`` covers in ``snapshot``."""
    if step_id == POLICY_STEP:
        return [p for p in snapshot.entries if classes(policy).is_policy(p)]
    step = policy.step(step_id)
    paths = step_paths(step, snapshot)
    if step.covers_code:
        paths += code_paths(policy, snapshot)
    return paths


def step_digest(policy: Sop, step_id: str, snapshot: Snapshot) -> str:
    return digest_of(covered_paths(policy, step_id, snapshot), snapshot)


def touches(policy: Sop, step_id: str, path: str) -> bool:
    """Whether a change to ``path`` is a change to the files of ``step_id``: the step's artefacts (for
    ``policy``: the policy files)."""
    return classes(policy).touches(step_id, path)


def covers(policy: Sop, step_id: str, path: str) -> bool:
    """Whether a sign-off of ``step_id`` covers ``path``: the step's files and, for a step that covers the
    code (the security test), every application-code file."""
    if touches(policy, step_id, path):
        return True
    return step_id != POLICY_STEP and policy.step(step_id).covers_code and classes(policy).is_code(path)
