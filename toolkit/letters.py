"""Checking one signed letter by hand (``sopkit pdf verify``): the file and the trust roots are read
from disk, the signatures checked in the bounded child process (:mod:`toolkit.sandbox`), the policy
applied by :func:`toolkit.evidence.pdfsig.judge`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from toolkit.errors import EXIT_USAGE, UserError
from toolkit.evidence.pdfsig import Letter, Verdict
from toolkit.i18n import _
from toolkit.paths import POLICY_FILE
from toolkit.sop.model import DEFAULT_MAX_ARTEFACT_BYTES, SignaturePolicy

ROOT_SUFFIXES = (".pem", ".crt", ".cer", ".der")


class Checked(NamedTuple):
    path: str
    accepted: bool
    reasons: tuple[str, ...]
    letter: Letter | None
    verdict: Verdict


def roots_in(folder: Path) -> tuple[bytes, ...]:
    """The certificates in ``folder`` (``*.pem``, ``*.crt``, ``*.cer``, ``*.der``; a file names one);
    :class:`UserError` (exit 2) when there is none or one is not a certificate."""
    from toolkit.evidence.pdfsig import certificates

    files = (
        [folder]
        if folder.is_file()
        else sorted(p for p in folder.iterdir() if p.suffix.lower() in ROOT_SUFFIXES)
    )
    files = [f for f in files if f.is_file() and not f.is_symlink()]
    if not files:
        raise UserError(
            _("--roots {path}: no certificate files (*.pem, *.crt, *.cer, *.der) there").format(path=folder),
            EXIT_USAGE,
        )
    found = []
    for file in files:
        data = file.read_bytes()
        try:
            certificates([data])
        except ValueError as error:
            raise UserError(
                _(
                    "{path} is not a certificate (PEM or DER): {reason}; remove it or give another --roots"
                ).format(path=file, reason=error),
                EXIT_USAGE,
            ) from error
        found.append(data)
    return tuple(found)


def repository_rules(start: Path) -> tuple[Path, Any] | None:
    """The policy of the repository around ``start`` (its ``.sop/sop.yaml`` in the working tree), with its
    pinned roots checked; ``None`` outside such a repository."""
    from toolkit.repo.gather import policy_from_files

    for folder in [start, *start.parents]:
        policy = folder / POLICY_FILE
        if policy.is_file():
            return folder, policy_from_files(policy, None)
    return None


def policy_for(rules: Any, top: Path, file: Path) -> SignaturePolicy | None:
    """The signature policy of the PDF artefact of ``rules`` that ``file`` is, if any."""
    from toolkit.sop import globs

    try:
        relative = file.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return None
    for step in rules.sop.steps:
        for artefact in step.artefacts:
            if artefact.kind == "pdf" and artefact.signature and globs.matches(artefact.path, relative):
                signature: SignaturePolicy = artefact.signature
                return signature
    return None


def check(
    file: Path, roots: tuple[bytes, ...], policy: SignaturePolicy, limit: int = DEFAULT_MAX_ARTEFACT_BYTES
) -> Checked:
    from toolkit import sandbox
    from toolkit.evidence import pdfsig

    if not file.is_file():
        raise UserError(_("{path} is not a file").format(path=file), EXIT_USAGE)
    size = file.stat().st_size
    if size > limit:
        raise UserError(
            _("{path} is {size} bytes, more than the limit of {limit}").format(
                path=file, size=size, limit=limit
            ),
            EXIT_USAGE,
        )
    data = file.read_bytes()
    (verdict,) = sandbox.verify([sandbox.Job(data, roots, pdfsig.Options.of(policy))])
    (state, reasons), letter = pdfsig.judge(verdict, policy, str(file))
    from toolkit.evidence.model import ArtefactState

    return Checked(str(file), state is ArtefactState.PRESENT, tuple(reasons), letter, verdict)


def as_json(checked: Checked) -> dict[str, Any]:
    from toolkit.evidence.pdfsig import problem_text

    def problems(found: tuple[tuple[str, dict[str, str]], ...]) -> list[dict[str, Any]]:
        return [{"code": c, "params": p, "message": problem_text((c, p))} for c, p in found]

    return {
        "file": checked.path,
        "accepted": checked.accepted,
        "reasons": list(checked.reasons),
        "letter": checked.letter.as_json() if checked.letter else None,
        "problems": problems(checked.verdict.problems),
        "signatures": [
            {**s._asdict(), "subject": dict(s.subject), "problems": problems(s.problems)}
            for s in checked.verdict.signatures
        ],
    }
