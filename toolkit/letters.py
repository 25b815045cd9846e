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


MAX_ROOT_BYTES = 1 << 20  # a certificate file is a few KiB; a bundle of roots well under this


def roots_in(given: Path) -> tuple[bytes, ...]:
    """The certificates in the folder ``given`` (``*.pem``, ``*.crt``, ``*.cer``, ``*.der``) or the one
    certificate file it names; :class:`UserError` (exit 2) when there is none, when it or a file in it
    is a symbolic link or not a regular file, or when a file is not a certificate."""
    from toolkit.evidence.pdfsig import certificates

    _no_symlink(given)
    if given.is_dir():
        files = sorted(p for p in given.iterdir() if p.suffix.lower() in ROOT_SUFFIXES)
    elif given.is_file():
        files = [given]
    else:
        raise UserError(
            _("--roots {path}: not a folder or a regular file; give a folder of certificates or one").format(
                path=given
            ),
            EXIT_USAGE,
        )
    for file in files:
        _no_symlink(file)
    files = [f for f in files if f.is_file()]
    if not files:
        raise UserError(
            _("--roots {path}: no certificate files (*.pem, *.crt, *.cer, *.der) there").format(path=given),
            EXIT_USAGE,
        )
    return tuple(_certificate(file, certificates) for file in files)


def _no_symlink(path: Path) -> None:
    if path.is_symlink():
        raise UserError(
            _(
                "--roots {path} is a symbolic link; trust roots are read only from real files: give the "
                "certificate file or folder itself"
            ).format(path=path),
            EXIT_USAGE,
        )


def _certificate(file: Path, certificates: Any) -> bytes:
    try:
        size = file.stat().st_size
        data = file.read_bytes() if size <= MAX_ROOT_BYTES else b""
    except OSError as error:
        raise UserError(
            _("{path} cannot be read: {reason}").format(path=file, reason=error), EXIT_USAGE
        ) from error
    try:
        if size > MAX_ROOT_BYTES:
            raise ValueError(f"{size} bytes, more than {MAX_ROOT_BYTES}")
        certificates([data])
    except ValueError as error:
        raise UserError(
            _("{path} is not a certificate (PEM or DER): {reason}; remove it or give another --roots").format(
                path=file, reason=error
            ),
            EXIT_USAGE,
        ) from error
    return data


def repository_rules(start: Path) -> tuple[Path, Any] | None:
    """The policy of the repository around ``start`` (its ``.sop/sop.yaml`` in the working tree), with its
    pinned roots checked; ``None`` outside such a repository."""
    from toolkit.repo.gather import policy_from_files

    for folder in [start, *start.parents]:
        policy = folder / POLICY_FILE
        if policy.is_file():
            return folder, policy_from_files(policy, None)
    return None


def roots_source(top: Path, rules: Any) -> str:
    """Where the pinned roots of :func:`repository_rules` came from, for the person checking by hand:
    the files, the policy, and the working tree's branch (not a commit the gate judged)."""
    from toolkit.repo.gitread import working_tree_branch

    branch, changed = working_tree_branch(top, POLICY_FILE.rsplit("/", 1)[0])
    files = ", ".join(root.path for root in rules.sop.settings.trust_roots)
    policy = top / POLICY_FILE
    if branch is None:
        where = _("{files} pinned in {policy} (a working tree with no branch checked out)")
    else:
        where = _("{files} pinned in {policy}, in the working tree of branch {branch}")
    text = where.format(files=files, policy=policy, branch=branch)
    if changed:
        text += " " + _("(with changes to .sop/ not committed: the gate judges with the base's)")
    return text


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
